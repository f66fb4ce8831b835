// Runs the built attnscope-cli (ATTNSCOPE_CLI) with QProcess, for the tests
// that call it as users and scripts do (test_cli, test_cli_datasets).
#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QtDebug>

struct Run {
    int code = -1; // exit code; -1 when it crashed or timed out
    QString out, err;
};

// stdoutFile: standard output goes to this file instead (run.out is empty).
inline Run cli(const QStringList &args, int timeoutMs = 120000, const QString &stdoutFile = {})
{
    QProcess process;
    if (!stdoutFile.isEmpty())
        process.setStandardOutputFile(stdoutFile);
    process.start(QStringLiteral(ATTNSCOPE_CLI), args);
    Run run;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        run.err = QStringLiteral("timed out: ") + args.join(' ');
        return run;
    }
    run.code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

// The JSON object a command printed (empty, with a warning, when it is not one).
inline QJsonObject parseObject(const QString &text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qWarning().noquote() << "not a JSON object:" << error.errorString() << text.left(500);
    return doc.object();
}

inline QSet<QString> keys(const QJsonObject &object)
{
    const QStringList list = object.keys();
    return QSet<QString>(list.begin(), list.end());
}

// "exit 1: <stderr>", for a failed check's message.
inline QString why(const Run &run) { return QStringLiteral("exit %1: %2").arg(run.code).arg(run.err); }
