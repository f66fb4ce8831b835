// attnscope-cli as users and other checks call it: exit codes, messages that
// name what was wrong, the JSON it prints, the split that eval recomputes,
// reproducible checkpoints, and the files it refuses to read or replace.
// Runs the built program with QProcess.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "clirun.h"
#include "wholefile.h"
#include "specialfiles.h"

#include <fcntl.h>
#include <unistd.h>

namespace {

const QString data = QStringLiteral("builtin:reviews?n=200");

} // namespace

class TestCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_checkpoint;   // trained once in initTestCase
    QJsonObject m_trained;  // its --json summary

    QString path(const QString &name) const { return m_dir.filePath(name); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(ATTNSCOPE_CLI)), ATTNSCOPE_CLI);
        m_checkpoint = path(QStringLiteral("model.safetensors"));
        const Run run = cli({"train", "--data", data, "--steps", "20", "--json", "--out", m_checkpoint});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        m_trained = parseObject(run.out);
    }

    void help_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("top") << QStringList{"--help"} << "train";
        QTest::newRow("train") << QStringList{"train", "--help"} << "--val-fraction";
        QTest::newRow("eval") << QStringList{"eval", "--help"} << "--split";
        QTest::newRow("attention") << QStringList{"attention", "--help"} << "--text";
        QTest::newRow("bench") << QStringList{"bench", "--help"} << "--threads";
    }
    void help()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const Run run = cli(args);
        QCOMPARE(run.code, 0);
        QVERIFY2(run.out.contains(mentions), qPrintable(run.out));
    }

    // An option's help of two lines (train's --no-guard) went on at the
    // margin; every line of the options is indented, a second one under the
    // first one's text.
    void helpOptionsAreIndented()
    {
        const Run run = cli({"train", "--help"});
        QCOMPARE(run.code, 0);
        const QStringList lines = run.out.section("Options:\n", 1).split('\n', Qt::SkipEmptyParts);
        QVERIFY(lines.size() > 10);
        for (const QString &line : lines)
            QVERIFY2(line.startsWith("  "), qPrintable(line));
        const qsizetype guard = lines.indexOf(QRegularExpression("^  --no-guard .*"));
        QVERIFY2(guard >= 0, qPrintable(run.out));
        const qsizetype column = lines[guard].indexOf("train on");
        QVERIFY2(lines[guard + 1].indexOf("(the run still stops") == column, qPrintable(lines[guard + 1]));
    }

    // Usage errors: exit code 2 and a message that names what was wrong.
    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        const QString out = QStringLiteral("/tmp/attnscope-test-never-written.safetensors");
        QTest::newRow("no command") << QStringList{} << "Usage";
        QTest::newRow("unknown command") << QStringList{"fly"} << "fly";
        QTest::newRow("unknown flag") << QStringList{"train", "--data", data, "--out", out, "--bogus"} << "--bogus";
        QTest::newRow("missing value") << QStringList{"train", "--out", out, "--data"} << "--data";
        QTest::newRow("bad number") << QStringList{"train", "--data", data, "--out", out, "--lr", "fast"} << "--lr";
        QTest::newRow("bad integer") << QStringList{"train", "--data", data, "--out", out, "--layers", "1.5"} << "--layers";
        QTest::newRow("negative") << QStringList{"train", "--data", data, "--out", out, "--batch-size", "-3"} << "--batch-size";
        QTest::newRow("bad choice") << QStringList{"train", "--data", data, "--out", out, "--mode", "odd"} << "--mode";
        QTest::newRow("given twice") << QStringList{"train", "--data", data, "--out", out, "--lr", "0.1", "--lr", "0.2"} << "--lr";
        QTest::newRow("missing --out") << QStringList{"train", "--data", data} << "--out";
        QTest::newRow("epochs and steps")
            << QStringList{"train", "--data", data, "--out", out, "--epochs", "2", "--steps", "5"} << "--steps";
        QTest::newRow("unknown task")
            << QStringList{"train", "--data", data, "--out", out, "--steps", "1", "--task-weight", "nosuchtask=2"}
            << "nosuchtask";
        QTest::newRow("task weight without =")
            << QStringList{"train", "--data", data, "--out", out, "--task-weight", "sentiment"} << "--task-weight";
        QTest::newRow("heads do not divide dim")
            << QStringList{"train", "--data", data, "--out", out, "--dim", "30", "--heads", "4"} << "--heads";
        QTest::newRow("bad split") << QStringList{"eval", "--checkpoint", out, "--data", data, "--split", "test"} << "--split";
        QTest::newRow("data and text")
            << QStringList{"attention", "--checkpoint", out, "--data", data, "--text", "good"} << "--text";
        // Stop 30 (hD): a weight beyond float32 (1e39) became inf and the run "diverged" with advice to
        // lower --lr; a task weighted twice kept the last weight in silence. Both trained (exit 1 and 0).
        QTest::newRow("task weight beyond float")
            << QStringList{"train", "--data", data, "--out", out, "--steps", "1", "--task-weight", "sentiment=1e39"}
            << "--task-weight: 1e39 in 'sentiment=1e39' is out of range [0, 1e+06]";
        QTest::newRow("task weighted twice")
            << QStringList{"train", "--data", data, "--out", out, "--steps", "1", "--task-weight", "sentiment=2",
                           "--task-weight", "sentiment=3"}
            << "--task-weight: task 'sentiment' is weighted twice ('sentiment=2', 'sentiment=3')";
        QTest::newRow("eval task weight beyond float")
            << QStringList{"eval", "--checkpoint", m_checkpoint, "--data", data, "--task-weight", "sentiment=1e39"}
            << "--task-weight";
        // Options that do nothing in the run asked for were accepted without a word: momentum is SGD's,
        // warm-up the cosine schedule's, and --text reads no file (no columns, no split).
        QTest::newRow("momentum without sgd")
            << QStringList{"train", "--data", data, "--out", out, "--steps", "1", "--momentum", "0.9"}
            << "--momentum: only --optimizer sgd uses momentum (the optimizer is adamw)";
        QTest::newRow("warmup without cosine")
            << QStringList{"train", "--data", data, "--out", out, "--steps", "1", "--warmup", "5"}
            << "--warmup: only --schedule cosine warms up (the schedule is constant)";
        QTest::newRow("text and a column option")
            << QStringList{"attention", "--checkpoint", m_checkpoint, "--text", "good", "--text-column", "review"}
            << "--text-column: --text reads no file";
        QTest::newRow("explain text and a column option")
            << QStringList{"explain", "--checkpoint", m_checkpoint, "--text", "good", "--ignore-columns", "id"}
            << "--ignore-columns: --text reads no file";
        // A run name the window would refuse (blank) or trim was taken as it was, and "" as no name.
        QTest::newRow("blank run name")
            << QStringList{"train", "--data", data, "--session", "/tmp/attnscope-test-never-written.session",
                           "--steps", "1", "--run-name", "  "}
            << "--run-name: a run needs a name";
        QTest::newRow("empty run name")
            << QStringList{"train", "--data", data, "--session", "/tmp/attnscope-test-never-written.session",
                           "--steps", "1", "--run-name", ""}
            << "--run-name: a run needs a name";
        QTest::newRow("run name with blanks around")
            << QStringList{"train", "--data", data, "--session", "/tmp/attnscope-test-never-written.session",
                           "--steps", "1", "--run-name", " first"}
            << "--run-name: ' first' has blanks around it";
        QTest::newRow("explain text and val fraction")
            << QStringList{"explain", "--checkpoint", m_checkpoint, "--text", "good", "--val-fraction", "0.5"}
            << "--val-fraction: --text reads no file";
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const Run run = cli(args);
        QVERIFY2(run.code == 2, qPrintable(QString("exit %1: %2").arg(run.code).arg(run.err)));
        QVERIFY2(run.err.contains(mentions), qPrintable(run.err));
    }

    // File, dataset and checkpoint problems: exit code 1 and the file named.
    void fileErrors()
    {
        const QString missing = path(QStringLiteral("no-such-file.jsonl"));
        Run run = cli({"train", "--data", missing, "--out", path("x.safetensors")});
        QCOMPARE(run.code, 1);
        QVERIFY2(run.err.contains(missing), qPrintable(run.err));

        const QString notCheckpoint = path(QStringLiteral("not-a-checkpoint.safetensors"));
        QFile file(notCheckpoint);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("hello");
        file.close();
        run = cli({"eval", "--checkpoint", notCheckpoint, "--data", data});
        QCOMPARE(run.code, 1);
        QVERIFY2(run.err.contains(notCheckpoint), qPrintable(run.err));

        run = cli({"train", "--data", data, "--steps", "1", "--out", path("no/such/dir/x.safetensors")});
        QCOMPARE(run.code, 1);
        QVERIFY2(run.err.contains("no/such/dir"), qPrintable(run.err));
    }

    void trainJson()
    {
        QVERIFY(QFile::exists(m_checkpoint));
        QCOMPARE(m_trained.value("steps").toInt(), 20);
        QVERIFY(m_trained.value("train_loss").isDouble());
        QVERIFY(m_trained.value("seconds").isDouble());
        QCOMPARE(m_trained.value("train_samples").toInt() + m_trained.value("val_samples").toInt(), 200);
        const QJsonObject validation = m_trained.value("validation").toObject();
        QCOMPARE(validation.value("samples").toInt(), m_trained.value("val_samples").toInt());
        QCOMPARE(validation.value("tasks").toObject().size(), 3);
        // --json alone evaluates each epoch as the plain run does: best_step
        // was null (accept25 D16).
        QVERIFY2(m_trained.value("best_step").isDouble(), qPrintable(QJsonDocument(m_trained).toJson()));
        QVERIFY(m_trained.value("best_step").toInt() > 0);
    }

    // The first line names the epochs in the singular for one ("(1 epochs)" before).
    void trainSaysEpochs()
    {
        const Run one = cli({"train", "--data", data, "--steps", "3", "--out", path(QStringLiteral("one.safetensors"))});
        QVERIFY2(one.code == 0, qPrintable(one.err));
        QVERIFY2(one.out.contains(QStringLiteral(" (1 epoch)\n")), qPrintable(one.out));
        const Run two = cli({"train", "--data", data, "--epochs", "2", "--out", path(QStringLiteral("two.safetensors"))});
        QVERIFY2(two.code == 0, qPrintable(two.err));
        QVERIFY2(two.out.contains(QStringLiteral(" (2 epochs)\n")), qPrintable(two.out));
    }

    // The divergence guard: at learning rate 10 the loss climbs to the
    // thousands, all finite; train went on to the end and wrote the
    // checkpoint (exit 0). Now it stops with exit 1, says which signal and
    // what to try, and writes nothing; --no-guard trains on.
    void divergenceGuard()
    {
        const QString out = path(QStringLiteral("lr10.safetensors"));
        const Run guarded = cli({"train", "--data", data, "--lr", "10", "--steps", "100", "--out", out});
        QCOMPARE(guarded.code, 1);
        QVERIFY2(guarded.err.contains(QStringLiteral("training diverged at step")), qPrintable(guarded.err));
        QVERIFY2(guarded.err.contains(QStringLiteral("gradient norm exploded"))
                     || guarded.err.contains(QStringLiteral("loss is diverging")),
                 qPrintable(guarded.err));
        QVERIFY2(guarded.err.contains(QStringLiteral("smaller --lr (now 10")), qPrintable(guarded.err));
        QVERIFY2(guarded.err.contains(QStringLiteral("--no-guard")), qPrintable(guarded.err));
        QVERIFY(!QFile::exists(out));
        const Run unguarded = cli({"train", "--data", data, "--lr", "10", "--steps", "100", "--no-guard", "--out", out});
        QVERIFY2(unguarded.code == 0, qPrintable(why(unguarded)));
        QVERIFY(QFile::exists(out));
    }

    void evalJsonSchema()
    {
        const Run run = cli({"eval", "--checkpoint", m_checkpoint, "--data", data, "--json"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const QJsonObject result = parseObject(run.out);
        QCOMPARE(keys(result), (QSet<QString>{"samples", "loss", "tasks"}));
        QVERIFY(result.value("samples").isDouble());
        QVERIFY(result.value("loss").isDouble());
        const QJsonObject tasks = result.value("tasks").toObject();
        QCOMPARE(tasks.size(), 3);
        for (auto it = tasks.begin(); it != tasks.end(); ++it) {
            const QJsonObject task = it.value().toObject();
            QCOMPARE(keys(task), (QSet<QString>{"loss", "accuracy", "macro_f1", "rationale_mass", "rationale_auprc"}));
            QVERIFY(task.value("loss").isDouble());
            const double accuracy = task.value("accuracy").toDouble(-1);
            QVERIFY(accuracy >= 0 && accuracy <= 1);
            QVERIFY(task.value("macro_f1").isDouble());
            // builtin:reviews records its cue spans as rationales.
            QVERIFY(task.value("rationale_mass").isDouble() || task.value("rationale_mass").isNull());
            QVERIFY(task.value("rationale_auprc").isDouble() || task.value("rationale_auprc").isNull());
        }
    }

    // eval recomputes train's split: the same held-out samples, and all of them together.
    void splitMatchesTrain()
    {
        const QString checkpoint = path(QStringLiteral("split.safetensors"));
        Run run = cli({"train", "--data", data, "--val-fraction", "0.2", "--steps", "2", "--json", "--out", checkpoint});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const QJsonObject trained = parseObject(run.out);
        const int heldOut = trained.value("val_samples").toInt(-1);
        QVERIFY(heldOut > 0);

        run = cli({"eval", "--checkpoint", checkpoint, "--data", data, "--split", "val", "--json"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const QJsonObject val = parseObject(run.out);
        QCOMPARE(val.value("samples").toInt(), heldOut);
        // Scored on exactly the held-out samples: the same metrics as train reported.
        QCOMPARE(val.value("loss").toDouble(), trained.value("validation").toObject().value("loss").toDouble());

        run = cli({"eval", "--checkpoint", checkpoint, "--data", data, "--split", "train", "--json"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QCOMPARE(parseObject(run.out).value("samples").toInt(), trained.value("train_samples").toInt());

        run = cli({"eval", "--checkpoint", checkpoint, "--data", data, "--split", "all", "--json"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QCOMPARE(parseObject(run.out).value("samples").toInt(), 200);
    }

    void attentionText()
    {
        const QString text = QStringLiteral("The food was not good, and the delivery was late!");
        const Run run = cli({"attention", "--checkpoint", m_checkpoint, "--text", text});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const QJsonArray samples = parseObject(run.out).value("samples").toArray();
        QCOMPARE(samples.size(), 1);
        const QJsonObject sample = samples.first().toObject();
        const QJsonArray tokens = sample.value("tokens").toArray();
        QCOMPARE(tokens.size(), 12);  // 10 words, ',' and '!'
        QCOMPARE(tokens.at(0).toString(), QStringLiteral("the"));
        QCOMPARE(tokens.at(5).toString(), QStringLiteral(","));

        const QJsonObject tasks = sample.value("tasks").toObject();
        QCOMPARE(tasks.size(), 3);
        for (auto it = tasks.begin(); it != tasks.end(); ++it) {
            const QJsonArray weights = it.value().toArray();
            QCOMPARE(weights.size(), tokens.size());
            double sum = 0;
            for (const QJsonValue &w : weights) {
                QVERIFY(w.toDouble(-1) >= 0);
                sum += w.toDouble();
            }
            QVERIFY2(qAbs(sum - 1.0) < 1e-5, qPrintable(QString("%1 sums to %2").arg(it.key()).arg(sum)));
        }
        const QJsonObject predictions = sample.value("predictions").toObject();
        QCOMPARE(keys(predictions), keys(tasks));
        for (auto it = predictions.begin(); it != predictions.end(); ++it) {
            const QJsonObject prediction = it.value().toObject();
            QVERIFY(prediction.value("class").isString());
            double sum = 0;
            for (const QJsonValue &p : prediction.value("probabilities").toArray())
                sum += p.toDouble();
            QVERIFY(qAbs(sum - 1.0) < 1e-5);
        }
        // One layer of 4 heads, each a row-stochastic L x L map.
        const QJsonArray layers = sample.value("layers").toArray();
        QCOMPARE(layers.size(), 1);
        QCOMPARE(layers.at(0).toArray().size(), 4);
        for (const QJsonValue &head : layers.at(0).toArray()) {
            const QJsonArray rows = head.toArray();
            QCOMPARE(rows.size(), tokens.size());
            for (const QJsonValue &row : rows) {
                QCOMPARE(row.toArray().size(), tokens.size());
                double sum = 0;
                for (const QJsonValue &w : row.toArray())
                    sum += w.toDouble();
                QVERIFY(qAbs(sum - 1.0) < 1e-5);
            }
        }
    }

    void attentionDataToFile()
    {
        const QString out = path(QStringLiteral("attention.json"));
        const Run run = cli({"attention", "--checkpoint", m_checkpoint, "--data", data, "--limit", "5", "--out", out});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QVERIFY(run.out.isEmpty());
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray samples = parseObject(QString::fromUtf8(file.readAll())).value("samples").toArray();
        QCOMPARE(samples.size(), 5);
        for (const QJsonValue &value : samples) {
            const QJsonObject sample = value.toObject();
            const int tokens = sample.value("tokens").toArray().size();
            QVERIFY(tokens > 0);
            for (const QJsonValue &weights : sample.value("tasks").toObject())
                QCOMPARE(weights.toArray().size(), tokens);
        }
    }

    void sameSeedSameCheckpoint()
    {
        const QString a = path(QStringLiteral("a.safetensors")), b = path(QStringLiteral("b.safetensors"));
        for (const QString &out : {a, b}) {
            const Run run = cli({"train", "--data", data, "--steps", "15", "--seed", "7", "--json", "--out", out});
            QVERIFY2(run.code == 0, qPrintable(run.err));
        }
        QFile fa(a), fb(b);
        QVERIFY(fa.open(QIODevice::ReadOnly) && fb.open(QIODevice::ReadOnly));
        const QByteArray bytesA = fa.readAll();
        QVERIFY(bytesA.size() > 8);
        QVERIFY2(bytesA == fb.readAll(), "two runs with the same seed wrote different checkpoints");
    }

    void metricsCsv()
    {
        const QString csv = path(QStringLiteral("metrics.csv"));
        const Run run = cli({"train", "--data", data, "--steps", "12", "--batch-size", "32", "--json",
                             "--metrics", csv, "--out", path("m.safetensors")});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 12);
        const QStringList header = lines.first().split(',');
        QCOMPARE(header.mid(0, 4), (QStringList{"step", "epoch", "lr", "loss"}));
        QVERIFY(header.at(4).startsWith("loss_"));
        QCOMPARE(header.last().left(13), QStringLiteral("val_macro_f1_"));
        for (int i = 1; i < lines.size(); ++i) {
            const QStringList row = lines.at(i).split(',');
            QCOMPARE(row.size(), header.size());
            QCOMPARE(row.first().toInt(), i);
        }
        // 160 training samples in batches of 32: the epoch ends at step 5, whose row has validation.
        QVERIFY(!lines.at(5).split(',').at(header.indexOf("val_loss")).isEmpty());
        QVERIFY(lines.at(4).split(',').at(header.indexOf("val_loss")).isEmpty());
    }

    void initFromCheckpoint()
    {
        const QString out = path(QStringLiteral("continued.safetensors"));
        Run run = cli({"train", "--data", data, "--init", m_checkpoint, "--steps", "3", "--json", "--out", out});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QVERIFY(QFile::exists(out));

        // A model flag that contradicts the checkpoint is refused.
        run = cli({"train", "--data", data, "--init", m_checkpoint, "--layers", "2", "--steps", "1", "--out", out});
        QCOMPARE(run.code, 2);
        QVERIFY2(run.err.contains("--layers"), qPrintable(run.err));

        // Data whose tasks differ from the checkpoint's is refused, naming them.
        const QString other = path(QStringLiteral("other.jsonl"));
        QFile file(other);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"text\": \"a fine day\", \"labels\": {\"weather\": \"sunny\"}}\n"
                   "{\"text\": \"a wet day\", \"labels\": {\"weather\": \"rainy\"}}\n");
        file.close();
        run = cli({"train", "--data", other, "--init", m_checkpoint, "--steps", "1", "--out", out});
        QCOMPARE(run.code, 1);
        QVERIFY2(run.err.contains("weather"), qPrintable(run.err));
        run = cli({"eval", "--checkpoint", m_checkpoint, "--data", other, "--split", "all"});
        QCOMPARE(run.code, 1);
        QVERIFY2(run.err.contains("weather"), qPrintable(run.err));
    }

    // Stop 30 (hD): --initial-from a checkpoint none of whose tensors fits
    // (a tabular model for text data) trained from the run's
    // own weights without a word, not from the shared ones asked for.
    void initialFromTakingNothing()
    {
        const QString tabular = path(QStringLiteral("sensors.safetensors"));
        Run run = cli({"train", "--data", "builtin:sensors?n=40", "--steps", "1", "--out", tabular});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const QString out = path(QStringLiteral("from-nothing.safetensors"));
        run = cli({"train", "--data", data, "--initial-from", tabular, "--steps", "1", "--out", out});
        QCOMPARE(run.code, 1);
        QVERIFY2(run.err.contains(tabular + ": none of its weights coincides in name and shape with this run's model "
                                            "(tabular model of width 64; the run: text data, width 64), so "
                                            "--initial-from would take nothing"), qPrintable(run.err));
        QVERIFY(!QFile::exists(out));
        // Another depth takes what coincides, as before.
        run = cli({"train", "--data", data, "--initial-from", m_checkpoint, "--layers", "2", "--steps", "1", "--out", out});
        QVERIFY2(run.code == 0, qPrintable(run.err));
    }

    // An output that would replace a device or a FIFO is refused before
    // anything is loaded (the data here does not exist, and the message is
    // about the output), and the device stays a device: as root, --out
    // /dev/null used to put a regular file in /dev/null's place.
    void outputsNeverReplaceDevices()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString fifo = dir.filePath("fifo"), device = dir.filePath("device"), link = dir.filePath("link");
        const QString missing = dir.filePath("missing.jsonl");
        QVERIFY(makeFifo(fifo));
        const bool root = makeNullDevice(device);
        QStringList targets{fifo};
        if (root) {
            QVERIFY(QFile::link(device, link));
            targets << device << link;
        }
        for (const QString &target : targets) {
            Run run = cli({"train", "--data", missing, "--steps", "1", "--out", target});
            QVERIFY2(run.code == 1, qPrintable(why(run)));
            QVERIFY2(run.err.contains(target + ": ") && run.err.contains("not a regular file"), qPrintable(run.err));
            QVERIFY2(!run.err.contains(missing), qPrintable(run.err));
            run = cli({"train", "--data", data, "--steps", "1", "--out", target});
            QVERIFY2(run.code == 1 && run.err.contains(target + ": "), qPrintable(why(run)));
        }
        QCOMPARE(fileType(fifo), unsigned(S_IFIFO));
        if (!root)
            QSKIP("mknod needs root: the device cases did not run");
        QCOMPARE(fileType(device), unsigned(S_IFCHR));
        QCOMPARE(fileType(link), unsigned(S_IFLNK));
    }

    // The streamed outputs (--metrics, attention --out) may go to a FIFO or a
    // character device, written as they are; a FIFO nobody reads is refused
    // at once instead of waited for.
    void streamedOutputsToFifosAndDevices()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString fifo = dir.filePath("fifo");
        QVERIFY(makeFifo(fifo));
        const int reader = ::open(fifo.toLocal8Bit().constData(), O_RDONLY | O_NONBLOCK);
        QVERIFY(reader >= 0);
        Run run = cli({"train", "--data", data, "--steps", "3", "--json", "--metrics", fifo, "--out", dir.filePath("m.safetensors")});
        QByteArray rows(65536, '\0');
        const ssize_t got = ::read(reader, rows.data(), size_t(rows.size()));
        ::close(reader);
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        QVERIFY(got > 0);
        rows.truncate(got);
        QCOMPARE(rows.count('\n'), 4);  // the header and 3 steps
        QVERIFY(rows.startsWith("step,epoch,lr,loss,"));
        QCOMPARE(fileType(fifo), unsigned(S_IFIFO));

        run = cli({"train", "--data", data, "--steps", "3", "--metrics", fifo, "--out", dir.filePath("n.safetensors")});
        QVERIFY2(run.code == 1 && run.err.contains(fifo + ": is a FIFO that nobody reads"), qPrintable(why(run)));
        QVERIFY(!QFile::exists(dir.filePath("n.safetensors")));
        run = cli({"attention", "--checkpoint", m_checkpoint, "--text", "good", "--out", fifo});
        QVERIFY2(run.code == 1 && run.err.contains("nobody reads"), qPrintable(why(run)));

        const QString device = dir.filePath("device");
        if (!makeNullDevice(device))
            QSKIP("mknod needs root");
        run = cli({"train", "--data", data, "--steps", "3", "--metrics", device, "--out", dir.filePath("d.safetensors")});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        run = cli({"attention", "--checkpoint", m_checkpoint, "--text", "good", "--out", device});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        QCOMPARE(fileType(device), unsigned(S_IFCHR));
    }

    // An output that is an input, or another output: refused, compared as
    // files (a hard link, another spelling), before anything is written.
    void outputsNeverOverwriteInputs()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(QDir(dir.path()).mkdir("sub"));
        const QString csv = dir.filePath("d.csv"), hard = dir.filePath("hard.csv"), ckpt = dir.filePath("c.safetensors");
        QVERIFY(QFile::copy(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/resources/datasets/reviews.csv"), csv));
        QVERIFY(::link(csv.toLocal8Bit().constData(), hard.toLocal8Bit().constData()) == 0);
        QVERIFY(QFile::copy(m_checkpoint, ckpt));
        const QByteArray csvBytes = slurp(csv), ckptBytes = slurp(ckpt);
        const QString x = dir.filePath("x"), other = dir.filePath("sub/../d.csv");
        const QList<QStringList> cases{
            {"train", "--data", csv, "--steps", "1", "--metrics", csv, "--out", x},
            {"train", "--data", csv, "--steps", "1", "--out", csv},
            {"train", "--data", csv, "--steps", "1", "--out", hard},
            {"train", "--data", csv, "--steps", "1", "--metrics", other, "--out", x},
            {"attention", "--checkpoint", ckpt, "--data", csv, "--out", csv},
            {"attention", "--checkpoint", ckpt, "--data", csv, "--out", ckpt},
            {"train", "--data", data, "--init", ckpt, "--steps", "1", "--metrics", ckpt, "--out", x},
            {"train", "--data", data, "--init", ckpt, "--steps", "1", "--out", ckpt},
            {"train", "--data", data, "--steps", "1", "--out", x, "--metrics", x},
            {"train", "--data", data, "--steps", "1", "--out", x, "--metrics", dir.filePath("sub/../x")},
        };
        for (const QStringList &args : cases) {
            const Run run = cli(args);
            QVERIFY2(run.code == 1 && run.err.contains("same file"), qPrintable(args.join(' ') + "\n" + why(run)));
            QVERIFY(slurp(csv) == csvBytes);
            QVERIFY(slurp(ckpt) == ckptBytes);
            QVERIFY(!QFile::exists(x));
        }
    }

    // An empty file name is a usage error, found before any work.
    void emptyFileNames()
    {
        const QList<QPair<QStringList, QString>> cases{
            {{"train", "--data", data, "--steps", "1", "--out", ""}, "--out"},
            {{"train", "--data", data, "--steps", "1", "--metrics", "", "--out", path("e.safetensors")}, "--metrics"},
            {{"train", "--data", data, "--steps", "1", "--init", "", "--out", path("e.safetensors")}, "--init"},
            {{"attention", "--checkpoint", m_checkpoint, "--text", "good", "--out", ""}, "--out"},
            {{"eval", "--checkpoint", "", "--data", data}, "--checkpoint"},
        };
        for (const auto &[args, option] : cases) {
            const Run run = cli(args);
            QVERIFY2(run.code == 2 && run.err.contains(option + ": an empty file name"), qPrintable(why(run)));
        }
        QVERIFY(!QFile::exists(path("e.safetensors")));
    }

    // A device or FIFO where a regular file is read could be endless
    // (/dev/zero) or block for ever: refused, links followed.
    void inputsMustBeRegularFiles()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Run run;
        const QString device = dir.filePath("device"), link = dir.filePath("link.csv");
        const bool root = makeNullDevice(device);
        if (root) {
            QVERIFY(QFile::link(device, link));
            for (const QStringList &args : QList<QStringList>{{"summary", "--data", link},
                                                              {"eval", "--checkpoint", m_checkpoint, "--data", device},
                                                              {"eval", "--checkpoint", device, "--data", data},
                                                              {"attention", "--checkpoint", link, "--text", "good"}}) {
                run = cli(args);
                QVERIFY2(run.code == 1 && run.err.contains("a character device, not a regular file"),
                         qPrintable(args.join(' ') + "\n" + why(run)));
            }
        }
        const QString fifo = dir.filePath("fifo.jsonl");
        QVERIFY(makeFifo(fifo));
        run = cli({"summary", "--data", fifo});
        QVERIFY2(run.code == 1 && run.err.contains(fifo + ": is a FIFO"), qPrintable(why(run)));
        run = cli({"train", "--data", data, "--init", fifo, "--out", dir.filePath("x")});
        QVERIFY2(run.code == 1 && run.err.contains(fifo + ": is a FIFO"), qPrintable(why(run)));
        if (!root)
            QSKIP("mknod needs root: the device cases did not run");
    }

    // Text that cannot reach standard output (a full disk; /dev/full here) is
    // a failure, not a silent exit 0. train still writes its checkpoint.
    void fullStandardOutput()
    {
        const QString full = QStringLiteral("/dev/full");
        if (!QFileInfo(full).exists())
            QSKIP("no /dev/full");
        const QString ckpt = path("full.safetensors");
        const QList<QStringList> cases{
            {"eval", "--checkpoint", m_checkpoint, "--data", data},
            {"eval", "--checkpoint", m_checkpoint, "--data", data, "--json"},
            {"summary", "--data", data},
            {"attention", "--checkpoint", m_checkpoint, "--text", "good"},
            {"train", "--data", data, "--steps", "2", "--out", ckpt},
            {"train", "--help"},
        };
        for (const QStringList &args : cases) {
            const Run run = cli(args, 120000, full);
            QVERIFY2(run.code == 1 && run.err.contains("standard output: could not write"),
                     qPrintable(args.join(' ') + "\n" + why(run)));
        }
        QVERIFY(QFile::exists(ckpt));
    }

    // A reader that goes away (`train ... | head`) is the full disk's case:
    // the run trains on, writes its checkpoint and exits 1, where SIGPIPE
    // killed it before its checkpoint (exit 141; accept25 D1).
    void closedPipeKeepsTheCheckpoint()
    {
        const QString ckpt = path("piped.safetensors");
        QProcess shell;
        shell.start(QStringLiteral("bash"),
                    {"-c", "\"$0\" train --data \"$1\" --steps 300 --out \"$2\" | head -c 1 >/dev/null; exit ${PIPESTATUS[0]}",
                     QStringLiteral(ATTNSCOPE_CLI), data, ckpt});
        QVERIFY(shell.waitForFinished(120000));
        const QString err = QString::fromUtf8(shell.readAllStandardError());
        QVERIFY2(shell.exitStatus() == QProcess::NormalExit && shell.exitCode() == 1,
                 qPrintable(QStringLiteral("exit %1\n%2").arg(shell.exitCode()).arg(err)));
        QVERIFY2(err.contains("standard output: could not write: Broken pipe"), qPrintable(err));
        QVERIFY(QFile::exists(ckpt));
    }

    // Each metrics row is written whole: a run killed (SIGKILL) at any moment
    // leaves a CSV whose every line has all its fields. Killed three times,
    // after different amounts of output; where it dies does not matter.
    void metricsRowsSurviveKill()
    {
        const QString csv = path("killed.csv"), out = path("killed.safetensors");
        for (const qint64 atLeast : {2000, 9000, 30000}) {
            QProcess process;
            process.start(QStringLiteral(ATTNSCOPE_CLI),
                          {"train", "--data", data, "--steps", "1000000000", "--dim", "8", "--heads", "2", "--ffn", "8",
                           "--val-fraction", "0", "--json", "--metrics", csv, "--out", out});
            QVERIFY(process.waitForStarted());
            QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(csv).size() >= atLeast, 60000);
            process.kill();
            QVERIFY(process.waitForFinished());
            QCOMPARE(process.exitStatus(), QProcess::CrashExit);
            const QByteArray bytes = slurp(csv);
            QVERIFY2(bytes.endsWith('\n'), bytes.right(200).constData());
            const QList<QByteArray> lines = bytes.chopped(1).split('\n');
            const qsizetype fields = lines.first().count(',');
            QVERIFY(lines.size() > 2);
            for (qsizetype i = 1; i < lines.size(); ++i) {
                QCOMPARE(lines[i].count(','), fields);
                QCOMPARE(lines[i].left(lines[i].indexOf(',')).toLongLong(), qint64(i));
            }
            QVERIFY(!QFile::exists(out));
        }
    }

    void bench()
    {
        const Run run = cli({"bench", "--steps", "5", "--warmup", "1", "--json"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const QJsonObject result = parseObject(run.out);
        QCOMPARE(result.value("steps").toInt(), 5);
        QVERIFY(result.value("steps_per_second").toDouble() > 0);
        QVERIFY(result.value("ms_per_step").toDouble() > 0);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
