// Classification and attention-rationale metrics.
#pragma once

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
