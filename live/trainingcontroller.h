// The GUI thread's handle on a TrainingWorker: owns the QThread the worker
// lives on, forwards the controls and the attention requests to it (atomic
// flags for pause and stop, values under the worker's mutexes, queued calls
// for the rest), re-emits its signals on the GUI thread and shuts it down
// cleanly (stop flag, quit, wait) when destroyed. It is the only road in and
// out of the worker: loss snapshots, state changes, the probe set's
// attention and the probe editor's results all arrive through its signals;
// nothing else holds the worker.
#pragma once

#include "trainingworker.h"

#include <QObject>
#include <QThread>

#include <chrono>
#include <functional>
#include <memory>

namespace attnscope {

class TrainingController : public QObject {
    Q_OBJECT

public:
    explicit TrainingController(QObject *parent = nullptr);
    ~TrainingController() override;

    // A new run on `setup`, with the setup's settings: a learning rate, task
    // weights or mu set before this call and not applied yet is dropped
    // (TrainingWorker::dropPendingChanges); one set after it applies from
    // the run's first step, marked as a change there.
    void configure(std::shared_ptr<const TrainingSetup> setup);
    void start();
    void pause();
    void resume() { start(); }
    // Trains to step `step` exactly, then pauses (attnscope --screenshot --after-steps).
    void startUntil(int64_t step);
    void step();
    void stop();
    void reset();
    // The weights of the run's best evaluation back (TrainingWorker::restoreBest);
    // a running run pauses first, at its next step.
    void restoreBest();
    // Stops the worker and joins its thread; the controller is inert afterwards.
    void shutdown();

    // Changes of the run's settings from its next step (TrainingWorker::setLearningRate).
    void setLearningRate(float lr);
    void setTaskWeights(const std::vector<float> &weights);
    // The rationale weight mu (MODEL.md 5b), from the next step.
    void setRationaleWeight(float mu);
    // At most this many steps a second (0: as fast as it goes); at once, also while training.
    void setStepRateLimit(double stepsPerSecond);
    double stepRateLimit() const;

    // Live attention (trainingworker.h): thread-safe, never wait for a step.
    // The probe set to refresh while training the run of `setup` (indices
    // into setup->val); `dataset` (optional) supplies the original texts.
    void setProbes(const ProbeSet &probes, std::shared_ptr<const TrainingSetup> setup,
                   std::shared_ptr<const Dataset> dataset = {});
    void clearProbes();
    // The probe set last handed to the worker (empty after clearProbes), for
    // the session file.
    const ProbeSet &probes() const { return m_probes; }
    // The probe editor's input, run with the worker's weights (probeInputReady).
    void setProbeInput(const ProbeInput &input);
    // Steps between two refreshes, and the shortest time between two.
    void setAttentionRate(int everySteps, std::chrono::milliseconds minInterval);
    // Time the worker spent on live attention since the run began, and how many refreshes.
    double attentionSeconds() const;
    int attentionRefreshes() const;
    // Live explanations in the snapshots (on by default; liveexplainer.h), and
    // the part of attentionSeconds() spent explaining.
    void setExplanations(bool on);
    bool explanations() const;
    double explainSeconds() const;
    // Tests: TrainingWorker::setFaultHook (set it before the worker gets work).
    void setFaultHook(std::function<void(const char *where)> hook);

    TrainingWorker::State state() const { return m_state; }
    std::shared_ptr<const TrainingSetup> setup() const { return m_setup; }
    // The weights now (a copy; waits at most for the step in flight); none
    // while the worker has not yet built the run of the last configure().
    std::shared_ptr<Model> modelCopy() const;
    // The weights and the trainer's state of this step (TrainingWorker::checkpointCopy).
    bool checkpointCopy(std::shared_ptr<Model> *model, TrainerState *state) const;
    int64_t currentStep() const { return m_step; }
    // The kept copies (TrainingWorker::setKeepEvery, takeKept): the worker's
    // weights and trainer's state right after every step that is a multiple
    // of `every`, all those waiting at each take, oldest first.
    void setKeepEvery(int64_t every);
    KeptCopies takeKept();

signals:
    void snapshot(const attnscope::TrainingSnapshot &snapshot);
    void stateChanged(attnscope::TrainingWorker::State state, const QString &message);
    // The probe set's attention with the weights after snapshot->step steps,
    // for the run of `setup` (a result on its way when the run was replaced
    // carries the old setup: compare before showing it).
    void attentionReady(attnscope::SnapshotPtr snapshot, std::shared_ptr<const attnscope::TrainingSetup> setup);
    // The probe editor's input `id` with the weights after result->step steps.
    void probeInputReady(attnscope::SnapshotPtr result, int id, std::shared_ptr<const attnscope::TrainingSetup> setup);
    // restoreBest() brought back the weights of the evaluation after `step` steps (TrainingWorker::bestRestored).
    void bestRestored(int64_t step, double loss, int64_t at);
    // Something failed on the worker's thread (TrainingWorker::problem): what, for the user.
    void problem(const QString &message);

private:
    void onState(TrainingWorker::State state, const QString &message);

    QThread m_thread;
    TrainingWorker *m_worker = nullptr;
    std::shared_ptr<const TrainingSetup> m_setup;
    ProbeSet m_probes;
    TrainingWorker::State m_state = TrainingWorker::State::Empty;
    int64_t m_step = 0;
};

} // namespace attnscope
