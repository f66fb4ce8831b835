// The trainer: a plain, synchronous, steppable object. A front end calls
// step() or runEpoch() (from any one thread), stops it between steps with
// requestStop() (from any thread), and hears about progress through a callback.
#pragma once

#include "dataset.h"
#include "metrics.h"
#include "model.h"
#include "optimizer.h"
#include "random.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace attnscope {

struct TrainConfig {
    OptimizerConfig optimizer;
    int batchSize = 32;
    int epochs = 10;               // the default of attnscope-cli train and of the window
    int64_t steps = 0;             // > 0: train this many steps instead of epochs
    bool shuffle = true;
    uint64_t seed = 1;
    std::vector<float> taskWeights; // lambda_t, empty = all 1
    float rationaleWeight = 0;      // mu of MODEL.md 5b, 0 = off
    int threads = 1;
};

struct Progress {
    int64_t step = 0;        // steps done
    int64_t totalSteps = 0;
    int epoch = 0;           // 0-based epoch of the last step
    double epochProgress = 0;// epochs done, fractional
    float loss = 0;          // total loss of the last step
    std::vector<float> taskLoss;
    std::vector<float> rationaleLoss; // att_t of MODEL.md 5b (0 where the batch has no rationale for t)
    float learningRate = 0;
    float gradNorm = 0;      // before clipping
    double stepsPerSecond = 0;
    double samplesPerSecond = 0;
    // The last step's loss or gradient was not finite: the update was not
    // applied (the weights are the last good ones) and the trainer stopped.
    bool diverged = false;
};

struct TaskMetrics {
    int labelled = 0;
    double loss = 0, accuracy = 0, macroF1 = 0;
    std::optional<double> rationaleMass, rationaleAuprc;
    Confusion confusion;     // the predictions, and the samples predicted wrong
};

struct EvalResult {
    int samples = 0;
    double loss = 0;         // sum_t lambda_t loss_t over the whole set
    std::vector<TaskMetrics> tasks;
};

// Per-sample outputs of a forward pass over a set of samples, for the views.
struct SampleOutputs {
    std::vector<std::vector<float>> pool;   // per task: one weight per real token
    std::vector<std::vector<float>> probs;  // per task: class probabilities
    SelfAttentionMaps selfAttention;        // the sample's own positions only
};

// Where a run stands between two steps, besides its weights: with the
// weights of that step, a Trainer on the same training split and
// configuration that restores it takes exactly the steps (batches, learning
// rates, updates) the one that saved it would have taken.
struct TrainerState {
    int64_t step = 0;          // steps done
    int epoch = 0;             // 0-based epoch of the next batch (before a new epoch begins)
    int64_t cursor = 0;        // samples of this epoch's order already taken
    uint64_t epochRng = 0;     // the shuffle's generator before this epoch's order was drawn
    int64_t trainSamples = 0;  // the training split it was taken on (a check)
    float learningRate = 0;    // the settings as changed while training
    std::vector<float> taskWeights;
    float rationaleWeight = 0;
    OptimizerState optimizer;
};

class Trainer {
public:
    Trainer(Model &model, const EncodedDataset &train, const TrainConfig &config);

    // One optimiser step on the next batch. False when training is finished.
    // The model's weights are exact afterwards (see setDeferredSync).
    bool step();
    // Steps until the end of the current epoch, the end of training or a stop
    // request; the weights are exact when it returns (within it, the progress
    // callback sees them as with setDeferredSync(true)).
    void runEpoch();
    // Steps until the end of training or a stop request; as runEpoch.
    void run();

    // The rows of the embedding tables that the last batches did not use are
    // updated lazily by AdamW (Optimizer: lazy rows). step() brings them up to
    // date when it ends, which costs a pass over the tables; with deferral on,
    // it does so only when training finishes or stops on a bad step, and a
    // caller that reads or copies the weights between steps calls syncModel()
    // first. Syncing does not change the run: the weights of a step are the
    // same bits whenever and however often it is done.
    void setDeferredSync(bool on) { m_deferSync = on; }
    void syncModel();

    void requestStop() { m_stop.store(true); }
    void clearStop() { m_stop.store(false); }
    bool stopRequested() const { return m_stop.load(); }
    bool finished() const { return m_step >= m_totalSteps; }

    void setProgressCallback(std::function<void(const Progress &)> callback) { m_callback = std::move(callback); }
    // Take effect at the next step.
    void setLearningRate(float lr);
    void setTaskWeights(std::vector<float> weights) { m_config.taskWeights = std::move(weights); }
    void setRationaleWeight(float mu) { m_config.rationaleWeight = mu; }

    // The weights go back to `params` (a copy of model().params taken between
    // two steps of this trainer, after syncModel()) and the optimiser starts
    // afresh: its moments hold the gradients of the steps that went wrong.
    // The step count, the data order and the settings stay (the divergence
    // guard's return to the last good weights).
    void rewind(const std::vector<float> &params);

    // The state between two steps, and a return to one (false and *error
    // when it was taken on a training split of another size or an optimiser
    // of another size; the trainer is unchanged then). state() brings the
    // model's weights up to date first (syncModel), to be saved beside it.
    TrainerState state();
    bool restore(const TrainerState &state, std::string *error);

    const Progress &progress() const { return m_progress; }
    const TrainConfig &config() const { return m_config; }
    int64_t stepsPerEpoch() const { return m_stepsPerEpoch; }
    const Model &model() const { return m_model; }

private:
    void startEpoch();
    void setUpOptimizer(Optimizer &optimizer);

    Model &m_model;
    const EncodedDataset &m_train;
    TrainConfig m_config;
    Optimizer m_optimizer;
    std::vector<float> m_grads;
    ParamView<float> m_gradView;  // of m_grads, built once
    std::vector<int32_t> m_positions;  // 0, 1, ...: the position rows a batch uses
    bool m_deferSync = false;
    StepWorkspace m_workspace;
    Batch m_batch;
    std::vector<int> m_order;
    int64_t m_step = 0, m_totalSteps = 0, m_stepsPerEpoch = 0;
    int64_t m_cursor = 0;  // position in m_order
    int m_epoch = 0;
    Rng m_rng{0};
    uint64_t m_epochRng = 0;  // m_rng's state before this epoch's shuffle
    std::atomic<bool> m_stop{false};
    Progress m_progress;
    std::function<void(const Progress &)> m_callback;
    double m_elapsed = 0;
    int64_t m_firstStep = 0;  // the step this trainer started from (restore), for its rate
};

// Scores samples (losses as MODEL.md 5 over the whole set, accuracy, macro-F1,
// rationale agreement where rationales exist: plausibility() of the
// attention, averaged with Mean over the samples that have a value). In
// batches of batchSize, fewer when a batch's forward pass would not fit in
// its share of the memory budget (passBatch() in memorybudget.h: a batch
// changes float round-off only).
EvalResult evaluate(const Model &model, const EncodedDataset &data,
                    const std::vector<float> &taskWeights = {}, int batchSize = 64);

// Forward pass over data.samples[indices] returning what the views show, in
// batches of at most 64 (fewer where the memory budget says so, as evaluate()).
// The caller checks that one sample fits (checkPassMemory in memorybudget.h).
std::vector<SampleOutputs> inspect(const Model &model, const EncodedDataset &data,
                                   const std::vector<int> &indices);

// Buffers inspect() reuses from call to call: a caller that inspects again
// and again (live attention) keeps one, so that once warm a call allocates
// and page-faults no activations (at 512 tokens, 4 layers and 8 heads the
// self-attention alone is 33 MB per sample). Not shared between threads.
struct InspectWorkspace {
    Batch batch;
    Activations<float> acts;
};

struct InspectOptions {
    InspectWorkspace *workspace = nullptr;  // none: this call's own buffers
    // Per index: whether to copy out its self-attention maps (the views keep
    // them for a few samples only); empty: for every sample. A sample left
    // out gets an empty selfAttention; everything else is the same.
    std::vector<uint8_t> selfAttention;
};

// The same forward pass and numbers, with reused buffers and fewer copies.
std::vector<SampleOutputs> inspect(const Model &model, const EncodedDataset &data,
                                   const std::vector<int> &indices, const InspectOptions &options);

// Builds a fresh model for a dataset and its training split: vocabulary (text)
// or feature statistics (tabular), tasks, and initial weights. False and
// *error (naming data.source, the sizes and what to change) when the weights
// would take more than `budget` bytes: they are not allocated then.
bool createModel(const Dataset &data, const std::vector<int> &trainIndices, ModelConfig config,
                 uint64_t seed, Model *out, std::string *error, double budget);
// The same without a budget, for sizes known to be small (tests, benchmarks).
Model createModel(const Dataset &data, const std::vector<int> &trainIndices,
                  ModelConfig config, uint64_t seed);

} // namespace attnscope
