// One training run of a session: an id and a name, the settings it was
// asked with, its setup (the initial weights and the encoded splits), the
// data that setup was built on, the controller of its own worker thread and
// its history (the curves of its losses, which the plot draws). A Run is what the window shows and the
// toolbar drives; the Session makes it and owns it.
//
// Today a session holds one run, configured again for every new setup (a new
// dataset, checkpoint or setting), as the window always did; a session that
// keeps every run (one per Reset or setting, overlaid, saved together) adds
// Runs instead of configuring the one again, and nothing here assumes there
// is only one: each run has its own worker thread and its own settings.
#pragma once

#include "losshistory.h"
#include "runplan.h"
#include "trainingcontroller.h"

#include <QObject>
#include <QString>
#include <QStringList>

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

class Run : public QObject {
    Q_OBJECT

public:
    Run(int id, const QString &name, QObject *parent = nullptr);
    ~Run() override;  // stops the worker between two steps and joins its thread

    int id() const { return m_id; }
    QString name() const { return m_name; }
    void setName(const QString &name) { m_name = name; }

    // Its worker's controls and results (the only road to the worker).
    TrainingController *controller() const { return m_controller; }
    std::shared_ptr<const TrainingSetup> setup() const { return m_controller->setup(); }
    // The data the setup was built on; null for a checkpoint opened without data.
    std::shared_ptr<const Dataset> data() const { return m_data; }
    const RunSettings &settings() const { return m_settings; }

    // Starts the run on `setup` (step 0, its initial weights): the worker
    // takes it between two steps. A null setup empties the run.
    void configure(std::shared_ptr<const TrainingSetup> setup, std::shared_ptr<const Dataset> data,
                   const RunSettings &settings);

    // The run's curves: every snapshot's losses, validation points and
    // setting changes since its worker last started again (a new setup, a
    // Reset), recorded as they arrive, so that they outlive the plot that
    // draws them. configure() names the tasks of a new setup.
    const LossHistory &history() const { return m_history; }
    LossHistory &history() { return m_history; }  // the plot sets its smoothing

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
    LossHistory m_history;
    int m_historyRun = -1;  // the worker's run (TrainingSnapshot::run) the history holds
};

// The tasks' names, in task order, as the views show them.
QStringList taskNames(const std::vector<TaskInfo> &tasks);

} // namespace attnscope
