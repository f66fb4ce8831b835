#include "memorybudget.h"

#include "params.h"
#include "trainer.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <numeric>

#include <sys/resource.h>
#include <unistd.h>

namespace attnscope {

namespace {

std::atomic<size_t> g_override{0};

// "4G", "512M", "1000000" (powers of 1000); 0 when it is not a size.
size_t parseSize(const char *text)
{
    if (!text || !*text)
        return 0;
    char *end = nullptr;
    const double value = std::strtod(text, &end);
    double unit = 1;
    if (end && *end) {
        switch (*end) {
        case 'K': case 'k': unit = 1e3; break;
        case 'M': case 'm': unit = 1e6; break;
        case 'G': case 'g': unit = 1e9; break;
        case 'T': case 't': unit = 1e12; break;
        default: return 0;
        }
        if (end[1] && !(end[1] == 'B' && !end[2]))
            return 0;
    }
    const double bytes = value * unit;
    return std::isfinite(bytes) && bytes >= 1 && bytes < 1e19 ? size_t(bytes) : 0;
}

size_t defaultBudget()
{
    if (const size_t fromEnvironment = parseSize(std::getenv("ATTNSCOPE_MEMORY_BUDGET")))
        return fromEnvironment;
    const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
    size_t physical = pages > 0 && pageSize > 0 ? size_t(pages) * size_t(pageSize) : size_t(4) << 30;
    size_t budget = physical / 2;
    // Under ulimit -v the allocator fails long before physical memory runs out.
    rlimit limit{};
    if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        budget = std::min(budget, size_t(limit.rlim_cur) / 2);
    return std::max(budget, size_t(64) << 20);
}

constexpr double Float = sizeof(float);

// The words for the data's length in messages: "20000 features", "samples of 512 tokens".
std::string lengthWords(const ModelConfig &c, int L)
{
    return c.input == InputKind::Tabular ? std::to_string(L) + " features"
                                         : "samples of " + std::to_string(L) + " tokens";
}

std::string shorter(const ModelConfig &c)
{
    return c.input == InputKind::Tabular ? "fewer features" : "a shorter max length";
}

} // namespace

size_t memoryBudget()
{
    if (const size_t bytes = g_override.load())
        return bytes;
    static const size_t budget = defaultBudget();
    return budget;
}

void setMemoryBudget(size_t bytes)
{
    g_override.store(bytes);
}

std::string formatBytes(double bytes)
{
    static const char *const units[] = {"bytes", "KB", "MB", "GB", "TB", "PB"};
    int unit = 0;
    while (bytes >= 999.95 && unit < 5) {
        bytes /= 1000;
        ++unit;
    }
    char text[48];
    if (unit == 0)
        std::snprintf(text, sizeof text, "%.0f bytes", bytes);
    else if (std::fabs(bytes - std::round(bytes)) < 0.05)
        std::snprintf(text, sizeof text, "%.0f %s", bytes, units[unit]);
    else
        std::snprintf(text, sizeof text, "%.1f %s", bytes, units[unit]);
    return text;
}

std::string failureText(const std::exception &e)
{
    return dynamic_cast<const std::bad_alloc *>(&e) ? "out of memory" : e.what();
}

double linearScratchBytes(const ModelConfig &c, int rows)
{
    if (c.layers <= 0)
        return 0;  // the pooling's and heads' products: smaller than an encoder layer's
    const double d = c.dim, f = c.ffn, depth = std::max(d, f);
    return (std::max(3 * d * d, d * f) + depth * std::min(std::max(rows, 0), 512)) * Float;
}

// Per sample, as forward() in core/model.cpp grows its buffers (floats):
//   the batch: tokens or values, and the mask (a byte)   L + L/4
//   its rationale flags (a byte, when the data has rationales)   T L/4
//   embed (L, d), tabular std_values (L)
//   per layer: in (but the first, which reads embed), ln1, q, k, v, att_out, mid, ln2 (L, d);
//   four (L) statistics; gelu_grad, act (L, f)
//   last (with layers), H, keys (L, d); final LayerNorm statistics 2 (L); pool and its scores 2 (T, L);
//   z (T, d); zt (d); logits and probs 2 sum_t C_t; labels T
// and once: the queries (T, d). The attention A is layers x h x L x L per sample.
// Uniform mode has no keys, queries or scores: an upper bound there.
PassBytes forwardBytes(const ModelConfig &c, int batch, int L)
{
    const double B = std::max(batch, 0), n = std::max(L, 0), d = c.dim, f = c.ffn, T = c.tasks();
    const double N = std::max(c.layers, 0);
    const double classes = std::accumulate(c.classes.begin(), c.classes.end(), 0.0);
    const double perPosition = 1.25 + 0.25 * T + d + (c.input == InputKind::Tabular ? 1 : 0)
                               + N * (8 * d + 4 + 2 * f) - (N > 0 ? d : 0) + (N > 0 ? 3 : 2) * d + 2 + 2 * T;
    const double perSample = n * perPosition + T * d + d + 2 * classes + T;
    PassBytes bytes;
    bytes.selfAttention = N * B * double(std::max(c.heads, 1)) * n * n * Float;
    bytes.activations = (B * perSample + T * d) * Float + linearScratchBytes(c, batch * L);
    return bytes;
}

// backward() adds per sample: dH, dkeys, dh (L, d); with encoder layers dln, dattn
// (L, d), dqkv 3 (L, d) and dact (L, f; GELU's gradient goes in place); dz (T, d); dzt (d); dlogits sum_t C_t; the
// rationale term's dscore (T, L) (with mu > 0: counted whatever mu is); and per slice dq
// and the rationale scale (T, d + 1), in attention_backward dA (L, L) (the builds without
// AVX-512; that one's blocks of query rows need less) and the linear maps' scratch
// (linearScratchBytes; forwardBytes counted one thread's). More than one thread copies the
// batch into slices.
PassBytes trainingStepBytes(const ModelConfig &c, int batch, int L, int threads)
{
    PassBytes bytes = forwardBytes(c, batch, L);
    const double B = std::max(batch, 0), n = std::max(L, 0), d = c.dim, f = c.ffn, T = c.tasks();
    const double slices = std::max(1, std::min(threads, std::max(batch, 1)));
    const double classes = std::accumulate(c.classes.begin(), c.classes.end(), 0.0);
    const double perSample = n * (3 * d + T + (c.layers > 0 ? 5 * d + f : 0)) + T * d + d + classes;
    bytes.activations += (B * perSample + slices * T * (d + 1)) * Float
                         + (slices - 1) * linearScratchBytes(c, int(std::ceil(B / slices)) * L);
    if (c.layers > 0)
        bytes.activations += slices * n * n * Float;
    if (slices > 1)
        bytes.activations += B * n * (1.25 + 0.25 * T) * Float;
    return bytes;
}

double weightBytes(const ModelConfig &config)
{
    double floats = 0;
    const ParamLayout layout(config);
    for (const TensorSpec &t : layout.tensors()) {
        double size = 1;
        for (int s : t.shape) size *= double(std::max(s, 0));
        floats += size;
    }
    return floats * Float;
}

std::string largestWeight(const ModelConfig &c, double *bytes)
{
    // Tables that grow with the data or the settings, and the encoder as a whole.
    const double d = c.dim;
    struct Part {
        std::string name;
        double bytes;
    };
    const Part parts[] = {
        {"the token embedding (a vocabulary of " + std::to_string(c.vocabSize) + " x width " + std::to_string(c.dim) + ")",
         c.input == InputKind::Text ? double(c.vocabSize) * d * Float : 0},
        {"the position table (max length " + std::to_string(c.maxLen) + " x width " + std::to_string(c.dim) + ")",
         c.input == InputKind::Text ? double(c.maxLen) * d * Float : 0},
        {"the feature embeddings (2 x " + std::to_string(c.features) + " features x width " + std::to_string(c.dim) + ")",
         c.input == InputKind::Tabular ? 2.0 * c.features * d * Float : 0},
        {"the encoder (" + std::to_string(c.layers) + " layers of width " + std::to_string(c.dim) + " and feed-forward "
             + std::to_string(c.ffn) + ")",
         double(std::max(c.layers, 0)) * (4 * d * d + 2 * d * c.ffn) * Float},
    };
    const Part *best = &parts[0];
    for (const Part &p : parts)
        if (p.bytes > best->bytes)
            best = &p;
    if (bytes)
        *bytes = best->bytes;
    return best->name;
}

int trainerWeightCopies(const TrainConfig &t)
{
    const OptimizerConfig &o = t.optimizer;
    const int moments = o.kind == OptimizerKind::SGD ? (o.momentum != 0.0f ? 1 : 0) : 2;
    // AdamW's lazy rows keep the embedding tables' weights at their anchor
    // steps (Optimizer::setRowTables): at most one more copy
    const int anchors = o.kind == OptimizerKind::AdamW ? 1 : 0;
    return 1 + moments + anchors + std::max(0, std::min(t.threads, t.batchSize) - 1);
}

int batchThatFits(const ModelConfig &config, int L, int wanted, double bytes)
{
    if (wanted < 1)
        return 0;
    // A pass is affine in the batch: fixed + B x perSample.
    const double fixed = forwardBytes(config, 0, L).total();
    const double perSample = forwardBytes(config, 1, L).total() - fixed;
    if (bytes < fixed + perSample)
        return 0;
    const double fits = std::floor((bytes - fixed) / perSample);
    return fits >= wanted ? wanted : int(fits);
}

int passBatch(const ModelConfig &config, int L, int wanted)
{
    return std::max(1, batchThatFits(config, L, wanted, double(memoryBudget()) / 4));
}

double selfAttentionKeepLimit()
{
    return double(memoryBudget()) / 16;
}

int longestSample(const EncodedDataset &data, const std::vector<int> &indices)
{
    size_t longest = 0;
    for (int i : indices) {
        const EncodedSample &s = data.samples[size_t(i)];
        longest = std::max({longest, s.ids.size(), s.values.size()});
    }
    return int(longest);
}

int longestSample(const EncodedDataset &data)
{
    size_t longest = 0;
    for (const EncodedSample &s : data.samples)
        longest = std::max({longest, s.ids.size(), s.values.size()});
    return int(longest);
}

RunMemory runMemory(const ModelConfig &c, const TrainConfig &train, int trainSamples, int longestTrain,
                    int valSamples, int longestVal, int extraWeightCopies, int passes, bool keepMaps)
{
    RunMemory need;
    need.batch = std::max(1, std::min(train.batchSize, trainSamples));
    need.longestTrain = longestTrain;
    need.longestVal = longestVal;
    TrainConfig t = train;
    t.batchSize = need.batch;
    need.weights = weightBytes(c) * (1 + trainerWeightCopies(t) + std::max(0, extraWeightCopies));
    need.step = trainingStepBytes(c, need.batch, longestTrain, t.threads);
    need.passBatch = passBatch(c, longestVal, std::clamp(valSamples, 1, 64));
    need.passes = std::max(0, passes) * forwardBytes(c, need.passBatch, longestVal).total();
    if (keepMaps && c.layers > 0) {
        const double one = double(c.layers) * std::max(c.heads, 1) * double(longestVal) * longestVal * Float;
        need.maps = 2 * std::min(one, selfAttentionKeepLimit());
    }
    return need;
}

std::string checkRunMemory(const std::string &source, const ModelConfig &c, const RunMemory &need, double budget)
{
    if (need.total() <= budget)
        return {};
    const std::string batch = " at batch " + std::to_string(need.batch);
    const std::string all = " (" + formatBytes(need.total()) + " in all; budget " + formatBytes(budget) + ")";
    const std::string prefix = source + ": ";
    // The part that needs the most says what to change.
    const double parts[] = {need.step.selfAttention, need.step.activations, need.weights, need.passes, need.maps};
    const int largest = int(std::max_element(std::begin(parts), std::end(parts)) - std::begin(parts));
    switch (largest) {
    case 0:
        return prefix + lengthWords(c, need.longestTrain) + " need " + formatBytes(need.step.selfAttention)
               + " for the encoder's self-attention" + batch + all + ": use 0 encoder layers, a smaller batch or "
               + shorter(c);
    case 1:
        return prefix + lengthWords(c, need.longestTrain) + " need " + formatBytes(need.step.activations)
               + " for the activations of a training step" + batch + all
               + ": use a smaller batch, a smaller width or feed-forward width, fewer encoder layers or " + shorter(c);
    case 2: {
        double tableBytes = 0;
        const std::string table = largestWeight(c, &tableBytes);
        const double copies = need.weights / std::max(weightBytes(c), 1.0);
        return prefix + "the weights and their copies need " + formatBytes(need.weights) + " ("
               + std::to_string(int(std::lround(copies))) + " x " + formatBytes(weightBytes(c)) + "; the largest part is "
               + table + ", " + formatBytes(tableBytes) + ")" + all + ": use a smaller width"
               + (c.input == InputKind::Text ? " or a shorter max length" : " or fewer features");
    }
    default:
        return prefix + lengthWords(c, need.longestVal) + " need " + formatBytes(need.passes + need.maps)
               + " to evaluate and show attention beside training" + all
               + ": use 0 encoder layers, a smaller width or " + shorter(c);
    }
}

std::string checkWeightMemory(const std::string &source, const ModelConfig &c, double budget)
{
    const double bytes = weightBytes(c);
    if (bytes <= budget)
        return {};
    double tableBytes = 0;
    const std::string table = largestWeight(c, &tableBytes);
    return source + ": the weights need " + formatBytes(bytes) + ", " + formatBytes(tableBytes) + " of it for " + table
           + " (budget " + formatBytes(budget) + "): use a smaller width"
           + (c.input == InputKind::Text ? " or a shorter max length" : " or fewer features");
}

std::string checkPassMemory(const std::string &source, const ModelConfig &c, int L, bool keepMaps, double budget,
                            bool gradient)
{
    const PassBytes pass = gradient ? trainingStepBytes(c, 1, L, 1) : forwardBytes(c, 1, L);
    const double maps = keepMaps ? pass.selfAttention : 0;
    const double total = weightBytes(c) + pass.total() + maps;
    if (total <= budget)
        return {};
    return source + ": " + lengthWords(c, L) + " need " + formatBytes(total) + " for one sample's "
           + (gradient ? "forward and backward pass" : "pass through the model")
           + (pass.selfAttention > pass.activations ? ", " + formatBytes(pass.selfAttention + maps)
                                                          + " of it for the encoder's self-attention"
                                                    : std::string())
           + " (budget " + formatBytes(budget) + "): use a model with fewer encoder layers or " + shorter(c);
}

} // namespace attnscope
