// The model's operations as pairs of free functions (as llm.c writes them):
// each *_forward computes its output and the caller keeps what the matching
// *_backward needs. Backward functions accumulate (+=) into their gradient
// outputs; zeroing is the caller's job. T is float (training) or double
// (finite-difference checks).
//
// Tensors are row-major; "(B, L, d)" means index (b * L + j) * d + c.
// Linear maps follow nn.Linear: W is (out, in) and y = x W^T + b.

#include "ops.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope::ops {
namespace {


template <class T>
using MatR = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using MapR = Eigen::Map<MatR<T>>;
template <class T>
using CMapR = Eigen::Map<const MatR<T>>;
template <class T>
using StridedR = Eigen::Map<MatR<T>, 0, Eigen::OuterStride<>>;
template <class T>
using CStridedR = Eigen::Map<const MatR<T>, 0, Eigen::OuterStride<>>;
template <class T>
using CRowVec = Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>;
template <class T>
using RowVec = Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>;


} // namespace

// ---------------------------------------------------------------- linear
// out (N, O) = inp (N, I) W^T + b; w is (O, I), b is (O) or null.
template <class T>
void linear_forward(T *out, const T *inp, const T *w, const T *b, int N, int I, int O)
{
    MapR<T> Y(out, N, O);
    Y.noalias() = CMapR<T>(inp, N, I) * CMapR<T>(w, O, I).transpose();
    if (b) Y.rowwise() += CRowVec<T>(b, O);
}

// dinp (N, I) += dout W;  dW (O, I) += dout^T inp;  db (O) += sum over rows of dout.
template <class T>
void linear_backward(T *dinp, T *dw, T *db, const T *dout, const T *inp, const T *w, int N, int I, int O)
{
    CMapR<T> dY(dout, N, O);
    if (dinp) MapR<T>(dinp, N, I).noalias() += dY * CMapR<T>(w, O, I);
    if (dw) MapR<T>(dw, O, I).noalias() += dY.transpose() * CMapR<T>(inp, N, I);
    if (db) RowVec<T>(db, O) += dY.colwise().sum();
}

// ---------------------------------------------------------------- layernorm
// out (N, C) = (inp - mean) * rstd * w + b, biased variance, eps 1e-5 (as PyTorch).
template <class T>
void layernorm_forward(T *out, T *mean, T *rstd, const T *inp, const T *w, const T *b, int N, int C)
{
    for (int n = 0; n < N; ++n) {
        const T *x = inp + size_t(n) * C;
        T m = 0;
        for (int c = 0; c < C; ++c) m += x[c];
        m /= T(C);
        T var = 0;
        for (int c = 0; c < C; ++c) var += (x[c] - m) * (x[c] - m);
        var /= T(C);
        const T s = T(1) / std::sqrt(var + T(1e-5));
        T *y = out + size_t(n) * C;
        for (int c = 0; c < C; ++c) y[c] = (x[c] - m) * s * w[c] + b[c];
        mean[n] = m;
        rstd[n] = s;
    }
}

// With xhat = (x - mean) rstd and g = dout * w:
//   dx = rstd (g - mean(g) - xhat mean(g xhat)),  dw += dout xhat,  db += dout.
template <class T>
void layernorm_backward(T *dinp, T *dw, T *db, const T *dout, const T *inp, const T *w,
                        const T *mean, const T *rstd, int N, int C)
{
    for (int n = 0; n < N; ++n) {
        const T *x = inp + size_t(n) * C;
        const T *dy = dout + size_t(n) * C;
        const T m = mean[n], s = rstd[n];
        T gMean = 0, gxMean = 0;
        for (int c = 0; c < C; ++c) {
            const T xhat = (x[c] - m) * s;
            const T g = dy[c] * w[c];
            gMean += g;
            gxMean += g * xhat;
        }
        gMean /= T(C);
        gxMean /= T(C);
        T *dx = dinp + size_t(n) * C;
        for (int c = 0; c < C; ++c) {
            const T xhat = (x[c] - m) * s;
            dw[c] += dy[c] * xhat;
            db[c] += dy[c];
            dx[c] += s * (dy[c] * w[c] - gMean - xhat * gxMean);
        }
    }
}

// ---------------------------------------------------------------- gelu
// Exact GELU: 0.5 x (1 + erf(x / sqrt 2)).
template <class T>
void gelu_forward(T *out, const T *inp, size_t n)
{
    const T invSqrt2 = T(0.70710678118654752440);
    for (size_t i = 0; i < n; ++i) out[i] = T(0.5) * inp[i] * (T(1) + std::erf(inp[i] * invSqrt2));
}

// d gelu / dx = Phi(x) + x phi(x), with Phi the normal CDF and phi its density.
template <class T>
void gelu_backward(T *dinp, const T *inp, const T *dout, size_t n)
{
    const T invSqrt2 = T(0.70710678118654752440);
    const T invSqrt2Pi = T(0.39894228040143267794);
    for (size_t i = 0; i < n; ++i) {
        const T x = inp[i];
        const T cdf = T(0.5) * (T(1) + std::erf(x * invSqrt2));
        const T pdf = invSqrt2Pi * std::exp(T(-0.5) * x * x);
        dinp[i] += dout[i] * (cdf + x * pdf);
    }
}

// ---------------------------------------------------------------- masked softmax
// In place over n entries; entries with keep[j] == 0 become exactly 0.
template <class T>
void masked_softmax(T *x, const uint8_t *keep, int n)
{
    T mx = -std::numeric_limits<T>::infinity();
    for (int j = 0; j < n; ++j)
        if (keep[j]) mx = std::max(mx, x[j]);
    T sum = 0;
    for (int j = 0; j < n; ++j) {
        x[j] = keep[j] ? std::exp(x[j] - mx) : T(0);
        sum += x[j];
    }
    const T inv = sum > T(0) ? T(1) / sum : T(0);
    for (int j = 0; j < n; ++j) x[j] *= inv;
}

// ---------------------------------------------------------------- self-attention
// q, k, v, out are (B, L, d); att is (B, h, L, L); mask is (B, L).
// Per head i: S = Q_i K_i^T / sqrt(d_h), masked keys -inf, A = softmax(S), O_i = A V_i.
template <class T>
void attention_forward(T *out, T *att, const T *q, const T *k, const T *v, const uint8_t *mask,
                       int B, int L, int d, int h)
{
    const int dh = d / h;
    const T scale = T(1) / std::sqrt(T(dh));
    for (int b = 0; b < B; ++b) {
        const size_t base = size_t(b) * L * d;
        for (int i = 0; i < h; ++i) {
            CStridedR<T> Q(q + base + size_t(i) * dh, L, dh, Eigen::OuterStride<>(d));
            CStridedR<T> K(k + base + size_t(i) * dh, L, dh, Eigen::OuterStride<>(d));
            CStridedR<T> V(v + base + size_t(i) * dh, L, dh, Eigen::OuterStride<>(d));
            T *a = att + (size_t(b) * h + i) * L * L;
            MapR<T> A(a, L, L);
            A.noalias() = (Q * K.transpose()) * scale;
            for (int r = 0; r < L; ++r) masked_softmax(a + size_t(r) * L, mask + size_t(b) * L, L);
            StridedR<T>(out + base + size_t(i) * dh, L, dh, Eigen::OuterStride<>(d)).noalias() = A * V;
        }
    }
}

// dV_i += A^T dO_i;  dA = dO_i V_i^T;  dS = A (dA - rowsum(A dA));
// dQ_i += dS K_i / sqrt(d_h);  dK_i += dS^T Q_i / sqrt(d_h).
template <class T>
void attention_backward(T *dq, T *dk, T *dv, const T *dout, const T *att, const T *q, const T *k,
                        const T *v, int B, int L, int d, int h)
{
    const int dh = d / h;
    const T scale = T(1) / std::sqrt(T(dh));
    MatR<T> dA(L, L);
    for (int b = 0; b < B; ++b) {
        const size_t base = size_t(b) * L * d;
        for (int i = 0; i < h; ++i) {
            const size_t off = base + size_t(i) * dh;
            const Eigen::OuterStride<> st(d);
            CStridedR<T> Q(q + off, L, dh, st), K(k + off, L, dh, st), V(v + off, L, dh, st);
            CStridedR<T> dO(dout + off, L, dh, st);
            CMapR<T> A(att + (size_t(b) * h + i) * L * L, L, L);
            StridedR<T>(dv + off, L, dh, st).noalias() += A.transpose() * dO;
            dA.noalias() = dO * V.transpose();
            // softmax backward, row by row
            for (int r = 0; r < L; ++r) {
                T dot = 0;
                for (int c = 0; c < L; ++c) dot += A(r, c) * dA(r, c);
                for (int c = 0; c < L; ++c) dA(r, c) = A(r, c) * (dA(r, c) - dot) * scale;
            }
            StridedR<T>(dq + off, L, dh, st).noalias() += dA * K;
            StridedR<T>(dk + off, L, dh, st).noalias() += dA.transpose() * Q;
        }
    }
}

// ---------------------------------------------------------------- task queries
// q_t per mode (MODEL.md 4): task q_t = query[t]; shared q_t = query[0];
// gated q_t = shared_query + sigmoid(gate[t]) query[t].
template <class T>
T sigmoid(T x)
{
    return T(1) / (T(1) + std::exp(-x));
}

template <class T>
void queries_forward(T *out, const ModelConfig &c, const ParamView<const T> &p)
{
    const int d = c.dim;
    for (int t = 0; t < c.tasks(); ++t) {
        T *qt = out + size_t(t) * d;
        switch (c.mode) {
        case AttentionMode::Task:
            std::copy(p.query + size_t(t) * d, p.query + size_t(t + 1) * d, qt);
            break;
        case AttentionMode::Shared:
            std::copy(p.query, p.query + d, qt);
            break;
        case AttentionMode::Gated: {
            const T g = sigmoid(p.gate[t]);
            for (int e = 0; e < d; ++e) qt[e] = p.shared_query[e] + g * p.query[size_t(t) * d + e];
            break;
        }
        }
    }
}

// dq (T, d) is dLoss/dq_t; routes it to the parameters that made q_t.
// gated: d shared += dq_t, d query[t] += sigmoid(g) dq_t,
//        d gate[t] += sigmoid(g) (1 - sigmoid(g)) (query[t] . dq_t).
template <class T>
void queries_backward(const ParamView<T> &g, const T *dq, const ModelConfig &c, const ParamView<const T> &p)
{
    const int d = c.dim;
    for (int t = 0; t < c.tasks(); ++t) {
        const T *dqt = dq + size_t(t) * d;
        switch (c.mode) {
        case AttentionMode::Task:
            for (int e = 0; e < d; ++e) g.query[size_t(t) * d + e] += dqt[e];
            break;
        case AttentionMode::Shared:
            for (int e = 0; e < d; ++e) g.query[e] += dqt[e];
            break;
        case AttentionMode::Gated: {
            const T s = sigmoid(p.gate[t]);
            T dot = 0;
            for (int e = 0; e < d; ++e) {
                g.shared_query[e] += dqt[e];
                g.query[size_t(t) * d + e] += s * dqt[e];
                dot += p.query[size_t(t) * d + e] * dqt[e];
            }
            g.gate[t] += s * (T(1) - s) * dot;
            break;
        }
        }
    }
}

// ---------------------------------------------------------------- task pooling
// s[b,t,j] = keys[b,j] . q_t / sqrt(d) (masked -inf); a = softmax_j s;
// z[b,t] = sum_j a[b,t,j] H[b,j].
template <class T>
void pool_forward(T *z, T *a, const T *H, const T *keys, const T *queries, const uint8_t *mask,
                  int B, int L, int d, int tasks)
{
    const T scale = T(1) / std::sqrt(T(d));
    CMapR<T> Qm(queries, tasks, d);
    for (int b = 0; b < B; ++b) {
        CMapR<T> Kb(keys + size_t(b) * L * d, L, d);
        CMapR<T> Hb(H + size_t(b) * L * d, L, d);
        MapR<T> Ab(a + size_t(b) * tasks * L, tasks, L);
        Ab.noalias() = (Qm * Kb.transpose()) * scale;
        for (int t = 0; t < tasks; ++t) masked_softmax(a + (size_t(b) * tasks + t) * L, mask + size_t(b) * L, L);
        MapR<T>(z + size_t(b) * tasks * d, tasks, d).noalias() = Ab * Hb;
    }
}

// dH[b] += a[b]^T dz[b];  da = dz[b] H[b]^T;  ds = a (da - sum_j a da);
// dkeys[b] += ds^T q / sqrt(d);  dq += ds keys[b] / sqrt(d).
template <class T>
void pool_backward(T *dH, T *dkeys, T *dq, const T *dz, const T *a, const T *H, const T *keys,
                   const T *queries, int B, int L, int d, int tasks)
{
    const T scale = T(1) / std::sqrt(T(d));
    CMapR<T> Qm(queries, tasks, d);
    MapR<T> dQ(dq, tasks, d);
    MatR<T> ds(tasks, L);
    for (int b = 0; b < B; ++b) {
        CMapR<T> Kb(keys + size_t(b) * L * d, L, d);
        CMapR<T> Hb(H + size_t(b) * L * d, L, d);
        CMapR<T> Ab(a + size_t(b) * tasks * L, tasks, L);
        CMapR<T> dZ(dz + size_t(b) * tasks * d, tasks, d);
        MapR<T>(dH + size_t(b) * L * d, L, d).noalias() += Ab.transpose() * dZ;
        ds.noalias() = dZ * Hb.transpose();
        for (int t = 0; t < tasks; ++t) {
            T dot = 0;
            for (int j = 0; j < L; ++j) dot += Ab(t, j) * ds(t, j);
            for (int j = 0; j < L; ++j) ds(t, j) = Ab(t, j) * (ds(t, j) - dot) * scale;
        }
        MapR<T>(dkeys + size_t(b) * L * d, L, d).noalias() += ds.transpose() * Qm;
        dQ.noalias() += ds * Kb;
    }
}

// ---------------------------------------------------------------- cross-entropy
// probs = softmax(logits); returns sum over labelled rows of -log p[y]; counts them.
template <class T>
T crossentropy_forward(T *probs, const T *logits, const int32_t *labels, int labelStride, int B, int C, int *count)
{
    T sum = 0;
    *count = 0;
    for (int b = 0; b < B; ++b) {
        const T *x = logits + size_t(b) * C;
        T *p = probs + size_t(b) * C;
        T mx = *std::max_element(x, x + C);
        T s = 0;
        for (int c = 0; c < C; ++c) s += std::exp(x[c] - mx);
        const T logZ = mx + std::log(s);
        for (int c = 0; c < C; ++c) p[c] = std::exp(x[c] - logZ);
        const int y = labels[size_t(b) * labelStride];
        if (y >= 0) {
            sum += logZ - x[y];
            ++*count;
        }
    }
    return sum;
}


#define ATTNSCOPE_OPS(T)                                                                                   \
    template void linear_forward(T *, const T *, const T *, const T *, int, int, int);                     \
    template void linear_backward(T *, T *, T *, const T *, const T *, const T *, int, int, int);          \
    template void layernorm_forward(T *, T *, T *, const T *, const T *, const T *, int, int);             \
    template void layernorm_backward(T *, T *, T *, const T *, const T *, const T *, const T *, const T *, \
                                     int, int);                                                            \
    template void gelu_forward(T *, const T *, size_t);                                                    \
    template void gelu_backward(T *, const T *, const T *, size_t);                                        \
    template void masked_softmax(T *, const uint8_t *, int);                                               \
    template void attention_forward(T *, T *, const T *, const T *, const T *, const uint8_t *, int, int,  \
                                    int, int);                                                             \
    template void attention_backward(T *, T *, T *, const T *, const T *, const T *, const T *, const T *, \
                                     int, int, int, int);                                                  \
    template T sigmoid(T);                                                                                 \
    template void queries_forward(T *, const ModelConfig &, const ParamView<const T> &);                  \
    template void queries_backward(const ParamView<T> &, const T *, const ModelConfig &,                  \
                                   const ParamView<const T> &);                                            \
    template void pool_forward(T *, T *, const T *, const T *, const T *, const uint8_t *, int, int, int, \
                               int);                                                                       \
    template void pool_backward(T *, T *, T *, const T *, const T *, const T *, const T *, const T *, int, \
                                int, int, int);                                                            \
    template T crossentropy_forward(T *, const T *, const int32_t *, int, int, int, int *);
ATTNSCOPE_OPS(float)
ATTNSCOPE_OPS(double)
#undef ATTNSCOPE_OPS

} // namespace attnscope::ops
