#include "decimation.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {

using Block = SeriesPyramid::Block;

// into += other, over the same values.
void merge(uint32_t *minIndex, uint32_t *maxIndex, uint32_t *count, double *sum, const Block &other,
           const std::vector<double> &values)
{
    if (other.count == 0)
        return;
    if (*count == 0) {
        *minIndex = other.minIndex;
        *maxIndex = other.maxIndex;
    } else {
        // Strict comparisons: among equal values the earliest index stays.
        if (values[other.minIndex] < values[*minIndex])
            *minIndex = other.minIndex;
        if (values[other.maxIndex] > values[*maxIndex])
            *maxIndex = other.maxIndex;
    }
    *count += other.count;
    *sum += other.sum;
}

Block single(const std::vector<double> &values, size_t i)
{
    Block b;
    if (std::isfinite(values[i])) {
        b.minIndex = b.maxIndex = uint32_t(i);
        b.count = 1;
        b.sum = values[i];
    }
    return b;
}

} // namespace

void SeriesPyramid::clear()
{
    m_levels.clear();
    m_size = 0;
}

void SeriesPyramid::rebuild(const std::vector<double> &values)
{
    clear();
    update(values);
}

void SeriesPyramid::update(const std::vector<double> &values)
{
    const size_t n = values.size();
    if (n < m_size) {
        rebuild(values);
        return;
    }
    if (n == m_size)
        return;
    const size_t old = m_size;
    m_size = n;
    // Level 0 always; level l + 1 as long as level l has more than one block.
    for (int level = 0; level == 0 || blockSize(level - 1) < n; ++level) {
        const int shift = FirstShift + level;
        size_t firstBlock = old >> shift;  // the first block the new points touch
        if (level == levels()) {
            m_levels.emplace_back();
            firstBlock = 0;
        }
        std::vector<Block> &blocks = m_levels[size_t(level)];
        blocks.resize(((n - 1) >> shift) + 1);
        for (size_t b = firstBlock; b < blocks.size(); ++b) {
            Block out;
            if (level == 0) {
                const size_t end = std::min(n, (b + 1) << shift);
                for (size_t i = b << shift; i < end; ++i)
                    merge(&out.minIndex, &out.maxIndex, &out.count, &out.sum, single(values, i), values);
            } else {
                const std::vector<Block> &below = m_levels[size_t(level - 1)];
                for (size_t c = 2 * b; c < std::min(below.size(), 2 * b + 2); ++c)
                    merge(&out.minIndex, &out.maxIndex, &out.count, &out.sum, below[c], values);
            }
            blocks[b] = out;
        }
    }
}

void reduceToColumns(const std::vector<double> &keys, const std::vector<double> &values,
                     const SeriesPyramid &pyramid, size_t from, size_t to, double lo, double hi,
                     int columns, std::vector<Column> *out)
{
    out->clear();
    to = std::min({to, keys.size(), values.size()});
    if (from >= to)
        return;
    columns = std::max(columns, 1);
    const double scale = hi > lo ? double(columns) / (hi - lo) : 0.0;
    const auto pixelOf = [&](size_t i) {
        return int64_t(std::floor(std::clamp((keys[i] - lo) * scale, -1e15, 1e15)));
    };
    // The widest blocks that hold no more points than a column does.
    const size_t perColumn = (to - from) / size_t(columns);
    int level = -1;
    while (level + 1 < pyramid.levels() && SeriesPyramid::blockSize(level + 1) <= perColumn)
        ++level;
    const size_t width = level >= 0 ? SeriesPyramid::blockSize(level) : 1;
    const size_t summarised = std::min(to, pyramid.size());  // blocks know only [0, size)
    size_t i = from;
    while (i < to) {
        Block unit;
        size_t next;
        if (level >= 0 && i % width == 0 && i + width <= summarised) {
            unit = pyramid.block(level, i >> (SeriesPyramid::FirstShift + level));
            next = i + width;
        } else {
            unit = single(values, i);
            next = i + 1;
        }
        const int64_t pixel = pixelOf(i);
        if (out->empty() || out->back().pixel != pixel) {
            Column c;
            c.pixel = pixel;
            c.first = i;
            out->push_back(c);
        }
        Column &c = out->back();
        c.last = next - 1;
        merge(&c.minIndex, &c.maxIndex, &c.count, &c.sum, unit, values);
        i = next;
    }
}

} // namespace attnscope
