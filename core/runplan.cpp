#include "runplan.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <unordered_map>

namespace attnscope {

namespace {

// At most `most` names in brackets, then how many more (a task may have
// 20,000 classes, a table 10,000 features).
std::string shortList(const std::vector<std::string> &items, size_t most = 20)
{
    if (items.size() <= most)
        return bracketList(items);
    std::vector<std::string> shown(items.begin(), items.begin() + std::ptrdiff_t(most));
    std::string list = bracketList(shown);
    list.pop_back();
    return list + ", ... and " + std::to_string(items.size() - most) + " more]";
}

// The names of `of` that are not in `in`, in the order of `of`.
std::vector<std::string> without(const std::vector<std::string> &of, const std::vector<std::string> &in)
{
    const std::set<std::string> there(in.begin(), in.end());
    std::vector<std::string> out;
    for (const std::string &name : of)
        if (!there.count(name))
            out.push_back(name);
    return out;
}

} // namespace

std::string featureMismatch(const std::vector<std::string> &features, const std::vector<std::string> &expected,
                            const std::string &source, const std::string &modelName)
{
    if (features == expected)
        return {};
    const std::vector<std::string> missing = without(expected, features), unexpected = without(features, expected);
    if (missing.empty() && unexpected.empty())
        return source + " has the features of " + modelName + " in another order: " + shortList(features)
               + " instead of " + shortList(expected);
    std::string what = source + "'s features are not those of " + modelName + ":";
    if (!missing.empty())
        what += " missing " + shortList(missing);
    if (!unexpected.empty())
        what += std::string(missing.empty() ? "" : ";") + " unexpected " + shortList(unexpected);
    return what;
}

std::string checkCompatible(const Dataset &data, const Model &model, const std::string &modelName)
{
    const std::string &source = data.source.empty() ? std::string("the data") : data.source;
    if (data.input != model.config.input)
        return source + " is " + toString(data.input) + " data but " + modelName + " is a "
               + toString(model.config.input) + " model";
    if (const std::vector<std::string> have = taskNameList(data.tasks), want = taskNameList(model.tasks); have != want) {
        // What differs, as the features' message says it.
        const std::vector<std::string> missing = without(want, have), unexpected = without(have, want);
        std::string what = missing.empty() && unexpected.empty() ? std::string(" (in another order)") : std::string();
        if (!missing.empty())
            what += " (missing " + shortList(missing);
        if (!unexpected.empty())
            what += std::string(missing.empty() ? " (" : "; ") + "unexpected " + shortList(unexpected);
        if (!missing.empty() || !unexpected.empty())
            what += ")";
        return source + " has tasks " + bracketList(have) + " but " + modelName + " was trained on "
               + bracketList(want) + what;
    }
    for (size_t t = 0; t < data.tasks.size(); ++t)
        if (data.tasks[t].classes != model.tasks[t].classes)
            return "task '" + data.tasks[t].name + "': " + source + " has classes "
                   + bracketList(data.tasks[t].classes) + " but " + modelName + " has "
                   + bracketList(model.tasks[t].classes);
    if (data.input == InputKind::Tabular)
        return featureMismatch(data.featureNames, model.features, source, modelName);
    return {};
}

std::string fitToModel(Dataset *data, const Model &model, const std::string &modelName)
{
    if (data->input != model.config.input || taskNameList(data->tasks) != taskNameList(model.tasks))
        return checkCompatible(*data, model, modelName);
    const std::string &source = data->source.empty() ? std::string("the data") : data->source;
    if (data->input == InputKind::Tabular)
        if (std::string misfit = featureMismatch(data->featureNames, model.features, source, modelName);
            !misfit.empty())
            return misfit;
    // Each task's classes to the model's indices; a class it does not
    // know is refused with the first line that has it.
    std::vector<std::vector<int>> remap(data->tasks.size());
    for (size_t t = 0; t < data->tasks.size(); ++t) {
        std::unordered_map<std::string, int> index;
        for (size_t c = 0; c < model.tasks[t].classes.size(); ++c)
            index.emplace(model.tasks[t].classes[c], int(c));
        for (const std::string &name : data->tasks[t].classes) {
            const auto it = index.find(name);
            remap[t].push_back(it == index.end() ? -1 : it->second);
        }
    }
    for (const Sample &sample : data->samples)
        for (size_t t = 0; t < sample.labels.size() && t < remap.size(); ++t) {
            const int c = sample.labels[t];
            if (c >= 0 && remap[t][size_t(c)] < 0) {
                // Built with append: GCC 12 warns falsely (-Wrestrict) of ":" + to_string(...) inlined here.
                std::string at = source;
                if (sample.line > 0) at.append(":").append(std::to_string(sample.line));
                return at + ": task '" + data->tasks[t].name + "': class '" + data->tasks[t].classes[size_t(c)]
                       + "' is not one of the " + std::to_string(model.tasks[t].classes.size()) + " classes of "
                       + modelName + " " + shortList(model.tasks[t].classes);
            }
        }
    for (Sample &sample : data->samples)
        for (size_t t = 0; t < sample.labels.size() && t < remap.size(); ++t)
            if (sample.labels[t] >= 0)
                sample.labels[t] = remap[t][size_t(sample.labels[t])];
    data->tasks = model.tasks;
    return {};
}

RunPlan planRun(const Dataset &data, const RunRequest &request)
{
    RunPlan plan;
    if (request.checkpoint) {
        plan.misfit = checkCompatible(data, *request.checkpoint, request.checkpointName);
        if (plan.misfit.empty()) {
            plan.checkpoint = request.checkpoint;
            plan.config = request.checkpoint->config;
            return plan;
        }
    }
    plan.config = request.config;
    plan.coincideWith = request.coincideWith;
    if (request.lessonDepth && data.suggestedLayers >= 0 && data.suggestedLayers != plan.config.layers) {
        // A built-in lesson's depth (docs/datasets.md); the window's user can change it back.
        plan.config.layers = data.suggestedLayers;
        plan.lesson = true;
    }
    return plan;
}

bool buildSetup(const Dataset &data, const RunPlan &plan, const TrainConfig &train, double valFraction,
                TrainingSetup *out, std::string *error)
{
    if (data.samples.empty()) {
        *error = data.source + ": no samples";
        return false;
    }
    if (plan.checkpoint) {
        // planRun checked it; a plan made for other data is refused here.
        if (std::string misfit = checkCompatible(data, *plan.checkpoint); !misfit.empty()) {
            *error = std::move(misfit);
            return false;
        }
    }
    const Split split = splitDataset(data, valFraction, train.seed);
    if (split.train.empty()) {
        char fraction[32];
        std::snprintf(fraction, sizeof fraction, "%g", valFraction);
        *error = data.source + ": no training samples (" + std::to_string(data.samples.size()) + " samples"
                 + (data.hasFileSplit() ? "; " + data.fileSplitCounts()
                                        : ", validation fraction " + std::string(fraction))
                 + ")";
        return false;
    }
    if (plan.checkpoint) {
        out->model = *plan.checkpoint;
    } else {
        if (!createModel(data, split.train, plan.config, train.seed, &out->model, error, double(memoryBudget())))
            return false;
        if (const std::string problem = out->model.config.validate(); !problem.empty()) {
            *error = problem;
            return false;
        }
        if (plan.coincideWith)
            out->coincided = copyCoinciding(*plan.coincideWith, out->model);
    }
    // mu of the run from its first step on (the trainer sets it at every step):
    // a checkpoint of the weights before the first step records the run's own.
    out->model.rationaleWeight = train.rationaleWeight;
    out->config = train;
    out->source = data.source;
    const Model &model = out->model;
    // Feature values the model's statistics cannot standardise are refused (file, line, feature).
    for (const std::vector<int> *indices : {&split.train, &split.val})
        if (!checkStandardised(data, *indices, model.inputMean, model.inputStd, error))
            return false;
    // Only the ids are trained on: the training split keeps no display tokens.
    const Vocabulary vocab = model.config.input == InputKind::Text ? Vocabulary(model.vocab) : Vocabulary();
    out->train = encodeDataset(data, split.train, vocab, model.config.maxLen, /*keepTokens=*/false);
    out->val = encodeDataset(data, split.val, vocab, model.config.maxLen);
    return true;
}

size_t copyCoinciding(const Model &from, Model &to)
{
    if (from.config.input != to.config.input)
        return 0;
    size_t copied = 0;
    for (const TensorSpec &t : to.layout.tensors()) {
        const TensorSpec *source = from.layout.find(t.name);
        if (!source || source->shape != t.shape)
            continue;
        // An embedding row means a token or a feature: the same only where both read the input alike.
        if (t.name == "embed.token" && from.vocab != to.vocab)
            continue;
        if (t.name.rfind("embed.feature", 0) == 0
            && (from.features != to.features || from.inputMean != to.inputMean || from.inputStd != to.inputStd))
            continue;
        std::copy_n(from.params.begin() + std::ptrdiff_t(source->offset), t.size,
                    to.params.begin() + std::ptrdiff_t(t.offset));
        copied += t.size;
    }
    return copied;
}

bool buildSetup(const Dataset &data, const ModelConfig &config, const TrainConfig &train, double valFraction,
                TrainingSetup *out, std::string *error)
{
    RunRequest request;
    request.config = config;
    return buildSetup(data, planRun(data, request), train, valFraction, out, error);
}

} // namespace attnscope
