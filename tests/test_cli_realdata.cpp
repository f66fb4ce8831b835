// attnscope-cli on data nobody here wrote (issue 15): a held-out file
// without a rare class, features that do not match, an interrupted run,
// a --max-len far beyond the texts, control characters in old text files.
// Runs the built program with QProcess on small files written here.
#include <QtTest>

#include "clirun.h"
#include "trainer.h"

#include <QJsonArray>
#include "wholefile.h"

#include <cmath>
#include <csignal>

#include <signal.h>
#include <sys/types.h>

namespace {

// A text CSV whose label goes round `classes` (row r has classes[r % n]).
QByteArray textCsv(const QList<QByteArray> &classes, int rows)
{
    QByteArray out = "text,label\n";
    for (int r = 0; r < rows; ++r) {
        const QByteArray &c = classes[r % classes.size()];
        out += "the " + c + " word " + QByteArray::number(r % 7) + " here," + c + "\n";
    }
    return out;
}

} // namespace

class TestCliRealData : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void evalAcceptsAClassSubset();
    void featuresAreNamed();
    void interruptKeepsTheRun_data();
    void interruptKeepsTheRun();
    void secondInterruptExitsAtOnce();
    void helpNamesCsvAndTsv();
    void maxLenFarAboveTheTextsWarns();
    void valFractionAgainstASplitColumn();
    void checkpointRemembersColumnRoles();
    void aFlagReplacesOnlyItsRole();
    void summaryListsEveryWarning();
    void summaryNamesEveryIgnoredColumn();
    void keepBestAndPatience();
    void attentionWithoutLayersAndWithGates();
};

// A held-out file without a rare class is scored; a class the checkpoint does
// not know is refused by name, with the line it is on.
void TestCliRealData::evalAcceptsAClassSubset()
{
    const QString train = path("three.csv"), subset = path("two.csv"), unknown = path("unknown.csv"),
                  ckpt = path("three.safetensors");
    QVERIFY(spit(train, textCsv({"ant", "bee", "cat"}, 60)));
    QVERIFY(spit(subset, textCsv({"cat", "ant"}, 10)));
    QVERIFY(spit(unknown, textCsv({"ant", "bee", "cat"}, 2) + "the zebra word here,zebra\nthe ant word,ant\n"));
    Run r = cli({"train", "--data", train, "--steps", "5", "--dim", "8", "--heads", "2", "--out", ckpt});
    QVERIFY2(r.code == 0, qPrintable(why(r)));

    r = cli({"eval", "--checkpoint", ckpt, "--data", subset, "--split", "all", "--json"});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    const QJsonObject tasks = parseObject(r.out).value("tasks").toObject();
    QCOMPARE(tasks.value("label").toObject().value("accuracy").toDouble(-1) >= 0, true);
    QCOMPARE(parseObject(r.out).value("samples").toInt(), 10);

    r = cli({"eval", "--checkpoint", ckpt, "--data", unknown, "--split", "all"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(unknown + ":4:") && r.err.contains("'zebra'") && r.err.contains("[ant, bee, cat]"),
             qPrintable(r.err));
    QVERIFY2(!r.err.contains("has classes"), qPrintable(r.err));  // not both lists to compare by eye
}

// A table whose features are not the checkpoint's: the missing and the
// unexpected ones by name.
void TestCliRealData::featuresAreNamed()
{
    const QString train = path("table.csv"), other = path("other.csv"), ckpt = path("table.safetensors");
    QByteArray a = "u,v,w,label\n", b = "u,z,w,label\n";
    for (int r = 0; r < 40; ++r) {
        const QByteArray row = QByteArray::number(r) + "," + QByteArray::number(r % 5) + "," + QByteArray::number(r % 3)
                               + "," + (r % 2 ? "odd" : "even") + "\n";
        a += row;
        b += row;
    }
    QVERIFY(spit(train, a));
    QVERIFY(spit(other, b));
    Run r = cli({"train", "--data", train, "--steps", "3", "--layers", "0", "--dim", "8", "--heads", "2", "--out", ckpt});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    for (const char *command : {"eval", "attention"}) {
        r = cli({command, "--checkpoint", ckpt, "--data", other});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("missing [v]") && r.err.contains("unexpected [z]"), qPrintable(r.err));
    }
}

void TestCliRealData::interruptKeepsTheRun_data()
{
    QTest::addColumn<int>("signal");
    QTest::newRow("SIGINT") << int(SIGINT);
    QTest::newRow("SIGTERM") << int(SIGTERM);
}

// An interrupted train stops at the next step boundary, writes its
// checkpoint and whole metric rows, says where it stopped and exits
// 128 + the signal (it left a cut row and no checkpoint).
void TestCliRealData::interruptKeepsTheRun()
{
    QFETCH(int, signal);
    const QString csv = path("interrupted.csv"), out = path("interrupted.safetensors");
    QFile::remove(csv);
    QFile::remove(out);
    QProcess process;
    process.start(QStringLiteral(ATTNSCOPE_CLI),
                  {"train", "--data", "builtin:reviews?n=200", "--steps", "1000000000", "--dim", "8", "--heads", "2",
                   "--ffn", "8", "--metrics", csv, "--out", out});
    QVERIFY(process.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(csv).size() >= 5000, 60000);
    QCOMPARE(::kill(pid_t(process.processId()), signal), 0);
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 128 + signal);
    const QString err = QString::fromUtf8(process.readAllStandardError());
    const QRegularExpressionMatch stopped = QRegularExpression("stopped at step (\\d+) of").match(err);
    QVERIFY2(stopped.hasMatch() && err.contains("checkpoint written to " + out), qPrintable(err));

    const QByteArray bytes = slurp(csv);
    QVERIFY2(bytes.endsWith('\n'), bytes.right(200).constData());
    const QList<QByteArray> lines = bytes.chopped(1).split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        QCOMPARE(lines[i].count(','), lines.first().count(','));
        QCOMPARE(lines[i].left(lines[i].indexOf(',')).toLongLong(), qint64(i));
    }
    QCOMPARE(lines.size() - 1, stopped.captured(1).toLongLong());  // every step's row, the last one's too

    const Run eval = cli({"eval", "--checkpoint", out, "--data", "builtin:reviews?n=200", "--json"});
    QVERIFY2(eval.code == 0, qPrintable(why(eval)));
}

// A second signal does not wait for the step: the program ends at once,
// by the signal, without a checkpoint. Steps of a wide model take long
// enough for both signals to arrive within one.
void TestCliRealData::secondInterruptExitsAtOnce()
{
    const QString csv = path("twice.csv"), out = path("twice.safetensors");
    QProcess process;
    process.start(QStringLiteral(ATTNSCOPE_CLI),
                  {"train", "--data", "builtin:reviews?n=400", "--steps", "1000000", "--dim", "512", "--heads", "8",
                   "--layers", "4", "--batch-size", "128", "--metrics", csv, "--out", out});
    QVERIFY(process.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(slurp(csv).count('\n') >= 2, 120000);  // a step done, the next under way
    QCOMPARE(::kill(pid_t(process.processId()), SIGINT), 0);
    // Two signals sent before the first is taken would be one.
    QByteArray err;
    QTRY_VERIFY_WITH_TIMEOUT((err += process.readAllStandardError()).contains("stopping after this step"), 60000);
    QCOMPARE(::kill(pid_t(process.processId()), SIGINT), 0);
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitStatus(), QProcess::CrashExit);
    QVERIFY(!QFile::exists(out));
}

// The description of train (not only its --data line) names every kind of
// file; its default epochs are the core's, as the window's.
void TestCliRealData::helpNamesCsvAndTsv()
{
    const Run r = cli({"train", "--help"});
    QCOMPARE(r.code, 0);
    const QString description = r.out.left(r.out.indexOf("Options:"));
    QVERIFY2(description.contains("a CSV, TSV or JSONL file"), qPrintable(description));
    // The window's default number of epochs (TrainConfig's; test_workbench).
    const QRegularExpression epochs("--epochs E +passes over the training split \\(default (\\d+)\\)");
    QCOMPARE(epochs.match(r.out).captured(1).toInt(), attnscope::TrainConfig().epochs);
}

// --max-len 100000 on texts of a dozen tokens: a warning with the longest
// text and what the table costs; the default never warns.
void TestCliRealData::maxLenFarAboveTheTextsWarns()
{
    const QString out = path("long.safetensors");
    Run r = cli({"train", "--data", "builtin:reviews?n=50", "--steps", "1", "--dim", "8", "--heads", "2",
                 "--max-len", "100000", "--out", out});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    QVERIFY2(r.err.contains("warning: --max-len 100000 is far above the longest training text (")
                 && r.err.contains("--max-len 64 would do"),
             qPrintable(r.err));
    r = cli({"train", "--data", "builtin:reviews?n=50", "--steps", "1", "--dim", "8", "--heads", "2", "--out", out});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    QVERIFY2(!r.err.contains("--max-len"), qPrintable(r.err));
}

// A file with a split column decides the split: --val-fraction says it has no effect.
void TestCliRealData::valFractionAgainstASplitColumn()
{
    const QString csv = path("split.csv"), out = path("split.safetensors");
    QByteArray rows = "text,label,split\n";
    for (int r = 0; r < 20; ++r)
        rows += "a text number " + QByteArray::number(r) + "," + (r % 2 ? "x" : "y") + "," + (r % 4 ? "train" : "val") + "\n";
    QVERIFY(spit(csv, rows));
    Run r = cli({"train", "--data", csv, "--steps", "1", "--dim", "8", "--heads", "2", "--val-fraction", "0.5", "--out", out});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    QVERIFY2(r.err.contains("warning: --val-fraction 0.5 has no effect: " + csv + " gives each sample's split"),
             qPrintable(r.err));
    r = cli({"eval", "--checkpoint", out, "--data", csv, "--val-fraction", "0.5"});
    QVERIFY2(r.code == 0 && r.err.contains("--val-fraction 0.5 has no effect"), qPrintable(why(r)));
    r = cli({"train", "--data", csv, "--steps", "1", "--dim", "8", "--heads", "2", "--out", out});
    QVERIFY2(r.code == 0 && !r.err.contains("val-fraction"), qPrintable(why(r)));
}

// Trained with --text-column and --task-columns, a checkpoint reads a file
// of the same kind with the same roles: eval and attention need no flags
// again (they guessed, and refused the file for its extra tasks); a flag
// still wins.
void TestCliRealData::checkpointRemembersColumnRoles()
{
    const QString csv = path("glosses.csv"), ckpt = path("glosses.safetensors");
    QByteArray rows = "id,gloss,source,pos\n";
    for (int r = 0; r < 40; ++r)
        rows += QByteArray::number(r) + ",a word that means thing " + QByteArray::number(r % 6) + ","
                + (r % 3 ? "wn" : "other") + "," + (r % 2 ? "n" : "v") + "\n";
    QVERIFY(spit(csv, rows));
    Run r = cli({"train", "--data", csv, "--text-column", "gloss", "--task-columns", "pos", "--steps", "2", "--dim",
                 "8", "--heads", "2", "--out", ckpt});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    r = cli({"eval", "--checkpoint", ckpt, "--data", csv, "--json"});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    QCOMPARE(parseObject(r.out).value("tasks").toObject().keys(), QStringList{"pos"});
    r = cli({"attention", "--checkpoint", ckpt, "--data", csv, "--limit", "1"});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    r = cli({"eval", "--checkpoint", ckpt, "--data", csv, "--task-columns", "source"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("has tasks [source] but " + ckpt + " was trained on [pos]"), qPrintable(r.err));
}

// A flag replaces only its own role: the checkpoint's others stay (any one
// flag dropped every remembered role, so the extra columns were guessed into
// features and tasks and the file was refused); a column a flag names keeps
// none of the checkpoint's roles.
void TestCliRealData::aFlagReplacesOnlyItsRole()
{
    const QString csv = path("table.csv"), ckpt = path("table.safetensors");
    QByteArray rows = "ref,a,b,flag1,flag2,label\n";
    for (int r = 0; r < 60; ++r)
        rows += "r" + QByteArray::number(r) + "," + QByteArray::number(r % 5) + "," + QByteArray::number(r % 7) + ","
                + (r % 2 ? "x" : "y") + "," + (r % 3 ? "p" : "q") + "," + (r % 4 < 2 ? "lo" : "hi") + "\n";
    QVERIFY(spit(csv, rows));
    Run r = cli({"train", "--data", csv, "--feature-columns", "a,b", "--task-columns", "label", "--steps", "2",
                 "--dim", "8", "--heads", "2", "--out", ckpt});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    for (const QStringList &flags : {QStringList{"--ignore-columns", "ref"}, QStringList{"--feature-columns", "a,b"},
                                     QStringList{"--task-columns", "label"}, QStringList{"--ignore-columns", "flag1,flag2"}}) {
        r = cli(QStringList{"eval", "--checkpoint", ckpt, "--data", csv, "--json"} + flags);
        QVERIFY2(r.code == 0, qPrintable(flags.join(' ') + ": " + why(r)));
        QCOMPARE(parseObject(r.out).value("tasks").toObject().keys(), QStringList{"label"});
    }
    r = cli({"attention", "--checkpoint", ckpt, "--data", csv, "--limit", "1", "--ignore-columns", "flag1"});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    // The task flag wins over the remembered task; an ignored feature is no longer one.
    r = cli({"eval", "--checkpoint", ckpt, "--data", csv, "--task-columns", "flag2"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("has tasks [flag2] but " + ckpt + " was trained on [label]"), qPrintable(r.err));
    r = cli({"eval", "--checkpoint", ckpt, "--data", csv, "--ignore-columns", "b"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("missing [b]"), qPrintable(r.err));
    // The commands with a checkpoint say so in their help.
    for (const char *command : {"eval", "attention", "explain"}) {
        r = cli({command, "--help"});
        QVERIFY2(r.out.contains("the checkpoint's, else guessed") && r.out.contains("loses the checkpoint's role"),
                 qPrintable(r.out));
    }
    r = cli({"train", "--help"});
    QVERIFY2(!r.out.contains("the checkpoint's, else guessed"), qPrintable(r.out));
}

// summary lists every warning, as text and in --json (it showed five and
// "... and 6 more warnings"); an ID column is named among them.
void TestCliRealData::summaryListsEveryWarning()
{
    const QString csv = path("warnings.csv");
    QByteArray rows = "ref,text,label\n";
    for (int r = 0; r < 30; ++r)
        rows += "r" + QByteArray::number(r) + ",some text here," + (r < 8 ? "rare" + QByteArray::number(r) : "common") + "\n";
    QVERIFY(spit(csv, rows + "\n\n"));
    Run r = cli({"summary", "--data", csv, "--json"});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    const QJsonObject summary = parseObject(r.out);
    const QJsonArray messages = summary.value("warning_messages").toArray();
    QCOMPARE(messages.size(), summary.value("warnings").toInt());
    QVERIFY2(messages.size() >= 10, qPrintable(r.out));
    QVERIFY2(messages.first().toString().contains("column 1 (\"ref\") is ignored as a task"), qPrintable(r.out));
    QVERIFY2(!r.err.contains("more warnings"), qPrintable(r.err));
    r = cli({"summary", "--data", csv});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    for (const QJsonValue &message : messages)
        QVERIFY2(r.out.contains(message.toString()), qPrintable(message.toString() + "\n" + r.out));
}

// Fourteen ID columns: each is named, as text and in --json (the loader kept
// ten of a kind and said "... and 4 more: ignored columns").
void TestCliRealData::summaryNamesEveryIgnoredColumn()
{
    const QString csv = path("wide_ids.csv");
    QByteArray rows = "x";
    for (int c = 0; c < 14; ++c)
        rows += ",ref" + QByteArray::number(c);
    rows += ",label\n";
    for (int r = 0; r < 100; ++r) {
        rows += QByteArray::number(r % 7);
        for (int c = 0; c < 14; ++c)
            rows += ",id" + QByteArray::number(c) + "_" + QByteArray::number(r);
        rows += r % 2 ? ",yes\n" : ",no\n";
    }
    QVERIFY(spit(csv, rows));
    Run r = cli({"summary", "--data", csv, "--json"});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    const QJsonObject summary = parseObject(r.out);
    const QJsonArray messages = summary.value("warning_messages").toArray();
    QCOMPARE(summary.value("warnings").toInt(), 14);
    QCOMPARE(messages.size(), 14);
    const Run text = cli({"summary", "--data", csv});
    QVERIFY2(text.code == 0, qPrintable(why(text)));
    QVERIFY2(!text.out.contains("more"), qPrintable(text.out));
    for (int c = 0; c < 14; ++c) {
        const QString named = "column " + QString::number(c + 2) + " (\"ref" + QString::number(c) + "\") is ignored";
        QVERIFY2(messages[c].toString().contains(named), qPrintable(named + "\n" + r.out));
        QVERIFY2(text.out.contains(named), qPrintable(named + "\n" + text.out));
    }
}

// Overfitting made visible and avoidable: --keep-best writes the weights of
// the evaluation of lowest validation loss (its loss is the one reported),
// --patience K stops after K evaluations without a lower one.
void TestCliRealData::keepBestAndPatience()
{
    const QString csv = path("best.csv"), out = path("best.safetensors");
    const QStringList run = {"train", "--data", "builtin:reviews?n=120", "--epochs", "25", "--lr", "0.02",
                             "--dim", "32", "--heads", "2", "--out", out, "--json"};
    Run r = cli(run + QStringList{"--keep-best", "--metrics", csv});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    const QJsonObject result = parseObject(r.out);
    // The lowest val_loss of the metrics (one evaluation an epoch).
    const QList<QByteArray> lines = slurp(csv).trimmed().split('\n');
    const int column = int(lines.first().split(',').indexOf("val_loss"));
    double lowest = HUGE_VAL;
    qint64 at = -1;
    for (const QByteArray &line : lines.mid(1)) {
        const QList<QByteArray> fields = line.split(',');
        if (!fields[column].isEmpty() && fields[column].toDouble() < lowest) {
            lowest = fields[column].toDouble();
            at = fields[0].toLongLong();
        }
    }
    QCOMPARE(result.value("steps").toInt(), 75);
    QVERIFY2(at > 0 && at < 75, qPrintable(r.out));  // the loss rose after it (lr 0.02 on 96 samples)
    QCOMPARE(result.value("best_step").toInteger(), at);
    QCOMPARE(result.value("checkpoint_step").toInteger(), at);
    const double reported = result.value("validation").toObject().value("loss").toDouble();
    QVERIFY2(std::abs(reported - lowest) <= 1e-6 * lowest, qPrintable(QString::number(reported, 'g', 12)));
    const Run eval = cli({"eval", "--checkpoint", out, "--data", "builtin:reviews?n=120", "--json"});
    QVERIFY2(eval.code == 0, qPrintable(why(eval)));
    QVERIFY(std::abs(parseObject(eval.out).value("loss").toDouble() - lowest) <= 1e-6 * lowest);

    r = cli(run + QStringList{"--patience", "3"});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    const QJsonObject early = parseObject(r.out);
    QVERIFY(early.value("stopped_early").toBool());
    QVERIFY2(early.value("steps").toInt() < 75, qPrintable(r.out));
    QCOMPARE(early.value("checkpoint_step").toInt(), early.value("steps").toInt());

    r = cli(run + QStringList{"--keep-best", "--val-fraction", "0"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("--keep-best"), qPrintable(r.err));
}

// attention --no-layers leaves the self-attention maps out (most of a large
// file); a gated model's gate values are in the JSON.
void TestCliRealData::attentionWithoutLayersAndWithGates()
{
    const QString ckpt = path("gated.safetensors");
    Run r = cli({"train", "--data", "builtin:reviews?n=100", "--steps", "3", "--mode", "gated", "--dim", "16",
                 "--heads", "2", "--out", ckpt});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    const Run full = cli({"attention", "--checkpoint", ckpt, "--data", "builtin:reviews?n=100", "--limit", "5"});
    r = cli({"attention", "--checkpoint", ckpt, "--data", "builtin:reviews?n=100", "--limit", "5", "--no-layers"});
    QVERIFY2(full.code == 0 && r.code == 0, qPrintable(why(full) + why(r)));
    const QJsonObject withMaps = parseObject(full.out), without = parseObject(r.out);
    QCOMPARE(without.value("samples").toArray().size(), 5);
    for (int i = 0; i < 5; ++i) {
        const QJsonObject a = withMaps.value("samples").toArray()[i].toObject(), b = without.value("samples").toArray()[i].toObject();
        QVERIFY(!a.value("layers").toArray().isEmpty());
        QVERIFY(b.value("layers").toArray().isEmpty());
        QCOMPARE(a.value("tasks"), b.value("tasks"));  // the same attention, the maps left out
    }
    QVERIFY(r.out.size() * 2 < full.out.size());
    const QJsonObject gates = without.value("gates").toObject();
    QCOMPARE(gates.keys(), (QStringList{"sentiment", "topic", "urgency"}));
    for (const QJsonValue &g : gates)
        QVERIFY(g.toDouble(-1) > 0 && g.toDouble(-1) < 1);
    // Not gated: no gates.
    const QString plain = path("plain.safetensors");
    r = cli({"train", "--data", "builtin:reviews?n=100", "--steps", "1", "--dim", "16", "--heads", "2", "--out", plain});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    QVERIFY(!parseObject(cli({"attention", "--checkpoint", plain, "--text", "the screen"}).out).contains("gates"));
}

QTEST_GUILESS_MAIN(TestCliRealData)
#include "test_cli_realdata.moc"
