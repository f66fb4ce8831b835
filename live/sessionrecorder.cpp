#include "sessionrecorder.h"

#include <algorithm>
#include <map>

namespace attnscope {

SessionRecorder::SessionRecorder(QObject *parent)
    : QObject(parent)
{
    // The writer's thread reports here, and the window hears it on its own.
    m_writer.setErrorHandler([this](const QString &message) {
        QMetaObject::invokeMethod(this, [this, message]() {
            if (!std::exchange(m_reported, true))
                emit failed(message);
        }, Qt::QueuedConnection);
    });
}

SessionRecorder::~SessionRecorder()
{
    close();
}

bool SessionRecorder::open(const QString &path, QString *error, int64_t liveFileId)
{
    close();
    m_reported = false;
    if (!m_writer.open(path, error))
        return false;
    setLive(liveFileId);
    if (m_run)
        m_run->controller()->setKeepEvery(TrainingWorker::KeepBySession);
    m_writtenRow = 0;  // another file: its rows are others
    m_written.clear();
    return true;
}

void SessionRecorder::close()
{
    if (!m_writer.isOpen())
        return;
    // The live run's last weights go with it, so that it can be resumed.
    writeKept();
    if (m_live && m_run && m_run->controller()->state() != TrainingWorker::State::Empty)
        checkpoint(QStringLiteral("last"), /*again=*/false);
    if (m_run) {
        m_run->controller()->setKeepEvery(0);
        m_run->controller()->takeKept();  // no file to write it to
    }
    m_writer.close();
    setLive(0);
}

void SessionRecorder::follow(Run *run)
{
    m_run = run;
    TrainingController *c = run->controller();
    c->setKeepEvery(isOpen() ? TrainingWorker::KeepBySession : 0);
    connect(c, &TrainingController::snapshot, this, &SessionRecorder::onSnapshot);
    connect(c, &TrainingController::stateChanged, this, &SessionRecorder::onState);
    connect(c, &TrainingController::attentionReady, this, &SessionRecorder::onAttention);
    connect(c, &TrainingController::problem, this, [this](const QString &message) {
        event(QStringLiteral("problem"), message);
    });
    // Restore best weights changed the weights without a change of state:
    // the last checkpoint holds them (the plot's mark came as a setting).
    connect(c, &TrainingController::bestRestored, this, [this] { checkpoint(QStringLiteral("last")); });
}

void SessionRecorder::restarted()
{
    // The timeline of the run that ended, as far as it went (also when
    // Reset came before any pause wrote it).
    if (isOpen() && m_live)
        writeAttention(m_live);
    m_timeline.clear();
    m_ended = m_live;
    m_endedRun = m_workerRun;
    setLive(0);
}

QString SessionRecorder::freeName(const QString &wanted)
{
    QStringList names;
    m_writer.call([&](SessionFile &file) {
        names = file.runNames();
        return file.error().isEmpty();
    });
    return freeRunName(wanted, [&](const QString &name) { return names.contains(name); });
}

int64_t SessionRecorder::write(RunRecord record, const LossHistory &history, const std::vector<SnapshotPtr> &timeline,
                               const ProbeSet &probes)
{
    if (!isOpen())
        return 0;
    record.name = freeName(record.name);
    const int64_t id = m_writer.addRun(&record);
    if (id > 0) {
        m_writer.appendSnapshot(id, history.points());
        if (!timeline.empty())
            m_writer.post([id, timeline](SessionFile &file) { return file.setTimeline(id, timeline); });
        if (probes.size() > 0)
            m_writer.post([id, probes](SessionFile &file) { return file.setProbes(id, probes); });
    }
    return id;
}

void SessionRecorder::adoptLive(const RunRecord &record, const LossHistory &history)
{
    setLive(write(record, history));
    if (m_live)
        writeAttention(m_live);
}

void SessionRecorder::resumeLive(int64_t fileId, int64_t step, const std::vector<SnapshotPtr> &timeline,
                                 const QString &what)
{
    m_timeline.clear();
    m_written.clear();
    for (const SnapshotPtr &s : timeline)
        if (s && s->step <= step) {
            m_timeline.add(s);
            m_written.push_back(s);  // the row has them
        }
    m_writtenRow = fileId;
    setLive(fileId);
    if (isOpen() && m_live)
        m_writer.appendEvent(m_live, {step, 0.0, QStringLiteral("resume"), what});
}

std::vector<SnapshotPtr> SessionRecorder::liveTimeline() const
{
    std::vector<SnapshotPtr> out;
    for (int i = 0; i < m_timeline.size(); ++i)
        out.push_back(m_timeline.ptr(i));
    return out;
}

void SessionRecorder::onAttention(const SnapshotPtr &snapshot, const std::shared_ptr<const TrainingSetup> &setup)
{
    // Only the live run's: one on its way when the run was replaced carries the old setup.
    if (!snapshot || !m_run || setup != m_run->setup())
        return;
    if (m_timeline.size() > 0 && snapshot->step < m_timeline.latest().step)
        m_timeline.clear();  // the step went back: the run began anew (Reset)
    m_timeline.add(snapshot);
}

void SessionRecorder::writeAttention(int64_t fileId)
{
    std::vector<SnapshotPtr> timeline = liveTimeline();
    ProbeSet probes = m_run ? m_run->controller()->probes() : ProbeSet();
    if (!timeline.empty()) {
        // The row's timeline as written last: only the snapshots it lacks
        // are written (a snapshot is never changed, so the same one is the
        // same row), and those the timeline thinned out go.
        const auto written = [&](const SnapshotPtr &s) {
            return fileId == m_writtenRow && std::any_of(m_written.begin(), m_written.end(), [&](const auto &w) {
                       return !w.owner_before(s) && !s.owner_before(w);  // the same snapshot, alive or not
                   });
        };
        std::vector<int64_t> kept;
        std::vector<SnapshotPtr> added;
        for (const SnapshotPtr &s : timeline)
            if (written(s))
                kept.push_back(s->step);
            else
                added.push_back(s);
        m_writtenRow = fileId;
        m_written.assign(timeline.begin(), timeline.end());
        m_writer.post([fileId, kept = std::move(kept), added = std::move(added)](SessionFile &file) {
            return file.updateTimeline(fileId, kept, added);
        });
    }
    if (probes.size() > 0)
        m_writer.post([fileId, probes = std::move(probes)](SessionFile &file) { return file.setProbes(fileId, probes); });
}

void SessionRecorder::onSnapshot(const TrainingSnapshot &snapshot)
{
    if (!isOpen())
        return;
    if (snapshot.run == m_endedRun) {
        // Points of the run that ended, on their way when the next began.
        if (m_ended) {
            m_writer.appendSnapshot(m_ended, snapshot);
            writeKept();
        }
        return;
    }
    m_workerRun = snapshot.run;
    if (!m_live) {
        if (snapshot.steps.empty() || !m_source)
            return;
        // Its first steps: its row now (the run's record as it is at this step).
        RunRecord record = m_source();
        record.name = freeName(record.name);
        setLive(m_writer.addRun(&record));
        if (!m_live)
            return;
        m_writer.appendEvent(m_live, {record.forkStep, 0.0, QStringLiteral("start"), QString()});
    }
    m_writer.appendSnapshot(m_live, snapshot);
    writeKept();
}

// The worker copied its weights and trainer's state right after each step
// that is a multiple of keepEvery (TrainingWorker::setKeepEvery): every copy
// waiting is written, in step order, as a kept checkpoint of its step into
// its run's row. A copy is always of a step this snapshot or an earlier one
// carried (or the run's pause, stop or end), so its row exists; one of a run
// the recorder has no row for (it did not record it) goes. Copies the worker
// could not make (KeptCopiesWaiting were waiting) are an event of the run.
void SessionRecorder::writeKept()
{
    if (!m_run)
        return;
    KeptCopies kept = m_run->controller()->takeKept();
    const auto rowOf = [&](int run) { return run == m_endedRun ? m_ended : run == m_workerRun ? m_live : 0; };
    bool live = false;
    for (KeptCopy &copy : kept.copies) {
        const int64_t row = rowOf(copy.run);
        if (copy.state.step == 0 || !row || !isOpen())
            continue;
        m_writer.putCheckpoint(row, std::move(copy.model), std::move(copy.state), QStringLiteral("kept"));
        live = live || row == m_live;
    }
    if (const KeptMissed &m = kept.missed; m.count > 0) {
        const QString what = QStringLiteral("%1 kept checkpoint(s) not kept, steps %2 to %3: %4 copies were waiting for the window")
                                 .arg(m.count).arg(m.firstStep).arg(m.lastStep).arg(KeptCopiesWaiting);
        qWarning("session: %s", qPrintable(what));
        if (const int64_t row = rowOf(m.run); row && isOpen())
            m_writer.appendEvent(row, {m.lastStep, 0.0, QStringLiteral("problem"), what});
    }
    // The timeline goes with the checkpoints, as in checkpoint().
    if (live)
        writeAttention(m_live);
}

void SessionRecorder::onState(TrainingWorker::State state, const QString &message)
{
    if (!isOpen() || !m_live)
        return;
    switch (state) {
    case TrainingWorker::State::Running:
        event(QStringLiteral("resume"), QString());
        return;
    case TrainingWorker::State::Paused:
        // A pause the user did not ask for says why: the loss diverged.
        event(message.isEmpty() ? QStringLiteral("pause") : QStringLiteral("diverged"), message);
        break;
    case TrainingWorker::State::Stopped:
        event(QStringLiteral("stop"), message);
        break;
    case TrainingWorker::State::Finished:
        event(QStringLiteral("finished"), message);
        break;
    default:
        return;
    }
    writeKept();  // the kept copies up to here first: the file has them in step order
    checkpoint(QStringLiteral("last"));
}

void SessionRecorder::event(const QString &kind, const QString &what)
{
    if (!isOpen() || !m_live || !m_run)
        return;
    m_writer.appendEvent(m_live, {m_run->controller()->currentStep(), 0.0, kind, what});
}

void SessionRecorder::checkpoint(const QString &kind, bool again)
{
    std::shared_ptr<Model> model;
    TrainerState state;
    if (!m_live || !m_run || !m_run->controller()->checkpointCopy(&model, &state) || state.step == 0)
        return;
    if (kind == QLatin1String("last")) {
        // The worker's weights change only as it steps, or when the best
        // ones are restored, which writes them at once (follow()).
        if (!again && m_lastRow == m_live && m_lastStep == state.step) {
            writeAttention(m_live);  // only the snapshots the row lacks
            return;
        }
        m_lastRow = m_live;
        m_lastStep = state.step;
    }
    m_writer.putCheckpoint(m_live, std::move(model), std::move(state), kind);
    // The timeline goes with the checkpoints: rewritten whole (its older
    // snapshots thin out), at most once per kept checkpoint, pause and end.
    writeAttention(m_live);
}

void SessionRecorder::rename(int64_t fileId, const QString &name)
{
    if (isOpen() && fileId)
        m_writer.post([fileId, name](SessionFile &file) { return file.renameRun(fileId, name); });
}

void SessionRecorder::setHidden(int64_t fileId, bool hidden)
{
    if (isOpen() && fileId)
        m_writer.post([fileId, hidden](SessionFile &file) { return file.setRunHidden(fileId, hidden); });
}

void SessionRecorder::remove(int64_t fileId)
{
    if (isOpen() && fileId)
        m_writer.post([fileId](SessionFile &file) { return file.deleteRun(fileId); });
}

void SessionRecorder::setLayout(const QString &key, const QByteArray &value)
{
    if (isOpen())
        m_writer.post([key, value](SessionFile &file) { return file.setLayout(key, value); });
}

bool SessionRecorder::flush(QString *error)
{
    if (!isOpen())
        return true;
    if (m_writer.flush())
        return true;
    *error = m_writer.error();
    return false;
}

bool SessionRecorder::copyTo(const QString &target, QString *error)
{
    if (!flush(error))
        return false;
    // VACUUM runs outside a transaction: the writer's is committed first and
    // a new one begun after, as its loop expects.
    const bool ok = m_writer.call([&](SessionFile &file) {
        const bool copied = file.commit() && file.copyTo(target);
        file.begin();
        return copied;
    });
    if (!ok)
        *error = m_writer.error();
    return ok;
}

bool readKeptRuns(SessionFile &file, int firstId, std::vector<std::unique_ptr<KeptRun>> *runs, QString *error)
{
    std::vector<std::unique_ptr<KeptRun>> out;
    std::map<int64_t, int> ids;  // a row's run, for the forks' parents
    for (const RunRecord &r : file.runs()) {
        auto run = std::make_unique<KeptRun>();
        run->id = firstId++;
        run->name = r.name;
        run->dataset = absoluteDatasetSpec(r.dataset, file.path());  // an older window's relative path: from here, else beside the file
        run->options = r.options;
        run->model = r.model;
        run->train = r.train;
        run->valFraction = r.valFraction;
        run->shown = !r.hidden;
        run->fileId = r.id;
        ids[r.id] = run->id;
        // The parent's row comes first (ids grow); a parent deleted from the file left NULL.
        run->fork = {r.parent && ids.count(r.parent) ? ids[r.parent] : 0, r.forkStep};
        run->history.setTasks(r.tasks);
        TrainingSnapshot points;
        points.steps = file.steps(r.id);
        points.evals = file.evals(r.id);
        for (const RunEvent &e : file.events(r.id))
            if (e.kind == QLatin1String("setting"))
                points.changes.push_back({e.step, e.epoch, e.what});
        run->history.append(points);
        for (AttentionSnapshot &s : file.timeline(r.id))
            run->timeline.push_back(std::make_shared<const AttentionSnapshot>(std::move(s)));
        if (std::optional<ProbeSet> probes = file.probes(r.id))
            run->probes = std::move(*probes);
        out.push_back(std::move(run));
    }
    if (!file.error().isEmpty()) {
        *error = file.error();
        return false;
    }
    *runs = std::move(out);
    return true;
}

RunRecord recordOf(const KeptRun &run)
{
    RunRecord record;
    record.name = run.name;
    record.dataset = run.dataset;
    record.options = run.options;
    record.valFraction = run.valFraction;
    record.model = run.model;
    record.train = run.train;
    record.tasks = run.history.tasks();
    record.hidden = !run.shown;
    record.forkStep = run.fork.step;  // record.parent: the parent's row, which the caller knows
    return record;
}

} // namespace attnscope
