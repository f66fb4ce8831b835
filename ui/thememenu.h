// View > Theme: System, Light or Dark (appearance.h), one checked.
#pragma once

#include "appearance.h"

#include <QMenu>

class QAction;

namespace attnscope {

class ThemeMenu : public QMenu {
    Q_OBJECT

public:
    explicit ThemeMenu(QWidget *parent = nullptr);

    QAction *action(Theme theme) const;
    // The application's palette; persist: remember it for the next start.
    // The menu checks the theme's entry.
    void setTheme(Theme theme, bool persist = true);

private:
    QAction *m_system, *m_light, *m_dark;
};

} // namespace attnscope
