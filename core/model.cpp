// The forward and backward passes of MODEL.md, built from the op pairs of
// ops.h. forward() keeps everything backward() needs in Activations, and
// backward() calls the ops in exactly the reverse order of forward().

#include "model.h"

#include "ops.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <functional>
#include <limits>
#include <mutex>
#include <utility>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace attnscope {

using namespace ops;

namespace {

template <class T>
void grow(std::vector<T> &v, size_t n)
{
    v.resize(n);
}

// lambda_t: the weight of task t's loss (MODEL.md 5); 1 when none is given.
template <class T>
T taskWeight(const std::vector<float> &taskWeights, int t)
{
    return taskWeights.empty() ? T(1) : T(taskWeights[size_t(t)]);
}

// rows (B, d) = z[:, t] of z (B, T, d): what task t's head reads.
template <class T>
void taskRows(std::vector<T> &rows, const std::vector<T> &z, int t, int B, int tasks, int d)
{
    for (int b = 0; b < B; ++b)
        std::copy_n(z.data() + (size_t(b) * tasks + t) * d, d, rows.data() + size_t(b) * d);
}

// Layer l's input: the embedding output for the first layer (not copied), the
// layer before's output for the others.
template <class T>
const T *layerInput(const Activations<T> &acts, int l)
{
    return l == 0 ? acts.embed.data() : acts.layers[size_t(l)].in.data();
}

// The final LayerNorm's input: the last layer's output, or with no layer the
// embedding output itself (not copied).
template <class T>
const T *lastStream(const ModelConfig &c, const Activations<T> &acts)
{
    return c.layers == 0 ? acts.embed.data() : acts.last.data();
}

// One encoder layer (MODEL.md 3), pre-norm: in (B, L, d) to out (B, L, d); in
// is a.in, or acts.embed for the first layer, and is kept for backward.
template <class T>
void encoder_layer_forward(const ModelConfig &c, const LayerView<const T> &w, const Batch &batch, const T *in,
                           LayerActivations<T> &a, std::vector<T> &out)
{
    const int B = batch.B, L = batch.L, d = c.dim, f = c.ffn;
    const size_t BL = size_t(B) * L, BLd = BL * d;
    grow(a.ln1, BLd); grow(a.ln1_mean, BL); grow(a.ln1_rstd, BL);
    grow(a.q, BLd); grow(a.k, BLd); grow(a.v, BLd);
    grow(a.att, size_t(B) * c.heads * L * L);
    grow(a.att_out, BLd); grow(a.mid, BLd);
    grow(a.ln2, BLd); grow(a.ln2_mean, BL); grow(a.ln2_rstd, BL);
    grow(a.gelu_grad, BL * f); grow(a.act, BL * f);
    grow(out, BLd);

    layernorm_forward(a.ln1.data(), a.ln1_mean.data(), a.ln1_rstd.data(), in, w.ln1_w, w.ln1_b, int(BL), d);
    {   // Q, K and V of ln1: each block of ln1 packed once for the three
        T *const qkv[] = {a.q.data(), a.k.data(), a.v.data()};
        const T *const qkvW[] = {w.q_w, w.k_w, w.v_w}, *const qkvB[] = {w.q_b, w.k_b, w.v_b};
        linear_forward_many(qkv, a.ln1.data(), qkvW, qkvB, 3, int(BL), d, d);
    }
    attention_forward(a.att_out.data(), a.att.data(), a.q.data(), a.k.data(), a.v.data(), batch.mask.data(), B, L, d, c.heads);
    // mid = in + att_out Wo^T + bo
    linear_forward(a.mid.data(), a.att_out.data(), w.o_w, w.o_b, int(BL), d, d, in);
    layernorm_forward(a.ln2.data(), a.ln2_mean.data(), a.ln2_rstd.data(), a.mid.data(), w.ln2_w, w.ln2_b, int(BL), d);
    // up = ln2 Wu^T + bu, act = gelu(up), GELU on each block of up while it is in the caches; backward
    // reads up only for gelu'(up), which is kept instead of up
    linear_gelu_forward(a.act.data(), a.gelu_grad.data(), a.ln2.data(), w.up_w, w.up_b, int(BL), d, f);
    // out = mid + act W2^T + b2
    linear_forward(out.data(), a.act.data(), w.down_w, w.down_b, int(BL), f, d, a.mid.data());
}

// The mirror of encoder_layer_forward (in: the layer's input, as there): s.dh
// holds dLoss/d(out) on entry and dLoss/d(in) on return; the layer's
// gradients go to gw. Each scratch buffer's first writer sets it
// (Write::Set) rather than adding to zeros, and the residual branches add
// into dh in place: dh is dLoss/d(out), then dLoss/d(mid) once LN2's
// gradient is added, then dLoss/d(in) once LN1's is.
template <class T>
void encoder_layer_backward(const ModelConfig &c, const LayerView<const T> &w, const LayerView<T> &gw, const T *in,
                            const LayerActivations<T> &a, int B, int L, typename Activations<T>::Scratch &s)
{
    const int d = c.dim, f = c.ffn;
    const size_t BL = size_t(B) * L, BLd = BL * d;
    std::vector<T> &dh = s.dh, &dact = s.dact, &dln = s.dln, &dattn = s.dattn, &dqkv = s.dqkv;
    grow(dact, BL * f); grow(dln, BLd); grow(dattn, BLd); grow(dqkv, 3 * BLd);
    // out = mid + act W2^T + b2: dmid = dout + LN2's gradient below
    linear_backward<T>(nullptr, gw.down_w, gw.down_b, dh.data(), a.act.data(), w.down_w, int(BL), f, d);
    // dup = (dout W2) gelu'(up) into dact, GELU's backward on each block while it is in the caches
    linear_gelu_backward_input(dact.data(), dh.data(), w.down_w, a.gelu_grad.data(), int(BL), f, d);
    linear_backward(dln.data(), gw.up_w, gw.up_b, dact.data(), a.ln2.data(), w.up_w, int(BL), d, f, Write::Set);
    layernorm_backward(dh.data(), gw.ln2_w, gw.ln2_b, dln.data(), a.mid.data(), w.ln2_w, a.ln2_mean.data(), a.ln2_rstd.data(), int(BL), d);
    // mid = in + att_out Wo^T + bo: dh is dmid now
    linear_backward(dattn.data(), gw.o_w, gw.o_b, dh.data(), a.att_out.data(), w.o_w, int(BL), d, d, Write::Set);
    T *dQ = dqkv.data(), *dK = dQ + BLd, *dV = dK + BLd;
    attention_backward(dQ, dK, dV, dattn.data(), a.att.data(), a.q.data(), a.k.data(), a.v.data(), B, L, d, c.heads,
                       Write::Set);
    if (gw.q_w) {   // dWq = dQ^T ln1, dWk and dWv alike: each block of ln1 packed once for the three
        T *const dW[] = {gw.q_w, gw.k_w, gw.v_w}, *const db[] = {gw.q_b, gw.k_b, gw.v_b};
        const T *const dqkv3[] = {dQ, dK, dV};
        linear_backward_weights_many(dW, db, dqkv3, a.ln1.data(), 3, int(BL), d, d);
    }
    {   // dln = dQ Wq + dK Wk + dV Wv, each block of dln in the caches while the three add to it
        const T *const dqkv3[] = {dQ, dK, dV}, *const qkvW[] = {w.q_w, w.k_w, w.v_w};
        linear_backward_input_sum(dln.data(), dqkv3, qkvW, 3, int(BL), d, d, Write::Set);
    }
    // in feeds both the residual and LN1: din = dmid + LN1's gradient
    layernorm_backward(dh.data(), gw.ln1_w, gw.ln1_b, dln.data(), in, w.ln1_w, a.ln1_mean.data(), a.ln1_rstd.data(), int(BL), d);
}

// The heads and the losses (MODEL.md 4, 5): logits[t] = z[:, t] W_t^T + b_t;
// loss = sum_t lambda_t (1 / n_t) sum_b -log p[b, t, y].
template <class T>
Losses<T> heads_forward(const ModelConfig &c, const ParamView<const T> &p, const Batch &batch,
                        const std::vector<float> &taskWeights, Activations<T> &acts)
{
    const int B = batch.B, d = c.dim, Tn = c.tasks();
    Losses<T> losses;
    losses.task.assign(size_t(Tn), T(0));
    losses.labelled.assign(size_t(Tn), 0);
    acts.logits.resize(size_t(Tn));
    acts.probs.resize(size_t(Tn));
    std::vector<T> &zt = acts.scratch.zt;
    zt.resize(size_t(B) * d);
    for (int t = 0; t < Tn; ++t) {
        const int C = c.classes[size_t(t)];
        std::vector<T> &logits = acts.logits[size_t(t)], &probs = acts.probs[size_t(t)];
        grow(logits, size_t(B) * C);
        grow(probs, size_t(B) * C);
        taskRows(zt, acts.z, t, B, Tn, d);
        linear_forward(logits.data(), zt.data(), p.head_w[size_t(t)], p.head_b[size_t(t)], B, d, C);
        int n = 0;
        const T sum = crossentropy_forward(probs.data(), logits.data(), batch.labels.data() + t, Tn, B, C, &n);
        losses.labelled[size_t(t)] = n;
        losses.task[size_t(t)] = n > 0 ? sum / T(n) : T(0);
        losses.total += taskWeight<T>(taskWeights, t) * losses.task[size_t(t)];
    }
    return losses;
}

// The rationale term of the loss (MODEL.md 5b): att_t and |P_t| into losses,
// and mu sum_t att_t added to the total. Uniform pooling has no scores:
// log a = -log n there.
template <class T>
void rationale_loss_forward(const ModelConfig &c, const Batch &batch, const Activations<T> &acts,
                            float rationaleWeight, Losses<T> &losses)
{
    const int Tn = c.tasks();
    losses.att.assign(size_t(Tn), T(0));
    losses.rationaleCount.assign(size_t(Tn), 0);
    losses.rationaleWeight = T(rationaleWeight);
    if (!batch.hasRationale()) return;
    const T *scores = c.mode == AttentionMode::Uniform ? nullptr : acts.poolScores.data();
    rationale_forward(losses.att.data(), losses.rationaleCount.data(), scores, batch.rationale.data(),
                      batch.mask.data(), batch.B, batch.L, Tn);
    for (int t = 0; t < Tn; ++t) {
        const int n = losses.rationaleCount[size_t(t)];
        losses.att[size_t(t)] = n > 0 ? losses.att[size_t(t)] / T(n) : T(0);
        losses.total += T(rationaleWeight) * losses.att[size_t(t)];
    }
}

// The mirror of the losses: dLoss/dlogits per task into s.dlogits (empty for a
// task without labels), and dLoss/ds of the rationale term into s.dscore;
// returns s.dscore's data, or null when the term has no gradient (mu = 0, no
// rationales, uniform mode).
template <class T>
const T *losses_backward(const ModelConfig &c, const Batch &batch, const std::vector<float> &taskWeights,
                         const Losses<T> &losses, const Activations<T> &acts)
{
    const int B = batch.B, Tn = c.tasks();
    typename Activations<T>::Scratch &s = acts.scratch;
    s.dlogits.resize(size_t(Tn));
    for (int t = 0; t < Tn; ++t) {
        const int n = losses.labelled[size_t(t)];
        if (n == 0) {
            s.dlogits[size_t(t)].clear();
            continue;
        }
        // d loss / d loss_t = lambda_t, and loss_t is the mean over its n_t labelled rows
        const T scale = taskWeight<T>(taskWeights, t) / T(n);
        s.dlogits[size_t(t)].assign(size_t(B) * c.classes[size_t(t)], T(0));
        crossentropy_backward(s.dlogits[size_t(t)].data(), acts.probs[size_t(t)].data(), batch.labels.data() + t,
                              Tn, scale, B, c.classes[size_t(t)]);
    }
    // d loss / d att_t = mu, and att_t is the mean over the batch's |P_t| samples
    if (losses.rationaleWeight == T(0) || !batch.hasRationale() || c.mode == AttentionMode::Uniform)
        return nullptr;
    s.scale.assign(size_t(Tn), T(0));
    for (int t = 0; t < Tn; ++t) {
        const int n = t < int(losses.rationaleCount.size()) ? losses.rationaleCount[size_t(t)] : 0;
        if (n > 0) s.scale[size_t(t)] = losses.rationaleWeight / T(n);
    }
    s.dscore.assign(size_t(B) * Tn * batch.L, T(0));
    rationale_backward(s.dscore.data(), acts.pool.data(), batch.rationale.data(), batch.mask.data(),
                       s.scale.data(), B, batch.L, Tn);
    return s.dscore.data();
}

// The mirror of heads_forward from dlogits: dz (B, T, d) in the scratch, and
// the heads' gradients (none when g has no buffer).
template <class T>
void heads_backward(const ModelConfig &c, const ParamView<const T> &p, const Batch &batch,
                    const std::vector<std::vector<T>> &dlogits, const Activations<T> &acts, const ParamView<T> &g)
{
    const int B = batch.B, d = c.dim, Tn = c.tasks();
    typename Activations<T>::Scratch &s = acts.scratch;
    s.dz.assign(size_t(B) * Tn * d, T(0));
    s.zt.resize(size_t(B) * d);
    s.dzt.resize(size_t(B) * d);
    const bool weights = g.base != nullptr;
    for (int t = 0; t < Tn && t < int(dlogits.size()); ++t) {
        if (dlogits[size_t(t)].empty()) continue;
        const int C = c.classes[size_t(t)];
        assert(dlogits[size_t(t)].size() == size_t(B) * C);
        taskRows(s.zt, acts.z, t, B, Tn, d);
        std::fill(s.dzt.begin(), s.dzt.end(), T(0));
        linear_backward(s.dzt.data(), weights ? g.head_w[size_t(t)] : nullptr, weights ? g.head_b[size_t(t)] : nullptr,
                        dlogits[size_t(t)].data(), s.zt.data(), p.head_w[size_t(t)], B, d, C);
        for (int b = 0; b < B; ++b)
            std::copy_n(s.dzt.data() + size_t(b) * d, d, s.dz.data() + (size_t(b) * Tn + t) * d);
    }
}

} // namespace

// ================================================================ the model

template <class T>
void embed(const ModelConfig &c, const ParamView<const T> &p, const T *inputMean, const T *inputStd,
           const Batch &batch, Activations<T> &acts)
{
    const int B = batch.B, L = batch.L, d = c.dim;
    const size_t BL = size_t(B) * L, BLd = BL * d;
    acts.B = B;
    acts.L = L;
    // text e = token[x] + position[j]; tabular e = v scale[j] + bias[j]
    grow(acts.embed, BLd);
    if (c.input == InputKind::Text) {
        embedding_forward(acts.embed.data(), batch.tokens.data(), p.token, p.position, B, L, d);
    } else {
        grow(acts.std_values, BL);
        feature_embedding_forward(acts.embed.data(), acts.std_values.data(), batch.values.data(), batch.mask.data(),
                                  inputMean, inputStd, p.feature_scale, p.feature_bias, B, L, d);
    }
}

template <class T>
Losses<T> forwardFromEmbedding(const ModelConfig &c, const ParamView<const T> &p, const Batch &batch,
                               const std::vector<float> &taskWeights, Activations<T> &acts, float rationaleWeight)
{
    const int B = batch.B, L = batch.L, d = c.dim, Tn = c.tasks();
    const size_t BL = size_t(B) * L, BLd = BL * d;
    assert(acts.embed.size() >= BLd);
    acts.B = B;
    acts.L = L;

    // encoder layers: the first reads embed, each writes the next layer's input,
    // the last one writes last
    acts.layers.resize(size_t(c.layers));
    for (int l = 0; l < c.layers; ++l) {
        std::vector<T> &out = (l + 1 < c.layers) ? acts.layers[size_t(l + 1)].in : acts.last;
        encoder_layer_forward(c, p.layers[size_t(l)], batch, layerInput(acts, l), acts.layers[size_t(l)], out);
    }

    // final LayerNorm, then pooling: shared keys and task queries, or uniform
    grow(acts.H, BLd); grow(acts.fln_mean, BL); grow(acts.fln_rstd, BL);
    layernorm_forward(acts.H.data(), acts.fln_mean.data(), acts.fln_rstd.data(), lastStream(c, acts), p.final_ln_w, p.final_ln_b, int(BL), d);
    grow(acts.pool, size_t(B) * Tn * L);
    grow(acts.z, size_t(B) * Tn * d);
    if (c.mode == AttentionMode::Uniform) {
        acts.keys.clear();
        acts.queries.clear();
        acts.poolScores.clear();
        uniform_pool_forward(acts.z.data(), acts.pool.data(), acts.H.data(), batch.mask.data(), B, L, d, Tn);
    } else {
        grow(acts.keys, BLd);
        linear_forward<T>(acts.keys.data(), acts.H.data(), p.pool_key, nullptr, int(BL), d, d);
        grow(acts.queries, size_t(Tn) * d);
        queries_forward(acts.queries.data(), c, p);
        grow(acts.poolScores, size_t(B) * Tn * L);
        pool_forward(acts.z.data(), acts.pool.data(), acts.poolScores.data(), acts.H.data(), acts.keys.data(),
                     acts.queries.data(), batch.mask.data(), B, L, d, Tn);
    }

    Losses<T> losses = heads_forward(c, p, batch, taskWeights, acts);
    rationale_loss_forward(c, batch, acts, rationaleWeight, losses);
    return losses;
}

template <class T>
Losses<T> forward(const ModelConfig &c, const ParamView<const T> &p, const T *inputMean,
                  const T *inputStd, const Batch &batch, const std::vector<float> &taskWeights,
                  Activations<T> &acts, float rationaleWeight)
{
    embed(c, p, inputMean, inputStd, batch, acts);
    return forwardFromEmbedding(c, p, batch, taskWeights, acts, rationaleWeight);
}

template <class T>
void backward(const ModelConfig &c, const ParamView<const T> &p, const Batch &batch,
              const std::vector<float> &taskWeights, const Losses<T> &losses,
              const Activations<T> &acts, const ParamView<T> &g)
{
    const T *dscore = losses_backward(c, batch, taskWeights, losses, acts);
    backwardFromLogits(c, p, batch, acts.scratch.dlogits, dscore, acts, g);
}

template <class T>
void backwardFromLogits(const ModelConfig &c, const ParamView<const T> &p, const Batch &batch,
                        const std::vector<std::vector<T>> &dlogits, const T *dscore, const Activations<T> &acts,
                        const ParamView<T> &g)
{
    const int B = batch.B, L = batch.L, d = c.dim, Tn = c.tasks();
    const size_t BL = size_t(B) * L, BLd = BL * d;
    typename Activations<T>::Scratch &s = acts.scratch;
    const bool weights = g.base != nullptr;  // else only dLoss/de is wanted

    // heads: dz (B, T, d)
    heads_backward(c, p, batch, dlogits, acts, g);

    // backward through pooling, task queries and shared keys
    s.dH.assign(BLd, T(0));
    if (c.mode == AttentionMode::Uniform) {
        uniform_pool_backward(s.dH.data(), s.dz.data(), acts.pool.data(), B, L, d, Tn);
    } else {
        s.dkeys.assign(BLd, T(0));
        s.dq.assign(size_t(Tn) * d, T(0));
        pool_backward(s.dH.data(), s.dkeys.data(), s.dq.data(), s.dz.data(), dscore, acts.pool.data(), acts.H.data(),
                      acts.keys.data(), acts.queries.data(), B, L, d, Tn);
        if (weights) queries_backward(g, s.dq.data(), c, p);
        linear_backward<T>(s.dH.data(), g.pool_key, nullptr, s.dkeys.data(), acts.H.data(), p.pool_key, int(BL), d, d);
    }

    // backward through the final LayerNorm: dh is dLoss/d(last)
    grow(s.dh, BLd);
    layernorm_backward(s.dh.data(), g.final_ln_w, g.final_ln_b, s.dH.data(), lastStream(c, acts), p.final_ln_w,
                       acts.fln_mean.data(), acts.fln_rstd.data(), int(BL), d, Write::Set);

    // backward through the layers, last first: dh becomes dLoss/de
    const LayerView<T> none;
    for (int l = c.layers - 1; l >= 0; --l)
        encoder_layer_backward(c, p.layers[size_t(l)], weights ? g.layers[size_t(l)] : none, layerInput(acts, l),
                               acts.layers[size_t(l)], B, L, s);

    // backward through the embedding
    if (!weights) return;
    if (c.input == InputKind::Text)
        embedding_backward(g.token, g.position, s.dh.data(), batch.tokens.data(), B, L, d);
    else
        feature_embedding_backward(g.feature_scale, g.feature_bias, s.dh.data(), acts.std_values.data(), B, L, d);
}

#define ATTNSCOPE_INSTANTIATE(T)                                                                   \
    template void embed(const ModelConfig &, const ParamView<const T> &, const T *, const T *,     \
                        const Batch &, Activations<T> &);                                           \
    template Losses<T> forwardFromEmbedding(const ModelConfig &, const ParamView<const T> &,       \
                                            const Batch &, const std::vector<float> &,             \
                                            Activations<T> &, float);                              \
    template Losses<T> forward(const ModelConfig &, const ParamView<const T> &, const T *,         \
                               const T *, const Batch &, const std::vector<float> &,               \
                               Activations<T> &, float);                                            \
    template void backward(const ModelConfig &, const ParamView<const T> &, const Batch &,         \
                           const std::vector<float> &, const Losses<T> &, const Activations<T> &,  \
                           const ParamView<T> &);                                                   \
    template void backwardFromLogits(const ModelConfig &, const ParamView<const T> &,              \
                                     const Batch &, const std::vector<std::vector<T>> &,           \
                                     const T *, const Activations<T> &, const ParamView<T> &);
ATTNSCOPE_INSTANTIATE(float)
ATTNSCOPE_INSTANTIATE(double)
#undef ATTNSCOPE_INSTANTIATE

void sliceBatch(const Batch &batch, int first, int count, Batch *out)
{
    const size_t L = size_t(batch.L), T = size_t(batch.T);
    out->B = count;
    out->L = batch.L;
    out->T = batch.T;
    auto copyRows = [&](const auto &from, auto &to, size_t width) {
        if (from.empty()) {
            to.clear();
            return;
        }
        to.assign(from.begin() + long(size_t(first) * width), from.begin() + long(size_t(first + count) * width));
    };
    copyRows(batch.tokens, out->tokens, L);
    copyRows(batch.values, out->values, L);
    copyRows(batch.mask, out->mask, L);
    copyRows(batch.labels, out->labels, T);
    copyRows(batch.rationale, out->rationale, T * L);
}

namespace {

// Calls f(offset, count) once for each part of the parameters whose gradient
// backward() can make nonzero for this batch: the rows of the token embedding
// it uses (ascending), the position rows of its length, everything after
// them whole. A 20,000-word table is mostly left out.
template <class F>
void forEachGradientPart(const Model &model, const Batch &batch, std::vector<int32_t> &ids, F &&f)
{
    const TensorSpec *token = model.layout.find("embed.token"), *position = model.layout.find("embed.position");
    if (!token || !position || token->offset != 0 || position->offset != token->size) {
        f(size_t(0), model.params.size());
        return;
    }
    const size_t d = size_t(model.config.dim);
    ids.assign(batch.tokens.begin(), batch.tokens.end());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (const int32_t id : ids) f(token->offset + size_t(id) * d, d);
    f(position->offset, size_t(batch.L) * d);
    const size_t rest = position->offset + position->size;
    f(rest, model.params.size() - rest);
}

// glibc hands blocks over 128 KiB back to the kernel when they are freed,
// so every step's activations and Eigen's packing buffers would be
// page-faulted in afresh (a third of a step's time, measured). Keep them.
void keepFreedMemory()
{
#if defined(__GLIBC__)
    static std::once_flag tuned;
    std::call_once(tuned, [] {
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 512 << 20);
    });
#endif
}

// The batch's losses from its slices' (each normalised by its own labelled
// and rationale counts): per task, the sum over slices of their sums, over
// the whole batch's count.
Losses<float> batchLosses(const std::vector<Losses<float>> &partial, const std::vector<float> &taskWeights,
                          float rationaleWeight, int tasks)
{
    Losses<float> losses;
    losses.task.assign(size_t(tasks), 0.0f);
    losses.labelled.assign(size_t(tasks), 0);
    losses.att.assign(size_t(tasks), 0.0f);
    losses.rationaleCount.assign(size_t(tasks), 0);
    losses.rationaleWeight = rationaleWeight;
    for (const Losses<float> &l : partial)
        for (int t = 0; t < tasks; ++t) {
            losses.labelled[size_t(t)] += l.labelled[size_t(t)];
            losses.task[size_t(t)] += l.task[size_t(t)] * float(l.labelled[size_t(t)]);
            losses.rationaleCount[size_t(t)] += l.rationaleCount[size_t(t)];
            losses.att[size_t(t)] += l.att[size_t(t)] * float(l.rationaleCount[size_t(t)]);
        }
    for (int t = 0; t < tasks; ++t) {
        const int n = losses.labelled[size_t(t)], r = losses.rationaleCount[size_t(t)];
        losses.task[size_t(t)] = n > 0 ? losses.task[size_t(t)] / float(n) : 0.0f;
        losses.att[size_t(t)] = r > 0 ? losses.att[size_t(t)] / float(r) : 0.0f;
        losses.total += taskWeight<float>(taskWeights, t) * losses.task[size_t(t)];
    }
    for (int t = 0; t < tasks; ++t) losses.total += rationaleWeight * losses.att[size_t(t)];
    return losses;
}

// The extra threads' gradient buffers and their views: built again only
// when the thread count or the model's configuration changes.
void prepareSliceGradients(StepWorkspace &ws, const Model &model, int extra)
{
    if (ws.grads.size() == size_t(extra) && ws.gradConfig == model.config) return;
    ws.grads.resize(size_t(extra));
    ws.gradViews.resize(size_t(extra));
    for (int i = 0; i < extra; ++i) {
        ws.grads[size_t(i)].assign(model.params.size(), 0.0f);
        ws.gradViews[size_t(i)] = makeView(model.layout, ws.grads[size_t(i)].data());
    }
    ws.gradConfig = model.config;
}

} // namespace

Losses<float> forwardBackward(const Model &model, const Batch &batch, const std::vector<float> &taskWeights,
                              int threads, StepWorkspace &ws, const ParamView<float> &grads, float rationaleWeight)
{
    keepFreedMemory();
    const ModelConfig &c = model.config;
    const ParamView<const float> &p = model.view();
    const float *mean = model.inputMean.empty() ? nullptr : model.inputMean.data();
    const float *stdv = model.inputStd.empty() ? nullptr : model.inputStd.data();
    const int parts = std::max(1, std::min(threads, batch.B));
    ws.acts.resize(size_t(parts));
    if (parts == 1) {
        const Losses<float> losses = forward<float>(c, p, mean, stdv, batch, taskWeights, ws.acts[0], rationaleWeight);
        backward<float>(c, p, batch, taskWeights, losses, ws.acts[0], grads);
        return losses;
    }

    // forward of each slice on its own thread
    ws.slices.resize(size_t(parts));
    std::vector<Losses<float>> partial(static_cast<size_t>(parts));
    auto runParts = [&](const std::function<void(int)> &work) { ws.pool.run(parts, work); };
    runParts([&](int i) {
        const int first = int(int64_t(batch.B) * i / parts), last = int(int64_t(batch.B) * (i + 1) / parts);
        sliceBatch(batch, first, last - first, &ws.slices[size_t(i)]);
        partial[size_t(i)] = forward<float>(c, p, mean, stdv, ws.slices[size_t(i)], taskWeights, ws.acts[size_t(i)],
                                            rationaleWeight);
    });
    const Losses<float> losses = batchLosses(partial, taskWeights, rationaleWeight, c.tasks());

    // backward of each slice, normalised by the batch's counts, into its own
    // buffer (zero between steps: only what a slice can have written is added,
    // and cleared again)
    prepareSliceGradients(ws, model, parts - 1);
    runParts([&](int i) {
        backward<float>(c, p, ws.slices[size_t(i)], taskWeights, losses, ws.acts[size_t(i)],
                        i > 0 ? ws.gradViews[size_t(i - 1)] : grads);
    });
    // The slices' buffers into grads, each element in slice order (as one
    // thread adding them would, so the sums do not depend on the threads),
    // each thread over its own range of the parameters: the parts that can
    // be nonzero, found once (their list keeps its memory from step to step).
    // (thread_local: one list per calling thread; the workers read this one's.)
    static thread_local std::vector<std::vector<std::pair<size_t, size_t>>> writtenLists;
    std::vector<std::vector<std::pair<size_t, size_t>>> &written = writtenLists;
    written.resize(size_t(parts - 1));
    for (int i = 1; i < parts; ++i) {
        std::vector<std::pair<size_t, size_t>> &w = written[size_t(i - 1)];
        w.clear();
        forEachGradientPart(model, ws.slices[size_t(i)], ws.rows,
                            [&](size_t offset, size_t count) { w.emplace_back(offset, count); });
    }
    const size_t total = model.params.size();
    runParts([&](int part) {
        const size_t lo = total * size_t(part) / size_t(parts), hi = total * size_t(part + 1) / size_t(parts);
        for (int i = 1; i < parts; ++i) {
            float *g = ws.grads[size_t(i - 1)].data();
            for (const auto &[offset, count] : written[size_t(i - 1)]) {
                const size_t first = std::max(offset, lo), last = std::min(offset + count, hi);
                for (size_t k = first; k < last; ++k) {
                    grads.base[k] += g[k];
                    g[k] = 0.0f;
                }
            }
        }
    });
    return losses;
}

Model::Model(const Model &other) : ModelData(other)
{
    bindView();
}

Model::Model(Model &&other) : ModelData(std::move(other))
{
    bindView();
    other.bindView();
}

Model &Model::operator=(const Model &other)
{
    ModelData::operator=(other);
    bindView();
    return *this;
}

Model &Model::operator=(Model &&other)
{
    ModelData::operator=(std::move(other));
    bindView();
    other.bindView();
    return *this;
}

void Model::initialise(uint64_t seed)
{
    layout = ParamLayout(config);
    params.assign(layout.totalSize(), 0.0f);
    initParameters(layout, params.data(), seed);
    bindView();
}

const ParamView<const float> &Model::view() const
{
    assert(m_view.count == params.size() && (params.empty() || m_view.base == params.data()));
    return m_view;
}

void Model::bindView()
{
    // A model being put together (layout set, params not yet) has no views.
    m_view = params.size() == layout.totalSize() ? makeView<const float>(layout, params.data()) : ParamView<const float>{};
}

} // namespace attnscope
