// attnscope-cli explain as other checks call it (docs/cli.md): the JSON of
// issue 12 key by key, per sample and for the set (whose means must be the
// means of the per-sample values), text and tabular data (the tokens of a
// tabular sample are its present features), --split, --class, --methods,
// --summary and --out, usage and file errors; and train's --mode uniform and
// --rationale-weight, which the checkpoint records.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "clirun.h"

#include <cmath>

namespace {

const QStringList kScores = {"attention", "rollout", "gradient", "integrated", "occlusion"};
const QString reviews = QStringLiteral("builtin:reviews?n=120");
const QString sensors = QStringLiteral("builtin:sensors?n=120&missing=0.2");


// The per-sample values of one task and method, and what the set's means must be.
struct Means {
    double comprehensiveness = 0, sufficiency = 0, auprc = 0, mass = 0;
    int samples = 0, withRationale = 0;
};

} // namespace

class TestCliExplain : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_text, m_tabular;  // checkpoints trained once in initTestCase

    QString path(const QString &name) const { return m_dir.filePath(name); }

    // Every key of issue 12's JSON for one sample: tokens, and per task its
    // class, the asked scores (one per token), integrated_delta with
    // integrated, and faithfulness per asked method and random; auprc where
    // rationale says, mass only for attention and rollout.
    static void checkSample(const QJsonObject &sample, const QStringList &methods, bool rationale)
    {
        QCOMPARE(keys(sample), (QSet<QString>{"tokens", "tasks"}));
        const int n = int(sample.value("tokens").toArray().size());
        QVERIFY(n > 0);
        const QJsonObject tasks = sample.value("tasks").toObject();
        for (auto it = tasks.begin(); it != tasks.end(); ++it) {
            const QJsonObject task = it.value().toObject();
            QSet<QString> expected{"class", "scores", "faithfulness"};
            if (methods.contains("integrated")) expected.insert("integrated_delta");
            QCOMPARE(keys(task), expected);
            QVERIFY(task.value("class").isString());
            const QJsonObject scores = task.value("scores").toObject();
            QCOMPARE(keys(scores), QSet<QString>(methods.begin(), methods.end()));
            for (const QJsonValue &s : scores) QCOMPARE(int(s.toArray().size()), n);
            const QJsonObject faith = task.value("faithfulness").toObject();
            QSet<QString> names(methods.begin(), methods.end());
            names.insert("random");
            QCOMPARE(keys(faith), names);
            for (auto f = faith.begin(); f != faith.end(); ++f) {
                QSet<QString> k{"comprehensiveness", "sufficiency"};
                if (rationale) k.insert("auprc");
                if (rationale && (f.key() == "attention" || f.key() == "rollout")) k.insert("mass");
                QCOMPARE(keys(f.value().toObject()), k);
                for (const QJsonValue &v : f.value().toObject()) QVERIFY(v.isDouble());
            }
        }
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_text = path("text.safetensors");
        m_tabular = path("tabular.safetensors");
        Run run = cli({"train", "--data", reviews, "--steps", "40", "--json", "--out", m_text});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        run = cli({"train", "--data", sensors, "--steps", "40", "--json", "--out", m_tabular});
        QVERIFY2(run.code == 0, qPrintable(run.err));
    }

    void help()
    {
        const Run run = cli({"explain", "--help"});
        QCOMPARE(run.code, 0);
        for (const char *flag : {"--methods", "--ig-steps", "--class", "--summary", "--split", "--feature-columns"})
            QVERIFY2(run.out.contains(flag), flag);
        QVERIFY(cli({"--help"}).out.contains("explain"));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        const QString ckpt = QStringLiteral("/tmp/attnscope-test-never-read.safetensors");
        QTest::newRow("no input") << QStringList{"explain", "--checkpoint", ckpt} << "--data or --text";
        QTest::newRow("no checkpoint") << QStringList{"explain", "--text", "good"} << "--checkpoint";
        QTest::newRow("data and text")
            << QStringList{"explain", "--checkpoint", ckpt, "--data", reviews, "--text", "good"} << "--text";
        QTest::newRow("split with text")
            << QStringList{"explain", "--checkpoint", ckpt, "--text", "good", "--split", "val"} << "--split";
        QTest::newRow("gold with text")
            << QStringList{"explain", "--checkpoint", ckpt, "--text", "good", "--class", "gold"} << "--class";
        QTest::newRow("bad class")
            << QStringList{"explain", "--checkpoint", ckpt, "--text", "good", "--class", "likely"} << "--class";
        QTest::newRow("unknown method")
            << QStringList{"explain", "--checkpoint", ckpt, "--text", "good", "--methods", "attention,lime"} << "lime";
        QTest::newRow("random is no score")
            << QStringList{"explain", "--checkpoint", ckpt, "--text", "good", "--methods", "random"} << "--methods";
        QTest::newRow("method twice")
            << QStringList{"explain", "--checkpoint", ckpt, "--text", "good", "--methods", "rollout,rollout"} << "twice";
        QTest::newRow("empty method")
            << QStringList{"explain", "--checkpoint", ckpt, "--text", "good", "--methods", "rollout,"} << "--methods";
        QTest::newRow("ig steps 0")
            << QStringList{"explain", "--checkpoint", ckpt, "--text", "good", "--ig-steps", "0"} << "--ig-steps";
        QTest::newRow("bad split") << QStringList{"explain", "--checkpoint", ckpt, "--data", reviews, "--split", "test"}
                                   << "--split";
        QTest::newRow("empty out")
            << QStringList{"explain", "--checkpoint", ckpt, "--text", "good", "--out", ""} << "--out";
        QTest::newRow("train: negative mu")
            << QStringList{"train", "--data", reviews, "--out", ckpt, "--rationale-weight", "-1"} << "--rationale-weight";
        QTest::newRow("train: bad mode")
            << QStringList{"train", "--data", reviews, "--out", ckpt, "--mode", "even"} << "uniform";
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const Run run = cli(args);
        QVERIFY2(run.code == 2, qPrintable(why(run)));
        QVERIFY2(run.err.contains(mentions), qPrintable(run.err));
    }

    void fileErrors()
    {
        const QString missing = path("no-such.safetensors");
        Run run = cli({"explain", "--checkpoint", missing, "--text", "good"});
        QCOMPARE(run.code, 1);
        QVERIFY2(run.err.contains(missing), qPrintable(run.err));
        run = cli({"explain", "--checkpoint", m_text, "--data", reviews, "--out", m_text});
        QCOMPARE(run.code, 1);
        QVERIFY2(run.err.contains("same file"), qPrintable(run.err));
        run = cli({"explain", "--checkpoint", m_text, "--data", sensors});
        QCOMPARE(run.code, 1);
        QVERIFY2(run.err.contains("tabular data"), qPrintable(run.err));
        run = cli({"explain", "--checkpoint", m_tabular, "--text", "good"});
        QCOMPARE(run.code, 2);
        QVERIFY2(run.err.contains("tabular model"), qPrintable(run.err));
    }

    // --text: one sample, its tokens, no rationale (no auprc, no mass); the
    // set's auprc and mass are null, comprehensiveness and sufficiency are
    // the sample's own.
    void text()
    {
        const Run run = cli({"explain", "--checkpoint", m_text, "--text", "The screen is not good, the battery dies!"});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        const QJsonObject doc = parseObject(run.out);
        QCOMPARE(keys(doc), (QSet<QString>{"samples", "faithfulness"}));
        const QJsonArray samples = doc.value("samples").toArray();
        QCOMPARE(samples.size(), 1);
        const QJsonObject sample = samples.at(0).toObject();
        checkSample(sample, kScores, false);
        QCOMPARE(sample.value("tokens").toArray().at(3).toString(), QStringLiteral("not"));
        QCOMPARE(sample.value("tasks").toObject().size(), 3);
        const QJsonObject set = doc.value("faithfulness").toObject();
        QCOMPARE(keys(set), (QSet<QString>{"sentiment", "topic", "urgency"}));
        for (auto t = set.begin(); t != set.end(); ++t) {
            const QJsonObject byMethod = t.value().toObject();
            QCOMPARE(keys(byMethod), (QSet<QString>{"attention", "rollout", "gradient", "integrated", "occlusion", "random"}));
            for (auto m = byMethod.begin(); m != byMethod.end(); ++m) {
                const QJsonObject f = m.value().toObject();
                QCOMPARE(keys(f), (QSet<QString>{"comprehensiveness", "sufficiency", "auprc", "mass"}));
                QVERIFY(f.value("auprc").isNull() && f.value("mass").isNull());
                const QJsonObject mine = sample.value("tasks").toObject().value(t.key()).toObject()
                                             .value("faithfulness").toObject().value(m.key()).toObject();
                QCOMPARE(f.value("comprehensiveness").toDouble(), mine.value("comprehensiveness").toDouble());
            }
        }
    }

    void dataAndSetMeans_data()
    {
        QTest::addColumn<QString>("which");
        QTest::newRow("text") << "text";
        QTest::newRow("tabular") << "tabular";
    }
    // Every sample of a file with rationales, to a file; the set's means are
    // the means of the samples' values (auprc and mass over those with a
    // rationale token); tabular tokens are the present features' names.
    void dataAndSetMeans()
    {
        QFETCH(QString, which);
        const bool text = which == "text";
        const QString out = path("explain-" + which + ".json");
        const Run run = cli({"explain", "--checkpoint", text ? m_text : m_tabular, "--data", text ? reviews : sensors,
                             "--out", out, "--ig-steps", "5"});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        QVERIFY(run.out.isEmpty());
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject doc = parseObject(QString::fromUtf8(file.readAll()));
        const QJsonArray samples = doc.value("samples").toArray();
        QCOMPARE(samples.size(), 120);  // --split all by default
        QMap<QString, Means> means;
        int fewerTokens = 0;
        for (const QJsonValue &value : samples) {
            const QJsonObject sample = value.toObject();
            const QJsonObject tasks = sample.value("tasks").toObject();
            const int n = int(sample.value("tokens").toArray().size());
            if (!text) {
                QVERIFY(n <= 16);
                fewerTokens += n < 16 ? 1 : 0;
                QVERIFY(sample.value("tokens").toArray().at(0).toString().size() > 0);
            }
            for (auto t = tasks.begin(); t != tasks.end(); ++t) {
                const QJsonObject faith = t.value().toObject().value("faithfulness").toObject();
                const bool rationale = faith.value("random").toObject().contains("auprc");
                checkSample(QJsonObject{{"tokens", sample.value("tokens")}, {"tasks", QJsonObject{{t.key(), t.value()}}}},
                            kScores, rationale);
                for (auto m = faith.begin(); m != faith.end(); ++m) {
                    const QJsonObject f = m.value().toObject();
                    Means &a = means[t.key() + "/" + m.key()];
                    a.comprehensiveness += f.value("comprehensiveness").toDouble();
                    a.sufficiency += f.value("sufficiency").toDouble();
                    ++a.samples;
                    if (rationale) {
                        a.auprc += f.value("auprc").toDouble();
                        a.mass += f.value("mass").toDouble();
                        ++a.withRationale;
                    }
                }
            }
        }
        if (!text) QVERIFY(fewerTokens > 0);  // missing features are not tokens
        const QJsonObject set = doc.value("faithfulness").toObject();
        int rationaleMeans = 0;
        for (auto t = set.begin(); t != set.end(); ++t) {
            const QJsonObject byMethod = t.value().toObject();
            for (auto m = byMethod.begin(); m != byMethod.end(); ++m) {
                const Means &a = means[t.key() + "/" + m.key()];
                const QJsonObject f = m.value().toObject();
                QCOMPARE(a.samples, 120);
                QVERIFY(std::abs(f.value("comprehensiveness").toDouble() - a.comprehensiveness / a.samples) < 1e-9);
                QVERIFY(std::abs(f.value("sufficiency").toDouble() - a.sufficiency / a.samples) < 1e-9);
                if (a.withRationale) {
                    ++rationaleMeans;
                    QVERIFY(std::abs(f.value("auprc").toDouble() - a.auprc / a.withRationale) < 1e-9);
                } else {
                    QVERIFY(f.value("auprc").isNull());
                }
                const bool distribution = m.key() == "attention" || m.key() == "rollout";
                if (distribution && a.withRationale)
                    QVERIFY(std::abs(f.value("mass").toDouble() - a.mass / a.withRationale) < 1e-9);
                else
                    QVERIFY(f.value("mass").isNull());
            }
        }
        QVERIFY(rationaleMeans > 0);
    }

    // --summary: the same set means, alone; --split val: the samples eval scores.
    void summaryAndSplit()
    {
        Run run = cli({"explain", "--checkpoint", m_text, "--data", reviews, "--split", "val", "--ig-steps", "4"});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        const QJsonObject full = parseObject(run.out);
        run = cli({"eval", "--checkpoint", m_text, "--data", reviews, "--json"});
        QCOMPARE(full.value("samples").toArray().size(), parseObject(run.out).value("samples").toInt());
        run = cli({"explain", "--checkpoint", m_text, "--data", reviews, "--split", "val", "--ig-steps", "4", "--summary"});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        const QJsonObject summary = parseObject(run.out);
        QCOMPARE(keys(summary), QSet<QString>{"faithfulness"});
        QCOMPARE(summary.value("faithfulness"), full.value("faithfulness"));
        // a different seed draws another random floor, and nothing else changes
        run = cli({"explain", "--checkpoint", m_text, "--data", reviews, "--split", "all", "--ig-steps", "4",
                   "--summary", "--seed", "2", "--methods", "attention"});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        const QJsonObject seeded = parseObject(run.out).value("faithfulness").toObject();
        run = cli({"explain", "--checkpoint", m_text, "--data", reviews, "--split", "all", "--ig-steps", "4",
                   "--summary", "--methods", "attention"});
        const QJsonObject plain = parseObject(run.out).value("faithfulness").toObject();
        QCOMPARE(seeded.value("topic").toObject().value("attention"), plain.value("topic").toObject().value("attention"));
        QVERIFY(seeded.value("topic").toObject().value("random") != plain.value("topic").toObject().value("random"));
    }

    // --methods limits the scores and the faithfulness (random stays);
    // integrated_delta comes with integrated only.
    void methods()
    {
        const Run run = cli({"explain", "--checkpoint", m_text, "--text", "the sound is great", "--methods",
                             "occlusion,attention"});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        const QJsonObject doc = parseObject(run.out);
        checkSample(doc.value("samples").toArray().at(0).toObject(), {"attention", "occlusion"}, false);
        QCOMPARE(keys(doc.value("faithfulness").toObject().value("topic").toObject()),
                 (QSet<QString>{"attention", "occlusion", "random"}));
    }

    // --class gold leaves out the (sample, task) pairs without a label, and
    // explains the gold class where it differs from the prediction.
    void goldClass()
    {
        const QString jsonl = path("partial.jsonl");
        QFile file(jsonl);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"text\": \"the screen is bad\", \"labels\": {\"sentiment\": \"positive\", \"topic\": \"screen\"}}\n"
                   "{\"text\": \"the battery is good\", \"labels\": {\"topic\": \"battery\", \"urgency\": \"low\"}}\n");
        file.close();
        // the checkpoint knows more classes than two lines hold: a subset, whose labels are used
        Run run = cli({"explain", "--checkpoint", m_text, "--data", jsonl});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        QVERIFY2(!run.err.contains("labels and rationales are not used"), qPrintable(run.err));
        run = cli({"explain", "--checkpoint", m_text, "--data", jsonl, "--class", "gold"});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        // a class the checkpoint does not know: not used by predicted, refused by gold with its line
        const QString unknown = path("unknown.jsonl");
        QFile other(unknown);
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.write("{\"text\": \"the screen is bad\", \"labels\": {\"sentiment\": \"positive\", \"topic\": "
                    "\"screen\", \"urgency\": \"low\"}}\n"
                    "{\"text\": \"it is odd\", \"labels\": {\"topic\": \"nonsense\"}}\n");
        other.close();
        run = cli({"explain", "--checkpoint", m_text, "--data", unknown});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        QVERIFY2(run.err.contains("labels and rationales are not used"), qPrintable(run.err));
        run = cli({"explain", "--checkpoint", m_text, "--data", unknown, "--class", "gold"});
        QCOMPARE(run.code, 1);
        QVERIFY2(run.err.contains(unknown + ":2:") && run.err.contains("'nonsense'"), qPrintable(run.err));

        // reviews with a label left out: gold explains the others
        const QString csv = path("reviews.csv");
        QFile out(csv);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write("text,sentiment,topic,urgency\n"
                  "the screen is great,positive,screen,low\n"
                  "the battery died at once,negative,battery,\n"
                  "the sound is awful please help,negative,sound,high\n"
                  "the delivery was fine,positive,delivery,low\n");
        out.close();
        run = cli({"explain", "--checkpoint", m_text, "--data", csv, "--class", "gold", "--methods", "attention"});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        const QJsonArray samples = parseObject(run.out).value("samples").toArray();
        QCOMPARE(samples.size(), 4);
        QCOMPARE(keys(samples.at(1).toObject().value("tasks").toObject()), (QSet<QString>{"sentiment", "topic"}));
        QCOMPARE(samples.at(1).toObject().value("tasks").toObject().value("topic").toObject().value("class").toString(),
                 QStringLiteral("battery"));
        QCOMPARE(samples.at(0).toObject().value("tasks").toObject().size(), 3);
    }

    // A gated model's explanation carries its gates, as docs/cli.md shows
    // and as attention writes them (sigmoid(pool.gate[t]) per task); --summary
    // stays {"faithfulness": ...}. explain wrote no gates before.
    void gatedModelGates()
    {
        const QString gated = path("gated.safetensors");
        Run run = cli({"train", "--data", reviews, "--steps", "3", "--mode", "gated", "--json", "--out", gated});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        run = cli({"attention", "--checkpoint", gated, "--text", "the screen is good", "--no-layers"});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        const QJsonValue gates = parseObject(run.out).value("gates");
        QCOMPARE(keys(gates.toObject()), (QSet<QString>{"sentiment", "topic", "urgency"}));
        run = cli({"explain", "--checkpoint", gated, "--text", "the screen is good", "--methods", "attention"});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        const QJsonObject doc = parseObject(run.out);
        QCOMPARE(keys(doc), (QSet<QString>{"gates", "samples", "faithfulness"}));
        QCOMPARE(doc.value("gates"), gates);
        run = cli({"explain", "--checkpoint", gated, "--text", "the screen is good", "--methods", "attention",
                   "--summary"});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        QCOMPARE(keys(parseObject(run.out)), QSet<QString>{"faithfulness"});
    }

    // train --mode uniform: every real token weighs the same, whatever the
    // task; --rationale-weight goes into the checkpoint's config, and is
    // said to do nothing on data without rationales.
    void trainUniformAndMu()
    {
        const QString uniform = path("uniform.safetensors");
        Run run = cli({"train", "--data", reviews, "--steps", "5", "--mode", "uniform", "--rationale-weight", "0.5",
                       "--json", "--out", uniform});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        QFile file(uniform);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.read(4096);
        QVERIFY(bytes.contains("\\\"mode\\\":\\\"uniform\\\""));
        QVERIFY(bytes.contains("\\\"rationale_weight\\\":0.5"));
        QVERIFY(!bytes.contains("pool.query"));
        run = cli({"explain", "--checkpoint", uniform, "--text", "the screen is not good", "--methods", "attention"});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        const QJsonObject tasks = parseObject(run.out).value("samples").toArray().at(0).toObject().value("tasks").toObject();
        for (const QJsonValue &task : tasks)
            for (const QJsonValue &w : task.toObject().value("scores").toObject().value("attention").toArray())
                QCOMPARE(w.toDouble(), 0.2);

        run = cli({"train", "--data", QStringLiteral(ATTNSCOPE_SOURCE_DIR "/resources/datasets/machines.tsv"),
                   "--steps", "2", "--rationale-weight", "1", "--json", "--out", path("machines.safetensors")});
        QVERIFY2(run.code == 0, qPrintable(why(run)));
        QVERIFY2(run.err.contains("--rationale-weight has no effect"), qPrintable(run.err));
    }
};

QTEST_GUILESS_MAIN(TestCliExplain)
#include "test_cli_explain.moc"
