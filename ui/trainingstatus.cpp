#include "trainingstatus.h"

#include "tasknames.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>

#include <algorithm>

namespace attnscope {

namespace {

QString duration(double seconds)
{
    const qint64 s = qint64(seconds + 0.5);
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

TrainingStatus::TrainingStatus(QWidget *parent)
    : QWidget(parent)
{
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("trainingProgress"));
    m_progress->setMinimumWidth(160);
    m_progress->setMaximumWidth(260);
    m_progress->setTextVisible(true);
    m_epoch = new QLabel(this);
    m_step = new QLabel(this);
    m_eta = new QLabel(this);
    m_speed = new QLabel(this);
    m_epoch->setObjectName(QStringLiteral("statusEpoch"));
    m_step->setObjectName(QStringLiteral("statusStep"));
    m_eta->setObjectName(QStringLiteral("statusEta"));
    m_speed->setObjectName(QStringLiteral("statusSpeed"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(14);
    layout->addWidget(m_progress);
    for (QLabel *label : {m_epoch, m_step, m_eta, m_speed})
        layout->addWidget(label);
    clear();
}

void TrainingStatus::clear()
{
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_epoch->setText(tr("epoch –"));
    m_step->setText(tr("step –"));
    m_eta->setText(tr("ETA –"));
    m_speed->setText(tr("– steps/s"));
    m_progress->setToolTip(text());
}

void TrainingStatus::update(const TrainingSnapshot &s, TrainingWorker::State state)
{
    const int64_t total = std::max<int64_t>(s.totalSteps, 1);
    m_progress->setRange(0, 1000);
    m_progress->setValue(int(1000 * s.step / total));
    m_progress->setFormat(QStringLiteral("%1%").arg(100.0 * double(s.step) / double(total), 0, 'f', 0));
    const int64_t epochs = s.stepsPerEpoch > 0 ? (s.totalSteps + s.stepsPerEpoch - 1) / s.stepsPerEpoch : 0;
    m_epoch->setText(tr("epoch %1/%2").arg(s.step > 0 ? s.epoch + 1 : 0).arg(epochs));
    m_step->setText(tr("step %1/%2").arg(s.step).arg(s.totalSteps));
    if (state == TrainingWorker::State::Running && s.stepsPerSecond > 0)
        m_eta->setText(tr("ETA %1").arg(duration(double(s.totalSteps - s.step) / s.stepsPerSecond)));
    else
        m_eta->setText(tr("ETA –"));
    m_speed->setText(s.stepsPerSecond > 0 ? tr("%1 steps/s").arg(s.stepsPerSecond, 0, 'f', 0) : tr("– steps/s"));
    m_progress->setToolTip(text());
}

void TrainingStatus::setCompact(bool compact)
{
    m_epoch->setVisible(!compact);
    m_speed->setVisible(!compact);
    m_progress->setMinimumWidth(compact ? 100 : 160);
}

QString TrainingStatus::text() const
{
    return QStringList{m_epoch->text(), m_step->text(), m_eta->text(), m_speed->text()}.join(QStringLiteral("  "));
}

QString evaluationMessage(int64_t step, const EvalResult &result, const std::vector<TaskInfo> &tasks)
{
    QStringList parts;
    const size_t count = std::min(result.tasks.size(), tasks.size());
    for (size_t t = 0; t < count && t < size_t(MaxNamedTasks); ++t)
        parts << QStringLiteral("%1 %2").arg(elidedName(tasks[t].name), QString::number(result.tasks[t].accuracy, 'f', 3));
    if (count > size_t(MaxNamedTasks))
        parts << andMore(qint64(count) - MaxNamedTasks, QObject::tr("tasks"));
    return QObject::tr("Validation at step %1 (%2 samples): loss %3, accuracy %4")
        .arg(step)
        .arg(QLocale().toString(result.samples))
        .arg(result.loss, 0, 'f', 4)
        .arg(parts.join(QStringLiteral(", ")));
}

} // namespace attnscope
