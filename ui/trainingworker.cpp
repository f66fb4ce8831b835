#include "trainingworker.h"

#include <cmath>

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

TrainingWorker::TrainingWorker(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<attnscope::TrainingSnapshot>();
    qRegisterMetaType<std::shared_ptr<const attnscope::TrainingSetup>>();
    qRegisterMetaType<attnscope::TrainingWorker::State>();
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

std::shared_ptr<Model> TrainingWorker::modelCopy() const
{
    std::lock_guard lock(m_modelMutex);
    if (!m_trainer)
        return {};
    return std::make_shared<Model>(m_model);
}

void TrainingWorker::configure(std::shared_ptr<const TrainingSetup> setup)
{
    m_setup = std::move(setup);
    rebuild();
}

// A fresh trainer on a fresh copy of the setup's model.
void TrainingWorker::rebuild()
{
    {
        std::lock_guard lock(m_modelMutex);
        m_trainer.reset();
        if (!m_setup) {
            m_model = Model();
            m_train = m_val = EncodedDataset();
        } else {
            m_model = m_setup->model;
            m_train = m_setup->train;
            m_val = m_setup->val;
            m_config = m_setup->config;
            {
                // Changes made before the run apply from its first step.
                std::lock_guard pending(m_pendingMutex);
                if (m_pendingLr)
                    m_config.optimizer.lr = *m_pendingLr;
                if (m_pendingWeights)
                    m_config.taskWeights = *m_pendingWeights;
                m_pendingLr.reset();
                m_pendingWeights.reset();
            }
            m_trainer = std::make_unique<Trainer>(m_model, m_train, m_config);
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
}

void TrainingWorker::start()
{
    if (!m_trainer || m_quit.load())
        return;
    if (m_state.load() == State::Stopped || m_state.load() == State::Finished)
        rebuild();  // Start after a finished run trains again from the initial weights
    runSteps(-1);
}

void TrainingWorker::step()
{
    if (!m_trainer || m_quit.load())
        return;
    const State s = m_state.load();
    if (s == State::Stopped || s == State::Finished)
        return;
    runSteps(1);
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
    rebuild();
}

// Trains limit steps (all when negative) or until a request, the end of
// training or a non-finite loss.
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
    QString message;
    State next = State::Paused;
    for (int64_t done = 0; limit < 0 || done < limit; ++done) {
        if (m_quit.load() || m_stopRequested.load()) {
            next = State::Stopped;
            break;
        }
        if (m_pauseRequested.load())
            break;
        if (m_trainer->finished()) {
            next = State::Finished;
            message = tr("Training finished after %1 steps.").arg(m_trainer->progress().step);
            break;
        }
        if (!trainOne()) {
            const Progress &p = m_trainer->progress();
            message = tr("Training paused at step %1: the loss or the gradient is not finite (loss %2, "
                         "gradient norm %3). The weights are those of the last good step. Try a smaller "
                         "learning rate (now %4) or set gradient clipping, then resume.")
                          .arg(p.step + 1)
                          .arg(double(p.loss))
                          .arg(double(p.gradNorm))
                          .arg(double(m_config.optimizer.lr));
            m_trainer->clearStop();
            break;
        }
        flush(false);
    }
    if (next != State::Finished && m_trainer->finished()) {
        next = State::Finished;
        message = tr("Training finished after %1 steps.").arg(m_trainer->progress().step);
    }
    m_pauseRequested.store(false);
    if (next == State::Stopped)
        m_stopRequested.store(false);
    flush(true);
    setState(next, message);
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
    StepPoint point;
    point.step = p.step;
    point.epoch = p.epochProgress;
    point.loss = p.loss;
    point.taskLoss = p.taskLoss;
    point.learningRate = p.learningRate;
    point.gradNorm = p.gradNorm;
    m_out.steps.push_back(std::move(point));
    m_out.learningRate = p.learningRate;
    if (m_trainer->stepsPerEpoch() > 0 && p.step % m_trainer->stepsPerEpoch() == 0)
        evaluateEpoch();
    return true;
}

void TrainingWorker::applyPending()
{
    std::optional<float> lr;
    std::optional<std::vector<float>> weights;
    {
        std::lock_guard lock(m_pendingMutex);
        lr.swap(m_pendingLr);
        weights.swap(m_pendingWeights);
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
}

void TrainingWorker::evaluateEpoch()
{
    if (m_val.samples.empty())
        return;
    const EvalResult result = evaluate(m_model, m_val, m_config.taskWeights);
    const Progress &p = m_trainer->progress();
    EvalPoint point;
    point.step = p.step;
    point.epoch = p.epochProgress;
    point.loss = result.loss;
    for (const TaskMetrics &task : result.tasks) {
        point.taskLoss.push_back(task.loss);
        point.taskAccuracy.push_back(task.accuracy);
    }
    m_out.evals.push_back(std::move(point));
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
        if (seconds > 0 && p.step > m_runStartStep)
            m_out.stepsPerSecond = double(p.step - m_runStartStep) / seconds;
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
    emit snapshot(out);
}

void TrainingWorker::setState(State state, const QString &message)
{
    m_state.store(state);
    emit stateChanged(state, message);
}

} // namespace attnscope
