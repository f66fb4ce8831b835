// Datasets: the train/val split and the encoding of samples into model
// inputs. The readers and the built-in generators are in data/.
#include "dataset.h"

#include "data/fields.h"
#include "splitmix.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace attnscope {

bool Dataset::hasRationales() const
{
    for (const Sample &s : samples)
        for (const auto &spans : s.rationales)
            if (!spans.empty()) return true;
    return false;
}

namespace {

Dataset oneSample(const std::vector<TaskInfo> &tasks, Sample sample)
{
    Dataset data;
    data.tasks = tasks;
    sample.labels.assign(tasks.size(), -1);
    sample.rationales.assign(tasks.size(), {});
    data.samples.push_back(std::move(sample));
    return data;
}

} // namespace

Dataset oneText(const std::vector<TaskInfo> &tasks, const std::string &text)
{
    Sample sample;
    sample.text = text;
    Dataset data = oneSample(tasks, std::move(sample));
    data.source = "--text";
    data.input = InputKind::Text;
    return data;
}

Dataset oneRow(const std::vector<TaskInfo> &tasks, const std::vector<std::string> &features,
               const std::vector<float> &values)
{
    Sample sample;
    sample.features = values;
    sample.features.resize(features.size(), std::nanf(""));
    Dataset data = oneSample(tasks, std::move(sample));
    data.source = "--row";
    data.input = InputKind::Tabular;
    data.featureNames = features;
    return data;
}

bool Dataset::hasFileSplit() const
{
    return std::any_of(samples.begin(), samples.end(), [](const Sample &s) { return s.split >= 0; });
}

std::string Dataset::fileSplitCounts() const
{
    size_t counts[3] = {0, 0, 0};
    for (const Sample &s : samples)
        ++counts[s.split == 1 ? 1 : s.split == 2 ? 2 : 0];
    return "the file gives each sample its split: " + std::to_string(counts[0]) + " train, "
           + std::to_string(counts[1]) + " val, " + std::to_string(counts[2]) + " test";
}

Split splitDataset(const Dataset &data, double valFraction, uint64_t seed)
{
    Split split;
    const int n = int(data.samples.size());

    // Splits written in the file win (train = 0, val = 1; test goes to
    // neither; a sample without one trains).
    if (data.hasFileSplit()) {
        for (int i = 0; i < n; ++i) {
            const int s = data.samples[size_t(i)].split;
            if (s == 1) split.val.push_back(i);
            else if (s <= 0) split.train.push_back(i);
        }
        return split;
    }

    int nVal = 0;
    if (valFraction > 0 && n >= 2) {
        // round half up; at least one sample on each side
        nVal = int(std::floor(double(n) * std::min(valFraction, 1.0) + 0.5));
        nVal = std::clamp(nVal, 1, n - 1);
    }
    std::vector<int> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    if (nVal > 0) {
        SplitMix rng(seed);
        shuffle(&order, &rng);
    }
    split.val.assign(order.begin(), order.begin() + nVal);
    split.train.assign(order.begin() + nVal, order.end());
    std::sort(split.val.begin(), split.val.end());
    std::sort(split.train.begin(), split.train.end());
    return split;
}

EncodedDataset encodeDataset(const Dataset &data, const std::vector<int> &indices,
                             const Vocabulary &vocab, int maxLen, bool keepTokens)
{
    EncodedDataset enc;
    enc.input = data.input;
    enc.tasks = int(data.tasks.size());
    enc.samples.reserve(indices.size());
    const size_t T = data.tasks.size();
    for (int index : indices) {
        const Sample &s = data.samples[size_t(index)];
        EncodedSample e;
        e.index = index;
        e.labels.assign(T, -1);
        for (size_t t = 0; t < T && t < s.labels.size(); ++t) e.labels[t] = s.labels[t];

        // Token j covers [start_j, end_j): code points for text, the feature
        // index for tabular data. It is in a rationale when it overlaps a span.
        std::vector<Span> covers;
        if (data.input == InputKind::Text) {
            e.tokens = tokenize(s.text, maxLen, &e.truncated);
            e.ids.reserve(e.tokens.size());
            for (const Token &token : e.tokens) {
                e.ids.push_back(vocab.id(token.text));
                covers.push_back({token.start, token.end});
            }
            e.mask.assign(e.tokens.size(), 1);
            if (!keepTokens)
                std::vector<Token>().swap(e.tokens);
        } else {
            e.values = s.features;
            e.mask.resize(e.values.size());
            for (size_t j = 0; j < e.values.size(); ++j) {
                e.mask[j] = std::isnan(e.values[j]) ? 0 : 1;
                covers.push_back({int(j), int(j) + 1});
            }
        }

        e.rationale.assign(T, {});
        for (size_t t = 0; t < T && t < s.rationales.size(); ++t) {
            const auto &spans = s.rationales[t];
            if (spans.empty()) continue;
            auto &r = e.rationale[t];
            r.assign(covers.size(), 0);
            for (size_t j = 0; j < covers.size(); ++j)
                for (const Span &span : spans)
                    if (covers[j].start < span.end && span.start < covers[j].end) {
                        r[j] = 1;
                        break;
                    }
        }
        enc.samples.push_back(std::move(e));
    }
    return enc;
}

void featureStats(const Dataset &data, const std::vector<int> &indices,
                  std::vector<float> *mean, std::vector<float> *std)
{
    const size_t F = data.featureNames.size();
    mean->assign(F, 0.0f);
    std->assign(F, 1.0f);
    for (size_t j = 0; j < F; ++j) {
        // Two passes in double: the mean, then the population variance.
        double sum = 0, lo = 0, hi = 0;
        int64_t count = 0;
        for (int i : indices) {
            const auto &f = data.samples[size_t(i)].features;
            if (j >= f.size() || std::isnan(f[j])) continue;
            const double v = f[j];
            lo = count ? std::min(lo, v) : v;
            hi = count ? std::max(hi, v) : v;
            sum += v;
            ++count;
        }
        if (count == 0) continue; // mean 0, std 1
        if (lo == hi) {           // constant: mean = the value, std 1
            (*mean)[j] = float(lo);
            continue;
        }
        const double m = sum / double(count);
        double ss = 0;
        for (int i : indices) {
            const auto &f = data.samples[size_t(i)].features;
            if (j >= f.size() || std::isnan(f[j])) continue;
            ss += (f[j] - m) * (f[j] - m);
        }
        const float s = float(std::sqrt(ss / double(count)));
        (*mean)[j] = float(m);
        (*std)[j] = s > 0.0f ? s : 1.0f; // a spread that rounds to 0 in float32 is none
    }
}

bool checkStandardised(const Dataset &data, const std::vector<int> &indices, const std::vector<float> &mean,
                       const std::vector<float> &std, std::string *error)
{
    if (data.input != InputKind::Tabular) return true;
    const size_t F = std::min({data.featureNames.size(), mean.size(), std.size()});
    for (int i : indices) {
        const Sample &s = data.samples[size_t(i)];
        for (size_t j = 0; j < F && j < s.features.size(); ++j) {
            const float r = s.features[j];
            if (std::isnan(r)) continue; // missing: masked, v = 0
            const float v = (r - mean[j]) / std[j]; // exactly as model.cpp, in float
            if (std::isfinite(v) && std::fabs(v) <= MaxStandardised) continue;
            if (error) {
                char what[256];
                std::snprintf(what, sizeof what,
                              "%g standardises to %g ((value - mean) / std with mean %g and std %g); the "
                              "model's float32 arithmetic takes values within %g standard deviations of the mean",
                              double(r), double(v), double(mean[j]), double(std[j]), double(MaxStandardised));
                const std::string where = s.line > 0 ? data.source + ":" + std::to_string(s.line)
                                                     : data.source + ": sample " + std::to_string(i + 1);
                *error = where + ": feature " + inQuotes(data.featureNames[j]) + ": " + what;
            }
            return false;
        }
    }
    return true;
}

void makeBatch(const EncodedDataset &data, const int *indices, int count, Batch *batch)
{
    const bool text = data.input == InputKind::Text;
    int L = 0;
    for (int b = 0; b < count; ++b) {
        const EncodedSample &s = data.samples[size_t(indices[b])];
        L = std::max(L, int(text ? s.ids.size() : s.values.size()));
    }
    const int T = data.tasks;
    batch->resize(count, L, T, data.input); // zero tokens / values, zero mask, labels -1
    for (int b = 0; b < count; ++b) {
        const EncodedSample &s = data.samples[size_t(indices[b])];
        const size_t row = size_t(b) * size_t(L);
        const size_t n = text ? s.ids.size() : s.values.size();
        for (size_t j = 0; j < n; ++j) {
            const uint8_t m = j < s.mask.size() ? s.mask[j] : 1;
            batch->mask[row + j] = m;
            if (text) batch->tokens[row + j] = s.ids[j];
            else batch->values[row + j] = m ? s.values[j] : 0.0f;
        }
        for (int t = 0; t < T && t < int(s.labels.size()); ++t)
            batch->labels[size_t(b) * size_t(T) + size_t(t)] = s.labels[size_t(t)];
    }
    // Rationale flags (MODEL.md 5b), only when a sample of the batch has some.
    for (int b = 0; b < count; ++b) {
        const EncodedSample &s = data.samples[size_t(indices[b])];
        for (int t = 0; t < T && t < int(s.rationale.size()); ++t) {
            const std::vector<uint8_t> &flags = s.rationale[size_t(t)];
            if (flags.empty()) continue;
            if (batch->rationale.empty()) batch->rationale.assign(size_t(count) * size_t(T) * size_t(L), 0);
            uint8_t *row = batch->rationale.data() + (size_t(b) * size_t(T) + size_t(t)) * size_t(L);
            std::copy_n(flags.begin(), std::min(flags.size(), size_t(L)), row);
        }
    }
}

} // namespace attnscope
