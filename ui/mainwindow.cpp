#include "mainwindow.h"

#include "attention/attentionpanel.h"
#include "application.h"
#include "attentionfeed.h"
#include "attentionfile.h"
#include "confirmations.h"
#include "datasetpanel.h"
#include "elidedlabel.h"
#include "filemenu.h"
#include "helpmenu.h"
#include "fileutil.h"
#include "lossplot.h"
#include "modelpanel.h"
#include "tasknames.h"
#include "pausekey.h"
#include "recentfiles.h"
#include "restorebest.h"
#include "runspanel.h"
#include "sessionfile.h"
#include "setupdock.h"
#include "sidebyside.h"
#include "thememenu.h"
#include "trainingpanel.h"
#include "trainingstatus.h"
#include "trainingtoolbar.h"
#include "zoomactions.h"

#include <QAction>
#include <QCloseEvent>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QKeySequence>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QMimeData>
#include <QScreen>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>

#include <qcustomplot.h>

#include <algorithm>

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
    m_attentionFeed = new AttentionFeed(training(), m_attention, this);
    connect(m_attention, &AttentionPanel::liveRequested, m_attentionFeed, &AttentionFeed::showRun);
    setCentralWidget(m_views);
    connect(m_curves, &LossPlot::optionsChanged, this, [this]() { writeSettings(); });
    m_runs = new RunsPanel(m_session, m_curves);
    m_views->addTab(m_runs, tr("Runs"));
    m_sideBySide = new SideBySide(m_session);
    m_sideBySide->setSampleSource([this]() {
        // The Attention tab's selection, else the run's first validation sample.
        const AttentionSnapshot &shown = m_attention->shown();
        const int selected = m_attention->selectedSample();
        if (selected >= 0 && selected < int(shown.samples.size()))
            return shown.samples[size_t(selected)].sampleIndex;
        const std::shared_ptr<const TrainingSetup> setup = training()->setup();
        return setup && !setup->val.samples.empty() ? setup->val.samples.front().index : -1;
    });
    connect(m_attention, &AttentionPanel::sampleSelected, m_sideBySide, &SideBySide::setSample);
    m_views->addTab(m_sideBySide, tr("Side by side"));
}

void MainWindow::createActions()
{
    m_toolbar = new TrainingToolbar(this);
    addToolBar(m_toolbar);
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
    connect(m_file, &FileMenu::sessionChosen, this, [this](const QString &path) {
        if (!m_session->hasUnsavedRuns()) {
            openSession(path);
            return;
        }
        // The session's runs that no file has would go: ask first (Save session as keeps them).
        auto *box = new QMessageBox(QMessageBox::Question, tr("Open session?"),
                                    tr("Opening %1 drops this session's runs that are not saved in a session file "
                                       "(File > Save session as keeps them). Open it?").arg(QFileInfo(path).fileName()),
                                    QMessageBox::Open | QMessageBox::Cancel, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        connect(box, &QMessageBox::finished, this, [this, path](int result) {
            if (result == QMessageBox::Open)
                openSession(path);
        });
        box->open();
    });
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
    m_resetLayout = view->addAction(tr("Reset &layout"), this, &MainWindow::resetLayout);
}

HelpMenu::View MainWindow::currentView() const
{
    const QWidget *tab = m_views->currentWidget();
    if (tab == m_runs)
        return HelpMenu::View::Runs;
    if (tab == m_sideBySide)
        return HelpMenu::View::SideBySide;
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

bool MainWindow::openDataset(const QString &spec, const LoadOptions &options)
{
    if (!m_confirm->mayOpenDataset(spec, training()->state(), m_last.step)) {
        m_lastError.clear();
        return false;
    }
    takeBackLessonDepth();
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    const bool ok = m_session->openDataset(spec, options);
    QGuiApplication::restoreOverrideCursor();
    return ok;
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

void MainWindow::openDatasetAsync(const QString &spec, const LoadOptions &options)
{
    if (!m_confirm->mayOpenDataset(spec, training()->state(), m_last.step)) {
        m_datasetPanel->setSpec(m_dataSpec);  // the field shows the data still open
        return;
    }
    takeBackLessonDepth();
    m_session->openDatasetAsync(spec, options);
}

// The fields now say what model to build: the checkpoint's weights go, once
// the user says so (No puts the checkpoint's model back in the fields).
void MainWindow::onModelChanged()
{
    updateControls();
    if (!m_modelPanel->isValid())
        return;
    if (const std::shared_ptr<const Model> checkpoint = m_session->checkpoint()) {
        if (!m_confirm->mayDropCheckpoint(QFileInfo(m_session->checkpointPath()).fileName())) {
            const QSignalBlocker block(m_modelPanel);
            m_modelPanel->setConfig(checkpoint->config, m_modelPanel->seed());
            updateControls();
            return;
        }
    }
    m_session->dropCheckpoint();
    onSettingsNeedNewRun();
}

void MainWindow::openFile(const QString &path)
{
    if (path.endsWith(QLatin1String(".safetensors")))
        openCheckpoint(path);
    else if (path.endsWith(QLatin1String(".attnscope")))
        openSession(path);
    else
        openDatasetAsync(path);
}

bool MainWindow::openAttention(const QString &path)
{
    AttentionFile file;
    std::string error;
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    const bool ok = readAttentionFile(path.toStdString(), &file, &error);
    QGuiApplication::restoreOverrideCursor();
    if (!ok) {
        showError(QString::fromStdString(error));
        return false;
    }
    const bool pooling = !file.tasks.empty();
    m_attention->showFile(std::make_shared<const AttentionSnapshot>(fileSnapshot(std::move(file))),
                          QFileInfo(path).fileName());
    m_views->setCurrentWidget(m_attention);
    if (!pooling)  // maps only (a Hugging Face model's): the heatmap would be empty
        m_attention->setCurrentView(AttentionPanel::View::SelfAttention);
    showStatus(tr("Opened the attention in %1").arg(path), 10000);
    return true;
}

namespace {

// A file that opened or was written joins its recent files.
bool remembered(bool ok, RecentFiles *recent, const QString &path)
{
    if (ok)
        recent->add(QFileInfo(path).absoluteFilePath());
    return ok;
}

} // namespace

bool MainWindow::openSession(const QString &path)
{
    return remembered(m_session->openSessionFile(path), m_file->recentSessions(), path);
}

bool MainWindow::saveSessionAs(const QString &path)
{
    return remembered(m_session->saveSessionAs(path), m_file->recentSessions(), path);
}

QString MainWindow::recoveryDir()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).filePath(QStringLiteral("recovery"));
}

void MainWindow::startRecovery(const QString &dir)
{
    const QStringList found = Session::recoverableSessions(dir);
    if (found.isEmpty()) {
        m_session->startRecovery(dir);
        return;
    }
    m_recoveryDir = dir;
    m_recoveryOffered = found.first();
    SessionFile file;
    QString error;
    int runs = 0;
    if (file.open(m_recoveryOffered, SessionFile::Mode::ReadOnly, &error))
        runs = file.runCount();
    const QString when = QLocale().toString(QFileInfo(m_recoveryOffered).lastModified(), QLocale::ShortFormat);
    auto *box = new QMessageBox(QMessageBox::Question, tr("Restore the last session?"),
                                runs == 1 ? tr("AttnScope ended on %1 with a run that no session file of yours "
                                               "has. Restore it?").arg(when)
                                          : tr("AttnScope ended on %1 with %2 runs that no session file of yours "
                                               "has. Restore them?").arg(when).arg(runs),
                                QMessageBox::Yes | QMessageBox::Discard | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("recoveryQuestion"));
    box->button(QMessageBox::Yes)->setText(tr("Restore"));
    box->button(QMessageBox::Cancel)->setText(tr("Not now"));
    box->setInformativeText(tr("Not now keeps them for the next start; File > Save session as keeps a session for good."));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box]() {
        answerRecovery(box->standardButton(box->clickedButton()));
    });
    box->open();
}

void MainWindow::answerRecovery(int answer)
{
    if (m_recoveryOffered.isEmpty())
        return;
    const QString offered = std::exchange(m_recoveryOffered, QString());
    if (answer == QMessageBox::Yes && m_session->restoreRecovery(offered))
        return;
    if (answer == QMessageBox::Discard)
        Session::discardRecovery(offered);
    m_session->startRecovery(m_recoveryDir);
}

// The session's news, shown: the Dataset panel follows its loads, the Model
// and Training panels its datasets and checkpoints, the views its runs.
void MainWindow::connectSession()
{
    connectDatasetLoads();
    connect(m_session, &Session::columnsGuessed, m_datasetPanel, &DatasetPanel::setColumns);
    connect(m_session, &Session::summaryChanged, m_datasetPanel, &DatasetPanel::setDataset);
    connect(m_session, &Session::datasetOpened, this, &MainWindow::onDatasetOpened);
    connect(m_session, &Session::lessonApplied, this, [this](const ModelConfig &config) {
        // A built-in lesson's depth (docs/datasets.md); the user can change it back.
        const int before = m_lessonDepth ? m_lessonDepth->before : m_modelPanel->config().layers;
        m_lessonDepth = LessonDepth{config.layers, before};
        m_lessonDepthLoading.reset();
        const QSignalBlocker block(m_modelPanel);
        m_modelPanel->setConfig(config, m_modelPanel->seed());
    });
    connect(m_session, &Session::checkpointOpened, this, [this](const QString &path, const ModelConfig &config) {
        {
            const QSignalBlocker block(m_modelPanel);
            m_modelPanel->setConfig(config, m_modelPanel->seed());
        }
        m_modelPanel->setLessonNote({});  // the checkpoint's depth, not the lesson's
        m_lessonDepth.reset();
        m_datasetPanel->setLoadError({});  // an earlier load's failure is not this one's
        m_file->recent()->add(QFileInfo(path).absoluteFilePath());
    });
    connect(m_session, &Session::runConfigured, this, &MainWindow::onRunConfigured);
    // The run records its curves (every snapshot's points); the plot draws them.
    Run *run = m_session->currentRun();
    m_curves->setHistory(&run->history());
    connect(run, &Run::historyCleared, m_curves, &LossPlot::historyCleared);
    connect(run, &Run::historyAppended, m_curves, &LossPlot::historyAppended);
    connect(m_session, &Session::busyChanged, this, &MainWindow::updateControls);
    connect(m_session, &Session::status, this, &MainWindow::showStatus);
    connect(m_session, &Session::evaluated, this, &MainWindow::showEvaluation);
    connect(m_session, &Session::failed, this, &MainWindow::showError);
    connect(m_session, &Session::sessionFileChanged, this, [this](const QString &path) {
        // A recovery file is no file of the user's: the session is untitled still.
        setWindowTitle(m_session->isRecovery() ? tr("AttnScope (restored, not saved)")
                                               : tr("%1 — AttnScope").arg(QFileInfo(path).fileName()));
    });
}

void MainWindow::connectDatasetLoads()
{
    connect(m_session, &Session::loadQueued, this,
            [this](const QString &spec) { m_datasetPanel->setLoading(spec, 0, tr("Waiting to load %1…")); });
    connect(m_session, &Session::loadStarted, this, [this](const QString &spec) { m_datasetPanel->setLoading(spec, 0); });
    connect(m_session, &Session::loadProgress, this, [this](const QString &spec, int percent) {
        m_datasetPanel->setLoading(spec, percent, percent >= 90 ? tr("Preparing %1…") : QString());
        emit datasetLoadProgress(spec, percent);
    });
    connect(m_session, &Session::loadCancelling, m_datasetPanel, &DatasetPanel::setCancelling);
    connect(m_session, &Session::loadEnded, this, [this]() { m_datasetPanel->setLoading({}, -1); });
    connect(m_session, &Session::loadFailed, this, [this](const QString &, const QString &message) {
        m_datasetPanel->setLoadError(m_session->dataset()
                                         ? tr("%1 (still open: %2)").arg(message, m_session->dataSpec())
                                         : message);
        // The field shows what is open, not the file that failed (Load retried it); the message names that one.
        m_datasetPanel->setSpec(m_session->dataset() ? m_session->dataSpec() : QString());
        if (m_lessonDepthLoading && m_session->dataset()) {
            // The lesson's data and run stay: so does its depth.
            m_lessonDepth = std::exchange(m_lessonDepthLoading, std::nullopt);
            ModelConfig config = m_modelPanel->config();
            config.layers = m_lessonDepth->lesson;
            const QSignalBlocker block(m_modelPanel);
            m_modelPanel->setConfig(config, m_modelPanel->seed());
        }
        showError(message);
    });
    connect(m_session, &Session::loadFinished, this, &MainWindow::datasetLoadFinished);
}

void MainWindow::onDatasetOpened(const QString &spec, bool csv)
{
    m_datasetPanel->setLoadError({});
    if (!csv)
        m_datasetPanel->clearColumns();
    setDataSpec(spec);
    m_datasetPanel->setSpec(spec);
    const std::shared_ptr<const Dataset> data = m_session->dataset();
    m_trainingPanel->setTasks(taskNames(data->tasks));
    m_trainingPanel->setRationalesAvailable(data->hasRationales());
    m_modelPanel->setLessonNote(m_session->checkpoint() ? QString() : QString::fromStdString(data->suggestion));
    if (!spec.startsWith(QLatin1String("builtin:")))
        m_file->recent()->add(QFileInfo(spec).absoluteFilePath());
}

void MainWindow::onRunConfigured(Run *run, std::shared_ptr<const TrainingSetup> setup)
{
    if (setup)
        m_curves->setHistory(&run->history());  // named for the setup's tasks
    m_runs->refresh();  // the overlays by the new tasks
    m_status->clear();
    m_attention->setSource(QStringLiteral("%1 · %2").arg(m_session->dataSpec(), run->name()));
    if (m_statusText == settingsChangedNote())
        showStatus({}, 0);  // the new run has them
    m_attentionFeed->setRun(setup, run->data());  // the worker refreshes the probe set from now on
}

// A setting that only a new run can take changed: the session applies it at
// once when nothing has trained yet; otherwise ask before throwing the run away.
namespace {

// The panels' settings are those of the run's setup, in everything a new
// run would take from them (the sizes from the data aside).
bool settingsOfRun(RunSettings settings, const TrainingSetup &setup)
{
    const ModelConfig &run = setup.model.config;
    ModelConfig &panel = settings.model;
    panel.input = run.input;
    panel.vocabSize = run.vocabSize;
    panel.features = run.features;
    panel.classes = run.classes;
    if (run.input != InputKind::Text) {  // tabular: unused
        panel.maxLen = run.maxLen;
        panel.maxVocab = run.maxVocab;
        panel.minFreq = run.minFreq;
    }
    const TrainConfig &a = settings.train, &b = setup.config;
    return panel == run && a.seed == b.seed && a.batchSize == b.batchSize && a.epochs == b.epochs
           && a.steps == b.steps;
}

} // namespace

QString MainWindow::settingsChangedNote()
{
    return tr("Settings changed: Reset starts a new run with them");
}

void MainWindow::onSettingsNeedNewRun()
{
    const bool ask = m_session->settingsChanged();
    // Said while it is true: not once the fields are back to the run's, nor after the new run (onRunConfigured).
    const std::shared_ptr<const TrainingSetup> setup = training()->setup();
    if (m_session->newRunPending() && !(setup && settingsOfRun(runSettings(), *setup)))
        showStatus(settingsChangedNote(), 0);
    else if (m_statusText == settingsChangedNote())
        showStatus({}, 0);
    if (!ask)
        return;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Start a new run?"),
                                tr("This change needs a new model or trainer. Reset now and lose the current "
                                   "run's progress? (Otherwise it applies at the next Reset.)"),
                                QMessageBox::Yes | QMessageBox::No, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this](int result) {
        if (result == QMessageBox::Yes && m_session->newRunPending())
            m_session->newRun();
    });
    box->open();
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
    if (message.isEmpty())
        return;
    if (state == TrainingWorker::State::Paused) {
        // Divergence: say what happened and what to try.
        showError(message);
    } else {
        showStatus(message, 15000);
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

bool MainWindow::saveCheckpoint(const QString &path)
{
    return remembered(m_session->saveCheckpoint(path), m_file->recent(), path);
}

bool MainWindow::exportCurves(const QString &path)
{
    return exportTo(path, [this](const QString &to, QString *error) { return m_curves->exportCsv(to, error); });
}

bool MainWindow::exportPlot(const QString &path)
{
    // Above the curves: what they are of.
    const QString heading = QStringLiteral("%1 · %2 · step %3")
                                .arg(m_session->dataSpec(), m_session->currentRun()->name())
                                .arg(m_last.step);
    return exportTo(path, [this, heading](const QString &to, QString *error) {
        return m_curves->exportImage(to, error, heading);
    });
}

// Refuses a path an export cannot go to (a device or FIFO would be replaced
// or block the window; a directory; no such directory), then writes.
bool MainWindow::exportTo(const QString &path, const std::function<bool(const QString &, QString *)> &write)
{
    QString error = QString::fromStdString(checkOutputFile(path.toStdString(), OutputMode::Replace));
    if (!error.isEmpty() || !write(path, &error)) {
        showError(error);
        return false;
    }
    showStatus(tr("Wrote %1").arg(path), 10000);
    return true;
}

void MainWindow::showEvaluation(int64_t step, const EvalResult &result, const std::vector<TaskInfo> &tasks)
{
    showStatus(evaluationMessage(step, result, tasks), 15000);
}

// One line, cut with "…" where the read-out on the right begins (a long
// message drew under the progress bar), the whole of it in the tooltip.
void MainWindow::showStatus(const QString &text, int timeout)
{
    m_statusText = text;
    m_statusTimeout = timeout;
    if (text.isEmpty()) {
        statusBar()->clearMessage();
        statusBar()->setToolTip({});
        return;
    }
    // A message may quote a megabyte of the file (a column name): shown
    // whole, laying it out would take seconds.
    const QString line = elidedMessage(text, 2000).simplified();
    const int readout = m_status->isVisible() ? m_status->x() : statusBar()->width() - m_status->sizeHint().width()
                                                                     - m_dataLabel->sizeHint().width();
    const int room = std::max(120, readout - 24);
    statusBar()->showMessage(statusBar()->fontMetrics().elidedText(line, Qt::ElideRight, room), timeout);
    statusBar()->setToolTip(line);
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
    if (!isVisible())
        return;
    // Whole in the box, but for the middle of a megabyte that a message may quote.
    auto *box = new QMessageBox(QMessageBox::Warning, tr("AttnScope"), elidedMessage(message, 2000), QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::readSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
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
    m_session->shutdown();  // stops the runs between two steps and joins their threads
    event->accept();
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

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls() && event->mimeData()->urls().size() == 1
        && event->mimeData()->urls().first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QString path = event->mimeData()->urls().first().toLocalFile();
    event->acceptProposedAction();
    openFile(path);
}

} // namespace attnscope
