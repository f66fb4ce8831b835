// What the attention views show, as plain values: a snapshot of the probe
// set's attention at one training step. It is filled from the core's own
// forward pass (inspect(), which reads the Activations of that pass) and
// carries everything a view needs, so the views never touch the model, the
// trainer or the worker thread.
#pragma once

#include "model.h"
#include "dataset.h"
#include "types.h"

#include <QMetaType>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attnscope {

struct AttentionSample {
    int probe = 0;                          // index into the data the snapshot was made from
    int sampleIndex = 0;                    // index into Dataset::samples (EncodedSample::index)
    std::string text;                       // text data: the original text ("" for tabular / unknown)
    std::vector<std::string> tokens;        // text: tokens; tabular: feature names (one per position)
    std::vector<float> values;              // tabular: raw feature values (NaN = missing); empty for text
    std::vector<int> labels;                // per task: gold class index, -1 = missing
    std::vector<std::vector<uint8_t>> rationale;  // [task][token] 1 = rationale; empty per task = none given
    std::vector<std::vector<float>> weights;      // [task][token] pooling attention a[t, j]
    std::vector<std::vector<float>> probs;        // [task][class]
    std::vector<std::vector<std::vector<std::vector<float>>>> selfAttention; // [layer][head][i][j]

    int tokenCount() const { return int(tokens.size()); }
    int predicted(int task) const;          // argmax of probs[task], -1 when none
    bool hasRationale(int task) const;      // a rationale with at least one token
};

struct AttentionSnapshot {
    int64_t step = -1;                      // training steps done when it was taken; -1 = none
    InputKind input = InputKind::Text;
    AttentionMode mode = AttentionMode::Task;
    int layers = 0, heads = 0;
    std::vector<TaskInfo> tasks;
    std::vector<float> gates;               // gated mode: sigmoid(pool.gate[t]); empty otherwise
    // Over the snapshot's samples that have a rationale for the task: mean
    // attention mass on the rationale and mean AUPRC of attention against it.
    std::vector<std::optional<double>> rationaleMass, rationaleAuprc;
    std::vector<AttentionSample> samples;

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

// Snapshots are shared, never modified once made: the timeline, the panel
// and every view hold the same one (a 512-token sample of a 4-layer 8-head
// model carries 33 MB of self-attention).
using SnapshotPtr = std::shared_ptr<const AttentionSnapshot>;

// One forward pass (inspect()) over data.samples[indices] of `model`, turned
// into a snapshot. `dataset` (optional) supplies the original texts. Safe to
// call from a worker thread: it only reads the model and the data.
AttentionSnapshot makeSnapshot(const Model &model, const EncodedDataset &data,
                               const std::vector<int> &indices, int64_t step,
                               const Dataset *dataset = nullptr);

// A one-sample dataset for a typed text, encoded with the model's vocabulary
// and max_len, labels missing: exactly what `attnscope-cli attention --text`
// builds, so inspect() on it gives the same numbers.
EncodedDataset encodeText(const Model &model, const std::string &text);
// The same for a tabular row of raw values (NaN = missing), one per feature.
EncodedDataset encodeRow(const Model &model, const std::vector<float> &values);

// The per-task gate values sigmoid(pool.gate[t]) of a gated model; empty otherwise.
std::vector<float> gateValues(const Model &model);

// The snapshot's samples (all, or only `which`) in the JSON schema of
// `attnscope-cli attention`: {"samples": [{"tokens", "tasks", "predictions", "layers"}]}.
std::string snapshotJson(const AttentionSnapshot &snapshot, const std::vector<int> &which = {});

} // namespace attnscope

Q_DECLARE_METATYPE(attnscope::AttentionSnapshot)
Q_DECLARE_METATYPE(attnscope::SnapshotPtr)
