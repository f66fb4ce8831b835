// The trainable parameters of MODEL.md section 6 as named views into one
// contiguous buffer (as llm.c does). Gradients and optimiser moments use the
// same layout, so an optimiser step is one flat loop.
#pragma once

#include "types.h"

#include <cstddef>
#include <string>
#include <vector>

namespace attnscope {

struct TensorSpec {
    std::string name;        // MODEL.md name, e.g. "encoder.0.attn.q.weight"
    std::vector<int> shape;  // e.g. {d, d}
    size_t offset = 0;       // into the buffer, in elements
    size_t size = 0;         // product of shape
};

// Which tensors exist for a configuration, in a fixed order, and where each lives.
class ParamLayout {
public:
    ParamLayout() = default;
    explicit ParamLayout(const ModelConfig &config);

    const std::vector<TensorSpec> &tensors() const { return m_tensors; }
    size_t totalSize() const { return m_total; }
    // nullptr when the configuration has no tensor of that name.
    const TensorSpec *find(const std::string &name) const;

private:
    void add(std::string name, std::vector<int> shape);
    std::vector<TensorSpec> m_tensors;
    size_t m_total = 0;
};

// Named pointers into a buffer laid out by ParamLayout. T is float for
// training, double for finite-difference checks. Pointers of tensors that the
// configuration does not have are null.
template <class T>
struct LayerView {
    T *ln1_w, *ln1_b;            // (d)
    T *q_w, *q_b, *k_w, *k_b;    // (d, d), (d)
    T *v_w, *v_b, *o_w, *o_b;    // (d, d), (d)
    T *ln2_w, *ln2_b;            // (d)
    T *up_w, *up_b;              // (f, d), (f)
    T *down_w, *down_b;          // (d, f), (d)
};

template <class T>
struct ParamView {
    T *token = nullptr;          // (V, d)            text
    T *position = nullptr;       // (max_len, d)      text
    T *feature_scale = nullptr;  // (L, d)            tabular
    T *feature_bias = nullptr;   // (L, d)            tabular
    std::vector<LayerView<T>> layers;
    T *final_ln_w = nullptr, *final_ln_b = nullptr; // (d)
    T *pool_key = nullptr;       // (d, d)
    T *query = nullptr;          // (T, d) or (1, d) in shared mode
    T *shared_query = nullptr;   // (d)               gated
    T *gate = nullptr;           // (T)               gated
    std::vector<T *> head_w;     // (C_t, d)
    std::vector<T *> head_b;     // (C_t)
};

template <class T>
ParamView<T> makeView(const ModelConfig &config, const ParamLayout &layout, T *base);

// MODEL.md section 8: N(0, 0.02) weights, embeddings and queries, zero
// biases and gates, unit LayerNorm weights. Deterministic for a seed.
void initParameters(const ModelConfig &config, const ParamLayout &layout, float *params,
                    uint64_t seed);

} // namespace attnscope
