// The divergence guard (core/divergence.h) on made-up runs: a healthy one
// with noise never trips, a loss that climbs and stays trips after exactly
// the patience, a short spike does not, a small loss tripling is noise, a
// gradient norm that explodes trips without becoming the usual norm, and a
// non-finite step trips at once. The figures of attnscope-cli's lr 10 run
// are test_cli's divergenceGuard.
#include "divergence.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace attnscope;

class TestDivergence : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void healthyRunNeverTrips();
    void risingLossTripsAfterThePatience();
    void shortSpikeDoesNotTrip();
    void smallLossTriplingIsNoise();
    void gradientExplosion();
    void nonFiniteTripsAtOnce();
    void messageSaysWhichAndTheFix();
};

// A loss falling from 2.5 towards 0.05 with +-30 % noise, norms 1-3.
void TestDivergence::healthyRunNeverTrips()
{
    DivergenceState s;
    int healthy = 0;
    for (int step = 1; step <= 5000; ++step) {
        const double noise = 1.0 + 0.3 * std::sin(step * 12.9898);
        const double loss = (0.05 + 2.45 * std::exp(-step / 300.0)) * noise;
        const double norm = 2.0 + std::sin(step * 78.233);
        const DivergenceVerdict v = checkDivergence(&s, step, loss, norm);
        QCOMPARE(v.kind, DivergenceKind::None);
        healthy += v.healthy ? 1 : 0;
    }
    QVERIFY2(healthy > 1000, qPrintable(QString::number(healthy)));
}

void TestDivergence::risingLossTripsAfterThePatience()
{
    const DivergenceConfig config;
    DivergenceState s;
    int step = 1;
    for (; step <= 100; ++step)
        QCOMPARE(checkDivergence(&s, step, 1.0, 1.0).kind, DivergenceKind::None);
    // Far above (best 1, first 1: bound max(3, 1.5) = 3), with norms as usual.
    int tripped = 0;
    int firstHigh = 0;
    for (; step <= 200 && !tripped; ++step) {
        const DivergenceVerdict v = checkDivergence(&s, step, 1000.0, 1.0);
        if (!firstHigh && v.loss > v.lossBound)
            firstHigh = step;
        QVERIFY(!v.healthy);
        if (v.kind != DivergenceKind::None) {
            QCOMPARE(v.kind, DivergenceKind::LossRising);
            tripped = step;
            QVERIFY(std::abs(v.best - 1.0) < 1e-9);
            QVERIFY(v.bestStep <= 100);
            QVERIFY(std::abs(v.lossBound - 3.0) < 1e-8);
        }
    }
    QVERIFY(firstHigh > 0);
    QCOMPARE(tripped, firstHigh + config.lossPatience - 1);
}

void TestDivergence::shortSpikeDoesNotTrip()
{
    DivergenceState s;
    int step = 1;
    for (; step <= 100; ++step)
        checkDivergence(&s, step, 1.0, 1.0);
    // The average is above the bound for 25 steps after it, the steps' own losses for 3 only.
    for (int i = 0; i < 3; ++i, ++step)
        QCOMPARE(checkDivergence(&s, step, 100.0, 1.0).kind, DivergenceKind::None);
    for (int i = 0; i < 200; ++i, ++step)
        QCOMPARE(checkDivergence(&s, step, 1.0, 1.0).kind, DivergenceKind::None);
}

// From 2.5 down to 0.01, then back up to 0.04 for good: four times the best,
// still far below half the untrained loss above it.
void TestDivergence::smallLossTriplingIsNoise()
{
    DivergenceState s;
    int step = 1;
    checkDivergence(&s, step++, 2.5, 1.0);
    for (; step <= 300; ++step)
        checkDivergence(&s, step, 0.01, 1.0);
    for (; step <= 1000; ++step)
        QCOMPARE(checkDivergence(&s, step, 0.04, 1.0).kind, DivergenceKind::None);
}

void TestDivergence::gradientExplosion()
{
    const DivergenceConfig config;
    DivergenceState s;
    int step = 1;
    for (; step <= 50; ++step)
        checkDivergence(&s, step, 1.0, 2.0);
    // Two steps at 1000 times: not yet, and the usual norm stays 2.
    for (int i = 1; i < config.gradPatience; ++i, ++step)
        QCOMPARE(checkDivergence(&s, step, 1.0, 2000.0).kind, DivergenceKind::None);
    QCOMPARE(checkDivergence(&s, step++, 1.0, 2.0).kind, DivergenceKind::None);
    DivergenceVerdict v;
    for (int i = 0; i < config.gradPatience; ++i, ++step)
        v = checkDivergence(&s, step, 1.0, 2000.0);
    QCOMPARE(v.kind, DivergenceKind::GradientExplosion);
    QVERIFY(std::abs(v.usualNorm - 2.0) < 1e-9);
    QCOMPARE(v.gradNorm, 2000.0);
}

void TestDivergence::nonFiniteTripsAtOnce()
{
    DivergenceState s;
    checkDivergence(&s, 1, 1.0, 1.0);
    QCOMPARE(checkDivergence(&s, 2, std::numeric_limits<double>::quiet_NaN(), 1.0).kind, DivergenceKind::NonFinite);
    QCOMPARE(checkDivergence(&s, 2, 1.0, std::numeric_limits<double>::infinity()).kind, DivergenceKind::NonFinite);
    QCOMPARE(s.steps, int64_t(1));  // nothing of them counted
}

void TestDivergence::messageSaysWhichAndTheFix()
{
    DivergenceVerdict v;
    QVERIFY(divergenceMessage(v, 5, 10, 0, "--lr", "--clip").empty());
    v.kind = DivergenceKind::GradientExplosion;
    v.gradNorm = 236;
    v.usualNorm = 2.29;
    v.gradFactor = 100;
    QCOMPARE(QString::fromStdString(divergenceMessage(v, 4, 10, 0, "--lr", "--clip")),
             QStringLiteral("training diverged at step 4: the gradient norm exploded: 236, over 100 times its usual "
                            "2.29; try a smaller --lr (now 10; 1 for instance) or set --clip (1 for instance)"));
    v.kind = DivergenceKind::LossRising;
    v.loss = 79.1;
    v.lossBound = 8.31;
    v.best = 2.77;
    v.bestStep = 1;
    v.lossPatience = 20;
    const QString rising = QString::fromStdString(divergenceMessage(v, 21, 1, 5, "learning rate", "gradient clipping"));
    QVERIFY2(rising.contains(QStringLiteral("the loss is diverging: its moving average (79.1) has stayed above 8.31 "
                                            "for 20 steps, far above its best (2.77 at step 1)")),
             qPrintable(rising));
    QVERIFY2(rising.endsWith(QStringLiteral("try a smaller learning rate (now 1; 0.1 for instance) or a lower "
                                            "gradient clipping (now 5)")),
             qPrintable(rising));
    v.kind = DivergenceKind::NonFinite;
    QVERIFY(QString::fromStdString(divergenceMessage(v, 3, 1, 0, "--lr", "--clip")).contains(QStringLiteral("not finite")));
}

QTEST_APPLESS_MAIN(TestDivergence)
#include "test_divergence.moc"
