// The session file: one SQLite database (Qt's QSQLITE driver) that keeps a
// session's runs, their curves and events, kept checkpoints (weights and the
// trainer's state, so that a run resumes exactly), the attention timeline,
// the probe sets and the window layout. SQLite makes it crash-safe (WAL:
// a commit is whole or absent) and readable without AttnScope (Python's
// sqlite3, pandas); docs/session.md has the schema.
//
// A SessionFile is one connection, used on the thread that opened it. The
// window and attnscope-cli write through a SessionWriter
// (sessionwriter.h), which owns one on a thread of its own and commits in
// transactions; reading (opening a session, `session list`) uses one
// directly. open() refuses a file that is not a session of this version
// with a message that names it: not SQLite, truncated, an SQLite database
// of something else, or a session of another format version.
#pragma once

#include "attentionsnapshot.h"
#include "data/load.h"
#include "dataset.h"
#include "keptcheckpoints.h"
#include "losshistory.h"
#include "probeset.h"
#include "trainer.h"
#include "trainingworker.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

class QSqlQuery;
struct sqlite3;
struct sqlite3_stmt;

namespace attnscope {

// What the file says it is: meta.format and meta.version. A session of
// another version is refused, never read or written in part.
inline constexpr char SessionFormat[] = "attnscope-session";
// Version 2 added the confusion table; a version 1 file opens (no
// matrices) and becomes version 2 when it is opened for writing.
constexpr int SessionVersion = 2;

// A run as the file keeps it: what it was built from, so that it can be
// built again (to resume it) and shown (the Runs panel, `session list`).
struct RunRecord {
    int64_t id = 0;              // the file's; 0 until added
    QString name;                // unique in the file
    int64_t parent = 0;          // the run it was forked from; 0: none
    int64_t forkStep = 0;        // the parent's step it starts from
    QString dataset;             // the spec it was loaded from ("builtin:reviews", a path)
    LoadOptions options;         // the column roles of a CSV/TSV file
    double valFraction = 0.2;
    ModelConfig model;           // vocabSize, features and classes included
    TrainConfig train;           // train.seed: the split's, initial weights' and batch order's
    QStringList tasks;           // in task order
    QString created;             // ISO 8601, UTC
    bool hidden = false;         // not drawn in the window

    // The settings as the file's `settings` column holds them (JSON).
    QByteArray settingsJson() const;
    // Reads settingsJson() back into this record; false and *error when the
    // text is not such an object.
    bool setSettingsJson(const QByteArray &json, QString *error);
};

// Something that happened to a run at a step: a setting changed while it
// trained ("setting", what: "lr 0.001"), it paused, stopped, finished,
// diverged or failed, or it was resumed.
struct RunEvent {
    int64_t step = 0;
    double epoch = 0;
    QString kind;
    QString what;
};

// A checkpoint a run keeps: its weights at `step` (safetensors bytes, as
// Save checkpoint writes them) and where its trainer stood (the optimiser's
// moments, the position in the epoch, the shuffle's generator, the settings
// as changed), so that a trainer restored from it continues bit for bit.
// kind "last": the run's latest (one per run, replaced); "kept": one of the
// evenly spaced ones (SessionFile::putCheckpoint bounds them).
struct CheckpointRecord {
    int64_t id = 0;
    int64_t run = 0;
    int64_t step = 0;
    QString kind;
    QByteArray weights;          // empty in checkpointList()'s answers
    TrainerState trainer;        // its optimiser buffers empty in checkpointList()'s answers
};

// What the Runs panel and `attnscope-cli session list` show of a run: its
// last step and, of its evaluations, the last one and the best (the lowest
// validation loss; the first of equals).
struct RunFigures {
    int64_t steps = 0;
    std::optional<EvalPoint> last, best;
};
RunFigures runFigures(int64_t steps, const std::vector<EvalPoint> &evals);

class SessionFile {
public:
    enum class Mode { ReadOnly, ReadWrite };

    SessionFile();
    ~SessionFile();  // close()
    SessionFile(const SessionFile &) = delete;
    SessionFile &operator=(const SessionFile &) = delete;

    // Opens a session. ReadWrite creates a new one where there is no file
    // (or an empty one); an existing file must be a session of this
    // version either way. False and *error ("<path>: ...") otherwise, and
    // nothing is written to a file that is refused.
    bool open(const QString &path, Mode mode, QString *error);
    void close();
    bool isOpen() const;
    QString path() const { return m_path; }

    // Writing happens in the caller's transaction (SessionWriter commits
    // every half second); each call is one statement or a few. On failure
    // false, and error() names the file and what failed.
    bool begin();
    bool commit();
    void rollback();

    // A new run; its id (also in *run), or 0 when it failed (a name in use among them).
    int64_t addRun(RunRecord *run);
    bool renameRun(int64_t run, const QString &name);
    bool setRunHidden(int64_t run, bool hidden);
    // The run and everything of it (curves, events, checkpoints, timeline, probes).
    bool deleteRun(int64_t run);
    bool appendSteps(int64_t run, const std::vector<StepPoint> &steps);
    // The evaluations, with their confusion matrices (the confusion table):
    // the run's rows there stay within confusionBudget bytes of text, as a
    // LossHistory keeps them (the latest evaluation's, and past the budget
    // those of evaluations spread evenly over the run: every 2^k-th).
    bool appendEvals(int64_t run, const std::vector<EvalPoint> &evals,
                     size_t confusionBudget = LossHistory::ConfusionBudget);
    bool appendEvent(int64_t run, const RunEvent &event);
    // "last" replaces the run's last; "kept" is added, and when the run
    // keeps more than `keep` of them every second one is deleted (the first
    // and the newest stay), so that what is kept stays spread over the run.
    bool putCheckpoint(const CheckpointRecord &checkpoint, int keep = KeptCheckpoints);
    // Timeline snapshots without their self-attention maps (the pooling
    // weights, predictions and tokens), one per run and step.
    bool putTimeline(int64_t run, const AttentionSnapshot &snapshot);
    // The run's timeline becomes `snapshots` (those it had before go): the
    // window keeps a bounded timeline (AttentionTimeline) whose older
    // snapshots thin out as the run goes on, and the file follows it.
    bool setTimeline(int64_t run, const std::vector<SnapshotPtr> &snapshots) { return updateTimeline(run, {}, snapshots); }
    // The same without writing again what the file has: the run keeps its
    // snapshots of the steps `kept` (the others go) and gets `added` (which
    // replace any of the same step). SessionRecorder writes a live run's
    // timeline so at each kept checkpoint: the new snapshots alone, not 65
    // of them in JSON each time.
    bool updateTimeline(int64_t run, const std::vector<int64_t> &kept, const std::vector<SnapshotPtr> &added);
    bool setProbes(int64_t run, const ProbeSet &probes);
    bool setLayout(const QString &key, const QByteArray &value);
    // The whole file copied to target (VACUUM INTO: compact, consistent, the
    // log merged), outside any transaction; target must not exist.
    bool copyTo(const QString &target);

    // Reading. Empty answers and error() set when a query fails (a damaged file).
    std::vector<RunRecord> runs();
    QStringList runNames();  // in the order of runs(), without reading their settings
    int runCount();          // without reading them
    std::optional<RunRecord> run(const QString &name);
    std::vector<StepPoint> steps(int64_t run);
    int64_t lastStep(int64_t run);  // the highest step recorded, 0 for none
    std::vector<EvalPoint> evals(int64_t run);
    std::vector<RunEvent> events(int64_t run);
    // The run's checkpoints in step order, without their bytes.
    std::vector<CheckpointRecord> checkpointList(int64_t run);
    // One checkpoint whole: by id, or the run's latest (the one of the highest step).
    std::optional<CheckpointRecord> checkpoint(int64_t id);
    std::optional<CheckpointRecord> latestCheckpoint(int64_t run);
    std::vector<AttentionSnapshot> timeline(int64_t run);
    std::optional<ProbeSet> probes(int64_t run);
    QByteArray layout(const QString &key);

    QString error() const { return m_error; }

private:
    bool check(bool ok, const QSqlQuery &query, const char *doing);
    bool exec(const QString &sql, const char *doing);
    // Runs sql (one `?`: run) on the driver's SQLite connection itself and
    // hands each row to `row`: the curves' hundreds of thousands of rows,
    // without a QVariant per cell and a UTF-16 copy of every text
    // (docs/session.md, "Opening a large session"). False and error() when
    // it fails.
    bool readRows(const char *sql, int64_t run, const char *doing, const std::function<void(sqlite3_stmt *)> &row);
    // The driver's SQLite connection; null and error() when it gives none.
    sqlite3 *handle(const char *doing);
    bool sqliteFailed(const char *doing, const char *why);  // error() says it; false
    bool connect(Mode mode, bool *fresh);
    bool createSchema();
    bool checkSchema();
    bool appendConfusion(int64_t run, const std::vector<EvalPoint> &evals, size_t budget);
    bool thinConfusion(int64_t run, size_t stride, int64_t from, size_t *bytes);
    bool confusionBytes(int64_t run, size_t *bytes);
    bool countEvals(int64_t run, int64_t *count);
    bool readConfusion(int64_t run, std::vector<EvalPoint> *evals);
    bool migrate();  // a version 1 file to this version (opened for writing)
    std::optional<CheckpointRecord> readCheckpoint(const QString &where, int64_t key);

    QString m_path;
    QString m_connection;   // Qt's name of the connection, unique per SessionFile
    QString m_error;
    int m_version = SessionVersion;  // the file's (checkSchema): 1 has no confusion table
    // What appendConfusion knows of a run's confusion rows: their bytes (read
    // at the run's first append here), the stride of the evaluations that
    // keep theirs, and the step of the latest (rows after it are checked at
    // the next append).
    struct ConfusionKept {
        size_t bytes = 0;
        size_t stride = 1;
        int64_t checked = 0;
    };
    std::map<int64_t, ConfusionKept> m_confusionKept;
};

// A dataset spec as the runs' records keep it and the session compares it:
// a file's clean absolute path (relative ones from the current directory,
// as the loader reads them), so that the window, which opens a file by the
// path typed, and attnscope-cli, from another directory, name the same file
// alike; "builtin:NAME[?...]" as it is. besideFile (a session file): a
// relative path that is not there from the current directory is taken
// from that file's directory when it is there.
QString absoluteDatasetSpec(const QString &spec, const QString &besideFile = QString());

// The header checks of open(), on the file's first bytes and size, before
// SQLite reads it: "" when it may be an SQLite database of that size,
// otherwise why not ("is not an SQLite database", "is truncated: ...").
// hasWal: a write-ahead log beside it holds pages the file may not have yet.
QString checkSqliteHeader(const QByteArray &head, qint64 fileSize, bool hasWal);

// The snapshot's JSON as the timeline table keeps it, and back (false and
// *error when the text is not such a snapshot).
QByteArray timelineJson(const AttentionSnapshot &snapshot);
bool parseTimelineJson(const QByteArray &json, AttentionSnapshot *snapshot, QString *error);

} // namespace attnscope
