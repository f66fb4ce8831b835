// Display decimation for long training curves. A run of 200,000 steps has far
// more points than the plot has pixel columns; drawing them all costs time
// and shows nothing more. What is drawn is one column per pixel: the minimum
// and maximum of the raw loss there (so that spikes survive) and the mean of
// the smoothed loss. The full data stays in the run's LossHistory
// (losshistory.h) for export and hover; LossPlot draws the columns.
//
// SeriesPyramid keeps, for one series, the minimum, maximum, sum and count of
// the finite values over aligned blocks of 16, 32, 64, ... points, updated as
// points arrive (only the blocks the new points fall in change). Reducing any
// range to pixel columns then reads blocks a column wide or narrower, so its
// cost follows the number of pixels, not the number of points, whether the
// view shows the whole run or is zoomed into part of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace attnscope {

class SeriesPyramid {
public:
    static constexpr uint32_t NoIndex = UINT32_MAX;
    static constexpr int FirstShift = 4;  // level 0 has blocks of 16 points

    struct Block {
        uint32_t minIndex = NoIndex, maxIndex = NoIndex;  // of the finite values
        uint32_t count = 0;                               // finite values
        double sum = 0;                                   // of the finite values
    };

    void clear();
    // Brings the blocks up to date with `values`, which has only grown since
    // the previous call (points appended). After any other change, rebuild.
    void update(const std::vector<double> &values);
    void rebuild(const std::vector<double> &values);

    size_t size() const { return m_size; }
    int levels() const { return int(m_levels.size()); }
    // Block b of level l covers [b << (FirstShift + l), (b + 1) << (FirstShift + l)).
    const Block &block(int level, size_t b) const { return m_levels[size_t(level)][b]; }
    static size_t blockSize(int level) { return size_t(1) << (FirstShift + level); }

private:
    std::vector<std::vector<Block>> m_levels;
    size_t m_size = 0;
};

// One pixel column of a reduced range: the indices it covers and the
// summary of their finite values.
struct Column {
    int64_t pixel = 0;                 // floor((key - lo) / (hi - lo) * columns)
    size_t first = 0, last = 0;        // indices covered, inclusive
    uint32_t minIndex = SeriesPyramid::NoIndex, maxIndex = SeriesPyramid::NoIndex;
    uint32_t count = 0;
    double sum = 0;
};

// Reduces values[from, to) (keys ascending) to at most one Column per pixel
// of `columns` pixels spanning keys [lo, hi]; points outside [lo, hi] land in
// columns below 0 or from `columns` on. Blocks of the pyramid no wider than
// (to - from) / columns points are read whole; a block is placed by its
// first key, so a column's extent is exact to within one block.
void reduceToColumns(const std::vector<double> &keys, const std::vector<double> &values,
                     const SeriesPyramid &pyramid, size_t from, size_t to, double lo, double hi,
                     int columns, std::vector<Column> *out);

} // namespace attnscope
