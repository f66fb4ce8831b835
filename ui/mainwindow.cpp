#include "mainwindow.h"

#include "threadhandoff.h"

#include "attention/attentionpanel.h"
#include "application.h"
#include "attentionfeed.h"
#include "checkpoint.h"
#include "csvreader.h"
#include "datasetpanel.h"
#include "fileutil.h"
#include "lossplot.h"
#include "modelpanel.h"
#include "taskcolors.h"
#include "tasknames.h"
#include "trainingpanel.h"
#include "trainingstatus.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QKeyEvent>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QLocale>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTextEdit>
#include <QThread>
#include <QToolBar>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <new>

namespace attnscope {

namespace {

constexpr double ValFraction = 0.2;
constexpr int MaxRecent = 8;

bool isCsvFile(const QString &spec)
{
    if (spec.startsWith(QLatin1String("builtin:")))
        return false;
    const QString suffix = QFileInfo(spec).suffix().toLower();
    return suffix == QLatin1String("csv") || suffix == QLatin1String("tsv") || suffix == QLatin1String("tab");
}

QStringList taskNames(const std::vector<TaskInfo> &tasks)
{
    QStringList names;
    for (const TaskInfo &task : tasks)
        names << QString::fromStdString(task.name);
    return names;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("AttnScope"));
    setObjectName(QStringLiteral("mainWindow"));
    setAcceptDrops(true);
    m_training = new TrainingController(this);
    connect(m_training, &TrainingController::snapshot, this, &MainWindow::onSnapshot);
    connect(m_training, &TrainingController::stateChanged, this, &MainWindow::onState);
    // Failures the worker, or any event handler, caught at its boundary: said here, the window stays.
    connect(m_training, &TrainingController::problem, this, &MainWindow::showError);
    if (auto *application = qobject_cast<Application *>(QCoreApplication::instance()))
        connect(application, &Application::problem, this, &MainWindow::showError);

    createPanels();
    createActions();
    createMenus();

    m_status = new TrainingStatus(this);
    // Permanent (right), so that a message never hides the progress, nor
    // draws over it when it came before the window was shown.
    statusBar()->addPermanentWidget(m_status);
    m_dataLabel = new QLabel(this);
    m_dataLabel->setContentsMargins(16, 0, 4, 0);
    statusBar()->addPermanentWidget(m_dataLabel);
    setDataSpec(QString());
    // 1400 x 860, or 90 % of a smaller screen (a projector, QT_SCALE_FACTOR=2).
    const QRect screen = this->screen() ? this->screen()->availableGeometry() : QRect(0, 0, 1400, 860);
    resize(std::min(1400, screen.width() * 9 / 10), std::min(860, screen.height() * 9 / 10));
    readSettings();
    updateControls();
    qApp->installEventFilter(this);
}

MainWindow::~MainWindow()
{
    qApp->removeEventFilter(this);
    // A load, a run's build or an evaluation in flight: wait for it (its result is dropped).
    for (QThread *thread : {m_loadThread, m_setupThread, m_evalThread})
        if (thread) {
            thread->wait();
            delete thread;
        }
    m_training->shutdown();
}

void MainWindow::createPanels()
{
    m_datasetPanel = new DatasetPanel;
    m_modelPanel = new ModelPanel;
    m_trainingPanel = new TrainingPanel;
    connect(m_datasetPanel, &DatasetPanel::loadRequested, this, [this](const QString &spec) { openDatasetAsync(spec); });
    connect(m_datasetPanel, &DatasetPanel::cancelLoadRequested, this, &MainWindow::cancelLoad);
    connect(m_datasetPanel, &DatasetPanel::loadWithOptionsRequested, this,
            [this](const QString &path, const LoadOptions &options) { openDatasetAsync(path, options); });
    connect(m_datasetPanel, &DatasetPanel::openRequested, this, [this]() {
        const QString path = askOpen(tr("Open dataset"), tr("Datasets (*.jsonl *.json *.csv *.tsv);;All files (*)"),
                                     QStringLiteral("dataDir"));
        if (!path.isEmpty())
            openDatasetAsync(path);
    });
    connect(m_modelPanel, &ModelPanel::changed, this, [this]() {
        updateControls();
        if (m_modelPanel->isValid()) {
            m_checkpoint.reset();  // the fields now say what model to build
            onSettingsNeedNewRun();
        }
    });
    connect(m_trainingPanel, &TrainingPanel::changed, this, &MainWindow::onSettingsNeedNewRun);
    connect(m_trainingPanel, &TrainingPanel::learningRateChanged, m_training, &TrainingController::setLearningRate);
    connect(m_trainingPanel, &TrainingPanel::taskWeightsChanged, m_training, &TrainingController::setTaskWeights);

    auto *column = new QWidget;
    auto *layout = new QVBoxLayout(column);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(12);
    layout->addWidget(m_datasetPanel);
    layout->addWidget(m_modelPanel);
    layout->addWidget(m_trainingPanel);
    layout->addStretch(1);
    auto *scroll = new QScrollArea;
    scroll->setWidget(column);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    column->setMinimumWidth(340);
    scroll->setMinimumWidth(360);
    auto *dock = new QDockWidget(tr("Setup"), this);
    dock->setObjectName(QStringLiteral("setupDock"));
    dock->setWidget(scroll);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::LeftDockWidgetArea, dock);

    m_curves = new LossPlot;
    m_views = new QTabWidget;
    m_views->setObjectName(QStringLiteral("views"));
    m_views->setDocumentMode(true);
    m_views->addTab(m_curves, tr("Curves"));
    m_attention = new AttentionPanel;
    m_views->addTab(m_attention, tr("Attention"));
    m_attentionFeed = new AttentionFeed(m_training, m_attention, this);
    setCentralWidget(m_views);
    connect(m_curves, &LossPlot::optionsChanged, this, [this]() { writeSettings(); });
}

void MainWindow::createActions()
{
    const auto make = [this](const QString &text, const QKeySequence &key, const QString &tip,
                             QStyle::StandardPixmap icon) {
        auto *action = new QAction(style()->standardIcon(icon), text, this);
        action->setShortcut(key);
        action->setToolTip(QStringLiteral("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
        action->setShortcutContext(Qt::WindowShortcut);
        return action;
    };
    m_start = make(tr("&Start"), QKeySequence(Qt::Key_F5), tr("Train from the start"), QStyle::SP_MediaPlay);
    // Space is not a QAction shortcut: a focused spin box or combo would eat
    // it, a focused button would also click. eventFilter() takes it instead.
    m_pause = make(tr("&Pause"), QKeySequence(), tr("Pause or resume training"), QStyle::SP_MediaPause);
    m_pause->setToolTip(tr("Pause or resume training (Space)"));
    m_step = make(tr("S&tep"), QKeySequence(Qt::Key_F10), tr("Train one batch"), QStyle::SP_MediaSeekForward);
    m_stop = make(tr("St&op"), QKeySequence(Qt::SHIFT | Qt::Key_F5), tr("Stop training, keep the weights"),
                  QStyle::SP_MediaStop);
    m_reset = make(tr("&Reset"), QKeySequence(Qt::CTRL | Qt::Key_R), tr("Back to the initial weights (same seed)"),
                   QStyle::SP_BrowserReload);
    m_start->setObjectName(QStringLiteral("start"));
    m_pause->setObjectName(QStringLiteral("pause"));
    m_step->setObjectName(QStringLiteral("step"));
    m_stop->setObjectName(QStringLiteral("stop"));
    m_reset->setObjectName(QStringLiteral("reset"));
    connect(m_start, &QAction::triggered, this, [this]() {
        if (m_controls.start)
            m_training->start();
    });
    connect(m_pause, &QAction::triggered, this, &MainWindow::togglePause);
    connect(m_step, &QAction::triggered, this, [this]() {
        if (m_controls.step)
            m_training->step();
    });
    connect(m_stop, &QAction::triggered, this, [this]() {
        if (m_controls.stop)
            m_training->stop();
    });
    connect(m_reset, &QAction::triggered, this, [this]() {
        if (!m_controls.reset)
            return;
        if (m_askPending)
            rebuildSetup();
        else
            m_training->reset();
    });
    m_evaluate = new QAction(tr("&Evaluate now"), this);
    m_evaluate->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(m_evaluate, &QAction::triggered, this, &MainWindow::evaluateInBackground);

    auto *toolbar = addToolBar(tr("Training"));
    toolbar->setObjectName(QStringLiteral("trainingToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setMovable(false);
    for (QAction *action : {m_start, m_pause, m_step, m_stop, m_reset})
        toolbar->addAction(action);

    // Speed: a cap on steps per second, so that a class can watch a small
    // model learn (builtin:reviews trains 1,000 steps in about a second).
    m_speed = new QComboBox(this);
    m_speed->setObjectName(QStringLiteral("speed"));
    for (double rate : {0.0, 300.0, 100.0, 30.0, 10.0, 3.0, 1.0})
        m_speed->addItem(rate == 0 ? tr("full speed") : tr("%1 steps/s").arg(rate), rate);
    m_speed->setToolTip(tr("At most this many training steps a second; applies at once (Ctrl+[ slower, Ctrl+] faster)"));
    connect(m_speed, &QComboBox::currentIndexChanged, this, [this]() {
        const double rate = m_speed->currentData().toDouble();
        m_training->setStepRateLimit(rate);
        if (!m_speedForRun)
            m_savedSpeed = rate;
    });
    auto *speedLabel = new QLabel(tr("Speed"), this);
    speedLabel->setContentsMargins(12, 0, 6, 0);
    speedLabel->setBuddy(m_speed);
    toolbar->addSeparator();
    toolbar->addWidget(speedLabel);
    toolbar->addWidget(m_speed);
    m_slower = new QAction(tr("S&lower"), this);
    m_slower->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_BracketLeft));
    connect(m_slower, &QAction::triggered, this,
            [this]() { m_speed->setCurrentIndex(std::min(m_speed->currentIndex() + 1, m_speed->count() - 1)); });
    m_faster = new QAction(tr("&Faster"), this);
    m_faster->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_BracketRight));
    connect(m_faster, &QAction::triggered, this, [this]() { m_speed->setCurrentIndex(std::max(m_speed->currentIndex() - 1, 0)); });
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *openData = file->addAction(tr("Open &dataset…"));
    openData->setShortcut(QKeySequence::Open);
    connect(openData, &QAction::triggered, m_datasetPanel, &DatasetPanel::openRequested);
    QAction *openCkpt = file->addAction(tr("Open &checkpoint…"));
    openCkpt->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(openCkpt, &QAction::triggered, this, [this]() {
        const QString path = askOpen(tr("Open checkpoint"), tr("Checkpoints (*.safetensors);;All files (*)"),
                                     QStringLiteral("checkpointDir"));
        if (!path.isEmpty())
            openCheckpoint(path);
    });
    m_recentMenu = file->addMenu(tr("Open &recent"));
    file->addSeparator();
    m_save = file->addAction(tr("&Save checkpoint…"));
    m_save->setShortcut(QKeySequence::Save);
    connect(m_save, &QAction::triggered, this, [this]() {
        const QString path = askSave(tr("Save checkpoint"), tr("Checkpoints (*.safetensors)"),
                                     QStringLiteral("checkpointDir"), QStringLiteral("model.safetensors"));
        if (!path.isEmpty())
            saveCheckpoint(path);
    });
    m_exportCurves = file->addAction(tr("Export &curves (CSV)…"));
    connect(m_exportCurves, &QAction::triggered, this, [this]() {
        const QString path = askSave(tr("Export curves"), tr("CSV (*.csv)"), QStringLiteral("exportDir"),
                                     QStringLiteral("curves.csv"));
        if (!path.isEmpty())
            exportCurves(path);
    });
    m_exportPlot = file->addAction(tr("Export &plot (PNG, SVG, PDF)…"));
    connect(m_exportPlot, &QAction::triggered, this, [this]() {
        const QString path = askSave(tr("Export plot"), tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"),
                                     QStringLiteral("exportDir"), QStringLiteral("curves.png"));
        if (!path.isEmpty())
            exportPlot(path);
    });
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setShortcutContext(Qt::ApplicationShortcut);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *train = menuBar()->addMenu(tr("&Training"));
    for (QAction *action : {m_start, m_pause, m_step, m_stop, m_reset})
        train->addAction(action);
    train->addSeparator();
    train->addAction(m_slower);
    train->addAction(m_faster);
    train->addSeparator();
    train->addAction(m_evaluate);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *resetView = view->addAction(tr("Reset plot &view"));
    resetView->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    connect(resetView, &QAction::triggered, m_curves, &LossPlot::resetView);
    QAction *log = view->addAction(tr("&Logarithmic loss axis"));
    log->setCheckable(true);
    connect(log, &QAction::toggled, m_curves, &LossPlot::setLogScale);
    connect(m_curves, &LossPlot::optionsChanged, log, [this, log]() { log->setChecked(m_curves->logScale()); });
    view->addSeparator();
    QMenu *theme = view->addMenu(tr("&Theme"));
    auto *themes = new QActionGroup(this);
    const auto addTheme = [&](const QString &text, Theme value) {
        QAction *action = theme->addAction(text);
        action->setCheckable(true);
        action->setData(int(value));
        action->setObjectName(QStringLiteral("theme_") + toString(value));
        themes->addAction(action);
        connect(action, &QAction::triggered, this, [this, value]() { setTheme(value); });
        return action;
    };
    m_themeSystem = addTheme(tr("&System"), Theme::System);
    m_themeLight = addTheme(tr("&Light"), Theme::Light);
    m_themeDark = addTheme(tr("&Dark"), Theme::Dark);
}

QAction *MainWindow::themeAction(Theme theme) const
{
    switch (theme) {
    case Theme::Light: return m_themeLight;
    case Theme::Dark: return m_themeDark;
    case Theme::System: break;
    }
    return m_themeSystem;
}

// The whole application's palette (every widget gets QEvent::PaletteChange),
// kept for the next start.
void MainWindow::setTheme(Theme theme, bool persist)
{
    applyTheme(theme);
    if (persist)
        saveTheme(theme);
    themeAction(theme)->setChecked(true);
}

QCustomPlot *MainWindow::lossPlot() const
{
    return m_curves->plot();
}

void MainWindow::setDataSpec(const QString &spec)
{
    m_dataSpec = spec;
    m_dataLabel->setText(spec.isEmpty() ? tr("No dataset") : tr("Dataset: %1").arg(spec));
}

// One dataset load: the column guess, the load, the summary and (on the
// worker thread of openDatasetAsync) the new run, computed before anything in
// the window changes; handed to the GUI thread once finished.
struct MainWindow::LoadJob {
    QString spec;
    LoadOptions options;
    bool csv = false;
    uint64_t seed = 1;  // the summary's split seed and max length, as rebuildSetup will ask
    int maxLen = 64;
    bool buildRun = false;  // also the run, as rebuildSetup would build it now
    ModelConfig config;     // the Model panel's
    std::shared_ptr<const Model> checkpoint;
    TrainConfig train;      // its seed: the model's and the split's

    std::vector<CsvColumn> columns;
    std::string columnsProblem;
    std::shared_ptr<Dataset> data = std::make_shared<Dataset>();
    bool ok = false;
    std::string error;
    DatasetSummary summary;
    bool summarized = false;
    bool checkpointFits = false;          // checkpoint: the data fits it (the run keeps its weights)
    ModelConfig runConfig;                // no checkpoint: the configuration setup was built with
    std::shared_ptr<TrainingSetup> setup; // null: not built, or refused (runError says why)
    std::string runError;
    std::atomic<bool> cancelled{false};   // set from the GUI thread: stop at the next progress report

    // progress: 0-100, reading the file up to 90, the summary and the run after.
    // Nothing it throws leaves it (it runs on a thread of its own, or in an
    // event handler): the load fails instead, and what it made is freed.
    void run(const std::function<void(int)> &progress = {})
    {
        try {
            load(progress);
        } catch (const std::exception &e) {
            ok = false;
            summarized = false;
            setup.reset();
            data = std::make_shared<Dataset>();
            error = spec.toStdString() + ": " + failureText(e) + " while loading it; the open dataset stays";
        }
    }

    void load(const std::function<void(int)> &progress)
    {
        int last = -1;
        const auto report = [&](int percent) {
            if (progress && percent != last) {
                last = percent;
                progress(percent);
            }
        };
        report(0);
        if (csv) {
            // The roles the reader will use, shown (and editable) in the panel
            // whether or not the file loads: a wrong guess is fixed there.
            guessCsvColumns(spec.toStdString(), options, &columns, &columnsProblem);
        }
        ok = loadDataset(spec.toStdString(), options, data.get(), &error, [&](double done) {
            report(int(90 * std::clamp(done, 0.0, 1.0)));
            return !cancelled.load();
        });
        if (ok && !data->samples.empty() && !cancelled.load()) {
            report(90);
            summary = summarizeDataset(*data, ValFraction, seed, maxLen);
            summarized = true;
            if (buildRun && !cancelled.load()) {
                // What applyLoad and rebuildSetup do with the checkpoint and a
                // built-in's suggested depth, on this thread.
                auto built = std::make_shared<TrainingSetup>();
                std::string why;
                if (checkpoint)
                    checkpointFits = buildSetupFromModel(*data, *checkpoint, train, ValFraction, built.get(), &why);
                if (!checkpointFits) {
                    runConfig = config;
                    if (data->suggestedLayers >= 0)
                        runConfig.layers = data->suggestedLayers;
                    if (!buildSetup(*data, runConfig, train, ValFraction, built.get(), &runError))
                        built.reset();
                }
                setup = built;
            }
            report(100);
        }
    }
};

std::shared_ptr<MainWindow::LoadJob> MainWindow::makeLoadJob(const QString &spec, const LoadOptions &options) const
{
    auto job = std::make_shared<LoadJob>();
    job->spec = spec;
    job->options = options;
    job->csv = isCsvFile(spec);
    job->seed = m_modelPanel->seed();
    job->maxLen = m_checkpoint ? m_checkpoint->config.maxLen : m_modelPanel->config().maxLen;
    job->config = m_modelPanel->config();
    job->checkpoint = m_checkpoint;
    job->train = m_trainingPanel->config();
    job->train.seed = m_modelPanel->seed();
    return job;
}

bool MainWindow::openDataset(const QString &spec, const LoadOptions &options)
{
    // A load in flight is superseded: it stops early, its result is dropped.
    ++m_loadGeneration;
    m_nextLoad.reset();
    if (m_loadJob)
        m_loadJob->cancelled = true;
    m_datasetPanel->setLoading({}, -1);
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    const std::shared_ptr<LoadJob> job = makeLoadJob(spec, options);
    job->buildRun = m_modelPanel->isValid();  // the run too, here: returns with everything ready
    job->run();
    QGuiApplication::restoreOverrideCursor();
    return applyLoad(*job);
}

void MainWindow::openDatasetAsync(const QString &spec, const LoadOptions &options)
{
    if (m_loadThread) {
        // The running load stops at its next progress report, then this one starts.
        m_loadJob->cancelled = true;
        m_nextLoad.emplace(spec, options);
        m_datasetPanel->setLoading(spec, 0, tr("Waiting to load %1…"));
        statusBar()->showMessage(tr("Loading %1…").arg(spec));
        return;
    }
    startLoad(spec, options);
}

void MainWindow::cancelLoad()
{
    if (!m_loadJob)
        return;
    m_loadJob->cancelled = true;
    m_nextLoad.reset();
    m_datasetPanel->setCancelling();
    statusBar()->showMessage(tr("Cancelling the load of %1…").arg(m_loadJob->spec));
}

void MainWindow::startLoad(const QString &spec, const LoadOptions &options)
{
    const int generation = ++m_loadGeneration;
    const std::shared_ptr<LoadJob> job = makeLoadJob(spec, options);
    job->buildRun = m_modelPanel->isValid();
    m_loadJob = job;
    m_datasetPanel->setLoading(spec, 0);
    statusBar()->showMessage(tr("Loading %1…").arg(spec));
    // The thread only touches the job; progress reaches the window as queued
    // calls (the destructor waits for the thread, so `this` outlives them).
    runOnThread(&m_loadThread, QStringLiteral("datasetLoader"), [this, job, generation]() {
        job->run([this, job, generation](int percent) {
            HandOffSend send;  // TSan build only (threadhandoff.h)
            QMetaObject::invokeMethod(this, [this, job, generation, percent]() {
                if (generation != m_loadGeneration || m_nextLoad || job->cancelled)
                    return;
                m_datasetPanel->setLoading(job->spec, percent, percent >= 90 ? tr("Preparing %1…") : QString());
                emit datasetLoadProgress(job->spec, percent);
            }, Qt::QueuedConnection);
        });
    }, [this, job, generation]() { finishLoad(job, generation); });
}

void MainWindow::runOnThread(QThread **slot, const QString &name, std::function<void()> work, std::function<void()> done)
{
    // The jobs catch what they throw themselves; an exception that still
    // left one would end the process (nothing above a thread's function
    // catches), so it ends here and is reported.
    auto failure = std::make_shared<QString>();
    QThread *thread = QThread::create([work = std::move(work), failure, name]() {
        try {
            work();
        } catch (const std::exception &e) {
            *failure = tr("%1 in the %2 thread; what it was doing was abandoned")
                           .arg(QString::fromStdString(failureText(e)), name);
        }
    });
    thread->setObjectName(name);
    *slot = thread;
    connect(thread, &QThread::finished, this, [this, slot, thread, failure, done = std::move(done)]() {
        thread->wait();  // finished was its last act
        delete thread;
        *slot = nullptr;
        if (!failure->isEmpty())
            showError(*failure);
        done();
    });
    // TSan build only: the thread's results, after finished() was posted to the slot above (threadhandoff.h).
    connect(thread, &QThread::finished, thread, [] { HandOffSend send; }, Qt::DirectConnection);
    thread->start();
}

void MainWindow::finishLoad(const std::shared_ptr<LoadJob> &job, int generation)
{
    m_loadJob.reset();
    if (m_nextLoad) {
        // Superseded by a request made meanwhile.
        const auto [spec, options] = *std::exchange(m_nextLoad, std::nullopt);
        emit datasetLoadFinished(job->spec, false);
        startLoad(spec, options);
        return;
    }
    m_datasetPanel->setLoading({}, -1);
    if (generation != m_loadGeneration) {
        // openDataset opened something else meanwhile.
        emit datasetLoadFinished(job->spec, false);
        return;
    }
    if (job->cancelled) {
        // Cancel: nothing changes, and it is no error.
        statusBar()->showMessage(m_data ? tr("Loading %1 cancelled; %2 is still open").arg(job->spec, m_dataSpec)
                                        : tr("Loading %1 cancelled").arg(job->spec),
                                 10000);
        emit datasetLoadFinished(job->spec, false);
        return;
    }
    statusBar()->clearMessage();
    const bool ok = applyLoad(*job);
    emit datasetLoadFinished(job->spec, ok);
}

bool MainWindow::applyLoad(const LoadJob &job)
{
    const QString &spec = job.spec;
    if (job.csv)
        m_datasetPanel->setColumns(spec, job.columns, QString::fromStdString(job.columnsProblem));
    const std::shared_ptr<Dataset> &data = job.data;
    if (!job.ok || data->samples.empty()) {
        // The open dataset, model and run stay as they were.
        const QString message = job.ok ? tr("%1: no usable samples").arg(spec) : QString::fromStdString(job.error);
        m_datasetPanel->setLoadError(m_data ? tr("%1 (still open: %2)").arg(message, m_dataSpec) : message);
        showError(message);
        return false;
    }
    m_datasetPanel->setLoadError({});
    if (!job.csv)
        m_datasetPanel->clearColumns();
    m_data = data;
    m_dataOptions = job.options;
    m_summaryKey = {nullptr, 0, 0};
    if (job.summarized) {
        // rebuildSetup computes it again if the run's seed or max length differ.
        m_summary = job.summary;
        m_summaryKey = {m_data.get(), job.seed, job.maxLen};
    }
    setDataSpec(spec);
    m_datasetPanel->setSpec(spec);
    m_trainingPanel->setTasks(taskNames(data->tasks));
    if (m_checkpoint) {
        // Keep the checkpoint's weights when the data fits them.
        TrainingSetup probe;
        std::string why;
        const bool fits = job.buildRun && job.checkpoint == m_checkpoint
                              ? job.checkpointFits
                              : buildSetupFromModel(*data, *m_checkpoint, m_trainingPanel->config(), ValFraction, &probe, &why);
        if (!fits)
            m_checkpoint.reset();
    }
    if (!m_checkpoint && data->suggestedLayers >= 0 && m_modelPanel->config().layers != data->suggestedLayers) {
        // A built-in lesson's depth (docs/datasets.md); the user can change it back.
        const QSignalBlocker block(m_modelPanel);
        ModelConfig config = m_modelPanel->config();
        config.layers = data->suggestedLayers;
        m_modelPanel->setConfig(config, m_modelPanel->seed());
        // Short enough for the status bar beside the progress; the whole note is under the fields.
        statusBar()->showMessage(data->suggestedLayers == 1
                                     ? tr("Lesson preset: 1 encoder layer; the Model panel says why")
                                     : tr("Lesson preset: %1 encoder layers; the Model panel says why").arg(data->suggestedLayers),
                                 20000);
    }
    m_modelPanel->setLessonNote(m_checkpoint ? QString() : QString::fromStdString(data->suggestion));
    if (!spec.startsWith(QLatin1String("builtin:")))
        addRecent(QFileInfo(spec).absoluteFilePath());
    // The worker's run (or why there is none), if the settings are still the ones it was built for.
    const bool same = job.buildRun && m_modelPanel->seed() == job.train.seed
                      && (m_checkpoint ? job.checkpointFits && job.checkpoint == m_checkpoint
                                       : !job.checkpointFits && m_modelPanel->config() == job.runConfig);
    if (same && !job.setup && !job.runError.empty())
        return rebuildSetup(nullptr, job.runError);
    return rebuildSetup(same ? job.setup : nullptr);
}

bool MainWindow::openCheckpoint(const QString &path)
{
    auto model = std::make_shared<Model>();
    std::string error;
    if (!attnscope::loadCheckpoint(path.toStdString(), model.get(), &error)) {
        showError(QString::fromStdString(error));
        return false;
    }
    {
        const QSignalBlocker block(m_modelPanel);
        m_modelPanel->setConfig(model->config, m_modelPanel->seed());
    }
    m_checkpoint = model;
    addRecent(QFileInfo(path).absoluteFilePath());
    if (m_data) {
        TrainingSetup probe;
        std::string why;
        if (!buildSetupFromModel(*m_data, *model, m_trainingPanel->config(), ValFraction, &probe, &why)) {
            // The checkpoint does not fit the open data: open the built-in it may come from.
            m_data.reset();
            statusBar()->showMessage(tr("%1 does not fit %2 (%3)").arg(path, m_dataSpec, QString::fromStdString(why)), 10000);
        }
    }
    if (!m_data) {
        // Without data the weights are still there to save and inspect.
        auto setup = std::make_shared<TrainingSetup>();
        setup->model = *model;
        setup->config = m_trainingPanel->config();
        m_training->configure(setup);
        m_runData.reset();
        m_attentionFeed->setRun(setup, nullptr);
        emit setupChanged(setup);
        m_curves->setTasks(taskNames(model->tasks));
        statusBar()->showMessage(tr("Opened %1; open a dataset with the same tasks to train or evaluate it").arg(path), 10000);
        return true;
    }
    statusBar()->showMessage(tr("Opened %1").arg(path), 10000);
    return rebuildSetup();
}

// One new run from the panels' settings (or the checkpoint's weights) on the
// open data, and the data's summary as that run sees it when the one shown
// is for another split seed or max length. It only reads what it holds, so
// it can run on a thread.
struct MainWindow::SetupJob {
    std::shared_ptr<const Dataset> data;
    std::shared_ptr<const Model> checkpoint;
    ModelConfig config;
    TrainConfig train;
    bool summarize = false;

    std::shared_ptr<TrainingSetup> setup = std::make_shared<TrainingSetup>();
    bool ok = false;
    std::string error;
    DatasetSummary summary;

    int maxLen = 64;  // the run's (the checkpoint's or the panel's), for the summary

    // Nothing it throws leaves it (a thread of its own, or an event handler):
    // the run is refused instead, and what it made is freed.
    void run()
    {
        try {
            ok = checkpoint ? buildSetupFromModel(*data, *checkpoint, train, ValFraction, setup.get(), &error)
                            : buildSetup(*data, config, train, ValFraction, setup.get(), &error);
            if (summarize)  // a refused run's data is open too
                summary = summarizeDataset(*data, ValFraction, train.seed, maxLen);
        } catch (const std::exception &e) {
            ok = false;
            summarize = false;
            setup = std::make_shared<TrainingSetup>();
            error = data->source + ": " + failureText(e) + " while preparing the run";
        }
    }
};

std::shared_ptr<MainWindow::SetupJob> MainWindow::makeSetupJob() const
{
    auto job = std::make_shared<SetupJob>();
    job->data = m_data;
    job->checkpoint = m_checkpoint;
    job->config = m_modelPanel->config();
    job->train = m_trainingPanel->config();
    job->train.seed = m_modelPanel->seed();
    job->maxLen = m_checkpoint ? m_checkpoint->config.maxLen : job->config.maxLen;
    job->summarize = std::make_tuple(m_data.get(), job->train.seed, job->maxLen) != m_summaryKey;
    return job;
}

// A new run on the open data: `prebuilt` (a dataset load's, made for the same
// settings), or that load's refusal (`refused`), or one built now from the
// panels, on a thread for large data.
bool MainWindow::rebuildSetup(std::shared_ptr<TrainingSetup> prebuilt, const std::string &refused)
{
    m_askPending = false;
    if (!m_data)
        return false;
    if (!m_modelPanel->isValid()) {
        showError(m_modelPanel->problem());
        return false;
    }
    ++m_setupGeneration;  // a build in flight is superseded
    m_setupAgain = false;
    const std::shared_ptr<SetupJob> job = makeSetupJob();
    if (prebuilt || !refused.empty()) {
        if (prebuilt) {
            // Only its seed went into the model and the split; the batch and
            // the optimiser count in its memory.
            prebuilt->config = job->train;
            job->setup = std::move(prebuilt);
            job->ok = fitMemory(job->setup.get(), &job->error);
        } else {
            job->error = refused;
        }
        if (job->summarize)
            job->summary = summarizeDataset(*m_data, ValFraction, job->train.seed, job->maxLen);
        return applySetup(*job);
    }
    if (m_data->samples.size() < AsyncSetupSamples) {
        job->run();
        return applySetup(*job);
    }
    // Encoding every sample takes seconds for a large file: on a thread, while
    // the window stays responsive and the controls wait. The old run pauses.
    if (m_training->state() == TrainingWorker::State::Running)
        m_training->pause();
    if (std::get<0>(m_summaryKey) == m_data.get())
        m_datasetPanel->setDataset(m_data.get(), m_summary);  // the data is open; its run follows
    statusBar()->showMessage(tr("Preparing a new run on %1 samples…").arg(QLocale().toString(qlonglong(m_data->samples.size()))));
    if (m_setupThread) {
        // buildSetup cannot be stopped: the build in flight ends, then this one starts.
        m_setupAgain = true;
        updateControls();
        return true;
    }
    const int generation = m_setupGeneration;
    runOnThread(&m_setupThread, QStringLiteral("runBuilder"), [job]() { job->run(); },
                [this, job, generation]() { finishSetup(job, generation); });
    updateControls();
    return true;
}

void MainWindow::finishSetup(const std::shared_ptr<SetupJob> &job, int generation)
{
    if (generation != m_setupGeneration || job->data != m_data) {
        // Superseded: settings changed meanwhile (build again with them), or
        // another run or dataset was applied (nothing to do).
        const bool again = std::exchange(m_setupAgain, false);
        updateControls();
        if (again)
            rebuildSetup();
        else
            statusBar()->clearMessage();
        return;
    }
    statusBar()->clearMessage();
    applySetup(*job);
    updateControls();
}

bool MainWindow::applySetup(const SetupJob &job)
{
    if (job.summarize) {
        m_summary = job.summary;
        m_summaryKey = {m_data.get(), job.train.seed, job.maxLen};
    }
    if (std::get<0>(m_summaryKey) == m_data.get())
        m_datasetPanel->setDataset(m_data.get(), m_summary);
    if (!job.ok) {
        if (m_runData != m_data) {
            // The run there is belongs to another dataset: this one has none
            // until settings that fit are chosen (the message says which).
            m_runData.reset();
            m_status->clear();
            m_training->configure(nullptr);
            m_attentionFeed->setRun(nullptr, nullptr);
            emit setupChanged(nullptr);
        }
        showError(QString::fromStdString(job.error));
        return false;
    }
    const std::shared_ptr<TrainingSetup> &setup = job.setup;
    m_curves->setTasks(taskNames(setup->model.tasks));
    m_status->clear();
    m_training->configure(setup);
    m_runData = m_data;
    m_attentionFeed->setRun(setup, m_data);  // the worker refreshes the probe set from now on
    emit setupChanged(setup);
    if (!setup->memoryNote.empty())
        statusBar()->showMessage(QString::fromStdString(setup->memoryNote), 20000);
    return true;
}

// A setting that only a new run can take changed: apply it at once when
// nothing has trained yet, otherwise ask before throwing the run away.
void MainWindow::onSettingsNeedNewRun()
{
    if (!m_data)
        return;
    const TrainingWorker::State state = m_training->state();
    if (m_training->currentStep() == 0 && state != TrainingWorker::State::Running) {
        rebuildSetup();
        return;
    }
    if (m_askPending)
        return;
    m_askPending = true;
    statusBar()->showMessage(tr("Settings changed: Reset starts a new run with them"));
    auto *box = new QMessageBox(QMessageBox::Question, tr("Start a new run?"),
                                tr("This change needs a new model or trainer. Reset now and lose the current "
                                   "run's progress? (Otherwise it applies at the next Reset.)"),
                                QMessageBox::Yes | QMessageBox::No, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this](int result) {
        if (result == QMessageBox::Yes && m_askPending)
            rebuildSetup();
    });
    box->open();
}

void MainWindow::onSnapshot(const TrainingSnapshot &snapshot)
{
    if (snapshot.run != m_run) {
        m_run = snapshot.run;
        m_curves->clear();
    }
    m_curves->append(snapshot);
    m_last = snapshot;
    m_status->update(snapshot, m_training->state());
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
        statusBar()->showMessage(message, 15000);
    }
}

void MainWindow::togglePause()
{
    if (!m_controls.pause)
        return;
    if (m_controls.resume)
        m_training->resume();
    else
        m_training->pause();
}

bool MainWindow::typesText(const QWidget *widget)
{
    if (!widget)
        return false;
    if (const auto *edit = qobject_cast<const QLineEdit *>(widget))
        return !edit->isReadOnly() && !qobject_cast<const QAbstractSpinBox *>(edit->parentWidget());
    if (qobject_cast<const QAbstractSpinBox *>(widget))
        return false;  // numbers: a space means nothing there
    if (const auto *combo = qobject_cast<const QComboBox *>(widget))
        return combo->isEditable();
    if (const auto *edit = qobject_cast<const QTextEdit *>(widget))
        return !edit->isReadOnly();
    if (const auto *edit = qobject_cast<const QPlainTextEdit *>(widget))
        return !edit->isReadOnly();
    return false;
}

// Space, pressed anywhere in this window, toggles pause; it reaches the
// focused widget only where it types a space. The press and its release are
// both taken so that a focused button does not click as well.
bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    const QEvent::Type type = event->type();
    if ((type == QEvent::KeyPress || type == QEvent::KeyRelease) && watched->isWidgetType()) {
        auto *key = static_cast<QKeyEvent *>(event);
        auto *widget = static_cast<QWidget *>(watched);
        if (key->key() == Qt::Key_Space && key->modifiers() == Qt::NoModifier && widget->window() == this
            && !typesText(QApplication::focusWidget() ? QApplication::focusWidget() : widget)) {
            if (type == QEvent::KeyPress && !key->isAutoRepeat())
                togglePause();
            return true;
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::updateControls()
{
    m_controls = controlState(m_training->state(), m_modelPanel->isValid() && m_data != nullptr);
    if (m_setupThread) {
        // A new run is being prepared: nothing trains until it is ready.
        m_controls.start = m_controls.step = m_controls.resume = m_controls.reset = false;
        if (m_training->state() != TrainingWorker::State::Running)
            m_controls.pause = false;
    }
    m_start->setEnabled(m_controls.start);
    m_pause->setEnabled(m_controls.pause);
    // "\tSpace" shows the key in the menus (it is not a QAction shortcut).
    m_pause->setText(m_controls.resume ? tr("Res&ume\tSpace") : tr("&Pause\tSpace"));
    m_pause->setIconText(m_controls.resume ? tr("Resume") : tr("Pause"));
    m_pause->setIcon(style()->standardIcon(m_controls.resume ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    m_step->setEnabled(m_controls.step);
    m_stop->setEnabled(m_controls.stop);
    m_reset->setEnabled(m_controls.reset);
    m_save->setEnabled(m_controls.saveCheckpoint);
    m_evaluate->setEnabled(m_controls.saveCheckpoint && m_data != nullptr && !m_evalThread);
    m_exportCurves->setEnabled(true);
    m_exportPlot->setEnabled(true);
}

void MainWindow::evaluateInBackground()
{
    if (m_evalThread)
        return;
    const std::shared_ptr<const Model> model = m_training->modelCopy();
    const std::shared_ptr<const TrainingSetup> setup = m_training->setup();
    if (!model || !setup || setup->val.samples.empty()) {
        statusBar()->showMessage(tr("There is no validation split to evaluate on."), 10000);
        return;
    }
    // The whole validation split: seconds for a large file, so on a thread,
    // with a copy of the weights of this step (training may go on meanwhile).
    const std::vector<float> weights = m_trainingPanel->taskWeights();
    const int64_t step = m_training->currentStep();
    auto result = std::make_shared<EvalResult>();
    statusBar()->showMessage(tr("Evaluating step %1 on %2 validation samples…")
                                 .arg(step)
                                 .arg(QLocale().toString(qlonglong(setup->val.samples.size()))));
    const auto report = [this, model, result, step]() {
        const EvalResult &r = *result;
        if (r.samples == 0) {  // it failed (runOnThread said why)
            updateControls();
            return;
        }
        // One line: the first tasks, names elided (there may be thousands).
        QStringList parts;
        const size_t tasks = std::min(r.tasks.size(), model->tasks.size());
        for (size_t t = 0; t < tasks && t < size_t(MaxNamedTasks); ++t)
            parts << QStringLiteral("%1 %2").arg(elidedName(model->tasks[t].name)).arg(r.tasks[t].accuracy, 0, 'f', 3);
        if (tasks > size_t(MaxNamedTasks))
            parts << andMore(qint64(tasks) - MaxNamedTasks, tr("tasks"));
        statusBar()->showMessage(tr("Validation at step %1 (%2 samples): loss %3, accuracy %4")
                                     .arg(step)
                                     .arg(QLocale().toString(r.samples))
                                     .arg(r.loss, 0, 'f', 4)
                                     .arg(parts.join(QStringLiteral(", "))),
                                 15000);
        updateControls();
    };
    runOnThread(&m_evalThread, QStringLiteral("evaluation"),
                [model, setup, weights, result]() { *result = evaluate(*model, setup->val, weights); }, report);
    updateControls();
}

EvalResult MainWindow::evaluateNow() const
{
    const std::shared_ptr<Model> model = m_training->modelCopy();
    const std::shared_ptr<const TrainingSetup> setup = m_training->setup();
    if (!model || !setup || setup->val.samples.empty())
        return {};
    return evaluate(*model, setup->val, m_trainingPanel->taskWeights());
}

bool MainWindow::saveCheckpoint(const QString &path)
{
    const std::shared_ptr<Model> model = m_training->modelCopy();
    if (!model) {
        showError(tr("There is no model to save yet."));
        return false;
    }
    std::string error;
    if (!attnscope::saveCheckpoint(*model, path.toStdString(), &error)) {
        showError(QString::fromStdString(error));
        return false;
    }
    addRecent(QFileInfo(path).absoluteFilePath());
    statusBar()->showMessage(tr("Saved %1 (step %2)").arg(path).arg(m_training->currentStep()), 10000);
    return true;
}

// Why an export cannot go to path (a device or FIFO would be replaced or
// block the window; a directory; no such directory), or empty.
static QString exportProblem(const QString &path)
{
    return QString::fromStdString(checkOutputFile(path.toStdString(), OutputMode::Replace));
}

bool MainWindow::exportCurves(const QString &path)
{
    QString error = exportProblem(path);
    if (!error.isEmpty() || !m_curves->exportCsv(path, &error)) {
        showError(error);
        return false;
    }
    statusBar()->showMessage(tr("Wrote %1").arg(path), 10000);
    return true;
}

bool MainWindow::exportPlot(const QString &path)
{
    QString error = exportProblem(path);
    if (!error.isEmpty() || !m_curves->exportImage(path, &error)) {
        showError(error);
        return false;
    }
    statusBar()->showMessage(tr("Wrote %1").arg(path), 10000);
    return true;
}

// Errors never block the event loop (training and tests go on): a window-modal box.
void MainWindow::showError(const QString &message)
{
    m_lastError = message;
    // A message may quote a megabyte of the file (a column name): shown
    // whole, laying it out would take seconds.
    const QString shown = elidedMessage(message, 2000);
    // One line that stops before the dataset's name on the right (the whole
    // message is in the box, and a dataset's in its panel).
    const int room = std::max(200, statusBar()->width() - m_status->sizeHint().width() - m_dataLabel->sizeHint().width() - 40);
    statusBar()->showMessage(statusBar()->fontMetrics().elidedText(shown.simplified(), Qt::ElideMiddle, room), 15000);
    if (!isVisible())
        return;
    auto *box = new QMessageBox(QMessageBox::Warning, tr("AttnScope"), shown, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::addRecent(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > MaxRecent)
        recent.removeLast();
    settings.setValue(QStringLiteral("recentFiles"), recent);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    for (const QString &path : recent) {
        QAction *action = m_recentMenu->addAction(QFileInfo(path).fileName());
        action->setToolTip(path);
        connect(action, &QAction::triggered, this, [this, path]() {
            if (path.endsWith(QLatin1String(".safetensors")))
                openCheckpoint(path);
            else
                openDatasetAsync(path);
        });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

QString MainWindow::askOpen(const QString &title, const QString &filter, const QString &key)
{
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(this, title, settings.value(key).toString(), filter);
    if (!path.isEmpty())
        settings.setValue(key, QFileInfo(path).absolutePath());
    return path;
}

QString MainWindow::askSave(const QString &title, const QString &filter, const QString &key, const QString &name)
{
    QSettings settings;
    const QString dir = settings.value(key).toString();
    const QString path = QFileDialog::getSaveFileName(this, title, dir.isEmpty() ? name : dir + QLatin1Char('/') + name, filter);
    if (!path.isEmpty())
        settings.setValue(key, QFileInfo(path).absolutePath());
    return path;
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
    setSpeed(settings.value(QStringLiteral("training/stepsPerSecond"), 0.0).toDouble());
    updateRecentMenu();
}

void MainWindow::setSpeed(double stepsPerSecond, bool persist)
{
    const double rate = std::isfinite(stepsPerSecond) ? std::max(0.0, stepsPerSecond) : 0.0;
    int index = m_speed->findData(rate);
    if (index < 0) {
        // Between the box's rates, in order (they fall from full speed down).
        index = 1;
        while (index < m_speed->count() && m_speed->itemData(index).toDouble() > rate)
            ++index;
        m_speed->insertItem(index, tr("%1 steps/s").arg(rate), rate);
    }
    m_speedForRun = !persist;
    m_speed->setCurrentIndex(index);
    m_training->setStepRateLimit(rate);  // also when the index did not change
    m_speedForRun = false;
    if (persist)
        m_savedSpeed = rate;
}

void MainWindow::writeSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("attention/colorMap"), colorMapName(m_attention->colorMap()));
    settings.setValue(QStringLiteral("attention/scale"),
                      m_attention->colorScale() == ColorScale::Largest ? "largest" : "fixed");
    settings.setValue(QStringLiteral("plot/smoothing"), m_curves->smoothing());
    settings.setValue(QStringLiteral("plot/log"), m_curves->logScale());
    settings.setValue(QStringLiteral("plot/x"), m_curves->xAxis() == LossPlot::XAxis::Epoch ? "epoch" : "step");
    settings.setValue(QStringLiteral("training/stepsPerSecond"), m_savedSpeed);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    writeSettings();
    m_training->shutdown();  // stops the run between two steps and joins the thread
    event->accept();
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
    if (path.endsWith(QLatin1String(".safetensors")))
        openCheckpoint(path);
    else
        openDatasetAsync(path);
}

} // namespace attnscope
