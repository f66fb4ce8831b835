#include "confirmations.h"

#include <QMessageBox>
#include <QWidget>

namespace attnscope {

using State = TrainingWorker::State;

Confirmations::Confirmations(QWidget *window)
    : QObject(window), m_window(window)
{
}

bool Confirmations::asks() const
{
    return m_granted == 0 && (m_ask || m_window->isVisible());
}

bool Confirmations::ask(const QString &question, const QString &detail)
{
    if (m_granted > 0)
        return true;
    if (m_ask)
        return m_ask(question, detail);
    if (!m_window->isVisible())
        return true;
    QMessageBox box(QMessageBox::Question, tr("AttnScope"), question, QMessageBox::Yes | QMessageBox::No, m_window);
    box.setInformativeText(detail);
    box.setDefaultButton(QMessageBox::No);  // Enter or Space by accident keeps the work
    return box.exec() == QMessageBox::Yes;
}

bool Confirmations::mayOpenDataset(const QString &spec, State state, int64_t step)
{
    if ((state != State::Running && state != State::Paused) || step <= 0)
        return true;
    return ask(tr("Open %1 and end the run in progress?").arg(spec),
               tr("The run at step %1 stops and stays in the Runs tab with its curves; a new run on the new data "
                  "becomes the current one. To keep its weights in a file, answer No and save a checkpoint or the "
                  "session first (File > Save checkpoint, Save session as).")
                   .arg(step));
}

bool Confirmations::mayStartAgain(State state, int64_t step)
{
    if ((state != State::Stopped && state != State::Finished) || step <= 0)
        return true;
    return ask(tr("Start again from the initial weights?"),
               tr("The %1 run (step %2) stays in the Runs tab with its curves, and a new run trains from the "
                  "initial weights. To keep its weights in a file, answer No and save a checkpoint or the session "
                  "first (File > Save checkpoint, Save session as).")
                   .arg(state == State::Finished ? tr("finished") : tr("stopped"))
                   .arg(step));
}

bool Confirmations::mayDropCheckpoint(const QString &name)
{
    return ask(tr("Discard the weights of %1?").arg(name),
               tr("A checkpoint's weights fit only its own model: with this change the next run starts from new "
                  "random weights. Answer No to keep the checkpoint (the Model panel goes back to its model)."));
}

bool Confirmations::mayRestoreBest(int64_t best, double loss, int64_t step)
{
    return ask(tr("Replace the weights of step %1 with those of step %2?").arg(step).arg(best),
               tr("Step %1 had the lowest validation loss of the run (%2). Its weights replace the current ones; "
                  "the run keeps its curves and its step count and trains on from them with a fresh optimiser. "
                  "To keep the weights of step %3, answer No and save a checkpoint first (File > Save checkpoint).")
                   .arg(best)
                   .arg(loss, 0, 'f', 4)
                   .arg(step));
}

} // namespace attnscope
