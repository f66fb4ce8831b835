// Everything one training run starts from: the model (fresh or from a
// checkpoint), the encoded training and validation splits and the trainer's
// settings. The window builds it on the GUI thread for small data, on a
// thread of its own for large data (MainWindow::AsyncSetupSamples) and when a
// dataset loads; it is not changed after that, and the worker copies it, so
// the threads never share mutable state.
#pragma once

#include "dataset.h"
#include "memorybudget.h"
#include "model.h"
#include "trainer.h"

#include <memory>
#include <string>

namespace attnscope {

struct TrainingSetup {
    Model model;               // the initial weights (Reset returns to them)
    EncodedDataset train, val;
    TrainConfig config;
    std::string source;        // the dataset's spec, for messages
    // Bytes of self-attention maps a live-attention snapshot may keep (its
    // focus sample's included); 0 when the run needs all of the memory
    // budget and the views show the task attention only (memoryNote says so).
    double selfAttentionLimit = selfAttentionKeepLimit();
    // Probes the live attention follows (the selected one and the first
    // others): every snapshot the timeline keeps holds each probe's tokens
    // and weights, so very long samples allow fewer of them.
    int maxProbes = 16;
    std::string memoryNote;    // how the run was cut down to fit; empty: it was not
};

// What the window keeps besides a Trainer's buffers (memorybudget.h): the
// setup's initial weights and a copy to save or evaluate; the evaluation's
// forward pass and the live attention's.
constexpr int WindowWeightCopies = 2;
constexpr int WindowPasses = 2;
// Snapshots of the live attention held at once: the timeline's 64, the
// newest, the one shown and the one on its way.
constexpr int WindowSnapshots = 67;

// A fresh model of config for data (vocabulary or feature statistics from the
// training split, weights from train.seed) and the encoded splits. False and
// *error when the data or the configuration cannot be used, or when the run
// would not fit in the memory budget (the message names the file, the sizes
// and what to change).
bool buildSetup(const Dataset &data, const ModelConfig &config, const TrainConfig &train,
                double valFraction, TrainingSetup *out, std::string *error);

// Checks the run of *setup against the memory budget (memorybudget.h) and
// sets its selfAttentionLimit and memoryNote; false and *error (the file,
// the sizes, what to change) when it does not fit. The builders above call
// it; call it again after changing setup->config.
bool fitMemory(TrainingSetup *setup, std::string *error);

// The same around an existing model (a checkpoint): the data must have the
// model's input kind, tasks and classes, and the run must fit.
bool buildSetupFromModel(const Dataset &data, const Model &model, const TrainConfig &train,
                         double valFraction, TrainingSetup *out, std::string *error);

} // namespace attnscope
