// scripts/run.sh as README.md shows it: './scripts/run.sh --data my.jsonl'
// opens my.jsonl. The script put '--data builtin:reviews' before the user's
// arguments, so the app got --data twice and refused it (exit 2, "--data:
// given more than once"). Its argument list is a function (app_args), read
// here by sourcing the script, which then stops before building.
#include <QProcess>
#include <QtTest>

class TestScripts : public QObject {
    Q_OBJECT

private:
    // The arguments run.sh would give the app for `args`.
    static QStringList runArgs(const QStringList &args)
    {
        QProcess bash;
        const QString script = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/scripts/run.sh");
        bash.start(QStringLiteral("bash"), QStringList{QStringLiteral("-c"),
                                                        QStringLiteral("script=$1; shift; source \"$script\" && app_args \"$@\""),
                                                        QStringLiteral("bash"), script}
                                               + args);
        if (!bash.waitForFinished(30000) || bash.exitStatus() != QProcess::NormalExit || bash.exitCode() != 0)
            return {QStringLiteral("bash failed: ") + QString::fromUtf8(bash.readAllStandardError())};
        QStringList out;
        for (const QByteArray &piece : bash.readAllStandardOutput().split('\0'))
            out << QString::fromUtf8(piece);
        out.removeLast();  // after the last NUL
        return out;
    }

private Q_SLOTS:
    void reviewsByDefault()
    {
        QCOMPARE(runArgs({}), (QStringList{"--data", "builtin:reviews"}));
        QCOMPARE(runArgs({"--screenshot", "a b.png"}),
                 (QStringList{"--data", "builtin:reviews", "--screenshot", "a b.png"}));
        QCOMPARE(runArgs({"--lesson", "cue-words"}), (QStringList{"--data", "builtin:reviews", "--lesson", "cue-words"}));
    }

    void theUsersDataOnce()
    {
        QCOMPARE(runArgs({"--data", "my.jsonl"}), (QStringList{"--data", "my.jsonl"}));
        QCOMPARE(runArgs({"--start", "--data=my.jsonl"}), (QStringList{"--start", "--data=my.jsonl"}));
        QCOMPARE(runArgs({"--session", "runs.attnscope"}), (QStringList{"--session", "runs.attnscope"}));
    }
};

QTEST_GUILESS_MAIN(TestScripts)
#include "test_scripts.moc"
