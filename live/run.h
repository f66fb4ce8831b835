// One training run of a session: an id and a name, the settings it was
// asked with, its setup (the initial weights and the encoded splits), the
// data that setup was built on, the controller of its own worker thread and
// its history (the curves of its losses, which the plot draws). A Run is what the window shows and the
// toolbar drives; the Session makes it and owns it.
//
// The session keeps every run: when a new one begins (a new setup, Reset, a
// new start after the end) the one that trained is kept as a KeptRun (its
// name, data, settings and curves; its worker goes on with the new one),
// and the Run takes a new id and name (renumber). The Runs panel lists the
// kept ones beside it and the plot overlays them.
#pragma once

#include "data/load.h"
#include "losshistory.h"
#include "runplan.h"
#include "trainingcontroller.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <string>

namespace attnscope {

// What a run is built from: the window's Model and Training panels as they
// were when it was asked for.
struct RunSettings {
    ModelConfig model;        // a fresh model's configuration
    TrainConfig train;        // train.seed: the split's, the initial weights' and the batch order's
    std::string problem;      // why `model` cannot be built ("" when it can)

    bool valid() const { return problem.empty(); }
};

// Where a forked run began: a checkpoint of another run of the session.
struct ForkPoint {
    int parent = 0;      // the parent's id (Run::id, KeptRun::id); 0: not a fork (or its parent is gone)
    int64_t step = 0;    // the parent's step it starts from; 0: not a fork

    bool isFork() const { return step > 0; }
};

class Run : public QObject {
    Q_OBJECT

public:
    Run(int id, const QString &name, QObject *parent = nullptr);
    ~Run() override;  // stops the worker between two steps and joins its thread

    int id() const { return m_id; }
    QString name() const { return m_name; }
    void setName(const QString &name) { m_name = name; }
    // The same worker as a new run of the session.
    void renumber(int id, const QString &name)
    {
        m_id = id;
        m_name = name;
    }
    // Whether it has trained since it began (its history holds steps).
    bool hasTrained() const { return !m_history.steps().empty(); }

    // Its worker's controls and results (the only road to the worker).
    TrainingController *controller() const { return m_controller; }
    std::shared_ptr<const TrainingSetup> setup() const { return m_controller->setup(); }
    // The data the setup was built on; null for a checkpoint opened without data.
    std::shared_ptr<const Dataset> data() const { return m_data; }
    const RunSettings &settings() const { return m_settings; }
    // Another run on the same setup (Session::keepCurrentRun): its settings, when not the run's before.
    void setSettings(const RunSettings &settings) { m_settings = settings; }

    // Starts the run on `setup` (step 0, its initial weights; a fork: the
    // parent's checkpoint, TrainingSetup::resumeFrom): the worker takes it
    // between two steps. A null setup empties the run.
    void configure(std::shared_ptr<const TrainingSetup> setup, std::shared_ptr<const Dataset> data,
                   const RunSettings &settings, const ForkPoint &fork = {});
    // The run it was forked from, and where (Reset and a new start keep it).
    const ForkPoint &fork() const { return m_fork; }
    // A resumed run's next run (Reset, a new start: from its checkpoint
    // again) is a fork of it there.
    void setFork(const ForkPoint &fork) { m_fork = fork; }

    // The run's curves: every snapshot's losses, validation points and
    // setting changes since its worker last started again (a new setup, a
    // Reset), recorded as they arrive, so that they outlive the plot that
    // draws them. configure() names the tasks of a new setup.
    const LossHistory &history() const { return m_history; }
    LossHistory &history() { return m_history; }  // the plot sets its smoothing
    // Session::resumeRun, after configure(): the run goes on with `history`
    // (a kept run's curves up to `step`, where it resumes): the worker's
    // run configured appends to it instead of emptying it, and snapshots
    // of the runs before still on their way are dropped. historyCleared
    // and historyAppended say so to the plot.
    void continueHistory(LossHistory history, int64_t step);

signals:
    // history() was emptied: the worker started again.
    void historyCleared();
    // history() gained a snapshot's points (after historyCleared when both).
    void historyAppended();

private:
    void record(const TrainingSnapshot &snapshot);

    int m_id;
    QString m_name;
    TrainingController *m_controller;
    std::shared_ptr<const Dataset> m_data;
    RunSettings m_settings;
    ForkPoint m_fork;
    LossHistory m_history;
    int m_historyRun = -1;  // the worker's run (TrainingSnapshot::run) the history holds
    int64_t m_continueAt = -1;  // continueHistory's step until the run configured sends its first snapshot
};

// A run the session keeps after it ended: what it was and its curves. Its
// worker is gone (the live Run went on with the next run); the Runs panel
// lists it, the plot overlays it while it is shown, the session file has it
// (fileId) once the session has a file.
struct KeptRun {
    int id = 0;                 // unique in the session, as Run::id
    QString name;
    QString dataset;            // the spec of its data
    LoadOptions options;        // its CSV column roles
    ModelConfig model;          // as built (a lesson's depth, a checkpoint's shape)
    TrainConfig train;          // as asked
    double valFraction = 0.2;   // its data's share kept for validation (the window's, or attnscope-cli --val-fraction)
    ForkPoint fork;             // the run it was forked from (its curves start at fork.step)
    LossHistory history;
    bool shown = true;
    int64_t fileId = 0;         // its row in the session file; 0: not in one
    // Its weights as it ended (a run of the window's), or its last checkpoint
    // in the session file once asked for (Session::runAttention); null: none yet.
    std::shared_ptr<const Model> weights;
    int64_t weightsStep = 0;
    // Its attention timeline (at most AttentionTimeline's capacity, spread
    // over the run, without self-attention maps when it came from the
    // session file) and the probe set it was taken on (empty: none).
    std::vector<SnapshotPtr> timeline;
    ProbeSet probes;
};

// The tasks' names, in task order, as the views show them.
QStringList taskNames(const std::vector<TaskInfo> &tasks);

// The name a run takes where the names `taken` says are in use: wanted, or
// the first of "wanted (2)", "wanted (3)", ... that is free.
QString freeRunName(const QString &wanted, const std::function<bool(const QString &)> &taken);

} // namespace attnscope
