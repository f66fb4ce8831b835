// Space, pressed anywhere in a window (or a panel floated off it), pauses or resumes training; it
// reaches the focused widget only where it types a space (a text field, an
// editable combo). The press and its release are both taken so that a
// focused button does not click as well. An application-wide event filter,
// because a focused spin box or combo would eat a QAction shortcut.
#pragma once

#include <QObject>

#include <functional>

class QWidget;

namespace attnscope {

class PauseKey : public QObject {
    Q_OBJECT

public:
    // Toggles with `toggle` for Space in `window` (and its children); installs
    // itself on the application, removes itself when destroyed.
    PauseKey(QWidget *window, std::function<void()> toggle);
    ~PauseKey() override;

    // A widget where Space types text.
    static bool typesText(const QWidget *widget);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    // In the window, or in one of its panels or toolbars floated off it.
    bool inWindow(const QWidget *widget) const;

    QWidget *m_window;
    std::function<void()> m_toggle;
};

} // namespace attnscope
