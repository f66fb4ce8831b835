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

} // namespace

std::string assemble(std::vector<RawSample> raw, const std::string &path, AttentionFileFormat format,
                     const AttentionFileLimits &limits, AttentionFile *out)
{
    if (raw.empty()) return path + ": no samples";
    AttentionFile file;
    file.path = path;
    file.format = format;
    std::vector<std::string> taskNames;
    std::vector<std::vector<std::string>> classNames;  // [task][class], "" = not named yet
    bool predictions = false;
    for (size_t i = 0; i < raw.size(); ++i) {
        RawSample &r = raw[i];
        AttentionFileSample &s = r.sample;
        const std::string at = path + (s.line > 0 ? ":" + std::to_string(s.line) : std::string()) + ": "
                               + (format == AttentionFileFormat::Json ? "sample " + std::to_string(i) + ": " : "");
        if (!r.hasTokens) return at + "no 'tokens'";
        const size_t L = s.tokens.size();
        if (L == 0) return at + "no tokens";
        SelfAttentionMaps &maps = s.selfAttention;
        if (maps.empty() && r.pooling.empty())
            return at + "no attention: neither 'attention' (or 'layers') nor 'pooling' (or 'tasks') with weights";
        if (!maps.empty() && size_t(maps.n) != L)
            return at + "its maps are " + std::to_string(maps.n) + " x " + std::to_string(maps.n) + " but it has "
                   + std::to_string(L) + " tokens";
        if (i == 0) {
            file.layers = maps.layers;
            file.heads = maps.heads;
        } else if (maps.layers != file.layers || maps.heads != file.heads) {
            return at + std::to_string(maps.layers) + " layers of " + std::to_string(maps.heads)
                   + " heads, sample 0 has " + std::to_string(file.layers) + " of " + std::to_string(file.heads);
        }
        for (int l = 0; l < maps.layers; ++l)
            for (int h = 0; h < maps.heads; ++h)
                for (size_t q = 0; q < L; ++q) {
                    const std::string problem = distributionProblem(maps.map(l, h) + q * L, L, limits.tolerance, "weight");
                    if (!problem.empty())
                        return at + "layer " + std::to_string(l) + ", head " + std::to_string(h) + ", row "
                               + std::to_string(q) + ": " + problem;
                }

        // Tasks in byte order, as the model orders them (MODEL.md 7).
        std::sort(r.pooling.begin(), r.pooling.end(),
                  [](const NamedWeights &a, const NamedWeights &b) { return a.task < b.task; });
        std::sort(r.predictions.begin(), r.predictions.end(),
                  [](const Prediction &a, const Prediction &b) { return a.task < b.task; });
        std::vector<std::string> names;
        for (NamedWeights &t : r.pooling) {
            if (!names.empty() && names.back() == t.task) return at + "task " + inQuotes(t.task) + " given twice";
            names.push_back(t.task);
            const std::string task = at + "task " + inQuotes(t.task) + ": ";
            if (t.weights.size() != L)
                return task + std::to_string(t.weights.size()) + " pooling weights for " + std::to_string(L) + " tokens";
            if (std::string problem = distributionProblem(t.weights.data(), L, limits.tolerance, "weight"); !problem.empty())
                return task + "its pooling weights: " + problem;
            s.weights.push_back(std::move(t.weights));
        }
        if (i == 0) {
            taskNames = names;
            classNames.resize(names.size());
            predictions = !r.predictions.empty();
        } else if (names != taskNames) {
            return at + "its tasks differ from sample 0's (every sample has the same tasks)";
        }
        if (!r.predictions.empty() != predictions)
            return at + (predictions ? "no predictions, while sample 0 has them" : "predictions, while sample 0 has none");
        if (predictions && r.predictions.size() != names.size())
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
            if (std::string problem = distributionProblem(pred.probs.data(), pred.probs.size(), limits.tolerance, "probability");
                !problem.empty())
                return task + "its probabilities: " + problem;
            std::vector<std::string> &classes = classNames[t];
            if (classes.empty()) classes.resize(pred.probs.size());
            if (classes.size() != pred.probs.size())
                return task + std::to_string(pred.probs.size()) + " classes, sample 0 has " + std::to_string(classes.size());
            // The class named is the first most probable one, as attnscope-cli picks it.
            const size_t best = size_t(std::max_element(pred.probs.begin(), pred.probs.end()) - pred.probs.begin());
            if (!pred.className.empty()) {
                for (size_t c = 0; c < classes.size(); ++c)
                    if (c != best && classes[c] == pred.className)
                        return task + "class " + inQuotes(pred.className) + " is most probable at " + std::to_string(best)
                               + " here and at " + std::to_string(c) + " in an earlier sample";
                if (!classes[best].empty() && classes[best] != pred.className)
                    return task + "its most probable class, " + std::to_string(best) + ", is named "
                           + inQuotes(pred.className) + " here and " + inQuotes(classes[best]) + " in an earlier sample";
                classes[best] = pred.className;
            }
            s.probs.push_back(std::move(pred.probs));
        }
        r.pooling.clear();
        r.predictions.clear();
        r.pooling.shrink_to_fit();
        r.predictions.shrink_to_fit();
    }
    for (size_t t = 0; t < taskNames.size(); ++t) {
        TaskInfo task;
        task.name = taskNames[t];
        for (size_t c = 0; c < classNames[t].size(); ++c)
            task.classes.push_back(classNames[t][c].empty() ? "class " + std::to_string(c) : classNames[t][c]);
        file.tasks.push_back(std::move(task));
    }
    file.samples.reserve(raw.size());
    for (RawSample &r : raw)
        file.samples.push_back(std::move(r.sample));
    *out = std::move(file);
    return {};
}

} // namespace attnscope::attentionfile
