// The trainer on its own thread. A TrainingWorker lives on a QThread (the
// owner moves it there); its slots are called through queued connections.
// While it trains it does not return to its event loop, so pause and stop
// are atomic flags the GUI sets directly (requestPause, requestStop) and the
// loop checks between steps, as in Qt's mandelbrot example. Learning-rate and
// task-weight changes wait under a mutex and apply at the next step.
//
// Results leave as values: a TrainingSnapshot at most every 30 ms carrying
// every step since the last one, so no point is lost and the GUI is never
// flooded.
#pragma once

#include "trainingsetup.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace attnscope {

// One training step as plotted.
struct StepPoint {
    int64_t step = 0;           // steps done after it (1-based)
    double epoch = 0;           // epochs done, fractional
    float loss = 0;             // total (weighted) loss
    std::vector<float> taskLoss;
    float learningRate = 0;
    float gradNorm = 0;
};

// Validation after an epoch.
struct EvalPoint {
    int64_t step = 0;
    double epoch = 0;
    double loss = 0;
    std::vector<double> taskLoss, taskAccuracy;
};

// A change made while training, applied before step `step`.
struct SettingChange {
    int64_t step = 0;
    double epoch = 0;
    QString what;               // "lr 0.001", "weights 1/0.5/1"
};

struct TrainingSnapshot {
    int run = 0;                      // changes on every configure and reset
    std::vector<StepPoint> steps;     // every step since the previous snapshot
    std::vector<EvalPoint> evals;
    std::vector<SettingChange> changes;
    int64_t step = 0, totalSteps = 0, stepsPerEpoch = 0;
    int epoch = 0;                    // 0-based epoch of the last step
    double stepsPerSecond = 0;        // of the current run of steps
    float learningRate = 0;
};

class TrainingWorker : public QObject {
    Q_OBJECT

public:
    enum class State { Empty, Ready, Running, Paused, Stopped, Finished };
    Q_ENUM(State)

    explicit TrainingWorker(QObject *parent = nullptr);
    ~TrainingWorker() override;

    // Thread-safe: take effect between two steps.
    void requestPause() { m_pauseRequested.store(true); }
    void requestStop();
    // Thread-safe: ends any training loop for good (window closing).
    void requestQuit();
    void setLearningRate(float lr);
    void setTaskWeights(const std::vector<float> &weights);

    // Thread-safe: a copy of the current weights (waits for the step in flight).
    std::shared_ptr<Model> modelCopy() const;
    State state() const { return m_state.load(); }

    // Minimum interval between two snapshots.
    static constexpr std::chrono::milliseconds EmitInterval{30};

public slots:
    // Copies the setup and builds a trainer (stops any run first).
    void configure(std::shared_ptr<const TrainingSetup> setup);
    // Trains until the end, a pause or a stop.
    void start();
    // One batch, then paused.
    void step();
    void stop();
    // Back to the initial weights of the setup (same seed), step 0.
    void reset();

signals:
    void snapshot(const attnscope::TrainingSnapshot &snapshot);
    // message: why it stopped or paused when not by request (divergence, the end).
    void stateChanged(attnscope::TrainingWorker::State state, const QString &message);

private:
    void rebuild();
    void runSteps(int64_t limit);
    bool trainOne();
    void applyPending();
    void evaluateEpoch();
    void flush(bool force);
    void setState(State state, const QString &message = {});

    std::shared_ptr<const TrainingSetup> m_setup;
    Model m_model;                       // the weights being trained
    EncodedDataset m_train, m_val;
    TrainConfig m_config;
    std::unique_ptr<Trainer> m_trainer;
    mutable std::mutex m_modelMutex;     // held while a step changes m_model

    std::atomic<bool> m_pauseRequested{false}, m_stopRequested{false}, m_quit{false};
    std::atomic<State> m_state{State::Empty};

    std::mutex m_pendingMutex;
    std::optional<float> m_pendingLr;
    std::optional<std::vector<float>> m_pendingWeights;

    TrainingSnapshot m_out;              // being filled
    std::chrono::steady_clock::time_point m_lastEmit, m_runStart;
    int64_t m_runStartStep = 0;
    int m_run = 0;
};

} // namespace attnscope

Q_DECLARE_METATYPE(attnscope::TrainingSnapshot)
Q_DECLARE_METATYPE(std::shared_ptr<const attnscope::TrainingSetup>)
