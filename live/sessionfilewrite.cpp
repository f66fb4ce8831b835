#include "sessionfileparts.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <set>
#include <string>

namespace attnscope {

using namespace sessionfile;

namespace {

// A real that SQLite keeps: NaN would become NULL anyway, said so here.
QVariant real(double v)
{
    return std::isfinite(v) ? QVariant(v) : QVariant();
}

// The bytes of text the confusion rows selected hold (their counts and misses).
const char *const ConfusionRowBytes = "SELECT coalesce(sum(length(CAST(counts AS BLOB)) + length(CAST(misses AS BLOB))), 0)";

// Per-task values as the JSON array the task_loss column holds ("[0.25,null]"):
// each float's shortest text that reads back as the same float (std::to_chars),
// NaN as null.
void numberText(const std::vector<float> &values, std::string *out)
{
    out->assign(1, '[');
    char buffer[32];
    for (size_t i = 0; i < values.size(); ++i) {
        if (i)
            out->push_back(',');
        if (!std::isfinite(values[i])) {
            out->append("null");
            continue;
        }
        const std::to_chars_result r = std::to_chars(buffer, buffer + sizeof buffer, values[i]);
        out->append(buffer, r.ptr);
    }
    out->push_back(']');
}

// float32 arrays as little-endian bytes (the machines AttnScope builds for are little-endian).
QByteArray floatBytes(const std::vector<float> &values)
{
    return QByteArray(reinterpret_cast<const char *>(values.data()), qsizetype(values.size() * sizeof(float)));
}

} // namespace

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
    m_confusionKept.erase(run);  // its id may come back (SQLite reuses the highest)
    return check(q.exec(), q, "deleting a run");
}

bool SessionFile::appendSteps(int64_t run, const std::vector<StepPoint> &steps)
{
    // A row per training step, a thousand and more a second: through SQLite
    // itself, as readRows reads them. Bound through QSqlQuery (a QVariant per
    // cell, a QJsonArray per row), they took two thirds of the writer
    // thread's time (perf, session_bench: 10 µs a step against 2 µs now).
    const char *const doing = "writing the curves";
    sqlite3 *db = handle(doing);
    if (!db)
        return false;
    sqlite3_stmt *statement = nullptr;
    if (sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO steps (run, step, epoch, lr, loss, grad_norm, task_loss)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?)",
                           -1, &statement, nullptr)
        != SQLITE_OK)
        return sqliteFailed(doing, sqlite3_errmsg(db));
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt *)> finalize(statement, sqlite3_finalize);
    const auto bindReal = [&](int column, double v) {  // NaN as NULL, as real() says
        std::isfinite(v) ? sqlite3_bind_double(statement, column, v) : sqlite3_bind_null(statement, column);
    };
    std::string taskLoss;
    for (const StepPoint &p : steps) {
        sqlite3_bind_int64(statement, 1, run);
        sqlite3_bind_int64(statement, 2, p.step);
        sqlite3_bind_double(statement, 3, p.epoch);
        bindReal(4, p.learningRate);
        bindReal(5, p.loss);
        bindReal(6, p.gradNorm);
        numberText(p.taskLoss, &taskLoss);
        sqlite3_bind_text(statement, 7, taskLoss.data(), int(taskLoss.size()), SQLITE_STATIC);
        if (sqlite3_step(statement) != SQLITE_DONE)
            return sqliteFailed(doing, sqlite3_errmsg(db));
        sqlite3_reset(statement);
    }
    return true;
}

bool SessionFile::appendEvals(int64_t run, const std::vector<EvalPoint> &evals, size_t confusionBudget)
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
    return appendConfusion(run, evals, confusionBudget);
}

// Each evaluation's confusion per task: counts (classes x classes, gold by
// row; [] past Confusion::MaxClasses) and misses as sample, gold, predicted
// triples, flat. Then the run's rows are kept within `budget` bytes of text
// as LossHistory keeps them in memory: past it, only the evaluations whose
// index is a multiple of a stride that doubles (and the latest) keep theirs.
bool SessionFile::appendConfusion(int64_t run, const std::vector<EvalPoint> &evals, size_t budget)
{
    if (!m_confusionKept.count(run)) {
        size_t bytes = 0;  // what earlier connections left (a run resumed, a session opened again)
        if (!confusionBytes(run, &bytes))
            return false;
        m_confusionKept[run].bytes = bytes;
    }
    ConfusionKept &kept = m_confusionKept[run];
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO confusion (run, step, task, classes, counts, misses)"
                             " VALUES (?, ?, ?, ?, ?, ?)"));
    std::vector<int> misses;
    for (const EvalPoint &p : evals)
        for (size_t t = 0; t < p.confusion.size(); ++t) {
            const Confusion &c = p.confusion[t];
            misses.clear();
            for (const Confusion::Miss &m : c.misses)
                misses.insert(misses.end(), {m.sample, m.gold, m.predicted});
            const QByteArray counts = compact(integers(c.counts)), missed = compact(integers(misses));
            q.addBindValue(qint64(run));
            q.addBindValue(qint64(p.step));
            q.addBindValue(int(t));
            q.addBindValue(c.classes);
            q.addBindValue(QString::fromLatin1(counts));
            q.addBindValue(QString::fromLatin1(missed));
            if (!check(q.exec(), q, "writing the confusion matrices"))
                return false;
            kept.bytes += size_t(counts.size() + missed.size());
        }
    if (kept.stride > 1 && !thinConfusion(run, kept.stride, kept.checked, &kept.bytes))
        return false;  // those added since the last append that are no multiple, but the latest
    while (kept.bytes > budget) {
        int64_t evaluations = 0;
        if (!countEvals(run, &evaluations))
            return false;
        if (int64_t(kept.stride) >= evaluations)
            break;  // the first and the latest alone: over the budget, they stay
        kept.stride *= 2;
        if (!thinConfusion(run, kept.stride, 0, &kept.bytes))
            return false;
    }
    if (!evals.empty())
        kept.checked = evals.back().step;
    return true;
}

// Deletes the confusion rows of the run's evaluations from step `from` on
// whose index is no multiple of stride, the latest row but; *bytes loses
// theirs. The index is the evaluation's rank among the run's evaluations
// (the evals table), so that connections one after another (a run
// resumed, a session opened again) thin a run's rows the same way.
bool SessionFile::thinConfusion(int64_t run, size_t stride, int64_t from, size_t *bytes)
{
    const QString which = QStringLiteral(
        " FROM confusion WHERE run = ? AND step >= ? AND step < (SELECT max(step) FROM confusion WHERE run = ?)"
        " AND (SELECT count(*) FROM evals WHERE evals.run = ? AND evals.step < confusion.step) % ? != 0");
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    for (const char *statement : {ConfusionRowBytes, "DELETE"}) {
        q.prepare(QLatin1String(statement) + which);
        for (const qint64 value : {qint64(run), qint64(from), qint64(run), qint64(run), qint64(stride)})
            q.addBindValue(value);
        if (!check(q.exec(), q, "thinning the confusion matrices"))
            return false;
        if (q.next())  // the SELECT's sum
            *bytes -= std::min(*bytes, size_t(q.value(0).toLongLong()));
    }
    return true;
}

bool SessionFile::countEvals(int64_t run, int64_t *count)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT count(*) FROM evals WHERE run = ?"));
    q.addBindValue(qint64(run));
    if (!check(q.exec(), q, "reading the evaluations") || !q.next())
        return false;
    *count = q.value(0).toLongLong();
    return true;
}

// What the run's confusion rows hold (their text's bytes).
bool SessionFile::confusionBytes(int64_t run, size_t *bytes)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QLatin1String(ConfusionRowBytes) + QLatin1String(" FROM confusion WHERE run = ?"));
    q.addBindValue(qint64(run));
    if (!check(q.exec(), q, "reading the confusion matrices") || !q.next())
        return false;
    *bytes = size_t(q.value(0).toLongLong());
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
    } else {
        // One kept checkpoint a step: the window copies the worker's weights
        // of the moment, so two kept ones asked for by snapshots that came
        // late are of the same step (the fork menu listed "Step 351" twice).
        q.prepare(QStringLiteral("DELETE FROM checkpoints WHERE run = ? AND kind = ? AND step = ?"));
        q.addBindValue(qint64(c.run));
        q.addBindValue(c.kind);
        q.addBindValue(qint64(c.step));
        if (!check(q.exec(), q, "replacing a kept checkpoint"))
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

bool SessionFile::updateTimeline(int64_t run, const std::vector<int64_t> &kept, const std::vector<SnapshotPtr> &added)
{
    std::set<int64_t> stays(kept.begin(), kept.end());
    for (const SnapshotPtr &s : added)
        if (s)
            stays.insert(s->step);
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT step FROM timeline WHERE run = ?"));
    q.addBindValue(qint64(run));
    if (!check(q.exec(), q, "writing the timeline"))
        return false;
    std::vector<qint64> gone;
    while (q.next())
        if (!stays.count(q.value(0).toLongLong()))
            gone.push_back(q.value(0).toLongLong());
    QSqlQuery del(QSqlDatabase::database(m_connection, false));
    del.prepare(QStringLiteral("DELETE FROM timeline WHERE run = ? AND step = ?"));
    for (const qint64 step : gone) {
        del.addBindValue(qint64(run));
        del.addBindValue(step);
        if (!check(del.exec(), del, "writing the timeline"))
            return false;
    }
    return std::all_of(added.begin(), added.end(), [&](const SnapshotPtr &s) { return !s || putTimeline(run, *s); });
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

} // namespace attnscope
