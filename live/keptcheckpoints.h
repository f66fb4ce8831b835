// The spacing of a session's kept checkpoints, shared by the training
// worker (which copies its weights and the trainer's state at those steps,
// TrainingWorker::setKeepEvery) and the session file (which bounds how many
// it keeps, SessionFile::putCheckpoint).
#pragma once

#include <algorithm>
#include <cstdint>

namespace attnscope {

// How many "kept" checkpoints a run holds at most (SessionFile::putCheckpoint
// thins them), and the steps between two of them in a run of totalSteps: a
// KeptCheckpoints'th of it, at least 100. Enough to fork from and to survive
// a crash, never so many that the weights outweigh the curves. A run keeps
// one after every step that is a multiple of keepEvery(totalSteps).
constexpr int KeptCheckpoints = 20;
constexpr int64_t keepEvery(int64_t totalSteps)
{
    return std::max<int64_t>(100, (totalSteps + KeptCheckpoints - 1) / KeptCheckpoints);
}

// How many kept copies (the weights and the trainer's state of a multiple
// of keepEvery) wait at most for the session recorder, which takes them all
// with every snapshot and at every pause, stop and end
// (TrainingWorker::takeKept): it would have to take no snapshot for
// KeptCopiesWaiting x keepEvery steps (at least 400; a snapshot carries some
// 15) before one is missed. Counted in the run's memory budget
// (sessionmemory.h's KeptCopyWeights).
constexpr int KeptCopiesWaiting = 4;

} // namespace attnscope
