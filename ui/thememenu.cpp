#include "thememenu.h"

#include <QActionGroup>

namespace attnscope {

ThemeMenu::ThemeMenu(QWidget *parent)
    : QMenu(tr("&Theme"), parent)
{
    auto *themes = new QActionGroup(this);
    const auto add = [&](const QString &text, Theme value) {
        QAction *action = addAction(text);
        action->setCheckable(true);
        action->setData(int(value));
        action->setObjectName(QStringLiteral("theme_") + toString(value));
        themes->addAction(action);
        connect(action, &QAction::triggered, this, [this, value]() { setTheme(value); });
        return action;
    };
    m_system = add(tr("&System"), Theme::System);
    m_light = add(tr("&Light"), Theme::Light);
    m_dark = add(tr("&Dark"), Theme::Dark);
}

QAction *ThemeMenu::action(Theme theme) const
{
    switch (theme) {
    case Theme::Light: return m_light;
    case Theme::Dark: return m_dark;
    case Theme::System: break;
    }
    return m_system;
}

// The whole application's palette (every widget gets QEvent::PaletteChange).
void ThemeMenu::setTheme(Theme theme, bool persist)
{
    applyTheme(theme);
    if (persist)
        saveTheme(theme);
    action(theme)->setChecked(true);
}

} // namespace attnscope
