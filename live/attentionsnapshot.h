// What the attention views show, as plain values: a snapshot of the probe
// set's attention at one training step. It is filled from the core's own
// forward pass (inspect(), which reads the Activations of that pass) and
// carries everything a view needs, so the views never touch the model, the
// trainer or the worker thread.
#pragma once

#include "attentionfile.h"
#include "model.h"
#include "dataset.h"
#include "explain.h"
#include "memorybudget.h"
#include "types.h"

#include <QMetaType>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attnscope {

struct InspectWorkspace;  // core/trainer.h

// A sample's explanations (MODEL.md 9) as the worker made them: they cost
// more than the attention, so they are made less often (live/liveexplainer.h)
// and shared by the snapshots that follow until the next ones; each says
// when it was made.
struct LiveExplanation {
    int64_t step = -1;              // training steps done when it was made
    SampleExplanation sample;       // real: positions; tasks: per task, the asked scores
    // Integrated gradients and occlusion left out for the sample's length
    // (LiveExplainer::options); attention, rollout and gradient are always there.
    bool reduced = false;
};
using ExplanationPtr = std::shared_ptr<const LiveExplanation>;

struct AttentionSample {
    int probe = 0;                          // index into the data the snapshot was made from
    int sampleIndex = 0;                    // index into Dataset::samples (EncodedSample::index)
    std::string text;                       // text data: the original text ("" for tabular / unknown)
    std::vector<std::string> tokens;        // text: tokens; tabular: feature names (one per position)
    std::vector<float> values;              // tabular: raw feature values (NaN = missing); empty for text
    std::vector<int> labels;                // per task: gold class index, -1 = missing
    std::vector<uint8_t> mask;              // [token] 1 = real (a missing tabular feature is 0)
    // text: [token] 1 where the model saw <unk> (a word not in its
    // vocabulary); empty when none is known (tabular, a file's attention)
    std::vector<uint8_t> unknown;
    std::vector<std::vector<uint8_t>> rationale;  // [task][token] 1 = rationale; empty per task = none given
    std::vector<std::vector<float>> weights;      // [task][token] pooling attention a[t, j]
    std::vector<std::vector<float>> probs;        // [task][class]
    SelfAttentionMaps selfAttention;        // the encoder's maps; empty when not kept
    // The same maps reduced to at most ThumbnailSide a side, each pixel the
    // largest weight of its block (a sharp peak stays visible): the head
    // grid's pictures, made with the snapshot on the worker thread.
    SelfAttentionMaps thumbnails;
    // Its explanations; none while explanations are off or not made yet.
    ExplanationPtr explanation;

    int tokenCount() const { return int(tokens.size()); }
    bool isUnknown(size_t j) const { return j < unknown.size() && unknown[j]; }
    // Token j as the views label it: "word <unk>" where the model saw <unk>
    // (no token holds a space, so the mark cannot be a word of the text).
    std::string shownToken(size_t j) const { return isUnknown(j) ? tokens[j] + " <unk>" : tokens[j]; }
    // Score `method` of task t at every position (NaN where there is no real
    // token), empty where the sample has none: the pooling weights for
    // Method::Attention, otherwise the explanation's (a score it left out,
    // or a task it did not explain, has none).
    std::vector<float> scores(int task, Method method) const;
    // The explanation's faithfulness of score `method` for task t, nullptr when none.
    const Faithfulness *faithfulness(int task, Method method) const;
    int predicted(int task) const;          // argmax of probs[task], -1 when none
    bool hasRationale(int task) const;      // a rationale with at least one real token
};

struct AttentionSnapshot {
    int64_t step = -1;                      // training steps done when it was taken; -1 = none
    bool fromFile = false;                  // read from a file (fileSnapshot): no step, 0 above
    InputKind input = InputKind::Text;
    AttentionMode mode = AttentionMode::Task;
    int layers = 0, heads = 0;
    std::vector<TaskInfo> tasks;
    std::vector<float> gates;               // gated mode: sigmoid(pool.gate[t]); empty otherwise
    // Over the snapshot's samples that have a rationale for the task: mean
    // attention mass on the rationale and mean AUPRC of attention against it
    // (plausibility(), as evaluate() computes them).
    std::vector<std::optional<double>> rationaleMass, rationaleAuprc;
    // Live faithfulness (issue 12): the step of the newest explanations the
    // samples carry (-1: none), and over the samples explained at that step,
    // per task and Method (Random included), the mean comprehensiveness and
    // sufficiency (NaN where no sample has one): FaithfulnessSummary's.
    int64_t explainedStep = -1;
    std::vector<std::array<double, MethodCount>> comprehensiveness, sufficiency;
    // Taken while live explanations were off (TrainingWorker::setExplanations):
    // its samples carry none, and the views say why.
    bool explanationsOff = false;
    // Taken live between two of the timeline's step marks (a time-paced
    // refresh, a probe-set edit, a pause: TrainingWorker::timelineEvery): the
    // views show it, the timeline keeps it only as its newest, so that which
    // steps the timeline keeps depends on the steps alone.
    bool betweenMarks = false;
    // The training loss of each task at the last step taken (empty before
    // the first), for the curves over training.
    std::vector<float> taskLoss;
    std::vector<AttentionSample> samples;
    // Bytes of maps a sample could keep at most (SnapshotLimits::keepLimit):
    // a sample whose maps are larger has none, whatever is selected.
    double selfAttentionLimit = HUGE_VAL;

    bool isNull() const { return step < 0 && samples.empty(); }
    int taskCount() const { return int(tasks.size()); }
    // Index into samples of the sample with this probe index, -1 when absent.
    int findProbe(int probe) const;
    // Bytes held by the weight arrays (for the timeline's memory budget).
    size_t approximateBytes() const;
    // Drops the encoder self-attention maps (the largest part) to save memory.
    void dropSelfAttention();
    // A copy without the self-attention maps (never copies them).
    AttentionSnapshot withoutSelfAttention() const;
};

// The largest side of a self-attention thumbnail.
constexpr int ThumbnailSide = 128;
// maps reduced to at most `side` x `side`: pixel (py, px) is the largest
// weight of the rows i with i * side / n == py and the columns j with
// j * side / n == px. Maps of at most `side` tokens come back unchanged.
SelfAttentionMaps blockMaxima(const SelfAttentionMaps &maps, int side);

// Snapshots are shared, never modified once made: the timeline, the panel
// and every view hold the same one (a 512-token sample of a 4-layer 8-head
// model carries 33 MB of self-attention).
using SnapshotPtr = std::shared_ptr<const AttentionSnapshot>;

// How makeSnapshot bounds its memory. The core's forward pass keeps every
// layer's L x L attention of the batch (for 512 tokens, 4 layers and 8 heads
// that is 33 MB per sample), so samples go through inspect() in batches of
// at most batchBytes of attention; and the snapshot keeps self-attention
// maps for the focus sample, then for the others in order while they fit in
// selfAttentionBudget. No sample keeps more than keepLimit, the focus
// neither: a sample of 20,000 features has 6.4 GB of maps per layer.
struct SnapshotLimits {
    size_t batchBytes = size_t(64) << 20;
    size_t selfAttentionBudget = SIZE_MAX;
    double keepLimit = selfAttentionKeepLimit();  // the run's share of the memory budget; 0: keep none
    int focus = -1;               // an index of `indices`' data (a probe), -1 = none
    // Buffers for the core's forward passes, kept by a caller that refreshes
    // again and again (the worker); none: each call allocates its own.
    InspectWorkspace *workspace = nullptr;
};

// Bytes of the self-attention maps of a sample of n positions: layers x heads x n x n floats.
double selfAttentionBytes(const ModelConfig &config, int n);

// The core's forward pass (inspect(), in batches) over data.samples[indices]
// of `model`, turned into a snapshot. `dataset` (optional) supplies the
// original texts. Safe to call from a worker thread: it only reads the model
// and the data. Samples of one batch are padded to the batch's longest, so
// their weights equal those of inspect(model, data, batch) (MODEL.md 2: a
// different padding changes float round-off only).
AttentionSnapshot makeSnapshot(const Model &model, const EncodedDataset &data,
                               const std::vector<int> &indices, int64_t step,
                               const Dataset *dataset = nullptr, const SnapshotLimits &limits = {});
// The batches makeSnapshot runs `indices` in (consecutive runs of indices).
std::vector<std::vector<int>> snapshotBatches(const Model &model, const EncodedDataset &data,
                                              const std::vector<int> &indices, size_t batchBytes);

// Attention read from a file (core/attentionfile.h, File > Open Attention)
// as a snapshot the views show without a model: step 0 and fromFile (the
// views name no step), task mode, every token real, no gold labels,
// rationales or explanations; the maps move in (no copy) and the head
// grid's thumbnails are made here.
AttentionSnapshot fileSnapshot(AttentionFile file);

// A one-sample dataset for a typed text, encoded with the model's vocabulary
// and max_len, labels missing: exactly what `attnscope-cli attention --text`
// builds, so inspect() on it gives the same numbers.
EncodedDataset encodeText(const Model &model, const std::string &text);
// The same for a tabular row of raw values (NaN = missing), one per feature.
EncodedDataset encodeRow(const Model &model, const std::vector<float> &values);

// What the probe editor runs: a typed text or an edited tabular row. `id`
// grows with every edit, so a result can be matched with the input it is for.
struct ProbeInput {
    int id = 0;
    InputKind input = InputKind::Text;
    std::string text;            // text models
    std::vector<float> row;      // tabular models: raw values, NaN = missing
};

// The input as a one-sample dataset (encodeText / encodeRow), no sample
// when it does not fit the model (kind) or has no token.
EncodedDataset encodeInput(const Model &model, const ProbeInput &input);
// The input run through `model` (encodeInput, then makeSnapshot):
// one sample, sampleIndex -1, the typed text kept. An empty snapshot (no
// sample) when the input does not fit the model (kind) or has no token.
// keepLimit: as SnapshotLimits::keepLimit.
AttentionSnapshot makeInputSnapshot(const Model &model, const ProbeInput &input, int64_t step,
                                    double keepLimit = selfAttentionKeepLimit());

// What the attention views know of a model: its input and tasks, never its
// weights (the worker runs the model; the views only show the results). The
// probe editor offers a text of at most maxLen tokens, or a row of these
// features starting from their training means.
struct ModelInfo {
    InputKind input = InputKind::Text;
    int maxLen = 0;                       // text: tokens kept
    std::vector<TaskInfo> tasks;
    std::vector<std::string> features;    // tabular: names in column order
    std::vector<float> inputMean;         // tabular: the training means
};
ModelInfo modelInfo(const Model &model);

// How spread the task attention is: the mean, over the snapshot's samples
// and tasks, of the entropy of a task's weights on a sample's real tokens
// divided by its largest value, log(n) (1: uniform; 0: on one token).
// Samples of fewer than 2 real tokens are left out; -1 when none is left.
double meanNormalisedEntropy(const AttentionSnapshot &snapshot);

// The per-task gate values sigmoid(pool.gate[t]) of a gated model; empty otherwise.
std::vector<float> gateValues(const Model &model);

// The snapshot's samples (all, or only `which`) in the JSON schema of
// `attnscope-cli attention`: {"samples": [{"tokens", "tasks", "predictions", "layers"}]};
// a sample the worker explained has two more members, "explained_step" (the
// step of its explanation) and "explanation", the sample as `attnscope-cli
// explain` writes it ({"tokens": [real tokens], "tasks": {name: {"class",
// "scores", "integrated_delta", "faithfulness"}}}, core/explainjson.h) with
// the scores it was given (LiveExplainer::options); and when any sample is
// explained, a top-level "faithfulness", the means over the written samples'
// explanations as `attnscope-cli explain` writes its own
// ({name: {method: {"comprehensiveness", "sufficiency", "auprc", "mass"}}}
// for each score some sample has, and "random"; core/explainjson.h).
std::string snapshotJson(const AttentionSnapshot &snapshot, const std::vector<int> &which = {});

} // namespace attnscope

Q_DECLARE_METATYPE(attnscope::AttentionSnapshot)
Q_DECLARE_METATYPE(attnscope::SnapshotPtr)
