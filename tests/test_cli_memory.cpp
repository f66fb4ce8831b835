// attnscope-cli on a file too wide for memory (issue 10): the run is refused
// before anything that large is allocated, with exit 1 and a message that
// names the file, the size and what to change; the advice works. The memory
// budget is set for the program with ATTNSCOPE_MEMORY_BUDGET, so the result
// does not depend on the machine.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "clirun.h"

class TestCliMemory : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // 6 rows of 3,000 numbers and a label: one encoder layer's attention
        // at a batch of the 5 training rows is 5 x 4 x 3000^2 floats, 720 MB.
        QFile f(m_dir.filePath(QStringLiteral("wide.csv")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        QByteArray out;
        for (int j = 0; j < 3000; ++j)
            out += 'f' + QByteArray::number(j) + ',';
        out += "label\n";
        for (int i = 0; i < 6; ++i) {
            for (int j = 0; j < 3000; ++j)
                out += QByteArray::number((i * 31 + j * 17) % 100) + ',';
            out += (i % 2 ? "a\n" : "b\n");
        }
        QCOMPARE(f.write(out), out.size());
        qputenv("ATTNSCOPE_MEMORY_BUDGET", "200M");  // inherited by the program
    }
    void cleanupTestCase() { qunsetenv("ATTNSCOPE_MEMORY_BUDGET"); }

    void wideRunIsRefused()
    {
        const QString data = m_dir.filePath(QStringLiteral("wide.csv"));
        const QString out = m_dir.filePath(QStringLiteral("wide.safetensors"));
        Run r = cli({"train", "--data", data, "--out", out, "--steps", "2"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.startsWith(QStringLiteral("attnscope-cli: error: %1: 3000 features need 720 MB for the encoder's "
                                                 "self-attention at batch 5 (")
                                      .arg(data)),
                 qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("budget 200 MB): use 0 encoder layers, a smaller batch or fewer features")),
                 qPrintable(r.err));
        QVERIFY(!QFile::exists(out));

        // The advice: without encoder layers it trains, and the checkpoint evaluates.
        r = cli({"train", "--data", data, "--out", out, "--steps", "2", "--layers", "0"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = cli({"eval", "--checkpoint", out, "--data", data});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = cli({"attention", "--checkpoint", out, "--data", data, "--limit", "1"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    // explain runs one sample forward and, for the gradients, backward: at
    // one layer over 3,000 features the forward pass fits 200 MB (160 MB)
    // and the backward pass does not (209 MB, the L x L gradient of the
    // attention and backward's buffers on top). Refused before any output,
    // with the file and the size; without the gradient scores it would run.
    void explainCountsTheBackwardPass()
    {
        const QString data = m_dir.filePath(QStringLiteral("wide.csv"));
        const QString out = m_dir.filePath(QStringLiteral("wide-1.safetensors"));
        qputenv("ATTNSCOPE_MEMORY_BUDGET", "2G");
        Run r = cli({"train", "--data", data, "--out", out, "--steps", "1", "--batch-size", "1"});
        qputenv("ATTNSCOPE_MEMORY_BUDGET", "200M");
        QVERIFY2(r.code == 0, qPrintable(why(r)));

        r = cli({"explain", "--checkpoint", out, "--data", data, "--summary"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.startsWith(QStringLiteral("attnscope-cli: error: %1: 3000 features need 2").arg(data)),
                 qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("for one sample's forward and backward pass, ")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("(budget 200 MB): use a model with fewer encoder layers")),
                 qPrintable(r.err));
        QVERIFY(r.out.isEmpty());

        // The advice: without encoder layers every score is computed.
        const QString flat = m_dir.filePath(QStringLiteral("wide-0.safetensors"));
        r = cli({"train", "--data", data, "--out", flat, "--steps", "2", "--layers", "0"});
        QVERIFY2(r.code == 0, qPrintable(why(r)));
        r = cli({"explain", "--checkpoint", flat, "--data", data, "--split", "val", "--summary"});
        QVERIFY2(r.code == 0, qPrintable(why(r)));
        QVERIFY(parseObject(r.out).contains(QStringLiteral("faithfulness")));
    }

    // The position table of a long max length is counted before it is made.
    void weightsAreRefused()
    {
        const QString out = m_dir.filePath(QStringLiteral("long.safetensors"));
        const Run r = cli({"train", "--data", "builtin:reviews?n=50", "--out", out, "--max-len", "1000000"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.startsWith(QStringLiteral("attnscope-cli: error: builtin:reviews?n=50: the weights need ")),
                 qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("the position table (max length 1000000 x width 64)")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliMemory)
#include "test_cli_memory.moc"
