// The application's main window: it assembles the panels (Dataset, Model,
// Training on the left, the views in a central tab widget — "Curves" here,
// the attention views add their own tab), the training toolbar, the File
// menu and the status bar, and connects them to the TrainingController. The
// panels and the plot are their own classes; this class only wires them.
#pragma once

#include "appearance.h"
#include "controlstate.h"
#include "datasetsummary.h"
#include "trainingcontroller.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <tuple>

class QAction;
class QComboBox;
class QCustomPlot;
class QLabel;
class QMenu;
class QTabWidget;
class QThread;

namespace attnscope {

class DatasetPanel;
class LossPlot;
class ModelPanel;
class TrainingPanel;
class TrainingStatus;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Loads a dataset ("builtin:reviews", a path) and prepares a model for
    // it; CSV/TSV files with the column roles in options (empty: guessed),
    // shown in the Dataset panel. A failed load keeps the open dataset; a
    // run that does not fit in memory is refused (false, lastError() says
    // why) with the data open and no run until settings that fit are chosen.
    // Synchronous: returns when the dataset is open (tests, --data at start).
    // It supersedes a load openDatasetAsync has in flight.
    bool openDataset(const QString &spec, const LoadOptions &options = {});
    // The same on a worker thread (Open…, drops, recent files, the Dataset
    // panel): the window stays responsive, the panel shows the progress and
    // datasetLoadFinished says how it ended. Until then the open dataset,
    // model and run stay as they are; a request made while one is in flight
    // supersedes it (the older one stops at its next progress report and its
    // result is dropped).
    void openDatasetAsync(const QString &spec, const LoadOptions &options = {});
    bool isLoadingDataset() const { return m_loadThread != nullptr; }
    // Stops openDatasetAsync's load in flight at its next progress report
    // (the Dataset panel's Cancel): the open dataset and run stay.
    void cancelLoad();
    // A new run for changed settings is built on a thread when the data has
    // at least this many samples (encoding them takes longer than a frame);
    // the controls wait for it. Smaller data is encoded at once.
    static constexpr size_t AsyncSetupSamples = 20000;
    bool isPreparingRun() const { return m_setupThread != nullptr; }
    // Loads a checkpoint: its configuration, vocabulary and weights.
    bool openCheckpoint(const QString &path);
    bool saveCheckpoint(const QString &path);
    bool exportCurves(const QString &path);
    bool exportPlot(const QString &path);

    // The placeholder's API, kept: the spec shown in the status bar.
    void setDataSpec(const QString &spec);
    QString dataSpec() const { return m_dataSpec; }

    // Validation of the current weights on the validation split (empty result without data).
    EvalResult evaluateNow() const;
    // Training > Evaluate now: the same on a thread, the result in the status bar.
    void evaluateInBackground();
    bool isEvaluating() const { return m_evalThread != nullptr; }
    QAction *evaluateAction() const { return m_evaluate; }

    QCustomPlot *lossPlot() const;
    LossPlot *curves() const { return m_curves; }
    QTabWidget *views() const { return m_views; }
    TrainingController *training() const { return m_training; }
    DatasetPanel *datasetPanel() const { return m_datasetPanel; }
    ModelPanel *modelPanel() const { return m_modelPanel; }
    TrainingPanel *trainingPanel() const { return m_trainingPanel; }
    std::shared_ptr<const Dataset> dataset() const { return m_data; }
    QString lastError() const { return m_lastError; }
    ControlState controls() const { return m_controls; }

    QAction *startAction() const { return m_start; }
    QAction *pauseAction() const { return m_pause; }
    QAction *stepAction() const { return m_step; }
    QAction *stopAction() const { return m_stop; }
    QAction *resetAction() const { return m_reset; }
    // The toolbar's speed: at most this many steps a second (item data; 0: full speed).
    QComboBox *speedBox() const { return m_speed; }
    // Sets it (a rate not in the box is added to it); persist: remember it
    // for the next start (false: this run only, as `attnscope --speed`).
    void setSpeed(double stepsPerSecond, bool persist = true);
    QAction *themeAction(Theme theme) const;
    // View > Theme: the application's palette; persist: remember it for the next start.
    void setTheme(Theme theme, bool persist = true);

    // Space pauses or resumes whatever has focus, except where it types text.
    static bool typesText(const QWidget *widget);

signals:
    // A new run was set up (dataset, model or checkpoint changed).
    void setupChanged(std::shared_ptr<const attnscope::TrainingSetup> setup);
    // openDatasetAsync: percent done (reading the file up to 90, then the summary and the run).
    void datasetLoadProgress(const QString &spec, int percent);
    // openDatasetAsync: the load of spec ended (ok: it is the open dataset now,
    // with its run; a run refused for memory leaves the data open, ok false).
    void datasetLoadFinished(const QString &spec, bool ok);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createPanels();
    // prebuilt: the run openDatasetAsync's thread built for these settings;
    // refused: why that thread could not build it.
    bool rebuildSetup(std::shared_ptr<TrainingSetup> prebuilt = {}, const std::string &refused = {});
    struct LoadJob;
    std::shared_ptr<LoadJob> makeLoadJob(const QString &spec, const LoadOptions &options) const;
    bool applyLoad(const LoadJob &job);
    void startLoad(const QString &spec, const LoadOptions &options);
    void finishLoad(const std::shared_ptr<LoadJob> &job, int generation);
    // Runs work on a thread of its own, named name, with *slot pointing to it;
    // once it has ended: joined, deleted, *slot null again, then done() on
    // the GUI thread. The destructor waits for the threads still running.
    void runOnThread(QThread **slot, const QString &name, std::function<void()> work, std::function<void()> done);
    void updateControls();
    void onSnapshot(const TrainingSnapshot &snapshot);
    void onState(TrainingWorker::State state, const QString &message);
    void onSettingsNeedNewRun();
    void showError(const QString &message);
    void togglePause();
    void addRecent(const QString &path);
    void updateRecentMenu();
    void readSettings();
    void writeSettings() const;
    QString askOpen(const QString &title, const QString &filter, const QString &key);
    QString askSave(const QString &title, const QString &filter, const QString &key, const QString &name);

    TrainingController *m_training = nullptr;
    DatasetPanel *m_datasetPanel = nullptr;
    ModelPanel *m_modelPanel = nullptr;
    TrainingPanel *m_trainingPanel = nullptr;
    LossPlot *m_curves = nullptr;
    class AttentionPanel *m_attention = nullptr;
    class AttentionFeed *m_attentionFeed = nullptr;  // the worker's live attention to m_attention
    QTabWidget *m_views = nullptr;
    TrainingStatus *m_status = nullptr;
    QLabel *m_dataLabel = nullptr;
    QMenu *m_recentMenu = nullptr;

    QAction *m_start = nullptr, *m_pause = nullptr, *m_step = nullptr, *m_stop = nullptr, *m_reset = nullptr;
    QAction *m_save = nullptr, *m_exportCurves = nullptr, *m_exportPlot = nullptr, *m_evaluate = nullptr;
    QAction *m_themeSystem = nullptr, *m_themeLight = nullptr, *m_themeDark = nullptr;
    QAction *m_slower = nullptr, *m_faster = nullptr;
    QComboBox *m_speed = nullptr;
    double m_savedSpeed = 0;       // what writeSettings keeps: the user's last choice
    bool m_speedForRun = false;    // setSpeed(..., false) is changing the box

    std::shared_ptr<const Dataset> m_data;
    std::shared_ptr<const Dataset> m_runData;  // what the worker's run was built on (null: no data)
    LoadOptions m_dataOptions;  // the column roles m_data was loaded with
    DatasetSummary m_summary;   // of m_data, for m_summaryKey's seed and max length
    std::tuple<const Dataset *, uint64_t, int> m_summaryKey{nullptr, 0, 0};
    std::shared_ptr<const Model> m_checkpoint;  // weights to start from instead of a fresh model
    QString m_dataSpec;
    QString m_lastError;
    TrainingSnapshot m_last;
    ControlState m_controls;
    int m_run = -1;
    bool m_askPending = false;

    QThread *m_loadThread = nullptr;  // openDatasetAsync's, while it runs
    std::shared_ptr<LoadJob> m_loadJob;  // what m_loadThread runs
    int m_loadGeneration = 0;         // the latest request; older results are dropped
    std::optional<std::pair<QString, LoadOptions>> m_nextLoad;  // asked for while one ran

    struct SetupJob;
    std::shared_ptr<SetupJob> makeSetupJob() const;
    bool applySetup(const SetupJob &job);
    void finishSetup(const std::shared_ptr<SetupJob> &job, int generation);
    QThread *m_setupThread = nullptr;  // rebuildSetup's for large data, while it runs
    int m_setupGeneration = 0;         // the latest run asked for; older builds are dropped
    bool m_setupAgain = false;         // settings changed while a build ran: build again after it
    QThread *m_evalThread = nullptr;   // Evaluate now's, while it runs
};

} // namespace attnscope
