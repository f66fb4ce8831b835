// A session: the open dataset and its summary, the checkpoint a run starts
// from, the runs, and the work that makes them off the GUI thread (loading a
// dataset, building a run, evaluating). It holds no widget: the window asks
// it to open, build, reset and evaluate, answers settings() from its panels,
// and shows what the session's signals say.
//
//   window ---- openDataset / openCheckpoint / newRun / reset / evaluate ---> Session
//   Session --- settings() (the Model and Training panels, read when needed) <-- window
//   Session --- loading, datasetOpened, summaryChanged, runConfigured, status, failed ---> window
//   Run::controller() --- snapshots, states, attention ---> window's views
//
// Every new run goes through planRun (runplan.h): what it starts from (the
// checkpoint when the data fits it, the lesson's depth on a newly opened
// built-in) is decided in that one place.
#pragma once

#include "data/csvreader.h"
#include "datasetsummary.h"
#include "run.h"
#include "sessionfile.h"
#include "sessionrecorder.h"

#include <QObject>
#include <QString>

#include <deque>
#include <map>
#include <functional>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

class QLockFile;
class QThread;

namespace attnscope {

struct ForkFrom;
struct LoadJob;
struct RunBuildJob;

class Session : public QObject {
    Q_OBJECT

public:
    // The validation share of every split the session makes.
    static constexpr double ValFraction = 0.2;
    // A new run for changed settings is built on a thread when the data has
    // at least this many samples (encoding them takes longer than a frame);
    // smaller data is encoded at once.
    static constexpr size_t AsyncSetupSamples = 20000;

    explicit Session(QObject *parent = nullptr);
    ~Session() override;  // shutdown()
    // Stops a load in flight at its next progress report, waits for it and
    // for a build or evaluation in flight (their results are dropped), then
    // stops every run's worker between two steps and joins its thread. The
    // runs are inert afterwards.
    void shutdown();

    // Where the settings of a new run come from (the window's panels); read
    // each time a run is planned, so they are never stale. Default: RunSettings().
    void setSettingsSource(std::function<RunSettings()> source) { m_settings = std::move(source); }
    // While runs are compared, the variant's settings; while a fork is
    // built, the fork's (forkRun).
    RunSettings settings() const;

    // --- The dataset.
    // Loads a dataset ("builtin:reviews", a path) and prepares a run for it;
    // CSV/TSV files with the column roles in options (empty: guessed). A
    // failed load keeps the open dataset and run. Synchronous: returns when
    // the dataset is open. It supersedes a load openDatasetAsync has in flight.
    bool openDataset(const QString &spec, const LoadOptions &options = {});
    // The same on a thread: loadProgress reports, loadFinished says how it
    // ended. Until then the open dataset and run stay; a request made while
    // one is in flight supersedes it (the older one stops at its next
    // progress report and its result is dropped).
    void openDatasetAsync(const QString &spec, const LoadOptions &options = {});
    // Stops openDatasetAsync's load at its next progress report: the open dataset and run stay.
    void cancelLoad();
    bool isLoadingDataset() const { return m_loadThread != nullptr; }
    std::shared_ptr<const Dataset> dataset() const { return m_data; }
    QString dataSpec() const { return m_dataSpec; }
    // Whether `spec` (a run's record) names the open data, by its absolute
    // path (absoluteDatasetSpec: the CLI records that, the window opens a
    // file by the path typed).
    bool isOpenData(const QString &spec) const
    {
        return m_data && absoluteDatasetSpec(spec) == absoluteDatasetSpec(m_dataSpec);
    }
    const LoadOptions &dataOptions() const { return m_dataOptions; }  // the column roles it was loaded with

    // --- The checkpoint: a run's initial weights instead of a fresh model.
    // Loads it (configuration, vocabulary, weights) and starts a run from it
    // on the open data when the data fits it; otherwise the data is closed
    // and the weights are there to save and inspect.
    bool openCheckpoint(const QString &path);
    std::shared_ptr<const Model> checkpoint() const { return m_checkpoint; }
    // The path it was opened from (the last one opened).
    QString checkpointPath() const { return QString::fromStdString(m_checkpointName); }
    // The settings' model replaces the checkpoint in the next run.
    void dropCheckpoint() { m_checkpoint.reset(); }
    // Writes the current run's weights of this step to path (safetensors,
    // atomically); failed() says why not.
    bool saveCheckpoint(const QString &path);

    // --- The runs.
    Run *currentRun() const { return m_run; }
    // A new run on the open data from settings() (or the checkpoint):
    // `prebuilt` when a load has built it for the same plan (or `refused`:
    // why that load could not), else built now, on a thread for large data
    // (isPreparingRun until it is configured; a request made meanwhile
    // wins). A run that does not fit in the memory budget is refused: the
    // data stays open, with no run until settings that fit are chosen.
    bool newRun(std::shared_ptr<TrainingSetup> prebuilt = {}, const std::string &refused = {});
    bool isPreparingRun() const { return m_setupThread != nullptr; }
    // A setting that only a new run can take changed: applied at once when
    // the run has not trained yet (false); true when the run has trained and
    // the window should ask whether to start over now (newRunPending until
    // a new run or Reset takes the change).
    bool settingsChanged();
    bool newRunPending() const { return m_newRunPending; }
    // Reset: a new run when settings changed since the run was built,
    // otherwise the same run from its initial weights.
    void reset();

    // Start: trains the current run; after it finished or stopped, a new run
    // from the initial weights (the one that ended is kept).
    void start();

    // --- Every run: the current one and the kept ones (earlier runs: a new
    // setup, Reset or a new start after the end begins a new run and keeps
    // the one that trained, with its curves).
    const std::vector<std::unique_ptr<KeptRun>> &keptRuns() const { return m_kept; }
    // A new run's default name: "Run N" after the highest N of the kept
    // runs' names (a reopened file's too, "run N" of attnscope-cli's).
    QString nextRunName() const;
    // Whether a name is one nextRunName gave ("Run 3", "Run 1 (2)").
    static bool hasDefaultName(const QString &name);
    // Renames a run (the current one or a kept one); false when another run has the name.
    bool renameRun(int id, const QString &name);
    // Whether the plot overlays a kept run.
    void setRunShown(int id, bool shown);
    // A kept run goes from the session; undoDelete() brings the last one
    // deleted back where it was. The session file loses it when it can no
    // longer come back: when the session closes or goes to another file
    // (until then a crash leaves it in the file).
    void deleteRun(int id);
    bool canUndoDelete() const { return !m_deleted.empty(); }
    QString lastDeletedName() const { return m_deleted.empty() ? QString() : m_deleted.back().run->name; }
    bool undoDelete();
    // The run the others are measured against (the Runs panel colours their
    // figures better or worse than its); 0: none. A kept run or the current one.
    int referenceRun() const { return m_reference; }
    void setReferenceRun(int id);

    // One sample of the open data (datasetIndex into Dataset::samples)
    // through a run's latest weights: the current run's of this step, a kept
    // run's as it ended, or its last checkpoint in the session file. A
    // snapshot of that one sample (its step: the weights'), or false and
    // *why when the run has no weights here or cannot read the open data.
    //
    // view.atStep >= 0: through its weights at that step or, when it went
    // further, its last checkpoint in the session file at or before it (the
    // snapshot's step says which; false and *why when it has none there).
    // view.explain: the sample's explanations too (every score of
    // explain.h, without the faithfulness passes), as
    // AttentionSample::explanation, for the views' score choice.
    struct RunView {
        int64_t atStep = -1;
        bool explain = false;
    };
    bool runAttention(int id, int datasetIndex, AttentionSnapshot *out, QString *why, const RunView &view);
    bool runAttention(int id, int datasetIndex, AttentionSnapshot *out, QString *why)
    {
        return runAttention(id, datasetIndex, out, why, RunView());
    }
    // The last step run `id` trained to (its curves'), 0: none.
    int64_t runSteps(int id) const;

    // --- Forks: a child run from a checkpoint the session file keeps of a
    // run (sessionfork.cpp). The checkpoints of run `id` there, in step
    // order (kept ones every keepEvery steps, bounded, and the last), without
    // their bytes; empty and *why when there are none: the session has no
    // file, the run has none there yet, or the file cannot be written or
    // read (the error, naming it).
    std::vector<CheckpointRecord> forkPoints(int id, QString *why = nullptr);
    // A new current run from checkpoint `checkpointId` of run `id`
    // (forkPoints): its weights and the trainer's state there (optimiser
    // moments, position in the epoch), the parent's model and seed (the same
    // split and batch order) and settings()' training settings (what the
    // child changes: learning rate, steps, batch, task weights, mu). Its
    // curves start at the checkpoint's step; the run it was (the current
    // one, when it trained) is kept. False and failed() when the checkpoint
    // is not there or the open data is not the parent's.
    bool forkRun(int id, int64_t checkpointId);
    // Resume: kept run `id` (one of a reopened session file, or one that
    // ended) goes on as the current run, the same run: its id, name, row
    // in the file and curves (cut at the checkpoint), from its latest
    // checkpoint in the file with the trainer's state there (what
    // attnscope-cli train --resume does: the same weights, optimiser
    // moments, split and batch order), its own model and training settings
    // but the Training panel's Steps or Epochs as its total. The current
    // run, when it trained, is kept. False and failed() when the run has
    // no checkpoint there or the open data is not its own. start: it
    // trains once ready (the Runs tab's Resume), else it waits at its step.
    bool resumeRun(int id, bool start = false);
    // Why kept run `id` cannot be resumed ("": it can, as far as the
    // session can tell without reading its checkpoint).
    QString cannotResume(int id) const;

    // --- Comparisons: runs trained one after another (one at a time: the
    // cores are the run's) on the open data, from the same seed (the same
    // split and batch order) and the same initial weights wherever their
    // parameters coincide (the first variant's, copyCoinciding). Each
    // becomes a run of the session named as its variant; the last one stays
    // the current run. Stop, Reset or a new setting ends the comparison
    // after the run in progress.
    struct Variant {
        QString name;
        RunSettings settings;
    };
    bool compareRuns(const QString &what, std::vector<Variant> variants);
    bool isComparing() const { return m_variant.has_value() || !m_variants.empty(); }
    void stopComparing();
    // The variants of the settings `base` for a comparison: the four
    // attention modes; 0 and 1 encoder layer; the learning rate / 3, x 1, x 3.
    enum class Comparison { Modes, Layers, LearningRates };
    static std::vector<Variant> variants(Comparison comparison, const RunSettings &base);

    // --- The session file (docs/session.md): every run, written while it trains.
    // Opens one: its runs become the kept runs (the session's earlier ones
    // go), the current run joins it. False (failed() names the file) when it is
    // no session of this version; nothing changes then.
    bool openSessionFile(const QString &path);
    // Writes the session (every run, and from now on what trains) to path,
    // replacing a file there whole; the session goes on in path.
    bool saveSessionAs(const QString &path);
    QString sessionPath() const { return m_recorder->path(); }
    // Commits what the session file was given so far and waits for it; false
    // and *error when a write failed since the last flush.
    bool flushSessionFile(QString *error) { return m_recorder->flush(error); }
    // Runs that no session file of the user's has (File > Open Session would drop them).
    bool hasUnsavedRuns() const;
    // The window's layout (docks, splitters, the tab shown) as the session
    // file keeps it, by key: written with the file's next commit (nothing
    // without a file), read from the file (empty: none there).
    void setLayout(const QString &key, const QByteArray &value) { m_recorder->setLayout(key, value); }
    QByteArray layout(const QString &key) const;

    // --- Recovery: while the session has no file of the user's, it is
    // written to a recovery file in `dir` (locked while this session has
    // it), so that a crash loses at most the writer's last half second and
    // the next start can offer the runs back. Save session as moves the
    // session to the user's file and removes the recovery file, as opening
    // another session does; one that holds no run is removed when the
    // session closes, one that holds runs stays for the next start.
    bool startRecovery(const QString &dir);
    bool isRecovery() const { return m_recoveryLock != nullptr; }
    QString recoveryPath() const { return m_recoveryPath; }
    // The recovery files in dir that no running AttnScope holds and that
    // hold a run, the newest first.
    static QStringList recoverableSessions(const QString &dir);
    // Opens one (from recoverableSessions) as this session's recovery file:
    // its runs become the kept runs, and it goes on recording.
    bool restoreRecovery(const QString &path);
    // Removes a recovery file that no running AttnScope holds (and its log and lock).
    static bool discardRecovery(const QString &path);

    // --- Evaluation of the current run's weights on its validation split.
    EvalResult evaluateNow() const;  // here, now (empty without data)
    // On a thread with a copy of the weights of this step; evaluated() reports.
    // False when there is nothing to evaluate.
    bool evaluateInBackground();
    bool isEvaluating() const { return m_evalThread != nullptr; }

signals:
    // openDatasetAsync: spec waits for the load in flight to stop, starts, reads (percent of the
    // file up to 90, then the summary and the run), is being cancelled; loadEnded: nothing loads.
    void loadQueued(const QString &spec);
    void loadStarted(const QString &spec);
    void loadProgress(const QString &spec, int percent);
    void loadCancelling(const QString &spec);
    void loadEnded();
    // The load of spec ended (ok: it is the open dataset now).
    void loadFinished(const QString &spec, bool ok);
    // A CSV/TSV file's columns as the reader guessed or was told (also when the load failed).
    void columnsGuessed(const QString &spec, const std::vector<attnscope::CsvColumn> &columns, const QString &problem);
    // The load of spec failed: message says why; the open dataset (if any) stays.
    void loadFailed(const QString &spec, const QString &message);
    // spec is the open dataset now (csv: a CSV/TSV file, whose columns were shown).
    void datasetOpened(const QString &spec, bool csv);
    // A built-in lesson's depth replaced the settings' (docs/datasets.md).
    void lessonApplied(const attnscope::ModelConfig &config);
    // A checkpoint was opened: the settings' model is now its configuration.
    void checkpointOpened(const QString &path, const attnscope::ModelConfig &config);
    // The checkpoint opened does not fit the open data `spec`, which closed: why (fitToModel's words).
    void checkpointMisfit(const QString &spec, const QString &why);
    // The open dataset's summary for the current run's split and max length.
    void summaryChanged(const attnscope::Dataset *data, const attnscope::DatasetSummary &summary);
    // The run was configured with a new setup (null: it has none).
    void runConfigured(attnscope::Run *run, std::shared_ptr<const attnscope::TrainingSetup> setup);
    // A load, a run's build or an evaluation started or ended.
    void busyChanged();
    // evaluateInBackground's result for the weights after `step` steps.
    void evaluated(int64_t step, const attnscope::EvalResult &result, const std::vector<attnscope::TaskInfo> &tasks);
    // A line for the status bar (empty: clear it); timeout in ms, 0: until replaced.
    void status(const QString &text, int timeout);
    // Something the user asked for failed: what and why.
    void failed(const QString &message);
    // A run was kept, renamed, shown or hidden, or deleted; the current run began anew.
    void runsChanged();
    // A comparison began a run (`done` of `total` ended) or ended (done == total).
    void comparisonProgress(int done, int total, const QString &what);
    // The session's runs are written to this file from now on.
    void sessionFileChanged(const QString &path);

private:
    // A run from settings' model, or from the checkpoint when the data fits it.
    RunRequest request(const ModelConfig &config, bool lessonDepth) const;
    std::shared_ptr<LoadJob> makeLoadJob(const QString &spec, const LoadOptions &options) const;
    void startLoad(const QString &spec, const LoadOptions &options);
    void finishLoad(const std::shared_ptr<LoadJob> &job, int generation);
    bool applyLoad(const LoadJob &job);
    std::shared_ptr<RunBuildJob> makeBuildJob(const RunSettings &settings) const;
    void finishBuild(const std::shared_ptr<RunBuildJob> &job, int generation);
    bool applyBuild(const RunBuildJob &job);
    void configureRun(std::shared_ptr<const TrainingSetup> setup, std::shared_ptr<const Dataset> data,
                      const RunSettings &settings, const std::shared_ptr<const ForkFrom> &fork = {});
    // A run of the panels' settings built meanwhile: the learning rate, task
    // weights and mu they have now, into its settings and its setup.
    void takeChangedSettings(RunSettings *settings, TrainingSetup *setup) const;
    // A resumed run's setup: the learning rate, task weights and mu its trainer had at the checkpoint.
    static void continueWithItsSettings(TrainingSetup *setup, const TrainerState &state);
    // newRun() building `fork` (m_fork for that call, whatever it throws).
    bool newFork(std::shared_ptr<const ForkFrom> fork);
    // A new run for settings that changed: the current run is a fork not
    // given another model (its epochs, batch, optimiser... changed): the
    // fork again, from its checkpoint, with them; otherwise newRun().
    bool newRunForSettings();
    // The current run, when it trained, becomes a kept run; the current one
    // takes a new id and name.
    void keepCurrentRun();
    RunRecord currentRecord() const;
    // The kept runs and the current one, when it trained, into the file the
    // recorder has just opened (Save session as, a new recovery file).
    void writeRuns();
    QString freeRunName(const QString &wanted) const;
    // The kept run of that id; null: none.
    KeptRun *keptRun(int id) const;
    // A run's row in the session file (0: none) and its name ("": no such run).
    int64_t fileIdOf(int id) const;
    QString runName(int id) const;
    // A checkpoint of the run of row fileId in the session file, whole:
    // checkpointId's, or (0) the run's latest; *error when there is none.
    std::optional<CheckpointRecord> readCheckpoint(int64_t fileId, int64_t checkpointId, QString *error) const;
    // The checkpoint checkpointId (0: the latest) of run `id` in the
    // session file, read and checked against the open data (the run's own,
    // split as the window splits), as a fork or a resume starts from it:
    // its weights, model, trainer state and point {id, step}; *train the
    // run's training settings. Null and *why when it cannot be.
    // check: what the caller refuses of the run's training settings, before the file is read ("": nothing).
    std::shared_ptr<ForkFrom> checkpointOf(int id, int64_t checkpointId, TrainConfig *train, QString *why,
                                           const std::function<QString(const TrainConfig &)> &check = {});
    // A resumed run's build was applied (configureRun): kept run
    // `fork.resumes` becomes the current run, its curves cut at the checkpoint.
    void continueKeptRun(const ForkFrom &fork);
    // The next variant of a comparison, or its end.
    void nextVariant();
    // The deleted runs leave the session file for good.
    void purgeDeleted();
    // The recovery file goes (the session is in a file of the user's now, or has no run).
    void endRecovery(bool remove);
    bool nameInUse(const QString &name, int exceptId) const;
    // Runs work on a thread of its own, named name, with *slot pointing to it;
    // once it has ended: joined, deleted, *slot null again, then done() on
    // the GUI thread. The destructor waits for the threads still running.
    void runOnThread(QThread **slot, const QString &name, std::function<void()> work, std::function<void()> done);

    std::function<RunSettings()> m_settings;
    Run *m_run = nullptr;
    int m_nextRunId = 1;
    std::vector<std::unique_ptr<KeptRun>> m_kept;
    struct Deleted {
        std::unique_ptr<KeptRun> run;
        size_t index;  // where it was in m_kept
    };
    std::vector<Deleted> m_deleted;  // the last one deleted last
    int m_reference = 0;
    std::deque<Variant> m_variants;          // still to train
    std::optional<Variant> m_variant;        // the one being built or trained
    std::shared_ptr<const Model> m_compareFrom;  // the first variant's initial weights
    QString m_compareWhat;
    int m_compareTotal = 0;
    std::shared_ptr<const ForkFrom> m_fork;  // the fork newRun builds (newFork, for that call only)
    std::shared_ptr<const ForkFrom> m_runFork;  // the fork the current run was built as; null: none
    SessionRecorder *m_recorder = nullptr;
    std::unique_ptr<QLockFile> m_recoveryLock;  // held while the session records into m_recoveryPath
    QString m_recoveryPath;

    std::shared_ptr<const Dataset> m_data;
    QString m_dataSpec;
    LoadOptions m_dataOptions;
    bool m_dataRolesGiven = false;  // the user chose its roles: a checkpoint opened later does not replace them
    DatasetSummary m_summary;   // of m_data, for m_summaryKey's seed and max length
    std::tuple<const Dataset *, uint64_t, int> m_summaryKey{nullptr, 0, 0};
    std::shared_ptr<const Model> m_checkpoint;
    std::string m_checkpointName;  // its path, for messages
    bool m_newRunPending = false;

    QThread *m_loadThread = nullptr;       // openDatasetAsync's, while it runs
    std::shared_ptr<LoadJob> m_loadJob;    // what m_loadThread runs
    int m_loadGeneration = 0;              // the latest request; older results are dropped
    std::optional<std::pair<QString, LoadOptions>> m_nextLoad;  // asked for while one ran

    QThread *m_setupThread = nullptr;      // newRun's for large data, while it runs
    int m_setupGeneration = 0;             // the latest run asked for; older builds are dropped
    bool m_setupAgain = false;             // settings changed while a build ran: build again after it
    std::shared_ptr<const ForkFrom> m_forkAgain;  // the fork to build then (null: a run from settings())
    QThread *m_evalThread = nullptr;       // evaluateInBackground's, while it runs
    // runAttention's weights of checkpoints read from the session file, by
    // (file, checkpoint id): Side by side asks for the same ones again.
    std::map<std::pair<QString, int64_t>, std::shared_ptr<const Model>> m_viewWeights;
};

} // namespace attnscope
