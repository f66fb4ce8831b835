#include "recentfiles.h"

#include <QAction>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>
#include <QStringList>

namespace attnscope {

RecentFiles::RecentFiles(QMenu *menu, QObject *parent, const QString &key)
    : QObject(parent), m_menu(menu), m_key(key)
{
    updateMenu();
}

void RecentFiles::add(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value(m_key).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > MaxFiles)
        recent.removeLast();
    settings.setValue(m_key, recent);
    updateMenu();
}

void RecentFiles::updateMenu()
{
    m_menu->clear();
    const QStringList recent = QSettings().value(m_key).toStringList();
    for (const QString &path : recent) {
        QAction *action = m_menu->addAction(QFileInfo(path).fileName());
        action->setToolTip(path);
        connect(action, &QAction::triggered, this, [this, path]() { emit openRequested(path); });
    }
    m_menu->setEnabled(!recent.isEmpty());
}

} // namespace attnscope
