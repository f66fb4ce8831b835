// File > Open recent: the datasets and checkpoints opened last, newest first,
// kept in QSettings ("recentFiles") for the next start; File > Open recent
// session the same for session files ("recentSessions").
#pragma once

#include <QObject>
#include <QString>

class QMenu;

namespace attnscope {

class RecentFiles : public QObject {
    Q_OBJECT

public:
    // Fills `menu` (and keeps it filled); the menu stays its owner's.
    explicit RecentFiles(QMenu *menu, QObject *parent = nullptr, const QString &key = QStringLiteral("recentFiles"));

    // path (absolute) becomes the newest; at most MaxFiles are kept.
    void add(const QString &path);
    static constexpr int MaxFiles = 8;

signals:
    void openRequested(const QString &path);

private:
    void updateMenu();

    QMenu *m_menu;
    QString m_key;  // the QSettings entry
};

} // namespace attnscope
