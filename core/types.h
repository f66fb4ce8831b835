// Plain value types shared by every part of the core: the model's
// hyperparameters, the tasks it predicts, and a padded batch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

enum class AttentionMode { Task, Shared, Gated, Uniform };
enum class InputKind { Text, Tabular };

const char *toString(AttentionMode mode);
const char *toString(InputKind kind);
bool parseAttentionMode(const std::string &text, AttentionMode *mode);

// One prediction task: its name and its classes, both in byte order (MODEL.md 7).
struct TaskInfo {
    std::string name;
    std::vector<std::string> classes;
    bool operator==(const TaskInfo &) const = default;
};

// For messages: "[a, b, c]", and the tasks' names in order.
std::string bracketList(const std::vector<std::string> &items);
std::vector<std::string> taskNameList(const std::vector<TaskInfo> &tasks);

// The hyperparameters of MODEL.md section 1 plus the sizes that come from the data.
struct ModelConfig {
    InputKind input = InputKind::Text;
    int dim = 64;      // d
    int heads = 4;     // h, d % h == 0
    int ffn = 256;     // f
    int layers = 1;    // N >= 0
    int maxLen = 64;   // text: positions; tabular: unused (L = features)
    AttentionMode mode = AttentionMode::Task;
    // Text: how a fresh model's vocabulary is built from the training split
    // (MODEL.md 7: tokens seen at least minFreq times, at most maxVocab
    // entries with the specials); a record in the checkpoint.
    int maxVocab = 20000;
    int minFreq = 1;
    int vocabSize = 0; // text: V, specials included
    int features = 0;  // tabular: L
    std::vector<int> classes; // C_t for each task t

    int tasks() const { return int(classes.size()); }
    int headDim() const { return heads > 0 ? dim / heads : 0; }
    // Longest sequence the model accepts: max_len for text, the feature count for tabular.
    int seqLen() const { return input == InputKind::Text ? maxLen : features; }
    // Empty when the configuration is usable, otherwise what is wrong with it.
    std::string validate() const;
    bool operator==(const ModelConfig &) const = default;
};

// The encoder self-attention of one sample: map (layer, head) is one n x n
// array, row i (the query) holding its weights on keys 0..n-1, n the
// sample's own positions. Empty when not kept. One array per map, not one
// for all: 1 MB each at 512 tokens, which malloc serves from its heap again
// and again, where one 33 MB array would be a fresh mmap (and 8,000 page
// faults) every time.
struct SelfAttentionMaps {
    int layers = 0, heads = 0, n = 0;
    std::vector<std::vector<float>> maps;  // [layer * heads + head][i * n + j]

    bool empty() const { return maps.empty(); }
    size_t mapSize() const { return size_t(n) * size_t(n); }
    size_t floats() const { return maps.size() * mapSize(); }
    // Sets the shape; every map n x n, zero. (No n x n prototype to copy:
    // with 0 layers there are no maps, and 20,000 features would make it 1.6 GB.)
    void reset(int layers_, int heads_, int n_)
    {
        layers = layers_;
        heads = heads_;
        n = n_;
        maps.resize(size_t(layers) * size_t(heads));
        for (std::vector<float> &map : maps)
            map.assign(mapSize(), 0.0f);
    }
    const float *map(int layer, int head) const { return maps[size_t(layer) * size_t(heads) + size_t(head)].data(); }
    float *map(int layer, int head) { return maps[size_t(layer) * size_t(heads) + size_t(head)].data(); }
    float at(int layer, int head, int i, int j) const { return map(layer, head)[size_t(i) * size_t(n) + size_t(j)]; }
};

// A padded batch, row-major. L may be shorter than the model's maximum:
// padding never changes a result (MODEL.md 2), so batches are padded to their
// longest sample.
struct Batch {
    int B = 0;  // samples
    int L = 0;  // tokens per sample
    int T = 0;  // tasks
    std::vector<int32_t> tokens;  // [B, L] text token ids, 0 = <pad>
    std::vector<float> values;    // [B, L] tabular raw feature values (0 where masked)
    std::vector<uint8_t> mask;    // [B, L] 1 = real token
    std::vector<int32_t> labels;  // [B, T] class index, -1 = missing
    // [B, T, L] 1 = token j is a rationale token of (b, t) (MODEL.md 5b);
    // empty when no sample of the batch has rationales. Flags on padding and
    // missing features are not rationale tokens: every reader ignores them.
    std::vector<uint8_t> rationale;

    void resize(int b, int l, int t, InputKind kind);
    bool hasRationale() const { return !rationale.empty(); }
};

} // namespace attnscope
