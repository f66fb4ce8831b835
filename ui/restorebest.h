// Training > Restore best weights: the weights of the run's best evaluation
// (the lowest validation loss, the rule of attnscope-cli train --keep-best,
// core/bestevaluation.h) back in place of the current ones, after asking
// (Confirmations::mayRestoreBest). The run keeps its curves and step count;
// the plot marks the best evaluation with a star and the restore with
// 'weights of step N (best)'. Enabled while the worker holds weights of a
// best evaluation that are not the current ones; a running run pauses first.
#pragma once

#include "trainingcontroller.h"

#include <QAction>

namespace attnscope {

class Confirmations;

class RestoreBestAction : public QAction {
    Q_OBJECT

public:
    RestoreBestAction(TrainingController *training, Confirmations *confirm, QObject *parent);
    // The best evaluation the worker holds (-1: none) and whether the weights are its already.
    int64_t bestStep() const { return m_best.bestStep; }
    bool atBest() const { return m_best.atBest; }

signals:
    // The weights were restored: a line for the status bar.
    void restored(const QString &message);

private:
    void update(TrainingWorker::State state);
    void restore();

    TrainingController *m_training;
    Confirmations *m_confirm;
    TrainingSnapshot m_best;  // the last snapshot's best-evaluation fields (and step)
};

} // namespace attnscope
