// The timeline: attention snapshots kept through training in bounded memory.
// Only the snapshots taken at the worker's step marks are kept (one taken
// between them, AttentionSnapshot::betweenMarks, is the newest only, until
// the next), so that two runs to the same step keep the same steps whatever
// their pace. At most `capacity` snapshots are kept, spread evenly over the run: when the
// store is full every second one is dropped and from then on only every
// second new snapshot is kept (the stride doubles), so the kept steps stay
// evenly spaced however long training goes. The newest snapshot is always
// available besides them. Above a byte budget, the encoder self-attention
// maps of older snapshots are dropped first (pooling weights are kept).
#pragma once

#include "attentionsnapshot.h"

#include <vector>

namespace attnscope {

class AttentionTimeline {
public:
    // 128: after a thinning 64 are left, at least (the worker marks
    // TrainingWorker::TimelineSnapshots steps of a run).
    explicit AttentionTimeline(int capacity = 128, size_t byteBudget = size_t(256) << 20);

    void add(SnapshotPtr snapshot);
    void add(AttentionSnapshot snapshot) { add(std::make_shared<const AttentionSnapshot>(std::move(snapshot))); }
    void clear();

    // Kept snapshots in step order, the newest last.
    int size() const;
    const AttentionSnapshot &at(int i) const;
    const AttentionSnapshot &latest() const;
    SnapshotPtr ptr(int i) const;       // the same, shared
    SnapshotPtr latestPtr() const;
    // Index of the kept snapshot closest to `step`, -1 when empty.
    int indexOfStep(int64_t step) const;

    int capacity() const { return m_capacity; }
    int stride() const { return m_stride; }
    size_t bytes() const;

private:
    void enforceBudget();

    int m_capacity;
    size_t m_budget;
    int m_stride = 1;                 // keep every m_stride-th snapshot added
    int64_t m_added = 0;
    struct Entry {
        SnapshotPtr snapshot;
        size_t bytes = 0;
    };
    std::vector<Entry> m_kept;
    Entry m_latest;                   // the newest, kept or not
    bool m_latestKept = false;
};

} // namespace attnscope
