// Lessons > a guided lesson (core/lesson.h, docs/lessons.md) beside the
// window: its title, the step's text and what to look at, Back and Next.
// The panel only shows the lesson and says which step to apply
// (stepChosen); the window applies it (MainWindow::applyLessonStep).
#pragma once

#include "lesson.h"

#include <QDockWidget>

class QLabel;
class QPushButton;

namespace attnscope {

class LessonPanel : public QDockWidget {
    Q_OBJECT

public:
    explicit LessonPanel(QWidget *parent = nullptr);

    // Shows the lesson at its first step (stepChosen(0) follows).
    void setLesson(Lesson lesson);
    const Lesson &lesson() const { return m_lesson; }
    bool hasLesson() const { return !m_lesson.steps.empty(); }
    int step() const { return m_step; }
    // Shows step i and asks for it to be applied (Back and Next do this).
    void goTo(int step);
    QPushButton *backButton() const { return m_back; }
    QPushButton *nextButton() const { return m_next; }
    // The step's text as shown (title, text, what to look at).
    QString shownText() const;
    // Why the step shown did not apply (its data did not open), shown above
    // its text until another step is chosen; empty: it applied.
    void setProblem(const QString &problem);
    QString problem() const;

signals:
    void stepChosen(int step);

private:
    Lesson m_lesson;
    int m_step = 0;
    QLabel *m_title = nullptr, *m_counter = nullptr, *m_stepTitle = nullptr, *m_text = nullptr, *m_look = nullptr;
    QLabel *m_problem = nullptr;
    QPushButton *m_back = nullptr, *m_next = nullptr;
};

} // namespace attnscope
