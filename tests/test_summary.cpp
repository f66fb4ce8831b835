// summarizeDataset: splits, class and missing-label counts, vocabulary and
// OOV rate, feature ranges, lengths and truncation.
#include "data/load.h"
#include "datasetsummary.h"

#include <QtTest>

using namespace attnscope;

class TestSummary : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void text();
    void tabular();
};

void TestSummary::text()
{
    Dataset d;
    std::string error;
    QVERIFY(loadDataset(std::string(ATTNSCOPE_SOURCE_DIR) + "/tests/data/csv/text.csv", LoadOptions(), &d, &error));
    const DatasetSummary s = summarizeDataset(d, 0.2, 1, 3);
    QCOMPARE(s.samples, 5);
    QVERIFY(s.splitFromFile);
    QCOMPARE(s.train, 3);
    QCOMPARE(s.val, 1);
    QCOMPARE(s.test, 1);
    QCOMPARE(s.tasks[0].counts, (std::vector<int>{1, 3}));
    QCOMPARE(s.tasks[0].missing, 1);
    QCOMPARE(s.tasks[1].missing, 1);
    // train texts: "great battery , lasts " forever "" (cut at 3), "terrible screen", "nice screen"
    QCOMPARE(s.vocabulary, 2 + 6);
    QCOMPARE(s.oovRate, 1.0); // "the sound is" (cut at 3): none seen in training
    QCOMPARE(s.minLength, 2);
    QCOMPARE(s.maxLength, 7);
    QCOMPARE(s.truncated, 2);
    QVERIFY(s.rationales);
}

void TestSummary::tabular()
{
    Dataset d;
    std::string error;
    QVERIFY(loadDataset(std::string(ATTNSCOPE_SOURCE_DIR) + "/tests/data/csv/tabular.tsv", LoadOptions(), &d, &error));
    const DatasetSummary s = summarizeDataset(d, 0.25, 1);
    QCOMPARE(s.features.size(), size_t(3));
    QCOMPARE(s.features[0].min, 0.25);
    QCOMPARE(s.features[0].max, 3.0);
    QCOMPARE(s.features[1].missing, 2);
    QCOMPARE(s.features[1].mean, 5.0);
    QCOMPARE(s.minLength, 2);
    QCOMPARE(s.maxLength, 3);
    QCOMPARE(s.train + s.val, 4);
}

QTEST_GUILESS_MAIN(TestSummary)
#include "test_summary.moc"
