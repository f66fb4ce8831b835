// Classification and attention-rationale metrics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace attnscope {

// gold and pred are class indices; entries with gold < 0 are skipped.
double accuracy(const std::vector<int> &gold, const std::vector<int> &pred);
// Unweighted mean of per-class F1 over the classes that occur in gold or pred
// (as scikit-learn's f1_score(average="macro"); an undefined F1 counts as 0).
double macroF1(const std::vector<int> &gold, const std::vector<int> &pred, int classes);
// Average precision of scores against binary relevance, as scikit-learn's
// average_precision_score (ties share a threshold). nullopt when nothing is relevant.
std::optional<double> averagePrecision(const std::vector<double> &scores,
                                       const std::vector<uint8_t> &relevant);

// How well a score agrees with the rationale tokens of one sample and task
// (MODEL.md 9, plausibility): over the real tokens only (mask[j] != 0), the
// AUPRC of the scores against the rationale flags and, for a distribution
// (attention, rollout), the score's mass on the rationale tokens. Both are
// nullopt when no real token is a rationale token (flags on padding and
// missing features do not count); mass is nullopt too when !distribution.
// The one implementation for evaluate(), the live snapshot and explain.
struct Plausibility {
    std::optional<double> auprc, mass;
};
Plausibility plausibility(const float *scores, const uint8_t *mask, const uint8_t *rationale, size_t n,
                          bool distribution);

// One task's predictions over a set of samples (the validation split at an
// evaluation): counts[gold * classes + predicted], over every labelled
// sample (none for a task of more than MaxClasses classes: a matrix of
// 65,536 cells is more than anyone reads, and a file's task may have 100,000
// classes), and the samples it got wrong among MaxMissSamples spread evenly
// over the set (keepsMiss; all of a smaller set): the same samples at every
// evaluation, whatever order the file keeps its classes in.
struct Confusion {
    static constexpr int MaxMissSamples = 5000;
    static constexpr int MaxClasses = 256;
    struct Miss {
        int sample = 0;          // the sample's index in the dataset (EncodedSample::index)
        int gold = 0, predicted = 0;
        bool operator==(const Miss &) const = default;
    };
    int classes = 0;
    std::vector<int> counts;     // empty: more than MaxClasses classes, or not kept
    std::vector<Miss> misses;    // in the set's order
    bool hasMatrix() const { return classes > 0 && counts.size() == size_t(classes) * size_t(classes); }
    int count(int gold, int predicted) const { return counts[size_t(gold) * size_t(classes) + size_t(predicted)]; }
    // Whether the sample at `position` of a set of `size` is one whose miss
    // is kept: MaxMissSamples positions, one in each of as many equal parts.
    static bool keepsMiss(size_t position, size_t size)
    {
        const size_t k = size_t(MaxMissSamples);
        return size <= k || (position + 1) * k / size != position * k / size;
    }
    // The bytes it holds (LossHistory's budget).
    size_t bytes() const { return sizeof(Confusion) + counts.capacity() * sizeof(int) + misses.capacity() * sizeof(Miss); }
    bool operator==(const Confusion &) const = default;
};

// The mean over a set of the samples that have a value.
struct Mean {
    double sum = 0;
    int64_t count = 0;
    void add(const std::optional<double> &v)
    {
        if (v) {
            sum += *v;
            ++count;
        }
    }
    std::optional<double> value() const { return count ? std::optional<double>(sum / double(count)) : std::nullopt; }
};

} // namespace attnscope
