// Safetensors checkpoints (MODEL.md section 6): the model's tensors in
// ParamLayout order (then a tabular model's input statistics) and its
// configuration, tasks, text column and vocabulary or features as metadata,
// in the container of safetensors.h, which checks the file's layout before
// anything here reads it.
#include "checkpoint.h"

#include "fileutil.h"
#include "safetensors.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>

namespace attnscope {

using safetensors::compactJson;
using safetensors::Entry;
using safetensors::Layout;
using safetensors::readCount;
using safetensors::shapeText;

namespace {

const char *const kFormat = "attention-model/1";

// Sanity caps on the hyperparameters read from a file, so that a hostile
// config cannot make the layout arithmetic overflow before the tensors are
// checked against it.
constexpr int64_t kMaxDim = 1 << 20;
constexpr int64_t kMaxLayers = 1 << 12;
constexpr int64_t kMaxTensorElements = 0x7fffffff;

QString qs(const std::string &s) { return QString::fromStdString(s); }

// The float as the double of its shortest decimal form, so that the JSON
// says 0.7 for 0.7f (not 0.699999988079071) and reads back to the same float.
double shortestDouble(float x)
{
    char text[32];
    const auto end = std::to_chars(text, text + sizeof text, x).ptr;
    double out = 0;
    std::from_chars(text, end, out);
    return out;
}

// Is the model self-consistent enough to be written?
std::string checkModel(const Model &model)
{
    const ModelConfig &c = model.config;
    const std::string invalid = c.validate();
    if (!invalid.empty()) return "invalid configuration: " + invalid;
    if (model.tasks.size() != c.classes.size())
        return "the model has " + std::to_string(model.tasks.size()) + " tasks but its configuration "
               + std::to_string(c.classes.size());
    for (size_t t = 0; t < model.tasks.size(); ++t)
        if (int(model.tasks[t].classes.size()) != c.classes[t])
            return "task '" + model.tasks[t].name + "' has "
                   + std::to_string(model.tasks[t].classes.size()) + " class names but "
                   + std::to_string(c.classes[t]) + " classes in the configuration";
    if (c.input == InputKind::Text) {
        if (int(model.vocab.size()) != c.vocabSize)
            return "the vocabulary has " + std::to_string(model.vocab.size())
                   + " tokens but the configuration " + std::to_string(c.vocabSize);
    } else {
        if (int(model.features.size()) != c.features)
            return "there are " + std::to_string(model.features.size())
                   + " feature names but the configuration has " + std::to_string(c.features);
        if (int(model.inputMean.size()) != c.features || int(model.inputStd.size()) != c.features)
            return "input.mean/input.std must hold one value per feature ("
                   + std::to_string(c.features) + ")";
    }
    const ParamLayout layout(c);
    if (model.params.size() != layout.totalSize())
        return "the model holds " + std::to_string(model.params.size()) + " parameters, its layout "
               + std::to_string(layout.totalSize());
    return {};
}

// The metadata of MODEL.md 6: format, config, tasks, the text column, and
// the vocabulary or the features.
QJsonObject checkpointMetadata(const Model &model)
{
    const ModelConfig &c = model.config;
    QJsonObject config;
    config.insert(QStringLiteral("dim"), c.dim);
    config.insert(QStringLiteral("heads"), c.heads);
    config.insert(QStringLiteral("ffn"), c.ffn);
    config.insert(QStringLiteral("layers"), c.layers);
    config.insert(QStringLiteral("mode"), QString::fromLatin1(toString(c.mode)));
    config.insert(QStringLiteral("max_len"), c.maxLen);
    config.insert(QStringLiteral("input"), QString::fromLatin1(toString(c.input)));
    config.insert(QStringLiteral("rationale_weight"), shortestDouble(model.rationaleWeight));
    if (c.input == InputKind::Text) {
        config.insert(QStringLiteral("max_vocab"), c.maxVocab);
        config.insert(QStringLiteral("min_freq"), c.minFreq);
    }
    QJsonArray tasks;
    for (const TaskInfo &t : model.tasks) {
        QJsonArray classes;
        for (const std::string &k : t.classes) classes.append(qs(k));
        QJsonObject task;
        task.insert(QStringLiteral("name"), qs(t.name));
        task.insert(QStringLiteral("classes"), classes);
        tasks.append(task);
    }
    QJsonObject meta;
    meta.insert(QStringLiteral("format"), QString::fromLatin1(kFormat));
    meta.insert(QStringLiteral("config"), qs(compactJson(config)));
    meta.insert(QStringLiteral("tasks"), qs(compactJson(tasks)));
    if (!model.textColumn.empty())
        meta.insert(QStringLiteral("text_column"), qs(model.textColumn));
    QJsonArray words;
    for (const std::string &w : c.input == InputKind::Text ? model.vocab : model.features)
        words.append(qs(w));
    meta.insert(c.input == InputKind::Text ? QStringLiteral("vocab") : QStringLiteral("features"),
                qs(compactJson(words)));
    return meta;
}

} // namespace

std::string serializeCheckpoint(const Model &model)
{
    if (!checkModel(model).empty()) return {};
    const ModelConfig &c = model.config;
    const ParamLayout layout(c);

    // The tensors in ParamLayout order, then the input statistics.
    std::vector<safetensors::Tensor> items;
    for (const TensorSpec &t : layout.tensors())
        items.push_back({t.name, t.shape, model.params.data() + t.offset, t.size});
    if (c.input == InputKind::Tabular) {
        items.push_back({"input.mean", {c.features}, model.inputMean.data(), size_t(c.features)});
        items.push_back({"input.std", {c.features}, model.inputStd.data(), size_t(c.features)});
    }
    return safetensors::write(items, checkpointMetadata(model));
}

bool saveCheckpoint(const Model &model, const std::string &path, std::string *error)
{
    const std::string problem = checkModel(model);
    if (!problem.empty()) {
        if (error) *error = path + ": cannot save: " + problem;
        return false;
    }
    // Into a temporary file renamed into place (fileutil.h): on any failure the
    // old file stays as it was, and a device or FIFO is never replaced.
    return writeFileAtomically(path, serializeCheckpoint(model), error);
}

namespace {

// The parts of parseCheckpoint: each fills its part of *m from the file and
// answers "" or what is wrong (parseCheckpoint puts the file's name before it).

// metadata 'config': the input kind, the attention mode, mu and the sizes.
std::string readConfig(const std::string &text, Model *m)
{
    ModelConfig &c = m->config;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(text));
    if (!doc.isObject()) return "metadata 'config' is not a JSON object";
    const QJsonObject o = doc.object();
    auto count = [&](const char *key, int64_t max, int *out, bool required) {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isUndefined() && !required) return std::string();
        int64_t x = 0;
        if (!readCount(v, max, &x))
            return "metadata 'config': '" + std::string(key)
                   + (v.isUndefined() ? "' is missing"
                                      : "' must be an integer from 0 to " + std::to_string(max));
        *out = int(x);
        return std::string();
    };
    const QJsonValue input = o.value(QStringLiteral("input"));
    if (input == QJsonValue(QStringLiteral("text"))) c.input = InputKind::Text;
    else if (input == QJsonValue(QStringLiteral("tabular"))) c.input = InputKind::Tabular;
    else return "metadata 'config': 'input' must be \"text\" or \"tabular\"";
    const QJsonValue mode = o.value(QStringLiteral("mode"));
    if (!mode.isString() || !parseAttentionMode(mode.toString().toStdString(), &c.mode))
        return "metadata 'config': 'mode' must be \"task\", \"shared\", \"gated\" or \"uniform\"";
    // mu of MODEL.md 5b, a record of training (absent: 0)
    const QJsonValue mu = o.value(QStringLiteral("rationale_weight"));
    if (!mu.isUndefined()) {
        if (!mu.isDouble() || !std::isfinite(mu.toDouble()) || mu.toDouble() < 0
            || mu.toDouble() > double(std::numeric_limits<float>::max()))
            return "metadata 'config': 'rationale_weight' must be a number from 0 up";
        m->rationaleWeight = float(mu.toDouble());
    }
    for (const std::string &problem :
         {count("dim", kMaxDim, &c.dim, true), count("heads", kMaxDim, &c.heads, true),
          count("ffn", kMaxDim, &c.ffn, true), count("layers", kMaxLayers, &c.layers, true),
          count("max_len", kMaxDim, &c.maxLen, c.input == InputKind::Text),
          count("max_vocab", kMaxDim, &c.maxVocab, false), count("min_freq", kMaxDim, &c.minFreq, false)})
        if (!problem.empty()) return problem;
    return {};
}

// metadata 'tasks': each task's name and classes, names unique.
std::string readTasks(const std::string &text, Model *m)
{
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(text));
    if (!doc.isArray() || doc.array().isEmpty())
        return "metadata 'tasks' is not a non-empty JSON list";
    std::set<std::string> names;
    for (const QJsonValue &v : doc.array()) {
        const std::string which = "metadata 'tasks': task " + std::to_string(m->tasks.size());
        const QJsonObject o = v.toObject();
        if (!v.isObject() || !o.value(QStringLiteral("name")).isString())
            return which + " is not an object with a string 'name'";
        TaskInfo task;
        task.name = o.value(QStringLiteral("name")).toString().toStdString();
        if (!names.insert(task.name).second)
            return which + ": the name '" + task.name + "' appears twice";
        const QJsonValue classes = o.value(QStringLiteral("classes"));
        if (!classes.isArray() || classes.toArray().isEmpty())
            return which + " ('" + task.name + "'): 'classes' is not a non-empty list";
        std::set<std::string> seen;
        for (const QJsonValue &k : classes.toArray()) {
            if (!k.isString())
                return which + " ('" + task.name + "'): a class name is not a string";
            task.classes.push_back(k.toString().toStdString());
            if (!seen.insert(task.classes.back()).second)
                return which + " ('" + task.name + "'): the class '" + task.classes.back() + "' appears twice";
        }
        m->config.classes.push_back(int(task.classes.size()));
        m->tasks.push_back(std::move(task));
    }
    return {};
}

// metadata 'vocab' (text) or 'features' (tabular): a list of strings.
std::string readWords(const std::string &text, const char *wordsKey, Model *m)
{
    ModelConfig &c = m->config;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(text));
    if (!doc.isArray()) return std::string("metadata '") + wordsKey + "' is not a JSON list";
    std::vector<std::string> &words = c.input == InputKind::Text ? m->vocab : m->features;
    for (const QJsonValue &v : doc.array()) {
        if (!v.isString())
            return std::string("metadata '") + wordsKey + "': entry " + std::to_string(words.size())
                   + " is not a string";
        words.push_back(v.toString().toStdString());
    }
    if (c.input == InputKind::Text) c.vocabSize = int(words.size());
    else c.features = int(words.size());
    return {};
}

// The configuration read whole: valid, its words usable as ids, and no
// tensor of its layout too large to index (a hostile config).
std::string checkConfig(const Model &m, const char *wordsKey)
{
    const ModelConfig &c = m.config;
    const std::string invalid = c.validate();
    if (!invalid.empty()) return "metadata 'config': " + invalid;
    // Token ids and feature columns are positions in these lists: a name
    // twice would give two ids one meaning (and change the loss silently),
    // and ids 0 and 1 are the specials (MODEL.md 7).
    const std::vector<std::string> &words = c.input == InputKind::Text ? m.vocab : m.features;
    if (c.input == InputKind::Text && (words[0] != "<pad>" || words[1] != "<unk>"))
        return "metadata 'vocab' must begin with \"<pad>\", \"<unk>\" (it begins with "
               + compactJson(QJsonArray{qs(words[0]), qs(words[1])}) + ")";
    std::map<std::string, size_t> first;
    for (size_t i = 0; i < words.size(); ++i) {
        const auto [it, added] = first.emplace(words[i], i);
        if (!added)
            return std::string("metadata '") + wordsKey + "': the "
                   + (c.input == InputKind::Text ? "token '" : "feature '") + words[i] + "' appears twice (entries "
                   + std::to_string(it->second) + " and " + std::to_string(i) + ")";
    }
    const int64_t d = c.dim, rows = std::max<int64_t>({int64_t(c.vocabSize), c.maxLen, c.features, c.ffn, c.tasks(), d});
    int64_t widest = 0;
    for (int k : c.classes) widest = std::max<int64_t>(widest, k);
    if (rows * d > kMaxTensorElements || widest * d > kMaxTensorElements)
        return "metadata 'config': the sizes are too large (a tensor would exceed "
               + std::to_string(kMaxTensorElements) + " values)";
    return {};
}

// Metadata: format, config, tasks, the text column, vocab or features.
std::string readMetadata(const std::map<std::string, std::string> &metadata, Model *m)
{
    auto metaText = [&](const char *key, std::string *value) {
        const auto it = metadata.find(key);
        if (it == metadata.end()) return false;
        *value = it->second;
        return true;
    };
    std::string format;
    if (!metaText("format", &format)) return "metadata has no 'format'";
    if (format != kFormat)
        return "unknown format '" + format + "' (expected '" + kFormat + "')";
    std::string text;
    if (!metaText("config", &text)) return "metadata has no 'config'";
    if (std::string problem = readConfig(text, m); !problem.empty()) return problem;
    if (!metaText("tasks", &text)) return "metadata has no 'tasks'";
    if (std::string problem = readTasks(text, m); !problem.empty()) return problem;
    if (metaText("text_column", &text)) {
        if (m->config.input != InputKind::Text) return "metadata 'text_column' in a tabular model";
        m->textColumn = text;
    }
    const char *wordsKey = m->config.input == InputKind::Text ? "vocab" : "features";
    if (!metaText(wordsKey, &text)) return std::string("metadata has no '") + wordsKey + "'";
    if (std::string problem = readWords(text, wordsKey, m); !problem.empty()) return problem;
    return checkConfig(*m, wordsKey);
}

// The tensors the configuration asks for, with their shapes, and no other;
// *present: where each is in the file.
std::string checkTensors(const Layout &file, const ModelConfig &c, const ParamLayout &layout,
                         std::map<std::string, const Entry *> *present)
{
    std::map<std::string, std::vector<int>> expected;
    for (const TensorSpec &t : layout.tensors()) expected[t.name] = t.shape;
    if (c.input == InputKind::Tabular) {
        expected["input.mean"] = {c.features};
        expected["input.std"] = {c.features};
    }
    for (const Entry &e : file.entries) (*present)[e.name] = &e;
    auto check = [&](const std::string &tensor, const std::vector<int> &shape) -> std::string {
        const auto it = present->find(tensor);
        if (it == present->end()) return "tensor '" + tensor + "' is missing";
        if (it->second->shape != shape)
            return "tensor '" + tensor + "' has shape " + shapeText(it->second->shape)
                   + ", expected " + shapeText(shape);
        return {};
    };
    for (const TensorSpec &t : layout.tensors()) {
        const std::string problem = check(t.name, t.shape);
        if (!problem.empty()) return problem;
    }
    if (c.input == InputKind::Tabular) {
        for (const char *stat : {"input.mean", "input.std"}) {
            const std::string problem = check(stat, {c.features});
            if (!problem.empty()) return problem;
        }
    }
    for (const Entry &e : file.entries)
        if (!expected.count(e.name))
            return "unknown tensor '" + e.name + "' (not part of a " + toString(c.input) + " model in '"
                   + toString(c.mode) + "' mode with layers = " + std::to_string(c.layers) + " and "
                   + std::to_string(c.tasks()) + " tasks)";
    return {};
}

// Everything is in place: copy the values. A NaN or infinite weight would
// make every output NaN (an argmax of NaN still names a class), so none is
// accepted.
std::string copyValues(const Layout &file, const std::map<std::string, const Entry *> &present, Model *m)
{
    const ModelConfig &c = m->config;
    auto nonFinite = [&](const std::string &tensor, const float *values, size_t count) {
        for (size_t i = 0; i < count; ++i)
            if (!std::isfinite(values[i]))
                return "tensor '" + tensor + "': value " + std::to_string(i) + " is not a finite number ("
                       + std::to_string(values[i]) + ")";
        return std::string();
    };
    m->params.assign(m->layout.totalSize(), 0.0f);
    for (const TensorSpec &t : m->layout.tensors()) {
        safetensors::decode(file.data + present.at(t.name)->begin, t.size, m->params.data() + t.offset);
        if (const std::string problem = nonFinite(t.name, m->params.data() + t.offset, t.size); !problem.empty())
            return problem;
    }
    if (c.input == InputKind::Tabular) {
        m->inputMean.resize(size_t(c.features));
        m->inputStd.resize(size_t(c.features));
        safetensors::decode(file.data + present.at("input.mean")->begin, m->inputMean.size(), m->inputMean.data());
        safetensors::decode(file.data + present.at("input.std")->begin, m->inputStd.size(), m->inputStd.data());
        if (const std::string problem = nonFinite("input.mean", m->inputMean.data(), m->inputMean.size());
            !problem.empty())
            return problem;
        for (size_t j = 0; j < m->inputStd.size(); ++j) {
            // MODEL.md 2: a feature whose standard deviation is 0 gets std 1, in the
            // statistics a checkpoint carries too (another implementation may store
            // the 0 and apply the rule where it standardises).
            if (m->inputStd[j] == 0.0f) m->inputStd[j] = 1.0f;
            if (!std::isfinite(m->inputStd[j]) || !(m->inputStd[j] > 0.0f))
                return "tensor 'input.std': value " + std::to_string(j) + " (" + std::to_string(m->inputStd[j])
                       + ") is not a positive finite number";
        }
    }
    return {};
}

} // namespace

bool parseCheckpoint(const std::string &bytes, const std::string &name, Model *model,
                     std::string *error)
{
    auto fail = [&](const std::string &what) {
        if (error) *error = name + ": " + what;
        return false;
    };
    Layout file;
    if (!safetensors::parseLayout(bytes, name, &file, error)) return false;
    Model m;
    if (const std::string problem = readMetadata(file.metadata, &m); !problem.empty()) return fail(problem);
    m.layout = ParamLayout(m.config);
    std::map<std::string, const Entry *> present;
    if (const std::string problem = checkTensors(file, m.config, m.layout, &present); !problem.empty())
        return fail(problem);
    if (const std::string problem = copyValues(file, present, &m); !problem.empty()) return fail(problem);
    *model = std::move(m);
    return true;
}

bool loadCheckpoint(const std::string &path, Model *model, std::string *error)
{
    std::string bytes;
    return safetensors::readFile(path, &bytes, error) && parseCheckpoint(bytes, path, model, error);
}

} // namespace attnscope
