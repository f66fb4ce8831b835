#include "attentiontimeline.h"

#include <algorithm>
#include <cstdlib>

namespace attnscope {

namespace {
const AttentionSnapshot &emptySnapshot()
{
    static const AttentionSnapshot empty;
    return empty;
}
} // namespace

AttentionTimeline::AttentionTimeline(int capacity, size_t byteBudget)
    : m_capacity(std::max(2, capacity)), m_budget(byteBudget)
{
}

void AttentionTimeline::add(SnapshotPtr snapshot)
{
    if (!snapshot)
        return;
    const Entry entry{snapshot, snapshot->approximateBytes()};
    // The same step again (a pause's refresh after the mark's, with its
    // explanations): in its place, not one more.
    if (m_latestKept && !m_kept.empty() && m_kept.back().snapshot->step == snapshot->step) {
        m_kept.back() = entry;
        m_latest = entry;
        enforceBudget();
        return;
    }
    // One taken between the marks is the newest only: the steps kept are the marks'.
    const bool keep = !snapshot->betweenMarks && m_added % m_stride == 0;
    if (!snapshot->betweenMarks)
        ++m_added;
    if (keep) {
        if (int(m_kept.size()) >= m_capacity) {
            // Thin evenly: keep entries 0, 2, 4, ...; then keep every second new one.
            std::vector<Entry> thinned;
            thinned.reserve(m_kept.size() / 2 + 1);
            for (size_t i = 0; i < m_kept.size(); i += 2)
                thinned.push_back(std::move(m_kept[i]));
            m_kept = std::move(thinned);
            m_stride *= 2;
        }
        m_kept.push_back(entry);
    }
    m_latest = entry;
    m_latestKept = keep;
    enforceBudget();
}

void AttentionTimeline::clear()
{
    m_kept.clear();
    m_latest = Entry();
    m_latestKept = false;
    m_stride = 1;
    m_added = 0;
}

int AttentionTimeline::size() const
{
    if (!m_latest.snapshot)
        return 0;
    return int(m_kept.size()) + (m_latestKept ? 0 : 1);
}

SnapshotPtr AttentionTimeline::ptr(int i) const
{
    if (i >= 0 && i < int(m_kept.size()))
        return m_kept[size_t(i)].snapshot;
    return m_latest.snapshot;
}

SnapshotPtr AttentionTimeline::latestPtr() const
{
    return m_latest.snapshot;
}

const AttentionSnapshot &AttentionTimeline::at(int i) const
{
    const SnapshotPtr p = ptr(i);
    return p ? *p : emptySnapshot();
}

const AttentionSnapshot &AttentionTimeline::latest() const
{
    return m_latest.snapshot ? *m_latest.snapshot : emptySnapshot();
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
    size_t total = m_latestKept ? 0 : m_latest.bytes;
    for (const Entry &e : m_kept)
        total += e.bytes;
    return total;
}

void AttentionTimeline::enforceBudget()
{
    // Oldest first; the newest kept one and m_latest keep their maps.
    size_t total = bytes();
    for (size_t i = 0; i + 1 < m_kept.size() && total > m_budget; ++i) {
        Entry &e = m_kept[i];
        const auto &samples = e.snapshot->samples;
        if (std::none_of(samples.begin(), samples.end(), [](const AttentionSample &s) { return !s.selfAttention.empty(); }))
            continue;  // nothing left to drop
        auto stripped = std::make_shared<const AttentionSnapshot>(e.snapshot->withoutSelfAttention());
        const size_t bytes = stripped->approximateBytes();
        total -= e.bytes - bytes;
        e = Entry{std::move(stripped), bytes};
    }
}

} // namespace attnscope
