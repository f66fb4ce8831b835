// A window's action whose key a focused field would take for itself: a
// QLineEdit (a Setup field, a spin box's text, the probe editor) claims
// Ctrl+E as End, so Training > Evaluate now did nothing while one had the
// focus. The field's claim on the action's key (its ShortcutOverride) is
// refused while the action is enabled, and the action's shortcut fires
// anywhere in the window. An application-wide event filter, as PauseKey's.
#pragma once

#include <QObject>
#include <QPointer>

class QAction;
class QWidget;

namespace attnscope {

class FieldProofShortcut : public QObject {
public:
    // For action's shortcuts in window (and its children), for as long as action lives.
    FieldProofShortcut(QWidget *window, QAction *action);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QPointer<QWidget> m_window;
    QAction *m_action;
};

} // namespace attnscope
