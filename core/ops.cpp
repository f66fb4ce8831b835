// Public entry points of the ops: each picks the AVX-512 or AVX2/FMA build of
// its kernel where the processor has it, the baseline build elsewhere. The default build
// runs on any x86-64 (no -march=native); this is how it is still fast.
#include "ops.h"

#include <cstdlib>
#include <string>
#include <type_traits>

namespace attnscope::ops {

namespace generic {
#include "ops_api.inc"
}
namespace avx2 {
#include "ops_api.inc"
}
namespace avx512 {
#include "ops_api.inc"
}

namespace {
enum class Isa { Baseline, Avx2, Avx512 };

// ATTNSCOPE_ISA=baseline|avx2 caps the choice (for comparisons and tests).
Isa detectIsa()
{
#if defined(__x86_64__)
    const char *cap = std::getenv("ATTNSCOPE_ISA");
    const std::string limit = cap ? cap : "";
    if (limit == "baseline") return Isa::Baseline;
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
                        && __builtin_cpu_supports("avx512vl");
    if (avx512 && limit != "avx2") return Isa::Avx512;
    return avx2 ? Isa::Avx2 : Isa::Baseline;
#else
    return Isa::Baseline;
#endif
}
const Isa g_isa = detectIsa();
} // namespace

const char *kernelIsa()
{
    switch (g_isa) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2+fma";
    case Isa::Baseline: break;
    }
    return "baseline";
}

#define ATTNSCOPE_DISPATCH(fn, ...)                                                                \
    if constexpr (std::is_same_v<T, float>) {                                                      \
        if (g_isa == Isa::Avx512) return avx512::fn(__VA_ARGS__);                                  \
        if (g_isa == Isa::Avx2) return avx2::fn(__VA_ARGS__);                                      \
    }                                                                                              \
    return generic::fn(__VA_ARGS__);

// The embeddings, the task queries and the cross-entropy are short loops:
// they run the baseline build on every processor, so that no FMA contraction
// (v scale + bias) changes their rounding from one processor to another.
template <class T>
void embedding_forward(T *e, const int32_t *tokens, const T *token, const T *position, int B, int L, int d)
{
    generic::embedding_forward(e, tokens, token, position, B, L, d);
}
template <class T>
void embedding_backward(T *dtoken, T *dposition, const T *de, const int32_t *tokens, int B, int L, int d)
{
    generic::embedding_backward(dtoken, dposition, de, tokens, B, L, d);
}
template <class T>
void feature_embedding_forward(T *e, T *v, const float *values, const uint8_t *mask, const T *mean, const T *std,
                               const T *scale, const T *bias, int B, int L, int d)
{
    generic::feature_embedding_forward(e, v, values, mask, mean, std, scale, bias, B, L, d);
}
template <class T>
void feature_embedding_backward(T *dscale, T *dbias, const T *de, const T *v, int B, int L, int d)
{
    generic::feature_embedding_backward(dscale, dbias, de, v, B, L, d);
}
template <class T>
void linear_forward(T *out, const T *inp, const T *w, const T *b, int N, int I, int O, const T *residual)
{
    ATTNSCOPE_DISPATCH(linear_forward, out, inp, w, b, N, I, O, residual)
}
template <class T>
void linear_backward(T *dinp, T *dw, T *db, const T *dout, const T *inp, const T *w, int N, int I, int O,
                     Write dinpWrite)
{
    ATTNSCOPE_DISPATCH(linear_backward, dinp, dw, db, dout, inp, w, N, I, O, dinpWrite)
}
template <class T>
void linear_forward_many(T *const *outs, const T *inp, const T *const *ws, const T *const *bs, int count, int N,
                         int I, int O)
{
    ATTNSCOPE_DISPATCH(linear_forward_many, outs, inp, ws, bs, count, N, I, O)
}
template <class T>
void linear_backward_input_sum(T *dinp, const T *const *douts, const T *const *ws, int count, int N, int I, int O,
                               Write dinpWrite)
{
    ATTNSCOPE_DISPATCH(linear_backward_input_sum, dinp, douts, ws, count, N, I, O, dinpWrite)
}
template <class T>
void linear_backward_weights_many(T *const *dws, T *const *dbs, const T *const *douts, const T *inp, int count,
                                  int N, int I, int O)
{
    ATTNSCOPE_DISPATCH(linear_backward_weights_many, dws, dbs, douts, inp, count, N, I, O)
}
template <class T>
void linear_gelu_forward(T *act, T *grad, const T *inp, const T *w, const T *b, int N, int I, int O)
{
    ATTNSCOPE_DISPATCH(linear_gelu_forward, act, grad, inp, w, b, N, I, O)
}
template <class T>
void linear_gelu_backward_input(T *dact, const T *dout, const T *w, const T *grad, int N, int I, int O)
{
    ATTNSCOPE_DISPATCH(linear_gelu_backward_input, dact, dout, w, grad, N, I, O)
}
template <class T>
void layernorm_forward(T *out, T *mean, T *rstd, const T *inp, const T *w, const T *b, int N, int C)
{
    ATTNSCOPE_DISPATCH(layernorm_forward, out, mean, rstd, inp, w, b, N, C)
}
template <class T>
void layernorm_backward(T *dinp, T *dw, T *db, const T *dout, const T *inp, const T *w, const T *mean,
                        const T *rstd, int N, int C, Write dinpWrite)
{
    ATTNSCOPE_DISPATCH(layernorm_backward, dinp, dw, db, dout, inp, w, mean, rstd, N, C, dinpWrite)
}
template <class T>
void gelu_forward(T *out, const T *inp, size_t n)
{
    ATTNSCOPE_DISPATCH(gelu_forward, out, inp, n)
}
template <class T>
void gelu_backward(T *dinp, const T *inp, const T *dout, size_t n, Write dinpWrite)
{
    ATTNSCOPE_DISPATCH(gelu_backward, dinp, inp, dout, n, dinpWrite)
}
template <class T>
void gelu_forward_grad(T *out, T *grad, const T *inp, size_t n)
{
    ATTNSCOPE_DISPATCH(gelu_forward_grad, out, grad, inp, n)
}
template <class T>
void masked_softmax(T *x, const uint8_t *keep, int n)
{
    ATTNSCOPE_DISPATCH(masked_softmax, x, keep, n)
}
template <class T>
void attention_forward(T *out, T *att, const T *q, const T *k, const T *v, const uint8_t *mask, int B, int L,
                       int d, int h)
{
    ATTNSCOPE_DISPATCH(attention_forward, out, att, q, k, v, mask, B, L, d, h)
}
template <class T>
void attention_backward(T *dq, T *dk, T *dv, const T *dout, const T *att, const T *q, const T *k, const T *v,
                        int B, int L, int d, int h, Write write)
{
    ATTNSCOPE_DISPATCH(attention_backward, dq, dk, dv, dout, att, q, k, v, B, L, d, h, write)
}
template <class T>
T sigmoid(T x)
{
    return generic::sigmoid(x);
}
template <class T>
void queries_forward(T *out, const ModelConfig &c, const ParamView<const T> &p)
{
    generic::queries_forward(out, c, p);
}
template <class T>
void queries_backward(const ParamView<T> &g, const T *dq, const ModelConfig &c, const ParamView<const T> &p)
{
    generic::queries_backward(g, dq, c, p);
}
template <class T>
void pool_forward(T *z, T *a, T *scores, const T *H, const T *keys, const T *queries, const uint8_t *mask, int B,
                  int L, int d, int tasks)
{
    ATTNSCOPE_DISPATCH(pool_forward, z, a, scores, H, keys, queries, mask, B, L, d, tasks)
}
template <class T>
void pool_backward(T *dH, T *dkeys, T *dq, const T *dz, const T *dscore, const T *a, const T *H, const T *keys,
                   const T *queries, int B, int L, int d, int tasks)
{
    ATTNSCOPE_DISPATCH(pool_backward, dH, dkeys, dq, dz, dscore, a, H, keys, queries, B, L, d, tasks)
}
// Uniform pooling and the rationale loss are short loops, baseline build (as
// the cross-entropy below).
template <class T>
void uniform_pool_forward(T *z, T *a, const T *H, const uint8_t *mask, int B, int L, int d, int tasks)
{
    generic::uniform_pool_forward(z, a, H, mask, B, L, d, tasks);
}
template <class T>
void uniform_pool_backward(T *dH, const T *dz, const T *a, int B, int L, int d, int tasks)
{
    generic::uniform_pool_backward(dH, dz, a, B, L, d, tasks);
}
template <class T>
void rationale_forward(T *sums, int *counts, const T *scores, const uint8_t *rationale, const uint8_t *mask, int B,
                       int L, int tasks)
{
    generic::rationale_forward(sums, counts, scores, rationale, mask, B, L, tasks);
}
template <class T>
void rationale_backward(T *dscore, const T *a, const uint8_t *rationale, const uint8_t *mask, const T *scale, int B,
                        int L, int tasks)
{
    generic::rationale_backward(dscore, a, rationale, mask, scale, B, L, tasks);
}
template <class T>
T crossentropy_forward(T *probs, const T *logits, const int32_t *labels, int labelStride, int B, int C, int *count)
{
    return generic::crossentropy_forward(probs, logits, labels, labelStride, B, C, count);
}
template <class T>
void crossentropy_backward(T *dlogits, const T *probs, const int32_t *labels, int labelStride, T scale, int B, int C)
{
    generic::crossentropy_backward(dlogits, probs, labels, labelStride, scale, B, C);
}

void adamw_step(float *p, float *m, float *v, const float *g, size_t n, const AdamWStep &s, float *maxima)
{
    using T = float;  // the dispatch's type: AdamW is float only
    ATTNSCOPE_DISPATCH(adamw_step, p, m, v, g, n, s, maxima)
}

void adamw_coast(float *p, const float *anchor, const float *m, const float *v, size_t n, double decay,
                 const double *A, double eps)
{
    using T = float;
    ATTNSCOPE_DISPATCH(adamw_coast, p, anchor, m, v, n, decay, A, eps)
}

size_t adamw_coast_misses(const float *m, const float *v, size_t n, double eps, double factor, double limit)
{
    using T = float;
    ATTNSCOPE_DISPATCH(adamw_coast_misses, m, v, n, eps, factor, limit)
}

#undef ATTNSCOPE_DISPATCH

ATTNSCOPE_OPS(float)
ATTNSCOPE_OPS(double)

} // namespace attnscope::ops
