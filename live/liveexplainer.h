// Live explanations (issue 12): the worker's part of MODEL.md 9. Between two
// steps, with the snapshot it has just taken of the probe set, the worker
// hands the snapshot to its LiveExplainer, which runs explainSample() (the
// core's own passes, its own ExplainWorkspace) on the same weights and puts
// the explanations into the snapshot's samples:
//
//   a round     every probe sample (the focus first), a new faithfulness
//               summary (AttentionSnapshot::comprehensiveness, ...), then no
//               round before its time budget: a round that took r waits
//               r * (1 / Budget - 1), so rounds take at most Budget of the time;
//   in between  the samples keep their last explanations (shared, each with
//               its step); a sample that has none yet (a probe just added, a
//               new focus that lacks the long scores) is explained at once.
//
// Integrated gradients (S passes a task) and occlusion (a pass a token) cost
// the most: a sample gets them up to AllScoresTokens real tokens, the focus
// up to FocusAllScoresTokens; attention, rollout and gradient x input always
// (with their faithfulness, which for a longer sample only the focus gets).
// Every score is a pass or more per task: a model of more than MaxTasks tasks
// is not explained live at all (attnscope-cli explain does it).
// The probe editor's input is explained as the focus is, when it changes and
// with every round.
#pragma once

#include "attentionsnapshot.h"

#include <chrono>
#include <cstdint>
#include <map>

namespace attnscope {

class LiveExplainer {
public:
    // The share of the training time rounds may take (the attention's is
    // TrainingWorker::AttentionBudget; the two stay under issue 12's 10 %).
    static constexpr double Budget = 0.03;
    static constexpr int AllScoresTokens = 64;
    static constexpr int FocusAllScoresTokens = 128;
    static constexpr int MaxTasks = 16;

    // What a sample of `realTokens` gets: every score with its faithfulness,
    // or, when longer than the limit, no integrated gradients or occlusion
    // (and no faithfulness unless it is the focus).
    static ExplainOptions options(int realTokens, bool focus);

    // Explains the samples of `snapshot` (taken of `data` with `model` at
    // snapshot.step): a round when `force` or its budget allows, otherwise
    // only the samples without an explanation; the others get their last one.
    void explain(AttentionSnapshot &snapshot, const Model &model, const EncodedDataset &data, int focusProbe,
                 bool force);
    // The probe editor's result for `input`: explained again when the input
    // changed (another id) or a round ran since, otherwise its last explanation.
    void explainInput(AttentionSnapshot &result, const Model &model, const ProbeInput &input);
    // Forgets every explanation (a new run, another probe set's data).
    void clear();

    double seconds() const { return m_nanos / 1e9; }  // time spent explaining since clear()
    int64_t explainedStep() const { return m_summary.explainedStep; }  // of the last round, -1: none
    int rounds() const { return m_rounds; }

private:
    ExplanationPtr explainOne(const Model &model, const EncodedDataset &data, int index, int64_t step, bool focus);

    ExplainWorkspace m_workspace;
    struct Kept {
        ExplanationPtr explanation;
        bool focus = false;  // made as the selected sample's (a long one gets more)
    };
    std::map<int, Kept> m_byProbe;             // the last explanation of each probe
    AttentionSnapshot m_summary;               // the last round's step and figures (no samples)
    ExplanationPtr m_input;
    int m_inputId = -1;
    int m_inputRound = -1;                     // the round the input was explained in
    std::chrono::steady_clock::time_point m_due{};  // no round (unless forced) before
    int64_t m_nanos = 0;
    int m_rounds = 0;
};

} // namespace attnscope
