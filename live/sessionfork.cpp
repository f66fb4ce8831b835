// Session's forks (session.h): a child run from a checkpoint that the
// session file keeps of a run (every keepEvery steps, bounded, and the
// last one), with the weights and the trainer's state of that step.
#include "session.h"

#include "checkpoint.h"
#include "runplan.h"
#include "sessionjobs.h"

#include <algorithm>

namespace attnscope {

std::optional<CheckpointRecord> Session::readCheckpoint(int64_t fileId, int64_t checkpointId, QString *error) const
{
    if (!m_recorder->isOpen() || fileId == 0) {
        *error = tr("the session has no file that keeps its checkpoints");
        return std::nullopt;
    }
    // What the writer has committed is what a reader sees.
    SessionFile file;
    if (!file.open(m_recorder->path(), SessionFile::Mode::ReadOnly, error))
        return std::nullopt;
    std::optional<CheckpointRecord> c = checkpointId ? file.checkpoint(checkpointId) : file.latestCheckpoint(fileId);
    if (!c || c->run != fileId) {
        *error = file.error().isEmpty() ? tr("%1: no such checkpoint").arg(m_recorder->path()) : file.error();
        return std::nullopt;
    }
    return c;
}

KeptRun *Session::keptRun(int id) const
{
    const auto it = std::find_if(m_kept.begin(), m_kept.end(), [&](const auto &run) { return run->id == id; });
    return it == m_kept.end() ? nullptr : it->get();
}

int64_t Session::fileIdOf(int id) const
{
    if (id == m_run->id())
        return m_recorder->liveFileId();
    if (const KeptRun *run = keptRun(id))
        return run->fileId;
    // A deleted run keeps its row while Undo can bring it back (until
    // purgeDeleted): a fork of it still names it as its parent there.
    for (const Deleted &d : m_deleted)
        if (d.run->id == id)
            return d.run->fileId;
    return 0;
}

QString Session::runName(int id) const
{
    if (id == m_run->id())
        return m_run->name();
    const KeptRun *run = keptRun(id);
    return run ? run->name : QString();
}

std::vector<CheckpointRecord> Session::forkPoints(int id, QString *why)
{
    const auto none = [&](const QString &reason) {
        if (why)
            *why = reason;
        return std::vector<CheckpointRecord>();
    };
    const QString notYet = tr("No checkpoint of this run in the session file yet");
    if (!m_recorder->isOpen())
        return none(tr("The session has no file that keeps its checkpoints"));
    const int64_t fileId = fileIdOf(id);
    if (fileId == 0)
        return none(notYet);
    // What the writer has queued is committed first: a reader sees commits.
    QString error;
    if (!m_recorder->flush(&error))
        return none(error);
    SessionFile file;
    if (!file.open(m_recorder->path(), SessionFile::Mode::ReadOnly, &error))
        return none(error);
    std::vector<CheckpointRecord> points = file.checkpointList(fileId);
    if (points.empty())
        return none(file.error().isEmpty() ? notYet : file.error());
    return points;
}

std::shared_ptr<ForkFrom> Session::checkpointOf(int id, int64_t checkpointId, TrainConfig *train, QString *why,
                                               const std::function<QString(const TrainConfig &)> &check)
{
    const QString name = runName(id);
    const auto fail = [&](const QString &reason) {
        *why = reason;
        return nullptr;
    };
    if (name.isEmpty())
        return fail(tr("there is no such run"));
    // The run's data and split: its seed and its dataset, which must be the open one.
    QString dataset;
    double valFraction = ValFraction;
    if (id == m_run->id()) {
        const RunRecord record = currentRecord();
        dataset = record.dataset;
        *train = record.train;
    } else {
        dataset = keptRun(id)->dataset;
        *train = keptRun(id)->train;
        valFraction = keptRun(id)->valFraction;
    }
    if (!isOpenData(dataset))
        return fail(tr("it trained on %1; open that dataset first").arg(dataset));
    // A split the window does not make (attnscope-cli train --val-fraction):
    // its checkpoint's position in the epoch is one of other training samples.
    if (valFraction != ValFraction)
        return fail(tr("it kept %1 of its data for validation (attnscope-cli train --val-fraction), the window "
                       "keeps %2: its training split is another; continue it with attnscope-cli train --resume")
                        .arg(valFraction)
                        .arg(ValFraction));
    if (check)
        if (const QString problem = check(*train); !problem.isEmpty())
            return fail(problem);
    QString error;
    if (!m_recorder->flush(&error))
        return fail(error);
    const std::optional<CheckpointRecord> checkpoint = readCheckpoint(fileIdOf(id), checkpointId, &error);
    if (!checkpoint)
        return fail(error);
    auto weights = std::make_shared<Model>();
    std::string parseError;
    // Its messages name the session file the checkpoint is in, as every error does.
    const QString where = tr("%1: %2 at step %3").arg(m_recorder->path(), name).arg(checkpoint->step);
    if (!parseCheckpoint(checkpoint->weights.toStdString(), where.toStdString(), weights.get(), &parseError))
        return fail(QString::fromStdString(parseError));
    RunRequest asked;
    asked.checkpoint = weights;
    asked.checkpointName = where.toStdString();
    if (const RunPlan plan = planRun(*m_data, asked); !plan.checkpoint)
        return fail(QString::fromStdString(plan.misfit));
    auto from = std::make_shared<ForkFrom>();
    from->settings.model = weights->config;
    from->point = {id, checkpoint->step};
    from->weights = std::move(weights);
    from->name = where;
    from->state = checkpoint->trainer;
    return from;
}

bool Session::forkRun(int id, int64_t checkpointId)
{
    const QString parent = runName(id);
    const auto fail = [&](const QString &why) {
        emit failed(tr("Cannot fork %1: %2").arg(parent.isEmpty() ? tr("the run") : parent, why));
        return false;
    };
    TrainConfig train;
    QString why;
    // The optimiser's state in the checkpoint is that optimiser's.
    const OptimizerKind optimizer = settings().train.optimizer.kind;
    const auto sameOptimizer = [&](const TrainConfig &parent) {
        return optimizer == parent.optimizer.kind
                   ? QString()
                   : tr("it trained with %1, the Training panel has %2: the checkpoint's optimiser state is %1's; "
                        "choose %1 to fork it")
                         .arg(QString::fromLatin1(toString(parent.optimizer.kind)),
                              QString::fromLatin1(toString(optimizer)));
    };
    const std::shared_ptr<ForkFrom> fork = checkpointOf(id, checkpointId, &train, &why, sameOptimizer);
    if (!fork)
        return fail(why);

    stopComparing();
    // The panels' training settings (what the child changes), the parent's model and seed.
    const RunSettings panels = settings();
    fork->asked = panels.model;
    fork->settings.train = panels.train;
    keepParentsOrder(&fork->settings.train, train);
    return newFork(fork);
}

QString Session::cannotResume(int id) const
{
    const KeptRun *run = keptRun(id);
    if (!run)
        return tr("only a run that ended can be resumed (Start goes on with the current one)");
    if (!m_recorder->isOpen() || run->fileId == 0)
        return tr("the session has no file that keeps its checkpoints");
    if (!isOpenData(run->dataset))
        return tr("it trained on %1; open that dataset first").arg(run->dataset);
    return {};
}

bool Session::resumeRun(int id, bool start)
{
    const QString name = runName(id);
    const auto fail = [&](const QString &why) {
        emit failed(tr("Cannot resume %1: %2").arg(name.isEmpty() ? tr("the run") : name, why));
        return false;
    };
    if (const QString why = cannotResume(id); !why.isEmpty())
        return fail(why);
    const KeptRun &run = *keptRun(id);
    TrainConfig train;
    QString why;
    const std::shared_ptr<ForkFrom> resume = checkpointOf(id, 0, &train, &why);
    if (!resume)
        return fail(why);
    stopComparing();
    // Its own settings (attnscope-cli train --resume keeps them), to the
    // total the Training panel asks for (--steps).
    const TrainConfig panel = settings().train;
    resume->settings.train = train;
    resume->settings.train.steps = panel.steps;
    resume->settings.train.epochs = panel.epochs;
    resume->asked = resume->settings.model;
    resume->point = run.fork;  // its own parent, if it is a fork
    resume->resumes = id;
    resume->start = start;
    return newFork(resume);
}

namespace {

// A run's curves up to `step` (its points after the checkpoint it resumes
// from are trained again).
LossHistory historyUntil(const LossHistory &history, int64_t step)
{
    if (history.steps().empty() || history.steps().back() <= double(step))
        return history;
    TrainingSnapshot points = history.points();
    const auto after = [step](const auto &point) { return point.step > step; };
    std::erase_if(points.steps, after);
    std::erase_if(points.evals, after);
    std::erase_if(points.changes, after);
    LossHistory cut;
    cut.setTasks(history.tasks());
    cut.append(points);
    return cut;
}

} // namespace

void Session::continueKeptRun(const ForkFrom &fork)
{
    const auto it = std::find_if(m_kept.begin(), m_kept.end(), [&](const auto &run) { return run->id == fork.resumes; });
    if (it == m_kept.end())
        return;  // applyBuild checked it
    const std::unique_ptr<KeptRun> run = std::move(*it);
    m_kept.erase(it);
    m_run->renumber(run->id, run->name);
    m_run->continueHistory(historyUntil(run->history, fork.state.step), fork.state.step);
    m_recorder->resumeLive(run->fileId, fork.state.step, run->timeline,
                           tr("in the window, from step %1").arg(fork.state.step));
    emit runsChanged();
    emit status(tr("%1 resumes at step %2: Start goes on with it").arg(run->name).arg(fork.state.step), 10000);
}

} // namespace attnscope
