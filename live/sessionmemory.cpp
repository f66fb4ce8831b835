#include "sessionmemory.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

// Refused when the run does not fit, without the live attention's
// self-attention maps when only they are too many.
bool fitMemory(TrainingSetup *out, std::string *error, int extraWeightCopies)
{
    const ModelConfig &c = out->model.config;
    const int longestTrain = longestSample(out->train);
    const int longestVal = out->val.samples.empty() ? longestTrain : longestSample(out->val);
    const double budget = double(memoryBudget());
    const auto need = [&](bool keepMaps) {
        return runMemory(c, out->config, int(out->train.samples.size()), longestTrain,
                         std::max<int>(int(out->val.samples.size()), 1), longestVal,
                         WindowWeightCopies + extraWeightCopies, WindowPasses, keepMaps);
    };
    out->selfAttentionLimit = selfAttentionKeepLimit();
    out->memoryNote.clear();
    // A probe in a snapshot, without its maps: per position a token (a
    // std::string, 32 bytes and its text) and the value, the task weights
    // and rationale flags. The views' share is that of the maps.
    const double probeBytes = double(longestVal) * (40 + 5.0 * c.tasks());
    const double probes = selfAttentionKeepLimit() / (probeBytes * WindowSnapshots);
    out->maxProbes = int(std::clamp(std::floor(probes), 1.0, 16.0));
    if (out->maxProbes < 16)
        out->memoryNote = out->source + ": the live attention follows " + std::to_string(out->maxProbes)
                          + (out->maxProbes == 1 ? " sample" : " samples") + " (the selected one first): each of "
                          + std::to_string(longestVal) + " positions takes " + formatBytes(probeBytes * WindowSnapshots)
                          + " in the timeline";
    if (need(true).total() <= budget)
        return true;
    if (std::string problem = checkRunMemory(out->source, c, need(false), budget); !problem.empty()) {
        *error = std::move(problem);
        return false;
    }
    out->selfAttentionLimit = 0;
    out->memoryNote = out->source + ": the self-attention maps are not kept for the views (the run needs "
                      + formatBytes(need(false).total()) + " of the memory budget's " + formatBytes(budget) + ")"
                      + (out->memoryNote.empty() ? "" : "; " + out->memoryNote.substr(out->source.size() + 2));
    return true;
}

} // namespace attnscope
