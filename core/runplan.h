// What a training run starts from, and the one policy that decides it.
//
// planRun decides, before anything is encoded, what the model of a new run
// on some data is: the checkpoint's weights when the data fits them
// (checkCompatible), otherwise a fresh model of the configuration asked for,
// at a built-in lesson's depth when asked (the window, on a dataset it has
// just opened; attnscope-cli keeps MODEL.md's default). buildSetup then
// makes the plan: the split, the model, the encoded splits. The window's
// dataset load, Open checkpoint, a new run for changed settings and
// `attnscope-cli train` all go through these two.
//
// A TrainingSetup is not changed once built: the training worker copies it,
// so the threads never share mutable state.
#pragma once

#include "dataset.h"
#include "memorybudget.h"
#include "model.h"
#include "trainer.h"

#include <memory>
#include <optional>
#include <string>

namespace attnscope {

struct TrainingSetup {
    Model model;               // the initial weights (Reset returns to them)
    EncodedDataset train, val;
    TrainConfig config;
    // Where the trainer starts instead of step 0: a run forked from another's
    // checkpoint (model holds that checkpoint's weights) continues from its
    // step, optimiser moments and position in the epoch, with config's
    // learning rate, task weights and mu from there on (Reset returns here).
    std::optional<TrainerState> resumeFrom;
    std::string source;        // the dataset's spec, for messages
    // What the window's live attention may keep (live/sessionmemory.h sets
    // them for the memory budget). Bytes of self-attention maps a snapshot
    // may keep (its focus sample's included); 0 when the run needs all of the
    // budget and the views show the task attention only (memoryNote says so).
    double selfAttentionLimit = selfAttentionKeepLimit();
    // Probes the live attention follows (the selected one and the first
    // others): every snapshot the timeline keeps holds each probe's tokens
    // and weights, so very long samples allow fewer of them.
    int maxProbes = 16;
    std::string memoryNote;    // how the run was cut down to fit; empty: it was not
    size_t coincided = 0;      // values a fresh model took from plan.coincideWith (copyCoinciding)
};

// "" when `data` can train or be scored by `model`: the same input kind,
// tasks with the same classes in the same order, and for tabular data the
// same features. Otherwise what differs, naming data.source and modelName
// (a checkpoint's path). Encodes nothing.
std::string checkCompatible(const Dataset &data, const Model &model, const std::string &modelName = "the model");

// Scoring a model on data needs less than training it: each task's classes
// in the data may be a subset of the model's (a held-out file without a
// rare class). Relabels *data with the model's class indices and gives it
// the model's tasks, and returns ""; or, changing nothing, what does not
// fit: a class the model does not know ("<file>:<line>: task 't': class 'x'
// is not one of the N classes of <model> [...]", the first sample that has
// it), or checkCompatible's message.
std::string fitToModel(Dataset *data, const Model &model, const std::string &modelName = "the model");

// "" when a table's features are the model's, in the same order; otherwise
// which are missing and which unexpected (or that the order differs),
// naming source and modelName.
std::string featureMismatch(const std::vector<std::string> &features, const std::vector<std::string> &expected,
                            const std::string &source, const std::string &modelName);

// What a new run is asked to start from.
struct RunRequest {
    ModelConfig config;                       // a fresh model's configuration
    std::shared_ptr<const Model> checkpoint;  // weights to start from instead, when the data fits them
    std::string checkpointName = "the checkpoint";  // how messages name it (its path)
    bool lessonDepth = false;                 // a built-in lesson's suggested depth replaces config.layers
    // A fresh model then takes every tensor of these weights that coincides
    // (copyCoinciding): runs compared from the same initial weights.
    std::shared_ptr<const Model> coincideWith;
};

// What it will start from.
struct RunPlan {
    std::shared_ptr<const Model> checkpoint;  // these weights; null: a fresh model of config
    ModelConfig config;                       // the model's configuration (the checkpoint's, when there is one)
    std::string misfit;                       // why the checkpoint asked for is not used ("": it is, or there was none)
    bool lesson = false;                      // config.layers is the data's suggested depth, not the one asked for
    std::shared_ptr<const Model> coincideWith;  // a fresh model's tensors that coincide come from these weights

    bool operator==(const RunPlan &) const = default;
};

RunPlan planRun(const Dataset &data, const RunRequest &request);

// Copies into `to` every tensor of `from` that has the same name and shape
// and reads the input alike: the token embeddings only under the same
// vocabulary, the feature embeddings only for the same features and
// statistics. Runs of the attention modes, of 0 and 1 layer or of several
// learning rates start from the same weights this way wherever their
// parameters coincide (the embeddings, the encoder, the heads; MODEL.md's
// initialisation draws the pooling's before the heads, so a fresh model of
// another mode has other heads). Returns how many values it copied.
size_t copyCoinciding(const Model &from, Model &to);

// The plan made: the split of `data` (valFraction, train.seed), the model
// (the checkpoint's copy, or a fresh one: vocabulary or feature statistics
// from the training split, weights from train.seed) and both splits encoded
// with it. False and *error (naming the data) when the data or the
// configuration cannot be used, or the model's weights would not fit in the
// memory budget (memorybudget.h; what the rest of a run needs depends on who
// runs it: the CLI checks it, the window's session too, each for its own).
bool buildSetup(const Dataset &data, const RunPlan &plan, const TrainConfig &train, double valFraction,
                TrainingSetup *out, std::string *error);
// A fresh model of config: buildSetup(data, planRun(data, {config}), ...).
bool buildSetup(const Dataset &data, const ModelConfig &config, const TrainConfig &train, double valFraction,
                TrainingSetup *out, std::string *error);

} // namespace attnscope
