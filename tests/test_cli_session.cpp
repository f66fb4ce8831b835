// attnscope-cli and session files, as users call it: train --session
// appends runs (named, or "run N"), session list prints them, session
// export writes a run's curves byte for byte as train --metrics did, train
// --resume continues a run bit for bit, and files or names that do not fit
// are refused with messages that name them.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "checkpoint.h"
#include "clirun.h"
#include "wholefile.h"

using namespace attnscope;

namespace {

const QString data = QStringLiteral("builtin:reviews?n=200");
// A small model, so that hundreds of steps take a moment.
const QStringList small = {"--dim", "16", "--heads", "2", "--ffn", "32", "--max-len", "32"};

} // namespace

class TestCliSession : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // A run on other data than the session's runs: said (accept24's C2: it
    // was appended without a word, and the window crowned a "best" across
    // the two data sets). The same data again: nothing said.
    void warnsOfRunsOnOtherData()
    {
        const QString session = path(QStringLiteral("mixed.attnscope"));
        Run run = cli(QStringList{"train", "--data", data, "--steps", "3", "--session", session, "--run-name", "reviews"}
                      + small);
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        run = cli(QStringList{"train", "--data", data, "--steps", "3", "--session", session} + small);
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        QVERIFY2(!run.err.contains(QStringLiteral("other data")), qPrintable(run.err));
        run = cli(QStringList{"train", "--data", "builtin:sensors?n=200", "--steps", "3", "--session", session} + small);
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        QVERIFY2(run.err.contains(QStringLiteral("warning: %1 holds runs on other data than builtin:sensors?n=200: "
                                                 "reviews (%2), run 2 (%2)").arg(session, data)),
                 qPrintable(run.err));
    }

    // Two runs into one session; list shows both; export writes what --metrics wrote.
    void appendListExport()
    {
        const QString session = path(QStringLiteral("two.attnscope"));
        const QString metrics = path(QStringLiteral("first.csv"));
        Run run = cli(QStringList{"train", "--data", data, "--steps", "30", "--batch-size", "24", "--session", session,
                                  "--run-name", "first, \"quoted\"", "--metrics", metrics}
                      + small);
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        QVERIFY2(run.out.contains(QStringLiteral("run 'first, \"quoted\"' written to ") + session), qPrintable(run.out));
        run = cli(QStringList{"train", "--data", data, "--steps", "20", "--mode", "gated", "--session", session, "--json"}
                  + small);
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        const QJsonObject summary = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(summary.value("run").toString(), QStringLiteral("run 2"));
        QCOMPARE(summary.value("session").toString(), session);
        QVERIFY(summary.value("checkpoint").isNull());

        run = cli({"session", "list", session, "--json"});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        const QJsonArray runs = QJsonDocument::fromJson(run.out.toUtf8()).object().value("runs").toArray();
        QCOMPARE(runs.size(), 2);
        const QJsonObject first = runs[0].toObject(), second = runs[1].toObject();
        QCOMPARE(first.value("name").toString(), QStringLiteral("first, \"quoted\""));
        QCOMPARE(first.value("steps").toInt(), 30);
        QCOMPARE(first.value("dataset").toString(), data);
        QCOMPARE(first.value("mode").toString(), QStringLiteral("task"));
        QCOMPARE(first.value("layers").toInt(), 1);
        QCOMPARE(first.value("seed").toString(), QStringLiteral("1"));
        QCOMPARE(first.value("last_checkpoint_step").toInt(), 30);
        QCOMPARE(first.value("tasks").toArray().size(), 3);
        // 160 training samples in batches of 24: evaluated after steps 7, 14, 21, 28 and 30.
        QCOMPARE(first.value("last").toObject().value("step").toInt(), 30);
        QVERIFY(first.value("best").toObject().value("loss").toDouble() <= first.value("last").toObject().value("loss").toDouble());
        QVERIFY(first.value("last").toObject().value("tasks").toObject().value("topic").toObject().contains("accuracy"));
        QCOMPARE(first.value("settings").toObject().value("train").toObject().value("batch_size").toInt(), 24);
        QCOMPARE(second.value("name").toString(), QStringLiteral("run 2"));
        QCOMPARE(second.value("mode").toString(), QStringLiteral("gated"));
        QCOMPARE(second.value("steps").toInt(), 20);

        run = cli({"session", "list", session});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        QVERIFY2(run.out.contains(QStringLiteral("first, \"quoted\": builtin:reviews?n=200, task attention, 1 layer, lr 0.003, seed 1, 30 steps")),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains(QStringLiteral("run 2: ")) && run.out.contains(QStringLiteral("  best val loss")),
                 qPrintable(run.out));

        const QString exported = path(QStringLiteral("exported.csv"));
        run = cli({"session", "export", session, "--run", "first, \"quoted\"", "--metrics", exported});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        QVERIFY(!slurp(metrics).isEmpty());
        QCOMPARE(slurp(exported), slurp(metrics));
    }

    // 200 steps into a session, then --resume to 300: the checkpoint is
    // byte for byte that of 300 steps straight (200 is in mid-epoch).
    void resumeIsExact()
    {
        const QString straight = path(QStringLiteral("straight.safetensors"));
        const QString resumed = path(QStringLiteral("resumed.safetensors"));
        const QString session = path(QStringLiteral("resume.attnscope"));
        const QStringList common = QStringList{"--data", data, "--batch-size", "24"} + small;
        Run run = cli(QStringList{"train", "--steps", "300", "--out", straight} + common);
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        run = cli(QStringList{"train", "--steps", "200", "--session", session, "--run-name", "half"} + common);
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        run = cli({"train", "--session", session, "--resume", "half", "--steps", "300", "--out", resumed});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        QVERIFY2(run.out.contains(QStringLiteral("trained 100 steps")), qPrintable(run.out));
        QVERIFY(!slurp(straight).isEmpty());
        QVERIFY(slurp(resumed) == slurp(straight));

        run = cli({"session", "list", session, "--json"});
        const QJsonObject half = QJsonDocument::fromJson(run.out.toUtf8()).object().value("runs").toArray()[0].toObject();
        QCOMPARE(half.value("steps").toInt(), 300);
        QCOMPARE(half.value("last_checkpoint_step").toInt(), 300);

        // Resuming a finished run to where it is: a usage error naming it.
        run = cli({"train", "--session", session, "--resume", "half", "--steps", "300"});
        QCOMPARE(run.code, 2);
        QVERIFY2(run.err.contains(QStringLiteral("--steps: run 'half' is at step 300 already")), qPrintable(run.err));
    }

    // Runs compared from the same initial weights: --initial-out writes a
    // run's weights before its first step, --initial-from gives a fresh model
    // of another mode every tensor of them that coincides (the heads too,
    // which a fresh uniform model of the seed draws otherwise).
    void initialWeightsShared()
    {
        const QString task = path(QStringLiteral("task-initial.safetensors"));
        const QString uniform = path(QStringLiteral("uniform-initial.safetensors"));
        const QString fresh = path(QStringLiteral("fresh-initial.safetensors"));
        const QString session = path(QStringLiteral("modes.attnscope"));
        const QStringList common = QStringList{"--data", data, "--steps", "3", "--session", session} + small;
        Run run = cli(QStringList{"train", "--run-name", "task", "--initial-out", task} + common);
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        run = cli(QStringList{"train", "--run-name", "uniform", "--mode", "uniform", "--initial-from", task,
                              "--initial-out", uniform} + common);
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        run = cli(QStringList{"train", "--run-name", "fresh", "--mode", "uniform", "--initial-out", fresh} + common);
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        Model a, b, c;
        std::string error;
        QVERIFY2(loadCheckpoint(task.toStdString(), &a, &error), error.c_str());
        QVERIFY2(loadCheckpoint(uniform.toStdString(), &b, &error), error.c_str());
        QVERIFY2(loadCheckpoint(fresh.toStdString(), &c, &error), error.c_str());
        const auto tensor = [](const Model &m, const std::string &name) {
            const TensorSpec *t = m.layout.find(name);
            return t ? std::vector<float>(m.params.begin() + std::ptrdiff_t(t->offset),
                                          m.params.begin() + std::ptrdiff_t(t->offset + t->size))
                     : std::vector<float>();
        };
        QCOMPARE(b.config.mode, AttentionMode::Uniform);
        QVERIFY(!tensor(a, "heads.1.weight").empty());
        QCOMPARE(tensor(b, "heads.1.weight"), tensor(a, "heads.1.weight"));
        QCOMPARE(tensor(b, "embed.token"), tensor(a, "embed.token"));
        QVERIFY(tensor(c, "heads.1.weight") != tensor(a, "heads.1.weight"));

        // Not with --init (whose weights are the model's already), nor with --resume.
        run = cli(QStringList{"train", "--data", data, "--out", path(QStringLiteral("x.safetensors")), "--init", task,
                              "--initial-from", task});
        QCOMPARE(run.code, 2);
        QVERIFY2(run.err.contains(QStringLiteral("--init")) && run.err.contains(QStringLiteral("--initial-from")),
                 qPrintable(run.err));
    }

    // What does not fit: usage errors (exit 2) name the option, file
    // problems (exit 1) name the file, and a file that is refused stays as it was.
    void refusals_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("says");
        const QString notes = path(QStringLiteral("notes.txt"));
        const QString session = path(QStringLiteral("refusals.attnscope"));
        QTest::newRow("not a session") << QStringList{"train", "--data", data, "--steps", "1", "--session", notes}
                                       << 1 << notes + QStringLiteral(": is not an SQLite database");
        QTest::newRow("list not a session") << QStringList{"session", "list", notes} << 1
                                            << notes + QStringLiteral(": is not an SQLite database");
        QTest::newRow("list missing") << QStringList{"session", "list", path(QStringLiteral("none.attnscope"))} << 1
                                      << QStringLiteral("none.attnscope: no such file");
        QTest::newRow("run name without session") << QStringList{"train", "--data", data, "--out", path("x"), "--run-name", "a"}
                                                  << 2 << QStringLiteral("--run-name: needs --session FILE");
        QTest::newRow("name in use") << QStringList{"train", "--data", data, "--steps", "1", "--session", session, "--run-name", "taken"}
                                     << 2 << QStringLiteral("--run-name: 'taken' is a run of ") + session + QStringLiteral(" already");
        QTest::newRow("no such run") << QStringList{"train", "--session", session, "--resume", "other"} << 2
                                     << QStringLiteral("--resume: ") + session + QStringLiteral(" has no run 'other' (its runs: taken)");
        QTest::newRow("resume with a setting") << QStringList{"train", "--session", session, "--resume", "taken", "--lr", "0.1"}
                                               << 2 << QStringLiteral("--lr: a resumed run keeps the settings it was started with");
        QTest::newRow("export no such run") << QStringList{"session", "export", session, "--run", "other", "--metrics", path("o.csv")}
                                            << 2 << QStringLiteral("--run: ") + session + QStringLiteral(" has no run 'other' (its runs: taken)");
        QTest::newRow("export onto the session") << QStringList{"session", "export", session, "--run", "taken", "--metrics", session}
                                                 << 2 << QStringLiteral("--metrics: ") + session + QStringLiteral(" is the session file");
        QTest::newRow("unknown action") << QStringList{"session", "merge", session} << 2
                                        << QStringLiteral("unknown action 'merge'");
    }

    void refusals()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, says);
        const QString notes = path(QStringLiteral("notes.txt"));
        {
            QFile f(notes);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write("not a session\n");
        }
        const QString session = path(QStringLiteral("refusals.attnscope"));
        if (!QFile::exists(session)) {
            const Run made = cli(QStringList{"train", "--data", data, "--steps", "2", "--session", session, "--run-name", "taken"} + small);
            QVERIFY2(made.code == 0, qPrintable(why(made)));
        }
        const QByteArray before = slurp(session);
        const Run run = cli(args);
        QVERIFY2(run.code == code, qPrintable(why(run)));
        QVERIFY2(run.err.contains(says), qPrintable(run.err));
        QCOMPARE(slurp(notes), QByteArray("not a session\n"));
        QVERIFY(!QFile::exists(notes + QStringLiteral("-wal")));
        QCOMPARE(slurp(session), before);
    }
};

QTEST_GUILESS_MAIN(TestCliSession)
#include "test_cli_session.moc"
