// MainWindow following its Session (live/session.h): the Dataset panel
// follows its loads, the Model and Training panels its datasets and
// checkpoints, the views its runs; a change of the fields that only a new run
// can take asks first. Apart from mainwindow.cpp, which builds the window.
#include "mainwindow.h"

#include "attention/attentionpanel.h"
#include "attentionfeed.h"
#include "confirmations.h"
#include "datasetpanel.h"
#include "filemenu.h"
#include "lossplot.h"
#include "modelpanel.h"
#include "recentfiles.h"
#include "runspanel.h"
#include "tasknames.h"
#include "trainingpanel.h"
#include "trainingstatus.h"

#include <QFileInfo>
#include <QMessageBox>
#include <QSignalBlocker>

#include <algorithm>
#include <utility>

namespace attnscope {

// The fields now say what model to build: the checkpoint's weights go, once
// the user says so (No puts the checkpoint's model back in the fields).
void MainWindow::onModelChanged()
{
    dropStaleLessonStatus();
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
        m_lessonStatusFollows = true;  // the session says why next
        const QSignalBlocker block(m_modelPanel);
        m_modelPanel->setConfig(config, m_modelPanel->seed());
    });
    connect(m_session, &Session::checkpointOpened, this, [this](const QString &path, const ModelConfig &config) {
        {
            const QSignalBlocker block(m_modelPanel);
            m_modelPanel->setConfig(config, m_modelPanel->seed());
        }
        m_modelPanel->setLessonNote({}, -1);  // the checkpoint's depth, not the lesson's
        m_lessonDepth.reset();
        m_datasetPanel->setLoadError({});  // an earlier load's failure is not this one's
        m_file->recent()->add(QFileInfo(path).absoluteFilePath());
    });
    connect(m_session, &Session::checkpointMisfit, this, [this](const QString &spec, const QString &why) {
        // The data closed; the panel says why until other data opens.
        m_datasetPanel->setLoadError(why, tr("%1 closed: it does not fit the checkpoint.").arg(QFileInfo(spec).fileName()));
        m_lastError = tr("%1 closed: it does not fit the checkpoint: %2").arg(spec, why);
    });
    connect(m_session, &Session::runConfigured, this, &MainWindow::onRunConfigured);
    connect(m_runs, &RunsPanel::selectedRunChanged, this, &MainWindow::showRunAttention);
    // The run records its curves (every snapshot's points); the plot draws them.
    Run *run = m_session->currentRun();
    m_curves->setHistory(&run->history());
    connect(run, &Run::historyCleared, m_curves, &LossPlot::historyCleared);
    connect(run, &Run::historyAppended, m_curves, &LossPlot::historyAppended);
    connect(m_session, &Session::busyChanged, this, &MainWindow::updateControls);
    connect(m_session, &Session::status, this, [this](const QString &text, int timeout) {
        if (std::exchange(m_lessonStatusFollows, false))
            m_lessonStatus = text;
        showStatus(text, timeout);
    });
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
    m_modelPanel->setTextData(data->input == InputKind::Text);
    m_modelPanel->setLessonNote(m_session->checkpoint() ? QString() : QString::fromStdString(data->suggestion),
                                data->suggestedLayers);
    dropStaleLessonStatus();
    if (!spec.startsWith(QLatin1String("builtin:")))
        m_file->recent()->add(QFileInfo(spec).absoluteFilePath());
}

// The newest run of a reopened session on the open data: its model, seed
// and training settings in the panels (the data's lesson depth and the
// panels' defaults were not its), so that the next run, Resume and Fork go
// on with them. Not while the current run has trained: that would ask to
// start over.
void MainWindow::showReopenedRunSettings()
{
    const auto &kept = m_session->keptRuns();
    const auto it = std::find_if(kept.rbegin(), kept.rend(),
                                 [&](const auto &run) { return m_session->isOpenData(run->dataset); });
    if (it == kept.rend() || m_session->currentRun()->hasTrained() || m_session->checkpoint())
        return;
    const KeptRun &run = **it;
    TrainConfig train = run.train;
    const TrainConfig panel = m_trainingPanel->config();
    train.threads = panel.threads;
    if (train.taskWeights.size() != panel.taskWeights.size())
        train.taskWeights = panel.taskWeights;  // another data's tasks
    {
        const QSignalBlocker blockModel(m_modelPanel), blockTraining(m_trainingPanel);
        m_modelPanel->setConfig(run.model, run.train.seed);
        m_trainingPanel->setConfig(train);
    }
    m_modelPanel->setLessonNote({}, -1);  // the run's depth, not the data's suggestion
    m_lessonDepth.reset();
    dropStaleLessonStatus();
    onSettingsNeedNewRun();  // the current run has not trained: built with them at once
    showStatus(tr("The Model and Training panels show the settings of %1, the session's newest run").arg(run.name),
               10000);
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
    m_pendingSample = -1;  // a sample the run before was to show
    dropStaleLessonStatus();  // its depth may be another than the lesson's
    m_attentionFeed->setRun(setup, run->data());  // the worker refreshes the probe set from now on
    ensureProbeWith(lessonSampleWith());  // a lesson step's sample_with, among the new run's probes
    // A checkpoint's weights (or a fork's, a resumed run's) have trained before this run's
    // step 0: the Attention tab's near-uniform note holds from its first snapshot.
    const std::shared_ptr<const Model> checkpoint = m_session->checkpoint();
    m_attention->setWeightsTrained(setup && (setup->resumeFrom || (checkpoint && setup->model.params == checkpoint->params)));
    if (setup && (run->fork().isFork() || run->history().steps().size() > 0)) {
        // A fork has its parent's model and seed, whatever the Model panel
        // said, a resumed run its own: the panel shows them, and Reset
        // trains that model again.
        const QSignalBlocker block(m_modelPanel);
        m_modelPanel->setConfig(setup->model.config, setup->config.seed);
        if (setup->resumeFrom) {
            // A resumed run goes on with its own learning rate, task weights
            // and mu (those it had at its checkpoint), whatever the Training
            // panel said before: the panel shows them, and one changed from
            // now on applies at the run's next step, marked there.
            TrainConfig train = m_trainingPanel->config();
            train.optimizer.lr = setup->config.optimizer.lr;
            train.taskWeights = setup->config.taskWeights;
            train.rationaleWeight = setup->config.rationaleWeight;
            const QSignalBlocker blockTraining(m_trainingPanel);
            m_trainingPanel->setConfig(train);
        }
        updateControls();
    }
}

void MainWindow::dropStaleLessonStatus()
{
    if (!m_lessonStatus.isEmpty() && m_statusText == m_lessonStatus && m_modelPanel->lessonNote().isEmpty())
        showStatus({}, 0);
}

void MainWindow::showRunAttention(int id)
{
    const auto &kept = m_session->keptRuns();
    const auto it = std::find_if(kept.begin(), kept.end(), [&](const auto &run) { return run->id == id; });
    if (it == kept.end()) {
        // The current run (or none): its attention, if an earlier run's was shown.
        if (!m_attention->shownRun().isEmpty())
            m_attentionFeed->showRun();
        return;
    }
    const KeptRun &run = **it;
    if (run.timeline.empty()) {
        showStatus(tr("%1 has no attention timeline in the session (it trained without the Attention tab's "
                      "probes, or in attnscope-cli)").arg(run.name), 10000);
        return;
    }
    m_attention->showRun(run.timeline, run.name);
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
                                tr("This change needs a new model or trainer. Start a new run with it now? The "
                                   "current run stops where it is and stays in the Runs tab with its curves. "
                                   "(Otherwise the change applies at the next Reset.)"),
                                QMessageBox::Yes | QMessageBox::No, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this](int result) {
        if (result == QMessageBox::Yes && m_session->newRunPending())
            m_session->newRun();
    });
    box->open();
}

} // namespace attnscope
