#include "restorebest.h"

#include "confirmations.h"

namespace attnscope {

using State = TrainingWorker::State;

RestoreBestAction::RestoreBestAction(TrainingController *training, Confirmations *confirm, QObject *parent)
    : QAction(parent), m_training(training), m_confirm(confirm)
{
    setObjectName(QStringLiteral("restoreBest"));
    connect(training, &TrainingController::snapshot, this, [this](const TrainingSnapshot &s) {
        m_best.step = s.step;
        m_best.bestStep = s.bestStep;
        m_best.bestLoss = s.bestLoss;
        m_best.atBest = s.atBest;
        update(m_training->state());
    });
    connect(training, &TrainingController::stateChanged, this, [this](State state) { update(state); });
    connect(training, &TrainingController::bestRestored, this, [this](int64_t step, double loss, int64_t at) {
        emit restored(tr("The weights of step %1 (validation loss %2, the lowest) are back at step %3; the curves "
                         "stay. File > Save checkpoint writes them.")
                          .arg(step)
                          .arg(loss, 0, 'f', 4)
                          .arg(at));
    });
    connect(this, &QAction::triggered, this, &RestoreBestAction::restore);
    update(State::Empty);
}

void RestoreBestAction::update(State state)
{
    const bool has = m_best.bestStep >= 0 && state != State::Empty;
    setEnabled(has && !m_best.atBest);
    setText(has ? tr("Restore &best weights (step %1)").arg(m_best.bestStep) : tr("Restore &best weights"));
    const QString tip = !has           ? tr("No evaluation yet: the run is evaluated on its validation split "
                                            "after every epoch")
                        : m_best.atBest ? tr("The weights are those of the best evaluation (step %1) already")
                                              .arg(m_best.bestStep)
                                        : tr("Puts back the weights of step %1, the lowest validation loss (%2); "
                                             "the run keeps its curves")
                                              .arg(m_best.bestStep)
                                              .arg(m_best.bestLoss, 0, 'f', 4);
    setToolTip(tip);
    setStatusTip(tip);
}

void RestoreBestAction::restore()
{
    if (m_best.bestStep < 0 || m_best.atBest)
        return;
    if (m_confirm->mayRestoreBest(m_best.bestStep, m_best.bestLoss, m_best.step))
        m_training->restoreBest();
}

} // namespace attnscope
