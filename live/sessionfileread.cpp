#include "sessionfileparts.h"

#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

namespace attnscope {

using namespace sessionfile;

namespace {

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

// The optimiser's float32 arrays as sessionfilewrite.cpp stores them (little-endian bytes).
bool fromFloatBytes(const QByteArray &bytes, std::vector<float> *out)
{
    if (bytes.size() % qsizetype(sizeof(float)) != 0)
        return false;
    out->resize(size_t(bytes.size()) / sizeof(float));
    if (!out->empty())
        std::memcpy(out->data(), bytes.constData(), size_t(bytes.size()));
    return true;
}

} // namespace

// --- A run's figures.

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
    return ok && readConfusion(run, &out) ? out : std::vector<EvalPoint>();
}

// The confusion rows of the evaluations read (by step); a row that does not
// hold together (a file written by hand) is left out: that evaluation shows
// no matrix, the curves stay. Version 1 has none.
bool SessionFile::readConfusion(int64_t run, std::vector<EvalPoint> *evals)
{
    if (m_version < 2)
        return true;
    return readRows("SELECT step, task, classes, counts, misses FROM confusion WHERE run = ? ORDER BY step, task",
                    run, "reading the confusion matrices", [&](sqlite3_stmt *row) {
        const int64_t step = sqlite3_column_int64(row, 0);
        const auto at = std::lower_bound(evals->begin(), evals->end(), step,
                                         [](const EvalPoint &e, int64_t s) { return e.step < s; });
        const int64_t task = sqlite3_column_int64(row, 1), classes = sqlite3_column_int64(row, 2);
        if (at == evals->end() || at->step != step || task != int64_t(at->confusion.size()) || task >= int64_t(at->taskLoss.size())
            || classes < 1 || classes > (1 << 24))
            return;
        Confusion c;
        c.classes = int(classes);
        const std::vector<double> counts = numbersOf<double>(row, 3), misses = numbersOf<double>(row, 4);
        if ((!counts.empty() && counts.size() != size_t(classes * classes)) || misses.size() % 3 != 0)
            return;
        const auto whole = [](double v, double below) { return v >= 0 && v < below && v == std::floor(v); };
        for (double n : counts) {
            if (!whole(n, 2147483647.0))
                return;
            c.counts.push_back(int(n));
        }
        for (size_t i = 0; i < misses.size(); i += 3) {
            if (!whole(misses[i], 2147483647.0) || !whole(misses[i + 1], double(classes))
                || !whole(misses[i + 2], double(classes)))
                return;
            c.misses.push_back({int(misses[i]), int(misses[i + 1]), int(misses[i + 2])});
        }
        at->confusion.push_back(std::move(c));
    });
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
