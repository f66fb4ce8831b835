// The JSON schema of `attnscope-cli attention`, written in one place for the
// CLI and for the attention views' exports:
//   {"gates": {name: sigmoid(pool.gate[t])},   (gated models only)
//    "samples": [{"tokens": [...], "tasks": {name: [weight per token]},
//                 "predictions": {name: {"class": c, "probabilities": [...]}},
//                 "layers": [[[[row of weights] per query] per head] per layer]}]}
#pragma once

#include "jsonwriter.h"
#include "types.h"

#include <string>
#include <vector>

namespace attnscope {

// One element of "samples". weights[t][j]: task t's attention on token j;
// probs[t][c]; selfAttention: the encoder's maps ("layers"). Tasks beyond the model's
// (or missing arrays) are left out; the predicted class is the first most
// probable one.
void writeAttentionSample(JsonWriter &w, const std::vector<TaskInfo> &tasks, const std::vector<std::string> &tokens,
                          const std::vector<std::vector<float>> &weights, const std::vector<std::vector<float>> &probs,
                          const SelfAttentionMaps &selfAttention);
// Its members without the braces, for a writer that adds members of its own
// (the views' exports add a sample's explanation: live/attentionsnapshot.h).
void writeAttentionMembers(JsonWriter &w, const std::vector<TaskInfo> &tasks, const std::vector<std::string> &tokens,
                           const std::vector<std::vector<float>> &weights, const std::vector<std::vector<float>> &probs,
                           const SelfAttentionMaps &selfAttention);

// "gates": {name: value} of a gated model (MODEL.md 4: sigmoid(pool.gate[t]),
// the share of the task's own attention); nothing when gates is empty.
void writeGates(JsonWriter &w, const std::vector<TaskInfo> &tasks, const std::vector<float> &gates);

} // namespace attnscope
