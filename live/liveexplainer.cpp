#include "liveexplainer.h"

#include <cmath>

namespace attnscope {

namespace {

using Clock = std::chrono::steady_clock;

int realTokens(const EncodedSample &sample)
{
    int n = 0;
    for (uint8_t m : sample.mask)
        n += m != 0;
    return n;
}

} // namespace

ExplainOptions LiveExplainer::options(int realTokens, bool focus)
{
    ExplainOptions options;
    if (realTokens > (focus ? FocusAllScoresTokens : AllScoresTokens)) {
        options.methods = {Method::Attention, Method::Rollout, Method::Gradient};
        options.faithfulness = focus;
    }
    return options;
}

ExplanationPtr LiveExplainer::explainOne(const Model &model, const EncodedDataset &data, int index, int64_t step,
                                         bool focus)
{
    const ExplainOptions o = options(realTokens(data.samples[size_t(index)]), focus);
    auto e = std::make_shared<LiveExplanation>();
    e->step = step;
    e->sample = explainSample(model, data, index, o, m_workspace);
    e->reduced = !o.wants(Method::Integrated);
    return e;
}

void LiveExplainer::explain(AttentionSnapshot &snapshot, const Model &model, const EncodedDataset &data,
                            int focusProbe, bool force)
{
    if (snapshot.samples.empty() || snapshot.taskCount() > MaxTasks)
        return;
    const Clock::time_point start = Clock::now();
    const bool round = force || start >= m_due;
    // The focus first: the sample the user looks at is explained even when the round is cut short by an error.
    const int focus = snapshot.findProbe(focusProbe) >= 0 ? focusProbe : snapshot.samples.front().probe;
    std::vector<AttentionSample *> order;
    for (AttentionSample &s : snapshot.samples)
        if (s.probe == focus)
            order.insert(order.begin(), &s);
        else
            order.push_back(&s);
    FaithfulnessSummary summary(snapshot.taskCount());
    bool ran = false;
    for (AttentionSample *s : order) {
        if (s->probe < 0 || s->probe >= int(data.samples.size()))
            continue;
        Kept &kept = m_byProbe[s->probe];
        // A focus explained as a row of a long input lacks what the focus gets.
        const bool lacking = !kept.explanation || (s->probe == focus && kept.explanation->reduced && !kept.focus);
        if (round || lacking) {
            kept.explanation = explainOne(model, data, s->probe, snapshot.step, s->probe == focus);
            kept.focus = s->probe == focus;
            ran = true;
        }
        s->explanation = kept.explanation;
        if (round)
            summary.add(kept.explanation->sample);
    }
    if (round) {
        m_summary.explainedStep = snapshot.step;
        m_summary.comprehensiveness.assign(size_t(snapshot.taskCount()), {});
        m_summary.sufficiency.assign(size_t(snapshot.taskCount()), {});
        for (size_t t = 0; t < size_t(snapshot.taskCount()); ++t)
            for (size_t m = 0; m < size_t(MethodCount); ++m) {
                m_summary.comprehensiveness[t][m] = summary.comprehensiveness[t][m].value().value_or(std::nan(""));
                m_summary.sufficiency[t][m] = summary.sufficiency[t][m].value().value_or(std::nan(""));
            }
        ++m_rounds;
    }
    snapshot.explainedStep = m_summary.explainedStep;
    snapshot.comprehensiveness = m_summary.comprehensiveness;
    snapshot.sufficiency = m_summary.sufficiency;
    if (!ran)
        return;
    const Clock::time_point end = Clock::now();
    m_nanos += std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count();
    if (round)
        m_due = end + std::chrono::duration_cast<Clock::duration>((end - start) * (1.0 / Budget - 1.0));
}

void LiveExplainer::explainInput(AttentionSnapshot &result, const Model &model, const ProbeInput &input)
{
    if (result.samples.empty() || result.taskCount() > MaxTasks)
        return;
    if (!m_input || input.id != m_inputId || m_inputRound != m_rounds) {
        const EncodedDataset data = encodeInput(model, input);
        if (data.samples.empty())
            return;
        const Clock::time_point start = Clock::now();
        m_input = explainOne(model, data, 0, result.step, true);
        m_inputId = input.id;
        m_inputRound = m_rounds;
        m_nanos += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
    }
    result.samples[0].explanation = m_input;
}

void LiveExplainer::clear()
{
    m_byProbe.clear();
    m_summary = AttentionSnapshot();
    m_input.reset();
    m_inputId = m_inputRound = -1;
    m_due = {};
    m_nanos = 0;
    m_rounds = 0;
}

} // namespace attnscope
