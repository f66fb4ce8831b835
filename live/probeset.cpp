#include "probeset.h"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace attnscope {

void ProbeSet::choose(const EncodedDataset &data, const std::vector<TaskInfo> &tasks, int perClass,
                      int maxSamples)
{
    std::vector<int> chosen = m_pinned;
    const int n = int(data.samples.size());
    std::vector<uint8_t> isChosen(size_t(std::max(0, n)), 0);
    // How many chosen samples carry each class: a sample chosen for one
    // task's class covers a class of every other task too.
    std::vector<std::vector<int>> covered(tasks.size());
    for (size_t t = 0; t < tasks.size(); ++t)
        covered[t].assign(tasks[t].classes.size(), 0);
    const auto labelOf = [&](int i, size_t t) {
        const std::vector<int32_t> &labels = data.samples[size_t(i)].labels;
        return t < labels.size() && labels[t] >= 0 && size_t(labels[t]) < covered[t].size() ? labels[t] : -1;
    };
    const auto take = [&](int i) {
        if (i < 0 || i >= n || isChosen[size_t(i)])
            return;
        isChosen[size_t(i)] = 1;
        for (size_t t = 0; t < tasks.size(); ++t)
            if (const int c = labelOf(i, t); c >= 0)
                ++covered[t][size_t(c)];
    };
    for (int i : chosen)
        take(i);
    const auto add = [&](int i) {
        if (int(chosen.size()) >= maxSamples || i < 0 || i >= n || isChosen[size_t(i)])
            return;
        take(i);
        chosen.push_back(i);
    };
    // The samples of each task's classes, in data order (at most
    // MaxCandidates each: enough to choose among), and each class's count,
    // in one pass over the data (a task may have 100,000 classes: a pass per
    // class takes minutes). They hold at most tasks x samples indices.
    constexpr size_t MaxCandidates = 4096;
    std::vector<std::vector<std::vector<int>>> byClass(tasks.size());
    std::vector<std::vector<int64_t>> counts(tasks.size());
    for (size_t t = 0; t < tasks.size(); ++t) {
        byClass[t].resize(tasks[t].classes.size());
        counts[t].assign(tasks[t].classes.size(), 0);
    }
    for (int i = 0; i < n; ++i)
        for (size_t t = 0; t < tasks.size(); ++t)
            if (const int c = labelOf(i, t); c >= 0) {
                ++counts[t][size_t(c)];
                if (byClass[t][size_t(c)].size() < MaxCandidates)
                    byClass[t][size_t(c)].push_back(i);
            }
    // Each task's classes present in the data, the most frequent first (ties
    // in class order): the budget covers the classes a user meets most.
    std::vector<std::vector<int>> ranked(tasks.size()), rankOf(tasks.size());
    size_t mostClasses = 0;
    for (size_t t = 0; t < tasks.size(); ++t) {
        for (size_t c = 0; c < counts[t].size(); ++c)
            if (counts[t][c] > 0)
                ranked[t].push_back(int(c));
        std::stable_sort(ranked[t].begin(), ranked[t].end(),
                         [&](int a, int b) { return counts[t][size_t(a)] > counts[t][size_t(b)]; });
        rankOf[t].assign(counts[t].size(), 0);
        for (size_t r = 0; r < ranked[t].size(); ++r)
            rankOf[t][size_t(ranked[t][r])] = int(r);
        mostClasses = std::max(mostClasses, ranked[t].size());
    }
    // Of the samples of task t's class c not chosen yet, the one that also
    // covers the most classes of the other tasks that have fewer than
    // `round` + 1 probes, the most frequent of them first; ties in data
    // order. (Taking the class's first sample whatever its other labels
    // covered one lexname class three times and left a frequent one out.)
    const auto best = [&](size_t t, int c, int round) {
        int found = -1, foundNew = -1, foundRank = 0;
        for (int i : byClass[t][size_t(c)]) {
            if (isChosen[size_t(i)])
                continue;
            int fresh = 0, rank = std::numeric_limits<int>::max();
            for (size_t u = 0; u < tasks.size(); ++u)
                if (const int l = labelOf(i, u); u != t && l >= 0 && covered[u][size_t(l)] <= round) {
                    ++fresh;
                    rank = std::min(rank, rankOf[u][size_t(l)]);
                }
            if (fresh > foundNew || (fresh == foundNew && fresh > 0 && rank < foundRank)) {
                found = i;
                foundNew = fresh;
                foundRank = rank;
            }
        }
        return found;
    };
    // Round-robin over the tasks, then down each task's ranking, so that a
    // small maxSamples covers the most frequent class of every task before
    // the second of any, and every class before any gets a second sample.
    // A class that already has round + 1 probes (pinned, or chosen for
    // another task's class) costs nothing.
    for (int round = 0; round < perClass && int(chosen.size()) < maxSamples; ++round)
        for (size_t rank = 0; rank < mostClasses && int(chosen.size()) < maxSamples; ++rank)
            for (size_t t = 0; t < tasks.size() && int(chosen.size()) < maxSamples; ++t)
                if (rank < ranked[t].size() && covered[t][size_t(ranked[t][rank])] <= round)
                    add(best(t, ranked[t][rank], round));
    if (chosen.empty())
        for (int i = 0; i < std::min(n, std::max(1, std::min(maxSamples, 8))); ++i)
            add(i);
    m_indices = std::move(chosen);
}

std::vector<std::vector<int>> ProbeSet::classesWithoutProbe(const EncodedDataset &data,
                                                            const std::vector<TaskInfo> &tasks) const
{
    std::vector<std::vector<uint8_t>> covered(tasks.size());
    for (size_t t = 0; t < tasks.size(); ++t)
        covered[t].assign(tasks[t].classes.size(), 0);
    for (int i : m_indices) {
        if (i < 0 || size_t(i) >= data.samples.size())
            continue;
        const std::vector<int32_t> &labels = data.samples[size_t(i)].labels;
        for (size_t t = 0; t < labels.size() && t < tasks.size(); ++t)
            if (labels[t] >= 0 && size_t(labels[t]) < covered[t].size())
                covered[t][size_t(labels[t])] = 1;
    }
    std::vector<std::vector<int>> missing(tasks.size());
    for (size_t t = 0; t < tasks.size(); ++t)
        for (size_t c = 0; c < covered[t].size(); ++c)
            if (!covered[t][c])
                missing[t].push_back(int(c));
    return missing;
}

bool ProbeSet::contains(int index) const
{
    return std::find(m_indices.begin(), m_indices.end(), index) != m_indices.end();
}

bool ProbeSet::add(int index)
{
    if (index < 0 || contains(index))
        return false;
    m_indices.push_back(index);
    return true;
}

bool ProbeSet::remove(int index)
{
    auto it = std::find(m_indices.begin(), m_indices.end(), index);
    if (it == m_indices.end())
        return false;
    m_indices.erase(it);
    m_pinned.erase(std::remove(m_pinned.begin(), m_pinned.end(), index), m_pinned.end());
    return true;
}

void ProbeSet::setPinned(int index, bool pinned)
{
    if (pinned) {
        add(index);
        if (!isPinned(index))
            m_pinned.push_back(index);
    } else {
        m_pinned.erase(std::remove(m_pinned.begin(), m_pinned.end(), index), m_pinned.end());
    }
}

bool ProbeSet::isPinned(int index) const
{
    return std::find(m_pinned.begin(), m_pinned.end(), index) != m_pinned.end();
}

void ProbeSet::clear()
{
    m_indices = m_pinned;
}

AttentionSnapshot ProbeSet::refresh(const Model &model, const EncodedDataset &data, int64_t step,
                                    const Dataset *dataset, SnapshotLimits limits) const
{
    limits.selfAttentionBudget = m_selfAttentionBudget;
    limits.focus = m_focus;
    return makeSnapshot(model, data, m_indices, step, dataset, limits);
}

} // namespace attnscope
