#include "fieldproofshortcut.h"

#include <QAction>
#include <QCoreApplication>
#include <QKeyEvent>
#include <QWidget>

namespace attnscope {

FieldProofShortcut::FieldProofShortcut(QWidget *window, QAction *action)
    : QObject(action), m_window(window), m_action(action)
{
    QCoreApplication::instance()->installEventFilter(this);
}

bool FieldProofShortcut::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::ShortcutOverride || !m_window || !m_action->isEnabled())
        return false;
    auto *widget = qobject_cast<QWidget *>(watched);
    if (!widget || (widget != m_window && !m_window->isAncestorOf(widget)))
        return false;
    const QKeySequence key(static_cast<QKeyEvent *>(event)->keyCombination());
    if (!m_action->shortcuts().contains(key))
        return false;
    // Not the field's: the shortcut's.
    event->ignore();
    return true;
}

} // namespace attnscope
