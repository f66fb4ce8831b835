// The JSON of one explained sample, as `attnscope-cli explain` writes it
// (docs/cli.md), written in one place for the CLI and for the attention
// views' exports (live/attentionsnapshot.h's snapshotJson):
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

// The scores an explanation holds (Method order): those some task has.
std::vector<Method> explainedMethods(const SampleExplanation &e);

} // namespace attnscope
