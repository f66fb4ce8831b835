// What the optimiser's files (optimizer.h) share, for those files only:
//   optimizer.cpp       the schedule, the norms, and each rule's step
//   optimizerrows.cpp   AdamW's lazy rows: naming the rows a step touches,
//                       replaying, settling and catching them up
//   optimizerstate.cpp  what an optimiser carries from step to step:
//                       state(), restore(), rowsState(), restoreRows()
#pragma once

#include "ops.h"
#include "optimizer.h"

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace attnscope::optimizerparts {

// The squares of grads (n) added to sum one after the other: gradNorm's sum,
// over the whole buffer or part by part.
inline void addSquares(double &sum, const float *grads, size_t n)
{
    for (size_t i = 0; i < n; ++i) sum += double(grads[i]) * double(grads[i]);
}

// torch's clip_grad_norm_: grads times maxNorm / (norm + 1e-6) where that is below 1.
inline float clipFactor(float norm, float maxNorm)
{
    return maxNorm / (norm + 1e-6f);
}

inline void scaleBy(float *grads, size_t n, float coef)
{
    for (size_t i = 0; i < n; ++i) grads[i] *= coef;
}

// Adam's moments, zero, unless they are there (a restored state's).
inline void makeMoments(std::vector<float> &m, std::vector<float> &v, size_t size)
{
    if (m.size() == size) return;
    m.assign(size, 0.0f);
    v.assign(size, 0.0f);
}

// Where row `id` of table t lies: its first parameter (in the weights, the
// gradients and the moments), its width and its first weight in the anchors.
struct RowPlace {
    size_t offset = 0, width = 0, anchor = 0;
};

template <class Table>
RowPlace rowPlace(const Table &t, int id)
{
    const size_t width = size_t(t.rows.width), row = size_t(id - t.first);
    return {t.rows.offset + row * width, width, t.anchor + row * width};
}

// b1^k and b2^k of rule c: from `powers`, which holds the first ones.
inline std::array<double, 2> betaPowers(const std::vector<std::array<double, 2>> &powers, const OptimizerConfig &c,
                                        int64_t k)
{
    if (k < int64_t(powers.size())) return powers[size_t(k)];
    return {std::pow(double(c.beta1), double(k)), std::pow(double(c.beta2), double(k))};
}

template <class Record>
ops::AdamWStep adamwScalars(const Record &r)
{
    ops::AdamWStep s;
    s.decay = r.decay;
    s.stepSize = r.stepSize;
    s.bc2Sqrt = r.bc2Sqrt;
    s.eps = r.eps;
    s.beta1 = r.beta1;
    s.beta2 = r.beta2;
    return s;
}

} // namespace attnscope::optimizerparts
