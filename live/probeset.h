// The probe set: a fixed set of validation samples whose attention is taken
// every few steps during training. Chosen to cover every class of every task
// where the budget allows (at least one sample per labelled class, where the
// data has one; round-robin over the tasks, the most frequent classes first),
// then edited by the user: add, remove, pin (pinned samples survive a re-choice).
//
// A plain value type without widgets: the GUI edits it and hands a copy to
// the training worker, which calls refresh() from its own thread.
#pragma once

#include "attentionsnapshot.h"

#include <vector>

namespace attnscope {

class ProbeSet {
public:
    // Chooses probes among data.samples: the pinned ones first, then in
    // rounds, one sample of a class each: the first class of every task,
    // the second of every task, ..., each task's classes ranked by their
    // count in data (the most frequent first, ties in class order). In
    // round k a class with k + 1 probes already (a sample chosen for another
    // task's class carries one of this task's too) is passed over; else the
    // sample of that class that also covers the most classes of the other
    // tasks still short of k + 1 probes, the most frequent first (ties in
    // data order). perClass rounds, at most `maxSamples` in all. Unlabelled
    // data falls back to the first samples.
    void choose(const EncodedDataset &data, const std::vector<TaskInfo> &tasks, int perClass = 1,
                int maxSamples = 16);
    // Per task, the classes (indices) no probe of this set is labelled with:
    // those the budget left out and those data has no sample of.
    std::vector<std::vector<int>> classesWithoutProbe(const EncodedDataset &data,
                                                      const std::vector<TaskInfo> &tasks) const;

    // Indices into the validation EncodedDataset the probes came from.
    const std::vector<int> &indices() const { return m_indices; }
    int size() const { return int(m_indices.size()); }
    bool contains(int index) const;
    bool add(int index);     // false when already there
    bool remove(int index);  // also unpins; false when absent
    void setPinned(int index, bool pinned);  // pinning adds it when absent
    bool isPinned(int index) const;
    const std::vector<int> &pinned() const { return m_pinned; }
    void clear();            // keeps the pinned ones

    // Self-attention maps are large (L x L per layer and head): refresh()
    // keeps them for the focus sample first (the one the user looks at),
    // then for the others in order while they fit in the budget (bytes).
    void setFocus(int index) { m_focus = index; }
    int focus() const { return m_focus; }
    void setSelfAttentionBudget(size_t bytes) { m_selfAttentionBudget = bytes; }
    size_t selfAttentionBudget() const { return m_selfAttentionBudget; }

    // The core's forward pass (inspect(), in batches of bounded memory: see
    // makeSnapshot) over the probes of `data`, the set they were chosen from. Thread-safe with respect to the
    // GUI: it reads only its arguments, so the worker calls it between steps
    // with its own model. `dataset` optionally supplies the original texts;
    // `limits` the core's buffers, kept from refresh to refresh, and the
    // run's limit on kept maps (its focus and budget come from this set).
    AttentionSnapshot refresh(const Model &model, const EncodedDataset &data, int64_t step,
                              const Dataset *dataset = nullptr, SnapshotLimits limits = {}) const;

private:
    std::vector<int> m_indices;
    std::vector<int> m_pinned;
    int m_focus = -1;
    size_t m_selfAttentionBudget = size_t(32) << 20;
};

} // namespace attnscope

Q_DECLARE_METATYPE(attnscope::ProbeSet)
