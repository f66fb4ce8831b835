// Classification metrics and the attention-rationale average precision,
// defined as scikit-learn defines them so that numbers can be checked there.
#include "metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace attnscope {

double accuracy(const std::vector<int> &gold, const std::vector<int> &pred)
{
    // No labelled entry: 0 (there is nothing to be right about; callers
    // report such a task as unlabelled rather than show this number).
    int64_t n = 0, right = 0;
    const size_t count = std::min(gold.size(), pred.size());
    for (size_t i = 0; i < count; ++i) {
        if (gold[i] < 0) continue;
        ++n;
        if (pred[i] == gold[i]) ++right;
    }
    return n ? double(right) / double(n) : 0.0;
}

double macroF1(const std::vector<int> &gold, const std::vector<int> &pred, int classes)
{
    // Per class c: F1 = 2 TP / (2 TP + FP + FN); averaged without weights over
    // the classes that occur in gold or in pred (over the labelled entries),
    // as f1_score(average="macro") with its default labels. A class that
    // occurs has 2 TP + FP + FN > 0, so zero_division never comes into play;
    // a class that is only predicted counts with F1 = 0.
    if (classes <= 0) return 0.0;
    std::vector<int64_t> tp(size_t(classes), 0), fp(size_t(classes), 0), fn(size_t(classes), 0);
    std::vector<uint8_t> seen(size_t(classes), 0);
    const size_t count = std::min(gold.size(), pred.size());
    for (size_t i = 0; i < count; ++i) {
        const int g = gold[i], p = pred[i];
        if (g < 0 || g >= classes) continue;
        seen[size_t(g)] = 1;
        if (p == g) {
            ++tp[size_t(g)];
            continue;
        }
        ++fn[size_t(g)];
        if (p >= 0 && p < classes) {
            ++fp[size_t(p)];
            seen[size_t(p)] = 1;
        }
    }
    double sum = 0;
    int present = 0;
    for (int c = 0; c < classes; ++c) {
        if (!seen[size_t(c)]) continue;
        ++present;
        const int64_t denom = 2 * tp[size_t(c)] + fp[size_t(c)] + fn[size_t(c)];
        if (denom > 0) sum += 2.0 * double(tp[size_t(c)]) / double(denom);
    }
    return present ? sum / present : 0.0;
}

std::optional<double> averagePrecision(const std::vector<double> &scores,
                                       const std::vector<uint8_t> &relevant)
{
    // AP = sum over thresholds k of (R_k - R_{k-1}) P_k, the thresholds being
    // the distinct scores from the highest down: all entries with equal
    // scores enter together (average_precision_score, which does not
    // interpolate). NaN scores are skipped.
    const size_t count = std::min(scores.size(), relevant.size());
    std::vector<size_t> order;
    order.reserve(count);
    int64_t positives = 0;
    for (size_t i = 0; i < count; ++i) {
        if (std::isnan(scores[i])) continue;
        order.push_back(i);
        if (relevant[i]) ++positives;
    }
    if (positives == 0) return std::nullopt;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });

    double ap = 0, lastRecall = 0;
    int64_t tp = 0, seen = 0;
    for (size_t k = 0; k < order.size();) {
        const double threshold = scores[order[k]];
        for (; k < order.size() && scores[order[k]] == threshold; ++k) {
            ++seen;
            if (relevant[order[k]]) ++tp;
        }
        const double recall = double(tp) / double(positives);
        const double precision = double(tp) / double(seen);
        ap += (recall - lastRecall) * precision;
        lastRecall = recall;
    }
    return ap;
}

Plausibility plausibility(const float *scores, const uint8_t *mask, const uint8_t *rationale, size_t n,
                          bool distribution)
{
    std::vector<double> real;
    std::vector<uint8_t> relevant;
    double mass = 0;
    for (size_t j = 0; j < n; ++j) {
        if (!mask[j]) continue;
        real.push_back(double(scores[j]));
        relevant.push_back(rationale[j] ? 1 : 0);
        if (rationale[j]) mass += double(scores[j]);
    }
    Plausibility p;
    p.auprc = averagePrecision(real, relevant);
    if (p.auprc && distribution) p.mass = mass;
    return p;
}

} // namespace attnscope
