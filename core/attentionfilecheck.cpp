// The checks every format of an attention file shares (shapes, values,
// tasks and classes across samples), and the AttentionFile they make.
#include "attentionfileparts.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

namespace attnscope::attentionfile {

namespace {

// Locale-independent (a Qt application sets LC_NUMERIC from the environment).
std::string numberText(double value)
{
    char buffer[32];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 6);
    return std::string(buffer, r.ptr);
}

// Empty when v[0..n) is a probability distribution: every value finite and
// non-negative, the sum within tolerance of 1 (summed in double, so that the
// only error is the values' own rounding: at most 2^-11 of the sum for
// float16, far below 1e-3). Otherwise what is wrong, `what` naming a value
// ("weight 3 is NaN").
std::string distributionProblem(const float *v, size_t n, double tolerance, const char *what)
{
    double sum = 0;
    for (size_t j = 0; j < n; ++j) {
        const float x = v[j];
        if (!std::isfinite(x))
            return std::string(what) + " " + std::to_string(j) + " is " + (std::isnan(x) ? "NaN" : "infinite");
        if (x < 0) return std::string(what) + " " + std::to_string(j) + " is negative (" + numberText(x) + ")";
        sum += double(x);
    }
    if (!(std::fabs(sum - 1.0) <= tolerance))
        return "sums to " + numberText(sum) + ", not 1 (within " + numberText(tolerance) + ")";
    return {};
}

// What every sample shares with sample 0: its maps' layers and heads, its
// tasks, whether it has predictions, and each task's classes.
struct Shared {
    int layers = 0, heads = 0;
    std::vector<std::string> tasks;
    std::vector<std::vector<std::string>> classes;  // [task][class], "" = not named yet
    bool predictions = false;
};

// The sample's tokens and self-attention maps: L x L, as many layers and
// heads as sample 0's (`first` sets them), each row a distribution. `at`
// starts each message.
std::string mapsProblem(const RawSample &r, bool first, const std::string &at, double tolerance, Shared &shared)
{
    const AttentionFileSample &s = r.sample;
    if (!r.hasTokens) return at + "no 'tokens'";
    const size_t L = s.tokens.size();
    if (L == 0) return at + "no tokens";
    const SelfAttentionMaps &maps = s.selfAttention;
    if (maps.empty() && r.pooling.empty())
        return at + "no attention: neither 'attention' (or 'layers') nor 'pooling' (or 'tasks') with weights";
    if (!maps.empty() && size_t(maps.n) != L)
        return at + "its maps are " + std::to_string(maps.n) + " x " + std::to_string(maps.n) + " but it has "
               + std::to_string(L) + " tokens";
    if (first) {
        shared.layers = maps.layers;
        shared.heads = maps.heads;
    } else if (maps.layers != shared.layers || maps.heads != shared.heads) {
        return at + std::to_string(maps.layers) + " layers of " + std::to_string(maps.heads)
               + " heads, sample 0 has " + std::to_string(shared.layers) + " of " + std::to_string(shared.heads);
    }
    for (int l = 0; l < maps.layers; ++l)
        for (int h = 0; h < maps.heads; ++h)
            for (size_t q = 0; q < L; ++q) {
                const std::string problem = distributionProblem(maps.map(l, h) + q * L, L, tolerance, "weight");
                if (!problem.empty())
                    return at + "layer " + std::to_string(l) + ", head " + std::to_string(h) + ", row "
                           + std::to_string(q) + ": " + problem;
            }
    return {};
}

// The sample's pooling weights, one distribution over its tokens a task,
// moved into its weights in task order; its tasks are sample 0's (`first`
// sets them).
std::string takePooling(RawSample &r, bool first, const std::string &at, double tolerance, Shared &shared)
{
    AttentionFileSample &s = r.sample;
    const size_t L = s.tokens.size();
    // Tasks in byte order, as the model orders them (MODEL.md 7).
    std::sort(r.pooling.begin(), r.pooling.end(),
              [](const NamedWeights &a, const NamedWeights &b) { return a.task < b.task; });
    std::vector<std::string> names;
    for (NamedWeights &t : r.pooling) {
        if (!names.empty() && names.back() == t.task) return at + "task " + inQuotes(t.task) + " given twice";
        names.push_back(t.task);
        const std::string task = at + "task " + inQuotes(t.task) + ": ";
        if (t.weights.size() != L)
            return task + std::to_string(t.weights.size()) + " pooling weights for " + std::to_string(L) + " tokens";
        if (std::string problem = distributionProblem(t.weights.data(), L, tolerance, "weight"); !problem.empty())
            return task + "its pooling weights: " + problem;
        s.weights.push_back(std::move(t.weights));
    }
    if (first) {
        shared.tasks = names;
        shared.classes.resize(names.size());
        shared.predictions = !r.predictions.empty();
    } else if (names != shared.tasks) {
        return at + "its tasks differ from sample 0's (every sample has the same tasks)";
    }
    return {};
}

// The class a prediction names is its first most probable one, as
// attnscope-cli picks it; a class has one name in every sample. `task`
// starts each message.
std::string nameClass(const Prediction &pred, const std::string &task, std::vector<std::string> &classes)
{
    const size_t best = size_t(std::max_element(pred.probs.begin(), pred.probs.end()) - pred.probs.begin());
    if (pred.className.empty()) return {};
    for (size_t c = 0; c < classes.size(); ++c)
        if (c != best && classes[c] == pred.className)
            return task + "class " + inQuotes(pred.className) + " is most probable at " + std::to_string(best)
                   + " here and at " + std::to_string(c) + " in an earlier sample";
    if (!classes[best].empty() && classes[best] != pred.className)
        return task + "its most probable class, " + std::to_string(best) + ", is named " + inQuotes(pred.className)
               + " here and " + inQuotes(classes[best]) + " in an earlier sample";
    classes[best] = pred.className;
    return {};
}

// The sample's predictions (after takePooling): one a task or none, as in
// sample 0, each a distribution over as many classes as sample 0's; moved
// into its probs in task order.
std::string takePredictions(RawSample &r, const std::string &at, double tolerance, Shared &shared)
{
    AttentionFileSample &s = r.sample;
    const std::vector<std::string> &names = shared.tasks;
    std::sort(r.predictions.begin(), r.predictions.end(),
              [](const Prediction &a, const Prediction &b) { return a.task < b.task; });
    if (!r.predictions.empty() != shared.predictions)
        return at + (shared.predictions ? "no predictions, while sample 0 has them" : "predictions, while sample 0 has none");
    if (shared.predictions && r.predictions.size() != names.size())
        return at + "predictions for " + std::to_string(r.predictions.size()) + " of its "
               + std::to_string(names.size()) + " tasks";
    // Both sorted, as many predictions as tasks: one for each task, in task order, or an error.
    for (size_t t = 0; t < r.predictions.size(); ++t) {
        Prediction &pred = r.predictions[t];
        const std::string task = at + "prediction for " + inQuotes(pred.task) + ": ";
        if (names[t] != pred.task)
            return task + (std::binary_search(names.begin(), names.end(), pred.task)
                               ? "given twice"
                               : "a task without pooling weights ('tasks' or 'pooling')");
        if (pred.probs.empty()) return task + "no probabilities";
        if (std::string problem = distributionProblem(pred.probs.data(), pred.probs.size(), tolerance, "probability");
            !problem.empty())
            return task + "its probabilities: " + problem;
        std::vector<std::string> &classes = shared.classes[t];
        if (classes.empty()) classes.resize(pred.probs.size());
        if (classes.size() != pred.probs.size())
            return task + std::to_string(pred.probs.size()) + " classes, sample 0 has " + std::to_string(classes.size());
        if (std::string problem = nameClass(pred, task, classes); !problem.empty()) return problem;
        s.probs.push_back(std::move(pred.probs));
    }
    return {};
}

// The tasks with their classes' names ("class c" where no sample named one).
std::vector<TaskInfo> taskInfos(const Shared &shared)
{
    std::vector<TaskInfo> tasks;
    for (size_t t = 0; t < shared.tasks.size(); ++t) {
        TaskInfo task;
        task.name = shared.tasks[t];
        for (size_t c = 0; c < shared.classes[t].size(); ++c)
            task.classes.push_back(shared.classes[t][c].empty() ? "class " + std::to_string(c) : shared.classes[t][c]);
        tasks.push_back(std::move(task));
    }
    return tasks;
}

} // namespace

std::string assemble(std::vector<RawSample> raw, const std::string &path, AttentionFileFormat format,
                     const AttentionFileLimits &limits, AttentionFile *out)
{
    if (raw.empty()) return path + ": no samples";
    Shared shared;
    for (size_t i = 0; i < raw.size(); ++i) {
        RawSample &r = raw[i];
        // Built with append: GCC 12 warns falsely (-Wrestrict) of the same concatenation written with +.
        std::string at = path;
        if (r.sample.line > 0) at.append(":").append(std::to_string(r.sample.line));
        at.append(": ");
        if (format == AttentionFileFormat::Json) at.append("sample ").append(std::to_string(i)).append(": ");
        std::string problem = mapsProblem(r, i == 0, at, limits.tolerance, shared);
        if (problem.empty()) problem = takePooling(r, i == 0, at, limits.tolerance, shared);
        if (problem.empty()) problem = takePredictions(r, at, limits.tolerance, shared);
        if (!problem.empty()) return problem;
        r.pooling.clear();
        r.predictions.clear();
        r.pooling.shrink_to_fit();
        r.predictions.shrink_to_fit();
    }
    AttentionFile file;
    file.path = path;
    file.format = format;
    file.layers = shared.layers;
    file.heads = shared.heads;
    file.tasks = taskInfos(shared);
    file.samples.reserve(raw.size());
    for (RawSample &r : raw)
        file.samples.push_back(std::move(r.sample));
    *out = std::move(file);
    return {};
}

} // namespace attnscope::attentionfile
