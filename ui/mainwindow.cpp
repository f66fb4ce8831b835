#include "mainwindow.h"

#include "attention/attentionpanel.h"
#include "application.h"
#include "attentionfeed.h"
#include "confirmations.h"
#include "confusionpanel.h"
#include "datasetpanel.h"
#include "elidedlabel.h"
#include "fieldproofshortcut.h"
#include "filemenu.h"
#include "helpmenu.h"
#include "lessonpanel.h"
#include "lossplot.h"
#include "modelpanel.h"
#include "tasknames.h"
#include "pausekey.h"
#include "restorebest.h"
#include "runspanel.h"
#include "setupdock.h"
#include "sidebyside.h"
#include "thememenu.h"
#include "trainingpanel.h"
#include "trainingstatus.h"
#include "trainingtoolbar.h"
#include "wheelguard.h"
#include "zoomactions.h"

#include <QAction>
#include <QCloseEvent>
#include <QFileInfo>
#include <QGuiApplication>
#include <QKeySequence>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QStatusTipEvent>
#include <QTabWidget>
#include <QTimer>

#include <qcustomplot.h>

#include <algorithm>
#include <utility>

namespace attnscope {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("AttnScope"));
    setObjectName(QStringLiteral("mainWindow"));
    setAcceptDrops(true);
    // The style and the zoom last chosen, before any widget takes its font.
    applyStyle();
    applyZoom(savedZoom());
    // First of the children: destroyed first, so that its threads end before any panel goes.
    m_session = new Session(this);
    m_session->setSettingsSource([this]() { return runSettings(); });
    m_confirm = new Confirmations(this);
    TrainingController *training = m_session->currentRun()->controller();
    connect(training, &TrainingController::snapshot, this, &MainWindow::onSnapshot);
    connect(training, &TrainingController::stateChanged, this, &MainWindow::onState);
    // Failures the worker, or any event handler, caught at its boundary: said here, the window stays.
    connect(training, &TrainingController::problem, this, &MainWindow::showError);
    if (auto *application = qobject_cast<Application *>(QCoreApplication::instance()))
        connect(application, &Application::problem, this, &MainWindow::showError);

    createPanels();
    createActions();
    createMenus();
    connectSession();

    m_status = new TrainingStatus(this);
    // Permanent (right), so that a message never hides the progress, nor
    // draws over it when it came before the window was shown.
    statusBar()->addPermanentWidget(m_status);
    m_status->installEventFilter(this);
    m_dataLabel = new ElidedLabel(this);
    m_dataLabel->setObjectName(QStringLiteral("statusData"));
    m_dataLabel->setContentsMargins(16, 0, 4, 0);
    statusBar()->addPermanentWidget(m_dataLabel);
    setDataSpec(QString());
    // The message gone (its time up, cleared, a menu's status tip): the read-out and the data's name as before.
    connect(statusBar(), &QStatusBar::messageChanged, this, [this](const QString &message) {
        if (message.isEmpty())
            makeStatusRoom(false, false);
    });
    // 1400 x 860, or 90 % of a smaller screen (a projector, QT_SCALE_FACTOR=2).
    const QRect screen = this->screen() ? this->screen()->availableGeometry() : QRect(0, 0, 1400, 860);
    resize(std::min(1400, screen.width() * 9 / 10), std::min(860, screen.height() * 9 / 10));
    // The Setup panel as narrow as its fields read well; the views take the rest.
    resizeDocks({m_setup}, {m_setup->minimumSizeHint().width() + 20}, Qt::Horizontal);
    readSettings();
    updateControls();
}

MainWindow::~MainWindow()
{
    // A load, a run's build or an evaluation in flight: wait for it (its
    // result is dropped); the runs stop. They go with the session, the first
    // of the children: the plot shows none of their histories from now on.
    m_session->shutdown();
    m_curves->setHistory(nullptr);
}

RunSettings MainWindow::runSettings() const
{
    RunSettings settings;
    settings.model = m_modelPanel->config();
    settings.train = m_trainingPanel->config();
    settings.train.seed = m_modelPanel->seed();  // the split's, the model's and the batch order's
    if (!m_modelPanel->isValid())
        settings.problem = m_modelPanel->problem().toStdString();
    return settings;
}

void MainWindow::createPanels()
{
    m_setup = new SetupDock(this);
    addDockWidget(Qt::LeftDockWidgetArea, m_setup);
    m_datasetPanel = m_setup->datasetPanel();
    m_modelPanel = m_setup->modelPanel();
    m_trainingPanel = m_setup->trainingPanel();
    connect(m_datasetPanel, &DatasetPanel::loadRequested, this, [this](const QString &spec) { openDatasetAsync(spec); });
    connect(m_datasetPanel, &DatasetPanel::cancelLoadRequested, m_session, &Session::cancelLoad);
    connect(m_datasetPanel, &DatasetPanel::loadWithOptionsRequested, this,
            [this](const QString &path, const LoadOptions &options) { openDatasetAsync(path, options); });
    connect(m_modelPanel, &ModelPanel::changed, this, &MainWindow::onModelChanged);
    connect(m_trainingPanel, &TrainingPanel::changed, this, &MainWindow::onSettingsNeedNewRun);
    connect(m_trainingPanel, &TrainingPanel::learningRateChanged, training(), &TrainingController::setLearningRate);
    connect(m_trainingPanel, &TrainingPanel::taskWeightsChanged, training(), &TrainingController::setTaskWeights);
    connect(m_trainingPanel, &TrainingPanel::rationaleWeightChanged, training(), &TrainingController::setRationaleWeight);

    m_curves = new LossPlot;
    m_views = new QTabWidget;
    m_views->setObjectName(QStringLiteral("views"));
    m_views->setDocumentMode(true);
    m_views->addTab(m_curves, tr("Curves"));
    m_attention = new AttentionPanel;
    m_views->addTab(m_attention, tr("Attention"));
    // A wheel turned over the views changes a field (Smoothing, Score, Rows,
    // the timeline, the Confusion tab's task...) only when it has the focus,
    // as in the Setup panel: every tab's, the ones added below too.
    new WheelGuard(m_views);
    m_attentionFeed = new AttentionFeed(training(), m_attention, this);
    connect(m_attention, &AttentionPanel::liveRequested, m_attentionFeed, &AttentionFeed::showRun);
    connect(m_attentionFeed, &AttentionFeed::shownChanged, this, &MainWindow::updateModelNote);
    setCentralWidget(m_views);
    connect(m_curves, &LossPlot::optionsChanged, this, [this]() { writeSettings(); });
    m_runs = new RunsPanel(m_session, m_curves);
    m_views->addTab(m_runs, tr("Runs"));
    m_sideBySide = new SideBySide(m_session);
    // The Attention tab's chosen sample, also before its first snapshot (its
    // first probe, not the first validation sample: shown first, Side by side
    // showed #2 and the Attention tab #3).
    m_sideBySide->setSampleSource([this]() { return m_attention->chosenSample(); });
    connect(m_attention, &AttentionPanel::sampleSelected, m_sideBySide, &SideBySide::setSample);
    m_views->addTab(m_sideBySide, tr("Side by side"));
    m_confusion = new ConfusionPanel(m_session);
    connect(m_confusion, &ConfusionPanel::sampleActivated, this, &MainWindow::showSampleInAttention);
    connect(m_runs, &RunsPanel::selectedRunChanged, m_confusion, &ConfusionPanel::showRun);  // as the Attention tab
    // After the feed's own (connected before): the snapshot is in the panel.
    connect(training(), &TrainingController::attentionReady, this, [this]() {
        if (m_pendingSample >= 0)
            selectShownSample(m_pendingSample);
    });
    connect(m_curves, &LossPlot::evaluationClicked, this, [this](int evaluation) {
        m_confusion->showEvaluation(evaluation);
        m_views->setCurrentWidget(m_confusion);
    });
    m_views->addTab(m_confusion, tr("Confusion"));
}

void MainWindow::showSampleInAttention(int datasetIndex)
{
    m_sideBySide->setSample(datasetIndex);
    m_views->setCurrentWidget(m_attention);
    // In the attention of the run whose miss it is: an earlier run's (the
    // Confusion tab's Run box), or the current run's, also when a file or
    // an earlier run is shown (it was selected in the attention shown, of
    // another run, or never).
    const int run = m_confusion->shownRun();
    const auto &kept = m_session->keptRuns();
    const auto earlier = std::find_if(kept.begin(), kept.end(), [&](const auto &k) { return k->id == run; });
    if (run != 0 && earlier != kept.end()) {
        showRunAttention(run);  // says so when it has no attention timeline
        if (!m_attention->shownRun().isEmpty() && !selectShownSample(datasetIndex))
            showStatus(tr("#%1 is not among the probe samples of %2's attention timeline")
                           .arg(datasetIndex)
                           .arg((*earlier)->name),
                       10000);
        return;
    }
    if (!m_attention->shownFile().isEmpty())
        m_attentionFeed->showRun();
    if (selectShownSample(datasetIndex))
        return;
    // Not shown yet: a probe from now on (unless it is one), selected when
    // the worker's snapshot of the new probe set comes (attentionReady).
    const std::shared_ptr<const TrainingSetup> setup = training()->setup();
    const std::vector<int> &probes = m_attention->probeSet().indices();
    const bool probe = setup && std::any_of(probes.begin(), probes.end(), [&](int i) {
        return i >= 0 && i < int(setup->val.samples.size()) && setup->val.samples[size_t(i)].index == datasetIndex;
    });
    QString error;
    if (!probe && !m_attention->addProbe(datasetIndex, &error)) {
        showStatus(error, 10000);
        return;
    }
    m_pendingSample = datasetIndex;
    showStatus(tr("#%1 is a probe now: the Attention tab shows it with the next snapshot").arg(datasetIndex), 10000);
}

bool MainWindow::selectShownSample(int datasetIndex)
{
    const AttentionSnapshot &shown = m_attention->shown();
    for (size_t i = 0; i < shown.samples.size(); ++i)
        if (shown.samples[i].sampleIndex == datasetIndex) {
            m_attention->selectSample(int(i));
            m_pendingSample = -1;
            showStatus(tr("Attention tab: sample #%1").arg(datasetIndex), 10000);
            return true;
        }
    return false;
}

void MainWindow::createActions()
{
    m_toolbar = new TrainingToolbar(this);
    addToolBar(m_toolbar);
    new WheelGuard(m_toolbar);  // Speed: it applies at once and is remembered
    connect(m_toolbar->startAction(), &QAction::triggered, this, [this]() {
        if (m_controls.start && m_confirm->mayStartAgain(training()->state(), m_last.step))
            m_session->start();  // after the end, a new run (the one that ended is kept)
    });
    connect(m_toolbar->pauseAction(), &QAction::triggered, this, &MainWindow::togglePause);
    connect(m_toolbar->stepAction(), &QAction::triggered, this, [this]() {
        if (m_controls.step)
            training()->step();
    });
    connect(m_toolbar->stopAction(), &QAction::triggered, this, [this]() {
        if (m_controls.stop)
            training()->stop();
    });
    connect(m_toolbar->resetAction(), &QAction::triggered, this, [this]() {
        if (m_controls.reset)
            m_session->reset();  // a new run when settings changed meanwhile
    });
    connect(m_toolbar, &TrainingToolbar::speedChanged, training(), &TrainingController::setStepRateLimit);
    m_evaluate = new QAction(tr("&Evaluate now"), this);
    m_evaluate->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    new FieldProofShortcut(this, m_evaluate);  // a focused text field took Ctrl+E as End
    connect(m_evaluate, &QAction::triggered, m_session, &Session::evaluateInBackground);
    m_restoreBest = new RestoreBestAction(training(), m_confirm, this);
    connect(m_restoreBest, &RestoreBestAction::restored, this, [this](const QString &message) { showStatus(message, 15000); });
    new PauseKey(this, [this]() { togglePause(); });
}

void MainWindow::createMenus()
{
    m_file = new FileMenu(this);
    menuBar()->addMenu(m_file);
    connect(m_datasetPanel, &DatasetPanel::openRequested, m_file, &FileMenu::askDataset);
    connect(m_file, &FileMenu::datasetChosen, this, [this](const QString &path) { openDatasetAsync(path); });
    connect(m_file, &FileMenu::checkpointChosen, this, &MainWindow::openCheckpoint);
    connect(m_file, &FileMenu::attentionChosen, this, &MainWindow::openAttention);
    connect(m_file, &FileMenu::recentChosen, this, &MainWindow::openFile);
    connect(m_file, &FileMenu::saveChosen, this, &MainWindow::saveCheckpoint);
    connect(m_file, &FileMenu::exportCurvesChosen, this, &MainWindow::exportCurves);
    connect(m_file, &FileMenu::exportPlotChosen, this, &MainWindow::exportPlot);
    connect(m_file, &FileMenu::sessionChosen, this, &MainWindow::askToOpenSession);
    connect(m_file, &FileMenu::saveSessionChosen, this, &MainWindow::saveSessionAs);

    QMenu *train = menuBar()->addMenu(tr("&Training"));
    for (QAction *action : {startAction(), pauseAction(), stepAction(), stopAction(), resetAction()})
        train->addAction(action);
    train->addSeparator();
    train->addAction(m_toolbar->slowerAction());
    train->addAction(m_toolbar->fasterAction());
    train->addSeparator();
    train->addAction(m_evaluate);
    train->addAction(m_restoreBest);
    train->addSeparator();
    createCompareMenu(train->addMenu(tr("&Compare")));

    createViewMenu();
    createLessonMenu();
    menuBar()->addMenu(new HelpMenu(this, [this]() { return currentView(); }));
}

// Training > Compare: one action trains the variants of the panels'
// settings one after another, from the same split, batch order and initial
// weights where the parameters coincide; the Runs tab and the plot show them.
void MainWindow::createCompareMenu(QMenu *menu)
{
    const struct {
        Session::Comparison which;
        QString text, what, tip;
    } comparisons[] = {
        {Session::Comparison::Modes, tr("Attention &modes"), tr("the attention modes"),
         tr("Trains task, shared, gated and uniform attention one after another, from the same seed, split, batch "
            "order and initial weights where they coincide")},
        {Session::Comparison::Layers, tr("&0 vs 1 layer"), tr("0 vs 1 layer"),
         tr("Trains 0 and 1 encoder layer one after another, from the same seed, split and batch order")},
        {Session::Comparison::LearningRates, tr("&Learning rates"), tr("learning rates"),
         tr("Trains the learning rate divided by 3, as set, and times 3, one after another, from the same initial "
            "weights")},
    };
    for (const auto &c : comparisons) {
        QAction *action = menu->addAction(c.text);
        action->setToolTip(c.tip);
        action->setStatusTip(c.tip);
        connect(action, &QAction::triggered, this, [this, which = c.which, what = c.what]() {
            if (m_session->compareRuns(what, Session::variants(which, runSettings())))
                m_views->setCurrentWidget(m_curves);
        });
        m_compare[int(c.which)] = action;
    }
    menu->addSeparator();
    m_stopComparing = menu->addAction(tr("&Stop comparing"));
    m_stopComparing->setToolTip(tr("The run in progress goes on; the ones after it are not trained"));
    m_stopComparing->setEnabled(false);
    connect(m_stopComparing, &QAction::triggered, m_session, &Session::stopComparing);
    connect(m_session, &Session::comparisonProgress, this, [this](int done, int total, const QString &) {
        m_stopComparing->setEnabled(done < total);
    });
    menu->setToolTipsVisible(true);
}

void MainWindow::createViewMenu()
{
    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *resetView = view->addAction(tr("&Follow the run (reset the plot view)"));
    connect(resetView, &QAction::triggered, m_curves, &LossPlot::resetView);
    QAction *log = view->addAction(tr("&Logarithmic loss axis"));
    log->setCheckable(true);
    connect(log, &QAction::toggled, m_curves, &LossPlot::setLogScale);
    connect(m_curves, &LossPlot::optionsChanged, log, [this, log]() { log->setChecked(m_curves->logScale()); });
    view->addSeparator();
    // Presentation: every font at once, and the whole screen.
    m_zoom = new ZoomActions(this);
    connect(m_zoom, &ZoomActions::notFitting, this, [this](const QString &text) {
        fitTheScreen();
        showStatus(text, 10000);
        m_zoomNote = text;
    });
    // The note of a zoom that did not fit goes with that zoom (it stayed
    // after Ctrl+0, accept27 F2).
    connect(m_zoom, &ZoomActions::zoomChanging, this, [this]() {
        if (const QString note = std::exchange(m_zoomNote, QString()); !note.isEmpty() && m_statusText == note)
            showStatus({}, 0);
    });
    for (QAction *action : {m_zoom->zoomInAction(), m_zoom->zoomOutAction(), m_zoom->actualSizeAction(),
                            m_zoom->fullScreenAction()})
        view->addAction(action);
    view->addSeparator();
    m_themes = new ThemeMenu(this);
    view->addMenu(m_themes);
    view->addSeparator();
    // A closed panel or toolbar comes back here; a floated one, or one moved
    // off a small screen, with Reset layout.
    QAction *setup = m_setup->toggleViewAction();
    setup->setText(tr("&Setup panel"));
    view->addAction(setup);
    QAction *toolbar = m_toolbar->toggleViewAction();
    toolbar->setText(tr("Training &toolbar"));
    view->addAction(toolbar);
    m_messages = new StatusMessages(this);  // the status bar's, whole: a long one is cut there
    view->addAction(m_messages->action());
    m_resetLayout = view->addAction(tr("Reset &layout"), this, &MainWindow::resetLayout);
}

HelpMenu::View MainWindow::currentView() const
{
    const QWidget *tab = m_views->currentWidget();
    if (tab == m_runs)
        return HelpMenu::View::Runs;
    if (tab == m_sideBySide)
        return HelpMenu::View::SideBySide;
    if (tab == m_confusion)
        return HelpMenu::View::Confusion;
    if (tab != m_attention)
        return HelpMenu::View::Curves;
    switch (m_attention->currentView()) {
    case AttentionPanel::View::Heatmap: return HelpMenu::View::Heatmap;
    case AttentionPanel::View::Text: return HelpMenu::View::Text;
    case AttentionPanel::View::SelfAttention: return HelpMenu::View::SelfAttention;
    case AttentionPanel::View::Disagreement: return HelpMenu::View::Disagreement;
    case AttentionPanel::View::History: return HelpMenu::View::OverTraining;
    case AttentionPanel::View::ProbeEditor: return HelpMenu::View::ProbeEditor;
    case AttentionPanel::View::Compare: return HelpMenu::View::Compare;
    }
    return HelpMenu::View::Curves;
}

void MainWindow::resetLayout()
{
    if (isFullScreen())
        showNormal();
    m_setup->setFloating(false);
    addDockWidget(Qt::LeftDockWidgetArea, m_setup);
    m_setup->show();
    m_toolbar->show();
    resizeDocks({m_setup}, {m_setup->minimumSizeHint().width()}, Qt::Horizontal);
}

QCustomPlot *MainWindow::lossPlot() const
{
    return m_curves->plot();
}

void MainWindow::setDataSpec(const QString &spec)
{
    m_dataSpec = spec;
    m_dataLabel->setFullText(spec.isEmpty() ? tr("No dataset") : tr("Dataset: %1").arg(spec));
}


void MainWindow::onSnapshot(const TrainingSnapshot &snapshot)
{
    m_last = snapshot;
    m_status->update(snapshot, training()->state());
}

void MainWindow::onState(TrainingWorker::State state, const QString &message)
{
    updateControls();
    m_status->update(m_last, state);
    // "Training finished after 500 steps." stayed while the next run trained,
    // "Training paused: training diverged at step 4" while the run trained
    // on after Resume: a run's end or pause, said while a run trains, is no
    // longer true.
    if (state == TrainingWorker::State::Running && !m_endMessage.isEmpty() && statusMessage() == m_endMessage)
        showStatus(QString(), 0);
    if (message.isEmpty())
        return;
    if (state == TrainingWorker::State::Paused) {
        // Divergence: say what happened and what to try.
        showError(message);
        m_endMessage = message;
    } else {
        showStatus(message, 15000);
        m_endMessage = message;
    }
}

void MainWindow::togglePause()
{
    if (!m_controls.pause)
        return;
    if (m_controls.resume)
        training()->resume();
    else
        training()->pause();
}

void MainWindow::updateControls()
{
    const TrainingWorker::State state = training()->state();
    m_controls = controlState(state, m_modelPanel->isValid() && dataset() != nullptr);
    if (isPreparingRun()) {
        // A new run is being prepared: nothing trains until it is ready.
        m_controls.start = m_controls.step = m_controls.resume = m_controls.reset = false;
        if (state != TrainingWorker::State::Running)
            m_controls.pause = false;
    }
    m_toolbar->setControls(m_controls);
    m_file->saveAction()->setEnabled(m_controls.saveCheckpoint);
    m_evaluate->setEnabled(m_controls.saveCheckpoint && dataset() != nullptr && !isEvaluating());
}

void MainWindow::showEvaluation(int64_t step, const EvalResult &result, const std::vector<TaskInfo> &tasks)
{
    const QString message = evaluationMessage(step, result, tasks);
    showStatus(message, 15000);
    // Cut where the read-out begins, the accuracies (the point of it) were
    // only in the tooltip: the Messages log shows it whole, newest last.
    if (isVisible() && statusBar()->currentMessage() != message.simplified())
        m_messages->show();
}

// One line, cut with "…" where the read-out on the right begins (a long
// message drew under the progress bar), the whole of it in the tooltip and
// in View > Messages (a click on the line).
void MainWindow::showStatus(const QString &text, int timeout)
{
    if (m_messages && (text != m_statusText || statusBar()->currentMessage().isEmpty()))  // not the same one cut again
        m_messages->add(text);
    if (text != m_statusText || timeout != m_statusTimeout || statusBar()->currentMessage().isEmpty())
        m_statusUntil = timeout > 0 ? QDeadlineTimer(timeout) : QDeadlineTimer(QDeadlineTimer::Forever);
    m_statusText = text;
    m_statusTimeout = timeout;
    if (text.isEmpty()) {
        statusBar()->clearMessage();
        statusBar()->setToolTip({});
        makeStatusRoom(false, false);
        return;
    }
    // A message may quote a megabyte of the file (a column name): shown
    // whole, laying it out would take seconds.
    const QString line = elidedMessage(text, 2000).simplified();
    // Its room: the bar but for the read-out, at its least width while a
    // message shows, and the data's name when the message does not fit
    // beside it (the Dataset panel names the data). At 1024 x 768 and 150 %
    // the two left 15 to 20 characters ("Training finished af…", accept26 E1).
    // Decided on the widgets' size hints, not on where they are now, so that
    // the message laid out again (eventFilter) decides the same.
    const QFontMetrics metrics = statusBar()->fontMetrics();
    const int readoutHint = m_status->sizeHint().width() + 24;
    const bool withoutData = metrics.horizontalAdvance(line)
                             > statusBar()->width() - readoutHint - m_dataLabel->sizeHint().width() - 24;
    makeStatusRoom(true, withoutData);
    const int readout = m_status->isVisible() ? m_status->x()
                                              : statusBar()->width() - readoutHint
                                                    - (withoutData ? 0 : m_dataLabel->sizeHint().width());
    const int room = std::max(120, readout - 24);
    const QString shown = metrics.elidedText(line, Qt::ElideRight, room);
    statusBar()->showMessage(shown, timeout);
    // Cut: where it is whole (nothing on screen said so, accept26 E1).
    statusBar()->setToolTip(shown == line ? line
                                          : tr("%1\n\nThe whole message: View > Messages, or a click on this line.")
                                                .arg(line));
}

void MainWindow::makeStatusRoom(bool message, bool withoutData)
{
    if (!m_status || !m_dataLabel)
        return;
    QSizePolicy policy = m_status->sizePolicy();
    policy.setHorizontalPolicy(message ? QSizePolicy::Fixed : QSizePolicy::Preferred);
    const bool changed = policy != m_status->sizePolicy() || m_dataLabel->isHidden() != withoutData;
    m_status->setSizePolicy(policy);
    m_dataLabel->setHidden(withoutData);
    if (changed && statusBar()->isVisible() && statusBar()->layout())
        statusBar()->layout()->activate();  // the read-out where it goes now, for the message's room
}

// A menu's item with no status tip clears the status line (Qt's status
// tips): the message came back never ("Training finished after 500 steps."
// gone after one look at a menu, accept26 E1). It comes back, for what is
// left of its time.
bool MainWindow::event(QEvent *event)
{
    if (event->type() == QEvent::StatusTip && static_cast<QStatusTipEvent *>(event)->tip().isEmpty()
        && !m_statusText.isEmpty() && !m_statusUntil.hasExpired()) {
        const int left = m_statusUntil.isForever() ? 0 : int(std::max<qint64>(1, m_statusUntil.remainingTime()));
        const QDeadlineTimer until = m_statusUntil;
        m_statusTimeout = left;  // not a new message: not logged again, its end kept
        showStatus(m_statusText, left);
        m_statusUntil = until;
        return true;
    }
    return QMainWindow::event(event);
}

QString MainWindow::statusMessage() const
{
    return statusBar()->currentMessage().isEmpty() ? QString() : m_statusText;
}

// Errors never block the event loop (training and tests go on): a window-modal box.
void MainWindow::showError(const QString &message)
{
    m_lastError = message;
    showStatus(message, 15000);
    if (!isVisible()) {
        // `attnscope --lesson broken.json` said its line in the status bar
        // alone, cut on a projector and gone after 15 s: said when the window shows.
        m_unshownErrors << message;
        if (m_unshownErrors.size() > 8)
            m_unshownErrors.removeFirst();
        return;
    }
    openErrorBox(message);
}

void MainWindow::openErrorBox(const QString &message)
{
    // Whole in the box, but for the middle of a megabyte that a message may quote.
    auto *box = new QMessageBox(QMessageBox::Warning, tr("AttnScope"), elidedMessage(message, 2000), QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

// A window saved on a bigger screen (1152 x 648 from 1280 x 720) came back
// wider than a projector's 1024 px, its right edge (the legend, Following,
// the status bar's dataset) off the screen: it fits the screen it is on.
void MainWindow::fitTheScreen()
{
    const QScreen *screen = this->screen();
    if (!screen || isMaximized() || isFullScreen())
        return;
    const QRect room = screen->availableGeometry();
    const QSize frameExtra = frameGeometry().size() - this->size();  // the window manager's frame
    const QSize size = this->size().boundedTo(room.size() - frameExtra);
    if (size != this->size())
        resize(size);
    const QRect frame = frameGeometry();
    const int x = std::clamp(frame.x(), room.left(), std::max(room.left(), room.right() + 1 - frame.width()));
    const int y = std::clamp(frame.y(), room.top(), std::max(room.top(), room.bottom() + 1 - frame.height()));
    if (x != frame.x() || y != frame.y())
        move(x, y);
}

void MainWindow::readSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    fitTheScreen();
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    // The Lesson panel comes back with its lesson (attnscope --lesson, the
    // Lessons menu), not empty beside the views: after a lesson on a big
    // screen it came back on a projector's 1024 px, its text and Next cut.
    if (!m_lessonPanel->hasLesson())
        m_lessonPanel->hide();
    const Theme theme = savedTheme();
    if (theme != currentTheme())
        applyTheme(theme);
    themeAction(theme)->setChecked(true);
    m_curves->setSmoothing(settings.value(QStringLiteral("plot/smoothing"), 0.9).toDouble());
    m_curves->setLogScale(settings.value(QStringLiteral("plot/log"), false).toBool());
    m_curves->setXAxis(settings.value(QStringLiteral("plot/x")).toString() == QLatin1String("epoch")
                           ? LossPlot::XAxis::Epoch : LossPlot::XAxis::Step);
    m_attention->setColorMap(colorMapFromName(settings.value(QStringLiteral("attention/colorMap")).toString()));
    m_attention->setColorScale(settings.value(QStringLiteral("attention/scale")).toString() == QLatin1String("largest")
                                   ? ColorScale::Largest : ColorScale::Fixed);
    Method score = Method::Attention;
    if (parseMethod(settings.value(QStringLiteral("attention/score")).toString().toStdString(), &score))
        m_attention->setScore(score);  // Random is refused there
    m_attention->setLiveExplanations(settings.value(QStringLiteral("attention/explainLive"), true).toBool());
    setSpeed(settings.value(QStringLiteral("training/stepsPerSecond"), 0.0).toDouble());
}

void MainWindow::writeSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("attention/colorMap"), colorMapName(m_attention->colorMap()));
    settings.setValue(QStringLiteral("attention/scale"),
                      m_attention->colorScale() == ColorScale::Largest ? "largest" : "fixed");
    settings.setValue(QStringLiteral("attention/score"), QString::fromLatin1(toString(m_attention->score())));
    settings.setValue(QStringLiteral("attention/explainLive"), m_attention->liveExplanations());
    settings.setValue(QStringLiteral("plot/smoothing"), m_curves->smoothing());
    settings.setValue(QStringLiteral("plot/log"), m_curves->logScale());
    settings.setValue(QStringLiteral("plot/x"), m_curves->xAxis() == LossPlot::XAxis::Epoch ? "epoch" : "step");
    settings.setValue(QStringLiteral("training/stepsPerSecond"), m_toolbar->savedSpeed());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    writeSettings();
    writeLayout();  // into the session file, which shutdown() closes
    m_session->shutdown();  // stops the runs between two steps and joins their threads
    event->accept();
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (m_unshownErrors.isEmpty())
        return;
    // Once the window is on the screen, so that the box opens over it.
    QTimer::singleShot(0, this, [this]() {
        if (!isVisible() || m_unshownErrors.isEmpty())
            return;
        openErrorBox(std::exchange(m_unshownErrors, {}).join(QStringLiteral("\n\n")));
    });
}

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    if (!m_status)
        return;
    m_status->setCompact(width() < 1200);
}

// The read-out on the right moved (a resize, the zoom, a compact read-out):
// the message again, cut to its new room.
bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_status && (event->type() == QEvent::Move || event->type() == QEvent::Resize)
        && !statusBar()->currentMessage().isEmpty())
        QTimer::singleShot(0, this, [this]() {
            if (!statusBar()->currentMessage().isEmpty())
                showStatus(m_statusText, m_statusTimeout);
        });
    return QMainWindow::eventFilter(watched, event);
}

} // namespace attnscope
