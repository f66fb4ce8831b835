#include "sessionfileparts.h"

#include <QJsonDocument>

namespace attnscope {

namespace sessionfile {

QByteArray compact(const QJsonValue &value)
{
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
}

QJsonValue parseJson(const QVariant &text, bool *ok)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toByteArray(), &error);
    *ok = error.error == QJsonParseError::NoError && (doc.isArray() || doc.isObject());
    if (doc.isArray())
        return doc.array();
    return doc.object();
}

QJsonObject trainerJson(const TrainerState &s)
{
    QJsonObject o;
    o.insert(QStringLiteral("step"), qint64(s.step));
    o.insert(QStringLiteral("epoch"), s.epoch);
    o.insert(QStringLiteral("cursor"), qint64(s.cursor));
    // 64 bits do not fit a JSON number (a double): hexadecimal text.
    o.insert(QStringLiteral("epoch_rng"), QString::number(s.epochRng, 16));
    o.insert(QStringLiteral("train_samples"), qint64(s.trainSamples));
    o.insert(QStringLiteral("lr"), double(s.learningRate));
    o.insert(QStringLiteral("task_weights"), numbers(s.taskWeights));
    o.insert(QStringLiteral("rationale_weight"), double(s.rationaleWeight));
    o.insert(QStringLiteral("optimizer_steps"), qint64(s.optimizer.steps));
    return o;
}

bool fromTrainerJson(const QJsonObject &o, TrainerState *s)
{
    bool ok = false;
    s->epochRng = o.value(QStringLiteral("epoch_rng")).toString().toULongLong(&ok, 16);
    if (!ok || !o.value(QStringLiteral("step")).isDouble() || !o.value(QStringLiteral("cursor")).isDouble())
        return false;
    s->step = o.value(QStringLiteral("step")).toInteger();
    s->epoch = o.value(QStringLiteral("epoch")).toInt();
    s->cursor = o.value(QStringLiteral("cursor")).toInteger();
    s->trainSamples = o.value(QStringLiteral("train_samples")).toInteger();
    s->learningRate = float(o.value(QStringLiteral("lr")).toDouble());
    s->taskWeights = fromNumbers<float>(o.value(QStringLiteral("task_weights")));
    s->rationaleWeight = float(o.value(QStringLiteral("rationale_weight")).toDouble());
    s->optimizer.steps = o.value(QStringLiteral("optimizer_steps")).toInteger();
    return true;
}

} // namespace sessionfile

using namespace sessionfile;

namespace {

QJsonArray strings(const std::vector<std::string> &values)
{
    QJsonArray array;
    for (const std::string &v : values)
        array.append(QString::fromStdString(v));
    return array;
}

std::vector<std::string> fromStrings(const QJsonValue &value)
{
    std::vector<std::string> out;
    for (const QJsonValue &v : value.toArray())
        out.push_back(v.toString().toStdString());
    return out;
}

QJsonObject optionsJson(const LoadOptions &options)
{
    QJsonObject o;
    o.insert(QStringLiteral("text_column"), QString::fromStdString(options.textColumn));
    o.insert(QStringLiteral("feature_columns"), strings(options.featureColumns));
    o.insert(QStringLiteral("task_columns"), strings(options.taskColumns));
    o.insert(QStringLiteral("split_column"), QString::fromStdString(options.splitColumn));
    o.insert(QStringLiteral("ignored_columns"), strings(options.ignoredColumns));
    o.insert(QStringLiteral("separator"), options.separator ? QString(QChar(options.separator)) : QString());
    return o;
}

LoadOptions fromOptionsJson(const QJsonObject &o)
{
    LoadOptions options;
    options.textColumn = o.value(QStringLiteral("text_column")).toString().toStdString();
    options.featureColumns = fromStrings(o.value(QStringLiteral("feature_columns")));
    options.taskColumns = fromStrings(o.value(QStringLiteral("task_columns")));
    options.splitColumn = o.value(QStringLiteral("split_column")).toString().toStdString();
    options.ignoredColumns = fromStrings(o.value(QStringLiteral("ignored_columns")));
    const QString separator = o.value(QStringLiteral("separator")).toString();
    options.separator = separator.isEmpty() ? 0 : char(separator.at(0).toLatin1());
    return options;
}

} // namespace

// --- RunRecord's settings.

QByteArray RunRecord::settingsJson() const
{
    QJsonObject m;
    m.insert(QStringLiteral("input"), QString::fromLatin1(toString(model.input)));
    m.insert(QStringLiteral("dim"), model.dim);
    m.insert(QStringLiteral("heads"), model.heads);
    m.insert(QStringLiteral("ffn"), model.ffn);
    m.insert(QStringLiteral("layers"), model.layers);
    m.insert(QStringLiteral("max_len"), model.maxLen);
    m.insert(QStringLiteral("mode"), QString::fromLatin1(toString(model.mode)));

    const OptimizerConfig &oc = train.optimizer;
    QJsonObject t;
    t.insert(QStringLiteral("optimizer"), QString::fromLatin1(toString(oc.kind)));
    t.insert(QStringLiteral("lr"), double(oc.lr));
    t.insert(QStringLiteral("momentum"), double(oc.momentum));
    t.insert(QStringLiteral("weight_decay"), double(oc.weightDecay));
    t.insert(QStringLiteral("beta1"), double(oc.beta1));
    t.insert(QStringLiteral("beta2"), double(oc.beta2));
    t.insert(QStringLiteral("eps"), double(oc.eps));
    t.insert(QStringLiteral("clip"), double(oc.clip));
    t.insert(QStringLiteral("schedule"), oc.schedule == Schedule::Cosine ? QStringLiteral("cosine") : QStringLiteral("constant"));
    t.insert(QStringLiteral("warmup"), qint64(oc.warmup));
    t.insert(QStringLiteral("batch_size"), train.batchSize);
    t.insert(QStringLiteral("epochs"), train.epochs);
    t.insert(QStringLiteral("steps"), qint64(train.steps));
    t.insert(QStringLiteral("shuffle"), train.shuffle);
    t.insert(QStringLiteral("seed"), QString::number(train.seed));  // 64 bits: text
    t.insert(QStringLiteral("task_weights"), numbers(train.taskWeights));
    t.insert(QStringLiteral("rationale_weight"), double(train.rationaleWeight));
    t.insert(QStringLiteral("threads"), train.threads);

    QJsonObject o;
    o.insert(QStringLiteral("model"), m);
    o.insert(QStringLiteral("train"), t);
    o.insert(QStringLiteral("val_fraction"), valFraction);
    o.insert(QStringLiteral("load_options"), optionsJson(options));
    return compact(o);
}

bool RunRecord::setSettingsJson(const QByteArray &json, QString *error)
{
    bool ok = false;
    const QJsonObject o = parseJson(json, &ok).toObject();
    const QJsonObject m = o.value(QStringLiteral("model")).toObject();
    const QJsonObject t = o.value(QStringLiteral("train")).toObject();
    if (!ok || m.isEmpty() || t.isEmpty()) {
        *error = QStringLiteral("the run's settings are not a JSON object with 'model' and 'train'");
        return false;
    }
    model.input = m.value(QStringLiteral("input")).toString() == QLatin1String("tabular") ? InputKind::Tabular : InputKind::Text;
    model.dim = m.value(QStringLiteral("dim")).toInt(model.dim);
    model.heads = m.value(QStringLiteral("heads")).toInt(model.heads);
    model.ffn = m.value(QStringLiteral("ffn")).toInt(model.ffn);
    model.layers = m.value(QStringLiteral("layers")).toInt(model.layers);
    model.maxLen = m.value(QStringLiteral("max_len")).toInt(model.maxLen);
    if (!parseAttentionMode(m.value(QStringLiteral("mode")).toString().toStdString(), &model.mode)) {
        *error = QStringLiteral("the run's settings name an unknown attention mode '%1'")
                     .arg(m.value(QStringLiteral("mode")).toString());
        return false;
    }
    OptimizerConfig &oc = train.optimizer;
    if (!parseOptimizer(t.value(QStringLiteral("optimizer")).toString().toStdString(), &oc.kind)) {
        *error = QStringLiteral("the run's settings name an unknown optimizer '%1'")
                     .arg(t.value(QStringLiteral("optimizer")).toString());
        return false;
    }
    oc.lr = float(t.value(QStringLiteral("lr")).toDouble(double(oc.lr)));
    oc.momentum = float(t.value(QStringLiteral("momentum")).toDouble(double(oc.momentum)));
    oc.weightDecay = float(t.value(QStringLiteral("weight_decay")).toDouble(double(oc.weightDecay)));
    oc.beta1 = float(t.value(QStringLiteral("beta1")).toDouble(double(oc.beta1)));
    oc.beta2 = float(t.value(QStringLiteral("beta2")).toDouble(double(oc.beta2)));
    oc.eps = float(t.value(QStringLiteral("eps")).toDouble(double(oc.eps)));
    oc.clip = float(t.value(QStringLiteral("clip")).toDouble(double(oc.clip)));
    oc.schedule = t.value(QStringLiteral("schedule")).toString() == QLatin1String("cosine") ? Schedule::Cosine
                                                                                             : Schedule::Constant;
    oc.warmup = t.value(QStringLiteral("warmup")).toInteger(oc.warmup);
    train.batchSize = t.value(QStringLiteral("batch_size")).toInt(train.batchSize);
    train.epochs = t.value(QStringLiteral("epochs")).toInt(train.epochs);
    train.steps = t.value(QStringLiteral("steps")).toInteger(train.steps);
    train.shuffle = t.value(QStringLiteral("shuffle")).toBool(train.shuffle);
    train.seed = t.value(QStringLiteral("seed")).toString().toULongLong(&ok);
    if (!ok) {
        *error = QStringLiteral("the run's settings have no seed");
        return false;
    }
    train.taskWeights = fromNumbers<float>(t.value(QStringLiteral("task_weights")));
    train.rationaleWeight = float(t.value(QStringLiteral("rationale_weight")).toDouble());
    train.threads = t.value(QStringLiteral("threads")).toInt(train.threads);
    valFraction = o.value(QStringLiteral("val_fraction")).toDouble(valFraction);
    options = fromOptionsJson(o.value(QStringLiteral("load_options")).toObject());
    return true;
}

// --- Timeline snapshots.

QByteArray timelineJson(const AttentionSnapshot &s)
{
    QJsonObject o;
    o.insert(QStringLiteral("step"), qint64(s.step));
    o.insert(QStringLiteral("input"), QString::fromLatin1(toString(s.input)));
    o.insert(QStringLiteral("mode"), QString::fromLatin1(toString(s.mode)));
    o.insert(QStringLiteral("layers"), s.layers);
    o.insert(QStringLiteral("heads"), s.heads);
    QJsonArray tasks;
    for (const TaskInfo &task : s.tasks) {
        QJsonObject t;
        t.insert(QStringLiteral("name"), QString::fromStdString(task.name));
        t.insert(QStringLiteral("classes"), strings(task.classes));
        tasks.append(t);
    }
    o.insert(QStringLiteral("tasks"), tasks);
    o.insert(QStringLiteral("gates"), numbers(s.gates));
    const auto optionals = [](const std::vector<std::optional<double>> &values) {
        QJsonArray array;
        for (const std::optional<double> &v : values)
            array.append(v ? QJsonValue(*v) : QJsonValue());
        return array;
    };
    o.insert(QStringLiteral("rationale_mass"), optionals(s.rationaleMass));
    o.insert(QStringLiteral("rationale_auprc"), optionals(s.rationaleAuprc));
    QJsonArray samples;
    for (const AttentionSample &a : s.samples) {
        QJsonObject j;
        j.insert(QStringLiteral("probe"), a.probe);
        j.insert(QStringLiteral("sample"), a.sampleIndex);
        j.insert(QStringLiteral("text"), QString::fromStdString(a.text));
        j.insert(QStringLiteral("tokens"), strings(a.tokens));
        j.insert(QStringLiteral("values"), numbers(a.values));
        j.insert(QStringLiteral("labels"), integers(a.labels));
        QJsonArray rationale, weights, probs;
        for (const std::vector<uint8_t> &r : a.rationale)
            rationale.append(integers(r));
        for (const std::vector<float> &w : a.weights)
            weights.append(numbers(w));
        for (const std::vector<float> &p : a.probs)
            probs.append(numbers(p));
        j.insert(QStringLiteral("rationale"), rationale);
        j.insert(QStringLiteral("weights"), weights);
        j.insert(QStringLiteral("probs"), probs);
        samples.append(j);
    }
    o.insert(QStringLiteral("samples"), samples);
    return compact(o);
}

bool parseTimelineJson(const QByteArray &json, AttentionSnapshot *out, QString *error)
{
    bool ok = false;
    const QJsonObject o = parseJson(json, &ok).toObject();
    if (!ok || !o.value(QStringLiteral("step")).isDouble() || !o.value(QStringLiteral("samples")).isArray()) {
        *error = QStringLiteral("a timeline snapshot is not a JSON object with 'step' and 'samples'");
        return false;
    }
    AttentionSnapshot s;
    s.step = o.value(QStringLiteral("step")).toInteger();
    s.input = o.value(QStringLiteral("input")).toString() == QLatin1String("tabular") ? InputKind::Tabular : InputKind::Text;
    parseAttentionMode(o.value(QStringLiteral("mode")).toString().toStdString(), &s.mode);
    s.layers = o.value(QStringLiteral("layers")).toInt();
    s.heads = o.value(QStringLiteral("heads")).toInt();
    for (const QJsonValue &t : o.value(QStringLiteral("tasks")).toArray())
        s.tasks.push_back({t.toObject().value(QStringLiteral("name")).toString().toStdString(),
                           fromStrings(t.toObject().value(QStringLiteral("classes")))});
    s.gates = fromNumbers<float>(o.value(QStringLiteral("gates")));
    const auto optionals = [](const QJsonValue &value) {
        std::vector<std::optional<double>> out;
        for (const QJsonValue &v : value.toArray())
            out.push_back(v.isDouble() ? std::optional<double>(v.toDouble()) : std::nullopt);
        return out;
    };
    s.rationaleMass = optionals(o.value(QStringLiteral("rationale_mass")));
    s.rationaleAuprc = optionals(o.value(QStringLiteral("rationale_auprc")));
    const size_t tasks = s.tasks.size();
    for (const QJsonValue &value : o.value(QStringLiteral("samples")).toArray()) {
        const QJsonObject j = value.toObject();
        AttentionSample a;
        a.probe = j.value(QStringLiteral("probe")).toInt();
        a.sampleIndex = j.value(QStringLiteral("sample")).toInt();
        a.text = j.value(QStringLiteral("text")).toString().toStdString();
        a.tokens = fromStrings(j.value(QStringLiteral("tokens")));
        a.values = fromNumbers<float>(j.value(QStringLiteral("values")));
        a.labels = fromIntegers<int>(j.value(QStringLiteral("labels")));
        for (const QJsonValue &r : j.value(QStringLiteral("rationale")).toArray())
            a.rationale.push_back(fromIntegers<uint8_t>(r));
        for (const QJsonValue &w : j.value(QStringLiteral("weights")).toArray())
            a.weights.push_back(fromNumbers<float>(w));
        for (const QJsonValue &p : j.value(QStringLiteral("probs")).toArray())
            a.probs.push_back(fromNumbers<float>(p));
        // The views index these by task and token: a snapshot whose arrays
        // do not fit its tasks and tokens is refused, not shown.
        bool fits = a.weights.size() == tasks && a.probs.size() == tasks && a.labels.size() == tasks
                 && a.rationale.size() <= tasks && (a.values.empty() || a.values.size() == a.tokens.size());
        for (size_t t = 0; fits && t < tasks; ++t)
            fits = a.weights[t].size() == a.tokens.size() && a.probs[t].size() == s.tasks[t].classes.size()
                && (t >= a.rationale.size() || a.rationale[t].empty() || a.rationale[t].size() == a.tokens.size())
                && a.labels[t] >= -1 && a.labels[t] < int(s.tasks[t].classes.size());
        if (!fits) {
            *error = QStringLiteral("a timeline snapshot of step %1 has a sample whose weights, predictions or "
                                    "labels do not fit its tasks and tokens").arg(s.step);
            return false;
        }
        s.samples.push_back(std::move(a));
    }
    *out = std::move(s);
    return true;
}

} // namespace attnscope
