// Explanations of a prediction and how faithful they are (MODEL.md 9):
// five scores per real token (the pooling attention, its rollout through
// the encoder, gradient x input, integrated gradients, occlusion), ERASER's
// comprehensiveness and sufficiency of the ranking each score makes (and of
// a seeded random ranking, the floor), and their plausibility against the
// data's rationales. Everything comes from the core's own passes: the
// gradients from backwardFromLogits(), the masked and scaled inputs from
// forwardFromEmbedding() over copies of one sample's embedding, batched and
// cut into chunks that fit a memory budget. Nothing is approximated by
// another model.
#pragma once

#include "dataset.h"
#include "metrics.h"
#include "model.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attnscope {

// The scores, then Random: a ranking only (the floor a score must beat).
enum class Method { Attention, Rollout, Gradient, Integrated, Occlusion, Random };
constexpr int MethodCount = 6;  // Random included
constexpr int ScoreCount = 5;   // every Method but Random
// "attention", "rollout", "gradient", "integrated", "occlusion", "random".
const char *toString(Method method);
bool parseMethod(const std::string &text, Method *method);
// Attention and rollout are distributions over the real tokens (they have a mass).
inline bool isDistribution(Method method) { return method == Method::Attention || method == Method::Rollout; }

enum class ClassChoice {
    Predicted,  // the first largest logit
    Gold,       // the label; a (sample, task) without one is not explained
};

// ERASER's thresholds: the AOPC averages over the top 1, 5, 10, 20 and 50 %.
constexpr std::array<int, 5> EraserPercents = {1, 5, 10, 20, 50};
// ceil(k n / 100) computed in integers, at least 1 (MODEL.md 9).
int topCount(int percent, int n);

struct ExplainOptions {
    // The scores to compute (and to rank by); Random's faithfulness is always there.
    std::vector<Method> methods = {Method::Attention, Method::Rollout, Method::Gradient, Method::Integrated,
                                   Method::Occlusion};
    ClassChoice classChoice = ClassChoice::Predicted;
    int igSteps = 20;          // S of integrated gradients
    bool faithfulness = true;  // comprehensiveness and sufficiency (the masked passes); false: scores only
    uint64_t seed = 1;         // of the random ranking, with the sample's index and the task
    // Activations of one batched pass over copies of the sample: its rows are
    // cut into chunks of at most this many bytes, a row counted as
    // trainingStepBytes() counts one sample (at least one row a chunk).
    size_t batchBytes = size_t(64) << 20;

    bool wants(Method method) const;
};

// One (sample, task, method).
struct Faithfulness {
    bool measured = false;  // comprehensiveness and sufficiency computed (ExplainOptions::faithfulness)
    double comprehensiveness = 0, sufficiency = 0;  // means over EraserPercents (AOPC)
    std::array<double, EraserPercents.size()> comprehensivenessK{}, sufficiencyK{};
    // Plausibility: where the sample has a rationale token among its real tokens.
    std::optional<double> auprc;
    std::optional<double> mass;  // attention and rollout only
};

struct TaskExplanation {
    int cls = -1;          // the explained class; -1: not explained (Gold without a label)
    double f = 0;          // log p(cls) at e
    double fZero = 0;      // log p(cls) at the all-zero embedding, mask unchanged
    double p = 0;          // p(cls) at e
    // Per score method (Method order, Random excluded): one per real token
    // in SampleExplanation::real's order; empty when not asked.
    std::array<std::vector<float>, ScoreCount> scores;
    std::optional<double> integratedDelta;  // sum_j integrated_j - (f - fZero)
    // Per Method (Random included), where asked and the class exists.
    std::array<std::optional<Faithfulness>, MethodCount> faithfulness;
};

struct SampleExplanation {
    int index = 0;          // EncodedSample::index (into Dataset::samples)
    std::vector<int> real;  // positions of the real tokens, in order
    std::vector<TaskExplanation> tasks;
};

// Buffers reused from sample to sample (not shared between threads).
struct ExplainWorkspace {
    Batch batch, rows;
    Activations<float> acts;
    std::vector<float> e;  // the sample's embedding (L, d)
};

// MODEL.md 9 for data.samples[index]: every asked score for every task,
// integrated gradients' delta, the faithfulness of each score's ranking and
// of the random one, and their plausibility.
SampleExplanation explainSample(const Model &model, const EncodedDataset &data, int index,
                                const ExplainOptions &options, ExplainWorkspace &workspace);

// The real positions by score, highest first, ties by position; scores holds
// one value per entry of real.
std::vector<int> rankBy(const std::vector<float> &scores, const std::vector<int> &real);
// The random ranking of (sample, task): a permutation of real (Fisher-Yates
// with the project's splitmix64, seeded from seed, sampleIndex and task),
// the same whoever else is explained.
std::vector<int> randomRanking(const std::vector<int> &real, uint64_t seed, int sampleIndex, int task);

// Comprehensiveness and sufficiency of given rankings (real positions,
// highest first) of data.samples[index] for class cls of task, one
// Faithfulness per ranking (auprc and mass not set). explainSample() uses the
// same passes; tests give it a reference's rankings.
std::vector<Faithfulness> eraser(const Model &model, const EncodedDataset &data, int index, int task, int cls,
                                 const std::vector<std::vector<int>> &rankings, const ExplainOptions &options,
                                 ExplainWorkspace &workspace);

// A set's faithfulness and plausibility per task and Method: the means over
// the explained samples (comprehensiveness, sufficiency) and over those of
// them with a rationale token (AUPRC, mass). The one accumulator of
// attnscope-cli explain and the live views.
struct FaithfulnessSummary {
    std::vector<std::array<Mean, MethodCount>> comprehensiveness, sufficiency, auprc, mass;

    explicit FaithfulnessSummary(int tasks = 0);
    // Skips the tasks without a class.
    void add(const SampleExplanation &sample);
};

} // namespace attnscope
