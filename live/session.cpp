// Session (session.h): its lifecycle, the dataset, the checkpoint, new
// runs and evaluation. Its other parts:
//   sessionruns.cpp      the kept runs: keep, name, show, delete, the reference; one sample through any run
//   sessioncompare.cpp   comparisons (the attention modes, the layers, a learning-rate sweep)
//   sessionfork.cpp      forks: a child run from a checkpoint of another
//   sessionstorage.cpp   Open session, Save session as, the recovery file
#include "session.h"

#include "checkpoint.h"
#include "checkpointroles.h"
#include "data/load.h"
#include "runplan.h"
#include "sessionjobs.h"
#include "sessionmemory.h"
#include "threadhandoff.h"

#include <QLocale>
#include <QScopeGuard>
#include <QLockFile>
#include <QThread>

#include <algorithm>

namespace attnscope {

namespace {

bool isCsvFile(const QString &spec)
{
    const DataFormat format = datasetFormat(spec.toStdString());
    return format == DataFormat::Csv || format == DataFormat::Tsv;
}

// Whether `data` was read with the roles `roles` names (those it names: the others are guessed alike).
bool sameRoles(const Dataset &data, const LoadOptions &roles)
{
    return (roles.textColumn.empty() || roles.textColumn == data.textColumn)
        && (roles.featureColumns.empty() || roles.featureColumns == data.featureNames)
        && (roles.taskColumns.empty() || roles.taskColumns == taskNameList(data.tasks));
}

bool sameClasses(const std::vector<TaskInfo> &a, const std::vector<TaskInfo> &b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const TaskInfo &x, const TaskInfo &y) { return x.name == y.name && x.classes == y.classes; });
}

} // namespace

Session::Session(QObject *parent)
    : QObject(parent)
{
    // In the body: m_nextRunId is declared after m_run, so the initialiser
    // list would read it before it is set (the first run had an arbitrary id).
    m_run = new Run(m_nextRunId, tr("Run %1").arg(m_nextRunId), this);
    m_recorder = new SessionRecorder(this);
    ++m_nextRunId;
    m_recorder->follow(m_run);
    m_recorder->setRecordSource([this]() { return currentRecord(); });
    connect(m_recorder, &SessionRecorder::failed, this, &Session::failed);
    // A comparison goes on when its run finished, and ends when it was stopped.
    connect(m_run->controller(), &TrainingController::stateChanged, this,
            [this](TrainingWorker::State state, const QString &) {
                if (!m_variant || !m_run->hasTrained())
                    return;
                if (state == TrainingWorker::State::Finished)
                    QMetaObject::invokeMethod(this, &Session::nextVariant, Qt::QueuedConnection);
                else if (state == TrainingWorker::State::Stopped)
                    stopComparing();
            });
}

Session::~Session()
{
    shutdown();
}

void Session::shutdown()
{
    // A load in flight stops at its next progress report; a build or an
    // evaluation cannot be stopped and ends first. Their results are dropped.
    if (m_loadJob)
        m_loadJob->cancelled = true;
    for (QThread **slot : {&m_loadThread, &m_setupThread, &m_evalThread})
        if (QThread *thread = std::exchange(*slot, nullptr)) {
            thread->wait();
            delete thread;
        }
    purgeDeleted();
    m_recorder->close();  // with the run's last weights, while its worker is there to give them
    endRecovery(!m_run->hasTrained() && m_kept.empty());
    m_run->controller()->shutdown();
}

RunSettings Session::settings() const
{
    if (m_variant)
        return m_variant->settings;
    if (m_fork)
        return m_fork->settings;
    return m_settings ? m_settings() : RunSettings();
}

RunRequest Session::request(const ModelConfig &config, bool lessonDepth) const
{
    RunRequest request;
    request.config = config;
    request.checkpoint = m_checkpoint;
    request.checkpointName = m_checkpointName;
    request.lessonDepth = lessonDepth;
    return request;
}

// --- The dataset.

std::shared_ptr<LoadJob> Session::makeLoadJob(const QString &spec, const LoadOptions &options) const
{
    const RunSettings s = settings();
    auto job = std::make_shared<LoadJob>();
    job->spec = spec;
    job->options = options;
    job->rolesGiven = !options.empty();
    job->csv = isCsvFile(spec);
    job->seed = s.train.seed;
    job->maxLen = m_checkpoint ? m_checkpoint->config.maxLen : s.model.maxLen;
    job->valFraction = ValFraction;
    job->buildRun = s.valid();  // the run too: it is ready when the data is
    job->request = request(s.model, /*lessonDepth=*/true);
    job->train = s.train;
    return job;
}

bool Session::openDataset(const QString &spec, const LoadOptions &options)
{
    // A load in flight is superseded: it stops early, its result is dropped.
    ++m_loadGeneration;
    m_nextLoad.reset();
    if (m_loadJob)
        m_loadJob->cancelled = true;
    emit loadEnded();
    const std::shared_ptr<LoadJob> job = makeLoadJob(spec, options);
    job->run();
    return applyLoad(*job);
}

void Session::openDatasetAsync(const QString &spec, const LoadOptions &options)
{
    if (m_loadThread) {
        // The running load stops at its next progress report, then this one starts.
        m_loadJob->cancelled = true;
        m_nextLoad.emplace(spec, options);
        emit loadQueued(spec);
        emit status(tr("Loading %1…").arg(spec), 0);
        return;
    }
    startLoad(spec, options);
}

void Session::cancelLoad()
{
    if (!m_loadJob)
        return;
    m_loadJob->cancelled = true;
    m_nextLoad.reset();
    emit loadCancelling(m_loadJob->spec);
    emit status(tr("Cancelling the load of %1…").arg(m_loadJob->spec), 0);
}

void Session::startLoad(const QString &spec, const LoadOptions &options)
{
    const int generation = ++m_loadGeneration;
    const std::shared_ptr<LoadJob> job = makeLoadJob(spec, options);
    m_loadJob = job;
    emit loadStarted(spec);
    emit status(tr("Loading %1…").arg(spec), 0);
    // The thread only touches the job; progress reaches the session as
    // queued calls (the destructor waits for the thread, so `this` outlives them).
    runOnThread(&m_loadThread, QStringLiteral("datasetLoader"), [this, job, generation]() {
        job->run([this, job, generation](int percent) {
            HandOffSend send;  // TSan build only (threadhandoff.h)
            QMetaObject::invokeMethod(this, [this, job, generation, percent]() {
                if (generation == m_loadGeneration && !m_nextLoad && !job->cancelled)
                    emit loadProgress(job->spec, percent);
            }, Qt::QueuedConnection);
        });
    }, [this, job, generation]() { finishLoad(job, generation); });
}

void Session::finishLoad(const std::shared_ptr<LoadJob> &job, int generation)
{
    m_loadJob.reset();
    if (m_nextLoad) {
        // Superseded by a request made meanwhile.
        const auto [spec, options] = *std::exchange(m_nextLoad, std::nullopt);
        emit loadFinished(job->spec, false);
        startLoad(spec, options);
        return;
    }
    emit loadEnded();
    if (generation != m_loadGeneration) {
        // openDataset opened something else meanwhile.
        emit loadFinished(job->spec, false);
        return;
    }
    if (job->cancelled) {
        // Cancel: nothing changes, and it is no error.
        emit status(m_data ? tr("Loading %1 cancelled; %2 is still open").arg(job->spec, m_dataSpec)
                           : tr("Loading %1 cancelled").arg(job->spec),
                    10000);
        emit loadFinished(job->spec, false);
        return;
    }
    emit status({}, 0);
    const bool ok = applyLoad(*job);
    emit loadFinished(job->spec, ok);
}

bool Session::applyLoad(const LoadJob &job)
{
    const QString &spec = job.spec;
    if (job.csv)
        emit columnsGuessed(spec, job.columns, QString::fromStdString(job.columnsProblem));
    if (!job.ok || job.data->samples.empty()) {
        // The open dataset, checkpoint and run stay as they were.
        emit loadFailed(spec, job.ok ? tr("%1: no usable samples").arg(spec) : QString::fromStdString(job.error));
        return false;
    }
    m_data = job.data;
    m_dataSpec = spec;
    m_dataOptions = job.options;
    m_dataRolesGiven = job.rolesGiven;
    m_summaryKey = {nullptr, 0, 0};
    if (job.summarized) {
        // A new run computes it again if its seed or max length differ.
        m_summary = job.summary;
        m_summaryKey = {m_data.get(), job.seed, job.maxLen};
    }
    // What the run starts from: the checkpoint's weights when the data fits
    // them, otherwise the settings' model at a built-in lesson's depth.
    const RunSettings s = settings();
    const RunPlan plan = planRun(*m_data, request(s.model, /*lessonDepth=*/true));
    if (m_checkpoint && !plan.checkpoint) {
        // Said, not silent: the data's run starts from a fresh model.
        emit status(tr("%1 does not fit %2, so a fresh model trains on it: %3")
                        .arg(QString::fromStdString(m_checkpointName), spec,
                             QString::fromStdString(job.misfit.empty() ? plan.misfit : job.misfit)),
                    20000);
    }
    if (!plan.checkpoint)
        m_checkpoint.reset();
    if (plan.lesson) {
        emit lessonApplied(plan.config);
        // Short enough for the status bar beside the progress; the whole note is under the Model fields.
        // Not "lesson": the built-in data's own depth, with or without a lesson open.
        emit status(plan.config.layers == 1
                        ? tr("This dataset opens with 1 encoder layer; the Model panel says why")
                        : tr("This dataset opens with %1 encoder layers; the Model panel says why").arg(plan.config.layers),
                    20000);
    }
    emit datasetOpened(spec, job.csv);
    // The run the load built (or why there is none), if it was planned the
    // same way with the same seed.
    const bool same = job.buildRun && job.plan == plan && job.train.seed == settings().train.seed;
    if (same && !job.setup && !job.runError.empty())
        return newRun(nullptr, job.runError);
    return newRun(same ? job.setup : nullptr);
}

// --- The checkpoint.

bool Session::openCheckpoint(const QString &path)
{
    auto model = std::make_shared<Model>();
    std::string error;
    if (!loadCheckpoint(path.toStdString(), model.get(), &error)) {
        emit failed(QString::fromStdString(error));
        return false;
    }
    m_checkpoint = model;
    m_checkpointName = path.toStdString();
    emit checkpointOpened(path, model->config);
    if (m_data) {
        // The data is read as the checkpoint was trained (its column roles,
        // its class ids): attnscope-cli eval's checkpointRoles and fitToModel.
        std::string misfit;
        if (isCsvFile(m_dataSpec) && !m_dataRolesGiven && !sameRoles(*m_data, checkpointRoles({}, *model, m_dataSpec.toStdString()))) {
            // Guessed roles the checkpoint does not share: the file is read again with its.
            const std::shared_ptr<LoadJob> job = makeLoadJob(m_dataSpec, {});
            job->run();
            if (job->ok && !job->data->samples.empty() && job->misfit.empty()) {
                const bool ok = applyLoad(*job);
                emit status(tr("Opened %1; %2 is read with its column roles").arg(path, m_dataSpec), 10000);
                return ok;
            }
            misfit = job->ok ? job->misfit : job->error;
        } else {
            // A held-out file's classes may be a subset of the checkpoint's: relabelled to its ids.
            auto fitted = std::make_shared<Dataset>(*m_data);
            misfit = fitToModel(fitted.get(), *model, m_checkpointName);
            if (misfit.empty() && !sameClasses(fitted->tasks, m_data->tasks)) {
                m_data = std::move(fitted);
                m_summaryKey = {nullptr, 0, 0};
            }
        }
        if (!misfit.empty()) {
            // The checkpoint does not fit the open data: the data closes, the weights stay, and why stays shown.
            const QString why = QString::fromStdString(misfit);
            emit status(tr("%1 does not fit %2: %3").arg(path, m_dataSpec, why), 0);
            emit checkpointMisfit(m_dataSpec, why);
            m_data.reset();
        }
    } else {
        emit status(tr("Opened %1; open a dataset with the same tasks to train or evaluate it").arg(path), 10000);
    }
    if (!m_data) {
        // Without data the weights are still there to save and inspect.
        const RunSettings s = settings();
        auto setup = std::make_shared<TrainingSetup>();
        setup->model = *model;
        setup->config = s.train;
        configureRun(setup, nullptr, s);
        return true;
    }
    emit status(tr("Opened %1").arg(path), 10000);
    return newRun();
}

bool Session::saveCheckpoint(const QString &path)
{
    const TrainingController *training = m_run->controller();
    const std::shared_ptr<Model> model = training->modelCopy();
    if (!model) {
        emit failed(tr("There is no model to save yet."));
        return false;
    }
    std::string error;
    if (!attnscope::saveCheckpoint(*model, path.toStdString(), &error)) {
        emit failed(QString::fromStdString(error));
        return false;
    }
    emit status(tr("Saved %1 (step %2)").arg(path).arg(training->currentStep()), 10000);
    return true;
}

// --- The runs.

std::shared_ptr<RunBuildJob> Session::makeBuildJob(const RunSettings &settings) const
{
    auto job = std::make_shared<RunBuildJob>();
    job->data = m_data;
    RunRequest asked = request(settings.model, /*lessonDepth=*/false);
    if (m_variant) {
        asked.checkpoint.reset();  // the variants differ in what a checkpoint fixes
        asked.coincideWith = m_compareFrom;
    }
    if (m_fork) {
        asked.checkpoint = m_fork->weights;
        asked.checkpointName = m_fork->name.toStdString();
        job->fork = m_fork;
    }
    job->plan = planRun(*m_data, asked);
    job->train = settings.train;
    job->valFraction = ValFraction;
    job->settings = settings;
    job->maxLen = job->plan.config.maxLen;
    job->summarize = std::make_tuple(m_data.get(), job->train.seed, job->maxLen) != m_summaryKey;
    return job;
}

bool Session::newRun(std::shared_ptr<TrainingSetup> prebuilt, const std::string &refused)
{
    m_newRunPending = false;
    if (!m_data)
        return false;
    const RunSettings s = settings();
    if (!s.valid()) {
        emit failed(QString::fromStdString(s.problem));
        return false;
    }
    ++m_setupGeneration;  // a build in flight is superseded
    m_setupAgain = false;
    const std::shared_ptr<RunBuildJob> job = makeBuildJob(s);
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
        return applyBuild(*job);
    }
    if (m_data->samples.size() < AsyncSetupSamples) {
        job->run();
        return applyBuild(*job);
    }
    // Encoding every sample takes seconds for a large file: on a thread, while
    // the window stays responsive and the controls wait. The old run pauses.
    TrainingController *training = m_run->controller();
    if (training->state() == TrainingWorker::State::Running)
        training->pause();
    if (std::get<0>(m_summaryKey) == m_data.get())
        emit summaryChanged(m_data.get(), m_summary);  // the data is open; its run follows
    emit status(tr("Preparing a new run on %1 samples…").arg(QLocale().toString(qlonglong(m_data->samples.size()))), 0);
    if (m_setupThread) {
        // buildSetup cannot be stopped: the build in flight ends, then this one
        // starts (a fork's too: forkRun's m_fork is gone by then).
        m_setupAgain = true;
        m_forkAgain = m_fork;
        emit busyChanged();
        return true;
    }
    const int generation = m_setupGeneration;
    runOnThread(&m_setupThread, QStringLiteral("runBuilder"), [job]() { job->run(); },
                [this, job, generation]() { finishBuild(job, generation); });
    emit busyChanged();
    return true;
}

void Session::finishBuild(const std::shared_ptr<RunBuildJob> &job, int generation)
{
    if (generation != m_setupGeneration || job->data != m_data) {
        // Superseded: settings changed meanwhile (build again with them), or
        // another run or dataset was applied (nothing to do).
        const bool again = std::exchange(m_setupAgain, false);
        const std::shared_ptr<const ForkFrom> fork = std::exchange(m_forkAgain, nullptr);
        emit busyChanged();
        if (again) {
            newFork(fork);
        } else {
            emit status({}, 0);
        }
        return;
    }
    emit status({}, 0);
    applyBuild(*job);
    emit busyChanged();
}

bool Session::applyBuild(const RunBuildJob &job)
{
    if (job.summarize) {
        m_summary = job.summary;
        m_summaryKey = {m_data.get(), job.train.seed, job.maxLen};
    }
    if (std::get<0>(m_summaryKey) == m_data.get())
        emit summaryChanged(m_data.get(), m_summary);
    if (!job.ok) {
        // The run there is belongs to another dataset: this one has none
        // until settings that fit are chosen (the message says which).
        if (m_run->data() != m_data)
            configureRun(nullptr, nullptr, job.settings);
        emit failed(QString::fromStdString(job.error));
        return false;
    }
    if (job.fork) {
        const QString cannot = job.fork->resumes ? tr("Cannot resume %1: %2") : tr("Cannot fork %1: %2");
        if (job.fork->resumes && !keptRun(job.fork->resumes)) {
            emit failed(cannot.arg(job.fork->name, tr("the run was deleted meanwhile")));
            return false;
        }
        // The parent's split (its data and seed): the trainer resumes where it stood.
        if (int64_t(job.setup->train.samples.size()) != job.fork->state.trainSamples) {
            emit failed(cannot.arg(job.fork->name,
                                   tr("the open data splits into %1 training samples, the checkpoint was "
                                      "taken on %2"))
                            .arg(job.setup->train.samples.size())
                            .arg(job.fork->state.trainSamples));
            return false;
        }
        // A child whose steps end at or before the checkpoint's would be
        // finished before its first step, Start training nothing, unsaid.
        const int64_t perEpoch = (job.fork->state.trainSamples + std::max(1, job.train.batchSize) - 1)
                                 / std::max(1, job.train.batchSize);
        const int64_t total = job.train.steps > 0 ? job.train.steps : int64_t(std::max(0, job.train.epochs)) * perEpoch;
        if (total <= job.fork->state.step) {
            emit failed(cannot.arg(job.fork->name,
                                   tr("the Training panel's steps end at step %1, before the checkpoint's %2 "
                                      "steps; set more Steps or Epochs first"))
                            .arg(total)
                            .arg(job.fork->state.step));
            return false;
        }
        job.setup->resumeFrom = job.fork->state;
        if (job.fork->resumes)
            continueWithItsSettings(job.setup.get(), job.fork->state);
    }
    RunSettings settings = job.settings;
    if (!job.fork && !m_variant)
        takeChangedSettings(&settings, job.setup.get());
    configureRun(job.setup, m_data, settings, job.fork);
    if (!job.setup->memoryNote.empty())
        emit status(QString::fromStdString(job.setup->memoryNote), 20000);
    return true;
}

// The learning rate, task weights and mu are changes of a run (the worker
// applies and marks them at its next step), not settings that need a new
// one; a run built on a thread from the panels' settings takes those changed
// meanwhile as its own. The worker drops the ones it had (TrainingController::
// configure): a variant's or a resumed run's settings are theirs alone.
void Session::takeChangedSettings(RunSettings *settings, TrainingSetup *setup) const
{
    if (!m_settings || !setup)
        return;
    const TrainConfig now = m_settings().train;
    settings->train.optimizer.lr = setup->config.optimizer.lr = now.optimizer.lr;
    settings->train.rationaleWeight = setup->config.rationaleWeight = now.rationaleWeight;
    if (now.taskWeights.size() == settings->train.taskWeights.size())
        settings->train.taskWeights = setup->config.taskWeights = now.taskWeights;
}

// A resumed run goes on with what it trained with at its checkpoint: its
// settings and the changes it made until then (the trainer's state there
// keeps its learning rate, task weights and mu), as attnscope-cli train
// --resume does; its events say when they changed. Before, it went on with
// the settings it began with, and a rate typed before Resume overrode them,
// marked nowhere.
void Session::continueWithItsSettings(TrainingSetup *setup, const TrainerState &state)
{
    if (state.learningRate > 0)
        setup->config.optimizer.lr = state.learningRate;
    setup->config.taskWeights = state.taskWeights;  // empty: all 1, as the trainer had them
    setup->config.rationaleWeight = state.rationaleWeight;
}

void Session::configureRun(std::shared_ptr<const TrainingSetup> setup, std::shared_ptr<const Dataset> data,
                           const RunSettings &settings, const std::shared_ptr<const ForkFrom> &fork)
{
    keepCurrentRun();
    m_runFork = setup ? fork : nullptr;
    m_run->configure(setup, std::move(data), settings, m_runFork ? m_runFork->point : ForkPoint());
    if (m_runFork && m_runFork->resumes)
        continueKeptRun(*m_runFork);
    const bool variant = m_variant && setup;
    if (variant) {
        m_run->setName(freeRunName(m_variant->name));
        if (!m_compareFrom)
            m_compareFrom = std::make_shared<const Model>(setup->model);  // the initial weights
    }
    emit runConfigured(m_run, std::move(setup));  // the worker refreshes the probe set from now on
    if (m_runFork && m_runFork->resumes && m_runFork->start)
        m_run->controller()->start();
    if (variant) {
        emit runsChanged();
        m_run->controller()->start();
    }
}

bool Session::settingsChanged()
{
    stopComparing();
    if (!m_data)
        return false;
    const TrainingController *training = m_run->controller();
    // (A fork that has not trained yet is at its parent's step, with no curve of its own.)
    if (!m_run->hasTrained() && training->state() != TrainingWorker::State::Running) {
        newRunForSettings();  // nothing trained yet: nothing to lose
        return false;
    }
    if (m_newRunPending)
        return false;  // asked already
    m_newRunPending = true;
    return true;
}

bool Session::newRunForSettings()
{
    const RunSettings now = m_settings ? m_settings() : RunSettings();
    // Another model or optimiser: a new run from step 0 (the checkpoint's
    // weights and optimiser state fit the parent's only).
    // (A resumed run is no fork: its checkpoint is where it went on, not where it began.)
    if (!m_runFork || m_runFork->resumes || !m_run->fork().isFork() || now.model != m_runFork->asked
        || now.train.optimizer.kind != m_runFork->settings.train.optimizer.kind)
        return newRun();
    // A training setting: the fork takes it, from its checkpoint (its parent's model, seed and order stay).
    auto fork = std::make_shared<ForkFrom>(*m_runFork);
    fork->settings.train = now.train;
    keepParentsOrder(&fork->settings.train, m_runFork->settings.train);
    return newFork(std::move(fork));
}

bool Session::newFork(std::shared_ptr<const ForkFrom> fork)
{
    m_fork = std::move(fork);
    const auto done = qScopeGuard([this] { m_fork.reset(); });  // also when the build throws
    return newRun();
}

void Session::reset()
{
    stopComparing();
    if (m_newRunPending) {
        newRunForSettings();
    } else {
        keepCurrentRun();
        m_run->controller()->reset();
    }
}

void Session::start()
{
    TrainingController *training = m_run->controller();
    const TrainingWorker::State state = training->state();
    if (state == TrainingWorker::State::Stopped || state == TrainingWorker::State::Finished)
        keepCurrentRun();  // the worker starts again from the initial weights
    training->start();
}

// --- Evaluation.

EvalResult Session::evaluateNow() const
{
    const TrainingController *training = m_run->controller();
    const std::shared_ptr<Model> model = training->modelCopy();
    const std::shared_ptr<const TrainingSetup> setup = training->setup();
    if (!model || !setup || setup->val.samples.empty())
        return {};
    return evaluate(*model, setup->val, settings().train.taskWeights);
}

bool Session::evaluateInBackground()
{
    if (m_evalThread)
        return false;
    const TrainingController *training = m_run->controller();
    const std::shared_ptr<const Model> model = training->modelCopy();
    const std::shared_ptr<const TrainingSetup> setup = training->setup();
    if (setup && !setup->val.samples.empty() && !model) {
        // configure() handed the worker a new run it has not built yet.
        emit status(tr("The run is being prepared: evaluate again in a moment."), 10000);
        return false;
    }
    if (!model || !setup || setup->val.samples.empty()) {
        emit status(tr("There is no validation split to evaluate on."), 10000);
        return false;
    }
    // The whole validation split: seconds for a large file, so on a thread,
    // with a copy of the weights of this step (training may go on meanwhile).
    const std::vector<float> weights = settings().train.taskWeights;
    const int64_t step = training->currentStep();
    auto result = std::make_shared<EvalResult>();
    emit status(tr("Evaluating step %1 on %2 validation samples…")
                    .arg(step)
                    .arg(QLocale().toString(qlonglong(setup->val.samples.size()))),
                0);
    const auto report = [this, model, result, step]() {
        if (result->samples > 0)  // 0: it failed (runOnThread said why)
            emit evaluated(step, *result, model->tasks);
        emit busyChanged();
    };
    runOnThread(&m_evalThread, QStringLiteral("evaluation"),
                [model, setup, weights, result]() { *result = evaluate(*model, setup->val, weights); }, report);
    emit busyChanged();
    return true;
}

void Session::runOnThread(QThread **slot, const QString &name, std::function<void()> work, std::function<void()> done)
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
        if (*slot != thread)
            return;  // shutdown() joined and deleted it
        thread->wait();  // finished was its last act
        delete thread;
        *slot = nullptr;
        if (!failure->isEmpty())
            emit failed(*failure);
        done();
    });
    // TSan build only: the thread's results, after finished() was posted to the slot above (threadhandoff.h).
    connect(thread, &QThread::finished, thread, [] { HandOffSend send; }, Qt::DirectConnection);
    thread->start();
}

} // namespace attnscope
