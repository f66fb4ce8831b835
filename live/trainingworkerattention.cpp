// TrainingWorker's live attention (trainingworker.h): the probe sets and the
// probe editor's input the GUI hands over, and the refreshes between two
// steps (or when idle) within their time budget. Apart from
// trainingworker.cpp, which trains.
#include "trainingworker.h"

#include "threadhandoff.h"

#include <algorithm>
#include <utility>

namespace attnscope {

namespace {

using Clock = std::chrono::steady_clock;

} // namespace

void TrainingWorker::setProbes(const ProbeSet &probes, std::shared_ptr<const TrainingSetup> setup,
                               std::shared_ptr<const Dataset> dataset)
{
    {
        std::lock_guard lock(m_attentionMutex);
        m_pendingProbes = ProbeRequest{probes, std::move(setup), std::move(dataset)};
        m_clearProbes = false;
    }
    // Idle, the worker takes it in its event loop; training, between two steps.
    HandOffSend send;
    QMetaObject::invokeMethod(this, [this] { serviceAttention(); }, Qt::QueuedConnection);
}

void TrainingWorker::clearProbes()
{
    std::lock_guard lock(m_attentionMutex);
    m_pendingProbes.reset();
    m_clearProbes = true;
}

void TrainingWorker::setProbeInput(const ProbeInput &input)
{
    {
        std::lock_guard lock(m_attentionMutex);
        m_pendingInput = input;
    }
    HandOffSend send;
    QMetaObject::invokeMethod(this, [this] { serviceAttention(); }, Qt::QueuedConnection);
}

void TrainingWorker::setAttentionRate(int everySteps, std::chrono::milliseconds minInterval)
{
    m_attentionEvery.store(std::max(1, everySteps));
    m_attentionMinMs.store(int(std::max<int64_t>(0, minInterval.count())));
}

// A probe set the GUI sent for the current setup (one for a setup still on
// its way waits for it). Under m_attentionMutex.
bool TrainingWorker::probesApply() const
{
    return m_pendingProbes && m_pendingProbes->setup == m_setup;
}

bool TrainingWorker::attentionRequested()
{
    std::lock_guard lock(m_attentionMutex);
    return probesApply() || m_pendingInput || m_clearProbes;
}

// Takes the GUI's requests that apply to the current setup.
TrainingWorker::Requests TrainingWorker::takeAttentionRequests()
{
    std::optional<ProbeRequest> probes;
    std::optional<ProbeInput> input;
    bool clear = false;
    {
        std::lock_guard lock(m_attentionMutex);
        if (probesApply())
            probes.swap(m_pendingProbes);
        input.swap(m_pendingInput);
        clear = std::exchange(m_clearProbes, false);
    }
    Requests r;
    if (clear) {
        m_inspect.reset();
        m_probes.reset();
        m_probesFor.reset();
        m_probeTexts.reset();
    }
    if (probes) {
        m_probes = std::move(probes->probes);
        m_probesFor = std::move(probes->setup);
        m_probeTexts = std::move(probes->dataset);
        r.probes = true;
    }
    if (input) {
        m_probeInput = std::move(*input);
        r.input = true;
    }
    return r;
}

void TrainingWorker::serviceAttention()
{
    if (m_state.load() == State::Running || m_quit.load())
        return;  // the training loop takes requests between its steps
    const Requests r = takeAttentionRequests();
    refreshAttention(r.probes, r.input, true);
}

// Between two steps: a refresh when one was asked for, or when the last is
// attentionEverySteps() steps and its time budget ago.
void TrainingWorker::maybeRefreshAttention()
{
    const Requests r = takeAttentionRequests();
    if (!m_probes && !m_probeInput)
        return;
    const int64_t step = m_trainer->progress().step;
    // The timeline's marks come whatever the time budget says: at full speed
    // it allowed 4 refreshes a second, 2-6 snapshots of a 1,000-step run.
    // (Called after every step: each mark's exact step.)
    const bool atMark = step % timelineEvery(m_trainer->progress().totalSteps, m_attentionEvery.load()) == 0
                        && step != m_attentionStep;
    if ((step - m_attentionStep >= m_attentionEvery.load() && Clock::now() >= m_attentionDue) || atMark)
        refreshAttention(true, true, false);
    else if (r.probes || r.input)
        refreshAttention(r.probes, r.input, false);
}

void TrainingWorker::refreshAttention(bool probes, bool input, bool idle)
{
    if (!m_trainer || (!probes && !input))
        return;
    syncModel();
    const Clock::time_point start = Clock::now();
    const int64_t step = m_trainer->progress().step;
    bool ranProbes = false, ranInput = false;
    const bool explain = m_explainOn.load();
    const double explainedBefore = m_explainer.seconds();
    // The maps the run has room for (none when it needs the whole budget).
    SnapshotLimits limits;
    if (m_setup)
        limits.keepLimit = m_setup->selfAttentionLimit;
    try {
        if (m_faultHook)
            m_faultHook("refresh");
        // The worker's own model, read between two steps: no copy, no lock (this
        // thread is the only one that writes it).
        ranProbes = probes && refreshProbes(step, limits, explain, idle);
        ranInput = input && refreshInput(step, limits.keepLimit, explain);
    } catch (const std::exception &e) {
        liveAttentionFailed(e, step);
        return;
    }
    if (ranProbes || ranInput)
        budgetNextRefresh(start, explainedBefore, ranProbes);
}

// The probe set's snapshot (and its explanations) at `step`, sent; false when
// there is nothing to take it of.
bool TrainingWorker::refreshProbes(int64_t step, SnapshotLimits limits, bool explain, bool idle)
{
    if (!m_probes || m_val.samples.empty())
        return false;
    limits.workspace = inspectWorkspace();
    const ProbeSet probeSet = followed();
    AttentionSnapshot taken = probeSet.refresh(m_model, m_val, step, m_probeTexts.get(), limits);
    if (step > 0)
        taken.taskLoss = m_trainer->progress().taskLoss;
    if (explain)
        m_explainer.explain(taken, m_model, m_val, probeSet.focus(), idle);
    taken.explanationsOff = !explain;
    taken.betweenMarks = step % timelineEvery(m_trainer->progress().totalSteps, m_attentionEvery.load()) != 0;
    auto snapshot = std::make_shared<const AttentionSnapshot>(std::move(taken));
    {
        HandOffSend send;
        emit attentionReady(snapshot, m_setup);
    }
    m_attentionStep = step;
    return true;
}

// The probe editor's input through the model at `step`, sent; false without
// one of the model's input kind.
bool TrainingWorker::refreshInput(int64_t step, double keepLimit, bool explain)
{
    if (!m_probeInput || m_probeInput->input != m_model.config.input)
        return false;
    AttentionSnapshot taken = makeInputSnapshot(m_model, *m_probeInput, step, keepLimit);
    if (explain)
        m_explainer.explainInput(taken, m_model, *m_probeInput);
    taken.explanationsOff = !explain;
    auto result = std::make_shared<const AttentionSnapshot>(std::move(taken));
    {
        HandOffSend send;
        emit probeInputReady(result, m_probeInput->id, m_setup);
    }
    return true;
}

// Training goes on without live attention (it would fail again at every
// refresh); a new probe set or input turns it on again.
void TrainingWorker::liveAttentionFailed(const std::exception &e, int64_t step)
{
    m_inspect.reset();
    m_probes.reset();
    m_probesFor.reset();
    m_probeInput.reset();
    const QString what = QString::fromStdString(failureText(e));
    HandOffSend send;
    emit problem(tr("%1: %2 while taking the live attention at step %3; live attention is off until the "
                    "probe set changes.")
                     .arg(m_setup ? QString::fromStdString(m_setup->source) : QString(), what)
                     .arg(step));
}

// After a refresh that began at `start` (the explainer's clock at
// explainedBefore then): its cost counted, and the next periodic refresh
// put off by its budget (an editor-only run, which is cheap, never brings it
// forward).
void TrainingWorker::budgetNextRefresh(std::chrono::steady_clock::time_point start, double explainedBefore,
                                       bool ranProbes)
{
    const Clock::time_point end = Clock::now();
    m_attentionNanos.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
    m_attentionCount.fetch_add(1);
    // The explanations keep a budget of their own (liveexplainer.h).
    const auto explained = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(m_explainer.seconds() - explainedBefore));
    m_explainNanos.store(int64_t(m_explainer.seconds() * 1e9));
    const auto cost = std::chrono::duration_cast<Clock::duration>((end - start - explained) * (1.0 / AttentionBudget - 1.0));
    const Clock::time_point due = end + std::max<Clock::duration>(attentionMinInterval(), cost);
    m_attentionDue = ranProbes ? due : std::max(m_attentionDue, due);
}

// The probes the run has room for (TrainingSetup::maxProbes): the selected
// one and the first others.
ProbeSet TrainingWorker::followed() const
{
    ProbeSet probes = *m_probes;
    const int most = m_setup ? std::max(1, m_setup->maxProbes) : probes.size();
    for (int i = probes.size() - 1; i >= 0 && probes.size() > most; --i)
        if (probes.indices()[size_t(i)] != probes.focus())
            probes.remove(probes.indices()[size_t(i)]);
    return probes;
}

InspectWorkspace *TrainingWorker::inspectWorkspace()
{
    if (!m_inspect)
        m_inspect = std::make_unique<InspectWorkspace>();
    return m_inspect.get();
}

} // namespace attnscope
