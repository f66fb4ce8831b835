#include "wheelguard.h"

#include <QAbstractScrollArea>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QScrollBar>
#include <QWheelEvent>

namespace attnscope {

WheelGuard::WheelGuard(QWidget *scope)
    : QObject(scope), m_scope(scope)
{
    // The application's filter sees the fields created later, and their
    // Polish before they first show (when their focus policy is set).
    QCoreApplication::instance()->installEventFilter(this);
    for (QWidget *child : scope->findChildren<QWidget *>())
        if (isField(child))
            child->setFocusPolicy(Qt::StrongFocus);
}

bool WheelGuard::isField(const QObject *object)
{
    return qobject_cast<const QAbstractSpinBox *>(object) || qobject_cast<const QComboBox *>(object)
           || (qobject_cast<const QAbstractSlider *>(object) && !qobject_cast<const QScrollBar *>(object));
}

bool WheelGuard::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::Wheel && event->type() != QEvent::Polish)
        return false;
    auto *field = qobject_cast<QWidget *>(watched);
    if (!field || !m_scope || !isField(field) || !m_scope->isAncestorOf(field))
        return false;
    if (event->type() == QEvent::Polish) {
        field->setFocusPolicy(Qt::StrongFocus);
        return false;
    }
    if (field->hasFocus())
        return false;
    // Not for this field: for the scroll area it is in, which scrolls.
    event->ignore();
    for (QWidget *parent = field->parentWidget(); parent && parent != m_scope->parentWidget(); parent = parent->parentWidget())
        if (auto *area = qobject_cast<QAbstractScrollArea *>(parent)) {
            const auto *wheel = static_cast<QWheelEvent *>(event);
            const QPointF at = area->viewport()->mapFromGlobal(wheel->globalPosition());
            QWheelEvent scroll(at, wheel->globalPosition(), wheel->pixelDelta(), wheel->angleDelta(), wheel->buttons(),
                               wheel->modifiers(), wheel->phase(), wheel->inverted());
            QCoreApplication::sendEvent(area->viewport(), &scroll);
            event->setAccepted(scroll.isAccepted());
            break;
        }
    return true;
}

} // namespace attnscope
