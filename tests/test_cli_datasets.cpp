// attnscope-cli on the example files in resources/datasets/ and the
// built-ins: train, eval and attention succeed; summary prints JSON; bad CSV
// input exits 1 with its message, never crashes.
#include <QtTest>

#include "clirun.h"

namespace {

QString source(const char *path) { return QStringLiteral(ATTNSCOPE_SOURCE_DIR "/") + path; }

} // namespace

class TestCliDatasets : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void trainEvalAttention_data();
    void trainEvalAttention();
    void summaryJson();
    void badInputExitsOne();
    void columnOptions();
    void extremeFeatureValuesRefused();
    void numbersAreDecimal_data();
    void numbersAreDecimal();
    void decimalNumbersAccepted();
    void txtTablesAndVocabulary();
    void emptySplitOfTheFile();
};

// Stop 30 (hD): when the file's split column leaves a split empty, the
// messages blamed --val-fraction ("no training samples (4 samples,
// validation fraction 0.2)"), which has no effect on such a file; they
// count the file's splits now.
void TestCliDatasets::emptySplitOfTheFile()
{
    QTemporaryDir dir;
    const auto write = [&](const QString &name, const QString &split) {
        QFile f(dir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(split.isEmpty() ? "text,label\n" : "text,label,split\n");
        for (int i = 0; i < 4; ++i)
            f.write(QStringLiteral("word %1 here,%2%3\n").arg(i).arg(i % 2 ? "a" : "b", split.isEmpty() ? "" : "," + split)
                        .toUtf8());
    };
    write("test.csv", "test");
    write("train.csv", "train");
    write("nosplit.csv", "");
    const QString model = dir.filePath("m.safetensors");

    Run r = cli({"train", "--data", dir.filePath("test.csv"), "--steps", "1", "--out", model});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("test.csv: no training samples (4 samples; the file gives each sample its split: 0 train, "
                            "0 val, 4 test)"), qPrintable(r.err));
    r = cli({"train", "--data", dir.filePath("train.csv"), "--steps", "1", "--out", model});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    QVERIFY2(r.out.contains("no validation samples (the file gives each sample its split: 4 train, 0 val, 0 test)"),
             qPrintable(r.out));
    for (const char *command : {"eval", "explain"}) {
        r = cli({command, "--checkpoint", model, "--data", dir.filePath("train.csv"), "--split", "val"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("train.csv: the val split is empty (4 samples; the file gives each sample its split: 4 "
                                "train, 0 val, 0 test)"), qPrintable(r.err));
    }
    r = cli({"eval", "--checkpoint", model, "--data", dir.filePath("test.csv"), "--split", "train"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("test.csv: the train split is empty (4 samples; the file gives each sample its split: 0 train, "
                            "0 val, 4 test)"), qPrintable(r.err));
    // Without a split in the file the fraction is still what to change.
    r = cli({"eval", "--checkpoint", model, "--data", dir.filePath("nosplit.csv"), "--split", "val", "--val-fraction", "0"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("nosplit.csv: the val split is empty (4 samples, --val-fraction 0)"), qPrintable(r.err));
}

// accept25 D17: a tab-separated .txt file was refused as bad JSON; summary
// printed every class of a task on one line and took no --max-vocab or
// --min-freq; a vocabulary of <pad> and <unk> alone trained without a word.
void TestCliDatasets::txtTablesAndVocabulary()
{
    QTemporaryDir dir;
    const auto write = [&](const QString &name, const QString &text) {
        QFile f(dir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text.toUtf8());
    };
    QString tsv = QStringLiteral("text\tkind\n"), csv = QStringLiteral("text,kind\n");
    for (int i = 0; i < 90; ++i) {
        tsv += QStringLiteral("a short text number %1\tk%2\n").arg(i).arg(i % 30);
        csv += QStringLiteral("a short text number %1,k%2\n").arg(i).arg(i % 30);
    }
    write("table.txt", tsv);
    write("comma.txt", csv);
    write("prose.txt", QStringLiteral("just some words\nand more words\n"));
    // Stop 30 (hD): empty lines before the header made the file JSON Lines ("bad JSON at column 1").
    write("blank_first.txt", "\r\n\n" + csv);

    Run r = cli({"summary", "--data", dir.filePath("table.txt"), "--json"});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object()["tasks"].toObject()["kind"].toObject()["classes"]
                 .toObject().size(), 30);
    r = cli({"summary", "--data", dir.filePath("comma.txt"), "--json"});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    r = cli({"summary", "--data", dir.filePath("blank_first.txt"), "--json"});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    r = cli({"summary", "--data", dir.filePath("prose.txt")});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("a .txt file is read as JSON Lines unless its first line holds tabs"), qPrintable(r.err));

    // 30 classes: the 20 most frequent, then a count.
    r = cli({"summary", "--data", dir.filePath("table.txt")});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    QVERIFY2(r.out.contains("task kind: 30 classes, the 20 most frequent: k0 3 k1 3"), qPrintable(r.out));
    QVERIFY2(r.out.contains(" ... and 10 more (--json lists them); missing 0"), qPrintable(r.out));
    QVERIFY2(!r.out.contains("k29 3"), qPrintable(r.out));

    // The vocabulary train would build, and its warning when it is empty.
    r = cli({"summary", "--data", dir.filePath("table.txt"), "--json", "--min-freq", "100000"});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object()["vocabulary"].toInt(), 2);
    r = cli({"summary", "--data", dir.filePath("table.txt"), "--max-vocab", "5"});
    QVERIFY2(r.out.contains("vocabulary 5 (from the training split)"), qPrintable(why(r) + r.out));
    r = cli({"train", "--data", dir.filePath("table.txt"), "--min-freq", "100000", "--steps", "1", "--out",
             dir.filePath("m.safetensors")});
    QVERIFY2(r.code == 0, qPrintable(why(r)));
    QVERIFY2(r.err.contains("warning: the vocabulary holds only <pad> and <unk> (--max-vocab 20000, --min-freq 100000)"),
             qPrintable(r.err));
    r = cli({"train", "--data", dir.filePath("table.txt"), "--steps", "1", "--out", dir.filePath("n.safetensors")});
    QVERIFY2(!r.err.contains("only <pad> and <unk>"), qPrintable(r.err));
}

void TestCliDatasets::trainEvalAttention_data()
{
    QTest::addColumn<QString>("data");
    QTest::addColumn<QString>("layers");
    QTest::newRow("reviews.csv") << source("resources/datasets/reviews.csv") << "1";
    QTest::newRow("machines.tsv") << source("resources/datasets/machines.tsv") << "0";
    QTest::newRow("support.jsonl") << source("resources/datasets/support.jsonl") << "1";
    QTest::newRow("builtin:sensors") << "builtin:sensors?n=600" << "0";
    QTest::newRow("builtin:order") << "builtin:order?n=600" << "1";
}

void TestCliDatasets::trainEvalAttention()
{
    QFETCH(QString, data);
    QFETCH(QString, layers);
    QTemporaryDir dir;
    const QString ckpt = dir.filePath("m.safetensors");
    Run r = cli({"train", "--data", data, "--out", ckpt, "--epochs", "3", "--layers", layers});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(QFile::exists(ckpt));
    r = cli({"eval", "--checkpoint", ckpt, "--data", data, "--json"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    r = cli({"attention", "--checkpoint", ckpt, "--data", data, "--limit", "3"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QJsonParseError error;
    QJsonDocument::fromJson(r.out.toUtf8(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
}

void TestCliDatasets::summaryJson()
{
    const Run r = cli({"summary", "--data", source("resources/datasets/reviews.csv"), "--json"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(o["samples"].toInt(), 120);
    QCOMPARE(o["split"].toObject()["test"].toInt(), 15);
    QCOMPARE(o["tasks"].toObject()["sentiment"].toObject()["missing"].toInt(), 5);
    QVERIFY(o["vocabulary"].toInt() > 10);
}

void TestCliDatasets::badInputExitsOne()
{
    const QDir dir(source("tests/data/csv"));
    for (const QString &name : dir.entryList({"*.csv", "*.tsv"}, QDir::Files)) {
        if (name == "text.csv" || name == "tabular.tsv" || name == "crlf_bom.csv" || name == "one_class.csv"
            || name == "missing_spellings.csv")
            continue;
        QTemporaryDir out;
        const Run r = cli({"train", "--data", dir.filePath(name), "--out", out.filePath("m.safetensors"), "--epochs", "1"});
        QVERIFY2(r.code == 1, qPrintable(name + ": " + r.err));
        QVERIFY2(r.err.startsWith("attnscope-cli: error: " + dir.filePath(name)), qPrintable(r.err));
    }
    const Run r = cli({"summary", "--data", source("tests/data/csv/directory.csv")});
    QCOMPARE(r.code, 1);
}

void TestCliDatasets::columnOptions()
{
    const QString tsv = source("resources/datasets/machines.tsv");
    Run r = cli({"summary", "--data", tsv, "--json", "--feature-columns", "rpm,vibration", "--task-columns", "status"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(o["features"].toObject().keys(), (QStringList{"rpm", "vibration"}));
    QCOMPARE(o["tasks"].toObject().keys(), QStringList{"status"});
    r = cli({"summary", "--data", tsv, "--text-column", "status", "--feature-columns", "rpm"});
    QCOMPARE(r.code, 2);
    r = cli({"summary", "--data", tsv, "--task-columns", "nope"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("no column named \"nope\""), qPrintable(r.err));
    r = cli({"summary", "--data", "builtin:order", "--task-columns", "same"});
    QCOMPARE(r.code, 1);

    // --ignore-columns: the GUI's "ignore" role; the rest still guessed.
    r = cli({"summary", "--data", tsv, "--json", "--ignore-columns", "humidity,load_class"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QJsonObject ignored = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(ignored["features"].toObject().keys(),
             (QStringList{"pressure", "rpm", "temperature", "vibration", "voltage"}));  // keys() sorts
    QCOMPARE(ignored["tasks"].toObject().keys(), QStringList{"status"});
    // Even a name that suggests a role: no file split, no rationales.
    r = cli({"summary", "--data", source("resources/datasets/reviews.csv"), "--json", "--ignore-columns",
             "split,rationale_sentiment"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QJsonObject reviews = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(reviews["split"].toObject()["from_file"].toBool(), false);
    QCOMPARE(reviews["split"].toObject()["test"].toInt(), 0);
    r = cli({"summary", "--data", tsv, "--ignore-columns", "nope"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("no column named \"nope\""), qPrintable(r.err));
    r = cli({"summary", "--data", tsv, "--ignore-columns", "status", "--task-columns", "status"});
    QCOMPARE(r.code, 1);
    r = cli({"summary", "--data", tsv, "--ignore-columns", "rpm,"});
    QCOMPARE(r.code, 2);
}

// Feature values that standardise to a non-finite number (or beyond 1e30)
// are refused with the file, line and feature on every path: eval printed
// "loss -nan" with exit 0, attention wrote nulls, and training diverged
// with "try a smaller --lr".
void TestCliDatasets::extremeFeatureValuesRefused()
{
    QTemporaryDir dir;
    auto write = [&](const char *name, const QByteArray &rows) {
        QFile f(dir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x,z,label\n" + rows);
    };
    write("ordinary.csv", "0.1,2,a\n0.3,5,b\n0.4,1,a\n0.2,2,b\n0.1,1,a\n0.5,3,b\n"); // std 0.15
    write("extreme.csv", "1,2,a\n3,5,b\n3.4e38,1,a\n2,2,b\n");
    write("overflow.csv", "3.4e38,2,a\n3.4e38,5,b\n-3.4e38,1,a\n2,2,b\n");
    const QString ckpt = dir.filePath("m.safetensors");
    Run r = cli({"train", "--data", dir.filePath("ordinary.csv"), "--steps", "2", "--out", ckpt});
    QVERIFY2(r.code == 0, qPrintable(r.err));

    const QString extreme = dir.filePath("extreme.csv");
    const QString where = extreme + ":4: feature \"x\": 3.4e+38 standardises to inf";
    r = cli({"eval", "--checkpoint", ckpt, "--data", extreme, "--split", "all"});
    QVERIFY2(r.code == 1 && r.err.contains(where), qPrintable(QString("exit %1: %2").arg(r.code).arg(r.err)));
    r = cli({"attention", "--checkpoint", ckpt, "--data", extreme});
    QVERIFY2(r.code == 1 && r.err.contains(where), qPrintable(QString("exit %1: %2").arg(r.code).arg(r.err)));
    QCOMPARE(r.out, QString());  // refused before any output

    // Training statistics that are finite, with a value whose (r - mean)
    // overflows: refused before the first step.
    const QString overflow = dir.filePath("overflow.csv");
    r = cli({"train", "--data", overflow, "--val-fraction", "0", "--steps", "2", "--out", dir.filePath("o.safetensors")});
    QVERIFY2(r.code == 1 && r.err.contains(overflow + ":4: feature \"x\": -3.4e+38 standardises to -inf"),
             qPrintable(QString("exit %1: %2").arg(r.code).arg(r.err)));
    QVERIFY(!QFile::exists(dir.filePath("o.safetensors")));

    // The fixtures (every split of them overflows): CSV and JSON Lines alike.
    for (const char *fixture : {"tests/data/csv/extreme_value.csv:3", "tests/data/jsonl/extreme_value.jsonl:2"}) {
        const QString path = source(fixture).section(':', 0, 0);
        r = cli({"train", "--data", path, "--steps", "1", "--out", dir.filePath("f.safetensors")});
        QVERIFY2(r.code == 1 && r.err.contains(source(fixture) + ": feature \"x\": -3e+38 standardises to -inf"),
                 qPrintable(QString("exit %1: %2").arg(r.code).arg(r.err)));
    }
}

// Every numeric flag (ArgParser::number, integer, unsignedInteger and
// --task-weight) takes a decimal number only: 0x10 was read as 16 by strtod.
void TestCliDatasets::numbersAreDecimal_data()
{
    QTest::addColumn<QString>("flag");
    QTest::addColumn<QString>("value");
    QTest::newRow("hex") << "lr" << "0x10";
    QTest::newRow("hex float") << "lr" << "0x1p-4";
    QTest::newRow("inf") << "lr" << "inf";
    QTest::newRow("infinity") << "clip" << "infinity";
    QTest::newRow("nan") << "lr" << "nan";
    QTest::newRow("leading blank") << "lr" << " 0.1";
    QTest::newRow("decimal comma") << "lr" << "0,1";
    QTest::newRow("exponent without digits") << "lr" << "1e";
    QTest::newRow("overflow") << "weight-decay" << "1e999";
    QTest::newRow("plus minus") << "momentum" << "+-0.5";
    QTest::newRow("integer hex") << "batch-size" << "0x10";
    QTest::newRow("integer exponent") << "batch-size" << "1e3";
    QTest::newRow("integer plus minus") << "batch-size" << "+-1";
    QTest::newRow("unsigned hex") << "seed" << "0x10";
    QTest::newRow("unsigned negative") << "seed" << "-1";
    QTest::newRow("task weight hex") << "task-weight" << "topic=0x1";
    QTest::newRow("task weight nan") << "task-weight" << "topic=nan";
}

void TestCliDatasets::numbersAreDecimal()
{
    QFETCH(QString, flag);
    QFETCH(QString, value);
    QTemporaryDir dir;
    const QString ckpt = dir.filePath("m.safetensors");
    const Run r = cli({"train", "--data", "builtin:reviews?n=20", "--steps", "1", "--out", ckpt, "--" + flag, value});
    QVERIFY2(r.code == 2, qPrintable(QString("exit %1: %2").arg(r.code).arg(r.err)));
    QVERIFY2(r.err.contains("--" + flag + ": ") && r.err.contains("'" + value.section('=', -1) + "'"), qPrintable(r.err));
    QVERIFY(!QFile::exists(ckpt));
}

void TestCliDatasets::decimalNumbersAccepted()
{
    QTemporaryDir dir;
    const Run r = cli({"train", "--data", "builtin:reviews?n=20", "--steps", "+2", "--lr", ".003", "--clip", "5.",
                       "--weight-decay", "1E-2", "--seed", "+7", "--task-weight", "topic=+0.5",
                       "--out", dir.filePath("m.safetensors")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestCliDatasets)
#include "test_cli_datasets.moc"
