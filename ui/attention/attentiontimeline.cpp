#include "attentiontimeline.h"

#include <algorithm>
#include <cstdlib>

namespace attnscope {

AttentionTimeline::AttentionTimeline(int capacity, size_t byteBudget)
    : m_capacity(std::max(2, capacity)), m_budget(byteBudget)
{
}

void AttentionTimeline::add(AttentionSnapshot snapshot)
{
    const bool keep = m_added % m_stride == 0;
    ++m_added;
    if (keep) {
        if (int(m_kept.size()) >= m_capacity) {
            // Thin evenly: keep entries 0, 2, 4, ...; then keep every second new one.
            std::vector<AttentionSnapshot> thinned;
            thinned.reserve(m_kept.size() / 2 + 1);
            for (size_t i = 0; i < m_kept.size(); i += 2)
                thinned.push_back(std::move(m_kept[i]));
            m_kept = std::move(thinned);
            m_stride *= 2;
        }
        m_kept.push_back(snapshot);
    }
    m_latest = std::move(snapshot);
    m_latestKept = keep;
    enforceBudget();
}

void AttentionTimeline::clear()
{
    m_kept.clear();
    m_latest = AttentionSnapshot();
    m_latestKept = false;
    m_stride = 1;
    m_added = 0;
}

int AttentionTimeline::size() const
{
    if (m_added == 0)
        return 0;
    return int(m_kept.size()) + (m_latestKept ? 0 : 1);
}

const AttentionSnapshot &AttentionTimeline::at(int i) const
{
    if (i >= 0 && i < int(m_kept.size()))
        return m_kept[size_t(i)];
    return m_latest;
}

const AttentionSnapshot &AttentionTimeline::latest() const
{
    return m_latest;
}

int AttentionTimeline::indexOfStep(int64_t step) const
{
    const int n = size();
    int best = -1;
    int64_t bestDistance = 0;
    for (int i = 0; i < n; ++i) {
        const int64_t d = std::llabs(at(i).step - step);
        if (best < 0 || d < bestDistance) {
            best = i;
            bestDistance = d;
        }
    }
    return best;
}

size_t AttentionTimeline::bytes() const
{
    size_t total = m_latest.approximateBytes();
    for (const AttentionSnapshot &s : m_kept)
        total += s.approximateBytes();
    return total;
}

void AttentionTimeline::enforceBudget()
{
    // Oldest first; the newest kept one and m_latest keep their maps.
    for (size_t i = 0; i + 1 < m_kept.size() && bytes() > m_budget; ++i)
        m_kept[i].dropSelfAttention();
}

} // namespace attnscope
