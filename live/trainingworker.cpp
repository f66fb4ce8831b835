#include "trainingworker.h"

#include "threadhandoff.h"

#include <cmath>
#include <new>
#include <stdexcept>
#include <thread>
#include <utility>

namespace attnscope {

namespace {

using Clock = std::chrono::steady_clock;

QString formatWeights(const std::vector<float> &weights)
{
    QStringList parts;
    for (float w : weights)
        parts << QString::number(double(w), 'g', 3);
    return parts.join(QLatin1Char('/'));
}

} // namespace

StepPoint stepPoint(const Progress &p)
{
    StepPoint point;
    point.step = p.step;
    point.epoch = p.epochProgress;
    point.loss = p.loss;
    point.taskLoss = p.taskLoss;
    point.learningRate = p.learningRate;
    point.gradNorm = p.gradNorm;
    return point;
}

EvalPoint evalPoint(const Progress &p, const EvalResult &result)
{
    EvalPoint point;
    point.step = p.step;
    point.epoch = p.epochProgress;
    point.loss = result.loss;
    for (const TaskMetrics &task : result.tasks) {
        point.taskLoss.push_back(task.loss);
        point.taskAccuracy.push_back(task.accuracy);
        point.taskMacroF1.push_back(task.macroF1);
        point.confusion.push_back(task.confusion);
    }
    return point;
}

TrainingWorker::TrainingWorker(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<attnscope::TrainingSnapshot>();
    qRegisterMetaType<std::shared_ptr<const attnscope::TrainingSetup>>();
    qRegisterMetaType<attnscope::TrainingWorker::State>();
    qRegisterMetaType<attnscope::SnapshotPtr>();
    qRegisterMetaType<attnscope::ProbeInput>();
}

TrainingWorker::~TrainingWorker() = default;

void TrainingWorker::requestStop()
{
    m_stopRequested.store(true);
}

void TrainingWorker::requestQuit()
{
    m_quit.store(true);
    m_stopRequested.store(true);
}

void TrainingWorker::setLearningRate(float lr)
{
    std::lock_guard lock(m_pendingMutex);
    m_pendingLr = lr;
}

void TrainingWorker::setTaskWeights(const std::vector<float> &weights)
{
    std::lock_guard lock(m_pendingMutex);
    m_pendingWeights = weights;
}

void TrainingWorker::setRationaleWeight(float mu)
{
    std::lock_guard lock(m_pendingMutex);
    m_pendingMu = mu;
}

std::shared_ptr<Model> TrainingWorker::modelCopy(const TrainingSetup *of) const
{
    std::lock_guard lock(m_modelMutex);
    if (!m_trainer || m_modelOf != of)
        return {};
    m_trainer->syncModel();  // the lazy embedding rows, exact (nothing changes if already so)
    return std::make_shared<Model>(m_model);
}

bool TrainingWorker::checkpointCopy(const TrainingSetup *of, std::shared_ptr<Model> *model, TrainerState *state) const
{
    std::lock_guard lock(m_modelMutex);
    if (!m_trainer || m_modelOf != of)
        return false;
    *state = m_trainer->state();  // first: it brings the lazy embedding rows up to date (syncModel)
    *model = std::make_shared<Model>(m_model);
    return true;
}

KeptCopies TrainingWorker::takeKept()
{
    KeptCopies taken;
    std::lock_guard lock(m_keptMutex);
    taken.copies.assign(std::make_move_iterator(m_kept.begin()), std::make_move_iterator(m_kept.end()));
    m_kept.clear();
    taken.missed = std::exchange(m_keptMissed, KeptMissed());
    return taken;
}

void TrainingWorker::keepCopy()
{
    const int64_t asked = m_keepEvery.load();
    const Progress &p = m_trainer->progress();
    const int64_t every = asked == KeepBySession ? keepEvery(p.totalSteps) : asked;
    if (every <= 0 || p.step % every != 0)
        return;
    {
        // Full: this step's copy is not made (the waiting ones stay); counted
        // for the taker, who logs it as an event of the run.
        std::lock_guard lock(m_keptMutex);
        if (m_kept.size() >= size_t(KeptCopiesWaiting)) {
            KeptMissed &m = m_keptMissed;
            if (m.count == 0) {
                m.run = m_run;
                m.firstStep = p.step;
            }
            ++m.count;
            m.lastStep = p.step;
            return;
        }
    }
    KeptCopy copy;
    copy.run = m_run;
    {
        std::lock_guard lock(m_modelMutex);
        copy.state = m_trainer->state();  // first: it brings the lazy embedding rows up to date (syncModel)
        copy.model = std::make_shared<Model>(m_model);
    }
    std::lock_guard lock(m_keptMutex);
    m_kept.push_back(std::move(copy));  // only this thread adds: there is room
}

template <class Work>
void TrainingWorker::guard(const char *where, const QString &doing, Work &&work)
{
    try {
        if (m_faultHook)
            m_faultHook(where);
        work();
    } catch (const std::exception &e) {
        fail(tr("%1 while %2").arg(QString::fromStdString(failureText(e)), doing));
    }
}

// After a slot failed: the run (if there is one) pauses with the weights of
// its last good step (an optimiser step is the last thing a training step
// does, after everything it allocates), and the user hears what happened.
void TrainingWorker::fail(const QString &what)
{
    QString message = m_setup && !m_setup->source.empty() ? tr("%1: %2").arg(QString::fromStdString(m_setup->source), what)
                                                          : what;
    message += m_trainer ? tr("; the run is paused at step %1 with the weights of its last good step.")
                               .arg(m_trainer->progress().step)
                         : tr("; there is no run to train.");
    m_pauseRequested.store(false);
    m_stopRequested.store(false);
    try {
        flush(true);  // the steps done before it
    } catch (const std::exception &) {
        m_out = TrainingSnapshot();  // nothing more to lose; the state below still goes out
        m_out.run = m_run;
    }
    setState(m_trainer ? State::Paused : State::Empty);
    HandOffSend send;
    emit problem(message);
}

void TrainingWorker::dropPendingChanges()
{
    std::lock_guard lock(m_pendingMutex);
    m_pendingLr.reset();
    m_pendingWeights.reset();
    m_pendingMu.reset();
}

void TrainingWorker::configure(std::shared_ptr<const TrainingSetup> setup)
{
    m_setup = std::move(setup);
    guard("configure", tr("preparing the run"), [this] { rebuild(); });
}

// A fresh trainer on a fresh copy of the setup's model.
void TrainingWorker::rebuild()
{
    {
        std::lock_guard lock(m_modelMutex);
        m_trainer.reset();
        m_modelOf = m_setup.get();
        m_goodWeights.clear();
        m_candidateStep = -1;
        m_best.clear();
        m_atBest = false;
        {
            std::lock_guard kept(m_keptMutex);
            m_kept.clear();  // of the run that was
            m_keptMissed = KeptMissed();
        }
        if (!m_setup) {
            m_model = Model();
            m_train = m_val = EncodedDataset();
        } else {
            m_model = m_setup->model;
            m_train = m_setup->train;
            m_val = m_setup->val;
            // The setup's own settings. A change still pending (made after
            // the owner handed this setup over, or before a Reset) applies
            // before the first step, marked there as any change is; before,
            // it went into these settings unmarked, so a comparison's "lr
            // 0.01" trained at a rate typed earlier and said nothing.
            m_config = m_setup->config;
            m_trainer = std::make_unique<Trainer>(m_model, m_train, m_config);
            m_trainer->setDeferredSync(true);  // syncModel() before each read of m_model
            if (m_setup->resumeFrom) {
                // A fork: where its parent stood, then its own settings (as if changed there).
                std::string error;
                if (!m_trainer->restore(*m_setup->resumeFrom, &error)) {
                    m_trainer.reset();
                    throw std::runtime_error("the checkpoint to start from does not fit: " + error);
                }
                m_trainer->setLearningRate(m_config.optimizer.lr);
                m_trainer->setTaskWeights(m_config.taskWeights);
                m_trainer->setRationaleWeight(m_config.rationaleWeight);
            }
            m_guard = DivergenceState();
            m_goodWeights = m_model.params;  // the initial weights are good ones
            m_goodStep = m_trainer->progress().step;
        }
    }
    m_out = TrainingSnapshot();
    m_out.run = ++m_run;
    m_pauseRequested.store(false);
    m_stopRequested.store(false);
    if (m_trainer) {
        m_out.totalSteps = m_trainer->progress().totalSteps;
        m_out.stepsPerEpoch = m_trainer->stepsPerEpoch();
        m_out.learningRate = m_config.optimizer.lr;
    }
    flush(true);
    setState(m_trainer ? State::Ready : State::Empty);
    // The probe set indexes the validation split of its setup only.
    m_inspect.reset();  // sized for the previous model
    if (m_probesFor != m_setup) {
        m_probes.reset();
        m_probesFor.reset();
    }
    m_attentionStep = -1;
    m_attentionNanos.store(0);
    m_explainNanos.store(0);
    m_attentionCount.store(0);
    m_explainer.clear();  // the new run's weights explain again
    takeAttentionRequests();
    refreshAttention(true, true, true);
}

void TrainingWorker::startUntil(int64_t step)
{
    if (!m_trainer || m_quit.load())
        return;
    guard("start", tr("training"), [this, step] {
        if (m_state.load() == State::Stopped || m_state.load() == State::Finished)
            rebuild();  // Start after a finished run trains again from the initial weights
        if (m_trainer && step > m_trainer->progress().step)
            runSteps(step - m_trainer->progress().step);
    });
}

void TrainingWorker::step()
{
    if (!m_trainer || m_quit.load())
        return;
    const State s = m_state.load();
    if (s == State::Stopped || s == State::Finished)
        return;
    guard("step", tr("training"), [this] { runSteps(1); });
}

void TrainingWorker::stop()
{
    if (m_state.load() == State::Empty)
        return;
    m_stopRequested.store(false);
    if (m_state.load() != State::Finished)
        setState(State::Stopped);
}

void TrainingWorker::reset()
{
    guard("reset", tr("preparing the run"), [this] { rebuild(); });
}

void TrainingWorker::restoreBest()
{
    if (!m_trainer || m_state.load() == State::Running || !m_best.any() || m_atBest)
        return;
    guard("restore", tr("restoring the weights of the best evaluation"), [this] {
        const Progress &p = m_trainer->progress();
        {
            std::lock_guard lock(m_modelMutex);
            m_trainer->rewind(m_best.params());
        }
        m_atBest = true;
        // The guard watches afresh from these weights, which are good ones.
        m_guard = DivergenceState();
        m_goodWeights = m_best.params();
        m_goodStep = p.step;
        m_candidateStep = -1;
        m_out.changes.push_back({p.step, p.epochProgress, tr("weights of step %1 (best)").arg(m_best.step())});
        flush(true);
        refreshAttention(true, true, true);  // the views show them
        HandOffSend send;
        emit bestRestored(m_best.step(), m_best.loss(), p.step);
    });
}

// Trains limit steps or until a request, the end of training or a
// non-finite loss.
void TrainingWorker::runSteps(int64_t limit)
{
    m_pauseRequested.store(false);
    if (m_stopRequested.load() || m_quit.load())
        return;
    m_trainer->clearStop();
    setState(State::Running);
    m_runStart = Clock::now();
    m_lastEmit = m_runStart;
    m_runStartStep = m_trainer->progress().step;
    m_runLimit = limit;
    QString message;
    State after = State::Paused;
    Clock::time_point next = Clock::now();  // the earliest start of the next step when paced
    for (int64_t done = 0; done < limit; ++done) {
        if (m_quit.load() || m_stopRequested.load()) {
            after = State::Stopped;
            break;
        }
        if (m_pauseRequested.load())
            break;
        if (m_trainer->finished()) {
            after = State::Finished;
            message = tr("Training finished after %1 steps.").arg(m_trainer->progress().step);
            break;
        }
        const bool ok = trainOne();
        message = watchDivergence(ok);
        if (!message.isEmpty()) {
            m_trainer->clearStop();
            break;
        }
        keepCopy();
        flush(false);
        maybeRefreshAttention();
        if (done + 1 < limit)
            pace(next);
    }
    if (after != State::Finished && m_trainer->finished()) {
        after = State::Finished;
        message = tr("Training finished after %1 steps.").arg(m_trainer->progress().step);
    }
    m_pauseRequested.store(false);
    if (after == State::Stopped)
        m_stopRequested.store(false);
    flush(true);
    // Paused, stopped, stepped or finished: the views show these weights.
    if (!m_quit.load()) {
        const Requests r = takeAttentionRequests();
        // The explanations too: a periodic refresh at this step may have come before their budget allowed a round.
        const int64_t step = m_trainer->progress().step;
        const bool stale = m_attentionStep != step || (m_explainOn.load() && m_explainer.explainedStep() != step);
        refreshAttention(stale || r.probes, stale || r.input, true);
    }
    setState(after, message);
}

bool TrainingWorker::trainOne()
{
    applyPending();
    bool ok = false;
    {
        std::lock_guard lock(m_modelMutex);
        ok = m_trainer->step();
    }
    const Progress &p = m_trainer->progress();
    if (!ok)
        return false;
    m_atBest = false;
    m_out.steps.push_back(stepPoint(p));
    m_out.learningRate = p.learningRate;
    if (m_trainer->stepsPerEpoch() > 0 && p.step % m_trainer->stepsPerEpoch() == 0)
        evaluateEpoch();
    return true;
}

QString TrainingWorker::watchDivergence(bool ok)
{
    const Progress &p = m_trainer->progress();
    const int64_t step = ok ? p.step : p.step + 1;  // a step that was not finite was not counted
    const DivergenceVerdict verdict = checkDivergence(&m_guard, step, p.loss, p.gradNorm);
    if (verdict.kind == DivergenceKind::None) {
        if (!verdict.healthy) {
            m_candidateStep = -1;
            return {};
        }
        if (m_candidateStep >= 0 && m_candidateStep == p.step - 1) {  // this step's loss is theirs
            m_goodWeights.swap(m_candidateWeights);
            m_goodStep = m_candidateStep;
        }
        m_candidateStep = -1;
        if (p.step - m_goodStep >= GoodEvery) {
            syncModel();
            m_candidateWeights = m_model.params;
            m_candidateStep = p.step;
        }
        return {};
    }
    m_candidateStep = -1;
    // A step that was not finite changed nothing; otherwise the steps since
    // the last good weights did harm.
    int64_t at = p.step;
    if (verdict.kind != DivergenceKind::NonFinite && m_goodWeights.size() == m_model.params.size()) {
        {
            std::lock_guard lock(m_modelMutex);
            m_trainer->rewind(m_goodWeights);
        }
        m_atBest = false;
        at = m_goodStep;
        m_out.changes.push_back({p.step, p.epochProgress, tr("weights of step %1").arg(m_goodStep)});
    }
    m_guard = DivergenceState();  // watching afresh from these weights
    const std::string what = divergenceMessage(verdict, step, m_config.optimizer.lr, m_config.optimizer.clip,
                                               "learning rate", "Clip gradient");
    // The guard keeps a copy every GoodEvery healthy steps, so the weights
    // it goes back to can be older than the best loss the message names.
    const QString weights = at == p.step
                                ? tr("The weights are those of step %1, before the step that went wrong").arg(at)
                                : tr("The weights are back to step %1, the last good copy the guard kept (it keeps one "
                                     "every %2 healthy steps)")
                                      .arg(at)
                                      .arg(GoodEvery);
    return tr("Training paused: %1. %2; change the setting, then resume.").arg(QString::fromStdString(what), weights);
}

void TrainingWorker::applyPending()
{
    std::optional<float> lr;
    std::optional<std::vector<float>> weights;
    std::optional<float> mu;
    {
        std::lock_guard lock(m_pendingMutex);
        lr.swap(m_pendingLr);
        weights.swap(m_pendingWeights);
        mu.swap(m_pendingMu);
    }
    const Progress &p = m_trainer->progress();
    if (lr && *lr != m_config.optimizer.lr) {
        m_config.optimizer.lr = *lr;
        m_trainer->setLearningRate(*lr);
        m_out.changes.push_back({p.step, p.epochProgress, tr("lr %1").arg(double(*lr), 0, 'g', 3)});
    }
    if (weights && *weights != m_config.taskWeights) {
        m_config.taskWeights = *weights;
        m_trainer->setTaskWeights(*weights);
        m_out.changes.push_back({p.step, p.epochProgress, tr("weights %1").arg(formatWeights(*weights))});
    }
    if (mu && *mu != m_config.rationaleWeight) {
        m_config.rationaleWeight = *mu;
        m_trainer->setRationaleWeight(*mu);
        m_out.changes.push_back({p.step, p.epochProgress, tr("mu %1").arg(double(*mu), 0, 'g', 3)});
    }
}

// The trainer leaves rows of the embedding tables behind between steps
// (Trainer::setDeferredSync): brought up to date under the lock before this
// thread reads the model; modelCopy() then finds nothing to write.
void TrainingWorker::syncModel()
{
    std::lock_guard lock(m_modelMutex);
    m_trainer->syncModel();
}

void TrainingWorker::evaluateEpoch()
{
    if (m_val.samples.empty())
        return;
    syncModel();
    const Progress &p = m_trainer->progress();
    m_out.evals.push_back(evalPoint(p, evaluate(m_model, m_val, m_config.taskWeights)));
    m_atBest = m_best.offer(m_out.evals.back().loss, p.step, p.epochProgress, m_model.params);
}

// Emits what has accumulated, at most every EmitInterval unless forced.
void TrainingWorker::flush(bool force)
{
    const Clock::time_point now = Clock::now();
    if (!force && now - m_lastEmit < EmitInterval)
        return;
    if (m_trainer) {
        const Progress &p = m_trainer->progress();
        m_out.step = p.step;
        m_out.epoch = p.epoch;
        m_out.totalSteps = p.totalSteps;
        m_out.stepsPerEpoch = m_trainer->stepsPerEpoch();
        const double seconds = std::chrono::duration<double>(now - m_runStart).count();
        // One step (Step) is no rate: it read "1191 steps/s" for a click.
        if (m_runLimit == 1)
            m_out.stepsPerSecond = 0;
        else if (seconds > 0 && p.step > m_runStartStep)
            m_out.stepsPerSecond = double(p.step - m_runStartStep) / seconds;
        m_out.bestStep = m_best.step();
        m_out.bestLoss = m_best.loss();
        m_out.atBest = m_atBest;
    }
    m_lastEmit = now;
    TrainingSnapshot out = std::move(m_out);
    m_out = TrainingSnapshot();
    m_out.run = out.run;
    m_out.step = out.step;
    m_out.epoch = out.epoch;
    m_out.totalSteps = out.totalSteps;
    m_out.stepsPerEpoch = out.stepsPerEpoch;
    m_out.stepsPerSecond = out.stepsPerSecond;
    m_out.learningRate = out.learningRate;
    HandOffSend send;
    emit snapshot(out);
}

void TrainingWorker::pace(Clock::time_point &next)
{
    const double rate = m_stepRateLimit.load();
    const Clock::time_point now = Clock::now();
    if (rate <= 0) {
        next = now;
        return;
    }
    const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
    // One slot per step; after a slow step (or a change of rate) no burst to catch up.
    next = std::max(next + period, now);
    // In slices, so that pause, stop, quit and a new rate act within one.
    constexpr auto Slice = std::chrono::milliseconds(20);
    while (Clock::now() < next) {
        if (m_pauseRequested.load() || m_stopRequested.load() || m_quit.load())
            return;
        if (m_stepRateLimit.load() != rate) {
            next = Clock::now();
            return;
        }
        // A probe-editor input or a new probe set sent while the worker
        // waits is answered now, not after the slot (at a slow rate, minutes)
        if (attentionRequested()) maybeRefreshAttention();
        std::this_thread::sleep_for(std::min<Clock::duration>(Slice, next - Clock::now()));
    }
}

void TrainingWorker::setState(State state, const QString &message)
{
    m_state.store(state);
    HandOffSend send;
    emit stateChanged(state, message);
}

} // namespace attnscope
