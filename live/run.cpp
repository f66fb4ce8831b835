#include "run.h"

#include <utility>

namespace attnscope {

Run::Run(int id, const QString &name, QObject *parent)
    : QObject(parent), m_id(id), m_name(name), m_controller(new TrainingController(this))
{
    // Connected before anyone else can: the history has a snapshot's points
    // by the time the window hears of that snapshot.
    connect(m_controller, &TrainingController::snapshot, this, &Run::record);
}

Run::~Run()
{
    m_controller->shutdown();
}

void Run::configure(std::shared_ptr<const TrainingSetup> setup, std::shared_ptr<const Dataset> data,
                    const RunSettings &settings, const ForkPoint &fork)
{
    m_data = setup ? std::move(data) : nullptr;
    m_settings = settings;
    m_fork = setup ? fork : ForkPoint();
    if (setup)
        m_history.setTasks(taskNames(setup->model.tasks));
    m_controller->configure(std::move(setup));
}

void Run::continueHistory(LossHistory history, int64_t step)
{
    const double smoothing = m_history.smoothing();
    m_history = std::move(history);
    m_history.setSmoothing(smoothing);
    m_continueAt = step;
    emit historyCleared();
    emit historyAppended();
}

void Run::record(const TrainingSnapshot &snapshot)
{
    if (m_continueAt >= 0) {
        // The worker's first snapshot of the run configured is at its step
        // and holds no step yet; those before it are of the runs before
        // (the queue may hold some, of runs the history never saw).
        if (snapshot.run == m_historyRun || snapshot.step != m_continueAt || !snapshot.steps.empty())
            return;
        m_historyRun = snapshot.run;
        m_continueAt = -1;
    }
    if (snapshot.run != m_historyRun) {
        m_historyRun = snapshot.run;
        m_history.clear();
        emit historyCleared();
    }
    m_history.append(snapshot);
    emit historyAppended();
}

QStringList taskNames(const std::vector<TaskInfo> &tasks)
{
    QStringList names;
    for (const TaskInfo &task : tasks)
        names << QString::fromStdString(task.name);
    return names;
}

QString freeRunName(const QString &wanted, const std::function<bool(const QString &)> &taken)
{
    QString name = wanted;
    for (int n = 2; taken(name); ++n)
        name = QStringLiteral("%1 (%2)").arg(wanted).arg(n);
    return name;
}

} // namespace attnscope
