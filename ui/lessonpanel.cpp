#include "lessonpanel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include <algorithm>

namespace attnscope {

namespace {

QLabel *wrapped(QWidget *parent, const char *name)
{
    auto *label = new QLabel(parent);
    label->setObjectName(QLatin1String(name));
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);  // a teacher's text, not markup
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

LessonPanel::LessonPanel(QWidget *parent) : QDockWidget(tr("Lesson"), parent)
{
    setObjectName(QStringLiteral("lessonDock"));
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    m_title = wrapped(page, "lessonTitle");
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_title->setFont(bold);
    m_counter = wrapped(page, "lessonCounter");
    m_counter->setForegroundRole(QPalette::PlaceholderText);
    m_stepTitle = wrapped(page, "lessonStepTitle");
    QFont stepFont = m_stepTitle->font();
    stepFont.setBold(true);
    m_stepTitle->setFont(stepFont);
    m_problem = wrapped(page, "lessonProblem");
    m_problem->setFont(stepFont);
    m_problem->setFrameShape(QFrame::StyledPanel);
    m_problem->setMargin(6);
    m_problem->hide();
    m_text = wrapped(page, "lessonText");
    m_look = wrapped(page, "lessonLook");
    m_look->setFrameShape(QFrame::StyledPanel);
    m_look->setMargin(6);
    m_back = new QPushButton(tr("Back"));
    m_back->setObjectName(QStringLiteral("lessonBack"));
    m_back->setToolTip(tr("The step before, applied again"));
    m_next = new QPushButton(tr("Next"));
    m_next->setObjectName(QStringLiteral("lessonNext"));
    m_next->setToolTip(tr("The next step: its settings apply, its run trains"));
    m_next->setDefault(true);
    for (QWidget *w : {static_cast<QWidget *>(m_title), static_cast<QWidget *>(m_counter),
                       static_cast<QWidget *>(m_stepTitle), static_cast<QWidget *>(m_problem),
                       static_cast<QWidget *>(m_text)})
        layout->addWidget(w);
    layout->addWidget(m_look);
    layout->addStretch(1);
    // Long texts scroll; the dock stays narrow beside the views.
    auto *scroll = new QScrollArea;
    scroll->setWidget(page);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Back and Next below the text, never scrolled: at 1024 x 768 and 150 %
    // a long step's text pushed them under the panel's edge, cut in half.
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_back);
    buttons->addStretch(1);
    buttons->addWidget(m_next);
    const QMargins margins = layout->contentsMargins();
    buttons->setContentsMargins(margins.left(), 0, margins.right(), margins.bottom());
    auto *dock = new QWidget;
    auto *column = new QVBoxLayout(dock);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(scroll, 1);
    column->addLayout(buttons);
    setWidget(dock);
    connect(m_back, &QPushButton::clicked, this, [this]() { goTo(m_step - 1); });
    connect(m_next, &QPushButton::clicked, this, [this]() { goTo(m_step + 1); });
    goTo(0);
}

void LessonPanel::setLesson(Lesson lesson)
{
    m_lesson = std::move(lesson);
    m_title->setText(QString::fromStdString(m_lesson.title));
    m_title->setToolTip(QString::fromStdString(m_lesson.summary));
    m_step = -1;
    goTo(0);
}

void LessonPanel::goTo(int step)
{
    setProblem(QString());
    const int n = int(m_lesson.steps.size());
    if (n == 0) {
        m_counter->clear();
        m_stepTitle->clear();
        m_text->setText(tr("No lesson: choose one in the Lessons menu."));
        m_look->hide();
        m_back->setEnabled(false);
        m_next->setEnabled(false);
        return;
    }
    m_step = std::clamp(step, 0, n - 1);
    const LessonStep &s = m_lesson.steps[size_t(m_step)];
    m_counter->setText(tr("Step %1 of %2").arg(m_step + 1).arg(n));
    m_stepTitle->setText(QString::fromStdString(s.title));
    m_text->setText(QString::fromStdString(s.text));
    m_look->setText(tr("Look at: %1").arg(QString::fromStdString(s.look)));
    m_look->setVisible(!s.look.empty());
    m_back->setEnabled(m_step > 0);
    m_next->setEnabled(m_step + 1 < n);
    emit stepChosen(m_step);
}

QString LessonPanel::shownText() const
{
    QStringList parts = {m_stepTitle->text(), m_text->text()};
    if (!m_look->isHidden())
        parts << m_look->text();
    return parts.join(QLatin1Char('\n'));
}

void LessonPanel::setProblem(const QString &problem)
{
    m_problem->setText(problem.isEmpty() ? QString() : tr("This step did not apply: %1").arg(problem));
    m_problem->setVisible(!problem.isEmpty());
}

QString LessonPanel::problem() const
{
    return m_problem->isHidden() ? QString() : m_problem->text();
}

} // namespace attnscope
