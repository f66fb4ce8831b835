// The GUI thread's handle on a TrainingWorker: owns the QThread the worker
// lives on, forwards the controls to it (atomic flags for pause and stop,
// queued calls for the rest), re-emits its signals on the GUI thread and
// shuts it down cleanly (stop flag, quit, wait) when destroyed.
#pragma once

#include "trainingworker.h"

#include <QObject>
#include <QThread>

#include <memory>

namespace attnscope {

class TrainingController : public QObject {
    Q_OBJECT

public:
    explicit TrainingController(QObject *parent = nullptr);
    ~TrainingController() override;

    void configure(std::shared_ptr<const TrainingSetup> setup);
    void start();
    void pause();
    void resume() { start(); }
    void step();
    void stop();
    void reset();
    // Stops the worker and joins its thread; the controller is inert afterwards.
    void shutdown();

    void setLearningRate(float lr);
    void setTaskWeights(const std::vector<float> &weights);
    // At most this many steps a second (0: as fast as it goes); at once, also while training.
    void setStepRateLimit(double stepsPerSecond);

    TrainingWorker::State state() const { return m_state; }
    std::shared_ptr<const TrainingSetup> setup() const { return m_setup; }
    // The weights now (a copy; waits at most for the step in flight).
    std::shared_ptr<Model> modelCopy() const;
    int64_t currentStep() const { return m_step; }

    TrainingWorker *worker() const { return m_worker; }

signals:
    void snapshot(const attnscope::TrainingSnapshot &snapshot);
    void stateChanged(attnscope::TrainingWorker::State state, const QString &message);

private:
    void onState(TrainingWorker::State state, const QString &message);

    QThread m_thread;
    TrainingWorker *m_worker = nullptr;
    std::shared_ptr<const TrainingSetup> m_setup;
    TrainingWorker::State m_state = TrainingWorker::State::Empty;
    int64_t m_step = 0;
};

} // namespace attnscope
