// Live attention in the workbench: wires an AttentionPanel (GUI thread) to
// the TrainingWorker behind a TrainingController (its own thread), through
// the controller only:
//
//   panel.probeSetChanged(probes)      -> controller.setProbes(probes, setup, dataset)  (a value, under a mutex)
//   panel.liveExplanationsChanged(on)  -> controller.setExplanations(on), and the probe set again
//   probe editor input (runner)        -> controller.setProbeInput(input)
//   controller.attentionReady(snap)    -> panel.setSnapshot(snap)                 (queued from the worker, shared, immutable)
//   controller.probeInputReady(r, id)  -> panel.probeEditor()->setResult(r, id)
//
// Results for any setup other than the current one (a run replaced while its
// last snapshot was on its way) are dropped. The panel never runs the model
// and the GUI thread never waits for a training step.
#pragma once

#include "trainingcontroller.h"

#include <QObject>
#include <QPointer>

#include <memory>

namespace attnscope {

class AttentionPanel;

class AttentionFeed : public QObject {
    Q_OBJECT

public:
    AttentionFeed(TrainingController *training, AttentionPanel *panel, QObject *parent = nullptr);
    ~AttentionFeed() override;  // the panel's probe editor has no runner afterwards

    // A new run (the same setup the controller was just configured with):
    // the panel takes its model's description and data and chooses the
    // probe set, which goes to the worker; the worker's snapshots of it
    // follow. dataset may be null.
    void setRun(std::shared_ptr<const TrainingSetup> setup, std::shared_ptr<const Dataset> dataset);
    std::shared_ptr<const TrainingSetup> setup() const { return m_setup; }
    // The run's attention in the panel again, after a file or an earlier
    // run was shown there (AttentionPanel::showFile, showRun): as it was
    // left, with the snapshots that came meanwhile (AttentionPanel::showLive),
    // or from its next snapshot when the panel kept none.
    void showRun();

signals:
    // The panel shows the run's attention again (setRun, showRun): no longer a file's.
    void shownChanged();

private:
    QPointer<TrainingController> m_training;
    QPointer<AttentionPanel> m_panel;
    std::shared_ptr<const TrainingSetup> m_setup;
    std::shared_ptr<const Dataset> m_dataset;
};

} // namespace attnscope
