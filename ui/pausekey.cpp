#include "pausekey.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QKeyEvent>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTextEdit>
#include <QToolBar>

namespace attnscope {

PauseKey::PauseKey(QWidget *window, std::function<void()> toggle)
    : QObject(window), m_window(window), m_toggle(std::move(toggle))
{
    qApp->installEventFilter(this);
}

PauseKey::~PauseKey()
{
    qApp->removeEventFilter(this);
}

bool PauseKey::typesText(const QWidget *widget)
{
    if (!widget)
        return false;
    if (const auto *edit = qobject_cast<const QLineEdit *>(widget))
        return !edit->isReadOnly() && !qobject_cast<const QAbstractSpinBox *>(edit->parentWidget());
    if (qobject_cast<const QAbstractSpinBox *>(widget))
        return false;  // numbers: a space means nothing there
    if (const auto *combo = qobject_cast<const QComboBox *>(widget))
        return combo->isEditable();
    if (const auto *edit = qobject_cast<const QTextEdit *>(widget))
        return !edit->isReadOnly();
    if (const auto *edit = qobject_cast<const QPlainTextEdit *>(widget))
        return !edit->isReadOnly();
    return false;
}

bool PauseKey::inWindow(const QWidget *widget) const
{
    const QWidget *window = widget->window();
    if (window == m_window)
        return true;
    // A panel or toolbar floated off the window (a window of its own, a child
    // of the main window still): Space pauses there too. A dialog's is its own.
    if (!qobject_cast<const QDockWidget *>(window) && !qobject_cast<const QToolBar *>(window))
        return false;
    for (const QObject *parent = window->parent(); parent; parent = parent->parent())
        if (parent == m_window)
            return true;
    return false;
}

bool PauseKey::eventFilter(QObject *watched, QEvent *event)
{
    const QEvent::Type type = event->type();
    if ((type == QEvent::KeyPress || type == QEvent::KeyRelease) && watched->isWidgetType()) {
        auto *key = static_cast<QKeyEvent *>(event);
        auto *widget = static_cast<QWidget *>(watched);
        if (key->key() == Qt::Key_Space && key->modifiers() == Qt::NoModifier && inWindow(widget)
            && !typesText(QApplication::focusWidget() ? QApplication::focusWidget() : widget)) {
            if (type == QEvent::KeyPress && !key->isAutoRepeat())
                m_toggle();
            return true;
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace attnscope
