// Everything one training run starts from: the model (fresh or from a
// checkpoint), the encoded training and validation splits and the trainer's
// settings. The window builds it on the GUI thread for small data, on a
// thread of its own for large data (MainWindow::AsyncSetupSamples) and when a
// dataset loads; it is not changed after that, and the worker copies it, so
// the threads never share mutable state.
#pragma once

#include "dataset.h"
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
};

// A fresh model of config for data (vocabulary or feature statistics from the
// training split, weights from train.seed) and the encoded splits. False and
// *error when the data or the configuration cannot be used.
bool buildSetup(const Dataset &data, const ModelConfig &config, const TrainConfig &train,
                double valFraction, TrainingSetup *out, std::string *error);

// The same around an existing model (a checkpoint): the data must have the
// model's input kind, tasks and classes.
bool buildSetupFromModel(const Dataset &data, const Model &model, const TrainConfig &train,
                         double valFraction, TrainingSetup *out, std::string *error);

} // namespace attnscope
