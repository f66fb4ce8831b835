// What a run of the model needs in memory, counted before anything is
// allocated, and the budget it must fit in. The buffers that grow with the
// data are the encoder's attention (layers x B x h x L x L: quadratic in the
// feature count or the text length), the activations of a batch
// (B x L x d and B x L x f per layer), and the weights' tables (the token
// embedding V x d, the position table max_len x d, the feature embeddings
// 2 x L x d) times the copies a trainer keeps. A wide file must be refused
// (or the run degraded) with a message that names the file and the sizes:
// asking the allocator for 38 GB either throws std::bad_alloc from deep in a
// pass or, with Linux's overcommit, succeeds and lets the kernel kill the
// process (or a neighbour) once the pages are touched.
#pragma once

#include "dataset.h"
#include "types.h"

#include <cstddef>
#include <exception>
#include <string>

namespace attnscope {

struct TrainConfig;

// The bytes the data-sized buffers of one process may take together: half
// of the physical memory, and at most half of the address-space limit
// (ulimit -v) when there is one. ATTNSCOPE_MEMORY_BUDGET (bytes, or with a
// K, M or G suffix: powers of 1000) replaces that default.
size_t memoryBudget();
// Overrides memoryBudget() for this process (tests); 0 returns to the default.
void setMemoryBudget(size_t bytes);
// "204.8 GB", "640 MB", "12 KB", "512 bytes" (powers of 1000).
std::string formatBytes(double bytes);
// What an exception caught at a boundary says: "out of memory" for
// std::bad_alloc (whose what() is "std::bad_alloc"), its what() otherwise.
std::string failureText(const std::exception &e);

// Bytes of one pass over a batch of B samples padded to L, as forward()
// and backward() size their buffers (core/model.cpp). Doubles: L^2 at
// 100,000 features times the heads overflows nothing here.
struct PassBytes {
    double selfAttention = 0;  // the probabilities A kept for backward and the views: layers x B x h x L x L
    double activations = 0;   // everything else: the batch, B x L x d and B x L x f per layer, backward's buffers
    double total() const { return selfAttention + activations; }
};
// forward() alone (evaluation, inspection).
PassBytes forwardBytes(const ModelConfig &config, int batch, int L);
// The AVX-512 build's linear maps (core/ops_eigen_gemm.inc) keep, per thread,
// the weights of one call packed (Q, K and V: 3 d^2 floats; an FFN map: d f)
// and a block of the input of at most 512 of its `rows` (Eigen sizes it to
// its caches): forwardBytes counts one thread's, trainingStepBytes one per
// slice. Kept from step to step (like the workspace's buffers).
double linearScratchBytes(const ModelConfig &config, int rows);
// A training step: forward() and backward() over `batch` samples cut into
// `threads` slices (each slice has backward's L x L gradient of A).
PassBytes trainingStepBytes(const ModelConfig &config, int batch, int L, int threads);
// One copy of the weights (ParamLayout's size, nothing allocated), and the
// largest of its tensors, by name, for messages.
double weightBytes(const ModelConfig &config);
std::string largestWeight(const ModelConfig &config, double *bytes = nullptr);
// Weight-sized buffers a Trainer keeps: the gradient, the optimiser's
// moments (AdamW and Adam two, SGD one with momentum), AdamW's anchors of
// the lazy embedding rows (counted as one copy) and one gradient per extra
// thread. The weights themselves are not counted.
int trainerWeightCopies(const TrainConfig &config);

// The largest batch (at most `wanted`) whose forward pass at length L takes
// at most `bytes`; 0 when not even one sample does.
int batchThatFits(const ModelConfig &config, int L, int wanted, double bytes);
// The batch evaluate() and inspect() use for samples of at most L: at most
// `wanted`, fewer when a forward pass would take more than a quarter of the
// budget (so that it fits beside a training step), at least one.
int passBatch(const ModelConfig &config, int L, int wanted);
// The most a snapshot of the live attention may keep of self-attention maps
// (the focus sample's included): a sixteenth of the budget.
double selfAttentionKeepLimit();

// The length a batch of these samples is padded to: the longest of them
// (text: its tokens; tabular: the features). 0 for none.
int longestSample(const EncodedDataset &data, const std::vector<int> &indices);
int longestSample(const EncodedDataset &data);

// What a training run needs, by part.
struct RunMemory {
    int batch = 0;              // the training step's: the batch size, at most the training samples
    int longestTrain = 0, longestVal = 0;
    double weights = 0;         // the weights, the trainer's copies and the caller's extra ones
    PassBytes step;             // one training step at `batch` and longestTrain
    int passBatch = 0;          // evaluation and inspection beside it (passBatch())
    double passes = 0;          // ... their forward passes (`passes` of them) at longestVal
    double maps = 0;            // self-attention maps the live attention keeps (0: none kept)
    double total() const { return weights + step.total() + passes + maps; }
};

// The need of a run of `config` trained with `train` on `trainSamples`
// samples of at most longestTrain positions and validated on valSamples
// samples of at most longestVal. extraWeightCopies: weight copies the caller keeps besides
// the trainer's (the window: the initial weights and a copy to save or
// evaluate); passes: forward passes beside training (the CLI: 1, the
// evaluation; the window: 2, the evaluation and the live attention's kept
// workspace); keepMaps: count the live attention's maps of the longest
// validation sample (at most selfAttentionKeepLimit(), twice: the one being
// made and the one shown).
RunMemory runMemory(const ModelConfig &config, const TrainConfig &train, int trainSamples, int longestTrain,
                    int valSamples, int longestVal, int extraWeightCopies, int passes, bool keepMaps);

// Empty when the run fits in `budget`; otherwise a message that names the
// source, the sizes, the part that needs the most and what to change:
// "data.csv: 20000 features need 204.8 GB for the encoder's self-attention
// at batch 32 (257.3 GB in all; budget 12 GB): use 0 encoder layers, a
// smaller batch or fewer features".
std::string checkRunMemory(const std::string &source, const ModelConfig &config, const RunMemory &need,
                           double budget);
// Empty when the weights of `config` fit in `budget`; otherwise the same
// kind of message, naming the largest table ("max length 1000000 x width 64
// needs 256 GB for the position table").
std::string checkWeightMemory(const std::string &source, const ModelConfig &config, double budget);
// Empty when a forward pass of one sample of L positions (inspection,
// evaluation) fits in `budget` beside one copy of the weights, with its
// self-attention maps copied out when keepMaps; otherwise the message. With
// gradient, the pass is forward and backward to the embeddings (the
// explanations), counted as trainingStepBytes() counts one sample.
std::string checkPassMemory(const std::string &source, const ModelConfig &config, int L, bool keepMaps,
                            double budget, bool gradient = false);

} // namespace attnscope
