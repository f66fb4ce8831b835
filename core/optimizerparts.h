// What the optimiser's files (optimizer.h) share, for those files only:
//   optimizer.cpp       the schedule, the norms, and each rule's step
//   optimizerrows.cpp   AdamW's lazy rows: naming the rows a step touches,
//                       replaying, settling and catching them up
//   optimizerstate.cpp  what an optimiser carries from step to step:
//                       state(), restore(), rowsState(), restoreRows()
#pragma once

#include "ops.h"
#include "optimizer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace attnscope::optimizerparts {

// The gradient norm's sum of squares, in an order that does not depend on
// how the buffer is cut into parts or on which threads add them: parameter i
// adds its square (in double: exact) to lane i % NormLanes of block
// i / NormBlock, each lane in index order; a block is the sum of its lanes in
// lane order, the norm's square the sum of the blocks in block order. A part
// that is left out (zero) changes nothing: adding +0 to a sum of squares is
// exact, so a sum over the parts that can be nonzero is the same bits as one
// over the whole buffer.
constexpr size_t NormLanes = 16, NormBlock = 4096;

inline size_t normBlocks(size_t n)
{
    return (n + NormBlock - 1) / NormBlock;
}

// The squares of grads[begin, end) added to their lanes (lanes: NormLanes
// per block of the whole buffer, the blocks' in order).
inline void addSquares(double *lanes, const float *grads, size_t begin, size_t end)
{
    size_t i = begin;
    while (i < end) {
        const size_t block = i / NormBlock, last = std::min(end, (block + 1) * NormBlock);
        double acc[NormLanes];
        std::copy_n(lanes + block * NormLanes, NormLanes, acc);
        for (; i < last && i % NormLanes; ++i) acc[i % NormLanes] += double(grads[i]) * double(grads[i]);
        for (; i + NormLanes <= last; i += NormLanes)
            for (size_t k = 0; k < NormLanes; ++k) acc[k] += double(grads[i + k]) * double(grads[i + k]);
        for (; i < last; ++i) acc[i % NormLanes] += double(grads[i]) * double(grads[i]);
        std::copy_n(acc, NormLanes, lanes + block * NormLanes);
    }
}

// Ranges [offset, offset + count) of the parameters, in increasing order.
using Ranges = std::vector<std::pair<size_t, size_t>>;

// Where parts 0 .. parts - 1 of `ranges` begin and end: bounds[i] to
// bounds[i + 1] (of the whole buffer, size end) holds about as many of their
// elements as every other part, and every bound but 0 and end is a multiple
// of NormBlock (so that no block of the norm's sum is in two parts).
inline std::vector<size_t> partBounds(const Ranges &ranges, int parts, size_t end)
{
    size_t total = 0;
    for (const auto &r : ranges) total += r.second;
    std::vector<size_t> bounds(size_t(parts) + 1, end);
    bounds[0] = 0;
    size_t seen = 0, k = 0;
    for (int p = 1; p < parts; ++p) {
        const size_t want = total * size_t(p) / size_t(parts);  // elements before part p
        while (k < ranges.size() && seen + ranges[k].second <= want) seen += ranges[k++].second;
        size_t at = k < ranges.size() ? ranges[k].first + (want - seen) : end;
        at = std::min(end, (at + NormBlock - 1) / NormBlock * NormBlock);
        bounds[size_t(p)] = std::max(bounds[size_t(p) - 1], at);
    }
    return bounds;
}

// The norm from the lanes of the blocks that `ranges` reach, block after
// block (the blocks left out hold zeros: leaving them out is exact), and
// those lanes zero again, for the next sum.
inline float takeNorm(double *lanes, const Ranges &ranges)
{
    double sum = 0;
    size_t next = 0;  // the first block not yet added
    for (const auto &[offset, count] : ranges) {
        if (count == 0) continue;
        for (size_t b = std::max(next, offset / NormBlock); b <= (offset + count - 1) / NormBlock; ++b) {
            double block = 0;
            for (size_t k = 0; k < NormLanes; ++k) block += lanes[b * NormLanes + k];
            std::fill_n(lanes + b * NormLanes, NormLanes, 0.0);
            sum += block;
            next = b + 1;
        }
    }
    return float(std::sqrt(sum));
}

// f(offset, count) for the pieces of `ranges` inside [lo, hi), in order.
template <class F>
void forRangesIn(const Ranges &ranges, size_t lo, size_t hi, F &&f)
{
    for (const auto &[offset, count] : ranges) {
        const size_t first = std::max(offset, lo), last = std::min(offset + count, hi);
        if (first < last) f(first, last - first);
    }
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
