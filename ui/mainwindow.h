// The application's main window: it assembles the panels (Dataset, Model,
// Training on the left, the views in a central tab widget — "Curves" here,
// the attention views add their own tab), the training toolbar, the menus
// and the status bar, and connects them to the Session (live/session.h),
// which owns the data, the checkpoint, the runs and the work off the GUI
// thread. The panels and the plot are their own classes; this class only
// wires them: mainwindow.cpp builds the window, its actions and menus,
// mainwindowsession.cpp follows the Session, mainwindowfiles.cpp opens,
// saves and exports files, mainwindowlessons.cpp runs the guided lessons.
#pragma once

#include "appearance.h"
#include "controlstate.h"
#include "helpmenu.h"
#include "pausekey.h"
#include "session.h"
#include "thememenu.h"
#include "trainingtoolbar.h"

#include <QDeadlineTimer>
#include <QMainWindow>
#include <QString>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

class QAction;
class QMenu;
class QComboBox;
class QCustomPlot;
class QTabWidget;

namespace attnscope {

class AttentionFeed;
class AttentionPanel;
class Confirmations;
class ConfusionPanel;
class DatasetPanel;
class ElidedLabel;
class FileMenu;
class LessonPanel;
struct LessonStep;
class LossPlot;
class ModelPanel;
class RestoreBestAction;
class RunsPanel;
class SetupDock;
class SideBySide;
class StatusMessages;
class TrainingPanel;
class TrainingStatus;
class ZoomActions;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // The data, the checkpoint, the runs and their jobs.
    Session *session() const { return m_session; }

    // Loads a dataset ("builtin:reviews", a path) and prepares a run for it
    // (Session::openDataset); CSV/TSV files with the column roles in options
    // (empty: guessed), shown in the Dataset panel. A failed load keeps the
    // open dataset; a run that does not fit in memory is refused (false,
    // lastError() says why) with the data open and no run until settings
    // that fit are chosen. Synchronous (tests, --data with --screenshot);
    // the wait cursor shows meanwhile.
    bool openDataset(const QString &spec, const LoadOptions &options = {});
    // The same on a thread (Open…, drops, recent files, the Dataset panel):
    // the panel shows the progress and datasetLoadFinished says how it ended.
    void openDatasetAsync(const QString &spec, const LoadOptions &options = {});
    bool isLoadingDataset() const { return m_session->isLoadingDataset(); }
    void cancelLoad() { m_session->cancelLoad(); }
    static constexpr size_t AsyncSetupSamples = Session::AsyncSetupSamples;
    bool isPreparingRun() const { return m_session->isPreparingRun(); }
    bool openCheckpoint(const QString &path) { return m_session->openCheckpoint(path); }
    // File > Open attention, attnscope --attention: attention another program
    // computed (core/attentionfile.h) in the Attention tab, for inspection
    // (AttentionPanel::showFile); false and lastError() ("file:line: what")
    // when the file is refused, the views unchanged.
    bool openAttention(const QString &path);
    // Lessons > (docs/lessons.md, ui/mainwindowlessons.cpp): a guided lesson
    // in the Lesson panel, by a built-in's name (its file's without the
    // number: "cue-words") or a file's path; its first step applies. False
    // and lastError() ("file:line: what") when it is refused.
    bool openLesson(const QString &nameOrPath);
    // The built-in lessons' resource paths (":/lessons/1-cue-words.json"), in order.
    static QStringList builtinLessons();
    static QString lessonName(const QString &path);  // "cue-words"
    LessonPanel *lessonPanel() const { return m_lessonPanel; }
    // Applies a step: its data, model and training settings (a new run when
    // the model or the run's length changed or it asks for one), the view, score and probe
    // text; then it trains to its step, or compares runs, and selects the
    // probe sample it names. lessonStepDone follows once that is over (at
    // once when it trains nothing). False (lastError()) when its data fails to open.
    bool applyLessonStep(const LessonStep &step);
    // File > Open session, Save session as (Session::openSessionFile, saveSessionAs; recent sessions).
    // The session file keeps the window's layout: written on Save session as
    // and when the window closes, restored by Open session.
    // openItsData false: the caller opens other data at once (attnscope
    // --session F --data X), then calls showReopenedRunSettings().
    bool openSession(const QString &path, bool openItsData = true);
    bool saveSessionAs(const QString &path);
    // After Open session, once its data is open: the Model and Training
    // panels show the session's newest run on the open data (its model,
    // seed and training settings), and the untrained current run is built
    // with them; nothing when no run of the session trained on that data.
    void showReopenedRunSettings();
    // The session goes to a recovery file in dir until it has a file of the
    // user's (Session::startRecovery). When dir holds the runs of a session
    // that ended without being saved (a crash, a close), it first asks
    // whether to restore them (the newest), discard them or keep them for
    // later; recoveryAsked() says so (the question, not yet answered).
    void startRecovery(const QString &dir);
    // The user's answer to the question: QMessageBox::Yes restores, Discard removes, Cancel keeps them.
    void answerRecovery(int answer);
    // Where the application keeps its recovery files.
    static QString recoveryDir();
    RunsPanel *runs() const { return m_runs; }
    SideBySide *sideBySide() const { return m_sideBySide; }
    ConfusionPanel *confusion() const { return m_confusion; }
    // A validation sample in the Attention tab (the Confusion tab's misses):
    // selected when the probes show it, else added to them and selected when
    // the worker's snapshot of them comes; Side by side takes it too.
    void showSampleInAttention(int datasetIndex);
    bool saveCheckpoint(const QString &path);
    bool exportCurves(const QString &path);
    bool exportPlot(const QString &path);

    // The spec shown in the status bar.
    void setDataSpec(const QString &spec);
    QString dataSpec() const { return m_dataSpec; }

    // Validation of the current weights on the validation split (empty result without data).
    EvalResult evaluateNow() const { return m_session->evaluateNow(); }
    // Training > Evaluate now: the same on a thread, the result in the status bar.
    void evaluateInBackground() { m_session->evaluateInBackground(); }
    bool isEvaluating() const { return m_session->isEvaluating(); }
    QAction *evaluateAction() const { return m_evaluate; }
    // Training > Restore best weights.
    RestoreBestAction *restoreBestAction() const { return m_restoreBest; }
    // Training > Compare: the runs of a comparison (Session::variants of the
    // panels' settings), one after another; and Stop comparing.
    QAction *compareAction(Session::Comparison which) const { return m_compare[int(which)]; }
    QAction *stopComparingAction() const { return m_stopComparing; }

    QCustomPlot *lossPlot() const;
    LossPlot *curves() const { return m_curves; }
    QTabWidget *views() const { return m_views; }
    AttentionPanel *attention() const { return m_attention; }
    // The current run's controller (its worker's controls and results).
    TrainingController *training() const { return m_session->currentRun()->controller(); }
    DatasetPanel *datasetPanel() const { return m_datasetPanel; }
    ModelPanel *modelPanel() const { return m_modelPanel; }
    TrainingPanel *trainingPanel() const { return m_trainingPanel; }
    std::shared_ptr<const Dataset> dataset() const { return m_session->dataset(); }
    QString lastError() const { return m_lastError; }
    // The status bar's message as it was given (the bar shows it cut to one
    // line; the tooltip has it whole); empty when none is shown.
    QString statusMessage() const;
    ControlState controls() const { return m_controls; }

    QAction *startAction() const { return m_toolbar->startAction(); }
    QAction *pauseAction() const { return m_toolbar->pauseAction(); }
    QAction *stepAction() const { return m_toolbar->stepAction(); }
    QAction *stopAction() const { return m_toolbar->stopAction(); }
    QAction *resetAction() const { return m_toolbar->resetAction(); }
    // The toolbar's speed: at most this many steps a second (item data; 0: full speed).
    QComboBox *speedBox() const { return m_toolbar->speedBox(); }
    // Sets it (a rate not in the box is added to it); persist: remember it
    // for the next start (false: this run only, as `attnscope --speed`).
    void setSpeed(double stepsPerSecond, bool persist = true) { m_toolbar->setSpeed(stepsPerSecond, persist); }
    QAction *themeAction(Theme theme) const { return m_themes->action(theme); }
    // View > Reset layout: the Setup panel docked on the left and shown, the toolbar shown.
    QAction *resetLayoutAction() const { return m_resetLayout; }
    void resetLayout();
    // View > Theme: the application's palette; persist: remember it for the next start.
    void setTheme(Theme theme, bool persist = true) { m_themes->setTheme(theme, persist); }
    // View > Zoom in, Zoom out, Actual size and Full screen.
    ZoomActions *zoom() const { return m_zoom; }
    StatusMessages *messages() const { return m_messages; }  // View > Messages
    // The view shown, as Help > What am I looking at? knows it: the tab, or
    // on the Attention tab the attention view shown.
    HelpMenu::View currentView() const;

    // The questions asked before work is thrown away (confirmations.h):
    // tests answer them with their own function.
    Confirmations *confirmations() const { return m_confirm; }

    // Space pauses or resumes whatever has focus, except where it types text (pausekey.h).
    static bool typesText(const QWidget *widget) { return PauseKey::typesText(widget); }

signals:
    // openDatasetAsync: percent done (reading the file up to 90, then the summary and the run).
    void datasetLoadProgress(const QString &spec, int percent);
    // openDatasetAsync: the load of spec ended (ok: it is the open dataset now,
    // with its run; a run refused for memory leaves the data open, ok false).
    void datasetLoadFinished(const QString &spec, bool ok);
    // applyLessonStep's training or comparison is over (or there was none).
    void lessonStepDone(int step);
    // A lesson's step did not apply (its data did not open): why.
    void lessonStepFailed(int step, const QString &why);

protected:
    void closeEvent(QCloseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void showEvent(QShowEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    bool event(QEvent *event) override;  // a menu's status tip gives the message back
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createViewMenu();
    void createCompareMenu(QMenu *menu);
    void createLessonMenu();
    bool selectSampleWith(const QString &token);
    // A lesson step's sample_with: a probe holding the token, added to the
    // run's probe set when none holds it (the choice need not take one, and
    // the step selects it once trained).
    void ensureProbeWith(const QString &token);
    QString lessonSampleWith() const;  // the open lesson's first sample_with ("" for none)
    // applyLessonStep's jobs: the settings, what ends the step, the views.
    bool applyLessonSettings(const LessonStep &step, bool *fresh);
    void waitForLessonStep(const LessonStep &step, bool fresh, const std::function<void()> &finish);
    void showLessonViews(const LessonStep &step);
    void lessonTrainTo(int64_t step, int lessonStep = -1);
    void whenRunReady(const std::function<void()> &then);
    bool canGoOn(int id) const;
    void createPanels();
    void connectSession();
    void connectDatasetLoads();
    // The docks and toolbars (saveState) and the tab shown, into the session
    // file, and back from it.
    void writeLayout();
    void restoreLayout();
    // The Model and Training panels as the session's settings for a new run.
    RunSettings runSettings() const;
    void updateControls();
    void onSnapshot(const TrainingSnapshot &snapshot);
    void onState(TrainingWorker::State state, const QString &message);
    void onRunConfigured(Run *run, std::shared_ptr<const TrainingSetup> setup);
    // The run selected in the Runs tab: an earlier run's attention timeline
    // in the Attention tab (AttentionPanel::showRun), the current run's again
    // when it is selected.
    void showRunAttention(int id);
    void onDatasetOpened(const QString &spec, bool csv);
    void onSettingsNeedNewRun();
    static QString settingsChangedNote();
    void onModelChanged();
    void showError(const QString &message);
    void openErrorBox(const QString &message);
    void showStatus(const QString &text, int timeout);
    // The status line's room: the read-out on the right at its least width
    // while a message shows, and without the data's name when the message
    // does not fit beside it.
    void makeStatusRoom(bool message, bool withoutData);
    bool selectShownSample(int datasetIndex);  // in the Attention tab, when its snapshot has it
    void showEvaluation(int64_t step, const EvalResult &result, const std::vector<TaskInfo> &tasks);
    void togglePause();
    // File > Open session, a recent one, a dropped file: asks first when runs no file has would go.
    void askToOpenSession(const QString &path);
    void openFile(const QString &path);  // a checkpoint or a dataset, by its suffix
    bool exportTo(const QString &path, const std::function<bool(const QString &, QString *)> &write);
    void sessionOpened(bool openItsData = true);  // its layout and its runs' data
    void fitTheScreen();  // after restoreGeometry: inside the screen it is on
    void readSettings();
    void writeSettings() const;

    Session *m_session = nullptr;
    DatasetPanel *m_datasetPanel = nullptr;
    ModelPanel *m_modelPanel = nullptr;
    TrainingPanel *m_trainingPanel = nullptr;
    LossPlot *m_curves = nullptr;
    RunsPanel *m_runs = nullptr;  // the Runs tab
    SideBySide *m_sideBySide = nullptr;  // the Side by side tab
    ConfusionPanel *m_confusion = nullptr;  // the Confusion tab
    int m_pendingSample = -1;  // showSampleInAttention's, until a snapshot shows it
    AttentionPanel *m_attention = nullptr;
    AttentionFeed *m_attentionFeed = nullptr;  // the run's live attention to m_attention
    QTabWidget *m_views = nullptr;
    TrainingStatus *m_status = nullptr;
    ElidedLabel *m_dataLabel = nullptr;
    FileMenu *m_file = nullptr;  // its recent files too
    TrainingToolbar *m_toolbar = nullptr;
    QAction *m_evaluate = nullptr;
    RestoreBestAction *m_restoreBest = nullptr;
    QAction *m_compare[3] = {};
    QAction *m_stopComparing = nullptr;
    QAction *m_resetLayout = nullptr;
    SetupDock *m_setup = nullptr;
    ThemeMenu *m_themes = nullptr;
    ZoomActions *m_zoom = nullptr;
    Confirmations *m_confirm = nullptr;
    LessonPanel *m_lessonPanel = nullptr;
    QMetaObject::Connection m_lessonWait;  // the step's training or comparison, until it is over
    std::set<int> m_lessonCompared;  // the open lesson's steps whose comparison ran
    std::map<int, int> m_lessonRuns;  // the open lesson's steps that began a run: its id (Run::id)
    // A built-in lesson set the Model panel's depth (lessonApplied): the
    // depth it set and the one the panel had before, which the next dataset
    // opens with unless the user changed the field meanwhile (a CSV opened
    // with 0 layers after builtin:sensors, 1 when started fresh).
    struct LessonDepth {
        int lesson = 0, before = 0;
    };
    std::optional<LessonDepth> m_lessonDepth, m_lessonDepthLoading;
    void takeBackLessonDepth();
    // Confirmations::mayOpenDataset with nothing training while the
    // question is up: a running run pauses first (the step the question
    // names is the one it stops at) and goes on after No.
    bool mayOpenDataset(const QString &spec);
    // The Model panel's note while the Attention tab shows a file's
    // attention (File > Open Attention): its fields are for a new run.
    void updateModelNote();

    QString m_dataSpec;
    QString m_lastError;
    // Errors said before the window first showed (attnscope --lesson FILE,
    // --checkpoint, --session): in a box once it shows.
    QStringList m_unshownErrors;
    QString m_recoveryDir, m_recoveryOffered;  // startRecovery's, while the question is open
    StatusMessages *m_messages = nullptr;  // View > Messages
    QString m_statusText;  // the status bar's message, uncut
    QString m_zoomNote;    // ZoomActions::notFitting's, while that zoom holds
    QString m_endMessage;  // the worker's last word on a run's end (finished, stopped)
    int m_statusTimeout = 0;
    QDeadlineTimer m_statusUntil;  // when the message's time is up
    // The session's message on a built-in dataset's depth ("This dataset
    // opens with 0 encoder layers; the Model panel says why"), the one after
    // its lessonApplied: true while the Model panel shows the data's note.
    QString m_lessonStatus;
    bool m_lessonStatusFollows = false;
    // Takes that message away once the Model panel no longer says so (Layers
    // changed, other data, a checkpoint, a lesson's step): it stayed 20 s.
    void dropStaleLessonStatus();
    TrainingSnapshot m_last;
    ControlState m_controls;
};

} // namespace attnscope
