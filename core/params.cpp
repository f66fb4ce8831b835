#include "params.h"

#include "random.h"

#include <algorithm>
#include <cassert>
#include <initializer_list>

namespace attnscope {

namespace {

// A tensor's name in pieces, joined with dots ("encoder", 0, "attn.q",
// "weight"), so that walking the table to build a view makes no string; the
// layout joins them.
struct TensorName {
    const char *scope;
    int index = -1;          // layer or task; -1: none
    const char *module = "";
    const char *leaf = "";

    std::string str() const
    {
        std::string name = scope;
        for (const std::string &part : {index < 0 ? std::string() : std::to_string(index), std::string(module),
                                        std::string(leaf)})
            if (!part.empty()) name += "." + part;
        return name;
    }
    TensorName withLeaf(const char *name) const { return {scope, index, module, name}; }
};

using Shape = std::initializer_list<int>;

// The table of MODEL.md section 6: every tensor of a configuration in buffer
// order, as add(name, shape, init, the member of v that points at it). A
// tensor that depends on the attention mode is added under that mode only.
template <class T, class Add>
void forEachTensor(const ModelConfig &c, ParamView<T> &v, Add &&add)
{
    // nn.Linear(in, out): weight (out, in) ~ N(0, 0.02), bias (out) zero
    auto linear = [&](const TensorName &at, int out, int in, T *&weight, T *&bias) {
        add(at.withLeaf("weight"), Shape{out, in}, Init::Normal, weight);
        add(at.withLeaf("bias"), Shape{out}, Init::Zero, bias);
    };
    // nn.LayerNorm(d): weight one, bias zero
    auto layerNorm = [&](const TensorName &at, int d, T *&weight, T *&bias) {
        add(at.withLeaf("weight"), Shape{d}, Init::One, weight);
        add(at.withLeaf("bias"), Shape{d}, Init::Zero, bias);
    };
    const int d = c.dim, f = c.ffn, tasks = c.tasks();
    if (c.input == InputKind::Text) {
        add({"embed.token"}, Shape{c.vocabSize, d}, Init::Normal, v.token);
        add({"embed.position"}, Shape{c.maxLen, d}, Init::Normal, v.position);
    } else {
        add({"embed.feature_scale"}, Shape{c.features, d}, Init::Normal, v.feature_scale);
        add({"embed.feature_bias"}, Shape{c.features, d}, Init::Zero, v.feature_bias);
    }
    v.layers.resize(size_t(c.layers));
    for (int l = 0; l < c.layers; ++l) {
        LayerView<T> &w = v.layers[size_t(l)];
        auto at = [l](const char *module) { return TensorName{"encoder", l, module}; };
        layerNorm(at("ln1"), d, w.ln1_w, w.ln1_b);
        linear(at("attn.q"), d, d, w.q_w, w.q_b);
        linear(at("attn.k"), d, d, w.k_w, w.k_b);
        linear(at("attn.v"), d, d, w.v_w, w.v_b);
        linear(at("attn.o"), d, d, w.o_w, w.o_b);
        layerNorm(at("ln2"), d, w.ln2_w, w.ln2_b);
        linear(at("ffn.up"), f, d, w.up_w, w.up_b);
        linear(at("ffn.down"), d, f, w.down_w, w.down_b);
    }
    layerNorm({"final_ln"}, d, v.final_ln_w, v.final_ln_b);
    if (c.mode != AttentionMode::Uniform) {  // uniform pooling has no keys or queries
        add({"pool.key.weight"}, Shape{d, d}, Init::Normal, v.pool_key);
        add({"pool.query"}, Shape{c.mode == AttentionMode::Shared ? 1 : tasks, d}, Init::Normal, v.query);
    }
    if (c.mode == AttentionMode::Gated) {
        add({"pool.shared_query"}, Shape{d}, Init::Normal, v.shared_query);
        add({"pool.gate"}, Shape{tasks}, Init::Zero, v.gate);
    }
    v.head_w.resize(size_t(tasks));
    v.head_b.resize(size_t(tasks));
    for (int t = 0; t < tasks; ++t)
        linear({"heads", t}, c.classes[size_t(t)], d, v.head_w[size_t(t)], v.head_b[size_t(t)]);
}

} // namespace

ParamLayout::ParamLayout(const ModelConfig &config) : m_config(config)
{
    ParamView<float> unused;
    forEachTensor(config, unused, [this](const TensorName &name, Shape shape, Init init, float *&) {
        size_t size = 1;
        for (int s : shape) size *= size_t(s);
        m_tensors.push_back({name.str(), std::vector<int>(shape), m_total, size, init});
        m_total += size;
    });
}

const TensorSpec *ParamLayout::find(const std::string &name) const
{
    for (const TensorSpec &t : m_tensors)
        if (t.name == name) return &t;
    return nullptr;
}

template <class T>
ParamView<T> makeView(const ParamLayout &layout, T *base)
{
    ParamView<T> v;
    if (layout.tensors().empty()) return v;  // a default (empty) layout
    v.base = base;
    v.count = layout.totalSize();
    size_t next = 0;
    forEachTensor(layout.config(), v, [&](const TensorName &, Shape, Init, T *&member) {
        assert(next < layout.tensors().size());
        member = base + layout.tensors()[next++].offset;
    });
    assert(next == layout.tensors().size());
    return v;
}

template ParamView<float> makeView(const ParamLayout &, float *);
template ParamView<const float> makeView(const ParamLayout &, const float *);
template ParamView<double> makeView(const ParamLayout &, double *);
template ParamView<const double> makeView(const ParamLayout &, const double *);

void initParameters(const ParamLayout &layout, float *params, uint64_t seed)
{
    Rng rng(seed);
    for (const TensorSpec &t : layout.tensors()) {
        float *p = params + t.offset;
        if (t.init == Init::Normal)
            for (size_t i = 0; i < t.size; ++i) p[i] = float(0.02 * rng.normal());
        else
            std::fill(p, p + t.size, t.init == Init::One ? 1.0f : 0.0f);
    }
}

} // namespace attnscope
