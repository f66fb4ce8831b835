// The model's operations as pairs of free functions, each forward beside its
// backward (as llm.c writes them). Shapes are in the comments; tensors are
// row-major. Backward functions accumulate (+=) into their gradient outputs.
// Instantiated for float and double in ops.cpp.
#pragma once

#include "params.h"
#include "types.h"

#include <cstddef>
#include <cstdint>

namespace attnscope::ops {

// out (N, O) = inp (N, I) W^T + b; w is (O, I); b is (O) or null.
template <class T>
void linear_forward(T *out, const T *inp, const T *w, const T *b, int N, int I, int O);
// dinp (N, I) += dout W; dw (O, I) += dout^T inp; db (O) += column sums of dout. Any may be null.
template <class T>
void linear_backward(T *dinp, T *dw, T *db, const T *dout, const T *inp, const T *w, int N, int I, int O);

// out (N, C) = (inp - mean) rstd w + b over the last axis; mean, rstd (N) saved for backward.
template <class T>
void layernorm_forward(T *out, T *mean, T *rstd, const T *inp, const T *w, const T *b, int N, int C);
template <class T>
void layernorm_backward(T *dinp, T *dw, T *db, const T *dout, const T *inp, const T *w,
                        const T *mean, const T *rstd, int N, int C);

// Exact GELU, elementwise over n values.
template <class T>
void gelu_forward(T *out, const T *inp, size_t n);
template <class T>
void gelu_backward(T *dinp, const T *inp, const T *dout, size_t n);

// Softmax in place over n values; entries with keep[j] == 0 become exactly 0.
template <class T>
void masked_softmax(T *x, const uint8_t *keep, int n);

// Multi-head self-attention core: q, k, v, out (B, L, d); att (B, h, L, L); mask (B, L).
template <class T>
void attention_forward(T *out, T *att, const T *q, const T *k, const T *v, const uint8_t *mask,
                       int B, int L, int d, int h);
template <class T>
void attention_backward(T *dq, T *dk, T *dv, const T *dout, const T *att, const T *q, const T *k,
                        const T *v, int B, int L, int d, int h);

template <class T>
T sigmoid(T x);

// Effective task queries (T, d) for the attention mode (MODEL.md 4), and the
// routing of their gradient dq (T, d) back to pool.query / shared_query / gate.
template <class T>
void queries_forward(T *out, const ModelConfig &c, const ParamView<const T> &p);
template <class T>
void queries_backward(const ParamView<T> &g, const T *dq, const ModelConfig &c, const ParamView<const T> &p);

// Task attention pooling: a (B, T, L) = softmax_j(keys . q_t / sqrt d), z (B, T, d) = a H.
template <class T>
void pool_forward(T *z, T *a, const T *H, const T *keys, const T *queries, const uint8_t *mask,
                  int B, int L, int d, int tasks);
template <class T>
void pool_backward(T *dH, T *dkeys, T *dq, const T *dz, const T *a, const T *H, const T *keys,
                   const T *queries, int B, int L, int d, int tasks);

// probs (B, C) = softmax(logits); returns the sum of -log p[y] over rows with
// labels[b * labelStride] >= 0 and sets *count to their number.
template <class T>
T crossentropy_forward(T *probs, const T *logits, const int32_t *labels, int labelStride, int B, int C,
                       int *count);

} // namespace attnscope::ops
