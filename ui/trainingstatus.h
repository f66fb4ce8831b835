// The status bar's training read-out: a progress bar, epoch, step, ETA and
// steps per second (fewer on a narrow window); the line that reports an
// evaluation; and the log of the status bar's messages, where a long one
// that the status line cuts is read whole.
#pragma once

#include "textdialog.h"
#include "trainingworker.h"

#include <QDateTime>
#include <QPointer>
#include <QWidget>

#include <deque>
#include <utility>

class QAction;
class QLabel;
class QMainWindow;
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

protected:
    void changeEvent(QEvent *event) override;

private:
    void setTexts(const TrainingSnapshot &snapshot, TrainingWorker::State state);
    void reserveWidths();
    void settle(QSize before);

    QProgressBar *m_progress = nullptr;
    QLabel *m_epoch = nullptr, *m_step = nullptr, *m_eta = nullptr, *m_speed = nullptr;
    int64_t m_totalSteps = 0, m_epochs = 0;  // the run's, for the labels' widths
};

// Training > Evaluate now's result in one line: the loss and the accuracy of
// the first tasks, their names elided (there may be thousands).
QString evaluationMessage(int64_t step, const EvalResult &result, const std::vector<TaskInfo> &tasks);

// The status bar's messages of the session, newest last, each with its
// time: View > Messages, or a click on the status line, shows them whole
// and selectable in a window that fits the screen (textdialog.h), updated
// as new ones come. The status line has one line beside the read-out (at
// 150 % zoom some 200 px): a long message, such as Evaluate now's result,
// is cut there with "…", and a line more would make the window taller
// than a 720 px screen allows.
class StatusMessages : public QObject {
    Q_OBJECT

public:
    static constexpr int MaxKept = 200;

    explicit StatusMessages(QMainWindow *window);

    // A message shown in the status bar (elided past a few thousand characters).
    void add(const QString &text);
    // "HH:mm:ss  text", oldest first.
    QStringList lines() const;
    QAction *action() const { return m_action; }
    // Opens the log (objectName messagesLog), or raises it.
    void show();
    TextDialog *dialog() const { return m_dialog; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QString html() const;

    QMainWindow *m_window;
    QAction *m_action = nullptr;
    std::deque<std::pair<QDateTime, QString>> m_messages;
    QPointer<TextDialog> m_dialog;
};

} // namespace attnscope
