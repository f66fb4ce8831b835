// The multi-task attention model of MODEL.md: forward and backward passes.
//
// Everything backward needs is kept in one Activations struct; the attention
// views of the application read the pooling and self-attention weights from
// it, so what is shown is what was computed.
#pragma once

#include "parallel.h"
#include "params.h"
#include "types.h"

#include <vector>

namespace attnscope {

template <class T>
struct LayerActivations {
    std::vector<T> in;        // (B, L, d) residual stream entering the layer (empty in the first: embed)
    std::vector<T> ln1;       // (B, L, d) LN1 output
    std::vector<T> ln1_mean, ln1_rstd;  // (B, L)
    std::vector<T> q, k, v;   // (B, L, d)
    std::vector<T> att;       // (B, h, L, L) self-attention probabilities A_i
    std::vector<T> att_out;   // (B, L, d) concat_i(O_i)
    std::vector<T> mid;       // (B, L, d) residual after attention
    std::vector<T> ln2;       // (B, L, d)
    std::vector<T> ln2_mean, ln2_rstd;  // (B, L)
    std::vector<T> gelu_grad; // (B, L, f) gelu'(up), up = ln2 W1^T + b1 before GELU (not kept)
    std::vector<T> act;       // (B, L, f) gelu(up)
};

template <class T>
struct Activations {
    int B = 0, L = 0;
    std::vector<T> embed;     // (B, L, d) embedding output e
    std::vector<T> std_values;// (B, L) tabular: standardised values v
    std::vector<LayerActivations<T>> layers;
    std::vector<T> last;      // (B, L, d) residual stream after the last layer (unused without layers: embed is it)
    std::vector<T> H;         // (B, L, d) final LayerNorm output
    std::vector<T> fln_mean, fln_rstd; // (B, L)
    std::vector<T> keys;      // (B, L, d) Kp = H Wp^T
    std::vector<T> queries;   // (T, d) effective q_t (none in uniform mode)
    std::vector<T> poolScores;// (B, T, L) scores s[b, t, j] before the softmax (none in uniform mode)
    std::vector<T> pool;      // (B, T, L) per-task attention a[b, t, j]
    std::vector<T> z;         // (B, T, d)
    std::vector<std::vector<T>> logits; // per task: (B, C_t)
    std::vector<std::vector<T>> probs;  // per task: (B, C_t) softmax(logits)

    // Gradient buffers that backward() reuses from call to call, so that a
    // training step allocates (and page-faults) nothing once warmed up.
    // After backward() or backwardFromLogits(), dh holds dLoss/de (B, L, d),
    // the gradient with respect to the embedding output.
    struct Scratch {
        std::vector<T> zt, dzt, dz, dH, dkeys, dq, dh, dact, dln, dattn, dqkv, dscore, scale;
        std::vector<std::vector<T>> dlogits;  // per task (B, C_t); empty: no gradient
    };
    mutable Scratch scratch;
};

// Losses of one forward pass (MODEL.md 5 and 5b).
template <class T>
struct Losses {
    T total = 0;              // sum_t lambda_t loss_t + mu sum_t att_t
    std::vector<T> task;      // loss_t, 0 where n_t = 0
    std::vector<int> labelled;// n_t
    std::vector<T> att;       // att_t of MODEL.md 5b whatever mu is, 0 where P_t is empty
    std::vector<int> rationaleCount; // |P_t|
    T rationaleWeight = 0;    // mu, the weight total was computed with (backward() uses it)
};

// MODEL.md 2: the embedding output e of the batch into acts.embed (B, L, d).
// inputMean and inputStd are input.mean and input.std for tabular data
// (ignored for text).
template <class T>
void embed(const ModelConfig &config, const ParamView<const T> &p, const T *inputMean, const T *inputStd,
           const Batch &batch, Activations<T> &acts);

// MODEL.md 3 to 5b from the embedding output already in acts.embed (B, L,
// d), under the batch's mask (its tokens and values are not read): the
// encoder, the pooling, the heads and the losses. taskWeights holds
// lambda_t (empty: all 1), rationaleWeight mu.
template <class T>
Losses<T> forwardFromEmbedding(const ModelConfig &config, const ParamView<const T> &p, const Batch &batch,
                               const std::vector<float> &taskWeights, Activations<T> &acts,
                               float rationaleWeight = 0);

// Forward pass: embed() then forwardFromEmbedding().
template <class T>
Losses<T> forward(const ModelConfig &config, const ParamView<const T> &p,
                  const T *inputMean, const T *inputStd, const Batch &batch,
                  const std::vector<float> &taskWeights, Activations<T> &acts, float rationaleWeight = 0);

// Backward pass of the forward call that filled acts: accumulates (+=)
// dLoss/dParam into grads, laid out as the parameters.
template <class T>
void backward(const ModelConfig &config, const ParamView<const T> &p, const Batch &batch,
              const std::vector<float> &taskWeights, const Losses<T> &losses,
              const Activations<T> &acts, const ParamView<T> &grads);

// The backward pass from given gradients of some function of the logits:
// dlogits[t] (B, C_t) for each task (an empty one: zero) and dscore (B, T,
// L) with respect to the pooling scores s (null: none; uniform mode has no
// scores). Accumulates (+=) into grads; a view without a buffer (grads.base
// null) takes no parameter gradient, for the explanations, which need only
// acts.scratch.dh, the gradient with respect to e. backward() is the
// losses' dlogits and dscore, then this.
template <class T>
void backwardFromLogits(const ModelConfig &config, const ParamView<const T> &p, const Batch &batch,
                        const std::vector<std::vector<T>> &dlogits, const T *dscore, const Activations<T> &acts,
                        const ParamView<T> &grads);

} // namespace attnscope

namespace attnscope {

// A trained or trainable model: configuration, what its indices mean, and
// its weights. This is what a checkpoint holds.
struct ModelData {
    ModelConfig config;
    std::vector<TaskInfo> tasks;         // in task order
    std::vector<std::string> vocab;      // text: tokens in id order (<pad>, <unk>, ...)
    std::vector<std::string> features;   // tabular: feature names in column order
    std::vector<float> inputMean, inputStd; // tabular: (L), not trained
    // mu of MODEL.md 5b at the last step that trained these weights (a
    // record, "rationale_weight" in the checkpoint's config; 0 when absent).
    float rationaleWeight = 0;
    // Text read from a CSV or TSV file: the column it was in ("text_column"
    // in the checkpoint's metadata; empty for JSON Lines, the built-ins and
    // older checkpoints). With the task names and the features, the column
    // roles a file of the same kind is read with (attnscope-cli eval).
    std::string textColumn;
    ParamLayout layout;
    std::vector<float> params;           // layout.totalSize()
};

// A model with the named views into its weights, built once per model and
// not once per step: by initialise(), and by every copy or move, whose views
// point into its own params. Code that sets layout and params by hand (a
// checkpoint being read) assigns the result to a Model, which builds them.
// params keeps its size while the model lives.
struct Model : ModelData {
    Model() = default;
    Model(const Model &other);
    Model(Model &&other);
    Model &operator=(const Model &other);
    Model &operator=(Model &&other);

    // Sets config-derived layout and allocates params; initialises them for a seed.
    void initialise(uint64_t seed);
    const ParamView<const float> &view() const;

private:
    void bindView();
    ParamView<const float> m_view;
};

} // namespace attnscope

namespace attnscope {

// Buffers reused by forwardBackward between steps.
struct StepWorkspace {
    ThreadPool pool;
    std::vector<Batch> slices;
    std::vector<Activations<float>> acts;
    // Per extra thread, a gradient buffer (zero between steps) and its views,
    // built for the model of configuration gradConfig (again only when that changes).
    std::vector<std::vector<float>> grads;
    std::vector<ParamView<float>> gradViews;
    ModelConfig gradConfig;
    std::vector<int32_t> rows;  // scratch: the token rows a slice used
};

// One training step's forward and backward, data-parallel: the batch is cut
// into `threads` slices of whole samples, each slice runs forward and
// backward on its own thread into its own gradient buffer, and the buffers
// are added in a fixed order. Losses are normalised by the whole batch's
// labelled counts, so the result is the one of a single pass up to float
// round-off (and bit-identical from run to run for the same thread count).
// grads, views of a buffer laid out as model.layout, must be zeroed by the caller.
// rationaleWeight is mu (MODEL.md 5b).
Losses<float> forwardBackward(const Model &model, const Batch &batch, const std::vector<float> &taskWeights,
                              int threads, StepWorkspace &workspace, const ParamView<float> &grads,
                              float rationaleWeight = 0);

// Rows [first, first + count) of a batch.
void sliceBatch(const Batch &batch, int first, int count, Batch *out);

} // namespace attnscope

