// The trainer on its own thread. A TrainingWorker lives on a QThread (the
// owner moves it there); its slots are called through queued connections.
// While it trains it does not return to its event loop, so pause and stop
// are atomic flags the GUI sets directly (requestPause, requestStop) and the
// loop checks between steps, as in Qt's mandelbrot example. Learning-rate,
// task-weight and rationale-weight changes wait under a mutex and apply at
// the next step, marked as changes there; a new setup trains with its own
// settings (dropPendingChanges).
//
// Results leave as values: a TrainingSnapshot at most every 30 ms carrying
// every step since the last one, so no point is lost and the GUI is never
// flooded.
//
// Live attention (issue 5): given a probe set (setProbes), the worker runs
// ProbeSet::refresh with its own model between two steps, every
// attentionEverySteps() steps and at most as often as its time budget allows
// (attentionMinInterval(), and never more than AttentionBudget of the time),
// and emits an immutable shared AttentionSnapshot; also at once after a
// pause, stop, step, the end, a reset or a new setup, and after a probe-set
// edit. The probe editor's input (setProbeInput) is run the same way: at the
// next step boundary (or at once when idle), then again with every refresh.
// Explanations (issue 12, setExplanations, on by default) are made with the
// snapshots by the worker's LiveExplainer, within a budget of their own
// (liveexplainer.h), and travel inside them.
// The GUI hands requests over under a mutex held only to copy a value, so it
// never waits for a training step.
#pragma once

#include "attentionsnapshot.h"
#include "bestevaluation.h"
#include "divergence.h"
#include "keptcheckpoints.h"
#include "liveexplainer.h"
#include "probeset.h"
#include "runplan.h"
#include "trainer.h"

#include <QObject>
#include <QString>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <limits>
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
    std::vector<double> taskLoss, taskAccuracy, taskMacroF1;
    std::vector<Confusion> confusion;  // per task; empty when not known (a run read from a session file)
};

// The trainer's last step as plotted (and as the session file and the
// metrics CSV keep it), and an evaluation after it.
StepPoint stepPoint(const Progress &progress);
EvalPoint evalPoint(const Progress &progress, const EvalResult &result);

// A change made while training, applied before step `step`.
struct SettingChange {
    int64_t step = 0;
    double epoch = 0;
    QString what;               // "lr 0.001", "weights 1/0.5/1"
};

// A copy of the weights and the trainer's state the worker made right after
// a step that is a multiple of its keepEvery (TrainingWorker::setKeepEvery),
// for the session file's kept checkpoints: state.step is that step exactly,
// whenever the copy is taken.
struct KeptCopy {
    int run = 0;                      // TrainingSnapshot::run of the run it is of
    std::shared_ptr<Model> model;
    TrainerState state;
};

// The kept copies takeKept() hands over: every one made since the last
// take, in step order, and those not made because KeptCopiesWaiting were
// already waiting (keptcheckpoints.h; none in practice).
struct KeptMissed {
    int run = 0;                      // the run of the first one missed
    int64_t count = 0;
    int64_t firstStep = 0, lastStep = 0;
};
struct KeptCopies {
    std::vector<KeptCopy> copies;
    KeptMissed missed;
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
    // The run's best evaluation (bestevaluation.h), whose weights the worker
    // keeps for restoreBest(): its step (-1: none yet) and validation loss;
    // atBest: the weights now are those.
    int64_t bestStep = -1;
    double bestLoss = 0;
    bool atBest = false;
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
    // Thread-safe: a change of the run's setting, applied before its next
    // step (also its first: a run set up, reset or started again takes it
    // there) and marked there (TrainingSnapshot::changes), so that the run's
    // settings and its changes say what it trained with.
    void setLearningRate(float lr);
    void setTaskWeights(const std::vector<float> &weights);
    void setRationaleWeight(float mu);  // MODEL.md 5b's mu
    // Thread-safe: the changes not applied yet are forgotten. The owner calls
    // it when it hands over a new setup: a setup carries its own settings
    // (a comparison's variant, a resumed run's), and a value set before it
    // was made must not override them (TrainingController::configure).
    void dropPendingChanges();
    // Thread-safe, at once: at most this many steps a second (0: as fast as
    // it goes), so that a class can watch a small model learn. The wait
    // between steps ends early for pause, stop and quit.
    void setStepRateLimit(double stepsPerSecond) { m_stepRateLimit.store(std::max(0.0, stepsPerSecond)); }
    double stepRateLimit() const { return m_stepRateLimit.load(); }

    // Thread-safe: a copy of the current weights (waits for the step in
    // flight), when they are those of the run of `of`. Between the owner's
    // configure(setup) and this thread's rebuild, the weights are still the
    // previous run's: no copy then, rather than the old model paired with the
    // new setup's data (an evaluation of it, or a crash on its shapes).
    std::shared_ptr<Model> modelCopy(const TrainingSetup *of) const;
    // Thread-safe: the weights and the trainer's state between the same two
    // steps, what a session file keeps to resume the run exactly (false when
    // there is no run of `of`).
    bool checkpointCopy(const TrainingSetup *of, std::shared_ptr<Model> *model, TrainerState *state) const;
    State state() const { return m_state.load(); }

    // Thread-safe, from the next step on: after every step that is a
    // multiple of `every` the worker copies the weights and the trainer's
    // state (a KeptCopy) for takeKept(); 0: none (the default: no session
    // file), KeepBySession: every keepEvery(totalSteps) steps of the run
    // (keptcheckpoints.h). The copies wait until taken, in step order, at
    // most KeptCopiesWaiting of them (their memory is in the run's budget,
    // sessionmemory.h): when that many wait, the next due is not made but
    // counted (KeptCopies::missed) until the next take. A new setup or a
    // reset drops the copies not taken.
    void setKeepEvery(int64_t every) { m_keepEvery.store(every); }
    int64_t keepEveryAsked() const { return m_keepEvery.load(); }
    static constexpr int64_t KeepBySession = -1;
    // Thread-safe, never waits for a step: every copy waiting, oldest first
    // (taken: none waits after), and those missed since the last take.
    KeptCopies takeKept();

    // Thread-safe, never waits for a step. The probe set to refresh while
    // training the run of `setup` (the indices are into setup->val); kept
    // until the worker has that setup, ignored for any other. `dataset`
    // (optional) supplies the original texts.
    void setProbes(const ProbeSet &probes, std::shared_ptr<const TrainingSetup> setup,
                   std::shared_ptr<const Dataset> dataset = {});
    // Thread-safe: no more live attention (until the next setProbes).
    void clearProbes();
    // Thread-safe: the probe editor's input, run with the worker's weights.
    void setProbeInput(const ProbeInput &input);
    // Thread-safe: the refresh rate (steps between two refreshes, and the
    // shortest time between two).
    void setAttentionRate(int everySteps, std::chrono::milliseconds minInterval);
    int attentionEverySteps() const { return m_attentionEvery.load(); }
    // Thread-safe: live explanations in the snapshots (on by default); off, the snapshots carry none.
    void setExplanations(bool on) { m_explainOn.store(on); }
    bool explanations() const { return m_explainOn.load(); }
    // Thread-safe: time spent on live attention since the last configure or reset, and how many refreshes
    // (explanations included), and the part of it spent explaining.
    double attentionSeconds() const { return m_attentionNanos.load() / 1e9; }
    double explainSeconds() const { return m_explainNanos.load() / 1e9; }
    int attentionRefreshes() const { return m_attentionCount.load(); }
    std::chrono::milliseconds attentionMinInterval() const { return std::chrono::milliseconds(m_attentionMinMs.load()); }

    // Minimum interval between two snapshots.
    static constexpr std::chrono::milliseconds EmitInterval{30};
    // Default live attention rate (docs/performance.md has the measured cost).
    static constexpr int AttentionEverySteps = 10;
    static constexpr std::chrono::milliseconds AttentionMinInterval{250};
    // A refresh that took r waits at least r * (1 / AttentionBudget - 1)
    // before the next one, so refreshes take at most this share of the time.
    static constexpr double AttentionBudget = 0.05;
    // Besides: a refresh at every timelineEvery() steps, whatever the time:
    // the timeline's marks, the only snapshots it keeps (the others are
    // betweenMarks), so that it has as many of a run at full speed as at
    // any pace, at the same steps (accept27 F3b: 3, 4 or 8 at step 300).
    static constexpr int TimelineSnapshots = 64;
    // The steps between two timeline marks of a run of totalSteps (0:
    // unknown) refreshed every attentionEvery steps: totalSteps /
    // TimelineSnapshots, and not under attentionEvery.
    static int64_t timelineEvery(int64_t totalSteps, int attentionEvery)
    {
        return std::max<int64_t>({1, attentionEvery, totalSteps / TimelineSnapshots});
    }

    // Tests: called on the worker's thread where each slot's work and each
    // live-attention refresh begins, with its name ("configure", "start",
    // "step", "reset", "refresh"); what it throws is handled as a failure of
    // the core's there would be. Set it before the worker gets work.
    void setFaultHook(std::function<void(const char *where)> hook) { m_faultHook = std::move(hook); }

    static constexpr int64_t ToTheEnd = std::numeric_limits<int64_t>::max();  // a step no run reaches

public slots:
    // Copies the setup and builds a trainer (stops any run first).
    void configure(std::shared_ptr<const TrainingSetup> setup);
    // Trains until the end, a pause or a stop, and pauses at step `step`
    // exactly if it comes first (the views refreshed with its weights).
    // Start is startUntil(ToTheEnd).
    void startUntil(int64_t step);
    // One batch, then paused.
    void step();
    void stop();
    // Back to the initial weights of the setup (same seed), step 0.
    void reset();
    // The weights of the best evaluation back (not running: call it paused,
    // stopped or finished): the step count, the data order, the settings and
    // the curves stay, the optimiser starts afresh (Trainer::rewind), the
    // curves mark 'weights of step N (best)'; bestRestored says which. Nothing
    // when there is no evaluation or the weights are the best already.
    void restoreBest();

signals:
    void snapshot(const attnscope::TrainingSnapshot &snapshot);
    // The probe set's attention with the weights after snapshot->step steps,
    // for the run of `setup`.
    void attentionReady(attnscope::SnapshotPtr snapshot, std::shared_ptr<const attnscope::TrainingSetup> setup);
    // The probe editor's input `id` with the weights after result->step steps.
    void probeInputReady(attnscope::SnapshotPtr result, int id,
                         std::shared_ptr<const attnscope::TrainingSetup> setup);
    // message: why it stopped or paused when not by request (divergence, the end).
    void stateChanged(attnscope::TrainingWorker::State state, const QString &message);
    // restoreBest() brought back the weights of the evaluation after `step`
    // steps, of validation loss `loss`, at step `at` of the run.
    void bestRestored(int64_t step, double loss, int64_t at);
    // Something failed on the worker's thread (out of memory in a step or a
    // refresh): what, for the user. The run stays (paused at its last good
    // step), or has live attention turned off when a refresh failed.
    void problem(const QString &message);

private:
    // The boundary of every slot: an exception (std::bad_alloc above all)
    // must not reach Qt's event loop, which would abort the application.
    template <class Work>
    void guard(const char *where, const QString &doing, Work &&work);
    void fail(const QString &what);
    void rebuild();
    void runSteps(int64_t limit);
    bool trainOne();
    // After a healthy step: the copy for takeKept() when the step is a multiple of keepEvery.
    void keepCopy();
    // The divergence guard after a step (ok: it was finite): empty while the
    // run is well; otherwise the weights are back to the last good ones and
    // this says what happened and what to try.
    QString watchDivergence(bool ok);
    void applyPending();
    void evaluateEpoch();
    void syncModel();  // the trainer's lazy rows up to date before this thread reads m_model
    void flush(bool force);
    void setState(State state, const QString &message = {});
    // Live attention, all on the worker's thread between two steps.
    struct Requests {
        bool probes = false, input = false;  // a new probe set / editor input arrived
    };
    Requests takeAttentionRequests();
    bool attentionRequested();               // whether takeAttentionRequests() would take any
    bool probesApply() const;
    void serviceAttention();                 // idle: the queued call after a request
    // Now, with m_model; idle: not between two steps of a run (explanations then ignore their budget).
    void refreshAttention(bool probes, bool input, bool idle);
    // Its parts: the probe set's snapshot, the editor input's, live attention
    // turned off after a failure, and the wait before the next periodic refresh.
    bool refreshProbes(int64_t step, SnapshotLimits limits, bool explain, bool idle);
    bool refreshInput(int64_t step, double keepLimit, bool explain);
    void liveAttentionFailed(const std::exception &e, int64_t step);
    void budgetNextRefresh(std::chrono::steady_clock::time_point start, double explainedBefore, bool ranProbes);
    void maybeRefreshAttention();            // in the loop: when due or requested
    InspectWorkspace *inspectWorkspace();    // m_inspect, made when first needed
    ProbeSet followed() const;               // m_probes, as many as the run has room for

    std::shared_ptr<const TrainingSetup> m_setup;
    Model m_model;                       // the weights being trained
    EncodedDataset m_train, m_val;
    TrainConfig m_config;
    std::unique_ptr<Trainer> m_trainer;
    // The divergence guard (core/divergence.h) and the weights it keeps: the
    // last ones taken while the run was healthy, at most every GoodEvery
    // steps. A step's loss is that of the weights before its update, so the
    // weights after a healthy step s are only a candidate until step s + 1's
    // loss vouches for them: after a rate of 10 came in at step s, s's own
    // loss still looks healthy (two weight copies, sessionmemory.h's
    // WindowWeightCopies).
    static constexpr int64_t GoodEvery = 25;
    DivergenceState m_guard;
    std::vector<float> m_goodWeights;
    int64_t m_goodStep = 0;
    std::vector<float> m_candidateWeights;
    int64_t m_candidateStep = -1;  // -1: no candidate
    // The best evaluation and its weights (one more weight copy, as above),
    // and whether m_model holds them now.
    BestEvaluation m_best{true};
    bool m_atBest = false;
    const TrainingSetup *m_modelOf = nullptr;  // the setup m_model was built from (under m_modelMutex)
    mutable std::mutex m_modelMutex;     // held while a step or a sync changes m_model

    std::atomic<int64_t> m_keepEvery{0};
    std::mutex m_keptMutex;              // held only to put or take m_kept
    std::deque<KeptCopy> m_kept;         // at most KeptCopiesWaiting, oldest first
    KeptMissed m_keptMissed;

    std::atomic<bool> m_pauseRequested{false}, m_stopRequested{false}, m_quit{false};
    std::atomic<double> m_stepRateLimit{0.0};
    // Waits until `next` (or a pause, stop or quit request) when the rate is limited.
    void pace(std::chrono::steady_clock::time_point &next);
    std::atomic<State> m_state{State::Empty};

    std::mutex m_pendingMutex;
    std::optional<float> m_pendingLr;
    std::optional<std::vector<float>> m_pendingWeights;
    std::optional<float> m_pendingMu;

    TrainingSnapshot m_out;              // being filled
    std::chrono::steady_clock::time_point m_lastEmit, m_runStart;
    int64_t m_runStartStep = 0;
    int64_t m_runLimit = 0;  // the steps runSteps was asked for; 1 (Step) has no rate
    int m_run = 0;

    // Requests from the GUI (under m_attentionMutex, held only to copy them).
    struct ProbeRequest {
        ProbeSet probes;
        std::shared_ptr<const TrainingSetup> setup;
        std::shared_ptr<const Dataset> dataset;
    };
    std::mutex m_attentionMutex;
    std::optional<ProbeRequest> m_pendingProbes;
    std::optional<ProbeInput> m_pendingInput;
    bool m_clearProbes = false;
    std::atomic<int> m_attentionEvery{AttentionEverySteps};
    std::atomic<int64_t> m_attentionNanos{0}, m_explainNanos{0};
    std::atomic<bool> m_explainOn{true};
    LiveExplainer m_explainer;
    std::atomic<int> m_attentionCount{0};
    std::atomic<int> m_attentionMinMs{int(AttentionMinInterval.count())};
    // The worker's own copies.
    std::optional<ProbeSet> m_probes;      // for m_probesFor; none = live attention off
    std::shared_ptr<const TrainingSetup> m_probesFor;
    std::shared_ptr<const Dataset> m_probeTexts;
    std::optional<ProbeInput> m_probeInput;
    // The core's forward-pass buffers for probe-set refreshes, reused from
    // one to the next (freed with the probe set or on a new setup).
    std::unique_ptr<InspectWorkspace> m_inspect;
    std::function<void(const char *)> m_faultHook;
    int64_t m_attentionStep = -1;          // step of the last refresh
    std::chrono::steady_clock::time_point m_attentionDue;  // no periodic refresh before
};

} // namespace attnscope

Q_DECLARE_METATYPE(attnscope::TrainingSnapshot)
Q_DECLARE_METATYPE(attnscope::ProbeInput)
Q_DECLARE_METATYPE(std::shared_ptr<const attnscope::TrainingSetup>)
