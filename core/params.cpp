#include "params.h"

#include "random.h"

#include <cstring>

namespace attnscope {

ParamLayout::ParamLayout(const ModelConfig &c)
{
    const int d = c.dim;
    if (c.input == InputKind::Text) {
        add("embed.token", {c.vocabSize, d});
        add("embed.position", {c.maxLen, d});
    } else {
        add("embed.feature_scale", {c.features, d});
        add("embed.feature_bias", {c.features, d});
    }
    for (int l = 0; l < c.layers; ++l) {
        const std::string p = "encoder." + std::to_string(l) + ".";
        add(p + "ln1.weight", {d});
        add(p + "ln1.bias", {d});
        for (const char *m : {"q", "k", "v", "o"}) {
            add(p + "attn." + m + ".weight", {d, d});
            add(p + "attn." + m + ".bias", {d});
        }
        add(p + "ln2.weight", {d});
        add(p + "ln2.bias", {d});
        add(p + "ffn.up.weight", {c.ffn, d});
        add(p + "ffn.up.bias", {c.ffn});
        add(p + "ffn.down.weight", {d, c.ffn});
        add(p + "ffn.down.bias", {d});
    }
    add("final_ln.weight", {d});
    add("final_ln.bias", {d});
    add("pool.key.weight", {d, d});
    add("pool.query", {c.mode == AttentionMode::Shared ? 1 : c.tasks(), d});
    if (c.mode == AttentionMode::Gated) {
        add("pool.shared_query", {d});
        add("pool.gate", {c.tasks()});
    }
    for (int t = 0; t < c.tasks(); ++t) {
        add("heads." + std::to_string(t) + ".weight", {c.classes[size_t(t)], d});
        add("heads." + std::to_string(t) + ".bias", {c.classes[size_t(t)]});
    }
}

void ParamLayout::add(std::string name, std::vector<int> shape)
{
    size_t size = 1;
    for (int s : shape) size *= size_t(s);
    m_tensors.push_back({std::move(name), std::move(shape), m_total, size});
    m_total += size;
}

const TensorSpec *ParamLayout::find(const std::string &name) const
{
    for (const TensorSpec &t : m_tensors)
        if (t.name == name) return &t;
    return nullptr;
}

template <class T>
ParamView<T> makeView(const ModelConfig &c, const ParamLayout &layout, T *base)
{
    auto at = [&](const std::string &name) -> T * {
        const TensorSpec *spec = layout.find(name);
        return spec ? base + spec->offset : nullptr;
    };
    ParamView<T> v;
    v.token = at("embed.token");
    v.position = at("embed.position");
    v.feature_scale = at("embed.feature_scale");
    v.feature_bias = at("embed.feature_bias");
    for (int l = 0; l < c.layers; ++l) {
        const std::string p = "encoder." + std::to_string(l) + ".";
        LayerView<T> lv;
        lv.ln1_w = at(p + "ln1.weight");
        lv.ln1_b = at(p + "ln1.bias");
        lv.q_w = at(p + "attn.q.weight");
        lv.q_b = at(p + "attn.q.bias");
        lv.k_w = at(p + "attn.k.weight");
        lv.k_b = at(p + "attn.k.bias");
        lv.v_w = at(p + "attn.v.weight");
        lv.v_b = at(p + "attn.v.bias");
        lv.o_w = at(p + "attn.o.weight");
        lv.o_b = at(p + "attn.o.bias");
        lv.ln2_w = at(p + "ln2.weight");
        lv.ln2_b = at(p + "ln2.bias");
        lv.up_w = at(p + "ffn.up.weight");
        lv.up_b = at(p + "ffn.up.bias");
        lv.down_w = at(p + "ffn.down.weight");
        lv.down_b = at(p + "ffn.down.bias");
        v.layers.push_back(lv);
    }
    v.final_ln_w = at("final_ln.weight");
    v.final_ln_b = at("final_ln.bias");
    v.pool_key = at("pool.key.weight");
    v.query = at("pool.query");
    v.shared_query = at("pool.shared_query");
    v.gate = at("pool.gate");
    for (int t = 0; t < c.tasks(); ++t) {
        v.head_w.push_back(at("heads." + std::to_string(t) + ".weight"));
        v.head_b.push_back(at("heads." + std::to_string(t) + ".bias"));
    }
    return v;
}

template ParamView<float> makeView(const ModelConfig &, const ParamLayout &, float *);
template ParamView<const float> makeView(const ModelConfig &, const ParamLayout &, const float *);
template ParamView<double> makeView(const ModelConfig &, const ParamLayout &, double *);
template ParamView<const double> makeView(const ModelConfig &, const ParamLayout &, const double *);

void initParameters(const ModelConfig &config, const ParamLayout &layout, float *params, uint64_t seed)
{
    (void)config;
    Rng rng(seed);
    auto endsWith = [](const std::string &s, const char *suffix) {
        const size_t n = std::strlen(suffix);
        return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
    };
    for (const TensorSpec &t : layout.tensors()) {
        float *p = params + t.offset;
        const bool isLnWeight = (endsWith(t.name, "ln1.weight") || endsWith(t.name, "ln2.weight")
                                 || t.name == "final_ln.weight");
        const bool isZero = endsWith(t.name, ".bias") || t.name == "embed.feature_bias"
                            || t.name == "pool.gate";
        for (size_t i = 0; i < t.size; ++i) {
            if (isLnWeight) p[i] = 1.0f;
            else if (isZero) p[i] = 0.0f;
            else p[i] = float(0.02 * rng.normal());
        }
    }
}

} // namespace attnscope
