// The questions asked before something a class does by accident throws work
// away: opening a dataset while a run trains or is paused, changing the
// model after opening a checkpoint (its weights fit only its own model),
// Start after a stopped or finished run (it starts again from the initial
// weights), Restore best weights (the current ones go). Each says what would be lost and how to keep it. The asking is
// one function, so that tests answer the questions themselves; by default a
// box asks while the window is shown, and a hidden window (a test, the
// --screenshot path) goes on.
#pragma once

#include "trainingworker.h"

#include <QObject>
#include <QString>

#include <functional>

class QWidget;

namespace attnscope {

class Confirmations : public QObject {
    Q_OBJECT

public:
    // question: the title line; detail: what is lost and how to keep it. True: go on.
    using Ask = std::function<bool(const QString &question, const QString &detail)>;

    explicit Confirmations(QWidget *window);
    void setAsk(Ask ask) { m_ask = std::move(ask); }

    // While one lives, nothing is asked and every answer is "go on": a
    // lesson step's own change (its data, its model) is the teacher's, and
    // the run it ends stays in the Runs tab. A shown window asked anyway,
    // and attnscope --lesson --lesson-step --screenshot hung on the box.
    class Granted {
    public:
        explicit Granted(Confirmations *confirm) : m_confirm(confirm) { ++m_confirm->m_granted; }
        ~Granted() { --m_confirm->m_granted; }
        Granted(const Granted &) = delete;
        Granted &operator=(const Granted &) = delete;

    private:
        Confirmations *m_confirm;
    };

    // Whether a question now would be put to someone (a shown window, a
    // test's ask) rather than answered "go on" at once.
    bool asks() const;
    // Opening `spec` ends the run at `step` when it is running or paused.
    bool mayOpenDataset(const QString &spec, TrainingWorker::State state, int64_t step);
    // Start trains again from the initial weights after a stopped or finished run.
    bool mayStartAgain(TrainingWorker::State state, int64_t step);
    // A model field changed while the run starts from the checkpoint `name`.
    bool mayDropCheckpoint(const QString &name);
    // The weights of the best evaluation (step best, validation loss `loss`)
    // replace those of step `step`.
    bool mayRestoreBest(int64_t best, double loss, int64_t step);

private:
    bool ask(const QString &question, const QString &detail);

    QWidget *m_window;
    Ask m_ask;
    int m_granted = 0;  // Granted's living
};

} // namespace attnscope
