#include "runplan.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {

bool compatible(const Dataset &data, const Model &model, std::string *error)
{
    if (data.input != model.config.input) {
        *error = std::string("the data is ") + toString(data.input) + " but the model is "
                 + toString(model.config.input);
        return false;
    }
    if (data.tasks.size() != model.tasks.size()) {
        *error = "the data has " + std::to_string(data.tasks.size()) + " tasks but the model has "
                 + std::to_string(model.tasks.size());
        return false;
    }
    for (size_t t = 0; t < data.tasks.size(); ++t) {
        if (data.tasks[t] != model.tasks[t]) {
            *error = "task '" + data.tasks[t].name + "' differs between the data and the model";
            return false;
        }
    }
    if (data.input == InputKind::Tabular && data.featureNames != model.features) {
        *error = "the data's features differ from the model's";
        return false;
    }
    return true;
}

bool encode(const Dataset &data, const Split &split, TrainingSetup *out, std::string *error)
{
    const Model &model = out->model;
    for (const std::vector<int> *indices : {&split.train, &split.val})
        if (!checkStandardised(data, *indices, model.inputMean, model.inputStd, error))
            return false;
    const Vocabulary vocab = model.config.input == InputKind::Text ? Vocabulary(model.vocab) : Vocabulary();
    out->train = encodeDataset(data, split.train, vocab, model.config.maxLen, /*keepTokens=*/false);
    out->val = encodeDataset(data, split.val, vocab, model.config.maxLen);
    return true;
}

} // namespace

// Refused when the run does not fit, without the live attention's
// self-attention maps when only they are too many.
bool fitMemory(TrainingSetup *out, std::string *error)
{
    const ModelConfig &c = out->model.config;
    const int longestTrain = longestSample(out->train);
    const int longestVal = out->val.samples.empty() ? longestTrain : longestSample(out->val);
    const double budget = double(memoryBudget());
    const auto need = [&](bool keepMaps) {
        return runMemory(c, out->config, int(out->train.samples.size()), longestTrain,
                         std::max<int>(int(out->val.samples.size()), 1), longestVal, WindowWeightCopies, WindowPasses,
                         keepMaps);
    };
    out->selfAttentionLimit = selfAttentionKeepLimit();
    out->memoryNote.clear();
    // A probe in a snapshot, without its maps: per position a token (a
    // std::string, 32 bytes and its text) and the value, the task weights
    // and rationale flags. The views' share is that of the maps.
    const double probeBytes = double(longestVal) * (40 + 5.0 * c.tasks());
    const double probes = selfAttentionKeepLimit() / (probeBytes * WindowSnapshots);
    out->maxProbes = int(std::clamp(std::floor(probes), 1.0, 16.0));
    if (out->maxProbes < 16)
        out->memoryNote = out->source + ": the live attention follows " + std::to_string(out->maxProbes)
                          + (out->maxProbes == 1 ? " sample" : " samples") + " (the selected one first): each of "
                          + std::to_string(longestVal) + " positions takes " + formatBytes(probeBytes * WindowSnapshots)
                          + " in the timeline";
    if (need(true).total() <= budget)
        return true;
    if (std::string problem = checkRunMemory(out->source, c, need(false), budget); !problem.empty()) {
        *error = std::move(problem);
        return false;
    }
    out->selfAttentionLimit = 0;
    out->memoryNote = out->source + ": the self-attention maps are not kept for the views (the run needs "
                      + formatBytes(need(false).total()) + " of the memory budget's " + formatBytes(budget) + ")"
                      + (out->memoryNote.empty() ? "" : "; " + out->memoryNote.substr(out->source.size() + 2));
    return true;
}

bool buildSetup(const Dataset &data, const ModelConfig &config, const TrainConfig &train,
                double valFraction, TrainingSetup *out, std::string *error)
{
    if (data.samples.empty()) {
        *error = data.source + ": no samples";
        return false;
    }
    const Split split = splitDataset(data, valFraction, train.seed);
    if (split.train.empty()) {
        *error = data.source + ": no training samples";
        return false;
    }
    if (!createModel(data, split.train, config, train.seed, &out->model, error, double(memoryBudget())))
        return false;
    if (const std::string problem = out->model.config.validate(); !problem.empty()) {
        *error = problem;
        return false;
    }
    out->config = train;
    out->source = data.source;
    return encode(data, split, out, error) && fitMemory(out, error);
}

bool buildSetupFromModel(const Dataset &data, const Model &model, const TrainConfig &train,
                         double valFraction, TrainingSetup *out, std::string *error)
{
    if (!compatible(data, model, error))
        return false;
    const Split split = splitDataset(data, valFraction, train.seed);
    if (split.train.empty()) {
        *error = data.source + ": no training samples";
        return false;
    }
    out->model = model;
    out->config = train;
    out->source = data.source;
    return encode(data, split, out, error) && fitMemory(out, error);
}

} // namespace attnscope
