// What a run of the window's session keeps besides its trainer's buffers,
// and the check of a run against the memory budget (core/memorybudget.h):
// the setup's initial weights, a copy to save or evaluate, the divergence
// guard's last good weights and the ones it is about to vouch for, the best
// evaluation's (TrainingWorker), the kept copies waiting for the session
// file (KeptCopyWeights), the
// evaluation's forward pass and the live attention's, and the live
// attention's snapshots. attnscope-cli keeps none of these and checks its
// own needs (app/cli_train.cpp).
#pragma once

#include "keptcheckpoints.h"
#include "runplan.h"

#include <string>

namespace attnscope {

// A fork keeps the trainer's state of its checkpoint for the life of the run
// (TrainingSetup::resumeFrom: Reset goes back to it): AdamW's two moment
// buffers, each the size of the weights (review21 F8).
constexpr int ForkStateCopies = 2;
// The kept copies waiting for the session file (keptcheckpoints.h), each the
// weights and the trainer's state (AdamW's two moments): 4 x 3.
constexpr int KeptCopyWeights = KeptCopiesWaiting * (1 + ForkStateCopies);
constexpr int WindowWeightCopies = 5 + KeptCopyWeights;
constexpr int WindowPasses = 2;
// Snapshots of the live attention held at once: the timeline's 64, the
// newest, the one shown and the one on its way.
constexpr int WindowSnapshots = 67;

// Checks the run of *setup against the memory budget and sets its
// selfAttentionLimit, maxProbes and memoryNote; false and *error (the file,
// the sizes, what to change) when it does not fit. Call it again after
// changing setup->config (the batch and the optimiser count).
// extraWeightCopies: copies of the weights' size the run keeps besides
// WindowWeightCopies (a fork's state, ForkStateCopies).
bool fitMemory(TrainingSetup *setup, std::string *error, int extraWeightCopies = 0);

} // namespace attnscope
