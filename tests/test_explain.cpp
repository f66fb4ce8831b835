// The explanations of MODEL.md 9 as the core computes them (core/explain.h),
// beyond the reference comparison of test_reference: the ERASER thresholds,
// rankings and their ties, the seeded random floor, what each score must be
// by definition (attention and rollout sum to 1, uniform attention ties,
// occlusion of a lone token), chunking that changes nothing, the options,
// and plausibility over the real tokens only, the one implementation that
// evaluate() uses.
#include "data/load.h"
#include "explain.h"
#include "metrics.h"
#include "trainer.h"

#include <QTest>

#include <cmath>
#include <numeric>
#include <set>

using namespace attnscope;

namespace {

struct Setup {
    Dataset data;
    Model model;
    EncodedDataset encoded;
};

// A trained model on a small built-in (a few steps: the scores need not be
// good, only defined) and the whole set encoded for it.
Setup makeSetup(const std::string &spec, AttentionMode mode, int layers, int steps = 20)
{
    Setup s;
    std::string error;
    if (!loadDataset(spec, &s.data, &error)) qFatal("%s", error.c_str());
    std::vector<int> all(s.data.samples.size());
    std::iota(all.begin(), all.end(), 0);
    ModelConfig config;
    config.mode = mode;
    config.layers = layers;
    config.dim = 16;
    config.heads = 2;
    config.ffn = 32;
    s.model = createModel(s.data, all, config, 3);
    s.encoded = encodeDataset(s.data, all, Vocabulary(s.model.vocab), s.model.config.maxLen);
    TrainConfig tc;
    tc.steps = steps;
    Trainer trainer(s.model, s.encoded, tc);
    trainer.run();
    return s;
}

double sum(const std::vector<float> &v)
{
    double total = 0;
    for (float x : v) total += x;
    return total;
}

} // namespace

class TestExplain : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void topCountIsCeilingAtLeastOne();
    void rankByBreaksTiesByPosition();
    void randomRankingIsSeededPerSampleAndTask();
    void scoresByDefinition_data();
    void scoresByDefinition();
    void uniformAttentionTies();
    void loneTokenPredictsUniformWithoutIt();
    void chunkingChangesNothing();
    void optionsLimitTheWork();
    void goldWithoutLabelIsNotExplained();
    void plausibilityCountsRealTokensOnly();
    void evaluateSkipsMaskedRationales();
};

// MODEL.md 9: ceil(k n / 100) in integers, at least 1.
void TestExplain::topCountIsCeilingAtLeastOne()
{
    QCOMPARE(topCount(1, 1), 1);
    QCOMPARE(topCount(50, 1), 1);
    QCOMPARE(topCount(1, 10), 1);
    QCOMPARE(topCount(10, 10), 1);
    QCOMPARE(topCount(20, 10), 2);
    QCOMPARE(topCount(50, 9), 5);
    QCOMPARE(topCount(1, 101), 2);
    QCOMPARE(topCount(5, 200), 10);
    QCOMPARE(topCount(50, 64), 32);
}

void TestExplain::rankByBreaksTiesByPosition()
{
    // scores of the real positions 0, 2, 3, 5, 7 (1, 4, 6 masked)
    const std::vector<int> real = {0, 2, 3, 5, 7};
    QCOMPARE(rankBy({0.1f, 0.5f, 0.5f, -1.0f, 0.5f}, real), (std::vector<int>{2, 3, 7, 0, 5}));
    QCOMPARE(rankBy({0.2f, 0.2f, 0.2f, 0.2f, 0.2f}, real), real);
}

// One permutation per (seed, sample, task), whoever else is explained.
void TestExplain::randomRankingIsSeededPerSampleAndTask()
{
    std::vector<int> real(40);
    std::iota(real.begin(), real.end(), 3);
    const std::vector<int> a = randomRanking(real, 1, 17, 0);
    QCOMPARE(randomRanking(real, 1, 17, 0), a);
    std::vector<int> sorted = a;
    std::sort(sorted.begin(), sorted.end());
    QCOMPARE(sorted, real);
    QVERIFY(a != real);
    QVERIFY(randomRanking(real, 1, 17, 1) != a);
    QVERIFY(randomRanking(real, 1, 18, 0) != a);
    QVERIFY(randomRanking(real, 2, 17, 0) != a);
    QCOMPARE(randomRanking({5}, 1, 0, 0), (std::vector<int>{5}));
}

void TestExplain::scoresByDefinition_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<int>("mode");
    QTest::addColumn<int>("layers");
    QTest::newRow("reviews/task/N=1") << "builtin:reviews?n=60" << int(AttentionMode::Task) << 1;
    QTest::newRow("reviews/gated/N=2") << "builtin:reviews?n=60" << int(AttentionMode::Gated) << 2;
    QTest::newRow("reviews/uniform/N=1") << "builtin:reviews?n=60" << int(AttentionMode::Uniform) << 1;
    QTest::newRow("sensors/shared/N=0") << "builtin:sensors?n=60&missing=0.3" << int(AttentionMode::Shared) << 0;
    QTest::newRow("sensors/task/N=1") << "builtin:sensors?n=60&missing=0.3" << int(AttentionMode::Task) << 1;
}

// Attention and rollout are distributions over the real tokens (rollout is
// attention at N = 0); integrated gradients' delta is the sum of its scores
// less f(e) - f(0); every asked score has one value per real token; each
// faithfulness is measured, a plausibility where a rationale token is real;
// comprehensiveness and sufficiency lie in [-1, 1] (differences of
// probabilities); the set's means count every explained sample.
void TestExplain::scoresByDefinition()
{
    QFETCH(QString, spec);
    QFETCH(int, mode);
    QFETCH(int, layers);
    const Setup s = makeSetup(spec.toStdString(), AttentionMode(mode), layers);
    ExplainWorkspace ws;
    ExplainOptions options;
    FaithfulnessSummary summary(s.model.config.tasks());
    int explained = 0;
    for (int i = 0; i < 12; ++i) {
        const SampleExplanation e = explainSample(s.model, s.encoded, i, options, ws);
        QCOMPARE(e.index, s.encoded.samples[size_t(i)].index);
        const EncodedSample &sample = s.encoded.samples[size_t(i)];
        std::vector<int> real;
        for (size_t j = 0; j < sample.mask.size(); ++j)
            if (sample.mask[j]) real.push_back(int(j));
        QCOMPARE(e.real, real);
        for (size_t t = 0; t < e.tasks.size(); ++t) {
            const TaskExplanation &te = e.tasks[t];
            QVERIFY(te.cls >= 0);
            ++explained;
            for (int m = 0; m < ScoreCount; ++m) QCOMPARE(te.scores[size_t(m)].size(), real.size());
            QVERIFY(std::abs(sum(te.scores[0]) - 1.0) < 1e-5);
            QVERIFY(std::abs(sum(te.scores[1]) - 1.0) < 1e-5);
            if (layers == 0) QCOMPARE(te.scores[1], te.scores[0]);
            QVERIFY(std::abs(*te.integratedDelta - (sum(te.scores[3]) - (te.f - te.fZero))) < 1e-4);
            QVERIFY(std::abs(std::exp(te.f) - te.p) < 1e-5);
            bool rationale = false;
            for (int j : real)
                rationale = rationale || (t < sample.rationale.size() && !sample.rationale[t].empty() && sample.rationale[t][size_t(j)]);
            for (int m = 0; m < MethodCount; ++m) {
                QVERIFY(te.faithfulness[size_t(m)]);
                const Faithfulness &f = *te.faithfulness[size_t(m)];
                QVERIFY(f.measured);
                QVERIFY(std::abs(f.comprehensiveness) <= 1 && std::abs(f.sufficiency) <= 1);
                double mean = 0;
                for (double x : f.comprehensivenessK) mean += x / 5;
                QVERIFY(std::abs(mean - f.comprehensiveness) < 1e-12);
                QCOMPARE(f.auprc.has_value(), rationale);
                QCOMPARE(f.mass.has_value(), rationale && isDistribution(Method(m)));
            }
        }
        summary.add(e);
    }
    for (int t = 0; t < s.model.config.tasks(); ++t)
        for (int m = 0; m < MethodCount; ++m) QCOMPARE(summary.comprehensiveness[size_t(t)][size_t(m)].count, 12);
    QCOMPARE(explained, 12 * s.model.config.tasks());
}

// Uniform attention: every real token 1/n exactly, so its ranking is by
// position and its AUPRC is the share of rationale tokens (one threshold).
void TestExplain::uniformAttentionTies()
{
    const Setup s = makeSetup("builtin:reviews?n=40", AttentionMode::Uniform, 1, 5);
    ExplainWorkspace ws;
    for (int i = 0; i < 5; ++i) {
        const SampleExplanation e = explainSample(s.model, s.encoded, i, ExplainOptions{}, ws);
        const int n = int(e.real.size());
        for (size_t t = 0; t < e.tasks.size(); ++t) {
            const std::vector<float> &a = e.tasks[t].scores[0];
            QCOMPARE(std::set<float>(a.begin(), a.end()).size(), size_t(1));
            const std::vector<uint8_t> &r = s.encoded.samples[size_t(i)].rationale[t];
            const double share = double(std::count(r.begin(), r.end(), 1)) / double(n);
            QCOMPARE(*e.tasks[t].faithfulness[0]->auprc, share);
            QVERIFY(std::abs(*e.tasks[t].faithfulness[0]->mass - share) < 1e-6);  // n floats of 1 / n
        }
    }
}

// A sample of one real token: taking it out leaves none, which predicts the
// uniform distribution (f = -log C); so do ERASER's "without" sets.
void TestExplain::loneTokenPredictsUniformWithoutIt()
{
    Setup s = makeSetup("builtin:sensors?n=30", AttentionMode::Task, 1, 5);
    EncodedSample &lone = s.encoded.samples[0];
    std::fill(lone.mask.begin(), lone.mask.end(), 0);
    lone.mask[3] = 1;
    ExplainWorkspace ws;
    const SampleExplanation e = explainSample(s.model, s.encoded, 0, ExplainOptions{}, ws);
    QCOMPARE(e.real, (std::vector<int>{3}));
    for (size_t t = 0; t < e.tasks.size(); ++t) {
        const TaskExplanation &te = e.tasks[t];
        const double C = s.model.config.classes[t];
        QVERIFY(std::abs(te.scores[4][0] - (te.f + std::log(C))) < 1e-5);
        for (int m = 0; m < MethodCount; ++m) {
            const Faithfulness &f = *te.faithfulness[size_t(m)];
            for (double x : f.comprehensivenessK) QVERIFY(std::abs(x - (te.p - 1.0 / C)) < 1e-6);
            for (double x : f.sufficiencyK) QVERIFY(std::abs(x) < 1e-6);
        }
    }
}

// Rows cut into chunks of one, or all in one batch: the same explanation to
// round-off (the rows of a batch are independent).
void TestExplain::chunkingChangesNothing()
{
    const Setup s = makeSetup("builtin:reviews?n=40", AttentionMode::Gated, 2, 10);
    ExplainOptions one, all;
    one.batchBytes = 1;
    all.batchBytes = size_t(1) << 34;
    ExplainWorkspace ws;
    for (int i = 0; i < 3; ++i) {
        const SampleExplanation a = explainSample(s.model, s.encoded, i, one, ws);
        const SampleExplanation b = explainSample(s.model, s.encoded, i, all, ws);
        for (size_t t = 0; t < a.tasks.size(); ++t) {
            for (int m = 0; m < ScoreCount; ++m)
                for (size_t j = 0; j < a.real.size(); ++j)
                    QVERIFY(std::abs(a.tasks[t].scores[size_t(m)][j] - b.tasks[t].scores[size_t(m)][j]) < 1e-5);
            for (int m = 0; m < MethodCount; ++m) {
                QVERIFY(std::abs(a.tasks[t].faithfulness[size_t(m)]->comprehensiveness
                                 - b.tasks[t].faithfulness[size_t(m)]->comprehensiveness) < 1e-5);
                QVERIFY(std::abs(a.tasks[t].faithfulness[size_t(m)]->sufficiency
                                 - b.tasks[t].faithfulness[size_t(m)]->sufficiency) < 1e-5);
            }
        }
    }
}

// Only the asked scores are computed and ranked (random always is);
// faithfulness = false leaves the masked passes out.
void TestExplain::optionsLimitTheWork()
{
    const Setup s = makeSetup("builtin:reviews?n=40", AttentionMode::Task, 1, 5);
    ExplainOptions options;
    options.methods = {Method::Occlusion, Method::Attention};
    ExplainWorkspace ws;
    SampleExplanation e = explainSample(s.model, s.encoded, 0, options, ws);
    for (const TaskExplanation &te : e.tasks) {
        for (Method m : {Method::Rollout, Method::Gradient, Method::Integrated}) {
            QVERIFY(te.scores[size_t(m)].empty());
            QVERIFY(!te.faithfulness[size_t(m)]);
        }
        QVERIFY(!te.integratedDelta);
        QVERIFY(te.faithfulness[size_t(Method::Attention)] && te.faithfulness[size_t(Method::Occlusion)]);
        QVERIFY(te.faithfulness[size_t(Method::Random)]);
    }
    options.faithfulness = false;
    e = explainSample(s.model, s.encoded, 0, options, ws);
    FaithfulnessSummary summary(s.model.config.tasks());
    summary.add(e);
    for (const TaskExplanation &te : e.tasks) {
        QVERIFY(!te.faithfulness[0]->measured);
        QVERIFY(te.faithfulness[0]->auprc);  // reviews: every sample has its cue words
    }
    QCOMPARE(summary.comprehensiveness[0][0].count, int64_t(0));
    QCOMPARE(summary.auprc[0][0].count, int64_t(1));
}

// --class gold: a task without a label is not explained, and the set's
// means leave it out.
void TestExplain::goldWithoutLabelIsNotExplained()
{
    Setup s = makeSetup("builtin:reviews?n=40", AttentionMode::Task, 1, 5);
    s.encoded.samples[0].labels[1] = -1;
    ExplainOptions options;
    options.classChoice = ClassChoice::Gold;
    ExplainWorkspace ws;
    const SampleExplanation e = explainSample(s.model, s.encoded, 0, options, ws);
    QCOMPARE(e.tasks[0].cls, s.encoded.samples[0].labels[0]);
    QCOMPARE(e.tasks[1].cls, -1);
    QVERIFY(e.tasks[1].scores[0].empty() && !e.tasks[1].faithfulness[0]);
    FaithfulnessSummary summary(3);
    summary.add(e);
    QCOMPARE(summary.comprehensiveness[0][0].count, int64_t(1));
    QCOMPARE(summary.comprehensiveness[1][0].count, int64_t(0));
    QVERIFY(!summary.comprehensiveness[1][0].value());
}

// Flags on padding or a missing feature are no rationale tokens: the three
// tabular cases of a rationale feature that is missing in a sample.
void TestExplain::plausibilityCountsRealTokensOnly()
{
    const float w[4] = {0.5f, 0.25f, 0.125f, 0.125f};  // features a, b, c, d; a and b the rationale
    const uint8_t flags[4] = {1, 1, 0, 0};
    const uint8_t all[4] = {1, 1, 1, 1};
    Plausibility p = plausibility(w, all, flags, 4, true);
    QCOMPARE(*p.mass, 0.75);
    QCOMPARE(*p.auprc, 1.0);
    // a missing (its weight 0): mass and AUPRC over b, c, d
    const float wa[4] = {0.0f, 0.5f, 0.25f, 0.25f};
    const uint8_t noA[4] = {0, 1, 1, 1};
    p = plausibility(wa, noA, flags, 4, true);
    QCOMPARE(*p.mass, 0.5);
    QCOMPARE(*p.auprc, 1.0);  // the one rationale token among the real ones ranks first
    // a and b missing: no rationale token among the real ones
    const uint8_t noAB[4] = {0, 0, 1, 1};
    p = plausibility(wa, noAB, flags, 4, true);
    QVERIFY(!p.mass && !p.auprc);
    // a signed score has an AUPRC and no mass
    p = plausibility(w, all, flags, 4, false);
    QVERIFY(p.auprc && !p.mass);
}

// evaluate() reads the same flags through plausibility(): on sensors with
// missing values, the mean over the samples with a present rationale
// feature, which a hand computation from inspect()'s weights repeats.
void TestExplain::evaluateSkipsMaskedRationales()
{
    const Setup s = makeSetup("builtin:sensors?n=80&missing=0.5", AttentionMode::Task, 1, 10);
    const EvalResult r = evaluate(s.model, s.encoded);
    std::vector<int> all(s.encoded.samples.size());
    std::iota(all.begin(), all.end(), 0);
    const std::vector<SampleOutputs> outputs = inspect(s.model, s.encoded, all);
    bool someLeftOut = false;
    for (int t = 0; t < s.model.config.tasks(); ++t) {
        double mass = 0;
        int count = 0;
        for (size_t i = 0; i < all.size(); ++i) {
            const EncodedSample &sample = s.encoded.samples[i];
            double m = 0;
            bool any = false, flagged = false;
            for (size_t j = 0; j < sample.mask.size(); ++j) {
                flagged = flagged || sample.rationale[size_t(t)][j];
                if (!sample.mask[j] || !sample.rationale[size_t(t)][j]) continue;
                any = true;
                m += outputs[i].pool[size_t(t)][j];
            }
            someLeftOut = someLeftOut || (flagged && !any);
            if (!any) continue;
            mass += m;
            ++count;
        }
        QVERIFY(count > 0);
        QVERIFY(std::abs(*r.tasks[size_t(t)].rationaleMass - mass / count) < 1e-6);
    }
    QVERIFY(someLeftOut);  // the case that counts: a sample whose rationale features are all missing
}

QTEST_GUILESS_MAIN(TestExplain)
#include "test_explain.moc"
