#include "trainingsetup.h"

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
    out->model = createModel(data, split.train, config, train.seed);
    if (const std::string problem = out->model.config.validate(); !problem.empty()) {
        *error = problem;
        return false;
    }
    out->config = train;
    out->source = data.source;
    return encode(data, split, out, error);
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
    return encode(data, split, out, error);
}

} // namespace attnscope
