// Datasets as loaded from a file or a built-in generator (data/load.h), the
// train/val split, and their encoding into model inputs.
#pragma once

#include "tokenizer.h"
#include "types.h"

#include <cstddef>
#include <string>
#include <vector>

namespace attnscope {

struct Span {
    int start = 0;  // text: code point offset; tabular: feature index
    int end = 0;    // one past the last
    bool operator==(const Span &) const = default;
};

struct Sample {
    std::string text;                      // text data (UTF-8)
    std::vector<float> features;           // tabular: raw values, NaN = missing
    std::vector<int> labels;               // per task: class index, -1 = missing
    std::vector<std::vector<Span>> rationales; // per task (may be empty: none given)
    int line = 0;                          // where it came from (1-based), 0 for generated
    int split = -1;                        // from the file: 0 train, 1 val, 2 test; -1 not given
};

struct Dataset {
    std::string source;                    // file path or builtin spec
    InputKind input = InputKind::Text;
    std::vector<TaskInfo> tasks;           // names and classes in byte order
    std::vector<std::string> featureNames; // tabular, column order
    std::vector<Sample> samples;
    std::string textColumn;                // CSV/TSV text: the column the text came from
    std::vector<std::string> warnings;     // problems that did not stop loading
    std::string description;               // built-ins: what each task depends on
    // A built-in lesson's suggested encoder depth for the GUI (-1: none, keep
    // MODEL.md's default). The CLI never applies it; docs/datasets.md says why.
    int suggestedLayers = -1;
    std::string suggestion;                // why, in a sentence for the user

    bool hasRationales() const;
    // Some sample's split is written in the file (a split column, or
    // "split" in JSON Lines): then the file's splits win (splitDataset).
    bool hasFileSplit() const;
    // "the file gives each sample its split: 4 train, 0 val, 0 test" (a
    // sample without one trains), for a message about an empty split of a
    // file whose splits win: a validation fraction has no effect then.
    std::string fileSplitCounts() const;
};

// A dataset of one sample a user typed, for a model with these tasks: every
// label missing, no rationale. oneText: a text (source "--text", as
// attnscope-cli --text and the probe editor name it); oneRow: a tabular row
// of raw values (NaN = missing; source "--row"), padded with NaN or cut to
// one value per feature.
Dataset oneText(const std::vector<TaskInfo> &tasks, const std::string &text);
Dataset oneRow(const std::vector<TaskInfo> &tasks, const std::vector<std::string> &features,
               const std::vector<float> &values);

// Deterministic train/validation split: a function of the sample count, the
// fraction and the seed. Returns sample indices, each list in ascending order.
struct Split {
    std::vector<int> train, val;
};
Split splitDataset(const Dataset &data, double valFraction, uint64_t seed);

// A sample in model form.
struct EncodedSample {
    std::vector<int32_t> ids;      // text: token ids (no padding)
    std::vector<float> values;     // tabular: raw values, NaN = missing
    std::vector<uint8_t> mask;     // 1 per real token / present feature
    std::vector<int32_t> labels;   // per task, -1 = missing
    std::vector<std::vector<uint8_t>> rationale; // per task, per token: 1 = in a rationale; empty = none given
    std::vector<Token> tokens;     // text: the tokens (for display)
    bool truncated = false;
    int index = 0;                 // index into Dataset::samples
};

struct EncodedDataset {
    InputKind input = InputKind::Text;
    int tasks = 0;
    std::vector<EncodedSample> samples;
};

// Text: tokenizes with maxLen and maps through vocab. Tabular: copies values,
// masks missing ones. keepTokens: EncodedSample::tokens is filled (for
// display); a training split needs only the ids, and for a large text file
// the tokens' strings are most of the memory.
EncodedDataset encodeDataset(const Dataset &data, const std::vector<int> &indices,
                             const Vocabulary &vocab, int maxLen, bool keepTokens = true);

// Tabular statistics over the given samples (MODEL.md 2): population std in
// double, missing values skipped, constant or empty features get std 1.
void featureStats(const Dataset &data, const std::vector<int> &indices,
                  std::vector<float> *mean, std::vector<float> *std);

// The largest |v| checkStandardised lets through: 1e30 standard deviations
// from the mean. A value that standardises beyond float32 (3e38 against mean
// 1.75 and std 0.83: v = inf) made eval print a NaN loss; a finite v near the
// limit still overflows in v * embed.feature_scale once a scale passes 1, or
// in the LayerNorm's sum over d. Within 1e30 neither can (it would take a
// scale above 5000 at d = 65536), and the LayerNorm turns such a row into its
// bias: eval of values 1e30 standard deviations out gives a finite loss.
constexpr float MaxStandardised = 1e30f;

// Checks that every present feature of data.samples[indices] standardises
// as MODEL.md 2 does it, v = (r - mean) / std in float32, to a finite v
// within +-MaxStandardised. False with *error = "<file>:<line>: feature "x":
// ..." for the first that does not (the value, v, the mean and the std). The
// statistics are a new model's (featureStats of its training split) or a
// checkpoint's input.mean/input.std; every path that feeds tabular samples to
// a model calls this first (the CLI's encodeFor, the window's
// buildSetup). Text data always passes.
bool checkStandardised(const Dataset &data, const std::vector<int> &indices, const std::vector<float> &mean,
                       const std::vector<float> &std, std::string *error);

// Pads samples[indices] into a batch of L = the longest of them, with their
// rationale flags when one of them has any.
void makeBatch(const EncodedDataset &data, const int *indices, int count, Batch *batch);

} // namespace attnscope
