// Session's runs (session.h): the kept runs and the current one, their
// names, shown, deleted and reference flags, and one sample through any
// of them (side by side).
#include "session.h"

#include "checkpoint.h"
#include "runplan.h"
#include "sessionjobs.h"

#include <QRegularExpression>

#include <algorithm>

namespace attnscope {

// --- Every run.

void Session::keepCurrentRun()
{
    if (!m_run->hasTrained())
        return;
    auto kept = std::make_unique<KeptRun>();
    const RunRecord record = currentRecord();
    kept->id = m_run->id();
    kept->name = m_run->name();
    kept->dataset = record.dataset;
    kept->options = record.options;
    kept->model = record.model;
    kept->train = record.train;
    kept->valFraction = record.valFraction;
    kept->fork = m_run->fork();
    kept->history = m_run->history();
    kept->fileId = m_recorder->liveFileId();
    kept->weights = m_run->controller()->modelCopy();  // as it ended (side by side, the attention views)
    kept->weightsStep = m_run->controller()->currentStep();
    kept->timeline = m_recorder->liveTimeline();
    kept->probes = m_run->controller()->probes();
    const int keptId = kept->id;
    m_kept.push_back(std::move(kept));
    m_run->renumber(m_nextRunId, nextRunName());
    if (m_runFork && m_runFork->resumes) {
        // Reset or a new start begins again from the checkpoint the run
        // resumed from: a child of it there.
        auto fork = std::make_shared<ForkFrom>(*m_runFork);
        fork->resumes = 0;
        fork->point = {keptId, fork->state.step};
        m_runFork = std::move(fork);
        m_run->setFork(m_runFork->point);
        // Its setup goes on with what the trainer had at the checkpoint
        // (Session::continueWithItsSettings): the child's settings are those.
        if (const std::shared_ptr<const TrainingSetup> setup = m_run->setup()) {
            RunSettings child = m_run->settings();
            child.train.optimizer.lr = setup->config.optimizer.lr;
            child.train.taskWeights = setup->config.taskWeights;
            child.train.rationaleWeight = setup->config.rationaleWeight;
            m_run->setSettings(child);
        }
    }
    ++m_nextRunId;
    m_recorder->restarted();
    emit runsChanged();
}

RunRecord Session::currentRecord() const
{
    RunRecord record;
    const std::shared_ptr<const TrainingSetup> setup = m_run->setup();
    record.name = m_run->name();
    record.dataset = absoluteDatasetSpec(setup ? QString::fromStdString(setup->source) : m_dataSpec);
    if (isOpenData(record.dataset))
        record.options = m_dataOptions;
    record.valFraction = ValFraction;
    record.model = setup ? setup->model.config : m_run->settings().model;
    record.train = m_run->settings().train;
    record.tasks = m_run->history().tasks();
    record.parent = fileIdOf(m_run->fork().parent);
    record.forkStep = m_run->fork().step;
    return record;
}

void Session::writeRuns()
{
    // In the order they began: a parent has its row in the new file before its children.
    for (const auto &run : m_kept) {
        RunRecord record = recordOf(*run);
        record.parent = fileIdOf(run->fork.parent);
        run->fileId = m_recorder->write(std::move(record), run->history, run->timeline, run->probes);
    }
    if (m_run->hasTrained())
        m_recorder->adoptLive(currentRecord(), m_run->history());
}

bool Session::nameInUse(const QString &name, int exceptId) const
{
    if (m_run->id() != exceptId && m_run->name() == name)
        return true;
    return std::any_of(m_kept.begin(), m_kept.end(),
                       [&](const auto &run) { return run->id != exceptId && run->name == name; });
}

QString Session::nextRunName() const
{
    // "Run N" as the window names them, "run N" as attnscope-cli does.
    static const QRegularExpression numbered(QStringLiteral("^run (\\d+)$"), QRegularExpression::CaseInsensitiveOption);
    int highest = 0;
    const auto see = [&](const QString &name) {
        const QRegularExpressionMatch match = numbered.match(name);
        if (match.hasMatch())
            highest = std::max(highest, match.captured(1).toInt());
    };
    for (const auto &run : m_kept)
        see(run->name);
    for (const Deleted &d : m_deleted)  // Undo delete can bring it back
        see(d.run->name);
    return freeRunName(tr("Run %1").arg(highest + 1));
}

bool Session::hasDefaultName(const QString &name)
{
    static const QRegularExpression numbered(QStringLiteral("^Run \\d+( \\(\\d+\\))?$"));
    return numbered.match(name).hasMatch();
}

QString Session::freeRunName(const QString &wanted) const
{
    return attnscope::freeRunName(wanted, [&](const QString &name) { return nameInUse(name, m_run->id()); });
}

bool Session::renameRun(int id, const QString &name)
{
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty() || nameInUse(trimmed, id)) {
        emit failed(trimmed.isEmpty() ? tr("A run needs a name.") : tr("Another run is named \"%1\".").arg(trimmed));
        return false;
    }
    if (id == m_run->id()) {
        m_run->setName(trimmed);
        m_recorder->rename(m_recorder->liveFileId(), trimmed);
    } else {
        for (const auto &run : m_kept)
            if (run->id == id) {
                run->name = trimmed;
                m_recorder->rename(run->fileId, trimmed);
            }
    }
    emit runsChanged();
    return true;
}

void Session::setRunShown(int id, bool shown)
{
    for (const auto &run : m_kept)
        if (run->id == id && run->shown != shown) {
            run->shown = shown;
            m_recorder->setHidden(run->fileId, !shown);
            emit runsChanged();
        }
}

void Session::deleteRun(int id)
{
    const auto it = std::find_if(m_kept.begin(), m_kept.end(), [&](const auto &run) { return run->id == id; });
    if (it == m_kept.end())
        return;
    m_deleted.push_back({std::move(*it), size_t(it - m_kept.begin())});
    m_kept.erase(it);
    if (m_reference == id)
        m_reference = 0;
    emit runsChanged();
}

bool Session::undoDelete()
{
    if (m_deleted.empty())
        return false;
    Deleted last = std::move(m_deleted.back());
    m_deleted.pop_back();
    // Its name may have been taken meanwhile (a rename, a new run).
    const QString wanted = last.run->name;
    last.run->name = attnscope::freeRunName(wanted, [&](const QString &name) { return nameInUse(name, last.run->id); });
    if (last.run->name != wanted)
        m_recorder->rename(last.run->fileId, last.run->name);
    m_kept.insert(m_kept.begin() + std::ptrdiff_t(std::min(last.index, m_kept.size())), std::move(last.run));
    emit runsChanged();
    return true;
}

void Session::purgeDeleted()
{
    for (const Deleted &d : m_deleted)
        m_recorder->remove(d.run->fileId);
    m_deleted.clear();
}

void Session::setReferenceRun(int id)
{
    const bool known = id == m_run->id() || std::any_of(m_kept.begin(), m_kept.end(), [&](const auto &run) {
        return run->id == id;
    });
    const int reference = known ? id : 0;
    if (reference == m_reference)
        return;
    m_reference = reference;
    emit runsChanged();
}

bool Session::hasUnsavedRuns() const
{
    if (!m_recorder->isOpen() || isRecovery())
        return m_run->hasTrained() || !m_kept.empty();
    return std::any_of(m_kept.begin(), m_kept.end(), [](const auto &run) { return run->fileId == 0; });
}

// --- One sample through any run.

int64_t Session::runSteps(int id) const
{
    const LossHistory *history = nullptr;
    if (id == m_run->id())
        history = &m_run->history();
    else if (const KeptRun *run = keptRun(id))
        history = &run->history;
    return history && !history->steps().empty() ? int64_t(history->steps().back()) : 0;
}

bool Session::runAttention(int id, int datasetIndex, AttentionSnapshot *out, QString *why, const RunView &view)
{
    std::shared_ptr<const Model> model;
    int64_t step = 0;
    QString name;
    if (id == m_run->id()) {
        model = m_run->controller()->modelCopy();
        step = m_run->controller()->currentStep();
        name = m_run->name();
    } else {
        KeptRun *kept = keptRun(id);
        if (!kept) {
            *why = tr("no such run");
            return false;
        }
        KeptRun &run = *kept;
        name = run.name;
        if (!run.weights && run.fileId != 0 && m_recorder->isOpen()) {
            // Its last checkpoint in the file, read once.
            QString error;
            const std::optional<CheckpointRecord> last = readCheckpoint(run.fileId, 0, &error);
            auto weights = std::make_shared<Model>();
            std::string parseError;
            if (last && parseCheckpoint(last->weights.toStdString(), m_recorder->path().toStdString(), weights.get(),
                                        &parseError)) {
                run.weights = std::move(weights);
                run.weightsStep = last->step;
            }
        }
        model = run.weights;
        step = run.weightsStep;
    }
    if (view.atStep >= 0 && (!model || step > view.atStep)) {
        // It went further: its last checkpoint at or before that step.
        model.reset();
        QString error;
        std::optional<CheckpointRecord> at;
        for (const CheckpointRecord &c : forkPoints(id, &error))
            if (c.step <= view.atStep && (!at || c.step > at->step))
                at = c;
        if (!at) {
            *why = error.isEmpty() || !m_recorder->isOpen()
                       ? tr("no checkpoint at or before step %1 in the session file").arg(view.atStep)
                       : tr("no checkpoint at or before step %1 (%2)").arg(view.atStep).arg(error);
            return false;
        }
        const std::pair<QString, int64_t> key{m_recorder->path(), at->id};
        auto cached = m_viewWeights.find(key);
        if (cached == m_viewWeights.end()) {
            const std::optional<CheckpointRecord> whole = readCheckpoint(fileIdOf(id), at->id, &error);
            auto parsed = std::make_shared<Model>();
            std::string parseError;
            if (!whole || !parseCheckpoint(whole->weights.toStdString(), m_recorder->path().toStdString(),
                                           parsed.get(), &parseError)) {
                *why = whole ? QString::fromStdString(parseError) : error;
                return false;
            }
            if (m_viewWeights.size() >= 16)  // a few runs' few steps: the rest is read again
                m_viewWeights.clear();
            cached = m_viewWeights.emplace(key, std::move(parsed)).first;
        }
        model = cached->second;
        step = at->step;
    }
    if (!model) {
        *why = tr("%1 has no weights here (no checkpoint in the session file)").arg(name);
        return false;
    }
    if (!m_data || datasetIndex < 0 || datasetIndex >= int(m_data->samples.size())) {
        *why = tr("no sample of the open data to show");
        return false;
    }
    if (const std::string misfit = checkCompatible(*m_data, *model, name.toStdString()); !misfit.empty()) {
        *why = QString::fromStdString(misfit);
        return false;
    }
    // The one sample, encoded with the run's own vocabulary (another seed drew another one).
    const Vocabulary vocab = model->config.input == InputKind::Text ? Vocabulary(model->vocab) : Vocabulary();
    const EncodedDataset one = encodeDataset(*m_data, {datasetIndex}, vocab, model->config.maxLen);
    *out = makeSnapshot(*model, one, {0}, step, m_data.get());
    if (view.explain && !out->samples.empty()) {
        // Every score of the one sample (the faithfulness passes left out:
        // Side by side shows the scores, not their ERASER figures).
        ExplainOptions options;
        options.faithfulness = false;
        ExplainWorkspace workspace;
        auto explanation = std::make_shared<LiveExplanation>();
        explanation->step = step;
        explanation->sample = explainSample(*model, one, 0, options, workspace);
        out->samples[0].explanation = std::move(explanation);
    }
    return true;
}

} // namespace attnscope
