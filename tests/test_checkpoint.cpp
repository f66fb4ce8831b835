// Safetensors checkpoints (MODEL.md 6): round trips of every kind of model,
// every refusal with a message that names the problem, a failed load leaving
// the model untouched, atomic saving, and no crash on mangled files.
#include "checkpoint.h"
#include "fileutil.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <bit>
#include <cmath>
#include <csignal>
#include <cstring>
#include <limits>
#include <random>
#include <sys/resource.h>
#include <unistd.h>

#include "specialfiles.h"

using namespace attnscope;

namespace {

// A model with every parameter set to a distinct pseudo-random value, plus a
// few special floats to prove the bits travel unchanged (finite ones: a NaN
// or an infinity is refused on load).
Model makeModel(InputKind input, AttentionMode mode, int layers, uint32_t seed = 1)
{
    Model m;
    ModelConfig &c = m.config;
    c.input = input;
    c.mode = mode;
    c.layers = layers;
    c.dim = 8;
    c.heads = 2;
    c.ffn = 12;
    c.maxLen = 9;
    m.tasks = {{"sentiment", {"negative", "positive"}},
               {"topic", {"billing", "shipping", "tech"}},
               {"urgency", {"high", "low"}}};
    for (const TaskInfo &t : m.tasks) c.classes.push_back(int(t.classes.size()));
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 0.5f);
    if (input == InputKind::Text) {
        m.vocab = {"<pad>", "<unk>", "the", "not", "good", "café", "日本", "\"quoted\"",
                   "back\\slash", "tab\there", "emoji🙂", "new\nline"};
        c.vocabSize = int(m.vocab.size());
    } else {
        m.features = {"age", "income", "constant", "naïve score"};
        c.features = int(m.features.size());
        for (int j = 0; j < c.features; ++j) {
            m.inputMean.push_back(normal(rng));
            m.inputStd.push_back(1.0f + std::abs(normal(rng)));
        }
    }
    m.layout = ParamLayout(c);
    m.params.resize(m.layout.totalSize());
    for (float &p : m.params) p = normal(rng);
    m.params[0] = -0.0f;
    m.params[1] = std::numeric_limits<float>::denorm_min();
    m.params[2] = std::numeric_limits<float>::max();
    m.params[3] = -std::numeric_limits<float>::min();
    return m;
}

bool sameBits(const std::vector<float> &a, const std::vector<float> &b)
{
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

// Everything a checkpoint carries is equal, the floats bit for bit.
bool sameModel(const Model &a, const Model &b)
{
    if (!(a.config == b.config) || a.tasks != b.tasks || a.vocab != b.vocab || a.features != b.features
        || a.rationaleWeight != b.rationaleWeight)
        return false;
    if (!sameBits(a.params, b.params) || !sameBits(a.inputMean, b.inputMean)
        || !sameBits(a.inputStd, b.inputStd))
        return false;
    if (a.layout.tensors().size() != b.layout.tensors().size()) return false;
    for (size_t i = 0; i < a.layout.tensors().size(); ++i) {
        const TensorSpec &x = a.layout.tensors()[i], &y = b.layout.tensors()[i];
        if (x.name != y.name || x.shape != y.shape || x.offset != y.offset) return false;
    }
    return true;
}

uint64_t headerLength(const std::string &bytes)
{
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = n << 8 | uint64_t(static_cast<unsigned char>(bytes[size_t(i)]));
    return n;
}

QJsonObject headerOf(const std::string &bytes)
{
    const uint64_t n = headerLength(bytes);
    return QJsonDocument::fromJson(QByteArray(bytes.data() + 8, qsizetype(n))).object();
}

QByteArray dataOf(const std::string &bytes)
{
    const uint64_t n = headerLength(bytes);
    return QByteArray(bytes.data() + 8 + n, qsizetype(bytes.size() - 8 - n));
}

std::string withLength(uint64_t n, const QByteArray &rest)
{
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[size_t(i)] = char((n >> (8 * i)) & 0xff);
    return out + rest.toStdString();
}

// A file from a header object and data, the header padded as the writer does.
std::string assemble(const QJsonObject &header, const QByteArray &data)
{
    QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    while (json.size() % 8) json.append(' ');
    return withLength(uint64_t(json.size()), json + data);
}

// A contiguous F32 file holding the given tensors (raw bytes each) in name order.
std::string build(const QJsonObject &metadata, const std::map<std::string, std::pair<QJsonArray, QByteArray>> &tensors)
{
    QJsonObject header;
    header.insert("__metadata__", metadata);
    QByteArray data;
    for (const auto &[name, t] : tensors) {
        QJsonObject info;
        info.insert("dtype", "F32");
        info.insert("shape", t.first);
        info.insert("data_offsets", QJsonArray{qint64(data.size()), qint64(data.size() + t.second.size())});
        header.insert(QString::fromStdString(name), info);
        data += t.second;
    }
    return assemble(header, data);
}

// The tensors of a valid file as (shape, bytes), to be edited and rebuilt.
std::map<std::string, std::pair<QJsonArray, QByteArray>> tensorsOf(const std::string &bytes)
{
    const QJsonObject header = headerOf(bytes);
    const QByteArray data = dataOf(bytes);
    std::map<std::string, std::pair<QJsonArray, QByteArray>> out;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__") continue;
        const QJsonObject info = it.value().toObject();
        const QJsonArray off = info.value("data_offsets").toArray();
        out[it.key().toStdString()] = {info.value("shape").toArray(),
                                       data.mid(off.at(0).toInteger(), off.at(1).toInteger() - off.at(0).toInteger())};
    }
    return out;
}

QJsonObject metadataOf(const std::string &bytes)
{
    return headerOf(bytes).value("__metadata__").toObject();
}

// Passed as a value: remove the key.
const QJsonValue kRemove(QJsonValue::Undefined);

QJsonObject setMeta(QJsonObject header, const QString &key, const QJsonValue &value)
{
    QJsonObject meta = header.value("__metadata__").toObject();
    if (value.isUndefined()) meta.remove(key);
    else meta.insert(key, value);
    header.insert("__metadata__", meta);
    return header;
}

QJsonObject setConfig(QJsonObject header, const QString &key, const QJsonValue &value)
{
    QJsonObject config = QJsonDocument::fromJson(
        header.value("__metadata__").toObject().value("config").toString().toUtf8()).object();
    if (value.isUndefined()) config.remove(key);
    else config.insert(key, value);
    return setMeta(header, "config", QString::fromUtf8(QJsonDocument(config).toJson(QJsonDocument::Compact)));
}

QJsonObject setEntry(QJsonObject header, const QString &tensor, const QString &key, const QJsonValue &value)
{
    QJsonObject info = header.value(tensor).toObject();
    if (value.isUndefined()) info.remove(key);
    else info.insert(key, value);
    header.insert(tensor, info);
    return header;
}

QJsonArray offsetsOf(const QJsonObject &header, const QString &tensor)
{
    return header.value(tensor).toObject().value("data_offsets").toArray();
}

std::string slurp(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll().toStdString();
}

bool spit(const QString &path, const std::string &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes.data(), qint64(bytes.size())) == qint64(bytes.size());
}

} // namespace

Q_DECLARE_METATYPE(InputKind)
Q_DECLARE_METATYPE(AttentionMode)
Q_DECLARE_METATYPE(std::string)

class TestCheckpoint : public QObject {
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void fileFormat();
    void refusals_data();
    void refusals();
    void loadMissingFile();
    void loadRefusesWhatIsNotARegularFile();
    void loadChecksTheHeaderLengthBeforeReading();
    void failedLoadLeavesModelUntouched();
    void saveOverwritesAtomically();
    void saveFailureKeepsOldFile();
    void saveNeverReplacesADeviceOrFifo();
    void saveRemovesStaleTemporaries();
    void saveRefusesInconsistentModel();
    void mangledFilesNeverCrash();
    void genericReader();
    void zeroInputStdReadsAsOne();
};

void TestCheckpoint::roundTrip_data()
{
    QTest::addColumn<InputKind>("input");
    QTest::addColumn<AttentionMode>("mode");
    QTest::addColumn<int>("layers");
    const std::pair<const char *, InputKind> inputs[] = {{"text", InputKind::Text}, {"tabular", InputKind::Tabular}};
    const std::pair<const char *, AttentionMode> modes[] = {
        {"task", AttentionMode::Task}, {"shared", AttentionMode::Shared}, {"gated", AttentionMode::Gated},
        {"uniform", AttentionMode::Uniform}};
    for (const auto &[iname, input] : inputs)
        for (const auto &[mname, mode] : modes)
            for (int layers : {0, 1, 2})
                QTest::addRow("%s-%s-N%d", iname, mname, layers) << input << mode << layers;
}

void TestCheckpoint::roundTrip()
{
    QFETCH(InputKind, input);
    QFETCH(AttentionMode, mode);
    QFETCH(int, layers);
    Model original = makeModel(input, mode, layers);
    original.rationaleWeight = layers == 1 ? 0.7f : 0.0f;  // mu, a record of training

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("model.safetensors").toStdString();
    std::string error;
    QVERIFY2(saveCheckpoint(original, path, &error), error.c_str());
    Model loaded;
    QVERIFY2(loadCheckpoint(path, &loaded, &error), error.c_str());
    QVERIFY(sameModel(original, loaded));
    QCOMPARE(loaded.layout.totalSize(), loaded.params.size());
    // The file is exactly what serializeCheckpoint gives, and writing the loaded
    // model again gives the same bytes.
    const std::string bytes = serializeCheckpoint(original);
    QVERIFY(bytes == slurp(QString::fromStdString(path)));
    QVERIFY(serializeCheckpoint(loaded) == bytes);
}

// The layout the safetensors package expects, and the metadata of MODEL.md 6.
void TestCheckpoint::fileFormat()
{
    const Model m = makeModel(InputKind::Tabular, AttentionMode::Gated, 1);
    const std::string bytes = serializeCheckpoint(m);
    const uint64_t n = headerLength(bytes);
    QCOMPARE(n % 8, uint64_t(0));
    const std::string headerText = bytes.substr(8, n);
    QCOMPARE(headerText.front(), '{');
    QVERIFY(headerText.find_last_not_of(' ') == headerText.rfind('}'));
    const QJsonObject header = headerOf(bytes);

    // Tensors in ParamLayout order, then the statistics; contiguous and covering the data.
    std::vector<std::pair<std::string, std::vector<int>>> expected;
    for (const TensorSpec &t : m.layout.tensors()) expected.push_back({t.name, t.shape});
    expected.push_back({"input.mean", {m.config.features}});
    expected.push_back({"input.std", {m.config.features}});
    QCOMPARE(header.size(), qsizetype(expected.size() + 1));
    qint64 offset = 0;
    for (const auto &[name, shape] : expected) {
        const QJsonObject info = header.value(QString::fromStdString(name)).toObject();
        QVERIFY2(!info.isEmpty(), name.c_str());
        QCOMPARE(info.value("dtype").toString(), QString("F32"));
        QJsonArray s;
        qint64 count = 1;
        for (int k : shape) s.append(k), count *= k;
        QCOMPARE(info.value("shape").toArray(), s);
        QCOMPARE(info.value("data_offsets").toArray(), (QJsonArray{offset, offset + 4 * count}));
        offset += 4 * count;
    }
    QCOMPARE(qint64(bytes.size()), qint64(8 + n) + offset);
    // The values are little-endian float32.
    const TensorSpec *gate = m.layout.find("pool.gate");
    QVERIFY(gate);
    const qint64 at = offsetsOf(header, "pool.gate").at(0).toInteger();
    uint32_t bits = 0;
    for (int i = 3; i >= 0; --i) bits = bits << 8 | static_cast<unsigned char>(bytes[size_t(8 + n + at + i)]);
    QCOMPARE(bits, std::bit_cast<uint32_t>(m.params[gate->offset]));

    const QJsonObject meta = header.value("__metadata__").toObject();
    QCOMPARE(meta.value("format").toString(), QString("attention-model/1"));
    const QJsonObject config = QJsonDocument::fromJson(meta.value("config").toString().toUtf8()).object();
    QCOMPARE(config.value("dim").toInt(), 8);
    QCOMPARE(config.value("heads").toInt(), 2);
    QCOMPARE(config.value("ffn").toInt(), 12);
    QCOMPARE(config.value("layers").toInt(), 1);
    QCOMPARE(config.value("mode").toString(), QString("gated"));
    QCOMPARE(config.value("input").toString(), QString("tabular"));
    QVERIFY(config.contains("max_len"));
    QCOMPARE(config.value("rationale_weight").toDouble(), 0.0);
    const QJsonArray tasks = QJsonDocument::fromJson(meta.value("tasks").toString().toUtf8()).array();
    QCOMPARE(tasks.size(), 3);
    QCOMPARE(tasks.at(1).toObject().value("name").toString(), QString("topic"));
    QCOMPARE(tasks.at(1).toObject().value("classes").toArray(), (QJsonArray{"billing", "shipping", "tech"}));
    QCOMPARE(QJsonDocument::fromJson(meta.value("features").toString().toUtf8()).array(),
             (QJsonArray{"age", "income", "constant", QString::fromUtf8("naïve score")}));
    QVERIFY(!meta.contains("vocab"));

    const std::string text = serializeCheckpoint(makeModel(InputKind::Text, AttentionMode::Task, 0));
    const QJsonObject textMeta = metadataOf(text);
    QCOMPARE(QJsonDocument::fromJson(textMeta.value("vocab").toString().toUtf8()).array().at(6).toString(),
             QString::fromUtf8("日本"));
    QVERIFY(!textMeta.contains("features"));
    QVERIFY(!headerOf(text).contains("input.mean"));

    // mu in its shortest form; a checkpoint without it reads as mu = 0.
    Model supervised = makeModel(InputKind::Text, AttentionMode::Uniform, 0);
    supervised.rationaleWeight = 0.7f;
    const std::string withMu = serializeCheckpoint(supervised);
    const QString configText = metadataOf(withMu).value("config").toString();
    QVERIFY2(configText.contains("\"rationale_weight\":0.7"), qPrintable(configText));
    QVERIFY2(configText.contains("\"mode\":\"uniform\""), qPrintable(configText));
    QVERIFY(!headerOf(withMu).contains("pool.key.weight") && !headerOf(withMu).contains("pool.query"));
    Model loaded;
    std::string error;
    QVERIFY2(parseCheckpoint(assemble(setConfig(headerOf(withMu), "rationale_weight", kRemove), dataOf(withMu)),
                             "old.safetensors", &loaded, &error), error.c_str());
    QCOMPARE(loaded.rationaleWeight, 0.0f);
    QVERIFY2(parseCheckpoint(withMu, "new.safetensors", &loaded, &error), error.c_str());
    QCOMPARE(loaded.rationaleWeight, 0.7f);
}

void TestCheckpoint::refusals_data()
{
    QTest::addColumn<std::string>("bytes");
    QTest::addColumn<QString>("message");

    const std::string text = serializeCheckpoint(makeModel(InputKind::Text, AttentionMode::Task, 1));
    const std::string gated = serializeCheckpoint(makeModel(InputKind::Tabular, AttentionMode::Gated, 1));
    const QJsonObject th = headerOf(text);
    const QByteArray td = dataOf(text);
    const QJsonObject gh = headerOf(gated);
    const QByteArray gd = dataOf(gated);

    // The layout of the file.
    QTest::newRow("empty file") << std::string() << "file is shorter than 8 bytes (0)";
    QTest::newRow("7 bytes") << std::string("\x10\0\0\0\0\0\0", 7) << "file is shorter than 8 bytes (7)";
    QTest::newRow("header length beyond the file")
        << withLength(1000, "{}      ") << "header length 1000 goes beyond the end of the file (8 bytes";
    QTest::newRow("header length 2^64-1")
        << withLength(~uint64_t(0), "{}      ") << "header length 18446744073709551615 goes beyond";
    QTest::newRow("header length cut mid-header")
        << text.substr(0, 8 + headerLength(text) - 1) << "goes beyond the end of the file";
    QTest::newRow("header not JSON") << withLength(8, "{nope:1}") << "header is not valid JSON";
    QTest::newRow("header a JSON list") << withLength(8, "[1, 2]  ") << "header is not a JSON object (it is a list)";
    QTest::newRow("header a JSON string")
        << withLength(8, "\"x\"     ") << "header is not a JSON object (it is a string)";
    QTest::newRow("header a JSON number") << withLength(8, "12      ") << "header is not a JSON object (it is a number)";
    QTest::newRow("header JSON null") << withLength(8, "null    ") << "header is not a JSON object (it is null)";
    QTest::newRow("empty header") << withLength(0, "") << "header is not";
    QTest::newRow("metadata not an object")
        << assemble(QJsonObject{{"__metadata__", 5}}, {}) << "__metadata__ is not a JSON object";
    QTest::newRow("metadata value not a string")
        << assemble(setMeta(th, "format", 1), td) << "__metadata__ entry 'format' is not a string";

    // Tensor entries.
    QTest::newRow("dtype F16")
        << assemble(setEntry(th, "final_ln.bias", "dtype", "F16"), td)
        << "tensor 'final_ln.bias': dtype F16 is not supported (only F32)";
    QTest::newRow("dtype F64")
        << assemble(setEntry(th, "pool.query", "dtype", "F64"), td) << "tensor 'pool.query': dtype F64";
    QTest::newRow("dtype missing")
        << assemble(setEntry(th, "pool.query", "dtype", kRemove), td)
        << "tensor 'pool.query': missing or non-string 'dtype'";
    QTest::newRow("entry not an object")
        << assemble(QJsonObject{{"x", 3}}, {}) << "tensor 'x': header entry is not a JSON object";
    QTest::newRow("shape not a list")
        << assemble(setEntry(th, "pool.query", "shape", "3x8"), td) << "tensor 'pool.query': missing or non-array 'shape'";
    QTest::newRow("negative shape")
        << assemble(setEntry(th, "pool.query", "shape", QJsonArray{-3, -8}), td)
        << "tensor 'pool.query': shape entries must be non-negative integers";
    QTest::newRow("fractional shape")
        << assemble(setEntry(th, "pool.query", "shape", QJsonArray{3.5, 8}), td)
        << "tensor 'pool.query': shape entries must be non-negative integers";
    QTest::newRow("offsets not a pair")
        << assemble(setEntry(th, "pool.query", "data_offsets", QJsonArray{0}), td)
        << "tensor 'pool.query': missing 'data_offsets' or not a pair";
    QTest::newRow("negative offsets")
        << assemble(setEntry(th, "pool.query", "data_offsets", QJsonArray{-4, 92}), td)
        << "tensor 'pool.query': data_offsets must be non-negative integers";
    {
        const QJsonArray o = offsetsOf(th, "final_ln.bias");
        QTest::newRow("offsets reversed")
            << assemble(setEntry(th, "final_ln.bias", "data_offsets", QJsonArray{o.at(1), o.at(0)}), td)
            << "tensor 'final_ln.bias': data_offsets [" + QString::number(o.at(1).toInteger()) + ", "
                   + QString::number(o.at(0).toInteger()) + ") end before they begin";
    }
    {
        const qint64 size = td.size();
        QTest::newRow("bytes outside the data")
            << assemble(setEntry(th, "heads.2.bias", "data_offsets", QJsonArray{size, size + 8}), td)
            << "tensor 'heads.2.bias': bytes [" + QString::number(size) + ", " + QString::number(size + 8)
                   + ") lie outside the data (" + QString::number(size) + " bytes)";
        QTest::newRow("data cut short")
            << assemble(th, td.left(td.size() - 4)) << "tensor 'heads.2.bias': bytes";
    }
    QTest::newRow("shape disagrees with the byte count")
        << assemble(setEntry(th, "final_ln.bias", "shape", QJsonArray{9}), td)
        << "tensor 'final_ln.bias': shape [9] needs 36 bytes but data_offsets";
    QTest::newRow("shape product overflows")
        << assemble(setEntry(th, "final_ln.bias", "shape", QJsonArray{2147483647, 2147483647, 2147483647}), td)
        << "tensor 'final_ln.bias': shape [2147483647, 2147483647, 2147483647] needs more bytes";
    QTest::newRow("tensors overlap")
        << assemble(setEntry(th, "final_ln.bias", "data_offsets", offsetsOf(th, "final_ln.weight")), td)
        << "overlap";
    {
        // final_ln.bias left out of the header: its bytes belong to no tensor.
        QJsonObject h = th;
        h.remove("final_ln.bias");
        const QJsonArray o = offsetsOf(th, "final_ln.bias");
        QTest::newRow("gap in the data")
            << assemble(h, td) << "bytes [" + QString::number(o.at(0).toInteger()) + ", "
                                      + QString::number(o.at(1).toInteger())
                                      + ") of the data are not covered by any tensor (before tensor 'pool.key.weight')";
        QTest::newRow("bytes after the last tensor")
            << assemble(th, td + QByteArray(4, '\0'))
            << "bytes [" + QString::number(td.size()) + ", " + QString::number(td.size() + 4)
                   + ") of the data are not covered by any tensor (after the last one)";
        QJsonObject first = th;
        const QJsonArray o0 = offsetsOf(th, "embed.token");
        first.remove("embed.token");
        QTest::newRow("bytes before the first tensor")
            << assemble(first, td) << "bytes [0, " + QString::number(o0.at(1).toInteger())
                                          + ") of the data are not covered by any tensor";
    }

    // Metadata.
    QTest::newRow("no metadata")
        << assemble([&] { QJsonObject h = th; h.remove("__metadata__"); return h; }(), td)
        << "metadata has no 'format'";
    QTest::newRow("unknown format")
        << assemble(setMeta(th, "format", "attention-model/2"), td)
        << "unknown format 'attention-model/2' (expected 'attention-model/1')";
    QTest::newRow("no config") << assemble(setMeta(th, "config", kRemove), td) << "metadata has no 'config'";
    QTest::newRow("config not JSON")
        << assemble(setMeta(th, "config", "{dim: 8"), td) << "metadata 'config' is not a JSON object";
    QTest::newRow("config missing dim")
        << assemble(setConfig(th, "dim", kRemove), td) << "metadata 'config': 'dim' is missing";
    QTest::newRow("config dim a string")
        << assemble(setConfig(th, "dim", "8"), td) << "metadata 'config': 'dim' must be an integer";
    QTest::newRow("config dim huge")
        << assemble(setConfig(th, "dim", 1e12), td) << "metadata 'config': 'dim' must be an integer from 0 to";
    QTest::newRow("config layers fractional")
        << assemble(setConfig(th, "layers", 1.5), td) << "metadata 'config': 'layers' must be an integer";
    QTest::newRow("config bad mode")
        << assemble(setConfig(th, "mode", "mixed"), td)
        << "metadata 'config': 'mode' must be \"task\", \"shared\", \"gated\" or \"uniform\"";
    QTest::newRow("config rationale_weight a string")
        << assemble(setConfig(th, "rationale_weight", "1"), td)
        << "metadata 'config': 'rationale_weight' must be a number from 0 up";
    QTest::newRow("config rationale_weight negative")
        << assemble(setConfig(th, "rationale_weight", -0.5), td)
        << "metadata 'config': 'rationale_weight' must be a number from 0 up";
    QTest::newRow("config bad input")
        << assemble(setConfig(th, "input", "image"), td)
        << "metadata 'config': 'input' must be \"text\" or \"tabular\"";
    QTest::newRow("config text without max_len")
        << assemble(setConfig(th, "max_len", kRemove), td) << "metadata 'config': 'max_len' is missing";
    QTest::newRow("config invalid (dim not a multiple of heads)")
        << assemble(setConfig(th, "heads", 3), td) << "metadata 'config': width 8 is not a multiple of heads 3";
    QTest::newRow("config zero heads")
        << assemble(setConfig(th, "heads", 0), td) << "metadata 'config': heads must be at least 1";
    QTest::newRow("no tasks") << assemble(setMeta(th, "tasks", kRemove), td) << "metadata has no 'tasks'";
    QTest::newRow("tasks not a list")
        << assemble(setMeta(th, "tasks", "{\"name\":\"a\"}"), td) << "metadata 'tasks' is not a non-empty JSON list";
    QTest::newRow("tasks empty")
        << assemble(setMeta(th, "tasks", "[]"), td) << "metadata 'tasks' is not a non-empty JSON list";
    QTest::newRow("task without name")
        << assemble(setMeta(th, "tasks", "[{\"classes\":[\"a\"]}]"), td)
        << "metadata 'tasks': task 0 is not an object with a string 'name'";
    QTest::newRow("task without classes")
        << assemble(setMeta(th, "tasks", "[{\"name\":\"a\",\"classes\":[\"x\",\"y\"]},{\"name\":\"b\"}]"), td)
        << "metadata 'tasks': task 1 ('b'): 'classes' is not a non-empty list";
    QTest::newRow("class not a string")
        << assemble(setMeta(th, "tasks", "[{\"name\":\"a\",\"classes\":[\"x\",2]}]"), td)
        << "metadata 'tasks': task 0 ('a'): a class name is not a string";
    QTest::newRow("duplicate task")
        << assemble(setMeta(th, "tasks", "[{\"name\":\"a\",\"classes\":[\"x\"]},{\"name\":\"a\",\"classes\":[\"y\"]}]"), td)
        << "metadata 'tasks': task 1: the name 'a' appears twice";
    QTest::newRow("duplicate class")
        << assemble(setMeta(th, "tasks", "[{\"name\":\"a\",\"classes\":[\"x\",\"x\"]}]"), td)
        << "metadata 'tasks': task 0 ('a'): the class 'x' appears twice";
    QTest::newRow("no vocab") << assemble(setMeta(th, "vocab", kRemove), td) << "metadata has no 'vocab'";
    QTest::newRow("vocab not a list")
        << assemble(setMeta(th, "vocab", "\"<pad>\""), td) << "metadata 'vocab' is not a JSON list";
    QTest::newRow("vocab entry not a string")
        << assemble(setMeta(th, "vocab", "[\"<pad>\",\"<unk>\",\"a\",4]"), td)
        << "metadata 'vocab': entry 3 is not a string";
    QTest::newRow("vocab too small")
        << assemble(setMeta(th, "vocab", "[\"<pad>\"]"), td)
        << "metadata 'config': the vocabulary must hold at least <pad> and <unk>";
    QTest::newRow("no features")
        << assemble(setMeta(gh, "features", kRemove), gd) << "metadata has no 'features'";
    {
        // Ids 0 and 1 are the specials, and a token twice would give two ids one meaning.
        const QJsonArray vocab = QJsonDocument::fromJson(metadataOf(text).value("vocab").toString().toUtf8()).array();
        auto withVocab = [&](QJsonArray v) {
            return assemble(setMeta(th, "vocab", QString::fromUtf8(QJsonDocument(v).toJson(QJsonDocument::Compact))), td);
        };
        QJsonArray swapped = vocab;
        swapped[0] = "<unk>";
        swapped[1] = "<pad>";
        QTest::newRow("vocab with the specials swapped")
            << withVocab(swapped) << "metadata 'vocab' must begin with \"<pad>\", \"<unk>\" (it begins with [\"<unk>\",\"<pad>\"])";
        QJsonArray noPad = vocab;
        noPad[0] = "a";
        QTest::newRow("vocab without <pad>") << withVocab(noPad) << "metadata 'vocab' must begin with";
        QJsonArray twice = vocab;
        twice[7] = "good";
        QTest::newRow("vocab with a token twice")
            << withVocab(twice) << "metadata 'vocab': the token 'good' appears twice (entries 4 and 7)";
        QJsonArray specialTwice = vocab;
        specialTwice[9] = "<pad>";
        QTest::newRow("vocab with <pad> twice")
            << withVocab(specialTwice) << "metadata 'vocab': the token '<pad>' appears twice (entries 0 and 9)";
        QTest::newRow("feature twice")
            << assemble(setMeta(gh, "features", "[\"age\",\"income\",\"age\",\"x\"]"), gd)
            << "metadata 'features': the feature 'age' appears twice (entries 0 and 2)";
    }
    QTest::newRow("config too large")
        << assemble(setConfig(setConfig(th, "dim", 1048576), "heads", 1), td)
        << "metadata 'config': the sizes are too large";

    // The tensors against the configuration.
    {
        auto tensors = tensorsOf(gated);
        tensors.erase("pool.gate");
        QTest::newRow("missing tensor") << build(metadataOf(gated), tensors) << "tensor 'pool.gate' is missing";
        tensors = tensorsOf(gated);
        tensors.erase("input.std");
        QTest::newRow("missing statistics") << build(metadataOf(gated), tensors) << "tensor 'input.std' is missing";
        tensors = tensorsOf(text);
        tensors.erase("encoder.0.ffn.down.bias");
        QTest::newRow("missing layer tensor")
            << build(metadataOf(text), tensors) << "tensor 'encoder.0.ffn.down.bias' is missing";
        // A checkpoint of another mode: shared has no pool.gate.
        QJsonObject meta = metadataOf(gated);
        QJsonObject config = QJsonDocument::fromJson(meta.value("config").toString().toUtf8()).object();
        config.insert("mode", "task");
        meta.insert("config", QString::fromUtf8(QJsonDocument(config).toJson(QJsonDocument::Compact)));
        QTest::newRow("tensor of another mode")
            << build(meta, tensorsOf(gated)) << "unknown tensor 'pool.gate' (not part of a tabular model in 'task' mode";
        // uniform mode has no pool tensors at all
        config.insert("mode", "uniform");
        meta.insert("config", QString::fromUtf8(QJsonDocument(config).toJson(QJsonDocument::Compact)));
        QTest::newRow("pool tensor in uniform mode")
            << build(meta, tensorsOf(gated))
            << "(not part of a tabular model in 'uniform' mode";
    }
    {
        // [3, 8] stored as [8, 3]: the same bytes, the wrong shape.
        auto tensors = tensorsOf(text);
        tensors["pool.query"].first = QJsonArray{8, 3};
        QTest::newRow("misshaped tensor")
            << build(metadataOf(text), tensors) << "tensor 'pool.query' has shape [8, 3], expected [3, 8]";
        tensors = tensorsOf(text);
        tensors["heads.1.bias"] = {QJsonArray{2}, QByteArray(8, '\0')};
        QTest::newRow("head with the wrong class count")
            << build(metadataOf(text), tensors) << "tensor 'heads.1.bias' has shape [2], expected [3]";
        tensors = tensorsOf(text);
        tensors["embed.token"].first = QJsonArray{12, 4, 2};
        QTest::newRow("misshaped tensor, other rank")
            << build(metadataOf(text), tensors) << "tensor 'embed.token' has shape [12, 4, 2], expected [12, 8]";
        tensors = tensorsOf(text);
        tensors["extra.weight"] = {QJsonArray{1}, QByteArray(4, '\0')};
        QTest::newRow("unknown tensor") << build(metadataOf(text), tensors) << "unknown tensor 'extra.weight'";
        tensors = tensorsOf(text);
        tensors["input.mean"] = {QJsonArray{1}, QByteArray(4, '\0')};
        QTest::newRow("statistics in a text model") << build(metadataOf(text), tensors) << "unknown tensor 'input.mean'";
        // A layer more in the config than in the file.
        QTest::newRow("config with more layers")
            << assemble(setConfig(th, "layers", 2), td) << "tensor 'encoder.1.ln1.weight' is missing";
        QTest::newRow("config with a huge layer count")
            << assemble(setConfig(th, "layers", 4096), td) << "tensor 'encoder.1.ln1.weight' is missing";
        QTest::newRow("config with another width")
            << assemble(setConfig(th, "dim", 16), td) << "tensor 'embed.token' has shape [12, 8], expected [12, 16]";
    }
    {
        auto tensors = tensorsOf(gated);
        QByteArray std = tensors["input.std"].second;
        const float negative = -2.0f;
        std::memcpy(std.data() + 4, &negative, 4);
        tensors["input.std"].second = std;
        QTest::newRow("negative input.std")
            << build(metadataOf(gated), tensors) << "tensor 'input.std': value 1 (-2.000000) is not a positive finite number";
        tensors = tensorsOf(gated);
        QByteArray mean = tensors["input.mean"].second;
        const uint32_t nan = 0x7fc00000;
        std::memcpy(mean.data(), &nan, 4);
        tensors["input.mean"].second = mean;
        QTest::newRow("NaN input.mean")
            << build(metadataOf(gated), tensors) << "tensor 'input.mean': value 0 is not a finite number";
        // A NaN or infinite weight anywhere: refused, naming the tensor and the index.
        const auto poisoned = [](const std::string &bytes, const std::string &tensor, int index, float value) {
            auto all = tensorsOf(bytes);
            std::memcpy(all[tensor].second.data() + 4 * index, &value, 4);
            return build(metadataOf(bytes), all);
        };
        QTest::newRow("NaN weight")
            << poisoned(text, "encoder.0.attn.q.weight", 17, std::numeric_limits<float>::quiet_NaN())
            << "tensor 'encoder.0.attn.q.weight': value 17 is not a finite number (nan)";
        QTest::newRow("infinite bias")
            << poisoned(text, "heads.1.bias", 2, std::numeric_limits<float>::infinity())
            << "tensor 'heads.1.bias': value 2 is not a finite number (inf)";
        QTest::newRow("-inf embedding")
            << poisoned(gated, "embed.feature_scale", 0, -std::numeric_limits<float>::infinity())
            << "tensor 'embed.feature_scale': value 0 is not a finite number (-inf)";
    }
}

void TestCheckpoint::refusals()
{
    QFETCH(std::string, bytes);
    QFETCH(QString, message);
    Model model;
    std::string error;
    QVERIFY(!parseCheckpoint(bytes, "bad.safetensors", &model, &error));
    qInfo("%s", error.c_str());
    const QString got = QString::fromStdString(error);
    QVERIFY2(got.startsWith("bad.safetensors: "), error.c_str());
    QVERIFY2(got.contains(message), qPrintable("expected \"" + message + "\" in \"" + got + "\""));
    QVERIFY(model.params.empty() && model.tasks.empty());
}

void TestCheckpoint::loadMissingFile()
{
    QTemporaryDir dir;
    Model model;
    std::string error;
    const std::string path = dir.filePath("nothing-here.safetensors").toStdString();
    QVERIFY(!loadCheckpoint(path, &model, &error));
    QVERIFY2(QString::fromStdString(error).startsWith(QString::fromStdString(path) + ": cannot open"), error.c_str());
    QVERIFY(!loadCheckpoint(dir.path().toStdString(), &model, &error));
    QVERIFY2(QString::fromStdString(error).contains("is a directory"), error.c_str());
    // A broken file on disk: the message names the file.
    const QString bad = dir.filePath("bad.safetensors");
    QVERIFY(spit(bad, "short"));
    QVERIFY(!loadCheckpoint(bad.toStdString(), &model, &error));
    QCOMPARE(QString::fromStdString(error),
             bad + ": file is shorter than 8 bytes (5), so it has no safetensors header length");
}

// A device or FIFO could be endless (/dev/zero) or block for ever: refused
// before it is opened, links followed.
void TestCheckpoint::loadRefusesWhatIsNotARegularFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Model model;
    std::string error;
    const QString device = dir.filePath("device"), link = dir.filePath("link.safetensors");
    const bool root = makeNullDevice(device);
    if (root) {
        QVERIFY(QFile::link(device, link));
        QVERIFY(!loadCheckpoint(device.toStdString(), &model, &error));
        QCOMPARE(QString::fromStdString(error), device + ": is a character device, not a regular file");
        QVERIFY(!loadCheckpoint(link.toStdString(), &model, &error));
        QCOMPARE(QString::fromStdString(error), link + ": links to " + device + ", a character device, not a regular file");
    }
    const QString fifo = dir.filePath("fifo.safetensors");
    QVERIFY(makeFifo(fifo));
    QVERIFY(!loadCheckpoint(fifo.toStdString(), &model, &error));
    QCOMPARE(QString::fromStdString(error), fifo + ": is a FIFO (named pipe), not a regular file");
    TensorFile file;
    QVERIFY(!readSafetensors(fifo.toStdString(), &file, &error));
    QVERIFY2(QString::fromStdString(error).contains("FIFO"), error.c_str());
    QVERIFY(model.params.empty());
    if (!root) QSKIP("mknod needs root: the device cases did not run");
}

// The header length is checked against the file's size and the 100 MB cap
// from the first 8 bytes: a large file with an impossible one is not read
// (sparse files, so the test takes no disk space).
void TestCheckpoint::loadChecksTheHeaderLengthBeforeReading()
{
    QFile io(QStringLiteral("/proc/self/io"));
    if (!io.open(QIODevice::ReadOnly)) QSKIP("no /proc/self/io to count the bytes read");
    io.close();
    const auto bytesRead = [] {
        QFile f(QStringLiteral("/proc/self/io"));
        if (!f.open(QIODevice::ReadOnly)) return qint64(-1);
        const QByteArray line = f.readLine();  // "rchar: N"
        return line.mid(line.indexOf(':') + 1).trimmed().toLongLong();
    };
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    struct Case {
        const char *name;
        uint64_t header;
        qint64 size;
        QString message;
    };
    const qint64 mb = 1 << 20;
    const Case cases[] = {
        {"beyond.safetensors", uint64_t(1) << 40, 64 * mb,
         "header length 1099511627776 goes beyond the end of the file (" + QString::number(64 * mb - 8) + " bytes"},
        {"huge.safetensors", 150'000'000, 160 * mb, "header length 150000000 exceeds the limit of 100000000 bytes"},
    };
    for (const Case &c : cases) {
        const QString path = dir.filePath(c.name);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.write(QByteArray::fromStdString(withLength(c.header, {}))) == 8);
        QVERIFY(f.resize(c.size));
        f.close();
        Model model;
        std::string error;
        const qint64 before = bytesRead();
        QVERIFY(!loadCheckpoint(path.toStdString(), &model, &error));
        const qint64 read = bytesRead() - before;
        QVERIFY2(QString::fromStdString(error).startsWith(path + ": " + c.message), error.c_str());
        QVERIFY2(read < mb, qPrintable(QStringLiteral("%1 bytes read").arg(read)));
    }
}

void TestCheckpoint::failedLoadLeavesModelUntouched()
{
    const Model before = makeModel(InputKind::Tabular, AttentionMode::Shared, 2, 7);
    Model model = before;
    const std::string text = serializeCheckpoint(makeModel(InputKind::Text, AttentionMode::Task, 1));
    auto tensors = tensorsOf(text);
    tensors["pool.query"].first = QJsonArray{8, 3};
    const std::string broken[] = {
        std::string("x"),
        assemble(setMeta(headerOf(text), "format", "other"), dataOf(text)),
        build(metadataOf(text), tensors),                      // fails after metadata and layout are read
        text.substr(0, text.size() - 1),
    };
    for (const std::string &bytes : broken) {
        std::string error;
        QVERIFY(!parseCheckpoint(bytes, "x", &model, &error));
        QVERIFY(!error.empty());
        QVERIFY(sameModel(model, before));
    }
    // Through a file as well.
    QTemporaryDir dir;
    const QString path = dir.filePath("broken.safetensors");
    QVERIFY(spit(path, broken[2]));
    std::string error;
    QVERIFY(!loadCheckpoint(path.toStdString(), &model, &error));
    QVERIFY(sameModel(model, before));
}

void TestCheckpoint::saveOverwritesAtomically()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("m.safetensors").toStdString();
    const Model a = makeModel(InputKind::Text, AttentionMode::Gated, 2, 1);
    const Model b = makeModel(InputKind::Tabular, AttentionMode::Task, 0, 2);
    std::string error;
    QVERIFY2(saveCheckpoint(a, path, &error), error.c_str());
    QVERIFY2(saveCheckpoint(b, path, &error), error.c_str());
    Model loaded;
    QVERIFY2(loadCheckpoint(path, &loaded, &error), error.c_str());
    QVERIFY(sameModel(loaded, b));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{"m.safetensors"});
}

// A save that fails leaves the old file as it was and no temporary file behind.
void TestCheckpoint::saveFailureKeepsOldFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("m.safetensors");
    const std::string old = "old content, not a checkpoint";
    QVERIFY(spit(path, old));
    const Model model = makeModel(InputKind::Text, AttentionMode::Task, 1);
    std::string error;

    // 1. The write itself fails: a file size limit (works for root too).
    {
        struct rlimit saved;
        QVERIFY(getrlimit(RLIMIT_FSIZE, &saved) == 0);
        struct rlimit small = saved;
        small.rlim_cur = 64;
        const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
        QVERIFY(setrlimit(RLIMIT_FSIZE, &small) == 0);
        const bool saved_ok = saveCheckpoint(model, path.toStdString(), &error);
        setrlimit(RLIMIT_FSIZE, &saved);
        std::signal(SIGXFSZ, oldHandler);
        QVERIFY(!saved_ok);
        qInfo("write failure: %s", error.c_str());
        QVERIFY2(QString::fromStdString(error).startsWith(path + ": cannot write"), error.c_str());
        QVERIFY(slurp(path) == old);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{"m.safetensors"});
    }
    // 2. The directory is not writable (root may write anyway: then nothing to check).
    if (geteuid() != 0) {
        QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner));
        const bool saved_ok = saveCheckpoint(model, path.toStdString(), &error);
        QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QVERIFY(!saved_ok);
        QVERIFY2(QString::fromStdString(error).startsWith(path + ": cannot write"), error.c_str());
        QVERIFY(slurp(path) == old);
    }
    // 3. The directory does not exist.
    const std::string nowhere = dir.filePath("no/such/dir/m.safetensors").toStdString();
    QVERIFY(!saveCheckpoint(model, nowhere, &error));
    QVERIFY2(QString::fromStdString(error).startsWith(QString::fromStdString(nowhere) + ": cannot write"),
             error.c_str());
}

// As root, saving to /dev/null used to rename a regular file over it. A
// device or FIFO (or a link to one) is refused and stays what it was.
void TestCheckpoint::saveNeverReplacesADeviceOrFifo()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Model model = makeModel(InputKind::Text, AttentionMode::Task, 1);
    const QString fifo = dir.filePath("fifo.safetensors"), link = dir.filePath("link.safetensors");
    QVERIFY(makeFifo(fifo));
    std::string error;
    QVERIFY(!saveCheckpoint(model, fifo.toStdString(), &error));
    QVERIFY2(QString::fromStdString(error).startsWith(fifo + ": is a FIFO (named pipe), not a regular file"), error.c_str());
    QCOMPARE(fileType(fifo), unsigned(S_IFIFO));
    const QString device = dir.filePath("device");
    if (!makeNullDevice(device)) QSKIP("mknod needs root");
    QVERIFY(QFile::link(device, link));
    for (const QString &target : {device, link}) {
        QVERIFY(!saveCheckpoint(model, target.toStdString(), &error));
        QVERIFY2(QString::fromStdString(error).contains("a character device, not a regular file"), error.c_str());
    }
    QCOMPARE(fileType(device), unsigned(S_IFCHR));
    QCOMPARE(fileType(link), unsigned(S_IFLNK));
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot),
             (QStringList{"device", "fifo.safetensors", "link.safetensors"}));
}

// A crash between linking the temporary and renaming it leaves the temporary
// behind; the next save of the same target removes it, and only it.
void TestCheckpoint::saveRemovesStaleTemporaries()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("m.safetensors");
    const Model model = makeModel(InputKind::Text, AttentionMode::Task, 1);
    const std::string bytes = serializeCheckpoint(model);
    const QString stale = dir.filePath(".m.safetensors.attnscope-tmp-x7Q2pA");
    QVERIFY(isTemporaryFileOf(".m.safetensors.attnscope-tmp-x7Q2pA", "m.safetensors"));
    const QStringList others{"m.safetensors.backup", "m.safetensors.JUtZMT", ".n.safetensors.attnscope-tmp-x7Q2pA"};
    QVERIFY(spit(stale, bytes));
    for (const QString &name : others) QVERIFY(spit(dir.filePath(name), bytes));
    std::string error;
    QVERIFY2(saveCheckpoint(model, path.toStdString(), &error), error.c_str());
    QVERIFY(!QFile::exists(stale));
    QStringList left = QDir(dir.path()).entryList(QDir::Files | QDir::Hidden);
    left.sort();
    QCOMPARE(left, (QStringList{".n.safetensors.attnscope-tmp-x7Q2pA", "m.safetensors", "m.safetensors.JUtZMT",
                                "m.safetensors.backup"}));
    for (const QString &name : others) QVERIFY(slurp(dir.filePath(name)) == bytes);
}

void TestCheckpoint::saveRefusesInconsistentModel()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("m.safetensors").toStdString();
    std::string error;
    Model m = makeModel(InputKind::Text, AttentionMode::Task, 1);
    m.params.pop_back();
    QVERIFY(!saveCheckpoint(m, path, &error));
    QVERIFY2(QString::fromStdString(error).contains("parameters"), error.c_str());
    QVERIFY(serializeCheckpoint(m).empty());
    m = makeModel(InputKind::Text, AttentionMode::Task, 1);
    m.vocab.pop_back();
    QVERIFY(!saveCheckpoint(m, path, &error));
    QVERIFY2(QString::fromStdString(error).contains("vocabulary"), error.c_str());
    m = makeModel(InputKind::Tabular, AttentionMode::Task, 1);
    m.inputStd.clear();
    QVERIFY(!saveCheckpoint(m, path, &error));
    QVERIFY2(QString::fromStdString(error).contains("input.mean/input.std"), error.c_str());
    QVERIFY(!QFile::exists(QString::fromStdString(path)));
}

// Random damage (bit flips, truncation, overwritten header bytes) is refused
// or read, never a crash; whatever is read is a consistent model.
void TestCheckpoint::mangledFilesNeverCrash()
{
    const std::string originals[] = {
        serializeCheckpoint(makeModel(InputKind::Text, AttentionMode::Gated, 1)),
        serializeCheckpoint(makeModel(InputKind::Tabular, AttentionMode::Shared, 2)),
    };
    std::mt19937 rng(42);
    int refused = 0, read = 0;
    for (const std::string &original : originals) {
        const size_t headerEnd = 8 + headerLength(original);
        for (int trial = 0; trial < 1500; ++trial) {
            std::string bytes = original;
            switch (trial % 5) {
            case 0: // flip a bit in the header
                bytes[rng() % headerEnd] ^= char(1 << (rng() % 8));
                break;
            case 1: // overwrite a header byte with a JSON-significant character
                bytes[8 + rng() % (headerEnd - 8)] = "{}[]\",:0123456789-.e \\"[rng() % 22];
                break;
            case 2: // truncate
                bytes.resize(rng() % bytes.size());
                break;
            case 3: // flip a bit in the length
                bytes[rng() % 8] ^= char(1 << (rng() % 8));
                break;
            default: // a few bytes anywhere
                for (int k = 0; k < 4; ++k) bytes[rng() % bytes.size()] = char(rng());
                break;
            }
            Model model;
            std::string error;
            if (parseCheckpoint(bytes, "fuzz", &model, &error)) {
                ++read;
                QCOMPARE(model.params.size(), model.layout.totalSize());
                QVERIFY(model.config.validate().empty());
            } else {
                ++refused;
                QVERIFY(QString::fromStdString(error).startsWith("fuzz: "));
            }
        }
    }
    qInfo("mangled files: %d refused, %d read", refused, read);
    QVERIFY(refused > 0);
}

void TestCheckpoint::genericReader()
{
    const Model m = makeModel(InputKind::Tabular, AttentionMode::Gated, 1);
    const std::string bytes = serializeCheckpoint(m);
    TensorFile file;
    std::string error;
    QVERIFY2(parseSafetensors(bytes, "g", &file, &error), error.c_str());
    QCOMPARE(file.tensors.size(), m.layout.tensors().size() + 2);
    for (const TensorSpec &t : m.layout.tensors()) {
        QCOMPARE(file.shapes[t.name], t.shape);
        const std::vector<float> expected(m.params.begin() + ptrdiff_t(t.offset),
                                          m.params.begin() + ptrdiff_t(t.offset + t.size));
        QVERIFY(sameBits(file.tensors[t.name], expected));
    }
    QVERIFY(sameBits(file.tensors["input.std"], m.inputStd));
    QCOMPARE(file.metadata["format"], std::string("attention-model/1"));
    // Any tensor names and a scalar, in any order, are fine for the generic reader;
    // a file without metadata too.
    std::map<std::string, std::pair<QJsonArray, QByteArray>> tensors;
    const float one = 1.5f, two[2] = {2.0f, -3.0f};
    tensors["z.scalar"] = {QJsonArray{}, QByteArray(reinterpret_cast<const char *>(&one), 4)};
    tensors["a.pair"] = {QJsonArray{2}, QByteArray(reinterpret_cast<const char *>(two), 8)};
    tensors["m.empty"] = {QJsonArray{0, 3}, QByteArray()};
    QVERIFY2(parseSafetensors(build(QJsonObject{{"k", "v"}}, tensors), "g", &file, &error), error.c_str());
    QCOMPARE(file.tensors["z.scalar"], std::vector<float>{1.5f});
    QCOMPARE(file.shapes["z.scalar"], std::vector<int>{});
    QCOMPARE(file.tensors["a.pair"], (std::vector<float>{2.0f, -3.0f}));
    QCOMPARE(file.shapes["m.empty"], (std::vector<int>{0, 3}));
    QCOMPARE(file.metadata["k"], std::string("v"));
    QVERIFY2(parseSafetensors(withLength(8, "{}      "), "g", &file, &error), error.c_str());
    QVERIFY(file.tensors.empty() && file.metadata.empty());
    QVERIFY(!readSafetensors("/nonexistent/x.safetensors", &file, &error));
    QVERIFY2(QString::fromStdString(error).startsWith("/nonexistent/x.safetensors: cannot open"), error.c_str());
}

// MODEL.md 2: a feature whose standard deviation is 0 gets std 1. A checkpoint
// that carries the 0 (another implementation may apply the rule where it
// standardises, not in what it stores) is read with std 1, not refused; -0 too.
void TestCheckpoint::zeroInputStdReadsAsOne()
{
    const std::string gated = serializeCheckpoint(makeModel(InputKind::Tabular, AttentionMode::Gated, 1));
    auto tensors = tensorsOf(gated);
    QByteArray std = tensors["input.std"].second;
    const float zero = 0.0f, negativeZero = -0.0f;
    std::memcpy(std.data() + 4, &zero, 4);
    std::memcpy(std.data(), &negativeZero, 4);
    tensors["input.std"].second = std;
    Model model;
    std::string error;
    QVERIFY2(parseCheckpoint(build(metadataOf(gated), tensors), "zero.safetensors", &model, &error), error.c_str());
    QCOMPARE(model.inputStd.at(0), 1.0f);
    QCOMPARE(model.inputStd.at(1), 1.0f);
    Model original;
    QVERIFY(parseCheckpoint(gated, "gated.safetensors", &original, &error));
    for (size_t j = 2; j < model.inputStd.size(); ++j) QCOMPARE(model.inputStd[j], original.inputStd[j]);
}

QTEST_GUILESS_MAIN(TestCheckpoint)
#include "test_checkpoint.moc"
