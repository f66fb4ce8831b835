// The environment the ui suites start the built window (ATTNSCOPE_APP) in:
// the offscreen platform, and its settings and data (recent files, zoom,
// recovery files) in `home`, never the tester's own.
#pragma once

#include <QProcessEnvironment>
#include <QString>

inline QProcessEnvironment appEnvironment(const QString &home)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home);
    env.insert(QStringLiteral("XDG_DATA_HOME"), home);
    return env;
}
