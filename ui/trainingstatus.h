// The status bar's training read-out: a progress bar, epoch, step, ETA and
// steps per second (fewer on a narrow window); and the line that reports an
// evaluation.
#pragma once

#include "trainingworker.h"

#include <QWidget>

class QLabel;
class QProgressBar;

namespace attnscope {

class TrainingStatus : public QWidget {
    Q_OBJECT

public:
    explicit TrainingStatus(QWidget *parent = nullptr);
    void update(const TrainingSnapshot &snapshot, TrainingWorker::State state);
    void clear();
    QString text() const;
    // On a narrow window: the progress, step and ETA only (epoch and speed
    // in the progress bar's tooltip), leaving the status line room.
    void setCompact(bool compact);

private:
    QProgressBar *m_progress = nullptr;
    QLabel *m_epoch = nullptr, *m_step = nullptr, *m_eta = nullptr, *m_speed = nullptr;
};

// Training > Evaluate now's result in one line: the loss and the accuracy of
// the first tasks, their names elided (there may be thousands).
QString evaluationMessage(int64_t step, const EvalResult &result, const std::vector<TaskInfo> &tasks);

} // namespace attnscope
