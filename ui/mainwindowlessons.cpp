// MainWindow's guided lessons (docs/lessons.md): the Lessons menu, the
// Lesson panel beside the views, and what a step applies. Apart from
// mainwindow.cpp, which wires the panels: a lesson only drives them.
#include "mainwindow.h"

#include "attention/attentionpanel.h"
#include "confirmations.h"
#include "explain.h"
#include "lesson.h"
#include "lessonpanel.h"
#include "lossplot.h"
#include "modelpanel.h"
#include "probeeditor.h"
#include "runspanel.h"
#include "setupdock.h"
#include "sidebyside.h"
#include "trainingpanel.h"

#include <QAction>
#include <QDockWidget>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimer>

#include <algorithm>
#include <functional>

namespace attnscope {

namespace {

// A built-in lesson's file, read and checked; false and *error as parseLesson says.
bool readLesson(const QString &path, Lesson *lesson, std::string *error)
{
    if (!path.startsWith(QLatin1String(":/")))
        return readLessonFile(path.toStdString(), lesson, error);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = path.toStdString() + ": cannot be read";
        return false;
    }
    return parseLesson(file.readAll().toStdString(), path.toStdString(), lesson, error);
}

int indexOf(const std::vector<std::string> &names, const std::string &name)
{
    return int(std::find(names.begin(), names.end(), name) - names.begin());
}

// Raises a dock once its window has shown. A tabbed dock is raised by its
// tab bar, which the window makes when it first lays its docks out: raised
// before (attnscope --lesson opens the lesson, then shows the window), a
// lesson tabbed with the Setup panel stayed behind it.
class RaiseWhenShown : public QObject {
public:
    RaiseWhenShown(QWidget *window, QDockWidget *dock) : QObject(dock), m_dock(dock) { window->installEventFilter(this); }

    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() == QEvent::Show) {
            // After the show's layout, in the event loop's next turn.
            QTimer::singleShot(0, m_dock, [dock = m_dock]() { dock->raise(); });
            deleteLater();
        }
        return false;
    }

private:
    QDockWidget *m_dock;
};

} // namespace

QStringList MainWindow::builtinLessons()
{
    QStringList paths;
    const QDir dir(QStringLiteral(":/lessons"));
    for (const QString &name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        paths << dir.filePath(name);
    return paths;
}

QString MainWindow::lessonName(const QString &path)
{
    return QFileInfo(path).completeBaseName().remove(QRegularExpression(QStringLiteral("^\\d+-")));
}

void MainWindow::createLessonMenu()
{
    m_lessonPanel = new LessonPanel(this);
    m_lessonPanel->setMaximumWidth(420);
    addDockWidget(Qt::RightDockWidgetArea, m_lessonPanel);
    m_lessonPanel->hide();
    connect(m_lessonPanel, &LessonPanel::stepChosen, this, [this](int step) {
        if (m_lessonPanel->hasLesson() && !applyLessonStep(m_lessonPanel->lesson().steps[size_t(step)])) {
            // Its data did not open: said in the panel, where the class reads
            // (a lesson run with --screenshot waited for the step for ever).
            const QString why = m_lastError.isEmpty() ? tr("its data did not open") : m_lastError;
            m_lessonPanel->setProblem(why);
            emit lessonStepFailed(step, why);
        }
    });

    QMenu *menu = menuBar()->addMenu(tr("&Lessons"));
    menu->setToolTipsVisible(true);
    for (const QString &path : builtinLessons()) {
        Lesson lesson;
        std::string error;
        // A built-in that does not read is a bug the tests catch; its entry says so.
        const bool ok = readLesson(path, &lesson, &error);
        QAction *action = menu->addAction(ok ? QString::fromStdString(lesson.title) : lessonName(path));
        action->setToolTip(ok ? QString::fromStdString(lesson.summary) : QString::fromStdString(error));
        connect(action, &QAction::triggered, this, [this, path]() { openLesson(path); });
    }
    menu->addSeparator();
    QAction *open = menu->addAction(tr("Open &lesson file…"));
    open->setToolTip(tr("A lesson of your own (docs/lessons.md)"));
    connect(open, &QAction::triggered, this, [this]() {
        QSettings settings;
        const QString path = QFileDialog::getOpenFileName(this, tr("Open lesson"),
                                                          settings.value(QStringLiteral("lessonDir")).toString(),
                                                          tr("Lessons (*.json);;All files (*)"));
        if (path.isEmpty())
            return;
        settings.setValue(QStringLiteral("lessonDir"), QFileInfo(path).absolutePath());
        openLesson(path);
    });
    QAction *panel = m_lessonPanel->toggleViewAction();
    panel->setText(tr("Lesson &panel"));
    menu->addAction(panel);
}

bool MainWindow::openLesson(const QString &nameOrPath)
{
    QString path = nameOrPath;
    if (!nameOrPath.startsWith(QLatin1String(":/")) && !QFileInfo::exists(nameOrPath)) {
        path.clear();
        QStringList names;
        for (const QString &builtin : builtinLessons()) {
            names << lessonName(builtin);
            if (lessonName(builtin) == nameOrPath || QFileInfo(builtin).completeBaseName() == nameOrPath)
                path = builtin;
        }
        if (path.isEmpty()) {
            showError(tr("%1: no such lesson file, nor a built-in lesson (%2)").arg(nameOrPath, names.join(QStringLiteral(", "))));
            return false;
        }
    }
    Lesson lesson;
    std::string error;
    if (!readLesson(path, &lesson, &error)) {
        showError(QString::fromStdString(error));
        return false;
    }
    if (!m_lessonPanel->isVisible() && !m_lessonPanel->isFloating()) {
        // Beside the views where there is room; on a projector's 1024 px a
        // tab of the Setup column (squeezed on the right, its text and Next
        // were out of reach), which the lesson's steps set anyway.
        if (width() < 1300) {
            addDockWidget(Qt::LeftDockWidgetArea, m_lessonPanel);
            tabifyDockWidget(m_setup, m_lessonPanel);
        } else {
            addDockWidget(Qt::RightDockWidgetArea, m_lessonPanel);
        }
    }
    m_lessonPanel->show();
    if (isVisible())
        m_lessonPanel->raise();
    else
        new RaiseWhenShown(this, m_lessonPanel);
    m_lessonCompared.clear();  // this lesson's comparisons run again
    m_lessonRuns.clear();  // and its runs train again
    m_lessonPanel->setLesson(std::move(lesson));  // its first step applies
    return true;
}

bool MainWindow::applyLessonStep(const LessonStep &step)
{
    QObject::disconnect(m_lessonWait);  // the step before is over, or left
    const int index = m_lessonPanel->step();
    bool fresh = false;
    const bool dataChanges = !step.data.empty() && QString::fromStdString(step.data) != m_dataSpec;
    if (!applyLessonSettings(step, &fresh))
        return false;
    // A step that began a run in this opening of the lesson shows that run
    // again: Back and Next trained an identical copy each time (Run 2, 3,
    // 4 ...). The current run goes on to the step's end if it stopped short;
    // a kept one (a later step began another) becomes the current run again
    // (Session::resumeRun, from its last checkpoint in the session file: the
    // one it paused at, the step's end), so
    // that the Model panel, which shows the step's settings, the plot, the
    // Runs tab and Start agree on it (accept27 F1: the panel read 0 layers
    // while the 1-layer run stayed current and Start trained 1 layer). A kept
    // run that cannot come back (no session file keeps its checkpoint, as
    // under --screenshot, or it trained to its end) is trained afresh.
    bool shownAgain = false;
    if (const auto earlier = m_lessonRuns.find(index); fresh && !dataChanges && earlier != m_lessonRuns.end()) {
        const int id = earlier->second;
        const bool current = m_session->currentRun() && m_session->currentRun()->id() == id;
        const auto &kept = m_session->keptRuns();
        const bool keptHere = std::any_of(kept.begin(), kept.end(), [this, id](const auto &run) {
            return run->id == id && m_session->isOpenData(run->dataset);
        });
        if (current) {
            fresh = false;
        } else if (keptHere && canGoOn(id) && m_session->resumeRun(id)) {
            fresh = false;
            shownAgain = true;
        }
    }
    const QString sampleWith = QString::fromStdString(step.sampleWith);
    // The lesson's sample_with among the probes of the run now (and of every
    // run it configures, onRunConfigured): a step that selects it without
    // training (negation's third) finds it in the snapshots of the step before.
    ensureProbeWith(lessonSampleWith());
    const auto finish = [this, index, sampleWith]() {
        QObject::disconnect(m_lessonWait);
        if (!sampleWith.isEmpty())
            selectSampleWith(sampleWith);
        emit lessonStepDone(index);
    };
    // What ends the step, connected before anything starts: the worker's
    // news crosses threads, and one sent before the connection is lost.
    waitForLessonStep(step, fresh, finish);
    if (fresh) {
        m_session->dropCheckpoint();
        m_session->newRun();  // the run before is kept (the Runs tab)
    }
    // A comparison runs once while the lesson is open: Back and Next again
    // come back to its runs (the Runs tab keeps them), not to four more.
    if (!step.compare.empty() && m_lessonCompared.insert(index).second)
        m_compare[indexOf(LessonNames::comparisons(), step.compare)]->trigger();
    showLessonViews(step);
    if (step.trainTo > 0) {
        if (shownAgain)
            whenRunReady(finish);  // trained that far already, back as the current run
        else if (!fresh && training()->currentStep() >= step.trainTo)
            finish();  // trained that far already
        else
            lessonTrainTo(step.trainTo, fresh ? index : -1);
    } else if (step.compare.empty() || !m_session->isComparing()) {
        finish();
    }
    return true;
}

// Kept run `id` can go on as the current run (Session::resumeRun) without a
// refusal: the session file has its checkpoint, and it stopped before the
// length the Training panel now asks for (a run that trained to its end
// cannot go on; resumeRun would say so in a box).
bool MainWindow::canGoOn(int id) const
{
    if (!m_session->cannotResume(id).isEmpty())
        return false;
    const int64_t steps = m_trainingPanel->stepsField()->value();
    const int64_t total = steps > 0 ? steps : int64_t(m_trainingPanel->epochsField()->value()) * m_last.stepsPerEpoch;
    return total > 0 && m_session->runSteps(id) < total;
}

// The step's data, model, run length, learning rate, mu and speed into the
// panels; *fresh: a new run must take them. False when its data did not open.
bool MainWindow::applyLessonSettings(const LessonStep &step, bool *fresh)
{
    // The step's own data change asks nothing (Confirmations::Granted): the
    // run it ends is kept in the Runs tab.
    const Confirmations::Granted granted(m_confirm);
    const bool dataOpened = !step.data.empty() && QString::fromStdString(step.data) != m_dataSpec;
    if (dataOpened && !openDataset(QString::fromStdString(step.data)))
        return false;
    // The model's settings: a new run takes them.
    ModelConfig config = m_modelPanel->config();
    const ModelConfig before = config;
    if (step.layers) config.layers = *step.layers;
    if (step.heads) config.heads = *step.heads;
    if (step.dim) config.dim = *step.dim;
    if (step.maxLen) config.maxLen = *step.maxLen;
    if (step.mode) config.mode = *step.mode;
    const bool modelChanged = !(config == before);
    if (modelChanged) {
        const QSignalBlocker block(m_modelPanel);
        m_modelPanel->setConfig(config, m_modelPanel->seed());
        m_lessonDepth.reset();  // the lesson's depth is the user's choice
    }
    // The run's length: a new run takes it too (the step's own, without asking).
    // Its epochs are the length: Steps goes back to "by epochs".
    const bool lengthChanged = step.epochs && (*step.epochs != m_trainingPanel->epochsField()->value()
                                               || m_trainingPanel->stepsField()->value() != 0);
    if (lengthChanged) {
        const QSignalBlocker block(m_trainingPanel);
        m_trainingPanel->epochsField()->setValue(*step.epochs);
        m_trainingPanel->stepsField()->setValue(0);
    }
    // These apply to a run at its next step too.
    if (step.lr)
        m_trainingPanel->learningRateField()->setValue(*step.lr);
    if (step.rationaleWeight)
        m_trainingPanel->rationaleWeightField()->setValue(*step.rationaleWeight);
    if (step.speed)
        setSpeed(*step.speed, /*persist=*/false);
    *fresh = (dataOpened || step.newRun || modelChanged || lengthChanged) && dataset();
    return true;
}

// Calls `finish` once the step's training (to step.trainTo: paused there, at
// the end, or before it) or its comparison is over; m_lessonWait holds it.
void MainWindow::waitForLessonStep(const LessonStep &step, bool fresh, const std::function<void()> &finish)
{
    if (step.trainTo > 0) {
        // A new run first says Ready (the states before it are the old run's).
        auto ready = std::make_shared<bool>(!fresh);
        m_lessonWait = connect(training(), &TrainingController::stateChanged, this,
                               [this, ready, finish](TrainingWorker::State state, const QString &) {
                                   using State = TrainingWorker::State;
                                   if (!*ready) {
                                       *ready = state == State::Ready;
                                       return;
                                   }
                                   // At the step, at the end, or paused before it (the guard, the user).
                                   if ((state == State::Paused || state == State::Finished || state == State::Stopped)
                                       && training()->currentStep() > 0)
                                       finish();
                               });
    } else if (!step.compare.empty()) {
        m_lessonWait = connect(m_session, &Session::comparisonProgress, this, [finish](int done, int total) {
            if (done >= total)
                finish();
        });
    }
}

// The tab, the attention view, the score (and Over training's second one)
// and the probe text the step names.
void MainWindow::showLessonViews(const LessonStep &step)
{
    if (!step.view.empty()) {
        QWidget *views[] = {m_curves, m_attention, m_runs, m_sideBySide};
        m_views->setCurrentWidget(views[indexOf(LessonNames::views(), step.view)]);
    }
    if (!step.attentionView.empty())
        m_attention->setCurrentView(AttentionPanel::View(indexOf(LessonNames::attentionViews(), step.attentionView)));
    Method score = Method::Attention;
    if (!step.score.empty() && parseMethod(step.score, &score))
        m_attention->setScore(score);
    // Over training's second score: this step's, or none (every plot again).
    Method compared = Method::Attention;
    m_attention->historyView()->setComparedScore(
        !step.compareScore.empty() && parseMethod(step.compareScore, &compared) ? std::optional(compared) : std::nullopt);
    if (!step.probeText.empty())
        m_attention->probeEditor()->setText(QString::fromStdString(step.probeText));
}

// Trains the run to `step` and pauses there (the views refreshed with its
// weights), once the run is ready: the configuration of a new run went to
// the worker first, and large data builds it on a thread.
// lessonStep >= 0: the lesson's step that began the run (m_lessonRuns).
void MainWindow::lessonTrainTo(int64_t step, int lessonStep)
{
    whenRunReady([this, step, lessonStep]() {
        if (lessonStep >= 0 && m_session->currentRun())
            m_lessonRuns[lessonStep] = m_session->currentRun()->id();
        training()->startUntil(step);
    });
}

// Calls `then` once the current run is configured: at once, or when the
// run being prepared (on a thread, for large data) is.
void MainWindow::whenRunReady(const std::function<void()> &then)
{
    if (!isPreparingRun()) {
        then();
        return;
    }
    auto once = std::make_shared<QMetaObject::Connection>();
    *once = connect(m_session, &Session::runConfigured, this, [once, then](Run *, std::shared_ptr<const TrainingSetup>) {
        QObject::disconnect(*once);
        then();
    });
}

// Before another dataset opens: the depth the panel had before a lesson set
// its own, unless the user changed the field since (the lesson's data sets
// it again when it opens again); kept in m_lessonDepthLoading until the load
// ends, so that a failed load puts the lesson's depth back with its run.
void MainWindow::takeBackLessonDepth()
{
    m_lessonDepthLoading.reset();
    if (!m_lessonDepth || m_session->checkpoint())
        return;
    const LessonDepth depth = *std::exchange(m_lessonDepth, std::nullopt);
    ModelConfig config = m_modelPanel->config();
    if (config.layers != depth.lesson)
        return;  // the user's own choice
    config.layers = depth.before;
    const QSignalBlocker block(m_modelPanel);
    m_modelPanel->setConfig(config, m_modelPanel->seed());
    m_lessonDepthLoading = depth;
}

QString MainWindow::lessonSampleWith() const
{
    if (!m_lessonPanel->hasLesson())
        return QString();
    const std::vector<LessonStep> &steps = m_lessonPanel->lesson().steps;
    const auto with = std::find_if(steps.begin(), steps.end(), [](const LessonStep &s) { return !s.sampleWith.empty(); });
    return with == steps.end() ? QString() : QString::fromStdString(with->sampleWith);
}

void MainWindow::ensureProbeWith(const QString &token)
{
    const std::shared_ptr<const TrainingSetup> setup = training()->setup();
    if (token.isEmpty() || !setup || !m_lessonPanel->hasLesson())
        return;
    const std::string word = token.toStdString();
    const auto holds = [&](int i) {
        if (i < 0 || i >= int(setup->val.samples.size()))
            return false;
        const std::vector<Token> &tokens = setup->val.samples[size_t(i)].tokens;
        return std::any_of(tokens.begin(), tokens.end(), [&](const Token &t) { return t.text == word; });
    };
    const std::vector<int> &probes = m_attention->probeSet().indices();
    if (std::any_of(probes.begin(), probes.end(), holds))
        return;
    for (int i = 0; i < int(setup->val.samples.size()); ++i)
        if (holds(i)) {
            m_attention->addProbe(setup->val.samples[size_t(i)].index);
            return;
        }
}

bool MainWindow::selectSampleWith(const QString &token)
{
    const std::string word = token.toStdString();
    const AttentionSnapshot &shown = m_attention->shown();
    for (size_t i = 0; i < shown.samples.size(); ++i) {
        const std::vector<std::string> &tokens = shown.samples[i].tokens;
        if (std::find(tokens.begin(), tokens.end(), word) != tokens.end()) {
            m_attention->selectSample(int(i));
            return true;
        }
    }
    return false;
}

} // namespace attnscope
