// Attention from outside models, read for inspection without training
// (docs/attention.md, "Attention from a file"): the JSON that
// `attnscope-cli attention` writes, a BertViz-style JSON
// ({"tokens", "attention": [layers][heads][L][L], "pooling": {task: [L]}},
// one sample or a list), and NumPy: a .npy array [layers, heads, L, L] or
// [heads, L, L] with its tokens in a sibling <name>.tokens.json, or a .npz
// (numpy.savez) of "attention", "tokens" and optional "pooling_<task>".
//
// Everything is checked before it is returned: shapes (ragged maps, maps
// that do not match the tokens, samples that disagree on layers, heads or
// tasks), values (NaN, infinity, negative weights, rows and pooling weights
// that do not sum to 1, probabilities that do not), and sizes (a file over
// maxFileBytes is refused from its size, a NumPy shape over the budget from
// its header, a JSON file as soon as what it holds passes the budget), so a
// malformed or hostile file costs neither a crash nor a large allocation.
#pragma once

#include "types.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

enum class AttentionFileFormat { Json, Npy, Npz };
const char *toString(AttentionFileFormat format);

// One sample, laid out as the attention views' AttentionSample
// (ui/attention/attentionsnapshot.h) holds it, so that each member moves
// into the snapshot without a copy.
struct AttentionFileSample {
    std::vector<std::string> tokens;          // L, one per position, UTF-8
    std::vector<std::vector<float>> weights;  // [task][token]: pooling weights; empty when the file has none
    std::vector<std::vector<float>> probs;    // [task][class]; empty when the file has no predictions
    SelfAttentionMaps selfAttention;          // layers x heads maps of L x L; empty when the file has none
    int line = 0;                             // JSON: the line the sample starts on; 0 otherwise
};

struct AttentionFile {
    std::string path;
    AttentionFileFormat format = AttentionFileFormat::Json;
    int layers = 0, heads = 0;                // every sample's selfAttention shape (0 x 0: no maps)
    // Task names in byte order, the same in every sample. classes: as many
    // as the predictions' probabilities (none without predictions), named
    // where a sample's "class" names its most probable one, "class k" where
    // no sample does.
    std::vector<TaskInfo> tasks;
    std::vector<AttentionFileSample> samples;

    bool hasPredictions() const { return !samples.empty() && !samples.front().probs.empty(); }
};

struct AttentionFileLimits {
    int64_t maxFileBytes = int64_t(1) << 30;  // larger files are refused from their size
    // What the value may hold: 4 bytes a weight, plus each token's and map's
    // bytes. 256 MiB is 64 Mi weights: a 512-token sample of a 12-layer,
    // 12-head model (BERT base) takes 151 MB.
    size_t maxBytes = size_t(256) << 20;
    double tolerance = 1e-3;                  // |sum - 1| of a row, pooling or probabilities
};

// Reads path (the format from its first bytes, not its name) into *out.
// False and *error ("<path>:<line>: ..." for JSON, "<path>: ..." otherwise)
// when the file is not one of the formats or breaks a rule; *out is then
// left as it was.
bool readAttentionFile(const std::string &path, AttentionFile *out, std::string *error,
                       const AttentionFileLimits &limits = {});

// The sibling file a .npy's tokens are read from: "dir/name.npy" ->
// "dir/name.tokens.json" (the last extension replaced).
std::string npyTokensPath(const std::string &npyPath);

} // namespace attnscope
