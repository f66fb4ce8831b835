#include "attentionfeed.h"

#include "attention/attentionpanel.h"

#include <QScopeGuard>

namespace attnscope {

AttentionFeed::AttentionFeed(TrainingController *training, AttentionPanel *panel, QObject *parent)
    : QObject(parent), m_training(training), m_panel(panel)
{
    connect(training, &TrainingController::attentionReady, this,
            [this](SnapshotPtr snapshot, std::shared_ptr<const TrainingSetup> setup) {
                if (setup == m_setup && snapshot)
                    m_panel->setSnapshot(std::move(snapshot));
            });
    connect(training, &TrainingController::probeInputReady, this,
            [this](SnapshotPtr result, int id, std::shared_ptr<const TrainingSetup> setup) {
                if (setup == m_setup && result)
                    m_panel->probeEditor()->setResult(*result, id);
            });
    connect(m_panel, &AttentionPanel::probeSetChanged, this, [this](const ProbeSet &probes) {
        if (m_training && m_setup)
            m_training->setProbes(probes, m_setup, m_dataset);
    });
    // Live explanations as the panel says ("Explain live"); a change shows
    // at once: the probe set sent again makes an idle worker refresh.
    training->setExplanations(panel->liveExplanations());
    connect(m_panel, &AttentionPanel::liveExplanationsChanged, this, [this](bool on) {
        if (!m_training)
            return;
        m_training->setExplanations(on);
        if (m_setup)
            m_training->setProbes(m_panel->probeSet(), m_setup, m_dataset);
    });
    m_panel->setRunner([this](const ProbeInput &input) {
        if (m_training)
            m_training->setProbeInput(input);
    });
}

AttentionFeed::~AttentionFeed()
{
    if (m_panel)
        m_panel->setRunner({});  // its runner calls this feed
}

void AttentionFeed::showRun()
{
    if (m_panel && m_panel->showLive()) {
        emit shownChanged();
        return;
    }
    setRun(m_setup, m_dataset);
}

void AttentionFeed::setRun(std::shared_ptr<const TrainingSetup> setup, std::shared_ptr<const Dataset> dataset)
{
    m_setup = std::move(setup);
    m_dataset = std::move(dataset);
    const auto said = qScopeGuard([this]() { emit shownChanged(); });
    if (!m_setup) {
        m_panel->clear();
        return;
    }
    // Chooses the probe set and emits probeSetChanged: it goes to the worker with m_setup.
    m_panel->setModelAndData(modelInfo(m_setup->model), m_dataset,
                             m_setup->val.samples.empty()
                                 ? nullptr
                                 : std::shared_ptr<const EncodedDataset>(m_setup, &m_setup->val));  // shares, no copy
}

} // namespace attnscope
