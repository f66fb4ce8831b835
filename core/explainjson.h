// The JSON of one explained sample, and of a set's means, as `attnscope-cli
// explain` writes them (docs/cli.md), written in one place for the CLI and
// for the attention views' exports (live/attentionsnapshot.h's snapshotJson):
//   {"tokens": [real tokens], "tasks": {name: {"class": c,
//     "scores": {method: [per real token]}, "integrated_delta": x,
//     "faithfulness": {method: {"comprehensiveness", "sufficiency", "auprc", "mass"}}}}}
#pragma once

#include "explain.h"
#include "jsonwriter.h"
#include "types.h"

#include <string>
#include <vector>

namespace attnscope {

// `tokens`: one per position (text tokens, or a tabular sample's feature
// names); the real ones (e.real) are written. The scores of `methods` are
// written; a task without a class (--class gold without a label) is left
// out. Per method: comprehensiveness and sufficiency where measured, auprc
// where the sample has a rationale token for the task, mass for attention
// and rollout beside it.
void writeExplainedSample(JsonWriter &w, const std::vector<TaskInfo> &tasks, const std::vector<std::string> &tokens,
                          const SampleExplanation &e, const std::vector<Method> &methods);

// A set's means (FaithfulnessSummary) as `attnscope-cli explain` writes its
// top-level "faithfulness": {task: {method: {"comprehensiveness",
// "sufficiency", "auprc", "mass"}}} for each of `methods` and for random,
// null where no sample gave the figure. The CLI and the views' JSON export
// write it here.
void writeFaithfulnessSummary(JsonWriter &w, const std::vector<TaskInfo> &tasks, const FaithfulnessSummary &summary,
                              const std::vector<Method> &methods);

// The scores an explanation holds (Method order): those some task has.
std::vector<Method> explainedMethods(const SampleExplanation &e);

} // namespace attnscope
