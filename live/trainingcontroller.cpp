#include "trainingcontroller.h"

#include "threadhandoff.h"

namespace attnscope {

TrainingController::TrainingController(QObject *parent)
    : QObject(parent), m_worker(new TrainingWorker)
{
    m_thread.setObjectName(QStringLiteral("attnscope-training"));
    m_worker->moveToThread(&m_thread);
    installHandOffHook();
    // The worker thread's last writes, before the owner deletes the worker.
    connect(&m_thread, &QThread::finished, this, [] { HandOffSend send; }, Qt::DirectConnection);
    connect(m_worker, &TrainingWorker::snapshot, this, [this](const TrainingSnapshot &s) {
        m_step = s.step;
        emit snapshot(s);
    }, Qt::QueuedConnection);
    connect(m_worker, &TrainingWorker::stateChanged, this, &TrainingController::onState, Qt::QueuedConnection);
    connect(m_worker, &TrainingWorker::attentionReady, this, &TrainingController::attentionReady, Qt::QueuedConnection);
    connect(m_worker, &TrainingWorker::probeInputReady, this, &TrainingController::probeInputReady, Qt::QueuedConnection);
    connect(m_worker, &TrainingWorker::bestRestored, this, &TrainingController::bestRestored, Qt::QueuedConnection);
    connect(m_worker, &TrainingWorker::problem, this, &TrainingController::problem, Qt::QueuedConnection);
    m_thread.start();
}

TrainingController::~TrainingController()
{
    shutdown();
}

void TrainingController::shutdown()
{
    if (!m_worker)
        return;
    m_worker->requestQuit();
    m_thread.quit();
    m_thread.wait();
    handOffReceived();
    delete m_worker;  // its thread has ended: nothing else can touch it now
    m_worker = nullptr;
}

void TrainingController::configure(std::shared_ptr<const TrainingSetup> setup)
{
    if (!m_worker)
        return;
    m_setup = setup;
    m_worker->requestStop();
    // The setup has its settings (the panels' when it was asked for, or a
    // comparison's variant's, a resumed run's): a change made before now is
    // not one of this run. One made from now on applies at its first step.
    m_worker->dropPendingChanges();
    TrainingWorker *worker = m_worker;
    HandOffSend send;
    QMetaObject::invokeMethod(m_worker, [worker, setup]() { worker->configure(setup); }, Qt::QueuedConnection);
}

void TrainingController::start()
{
    startUntil(TrainingWorker::ToTheEnd);
}

void TrainingController::startUntil(int64_t step)
{
    if (!m_worker)
        return;
    HandOffSend send;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, step]() { worker->startUntil(step); }, Qt::QueuedConnection);
}

void TrainingController::pause()
{
    if (m_worker)
        m_worker->requestPause();
}

void TrainingController::step()
{
    if (!m_worker)
        return;
    HandOffSend send;
    QMetaObject::invokeMethod(m_worker, &TrainingWorker::step, Qt::QueuedConnection);
}

void TrainingController::stop()
{
    if (!m_worker)
        return;
    m_worker->requestStop();
    HandOffSend send;
    QMetaObject::invokeMethod(m_worker, &TrainingWorker::stop, Qt::QueuedConnection);
}

void TrainingController::reset()
{
    if (!m_worker)
        return;
    m_worker->requestStop();
    HandOffSend send;
    QMetaObject::invokeMethod(m_worker, &TrainingWorker::reset, Qt::QueuedConnection);
}

void TrainingController::restoreBest()
{
    if (!m_worker)
        return;
    if (m_state == TrainingWorker::State::Running)
        m_worker->requestPause();  // the loop ends at its next step; the call below waits for it
    HandOffSend send;
    QMetaObject::invokeMethod(m_worker, &TrainingWorker::restoreBest, Qt::QueuedConnection);
}

void TrainingController::setLearningRate(float lr)
{
    if (m_worker)
        m_worker->setLearningRate(lr);
}

void TrainingController::setStepRateLimit(double stepsPerSecond)
{
    if (m_worker)
        m_worker->setStepRateLimit(stepsPerSecond);
}

double TrainingController::stepRateLimit() const
{
    return m_worker ? m_worker->stepRateLimit() : 0.0;
}

void TrainingController::setTaskWeights(const std::vector<float> &weights)
{
    if (m_worker)
        m_worker->setTaskWeights(weights);
}

void TrainingController::setRationaleWeight(float mu)
{
    if (m_worker)
        m_worker->setRationaleWeight(mu);
}

void TrainingController::setProbes(const ProbeSet &probes, std::shared_ptr<const TrainingSetup> setup,
                                   std::shared_ptr<const Dataset> dataset)
{
    m_probes = probes;
    if (m_worker)
        m_worker->setProbes(probes, std::move(setup), std::move(dataset));
}

void TrainingController::clearProbes()
{
    m_probes = ProbeSet();
    if (m_worker)
        m_worker->clearProbes();
}

void TrainingController::setProbeInput(const ProbeInput &input)
{
    if (m_worker)
        m_worker->setProbeInput(input);
}

void TrainingController::setAttentionRate(int everySteps, std::chrono::milliseconds minInterval)
{
    if (m_worker)
        m_worker->setAttentionRate(everySteps, minInterval);
}

double TrainingController::attentionSeconds() const
{
    return m_worker ? m_worker->attentionSeconds() : 0.0;
}

int TrainingController::attentionRefreshes() const
{
    return m_worker ? m_worker->attentionRefreshes() : 0;
}

void TrainingController::setExplanations(bool on)
{
    if (m_worker)
        m_worker->setExplanations(on);
}

bool TrainingController::explanations() const
{
    return m_worker && m_worker->explanations();
}

double TrainingController::explainSeconds() const
{
    return m_worker ? m_worker->explainSeconds() : 0.0;
}

void TrainingController::setFaultHook(std::function<void(const char *where)> hook)
{
    if (m_worker)
        m_worker->setFaultHook(std::move(hook));
}

std::shared_ptr<Model> TrainingController::modelCopy() const
{
    return m_worker ? m_worker->modelCopy(m_setup.get()) : nullptr;
}

bool TrainingController::checkpointCopy(std::shared_ptr<Model> *model, TrainerState *state) const
{
    return m_worker && m_worker->checkpointCopy(m_setup.get(), model, state);
}

void TrainingController::setKeepEvery(int64_t every)
{
    if (m_worker)
        m_worker->setKeepEvery(every);
}

KeptCopies TrainingController::takeKept()
{
    return m_worker ? m_worker->takeKept() : KeptCopies();
}

void TrainingController::onState(TrainingWorker::State state, const QString &message)
{
    m_state = state;
    emit stateChanged(state, message);
}

} // namespace attnscope
