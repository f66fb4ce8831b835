// Accuracy, macro-F1 and average precision against values worked out by hand.
//
// The constants were also checked with scikit-learn's formulas written out in
// numpy (scikit-learn is not a project dependency):
//
//   def ap(y, s):   # average_precision_score, binary
//       idx = np.argsort(s, kind="mergesort")[::-1]; s = s[idx]; y = y[idx]
//       thr = np.r_[np.where(np.diff(s))[0], y.size - 1]
//       tps = np.cumsum(y)[thr]; fps = 1 + thr - tps
//       precision = np.r_[(tps / (tps + fps))[::-1], 1]; recall = np.r_[(tps / tps[-1])[::-1], 0]
//       return -np.sum(np.diff(recall) * precision[:-1])
//   def f1macro(g, p):  # f1_score(average="macro"), labels = those in g or p
//       per class 2 TP / (2 TP + FP + FN), 0 when the denominator is 0, unweighted mean
//
// which printed 0.8333333333333333, 0.6666666666666666, 0.3333333333333333,
// 1.0, 0.5873015873015872 (AP rows below, in order) and 0.43333333333333335,
// 0.4, 0.5416666666666666 (macro-F1 rows).
#include "metrics.h"

#include <QtTest>

using namespace attnscope;

Q_DECLARE_METATYPE(std::vector<int>)
Q_DECLARE_METATYPE(std::vector<double>)
Q_DECLARE_METATYPE(std::vector<uint8_t>)

class TestMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void accuracySkipsMissing();
    void macroF1_data();
    void macroF1();
    void averagePrecision_data();
    void averagePrecision();
    void averagePrecisionNothingRelevant();
};

void TestMetrics::accuracySkipsMissing()
{
    // labelled: (0,0) right, (1,2) wrong, (2,2) right, (1,1) right -> 3 / 4
    QCOMPARE(accuracy({0, 1, 2, -1, 1}, {0, 2, 2, 1, 1}), 0.75);
    QCOMPARE(accuracy({1, 1}, {1, 1}), 1.0);
    QCOMPARE(accuracy({1, 1}, {0, 0}), 0.0);
    QCOMPARE(accuracy({-1, -1}, {0, 0}), 0.0); // nothing labelled
    QCOMPARE(accuracy({}, {}), 0.0);
}

void TestMetrics::macroF1_data()
{
    QTest::addColumn<std::vector<int>>("gold");
    QTest::addColumn<std::vector<int>>("pred");
    QTest::addColumn<int>("classes");
    QTest::addColumn<double>("expected");

    // Labelled pairs (0,0) (0,1) (1,1) (1,1) (2,0); the last entry is
    // unlabelled, so class 3 (predicted only there) does not count.
    // class 0: TP 1, FP 1, FN 1 -> 0.5; class 1: TP 2, FP 1 -> 0.8;
    // class 2: FN 1 -> 0. Mean over {0, 1, 2}: 1.3 / 3.
    QTest::newRow("absent class") << std::vector<int>{0, 0, 1, 1, 2, -1} << std::vector<int>{0, 1, 1, 1, 0, 3}
                                  << 4 << 1.3 / 3.0;
    // class 1 is only predicted: its F1 is 0 and it counts (scikit-learn's
    // zero_division=0); class 2 occurs nowhere and does not count.
    // class 0: TP 2, FN 1 -> 0.8. (0.8 + 0) / 2.
    QTest::newRow("predicted only") << std::vector<int>{0, 0, 0} << std::vector<int>{0, 0, 1} << 3 << 0.4;
    // class 0: 2/3, class 1: TP 1 FP 1 FN 1 -> 0.5, class 2: 0, class 3: 1.
    QTest::newRow("four classes") << std::vector<int>{0, 1, 2, 3, 1, 2} << std::vector<int>{0, 2, 1, 3, 1, 0}
                                  << 4 << (2.0 / 3.0 + 0.5 + 0.0 + 1.0) / 4.0;
    QTest::newRow("perfect") << std::vector<int>{1, 0, 1} << std::vector<int>{1, 0, 1} << 2 << 1.0;
    QTest::newRow("one class, all right") << std::vector<int>{1, 1} << std::vector<int>{1, 1} << 2 << 1.0;
    QTest::newRow("nothing labelled") << std::vector<int>{-1} << std::vector<int>{0} << 2 << 0.0;
}

void TestMetrics::macroF1()
{
    QFETCH(std::vector<int>, gold);
    QFETCH(std::vector<int>, pred);
    QFETCH(int, classes);
    QFETCH(double, expected);
    QVERIFY2(std::fabs(attnscope::macroF1(gold, pred, classes) - expected) < 1e-12,
             qPrintable(QString::number(attnscope::macroF1(gold, pred, classes), 'g', 17)));
}

void TestMetrics::averagePrecision_data()
{
    QTest::addColumn<std::vector<double>>("scores");
    QTest::addColumn<std::vector<uint8_t>>("relevant");
    QTest::addColumn<double>("expected");

    // thresholds 0.9: P 1, R 1/3; 0.8: no new recall; 0.7 (two relevant,
    // tied): P 3/4, R 1. AP = 1/3 * 1 + 2/3 * 3/4 = 5/6.
    QTest::newRow("tie of relevant") << std::vector<double>{0.9, 0.8, 0.7, 0.7, 0.1}
                                     << std::vector<uint8_t>{1, 0, 1, 1, 0} << 5.0 / 6.0;
    // One tied threshold holding two relevant and one irrelevant: P 2/3, R 1.
    // Breaking the tie relevant-first would give 1.
    QTest::newRow("tie shares a threshold") << std::vector<double>{0.5, 0.5, 0.5, 0.2}
                                            << std::vector<uint8_t>{0, 1, 1, 0} << 2.0 / 3.0;
    QTest::newRow("worst order") << std::vector<double>{3, 2, 1} << std::vector<uint8_t>{0, 0, 1} << 1.0 / 3.0;
    QTest::newRow("all relevant") << std::vector<double>{0.3, 0.1} << std::vector<uint8_t>{1, 1} << 1.0;
    // 0.8 (rel): P 1, R 1/3; 0.35 (one of two rel): P 2/6, R 2/3;
    // 0.1 (rel): P 3/7, R 1. AP = 1/3 + 1/9 + 1/7 = 37/63.
    QTest::newRow("mixed") << std::vector<double>{0.1, 0.4, 0.35, 0.8, 0.4, 0.35, 0.05, 0.6}
                           << std::vector<uint8_t>{1, 0, 0, 1, 0, 1, 0, 0} << 37.0 / 63.0;
}

void TestMetrics::averagePrecision()
{
    QFETCH(std::vector<double>, scores);
    QFETCH(std::vector<uint8_t>, relevant);
    QFETCH(double, expected);
    const std::optional<double> ap = attnscope::averagePrecision(scores, relevant);
    QVERIFY(ap.has_value());
    QVERIFY2(std::fabs(*ap - expected) < 1e-12, qPrintable(QString::number(*ap, 'g', 17)));
    // The order of the entries does not matter.
    std::reverse(scores.begin(), scores.end());
    std::reverse(relevant.begin(), relevant.end());
    QVERIFY(std::fabs(*attnscope::averagePrecision(scores, relevant) - expected) < 1e-12);
}

void TestMetrics::averagePrecisionNothingRelevant()
{
    QVERIFY(!attnscope::averagePrecision({0.5, 0.2}, {0, 0}).has_value());
    QVERIFY(!attnscope::averagePrecision({}, {}).has_value());
}

QTEST_APPLESS_MAIN(TestMetrics)
#include "test_metrics.moc"
