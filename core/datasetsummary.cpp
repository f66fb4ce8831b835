#include "datasetsummary.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

namespace attnscope {

namespace {

// Per task: each class's count over all samples, and the samples without a label.
void countLabels(const Dataset &data, DatasetSummary &s)
{
    for (const TaskInfo &t : data.tasks) {
        TaskSummary ts;
        ts.name = t.name;
        ts.classes = t.classes;
        ts.counts.assign(t.classes.size(), 0);
        s.tasks.push_back(std::move(ts));
    }
    for (const Sample &x : data.samples)
        for (size_t t = 0; t < s.tasks.size(); ++t) {
            const int label = t < x.labels.size() ? x.labels[t] : -1;
            if (label >= 0 && size_t(label) < s.tasks[t].counts.size()) ++s.tasks[t].counts[size_t(label)];
            else ++s.tasks[t].missing;
        }
}

// The vocabulary rule of MODEL.md 7 (as Vocabulary::build) from token
// counts, so that no sample's tokens are kept: memory is the counts. Returns
// the tokens known (without <pad> and <unk>).
std::unordered_set<std::string> knownTokens(const std::unordered_map<std::string, int64_t> &counts, int minFreq,
                                            int maxVocab)
{
    std::vector<std::pair<int64_t, const std::string *>> order;
    for (const auto &[token, n] : counts)
        if (n >= minFreq) order.emplace_back(n, &token);
    std::sort(order.begin(), order.end(), [](const auto &a, const auto &b) {
        return a.first != b.first ? a.first > b.first : *a.second < *b.second;
    });
    if (int(order.size()) > maxVocab - 2) order.resize(size_t(std::max(0, maxVocab - 2)));
    std::unordered_set<std::string> known;
    for (const auto &o : order) known.insert(*o.second);
    return known;
}

// Text: the vocabulary the training split gives, the validation split's
// out-of-vocabulary rate, and the samples max_len cuts. Returns each
// sample's length in tokens.
std::vector<int> summarizeText(const Dataset &data, const Split &split, int maxLen, int minFreq, int maxVocab,
                               DatasetSummary &s)
{
    std::vector<int> lengths;
    lengths.reserve(data.samples.size());
    std::vector<char> inTrain(data.samples.size(), 0);
    for (int i : split.train) inTrain[size_t(i)] = 1;
    std::unordered_map<std::string, int64_t> counts;
    for (size_t i = 0; i < data.samples.size(); ++i) {
        const std::vector<Token> all = tokenize(data.samples[i].text, 1 << 30);
        lengths.push_back(int(all.size()));
        if (int(all.size()) > maxLen) ++s.truncated;
        if (!inTrain[i]) continue;
        for (size_t k = 0; k < all.size() && int(k) < maxLen; ++k)
            if (all[k].text != "<pad>" && all[k].text != "<unk>") ++counts[all[k].text];
    }
    const std::unordered_set<std::string> known = knownTokens(counts, minFreq, maxVocab);
    s.vocabulary = 2 + int(known.size());
    int64_t total = 0, unknown = 0;
    for (int i : split.val) {
        const std::vector<Token> tokens = tokenize(data.samples[size_t(i)].text, maxLen);
        for (const Token &t : tokens) {
            ++total;
            unknown += !known.count(t.text);
        }
    }
    s.oovRate = total ? double(unknown) / double(total) : 0.0;
    return lengths;
}

// Tabular: each feature's range, mean and missing values. Returns each
// sample's length in present features.
std::vector<int> summarizeFeatures(const Dataset &data, DatasetSummary &s)
{
    std::vector<int> lengths;
    lengths.reserve(data.samples.size());
    const size_t F = data.featureNames.size();
    std::vector<int64_t> present(F, 0);
    std::vector<double> sum(F, 0);
    s.features.resize(F);
    for (size_t j = 0; j < F; ++j) s.features[j].name = data.featureNames[j];
    for (const Sample &x : data.samples) {
        int n = 0;
        for (size_t j = 0; j < F; ++j) {
            const float v = j < x.features.size() ? x.features[j] : NAN;
            FeatureSummary &f = s.features[j];
            if (std::isnan(v)) {
                ++f.missing;
                continue;
            }
            f.min = present[j] ? std::min(f.min, double(v)) : v;
            f.max = present[j] ? std::max(f.max, double(v)) : v;
            sum[j] += v;
            ++present[j];
            ++n;
        }
        lengths.push_back(n);
    }
    for (size_t j = 0; j < F; ++j)
        if (present[j]) s.features[j].mean = sum[j] / double(present[j]);
    return lengths;
}

// The lengths' min, median, 90th percentile, max and mean.
void summarizeLengths(std::vector<int> lengths, DatasetSummary &s)
{
    if (lengths.empty()) return;
    std::sort(lengths.begin(), lengths.end());
    s.minLength = lengths.front();
    s.maxLength = lengths.back();
    s.medianLength = lengths[lengths.size() / 2];
    s.p90Length = lengths[std::min(lengths.size() - 1, size_t(std::ceil(0.9 * double(lengths.size()))) - 1)];
    double total = 0;
    for (int n : lengths) total += n;
    s.meanLength = total / double(lengths.size());
}

} // namespace

DatasetSummary summarizeDataset(const Dataset &data, double valFraction, uint64_t seed, int maxLen,
                                int minFreq, int maxVocab)
{
    DatasetSummary s;
    s.source = data.source;
    s.input = data.input;
    s.samples = int(data.samples.size());
    s.maxLen = maxLen;
    s.rationales = data.hasRationales();
    s.warnings = int(data.warnings.size());
    const Split split = splitDataset(data, valFraction, seed);
    s.train = int(split.train.size());
    s.val = int(split.val.size());
    for (const Sample &x : data.samples) {
        if (x.split >= 0) s.splitFromFile = true;
        if (x.split == 2) ++s.test;
    }
    countLabels(data, s);
    summarizeLengths(data.input == InputKind::Text ? summarizeText(data, split, maxLen, minFreq, maxVocab, s)
                                                   : summarizeFeatures(data, s),
                     s);
    return s;
}

} // namespace attnscope
