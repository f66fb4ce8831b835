// The trainable parameters of MODEL.md section 6 as named views into one
// contiguous buffer (as llm.c does). Gradients and optimiser moments use the
// same layout, so an optimiser step is one flat loop.
//
// One table in params.cpp lists every tensor once, in buffer order, with its
// name, shape, initialisation and the ParamView member that points at it;
// the layout, the views and the initialisation are all read from it.
#pragma once

#include "types.h"

#include <cstddef>
#include <string>
#include <vector>

namespace attnscope {

// How a tensor starts (MODEL.md 8).
enum class Init {
    Normal,  // N(0, 0.02): weights, embeddings, queries
    Zero,    // biases, embed.feature_bias, pool.gate
    One,     // LayerNorm weights
};

struct TensorSpec {
    std::string name;        // MODEL.md name, e.g. "encoder.0.attn.q.weight"
    std::vector<int> shape;  // e.g. {d, d}
    size_t offset = 0;       // into the buffer, in elements
    size_t size = 0;         // product of shape
    Init init = Init::Normal;
};

// Which tensors exist for a configuration, in a fixed order, and where each lives.
class ParamLayout {
public:
    ParamLayout() = default;
    explicit ParamLayout(const ModelConfig &config);

    const ModelConfig &config() const { return m_config; }
    const std::vector<TensorSpec> &tensors() const { return m_tensors; }
    size_t totalSize() const { return m_total; }
    // nullptr when the configuration has no tensor of that name.
    const TensorSpec *find(const std::string &name) const;

private:
    ModelConfig m_config;
    std::vector<TensorSpec> m_tensors;
    size_t m_total = 0;
};

// Named pointers into a buffer laid out by ParamLayout. T is float for
// training, double for finite-difference checks. Pointers of tensors that the
// configuration does not have are null.
template <class T>
struct LayerView {
    T *ln1_w = nullptr, *ln1_b = nullptr;   // (d)
    T *q_w = nullptr, *q_b = nullptr;       // (d, d), (d)
    T *k_w = nullptr, *k_b = nullptr;       // (d, d), (d)
    T *v_w = nullptr, *v_b = nullptr;       // (d, d), (d)
    T *o_w = nullptr, *o_b = nullptr;       // (d, d), (d)
    T *ln2_w = nullptr, *ln2_b = nullptr;   // (d)
    T *up_w = nullptr, *up_b = nullptr;     // (f, d), (f)
    T *down_w = nullptr, *down_b = nullptr; // (d, f), (d)
};

template <class T>
struct ParamView {
    T *base = nullptr;           // the whole buffer: count values in layout order
    size_t count = 0;
    T *token = nullptr;          // (V, d)            text
    T *position = nullptr;       // (max_len, d)      text
    T *feature_scale = nullptr;  // (L, d)            tabular
    T *feature_bias = nullptr;   // (L, d)            tabular
    std::vector<LayerView<T>> layers;
    T *final_ln_w = nullptr, *final_ln_b = nullptr; // (d)
    T *pool_key = nullptr;       // (d, d)            every mode but uniform
    T *query = nullptr;          // (T, d) or (1, d) in shared mode; none in uniform
    T *shared_query = nullptr;   // (d)               gated
    T *gate = nullptr;           // (T)               gated
    std::vector<T *> head_w;     // (C_t, d)
    std::vector<T *> head_b;     // (C_t)
};

// The views of a buffer of layout.totalSize() values. Costs no lookup, but
// allocates: build it once per buffer, not once per step.
template <class T>
ParamView<T> makeView(const ParamLayout &layout, T *base);

// MODEL.md section 8: each tensor filled as its Init says, the N(0, 0.02)
// ones drawn in layout order. Deterministic for a seed.
void initParameters(const ParamLayout &layout, float *params, uint64_t seed);

} // namespace attnscope
