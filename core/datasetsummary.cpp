#include "datasetsummary.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

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

    std::vector<int> lengths;
    lengths.reserve(data.samples.size());
    if (data.input == InputKind::Text) {
        std::vector<std::vector<Token>> tokens(data.samples.size());
        for (size_t i = 0; i < data.samples.size(); ++i) {
            std::vector<Token> all = tokenize(data.samples[i].text, 1 << 30);
            lengths.push_back(int(all.size()));
            if (int(all.size()) > maxLen) {
                ++s.truncated;
                all.resize(size_t(maxLen));
            }
            tokens[i] = std::move(all);
        }
        std::vector<std::vector<Token>> train;
        train.reserve(split.train.size());
        for (int i : split.train) train.push_back(tokens[size_t(i)]);
        const Vocabulary vocab = Vocabulary::build(train, minFreq, maxVocab);
        s.vocabulary = vocab.size();
        int64_t total = 0, unknown = 0;
        for (int i : split.val)
            for (const Token &t : tokens[size_t(i)]) {
                ++total;
                unknown += vocab.id(t.text) == Vocabulary::Unk;
            }
        s.oovRate = total ? double(unknown) / double(total) : 0.0;
    } else {
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
    }
    if (!lengths.empty()) {
        std::vector<int> sorted = lengths;
        std::sort(sorted.begin(), sorted.end());
        s.minLength = sorted.front();
        s.maxLength = sorted.back();
        s.medianLength = sorted[sorted.size() / 2];
        s.p90Length = sorted[std::min(sorted.size() - 1, size_t(std::ceil(0.9 * double(sorted.size()))) - 1)];
        double total = 0;
        for (int n : sorted) total += n;
        s.meanLength = total / double(sorted.size());
    }
    return s;
}

} // namespace attnscope
