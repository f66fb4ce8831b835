// Datasets as loaded from a file or a built-in generator, the train/val split,
// and their encoding into model inputs.
#pragma once

#include "tokenizer.h"
#include "types.h"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
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
    std::vector<std::string> warnings;     // problems that did not stop loading
    std::string description;               // built-ins: what each task depends on
    // A built-in lesson's suggested encoder depth for the GUI (-1: none, keep
    // MODEL.md's default). The CLI never applies it; docs/datasets.md says why.
    int suggestedLayers = -1;
    std::string suggestion;                // why, in a sentence for the user

    bool hasRationales() const;
};

// A load's progress: called with the fraction of the file read so far (0
// to 1) every megabyte or few while a file is read, and with 1 at the end.
// Returning false stops the load, which then fails with "<file>: load
// cancelled" and leaves *out as it was (the value returned with 1 is not
// looked at: the load is done).
using LoadProgress = std::function<bool(double)>;

// The longest line (JSON Lines) or row (CSV, TSV) a reader takes, in bytes,
// and the most fields a CSV or TSV row may have: a longer one is refused
// ("<file>:<line>: line longer than 64 MB"), so that a file without line
// breaks (zero bytes, a binary file) or a runaway quoted field is not read
// into memory whole. 65536 fields of 32 bytes of bookkeeping each keep a
// row's memory near its size (64 MB of separators would be 2 GB of fields).
// A JSON Lines line holds at most MaxJsonValues JSON values (numbers,
// strings, ..., counted at every depth), for the same reason.
constexpr size_t MaxLineBytes = size_t(64) << 20;
constexpr size_t MaxFields = size_t(1) << 16;
constexpr size_t MaxJsonValues = size_t(1) << 20;

// Loads "builtin:NAME[?k=v&...]" or a file (JSONL by content/extension).
// On failure returns false and sets *error to "<file>:<line>: <what>".
bool loadDataset(const std::string &spec, Dataset *out, std::string *error, const LoadProgress &progress = {});

// How to read a file's columns (CSV/TSV; see docs/datasets.md). Empty fields
// are guessed from the column names and contents; the GUI and the CLI's
// --text-column, --feature-columns, --task-columns and --split-column fill it.
struct LoadOptions {
    std::string textColumn;                  // text data: the column with the text
    std::vector<std::string> featureColumns; // tabular data: numeric columns, in this order
    std::vector<std::string> taskColumns;    // label columns, one task each
    std::string splitColumn;                 // train / val / test per row
    std::vector<std::string> ignoredColumns; // no role, not even one their name suggests (split, rationale_*)
    char separator = 0;                      // 0: ',' ('\t' for .tsv and .tab files)

    bool empty() const
    {
        return textColumn.empty() && featureColumns.empty() && taskColumns.empty()
            && splitColumn.empty() && ignoredColumns.empty() && separator == 0;
    }
};

// loadDataset with column options. Options other than the defaults apply to
// CSV/TSV files only; for other sources they are an error.
bool loadDataset(const std::string &spec, const LoadOptions &options, Dataset *out,
                 std::string *error, const LoadProgress &progress = {});

// A feature value as every reader takes it (docs/datasets.md, "Values"):
// a decimal number as written in C or Python ("3", "-2.5e3", "+1", blanks
// around allowed; no hex, whatever the locale), or a missing value: an empty
// text, "nan", "NaN", "NAN", "NA", "N/A" or "null" (blanks around allowed).
// *out is the number as a float, NaN when missing or not a number;
// OutOfRange: infinite or beyond float32.
enum class FeatureValue { Number, Missing, NotANumber, OutOfRange };
FeatureValue parseFeatureValue(std::string_view text, float *out);

// Names of the built-in generators ("reviews", ...).
std::vector<std::string> builtinDatasets();

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
