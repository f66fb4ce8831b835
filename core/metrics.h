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

} // namespace attnscope
