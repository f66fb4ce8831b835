// The status bar's training read-out: a progress bar, epoch, step, ETA and
// steps per second.
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

private:
    QProgressBar *m_progress = nullptr;
    QLabel *m_epoch = nullptr, *m_step = nullptr, *m_eta = nullptr, *m_speed = nullptr;
};

} // namespace attnscope
