#include "probeset.h"

#include <algorithm>

namespace attnscope {

void ProbeSet::choose(const EncodedDataset &data, const std::vector<TaskInfo> &tasks, int perClass,
                      int maxSamples)
{
    std::vector<int> chosen = m_pinned;
    auto take = [&](int i) {
        if (int(chosen.size()) >= maxSamples)
            return;
        if (std::find(chosen.begin(), chosen.end(), i) == chosen.end())
            chosen.push_back(i);
    };
    const int n = int(data.samples.size());
    // The samples of each task's classes, in data order, and each class's
    // count, in one pass over the data (a task may have 100,000 classes: a
    // pass per class takes minutes). A class's k-th sample (k < perClass) is
    // wanted, or the first after it not already chosen: at most perClass +
    // maxSamples of them are looked at.
    const size_t keep = size_t(std::max(0, perClass)) + size_t(std::max(0, maxSamples));
    std::vector<std::vector<std::vector<int>>> byClass(tasks.size());
    std::vector<std::vector<int64_t>> counts(tasks.size());
    for (size_t t = 0; t < tasks.size(); ++t) {
        byClass[t].resize(tasks[t].classes.size());
        counts[t].assign(tasks[t].classes.size(), 0);
    }
    for (int i = 0; i < n; ++i) {
        const std::vector<int32_t> &labels = data.samples[size_t(i)].labels;
        for (size_t t = 0; t < labels.size() && t < tasks.size(); ++t) {
            const int32_t c = labels[t];
            if (c < 0 || size_t(c) >= byClass[t].size())
                continue;
            ++counts[t][size_t(c)];
            if (byClass[t][size_t(c)].size() < keep)
                byClass[t][size_t(c)].push_back(i);
        }
    }
    // Each task's classes present in the data, the most frequent first (ties
    // in class order): the budget covers the classes a user meets most.
    std::vector<std::vector<int>> ranked(tasks.size());
    size_t mostClasses = 0;
    for (size_t t = 0; t < tasks.size(); ++t) {
        for (size_t c = 0; c < counts[t].size(); ++c)
            if (counts[t][c] > 0)
                ranked[t].push_back(int(c));
        std::stable_sort(ranked[t].begin(), ranked[t].end(),
                         [&](int a, int b) { return counts[t][size_t(a)] > counts[t][size_t(b)]; });
        mostClasses = std::max(mostClasses, ranked[t].size());
    }
    // Round-robin over the tasks, then down each task's ranking, so that a
    // small maxSamples covers the most frequent class of every task before
    // the second of any, and every class before any gets a second sample.
    for (int round = 0; round < perClass && int(chosen.size()) < maxSamples; ++round) {
        for (size_t rank = 0; rank < mostClasses && int(chosen.size()) < maxSamples; ++rank) {
            for (size_t t = 0; t < tasks.size() && int(chosen.size()) < maxSamples; ++t) {
                if (rank >= ranked[t].size())
                    continue;
                const std::vector<int> &samples = byClass[t][size_t(ranked[t][rank])];
                // The round-th sample of the class, or the first after it
                // not already chosen for another class.
                for (size_t k = size_t(round); k < samples.size(); ++k) {
                    if (std::find(chosen.begin(), chosen.end(), samples[k]) == chosen.end()) {
                        take(samples[k]);
                        break;
                    }
                }
            }
        }
    }
    if (chosen.empty())
        for (int i = 0; i < std::min(n, std::max(1, std::min(maxSamples, 8))); ++i)
            take(i);
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
