#include "sessionfile.h"

#include "fileutil.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <sqlite3.h>

#include <atomic>
#include <charconv>
#include <cmath>
#include <cstring>

namespace attnscope {

namespace {

// The schema of version 1 (docs/session.md describes each column). Curves
// hold one row per step and per evaluation, the per-task values as JSON
// arrays in task order (null: no label in the batch); floats are stored as
// REAL (float32 values exactly).
const char *const Schema[] = {
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " parent INTEGER REFERENCES runs(id) ON DELETE SET NULL, fork_step INTEGER NOT NULL DEFAULT 0,"
    " dataset TEXT NOT NULL, mode TEXT NOT NULL, layers INTEGER NOT NULL, lr REAL NOT NULL,"
    " seed INTEGER NOT NULL, settings TEXT NOT NULL, tasks TEXT NOT NULL, created TEXT NOT NULL,"
    " hidden INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE steps (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " step INTEGER NOT NULL, epoch REAL, lr REAL, loss REAL, grad_norm REAL, task_loss TEXT NOT NULL,"
    " PRIMARY KEY (run, step)) WITHOUT ROWID",
    "CREATE TABLE evals (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " step INTEGER NOT NULL, epoch REAL, loss REAL, task_loss TEXT NOT NULL, task_accuracy TEXT NOT NULL,"
    " task_macro_f1 TEXT NOT NULL,"
    " PRIMARY KEY (run, step)) WITHOUT ROWID",
    "CREATE TABLE events (id INTEGER PRIMARY KEY, run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " step INTEGER NOT NULL, epoch REAL, kind TEXT NOT NULL, what TEXT NOT NULL)",
    "CREATE INDEX events_run ON events (run, step)",
    "CREATE TABLE checkpoints (id INTEGER PRIMARY KEY, run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " step INTEGER NOT NULL, kind TEXT NOT NULL, weights BLOB NOT NULL, trainer TEXT NOT NULL,"
    " optimizer_m BLOB, optimizer_v BLOB, optimizer_rows BLOB)",
    "CREATE INDEX checkpoints_run ON checkpoints (run, step)",
    "CREATE TABLE timeline (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " step INTEGER NOT NULL, snapshot TEXT NOT NULL, PRIMARY KEY (run, step)) WITHOUT ROWID",
    "CREATE TABLE probes (run INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,"
    " indices TEXT NOT NULL, pinned TEXT NOT NULL, focus INTEGER NOT NULL)",
    "CREATE TABLE layout (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
};

QString connectionName()
{
    static std::atomic<int> next{0};
    return QStringLiteral("attnscope-session-%1").arg(next.fetch_add(1));
}

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

// Floats as JSON numbers; NaN (no value) as null.
template <class Float>
QJsonArray numbers(const std::vector<Float> &values)
{
    QJsonArray array;
    for (Float v : values)
        array.append(std::isfinite(double(v)) ? QJsonValue(double(v)) : QJsonValue());
    return array;
}

// A JSON array of numbers and nulls as the curves' columns hold it
// ("[0.25,null,1e-05]"), read without building a QJsonDocument: the curves
// of a long run are hundreds of thousands of these, and a document each
// was most of the time Open session took (docs/session.md, "Opening a
// large session"). False when the text is anything else (then the caller
// reads it as JSON: a file edited by hand may hold what this does not).
template <class Float>
bool readNumberArray(std::string_view text, std::vector<Float> *out)
{
    const char *p = text.data(), *end = p + text.size();
    const auto space = [&] {
        while (p != end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            ++p;
    };
    const auto last = [&] {  // after the closing bracket: nothing but white space
        ++p;
        space();
        return p == end;
    };
    out->clear();
    space();
    if (p == end || *p++ != '[')
        return false;
    space();
    if (p != end && *p == ']')
        return last();
    for (;;) {
        space();
        if (end - p >= 4 && std::memcmp(p, "null", 4) == 0) {
            out->push_back(Float(NAN));
            p += 4;
        } else {
            // JSON's numbers are from_chars' (no '+', no "inf", no hexadecimal)
            double v = 0;
            const auto r = std::from_chars(p, end, v);
            if (r.ec != std::errc() || r.ptr == p || !std::isfinite(v))
                return false;
            out->push_back(Float(v));
            p = r.ptr;
        }
        space();
        if (p == end)
            return false;
        if (*p == ']')
            return last();
        if (*p++ != ',')
            return false;
    }
}

template <class Float>
std::vector<Float> fromNumbers(const QJsonValue &value)
{
    std::vector<Float> out;
    for (const QJsonValue &v : value.toArray())
        out.push_back(v.isDouble() ? Float(v.toDouble()) : Float(NAN));
    return out;
}

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

template <class Int>
QJsonArray integers(const std::vector<Int> &values)
{
    QJsonArray array;
    for (Int v : values)
        array.append(qint64(v));
    return array;
}

template <class Int>
std::vector<Int> fromIntegers(const QJsonValue &value)
{
    std::vector<Int> out;
    for (const QJsonValue &v : value.toArray())
        out.push_back(Int(v.toInteger()));
    return out;
}

// A real that SQLite keeps: NaN would become NULL anyway, said so here.
QVariant real(double v)
{
    return std::isfinite(v) ? QVariant(v) : QVariant();
}

// A curve column's per-task values (a JSON array of numbers, null: none).
template <class Float>
std::vector<Float> numbersOf(sqlite3_stmt *statement, int column)
{
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(statement, column));
    const std::string_view view(text ? text : "", size_t(sqlite3_column_bytes(statement, column)));
    std::vector<Float> out;
    if (readNumberArray(view, &out))
        return out;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(view.data(), qsizetype(view.size())), &error);
    return fromNumbers<Float>(doc.array());
}

double columnReal(sqlite3_stmt *statement, int column)
{
    return sqlite3_column_type(statement, column) == SQLITE_NULL ? NAN : sqlite3_column_double(statement, column);
}

// float32 arrays as little-endian bytes (the machines AttnScope builds for are little-endian).
QByteArray floatBytes(const std::vector<float> &values)
{
    return QByteArray(reinterpret_cast<const char *>(values.data()), qsizetype(values.size() * sizeof(float)));
}

bool fromFloatBytes(const QByteArray &bytes, std::vector<float> *out)
{
    if (bytes.size() % qsizetype(sizeof(float)) != 0)
        return false;
    out->resize(size_t(bytes.size()) / sizeof(float));
    if (!out->empty())
        std::memcpy(out->data(), bytes.constData(), size_t(bytes.size()));
    return true;
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

RunFigures runFigures(int64_t steps, const std::vector<EvalPoint> &evals)
{
    RunFigures figures;
    figures.steps = steps;
    if (evals.empty())
        return figures;
    figures.last = evals.back();
    for (const EvalPoint &e : evals)
        if (!figures.best || e.loss < figures.best->loss)
            figures.best = e;
    return figures;
}

// --- The header.

QString checkSqliteHeader(const QByteArray &head, qint64 fileSize, bool hasWal)
{
    static const char Magic[] = "SQLite format 3";  // and its terminating 0: 16 bytes
    if (head.size() < 100 || std::memcmp(head.constData(), Magic, sizeof Magic) != 0)
        return QStringLiteral("is not an SQLite database (a session file begins with \"SQLite format 3\")");
    const auto byte = [&](int i) { return quint32(quint8(head[i])); };
    const auto be32 = [&](int i) { return byte(i) << 24 | byte(i + 1) << 16 | byte(i + 2) << 8 | byte(i + 3); };
    const quint32 pageSize = byte(16) << 8 | byte(17);
    const qint64 page = pageSize == 1 ? 65536 : qint64(pageSize);
    if (page < 512 || (page & (page - 1)) != 0)
        return QStringLiteral("is a damaged SQLite database (page size %1)").arg(page);
    // The page count in the header is valid when the "version valid for"
    // number matches the change counter (SQLite 3.7.0 and later). A log
    // beside the file may hold pages it has not received yet (a crash
    // during a checkpoint): then SQLite itself decides.
    const quint32 pages = be32(28);
    if (!hasWal && pages > 0 && be32(92) == be32(24) && fileSize < qint64(pages) * page)
        return QStringLiteral("is truncated: its header counts %1 pages of %2 bytes (%3 bytes), the file has %4 bytes")
            .arg(pages).arg(page).arg(qint64(pages) * page).arg(fileSize);
    return {};
}

// --- SessionFile.

SessionFile::SessionFile() = default;

SessionFile::~SessionFile()
{
    close();
}

bool SessionFile::isOpen() const
{
    return !m_connection.isEmpty();
}

void SessionFile::close()
{
    if (m_connection.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
    m_connection.clear();
}

bool SessionFile::open(const QString &path, Mode mode, QString *error)
{
    close();
    m_path = path;
    m_error.clear();
    const auto fail = [&](const QString &why) {
        *error = m_error = path + QStringLiteral(": ") + why;
        close();
        return false;
    };
    if (path.isEmpty()) {
        *error = m_error = QStringLiteral("no session file named");
        return false;
    }
    // What is there, before SQLite touches it (it would create a missing file
    // or write its log beside a file that is not its own).
    if (const std::string problem = notRegularFile(path.toStdString()); !problem.empty()) {
        *error = m_error = QString::fromStdString(problem);
        return false;
    }
    const QFileInfo info(path);
    bool fresh = !info.exists() || info.size() == 0;
    if (fresh && mode == Mode::ReadOnly)
        return fail(info.exists() ? QStringLiteral("is empty, not a session") : QStringLiteral("no such file"));
    if (!fresh) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return fail(file.errorString());
        const QByteArray head = file.read(100);
        const QFileInfo wal(path + QStringLiteral("-wal"));
        if (const QString problem = checkSqliteHeader(head, info.size(), wal.exists() && wal.size() > 0); !problem.isEmpty())
            return fail(problem);
    }

    m_connection = connectionName();
    if (!connect(mode, &fresh) || (fresh && !createSchema())) {
        *error = m_error;
        close();
        return false;
    }
    return true;
}

// open()'s part with the connection (whose handles must be gone before close()).
bool SessionFile::connect(Mode mode, bool *fresh)
{
    const auto fail = [&](const QString &why) {
        m_error = m_path + QStringLiteral(": ") + why;
        return false;
    };
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    if (!db.isValid())
        return fail(QStringLiteral("Qt's SQLite driver (QSQLITE, Debian package libqt6sql6-sqlite) is not installed"));
    db.setDatabaseName(m_path);
    // A writer holds the lock for a commit only; wait for it rather than fail.
    QString options = QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000");
    if (mode == Mode::ReadOnly)
        options += QStringLiteral(";QSQLITE_OPEN_READONLY");
    db.setConnectOptions(options);
    if (!db.open())
        return fail(db.lastError().text());
    QSqlQuery(db).exec(QStringLiteral("PRAGMA foreign_keys=ON"));
    if (*fresh) {
        // Another writer may have made it meanwhile: check what is there now.
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("SELECT count(*) FROM sqlite_master")) || !q.next())
            return fail(q.lastError().text());
        *fresh = q.value(0).toInt() == 0;
    }
    // A file that is not a session is refused before anything is written to it.
    if (!*fresh && !checkSchema())
        return false;
    if (mode == Mode::ReadWrite) {
        // WAL: a commit is one append to the log, a crash loses at most the
        // transaction in flight, and readers (another window, Python) see the
        // last commit while the writer goes on. NORMAL syncs at checkpoints:
        // safe against a crash of the process, which is what a kill -9 is.
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !q.next())
            return fail(QStringLiteral("cannot be written: ") + q.lastError().text());
        if (q.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
            return fail(QStringLiteral("cannot keep a write-ahead log (journal mode '%1')").arg(q.value(0).toString()));
        q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
    }
    return true;
}

bool SessionFile::check(bool ok, const QSqlQuery &query, const char *doing)
{
    if (!ok)
        m_error = QStringLiteral("%1: %2: %3").arg(m_path, QString::fromLatin1(doing), query.lastError().text());
    return ok;
}

bool SessionFile::readRows(const char *sql, int64_t run, const char *doing, const std::function<void(sqlite3_stmt *)> &row)
{
    const auto fail = [&](const char *why) {
        m_error = QStringLiteral("%1: %2: %3").arg(m_path, QString::fromLatin1(doing), QString::fromUtf8(why));
        return false;
    };
    // The driver's own connection (QSqlDriver::handle(): Debian's QSQLITE
    // uses the system's libsqlite3, which this links too).
    const QVariant handle = QSqlDatabase::database(m_connection, false).driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return fail("the SQLite driver gives no connection handle");
    sqlite3 *db = *static_cast<sqlite3 *const *>(handle.constData());
    sqlite3_stmt *statement = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK)
        return fail(sqlite3_errmsg(db));
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt *)> finalize(statement, sqlite3_finalize);
    sqlite3_bind_int64(statement, 1, run);
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW)
        row(statement);
    return rc == SQLITE_DONE || fail(sqlite3_errmsg(db));
}

bool SessionFile::exec(const QString &sql, const char *doing)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    return check(q.exec(sql), q, doing);
}

bool SessionFile::createSchema()
{
    if (!exec(QStringLiteral("BEGIN IMMEDIATE"), "creating the session"))
        return false;
    for (const char *statement : Schema)
        if (!exec(QString::fromLatin1(statement), "creating the session")) {
            rollback();
            return false;
        }
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES (?, ?)"));
    const std::pair<const char *, QString> meta[] = {
        {"format", QString::fromLatin1(SessionFormat)},
        {"version", QString::number(SessionVersion)},
        {"created", QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
    };
    for (const auto &[key, value] : meta) {
        q.addBindValue(QString::fromLatin1(key));
        q.addBindValue(value);
        if (!check(q.exec(), q, "creating the session")) {
            rollback();
            return false;
        }
    }
    return commit();
}

bool SessionFile::checkSchema()
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    // A file SQLite cannot read ("file is not a database", "database disk
    // image is malformed") fails here, at its first page.
    if (!q.exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'")) || !q.next()) {
        m_error = QStringLiteral("%1: is not a readable SQLite database: %2").arg(m_path, q.lastError().text());
        return false;
    }
    if (q.value(0).toInt() == 0) {
        m_error = QStringLiteral("%1: is an SQLite database but not an AttnScope session (it has no table 'meta')").arg(m_path);
        return false;
    }
    QString format, version;
    if (!q.exec(QStringLiteral("SELECT key, value FROM meta WHERE key IN ('format', 'version')"))) {
        m_error = QStringLiteral("%1: is not a readable AttnScope session: %2").arg(m_path, q.lastError().text());
        return false;
    }
    while (q.next())
        (q.value(0).toString() == QLatin1String("format") ? format : version) = q.value(1).toString();
    if (format != QLatin1String(SessionFormat)) {
        m_error = QStringLiteral("%1: is an SQLite database but not an AttnScope session (its meta table says format '%2')")
                      .arg(m_path, format);
        return false;
    }
    if (version != QString::number(SessionVersion)) {
        m_error = QStringLiteral("%1: is a session of format version %2, written by another version of AttnScope; "
                                 "this one reads version %3")
                      .arg(m_path, version.isEmpty() ? QStringLiteral("(none)") : version)
                      .arg(SessionVersion);
        return false;
    }
    // Every table of the version, with its columns: a file that has the
    // meta rows but not the rest is no session either.
    for (const char *table : {"runs", "steps", "evals", "events", "checkpoints", "timeline", "probes", "layout"}) {
        if (!q.exec(QStringLiteral("SELECT * FROM %1 LIMIT 0").arg(QLatin1String(table)))) {
            m_error = QStringLiteral("%1: is not a whole AttnScope session (table '%2': %3)")
                          .arg(m_path, QLatin1String(table), q.lastError().text());
            return false;
        }
    }
    return true;
}

bool SessionFile::begin()
{
    return exec(QStringLiteral("BEGIN IMMEDIATE"), "starting a transaction");
}

bool SessionFile::commit()
{
    return exec(QStringLiteral("COMMIT"), "committing");
}

void SessionFile::rollback()
{
    QSqlQuery(QSqlDatabase::database(m_connection, false)).exec(QStringLiteral("ROLLBACK"));
}

// --- Writing.

int64_t SessionFile::addRun(RunRecord *run)
{
    if (run->created.isEmpty())
        run->created = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("INSERT INTO runs (name, parent, fork_step, dataset, mode, layers, lr, seed, settings,"
                             " tasks, created, hidden) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(run->name);
    q.addBindValue(run->parent > 0 ? QVariant(qint64(run->parent)) : QVariant());
    q.addBindValue(qint64(run->forkStep));
    q.addBindValue(run->dataset);
    q.addBindValue(QString::fromLatin1(toString(run->model.mode)));
    q.addBindValue(run->model.layers);
    q.addBindValue(double(run->train.optimizer.lr));
    q.addBindValue(qint64(run->train.seed));  // the bits of the seed; the settings have it exactly
    q.addBindValue(QString::fromUtf8(run->settingsJson()));
    QJsonArray tasks;
    for (const QString &task : run->tasks)
        tasks.append(task);
    q.addBindValue(QString::fromUtf8(compact(tasks)));
    q.addBindValue(run->created);
    q.addBindValue(run->hidden ? 1 : 0);
    if (!check(q.exec(), q, "adding a run"))
        return 0;
    run->id = q.lastInsertId().toLongLong();
    return run->id;
}

bool SessionFile::renameRun(int64_t run, const QString &name)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("UPDATE runs SET name = ? WHERE id = ?"));
    q.addBindValue(name);
    q.addBindValue(qint64(run));
    return check(q.exec(), q, "renaming a run");
}

bool SessionFile::setRunHidden(int64_t run, bool hidden)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("UPDATE runs SET hidden = ? WHERE id = ?"));
    q.addBindValue(hidden ? 1 : 0);
    q.addBindValue(qint64(run));
    return check(q.exec(), q, "hiding a run");
}

bool SessionFile::deleteRun(int64_t run)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("DELETE FROM runs WHERE id = ?"));  // the rest goes with it (ON DELETE CASCADE)
    q.addBindValue(qint64(run));
    return check(q.exec(), q, "deleting a run");
}

bool SessionFile::appendSteps(int64_t run, const std::vector<StepPoint> &steps)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO steps (run, step, epoch, lr, loss, grad_norm, task_loss)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?)"));
    for (const StepPoint &p : steps) {
        q.addBindValue(qint64(run));
        q.addBindValue(qint64(p.step));
        q.addBindValue(p.epoch);
        q.addBindValue(real(p.learningRate));
        q.addBindValue(real(p.loss));
        q.addBindValue(real(p.gradNorm));
        q.addBindValue(QString::fromUtf8(compact(numbers(p.taskLoss))));
        if (!check(q.exec(), q, "writing the curves"))
            return false;
    }
    return true;
}

bool SessionFile::appendEvals(int64_t run, const std::vector<EvalPoint> &evals)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO evals (run, step, epoch, loss, task_loss, task_accuracy,"
                             " task_macro_f1) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    for (const EvalPoint &p : evals) {
        q.addBindValue(qint64(run));
        q.addBindValue(qint64(p.step));
        q.addBindValue(p.epoch);
        q.addBindValue(real(p.loss));
        q.addBindValue(QString::fromUtf8(compact(numbers(p.taskLoss))));
        q.addBindValue(QString::fromUtf8(compact(numbers(p.taskAccuracy))));
        q.addBindValue(QString::fromUtf8(compact(numbers(p.taskMacroF1))));
        if (!check(q.exec(), q, "writing the evaluations"))
            return false;
    }
    return true;
}

bool SessionFile::appendEvent(int64_t run, const RunEvent &event)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("INSERT INTO events (run, step, epoch, kind, what) VALUES (?, ?, ?, ?, ?)"));
    q.addBindValue(qint64(run));
    q.addBindValue(qint64(event.step));
    q.addBindValue(event.epoch);
    q.addBindValue(event.kind);
    q.addBindValue(event.what.isNull() ? QStringLiteral("") : event.what);  // a null QString would be NULL
    return check(q.exec(), q, "writing an event");
}

bool SessionFile::putCheckpoint(const CheckpointRecord &c, int keep)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (c.kind == QLatin1String("last")) {
        q.prepare(QStringLiteral("DELETE FROM checkpoints WHERE run = ? AND kind = 'last'"));
        q.addBindValue(qint64(c.run));
        if (!check(q.exec(), q, "replacing the last checkpoint"))
            return false;
    }
    q.prepare(QStringLiteral("INSERT INTO checkpoints (run, step, kind, weights, trainer, optimizer_m, optimizer_v,"
                             " optimizer_rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(qint64(c.run));
    q.addBindValue(qint64(c.step));
    q.addBindValue(c.kind);
    q.addBindValue(c.weights);
    q.addBindValue(QString::fromUtf8(compact(trainerJson(c.trainer))));
    q.addBindValue(floatBytes(c.trainer.optimizer.m));
    q.addBindValue(floatBytes(c.trainer.optimizer.v));
    const std::vector<uint8_t> &rows = c.trainer.optimizer.rows;
    q.addBindValue(QByteArray(reinterpret_cast<const char *>(rows.data()), qsizetype(rows.size())));
    if (!check(q.exec(), q, "writing a checkpoint"))
        return false;
    if (c.kind != QLatin1String("kept"))
        return true;
    // Over the bound: every second kept one goes, the first and the newest stay.
    q.prepare(QStringLiteral("SELECT id FROM checkpoints WHERE run = ? AND kind = 'kept' ORDER BY step"));
    q.addBindValue(qint64(c.run));
    if (!check(q.exec(), q, "thinning the kept checkpoints"))
        return false;
    std::vector<qint64> ids;
    while (q.next())
        ids.push_back(q.value(0).toLongLong());
    if (int(ids.size()) <= std::max(1, keep))
        return true;
    QSqlQuery del(QSqlDatabase::database(m_connection, false));
    del.prepare(QStringLiteral("DELETE FROM checkpoints WHERE id = ?"));
    for (size_t i = 1; i + 1 < ids.size(); i += 2) {
        del.addBindValue(ids[i]);
        if (!check(del.exec(), del, "thinning the kept checkpoints"))
            return false;
    }
    return true;
}

bool SessionFile::putTimeline(int64_t run, const AttentionSnapshot &snapshot)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO timeline (run, step, snapshot) VALUES (?, ?, ?)"));
    q.addBindValue(qint64(run));
    q.addBindValue(qint64(snapshot.step));
    q.addBindValue(QString::fromUtf8(timelineJson(snapshot)));
    return check(q.exec(), q, "writing the timeline");
}

bool SessionFile::setTimeline(int64_t run, const std::vector<SnapshotPtr> &snapshots)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("DELETE FROM timeline WHERE run = ?"));
    q.addBindValue(qint64(run));
    if (!check(q.exec(), q, "writing the timeline"))
        return false;
    return std::all_of(snapshots.begin(), snapshots.end(),
                       [&](const SnapshotPtr &s) { return !s || putTimeline(run, *s); });
}

bool SessionFile::setProbes(int64_t run, const ProbeSet &probes)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO probes (run, indices, pinned, focus) VALUES (?, ?, ?, ?)"));
    q.addBindValue(qint64(run));
    q.addBindValue(QString::fromUtf8(compact(integers(probes.indices()))));
    q.addBindValue(QString::fromUtf8(compact(integers(probes.pinned()))));
    q.addBindValue(probes.focus());
    return check(q.exec(), q, "writing the probe set");
}

bool SessionFile::setLayout(const QString &key, const QByteArray &value)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO layout (key, value) VALUES (?, ?)"));
    q.addBindValue(key);
    q.addBindValue(value);
    return check(q.exec(), q, "writing the window layout");
}

bool SessionFile::copyTo(const QString &target)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("VACUUM INTO ?"));
    q.addBindValue(target);
    return check(q.exec(), q, "copying the session");
}

// --- Reading.

std::vector<RunRecord> SessionFile::runs()
{
    std::vector<RunRecord> out;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    if (!check(q.exec(QStringLiteral("SELECT id, name, parent, fork_step, dataset, settings, tasks, created, hidden"
                                     " FROM runs ORDER BY id")), q, "reading the runs"))
        return out;
    while (q.next()) {
        RunRecord r;
        r.id = q.value(0).toLongLong();
        r.name = q.value(1).toString();
        r.parent = q.value(2).isNull() ? 0 : q.value(2).toLongLong();
        r.forkStep = q.value(3).toLongLong();
        r.dataset = q.value(4).toString();
        QString why;
        if (!r.setSettingsJson(q.value(5).toByteArray(), &why)) {
            m_error = QStringLiteral("%1: run '%2': %3").arg(m_path, r.name, why);
            return {};
        }
        bool ok = false;
        for (const QJsonValue &task : parseJson(q.value(6), &ok).toArray())
            r.tasks << task.toString();
        r.created = q.value(7).toString();
        r.hidden = q.value(8).toInt() != 0;
        out.push_back(std::move(r));
    }
    if (!check(!q.lastError().isValid(), q, "reading the runs"))
        return {};
    return out;
}

QStringList SessionFile::runNames()
{
    QStringList out;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    if (!check(q.exec(QStringLiteral("SELECT name FROM runs ORDER BY id")), q, "reading the runs"))
        return out;
    while (q.next())
        out.push_back(q.value(0).toString());
    if (!check(!q.lastError().isValid(), q, "reading the runs"))
        return {};
    return out;
}

int SessionFile::runCount()
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!check(q.exec(QStringLiteral("SELECT count(*) FROM runs")), q, "reading the runs") || !q.next())
        return 0;
    return q.value(0).toInt();
}

std::optional<RunRecord> SessionFile::run(const QString &name)
{
    for (RunRecord &r : runs())
        if (r.name == name)
            return std::move(r);
    return std::nullopt;
}

std::vector<StepPoint> SessionFile::steps(int64_t run)
{
    std::vector<StepPoint> out;
    const bool ok = readRows("SELECT step, epoch, lr, loss, grad_norm, task_loss FROM steps WHERE run = ? ORDER BY step",
                             run, "reading the curves", [&](sqlite3_stmt *row) {
        StepPoint p;
        p.step = sqlite3_column_int64(row, 0);
        p.epoch = sqlite3_column_double(row, 1);
        p.learningRate = float(columnReal(row, 2));
        p.loss = float(columnReal(row, 3));
        p.gradNorm = float(columnReal(row, 4));
        p.taskLoss = numbersOf<float>(row, 5);
        out.push_back(std::move(p));
    });
    return ok ? out : std::vector<StepPoint>();
}

int64_t SessionFile::lastStep(int64_t run)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT max(step) FROM steps WHERE run = ?"));
    q.addBindValue(qint64(run));
    if (!check(q.exec(), q, "reading the curves") || !q.next())
        return 0;
    return q.value(0).toLongLong();
}

std::vector<EvalPoint> SessionFile::evals(int64_t run)
{
    std::vector<EvalPoint> out;
    const bool ok = readRows("SELECT step, epoch, loss, task_loss, task_accuracy, task_macro_f1 FROM evals"
                             " WHERE run = ? ORDER BY step",
                             run, "reading the evaluations", [&](sqlite3_stmt *row) {
        EvalPoint p;
        p.step = sqlite3_column_int64(row, 0);
        p.epoch = sqlite3_column_double(row, 1);
        p.loss = columnReal(row, 2);
        p.taskLoss = numbersOf<double>(row, 3);
        p.taskAccuracy = numbersOf<double>(row, 4);
        p.taskMacroF1 = numbersOf<double>(row, 5);
        out.push_back(std::move(p));
    });
    return ok ? out : std::vector<EvalPoint>();
}

std::vector<RunEvent> SessionFile::events(int64_t run)
{
    std::vector<RunEvent> out;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT step, epoch, kind, what FROM events WHERE run = ? ORDER BY step, id"));
    q.addBindValue(qint64(run));
    if (!check(q.exec(), q, "reading the events"))
        return out;
    while (q.next())
        out.push_back({q.value(0).toLongLong(), q.value(1).toDouble(), q.value(2).toString(), q.value(3).toString()});
    if (!check(!q.lastError().isValid(), q, "reading the events"))
        return {};
    return out;
}

std::vector<CheckpointRecord> SessionFile::checkpointList(int64_t run)
{
    std::vector<CheckpointRecord> out;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT id, step, kind, trainer FROM checkpoints WHERE run = ? ORDER BY step, id"));
    q.addBindValue(qint64(run));
    if (!check(q.exec(), q, "reading the checkpoints"))
        return out;
    while (q.next()) {
        CheckpointRecord c;
        c.id = q.value(0).toLongLong();
        c.run = run;
        c.step = q.value(1).toLongLong();
        c.kind = q.value(2).toString();
        bool ok = false;
        fromTrainerJson(parseJson(q.value(3), &ok).toObject(), &c.trainer);
        out.push_back(std::move(c));
    }
    if (!check(!q.lastError().isValid(), q, "reading the checkpoints"))
        return {};
    return out;
}

std::optional<CheckpointRecord> SessionFile::readCheckpoint(const QString &where, int64_t key)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT id, run, step, kind, weights, trainer, optimizer_m, optimizer_v, optimizer_rows"
                             " FROM checkpoints ")
              + where);
    q.addBindValue(qint64(key));
    if (!check(q.exec(), q, "reading a checkpoint"))
        return std::nullopt;
    if (!q.next()) {
        check(!q.lastError().isValid(), q, "reading a checkpoint");
        return std::nullopt;
    }
    CheckpointRecord c;
    c.id = q.value(0).toLongLong();
    c.run = q.value(1).toLongLong();
    c.step = q.value(2).toLongLong();
    c.kind = q.value(3).toString();
    c.weights = q.value(4).toByteArray();
    bool ok = false;
    const QJsonObject trainer = parseJson(q.value(5), &ok).toObject();
    if (!ok || !fromTrainerJson(trainer, &c.trainer) || !fromFloatBytes(q.value(6).toByteArray(), &c.trainer.optimizer.m)
        || !fromFloatBytes(q.value(7).toByteArray(), &c.trainer.optimizer.v)) {
        m_error = QStringLiteral("%1: the checkpoint of run %2 at step %3 has a damaged trainer state")
                      .arg(m_path).arg(c.run).arg(c.step);
        return std::nullopt;
    }
    const QByteArray rows = q.value(8).toByteArray();
    c.trainer.optimizer.rows.assign(rows.begin(), rows.end());
    return c;
}

std::optional<CheckpointRecord> SessionFile::checkpoint(int64_t id)
{
    return readCheckpoint(QStringLiteral("WHERE id = ?"), id);
}

std::optional<CheckpointRecord> SessionFile::latestCheckpoint(int64_t run)
{
    return readCheckpoint(QStringLiteral("WHERE run = ? ORDER BY step DESC, kind = 'last' DESC, id DESC LIMIT 1"), run);
}

std::vector<AttentionSnapshot> SessionFile::timeline(int64_t run)
{
    std::vector<AttentionSnapshot> out;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT snapshot FROM timeline WHERE run = ? ORDER BY step"));
    q.addBindValue(qint64(run));
    if (!check(q.exec(), q, "reading the timeline"))
        return out;
    while (q.next()) {
        AttentionSnapshot s;
        QString why;
        if (!parseTimelineJson(q.value(0).toByteArray(), &s, &why)) {
            m_error = m_path + QStringLiteral(": ") + why;
            return {};
        }
        out.push_back(std::move(s));
    }
    if (!check(!q.lastError().isValid(), q, "reading the timeline"))
        return {};
    return out;
}

std::optional<ProbeSet> SessionFile::probes(int64_t run)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT indices, pinned, focus FROM probes WHERE run = ?"));
    q.addBindValue(qint64(run));
    if (!check(q.exec(), q, "reading the probe set") || !q.next())
        return std::nullopt;
    ProbeSet probes;
    bool ok = false;
    for (int index : fromIntegers<int>(parseJson(q.value(0), &ok)))
        probes.add(index);
    for (int index : fromIntegers<int>(parseJson(q.value(1), &ok)))
        probes.setPinned(index, true);
    probes.setFocus(q.value(2).toInt());
    return probes;
}

QByteArray SessionFile::layout(const QString &key)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT value FROM layout WHERE key = ?"));
    q.addBindValue(key);
    if (!check(q.exec(), q, "reading the window layout") || !q.next())
        return {};
    return q.value(0).toByteArray();
}

} // namespace attnscope
