// The window's side of a session file: records the live run while it
// trains (its points as its snapshots arrive, its events, a kept checkpoint
// at every multiple of keepEvery, which the worker copies at that step
// (TrainingWorker::setKeepEvery) and the recorder takes with the next
// snapshot, and the last one at every pause, stop and end, its
// attention timeline and probe set with each checkpoint) and what the user does to the kept runs (rename, hide, delete), through a
// SessionWriter, so that nothing waits for the disk on the GUI thread. The
// live run gets its row when its first steps arrive: a run that never
// trained is not written.
//
//   Run::controller() --- snapshot, stateChanged, problem ---> SessionRecorder --- post ---> SessionWriter (thread)
//
// readKeptRuns() reads a session file's runs back as kept runs (their
// records and curves), for File > Open Session.
#pragma once

#include "attentiontimeline.h"
#include "run.h"
#include "sessionwriter.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <vector>

namespace attnscope {

class SessionRecorder : public QObject {
    Q_OBJECT

public:
    explicit SessionRecorder(QObject *parent = nullptr);
    ~SessionRecorder() override;  // close()

    // Opens (or creates) the file the runs are written to; false and *error
    // (naming it) when it is no session of this version. liveFileId: the
    // live run's row in it already (a copy of the file it was written to).
    bool open(const QString &path, QString *error, int64_t liveFileId = 0);
    // Commits what was posted and closes the file.
    void close();
    bool isOpen() const { return m_writer.isOpen(); }
    QString path() const { return m_writer.path(); }

    // What the live run is, for its row (asked when its first steps arrive).
    void setRecordSource(std::function<RunRecord()> source) { m_source = std::move(source); }
    // Follows the live run's controller (once: the Run stays, its runs change).
    void follow(Run *run);
    // The live run began anew (a new setup, Reset, a new start): its next
    // steps go to a new row.
    void restarted();
    int64_t liveFileId() const { return m_live; }
    // The live run's row: its history written at once (a session file opened
    // or saved while it trains) and its next points appended to it.
    void adoptLive(const RunRecord &record, const LossHistory &history);
    // Session::resumeRun: the live run is row fileId again from its
    // checkpoint at `step` on (its next points appended to that row, its
    // next kept checkpoint at the next multiple of keepEvery), with the timeline the row
    // has; a "resume" event says so.
    void resumeLive(int64_t fileId, int64_t step, const std::vector<SnapshotPtr> &timeline, const QString &what);
    // The live run's attention timeline as the file gets it (the probe set's
    // snapshots, at most AttentionTimeline's capacity spread over the run),
    // for the run the session keeps when a new one begins.
    std::vector<SnapshotPtr> liveTimeline() const;

    // A whole run at once, its history's points, timeline and probe set (a
    // run that ended before the session had its file); its row's id, 0 when
    // it failed (failed() says why).
    int64_t write(RunRecord record, const LossHistory &history, const std::vector<SnapshotPtr> &timeline = {},
                  const ProbeSet &probes = {});
    void rename(int64_t fileId, const QString &name);
    void setHidden(int64_t fileId, bool hidden);
    void remove(int64_t fileId);
    // A window layout entry (SessionFile::setLayout).
    void setLayout(const QString &key, const QByteArray &value);
    // Commits everything; false and *error when a write failed since the last flush.
    bool flush(QString *error);
    // A copy of the whole file at target (SQLite's VACUUM INTO; target must not exist).
    bool copyTo(const QString &target, QString *error);

signals:
    // A write failed (the first of a series): what and why, naming the file.
    void failed(const QString &message);

private:
    void onSnapshot(const TrainingSnapshot &snapshot);
    void onState(TrainingWorker::State state, const QString &message);
    void event(const QString &kind, const QString &what);
    void onAttention(const SnapshotPtr &snapshot, const std::shared_ptr<const TrainingSetup> &setup);
    // again: false skips a "last" one of the step written last (the pause's,
    // at close)
    void checkpoint(const QString &kind, bool again = true);
    // m_live changes only here: another row has no "last" checkpoint of this recorder's yet
    void setLive(int64_t row)
    {
        m_live = row;
        m_lastRow = 0;
    }
    void writeKept();
    // The live run's timeline and probe set into row `fileId` (replacing what it had).
    void writeAttention(int64_t fileId);
    // A name no run of the file has: `wanted`, or "wanted (2)", ...
    QString freeName(const QString &wanted);

    SessionWriter m_writer;
    std::function<RunRecord()> m_source;
    Run *m_run = nullptr;
    int64_t m_live = 0;        // the live run's row; 0: none yet
    int m_workerRun = -1;      // the worker's run (TrainingSnapshot::run) of m_live
    int64_t m_ended = 0;       // the row of the run that ended last, and its worker's run
    int m_endedRun = -1;
    // The live run's probe snapshots; no self-attention maps beyond the
    // newest (the file keeps none), so that it costs little beside the
    // Attention tab's own timeline.
    AttentionTimeline m_timeline{64, 0};
    // The timeline as writeAttention wrote it last, into row m_writtenRow (0:
    // none); weak, so that the snapshots thinned out since are freed.
    std::vector<std::weak_ptr<const AttentionSnapshot>> m_written;
    int64_t m_writtenRow = 0;
    bool m_reported = false;   // failed() said the first failure since open
    // The row and step of the last "last" checkpoint put to the file: close()
    // writes none again for the same weights (a pause wrote them). 0: none
    // written to the live row (set back by setLive).
    int64_t m_lastRow = 0, m_lastStep = -1;
};

// A session file's runs as kept runs (records, curves, timelines and probe
// sets; ids from firstId on), or false and *error naming the file.
bool readKeptRuns(SessionFile &file, int firstId, std::vector<std::unique_ptr<KeptRun>> *runs, QString *error);

// The record of a kept run, for its row (its parent's row, record.parent, is the caller's to set).
RunRecord recordOf(const KeptRun &run);

} // namespace attnscope
