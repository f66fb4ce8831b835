#include "session.h"

#include "checkpoint.h"
#include "data/load.h"
#include "runplan.h"
#include "sessionjobs.h"
#include "sessionmemory.h"
#include "threadhandoff.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QLockFile>
#include <QThread>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace attnscope {

namespace {

bool isCsvFile(const QString &spec)
{
    const DataFormat format = datasetFormat(spec.toStdString());
    return format == DataFormat::Csv || format == DataFormat::Tsv;
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
    if (!plan.checkpoint)
        m_checkpoint.reset();
    if (plan.lesson) {
        emit lessonApplied(plan.config);
        // Short enough for the status bar beside the progress; the whole note is under the Model fields.
        emit status(plan.config.layers == 1
                        ? tr("Lesson preset: 1 encoder layer; the Model panel says why")
                        : tr("Lesson preset: %1 encoder layers; the Model panel says why").arg(plan.config.layers),
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
        const RunPlan plan = planRun(*m_data, request(settings().model, /*lessonDepth=*/false));
        if (!plan.checkpoint) {
            // The checkpoint does not fit the open data: the data closes, the weights stay.
            emit status(tr("%1 does not fit %2 (%3)").arg(path, m_dataSpec, QString::fromStdString(plan.misfit)), 10000);
            m_data.reset();
        }
    }
    if (!m_data) {
        // Without data the weights are still there to save and inspect.
        const RunSettings s = settings();
        auto setup = std::make_shared<TrainingSetup>();
        setup->model = *model;
        setup->config = s.train;
        configureRun(setup, nullptr, s);
        emit status(tr("Opened %1; open a dataset with the same tasks to train or evaluate it").arg(path), 10000);
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
        // buildSetup cannot be stopped: the build in flight ends, then this one starts.
        m_setupAgain = true;
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
        emit busyChanged();
        if (again)
            newRun();
        else
            emit status({}, 0);
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
    configureRun(job.setup, m_data, job.settings);
    if (!job.setup->memoryNote.empty())
        emit status(QString::fromStdString(job.setup->memoryNote), 20000);
    return true;
}

void Session::configureRun(std::shared_ptr<const TrainingSetup> setup, std::shared_ptr<const Dataset> data,
                           const RunSettings &settings)
{
    keepCurrentRun();
    m_run->configure(setup, std::move(data), settings);
    const bool variant = m_variant && setup;
    if (variant) {
        m_run->setName(freeRunName(m_variant->name));
        if (!m_compareFrom)
            m_compareFrom = std::make_shared<const Model>(setup->model);  // the initial weights
    }
    emit runConfigured(m_run, std::move(setup));  // the worker refreshes the probe set from now on
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
    if (training->currentStep() == 0 && training->state() != TrainingWorker::State::Running) {
        newRun();  // nothing trained yet: nothing to lose
        return false;
    }
    if (m_newRunPending)
        return false;  // asked already
    m_newRunPending = true;
    return true;
}

void Session::reset()
{
    stopComparing();
    if (m_newRunPending) {
        newRun();
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

// --- One sample through any run.

bool Session::runAttention(int id, int datasetIndex, AttentionSnapshot *out, QString *why)
{
    std::shared_ptr<const Model> model;
    int64_t step = 0;
    QString name;
    if (id == m_run->id()) {
        model = m_run->controller()->modelCopy();
        step = m_run->controller()->currentStep();
        name = m_run->name();
    } else {
        const auto it = std::find_if(m_kept.begin(), m_kept.end(), [&](const auto &run) { return run->id == id; });
        if (it == m_kept.end()) {
            *why = tr("no such run");
            return false;
        }
        KeptRun &run = **it;
        name = run.name;
        if (!run.weights && run.fileId != 0 && m_recorder->isOpen()) {
            // Its last checkpoint in the file, read once (the writer's commits are what a reader sees).
            SessionFile file;
            QString error;
            std::optional<CheckpointRecord> last;
            if (file.open(m_recorder->path(), SessionFile::Mode::ReadOnly, &error))
                last = file.latestCheckpoint(run.fileId);
            auto weights = std::make_shared<Model>();
            std::string parseError;
            if (last && parseCheckpoint(last->weights.toStdString(), m_recorder->path().toStdString(), weights.get(),
                                        &parseError)) {
                run.weights = std::move(weights);
                run.weightsStep = last->step;
            }
        }
        model = run.weights;
        step = run.weightsStep;
    }
    if (!model) {
        *why = tr("%1 has no weights here (no checkpoint in the session file)").arg(name);
        return false;
    }
    if (!m_data || datasetIndex < 0 || datasetIndex >= int(m_data->samples.size())) {
        *why = tr("no sample of the open data to show");
        return false;
    }
    if (const std::string misfit = checkCompatible(*m_data, *model, name.toStdString()); !misfit.empty()) {
        *why = QString::fromStdString(misfit);
        return false;
    }
    // The one sample, encoded with the run's own vocabulary (another seed drew another one).
    const Vocabulary vocab = model->config.input == InputKind::Text ? Vocabulary(model->vocab) : Vocabulary();
    const EncodedDataset one = encodeDataset(*m_data, {datasetIndex}, vocab, model->config.maxLen);
    *out = makeSnapshot(*model, one, {0}, step, m_data.get());
    return true;
}

// --- Comparisons.

std::vector<Session::Variant> Session::variants(Comparison comparison, const RunSettings &base)
{
    std::vector<Variant> out;
    switch (comparison) {
    case Comparison::Modes:
        for (AttentionMode mode : {AttentionMode::Task, AttentionMode::Shared, AttentionMode::Gated, AttentionMode::Uniform}) {
            Variant v{QString::fromLatin1(toString(mode)), base};
            v.settings.model.mode = mode;
            out.push_back(v);
        }
        break;
    case Comparison::Layers:
        for (int layers : {0, 1}) {
            Variant v{layers == 1 ? tr("1 layer") : tr("%1 layers").arg(layers), base};
            v.settings.model.layers = layers;
            out.push_back(v);
        }
        break;
    case Comparison::LearningRates:
        for (float factor : {1.0f / 3.0f, 1.0f, 3.0f}) {
            Variant v{{}, base};
            v.settings.train.optimizer.lr = base.train.optimizer.lr * factor;
            v.name = tr("lr %1").arg(double(v.settings.train.optimizer.lr), 0, 'g', 3);
            out.push_back(v);
        }
        break;
    }
    return out;
}

bool Session::compareRuns(const QString &what, std::vector<Variant> variants)
{
    if (!m_data) {
        emit failed(tr("Open a dataset first: the runs compared train on it."));
        return false;
    }
    for (const Variant &v : variants)
        if (!v.settings.valid()) {
            emit failed(tr("%1: %2").arg(v.name, QString::fromStdString(v.settings.problem)));
            return false;
        }
    if (variants.empty())
        return false;
    TrainingController *training = m_run->controller();
    if (training->state() == TrainingWorker::State::Running)
        training->pause();
    m_variants.assign(std::make_move_iterator(variants.begin()), std::make_move_iterator(variants.end()));
    m_compareTotal = int(m_variants.size());
    m_compareWhat = what;
    m_compareFrom.reset();
    m_variant.reset();
    nextVariant();
    return true;
}

void Session::nextVariant()
{
    if (m_variants.empty()) {
        if (m_variant) {
            m_variant.reset();
            m_compareFrom.reset();
            emit comparisonProgress(m_compareTotal, m_compareTotal, m_compareWhat);
            emit status(tr("Compared %1: %2 runs, in the Runs tab").arg(m_compareWhat).arg(m_compareTotal), 0);
        }
        return;
    }
    m_variant = std::move(m_variants.front());
    m_variants.pop_front();
    const int done = m_compareTotal - int(m_variants.size()) - 1;
    emit comparisonProgress(done, m_compareTotal, m_compareWhat);
    emit status(tr("Comparing %1: run %2 of %3, %4").arg(m_compareWhat).arg(done + 1).arg(m_compareTotal)
                    .arg(m_variant->name), 0);
    if (!newRun())  // configureRun names and starts it (now, or when a large data's build is done)
        stopComparing();
}

void Session::stopComparing()
{
    if (!isComparing())
        return;
    m_variants.clear();
    m_variant.reset();
    m_compareFrom.reset();
    emit comparisonProgress(m_compareTotal, m_compareTotal, m_compareWhat);
    emit status(tr("Stopped comparing %1").arg(m_compareWhat), 10000);
}

// --- Every run.

void Session::keepCurrentRun()
{
    if (!m_run->hasTrained())
        return;
    auto kept = std::make_unique<KeptRun>();
    const RunRecord record = currentRecord();
    kept->id = m_run->id();
    kept->name = m_run->name();
    kept->dataset = record.dataset;
    kept->options = record.options;
    kept->model = record.model;
    kept->train = record.train;
    kept->history = m_run->history();
    kept->fileId = m_recorder->liveFileId();
    kept->weights = m_run->controller()->modelCopy();  // as it ended (side by side, the attention views)
    kept->weightsStep = m_run->controller()->currentStep();
    kept->timeline = m_recorder->liveTimeline();
    kept->probes = m_run->controller()->probes();
    m_kept.push_back(std::move(kept));
    m_run->renumber(m_nextRunId, freeRunName(tr("Run %1").arg(m_nextRunId)));
    ++m_nextRunId;
    m_recorder->restarted();
    emit runsChanged();
}

RunRecord Session::currentRecord() const
{
    RunRecord record;
    const std::shared_ptr<const TrainingSetup> setup = m_run->setup();
    record.name = m_run->name();
    record.dataset = setup ? QString::fromStdString(setup->source) : m_dataSpec;
    if (record.dataset == m_dataSpec)
        record.options = m_dataOptions;
    record.valFraction = ValFraction;
    record.model = setup ? setup->model.config : m_run->settings().model;
    record.train = m_run->settings().train;
    record.tasks = m_run->history().tasks();
    return record;
}

void Session::writeRuns()
{
    for (const auto &run : m_kept)
        run->fileId = m_recorder->write(recordOf(*run, ValFraction), run->history, run->timeline, run->probes);
    if (m_run->hasTrained())
        m_recorder->adoptLive(currentRecord(), m_run->history());
}

bool Session::nameInUse(const QString &name, int exceptId) const
{
    if (m_run->id() != exceptId && m_run->name() == name)
        return true;
    return std::any_of(m_kept.begin(), m_kept.end(),
                       [&](const auto &run) { return run->id != exceptId && run->name == name; });
}

QString Session::freeRunName(const QString &wanted) const
{
    return attnscope::freeRunName(wanted, [&](const QString &name) { return nameInUse(name, m_run->id()); });
}

bool Session::renameRun(int id, const QString &name)
{
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty() || nameInUse(trimmed, id)) {
        emit failed(trimmed.isEmpty() ? tr("A run needs a name.") : tr("Another run is named \"%1\".").arg(trimmed));
        return false;
    }
    if (id == m_run->id()) {
        m_run->setName(trimmed);
        m_recorder->rename(m_recorder->liveFileId(), trimmed);
    } else {
        for (const auto &run : m_kept)
            if (run->id == id) {
                run->name = trimmed;
                m_recorder->rename(run->fileId, trimmed);
            }
    }
    emit runsChanged();
    return true;
}

void Session::setRunShown(int id, bool shown)
{
    for (const auto &run : m_kept)
        if (run->id == id && run->shown != shown) {
            run->shown = shown;
            m_recorder->setHidden(run->fileId, !shown);
            emit runsChanged();
        }
}

void Session::deleteRun(int id)
{
    const auto it = std::find_if(m_kept.begin(), m_kept.end(), [&](const auto &run) { return run->id == id; });
    if (it == m_kept.end())
        return;
    m_deleted.push_back({std::move(*it), size_t(it - m_kept.begin())});
    m_kept.erase(it);
    if (m_reference == id)
        m_reference = 0;
    emit runsChanged();
}

bool Session::undoDelete()
{
    if (m_deleted.empty())
        return false;
    Deleted last = std::move(m_deleted.back());
    m_deleted.pop_back();
    // Its name may have been taken meanwhile (a rename, a new run).
    const QString wanted = last.run->name;
    last.run->name = attnscope::freeRunName(wanted, [&](const QString &name) { return nameInUse(name, last.run->id); });
    if (last.run->name != wanted)
        m_recorder->rename(last.run->fileId, last.run->name);
    m_kept.insert(m_kept.begin() + std::ptrdiff_t(std::min(last.index, m_kept.size())), std::move(last.run));
    emit runsChanged();
    return true;
}

void Session::purgeDeleted()
{
    for (const Deleted &d : m_deleted)
        m_recorder->remove(d.run->fileId);
    m_deleted.clear();
}

void Session::setReferenceRun(int id)
{
    const bool known = id == m_run->id() || std::any_of(m_kept.begin(), m_kept.end(), [&](const auto &run) {
        return run->id == id;
    });
    const int reference = known ? id : 0;
    if (reference == m_reference)
        return;
    m_reference = reference;
    emit runsChanged();
}

bool Session::hasUnsavedRuns() const
{
    if (!m_recorder->isOpen() || isRecovery())
        return m_run->hasTrained() || !m_kept.empty();
    return std::any_of(m_kept.begin(), m_kept.end(), [](const auto &run) { return run->fileId == 0; });
}

// --- The session file.

bool Session::openSessionFile(const QString &path)
{
    std::vector<std::unique_ptr<KeptRun>> runs;
    QString error;
    {
        SessionFile file;
        if (!file.open(path, SessionFile::Mode::ReadOnly, &error) || !readKeptRuns(file, m_nextRunId, &runs, &error)) {
            emit failed(error);
            return false;
        }
    }
    purgeDeleted();  // from the file they were in
    if (!m_recorder->open(path, &error)) {
        emit failed(error);
        return false;
    }
    if (m_recoveryPath != path)
        endRecovery(true);  // its runs were the ones the user chose to drop
    m_nextRunId += int(runs.size());
    m_reference = 0;
    m_kept = std::move(runs);
    // The current run joins the file: its curves so far, then as it trains.
    m_run->setName(freeRunName(m_run->name()));
    if (m_run->hasTrained())
        m_recorder->adoptLive(currentRecord(), m_run->history());
    emit runsChanged();
    emit sessionFileChanged(path);
    emit status(tr("Opened session %1: %2 runs").arg(path).arg(m_kept.size()), 10000);
    return true;
}

bool Session::saveSessionAs(const QString &path)
{
    // Into a new file beside the target, renamed over it once whole: a
    // failure leaves the target as it was.
    const QFileInfo target(path);
    const QString temporary = target.dir().filePath(QStringLiteral(".%1.attnscope-new").arg(target.fileName()));
    QFile::remove(temporary);
    QString error;
    purgeDeleted();  // the copy has no deleted run
    int64_t live = m_recorder->liveFileId();  // its row, the same in the copy
    bool ok = true;
    if (m_recorder->isOpen()) {
        ok = m_recorder->copyTo(temporary, &error);
        m_recorder->close();
    } else {
        ok = m_recorder->open(temporary, &error);
        if (ok)
            writeRuns();
        ok = ok && m_recorder->flush(&error);
        live = m_recorder->liveFileId();
        m_recorder->close();
    }
    for (const char *log : {"-wal", "-shm"})
        QFile::remove(path + QLatin1String(log));  // an old log would be read as the new file's
    if (ok && std::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(path).constData()) != 0) {
        error = tr("%1: could not be replaced: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        ok = false;
    }
    if (!ok) {
        QFile::remove(temporary);
        emit failed(error);
        return false;
    }
    if (!m_recorder->open(path, &error, live)) {
        emit failed(error);
        return false;
    }
    endRecovery(true);  // the session is in the user's file now
    emit sessionFileChanged(path);
    emit status(tr("Saved session %1").arg(path), 10000);
    return true;
}

// --- Recovery.

namespace {

constexpr char RecoveryPrefix[] = "recovery-";

// The lock of a recovery file: taken over only from a process that is gone
// (never for its age: a window trains for hours without touching it).
std::unique_ptr<QLockFile> recoveryLock(const QString &path)
{
    auto lock = std::make_unique<QLockFile>(path + QLatin1String(".lock"));
    lock->setStaleLockTime(0);
    return lock;
}

void removeSessionFiles(const QString &path)
{
    for (const char *suffix : {"-wal", "-shm", ""})
        QFile::remove(path + QLatin1String(suffix));
}

} // namespace

bool Session::startRecovery(const QString &dir)
{
    if (m_recorder->isOpen())
        return false;  // the session has a file already
    if (!QDir().mkpath(dir)) {
        emit failed(tr("%1: could not make the folder for the recovery file").arg(dir));
        return false;
    }
    // recovery-DATE-PID.attnscope; a second window of the process in the same second adds -2, -3, ...
    const QString stem = QDir(dir).filePath(QStringLiteral("%1%2-%3")
                                                .arg(QLatin1String(RecoveryPrefix),
                                                     QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")))
                                                .arg(QCoreApplication::applicationPid()));
    QString path = stem + QLatin1String(".attnscope");
    for (int n = 2; QFileInfo::exists(path) || QFileInfo::exists(path + QLatin1String(".lock")); ++n)
        path = QStringLiteral("%1-%2.attnscope").arg(stem).arg(n);
    auto lock = recoveryLock(path);
    QString error;
    if (!lock->tryLock(0) || !m_recorder->open(path, &error)) {
        emit failed(error.isEmpty() ? tr("%1: could not lock the recovery file").arg(path) : error);
        return false;
    }
    m_recoveryLock = std::move(lock);
    m_recoveryPath = path;
    writeRuns();  // whatever trained before it
    return true;
}

void Session::endRecovery(bool remove)
{
    if (!m_recoveryLock)
        return;
    if (remove && !(m_recorder->isOpen() && m_recorder->path() == m_recoveryPath))
        removeSessionFiles(m_recoveryPath);
    m_recoveryLock.reset();  // unlocks and removes the lock file
    m_recoveryPath.clear();
}

QStringList Session::recoverableSessions(const QString &dir)
{
    QStringList out;
    const QFileInfoList files = QDir(dir).entryInfoList({QStringLiteral("%1*.attnscope").arg(QLatin1String(RecoveryPrefix))},
                                                        QDir::Files, QDir::Time);
    for (const QFileInfo &info : files) {
        if (!recoveryLock(info.filePath())->tryLock(0))
            continue;  // a running AttnScope writes it (a dead one's lock is stale and taken over)
        SessionFile file;
        QString error;
        if (file.open(info.filePath(), SessionFile::Mode::ReadOnly, &error) && file.runCount() > 0)
            out << info.filePath();
    }
    return out;
}

bool Session::restoreRecovery(const QString &path)
{
    auto lock = recoveryLock(path);
    if (!lock->tryLock(0)) {
        emit failed(tr("%1: another AttnScope is writing it").arg(path));
        return false;
    }
    // openSessionFile keeps a recovery file of this path: it becomes this session's.
    std::swap(lock, m_recoveryLock);
    QString previous = std::exchange(m_recoveryPath, path);
    if (!openSessionFile(path)) {
        std::swap(lock, m_recoveryLock);
        m_recoveryPath = previous;
        return false;
    }
    if (lock && previous != path)
        removeSessionFiles(previous);  // the empty one this session had begun
    return true;
}

bool Session::discardRecovery(const QString &path)
{
    const std::unique_ptr<QLockFile> lock = recoveryLock(path);
    if (!lock->tryLock(0))
        return false;
    removeSessionFiles(path);
    return true;
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
