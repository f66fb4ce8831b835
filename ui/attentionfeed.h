// Live attention in the workbench: wires an AttentionPanel (GUI thread) to
// the TrainingWorker of a TrainingController (its own thread).
//
//   panel.probeSetChanged(probes)  -> worker.setProbes(probes, setup, dataset)   (a value, under a mutex)
//   probe editor input (runner)    -> worker.setProbeInput(input)
//   worker.attentionReady(snap)    -> panel.setSnapshot(snap)                  (queued, shared, immutable)
//   worker.probeInputReady(r, id)  -> panel.probeEditor()->setResult(r, id)    (queued)
//
// Results for any setup other than the current one (a run replaced while its
// last snapshot was on its way) are dropped. The panel never runs the model
// itself and the GUI thread never waits for a training step.
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
    ~AttentionFeed() override;  // the panel runs its model itself again

    // A new run (the same setup the controller was just configured with):
    // the panel takes its data and chooses the probe set, which goes to the
    // worker; the worker's snapshots of it follow. dataset may be null.
    void setRun(std::shared_ptr<const TrainingSetup> setup, std::shared_ptr<const Dataset> dataset);
    std::shared_ptr<const TrainingSetup> setup() const { return m_setup; }

private:
    TrainingWorker *worker() const;

    QPointer<TrainingController> m_training;
    QPointer<AttentionPanel> m_panel;
    std::shared_ptr<const TrainingSetup> m_setup;
    std::shared_ptr<const Dataset> m_dataset;
};

} // namespace attnscope
