// What a dataset holds, for any front end to show: samples per split, tasks
// with class and missing-label counts, vocabulary and out-of-vocabulary rate
// (text), feature ranges (tabular), lengths and truncation at max_len.
#pragma once

#include "dataset.h"

#include <string>
#include <vector>

namespace attnscope {

struct TaskSummary {
    std::string name;
    std::vector<std::string> classes;
    std::vector<int> counts; // per class, over all samples
    int missing = 0;         // samples without a label for this task
};

struct FeatureSummary {
    std::string name;
    double min = 0, max = 0, mean = 0; // over present values (0 when none)
    int missing = 0;
};

struct DatasetSummary {
    std::string source;
    InputKind input = InputKind::Text;
    int samples = 0;
    int train = 0, val = 0, test = 0; // as training would split (splitDataset)
    bool splitFromFile = false;
    std::vector<TaskSummary> tasks;
    // text: vocabulary built from the training split as training would build
    // it, and the share of validation tokens it does not know (0 without a
    // validation split)
    int vocabulary = 0;
    double oovRate = 0;
    std::vector<FeatureSummary> features; // tabular
    // lengths in tokens (text, before the cut) or present features (tabular)
    int minLength = 0, maxLength = 0, medianLength = 0, p90Length = 0;
    double meanLength = 0;
    int truncated = 0;       // text samples longer than maxLen
    int maxLen = 0;
    bool rationales = false;
    int warnings = 0;
};

DatasetSummary summarizeDataset(const Dataset &data, double valFraction = 0.2, uint64_t seed = 1,
                                int maxLen = 64, int minFreq = 1, int maxVocab = 20000);

} // namespace attnscope
