#include "trainingstatus.h"

#include "tasknames.h"
#include "textdialog.h"

#include <QAction>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLayout>
#include <QLocale>
#include <QMainWindow>
#include <QMouseEvent>
#include <QProgressBar>
#include <QScrollBar>
#include <QStatusBar>
#include <QTextBrowser>

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
    const QSize before = sizeHint();
    m_totalSteps = m_epochs = 0;
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_epoch->setText(tr("epoch –"));
    m_step->setText(tr("step –"));
    m_eta->setText(tr("ETA –"));
    m_speed->setText(tr("– steps/s"));
    m_progress->setToolTip(text());
    reserveWidths();
    settle(before);
}

void TrainingStatus::update(const TrainingSnapshot &s, TrainingWorker::State state)
{
    const QSize before = sizeHint();
    m_totalSteps = s.totalSteps;
    m_epochs = s.stepsPerEpoch > 0 ? (s.totalSteps + s.stepsPerEpoch - 1) / s.stepsPerEpoch : 0;
    setTexts(s, state);
    reserveWidths();
    settle(before);
}

void TrainingStatus::setTexts(const TrainingSnapshot &s, TrainingWorker::State state)
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
    // A speed only while steps are taken: paused (also by the divergence
    // guard), finished or stopped it read "1398 steps/s" (accept26 E5).
    m_speed->setText(state == TrainingWorker::State::Running && s.stepsPerSecond > 0
                         ? tr("%1 steps/s").arg(s.stepsPerSecond, 0, 'f', 0)
                         : tr("– steps/s"));
    m_progress->setToolTip(text());
}

void TrainingStatus::setCompact(bool compact)
{
    m_epoch->setVisible(!compact);
    m_speed->setVisible(!compact);
    m_progress->setMinimumWidth(compact ? 100 : 160);
}

// Each label as wide as its widest text of the run ("step 500/500", "epoch
// 10/10", "ETA 88:88", "8888 steps/s"), so that the read-out keeps its
// width from step to step: it changed with the texts, and the status bar
// laid it out again only some event loop turns later, so that a picture
// taken in between showed "step 150/50(" cut and the progress bar's chunk
// over its "30%" (accept27 F3a).
void TrainingStatus::reserveWidths()
{
    const auto digits = [](int64_t n) { return QString(QString::number(std::max<int64_t>(n, 0)).size(), QLatin1Char('8')); };
    const auto reserve = [](QLabel *label, const QString &widest) {
        label->setMinimumWidth(label->fontMetrics().horizontalAdvance(widest) + label->contentsMargins().left()
                               + label->contentsMargins().right());
    };
    reserve(m_step, tr("step %1/%1").arg(digits(m_totalSteps)));
    reserve(m_epoch, tr("epoch %1/%1").arg(digits(m_epochs)));
    reserve(m_eta, tr("ETA %1").arg(QStringLiteral("88:88")));
    reserve(m_speed, tr("%1 steps/s").arg(QStringLiteral("8888")));
}

// Laid out now when the read-out's size changed, not at the event loop's
// next turns (its layout, then the status bar's): a screenshot or a message
// cut to the room left of it sees where it is.
void TrainingStatus::settle(QSize before)
{
    if (sizeHint() == before || !isVisible())
        return;
    if (layout())
        layout()->activate();
    if (QWidget *bar = parentWidget(); bar && bar->layout())
        bar->layout()->activate();
}

void TrainingStatus::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        reserveWidths();  // the zoom: the same texts, in the new font
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

StatusMessages::StatusMessages(QMainWindow *window)
    : QObject(window), m_window(window)
{
    m_action = new QAction(tr("&Messages"), this);
    m_action->setObjectName(QStringLiteral("messages"));
    m_action->setToolTip(tr("The status bar's messages, whole, with their times"));
    connect(m_action, &QAction::triggered, this, &StatusMessages::show);
    // A click on the status line (the bar itself, not the read-out on its right).
    window->statusBar()->installEventFilter(this);
}

void StatusMessages::add(const QString &text)
{
    if (text.isEmpty())
        return;
    // A message may quote a megabyte of a file: the start and the end of it.
    m_messages.emplace_back(QDateTime::currentDateTime(), elidedMessage(text, 4000));
    while (m_messages.size() > size_t(MaxKept))
        m_messages.pop_front();
    if (m_dialog)
        m_dialog->setText(html());
}

QStringList StatusMessages::lines() const
{
    QStringList lines;
    for (const auto &[time, text] : m_messages)
        lines << QStringLiteral("%1  %2").arg(time.toString(QStringLiteral("HH:mm:ss")), text);
    return lines;
}

QString StatusMessages::html() const
{
    if (m_messages.empty())
        return tr("<p>No message yet.</p>");
    QString html = QStringLiteral("<table cellspacing='0' cellpadding='3'>");
    for (const auto &[time, text] : m_messages)
        html += QStringLiteral("<tr><td valign='top' style='white-space:nowrap'>%1</td><td>%2</td></tr>")
                    .arg(time.toString(QStringLiteral("HH:mm:ss")), text.toHtmlEscaped());
    return html + QStringLiteral("</table>");
}

void StatusMessages::show()
{
    if (!m_dialog) {
        m_dialog = new TextDialog(tr("Messages"), html(), m_window);
        m_dialog->setObjectName(QStringLiteral("messagesLog"));
        m_dialog->setAttribute(Qt::WA_DeleteOnClose);
        m_dialog->setModal(false);
        m_dialog->show();
        m_dialog->setText(html());  // laid out at its width: scrolled to the newest
        QScrollBar *bar = m_dialog->browser()->verticalScrollBar();
        bar->setValue(bar->maximum());
    }
    m_dialog->raise();
    m_dialog->activateWindow();
}

bool StatusMessages::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::MouseButtonRelease
        && static_cast<QMouseEvent *>(event)->button() == Qt::LeftButton
        && !static_cast<QStatusBar *>(watched)->currentMessage().isEmpty())
        show();
    return QObject::eventFilter(watched, event);
}

} // namespace attnscope
