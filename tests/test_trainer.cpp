// The trainer as a front end drives it: stepping, epochs, stopping between
// steps, progress callbacks, determinism, data-parallel steps, divergence.

#include "data/load.h"
#include "dataset.h"
#include "model.h"
#include "random.h"
#include "trainer.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <thread>
#include <utility>

using namespace attnscope;

namespace {

struct Setup {
    Dataset data;
    Split split;
    Model model;
    EncodedDataset train, val;
};

Setup makeSetup(const std::string &spec, ModelConfig config = {}, uint64_t seed = 1)
{
    Setup s;
    std::string error;
    if (!loadDataset(spec, &s.data, &error)) qFatal("%s", error.c_str());
    s.split = splitDataset(s.data, 0.2, seed);
    s.model = createModel(s.data, s.split.train, config, seed);
    const Vocabulary vocab(s.model.vocab);
    s.train = encodeDataset(s.data, s.split.train, vocab, s.model.config.maxLen);
    s.val = encodeDataset(s.data, s.split.val, vocab, s.model.config.maxLen);
    return s;
}

} // namespace

class TestTrainer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stepsAndEpochs();
    void sameSeedSameWeights();
    void threadsGiveTheSameStep();
    void threadBuffersStartEachStepAtZero();
    void stopBetweenSteps();
    void learningRateChangeAppliesNextStep();
    void rationaleWeightAppliesNextStep();
    void rationaleSupervisionPullsAttention();
    void divergenceKeepsLastGoodWeights();
    void evaluateCountsEverySample();
    void confusionMatchesThePredictions();
    void confusionKeepsAnEvenSampleOfALargeSplit();
    void confusionOfManyClassesKeepsTheMisses();
    void inspectReturnsTheForwardPass();
    void reviewsLessonAttendsToCues();
};

void TestTrainer::stepsAndEpochs()
{
    Setup s = makeSetup("builtin:reviews?n=100");
    TrainConfig tc;
    tc.batchSize = 32;
    tc.epochs = 2;
    Trainer trainer(s.model, s.train, tc);
    const int64_t perEpoch = (int64_t(s.train.samples.size()) + 31) / 32;
    QCOMPARE(trainer.stepsPerEpoch(), perEpoch);
    int calls = 0;
    trainer.setProgressCallback([&](const Progress &p) {
        ++calls;
        QCOMPARE(p.step, int64_t(calls));
        QCOMPARE(p.taskLoss.size(), s.data.tasks.size());
        QVERIFY(std::isfinite(p.loss));
    });
    trainer.runEpoch();
    QCOMPARE(calls, int(perEpoch));
    QCOMPARE(trainer.progress().epoch, 0);
    trainer.runEpoch();
    QCOMPARE(calls, int(2 * perEpoch));
    QCOMPARE(trainer.progress().epoch, 1);
    QVERIFY(trainer.finished());
    QVERIFY(!trainer.step());
    QCOMPARE(calls, int(2 * perEpoch));

    // a batch at least as large as the data: one full batch per epoch
    Setup big = makeSetup("builtin:reviews?n=50");
    tc.batchSize = 1000;
    Trainer one(big.model, big.train, tc);
    QCOMPARE(one.stepsPerEpoch(), int64_t(1));
}

void TestTrainer::sameSeedSameWeights()
{
    auto train = [](uint64_t seed) {
        Setup s = makeSetup("builtin:reviews?n=120", {}, seed);
        TrainConfig tc;
        tc.steps = 12;
        tc.seed = seed;
        Trainer trainer(s.model, s.train, tc);
        trainer.run();
        return s.model.params;
    };
    const std::vector<float> a = train(3), b = train(3), c = train(4);
    QVERIFY(a == b);  // bit-identical
    QVERIFY(a != c);
}

// A data-parallel step equals a single-threaded one up to float round-off.
void TestTrainer::threadsGiveTheSameStep()
{
    ModelConfig config;
    config.layers = 2;
    Setup s = makeSetup("builtin:reviews?n=80", config);
    Batch batch;
    std::vector<int> idx(33);
    for (int i = 0; i < 33; ++i) idx[size_t(i)] = i;
    makeBatch(s.train, idx.data(), 33, &batch);
    batch.labels[0] = -1;  // a missing label changes the per-task counts of one slice only
    std::vector<float> g1(s.model.params.size(), 0.0f), g3(s.model.params.size(), 0.0f);
    StepWorkspace w1, w3;
    const std::vector<float> weights = {1.0f, 0.5f, 2.0f};
    const Losses<float> l1 = forwardBackward(s.model, batch, weights, 1, w1, makeView(s.model.layout, g1.data()));
    const Losses<float> l3 = forwardBackward(s.model, batch, weights, 3, w3, makeView(s.model.layout, g3.data()));
    QVERIFY(std::abs(l1.total - l3.total) <= 1e-5f * std::abs(l1.total));
    QCOMPARE(l1.labelled, l3.labelled);
    float maxAbs = 0, maxDiff = 0;
    for (size_t i = 0; i < g1.size(); ++i) {
        maxAbs = std::max(maxAbs, std::abs(g1[i]));
        maxDiff = std::max(maxDiff, std::abs(g1[i] - g3[i]));
    }
    QVERIFY(maxAbs > 0);
    QVERIFY2(maxDiff <= 1e-5f * maxAbs, qPrintable(QString("max diff %1 of %2").arg(maxDiff).arg(maxAbs)));
}

// The extra threads' gradient buffers live from step to step, and only the
// parts a slice can write (its embedding rows, everything past the tables)
// are added and cleared: a step on a reused workspace gives what it gives on
// a fresh one, bit for bit, whatever the batches before it used.
void TestTrainer::threadBuffersStartEachStepAtZero()
{
    Setup s = makeSetup("builtin:reviews?n=120");
    StepWorkspace reused;
    for (int first : {0, 40, 7, 80}) {
        Batch batch;
        std::vector<int> idx;
        for (int i = first; i < first + 30 + first % 3; ++i) idx.push_back(i % int(s.train.samples.size()));
        makeBatch(s.train, idx.data(), int(idx.size()), &batch);
        std::vector<float> a(s.model.params.size(), 0.0f), b(s.model.params.size(), 0.0f);
        StepWorkspace fresh;
        forwardBackward(s.model, batch, {}, 3, reused, makeView(s.model.layout, a.data()));
        forwardBackward(s.model, batch, {}, 3, fresh, makeView(s.model.layout, b.data()));
        QVERIFY(a == b);
        for (const std::vector<float> &g : reused.grads)
            QVERIFY(std::all_of(g.begin(), g.end(), [](float x) { return x == 0.0f; }));
    }
}

void TestTrainer::stopBetweenSteps()
{
    Setup s = makeSetup("builtin:reviews?n=200");
    TrainConfig tc;
    tc.epochs = 50;
    Trainer trainer(s.model, s.train, tc);
    trainer.setProgressCallback([&](const Progress &p) {
        if (p.step == 7) trainer.requestStop();
    });
    trainer.run();
    QCOMPARE(trainer.progress().step, int64_t(7));
    QVERIFY(!trainer.finished());
    // a request from another thread stops a running trainer (which it
    // watches through an atomic: progress() is the training thread's)
    trainer.clearStop();
    std::atomic<int64_t> reached{0};
    trainer.setProgressCallback([&](const Progress &p) { reached.store(p.step); });
    std::thread stopper([&] {
        while (reached.load() < 12) std::this_thread::yield();
        trainer.requestStop();
    });
    trainer.run();
    stopper.join();
    QVERIFY(trainer.progress().step >= 12);
    QVERIFY(!trainer.finished());
}

void TestTrainer::learningRateChangeAppliesNextStep()
{
    Setup s = makeSetup("builtin:reviews?n=64");
    TrainConfig tc;
    tc.steps = 4;
    Trainer trainer(s.model, s.train, tc);
    QVERIFY(trainer.step());
    QCOMPARE(trainer.progress().learningRate, tc.optimizer.lr);
    trainer.setLearningRate(0.0f);
    const std::vector<float> before = s.model.params;
    QVERIFY(trainer.step());
    QCOMPARE(trainer.progress().learningRate, 0.0f);
    // AdamW with lr 0 changes nothing (decay 1 - 0 * wd = 1)
    QVERIFY(s.model.params == before);
}

// mu (MODEL.md 5b) is part of the step's loss from the step after it is set,
// and the model records it for its checkpoint.
void TestTrainer::rationaleWeightAppliesNextStep()
{
    Setup s = makeSetup("builtin:reviews?n=64");
    TrainConfig tc;
    tc.steps = 4;
    Trainer trainer(s.model, s.train, tc);
    auto sum = [](const std::vector<float> &v) {
        double total = 0;
        for (float x : v) total += x;
        return total;
    };
    QVERIFY(trainer.step());
    const Progress first = trainer.progress();
    QCOMPARE(first.rationaleLoss.size(), s.data.tasks.size());
    for (float att : first.rationaleLoss) QVERIFY(att > 0);  // every review has its cue words
    QVERIFY(std::abs(first.loss - sum(first.taskLoss)) < 1e-5);
    QCOMPARE(s.model.rationaleWeight, 0.0f);
    trainer.setRationaleWeight(2.0f);
    QVERIFY(trainer.step());
    const Progress second = trainer.progress();
    QVERIFY(std::abs(second.loss - (sum(second.taskLoss) + 2.0 * sum(second.rationaleLoss))) < 1e-4);
    QCOMPARE(s.model.rationaleWeight, 2.0f);
}

// With one encoder layer the attention need not look at the evidence; the
// rationale term makes it (mass on the cue words well above the run without).
void TestTrainer::rationaleSupervisionPullsAttention()
{
    std::vector<double> mass[2];
    for (float mu : {0.0f, 1.0f}) {
        Setup s = makeSetup("builtin:reviews?n=400");
        TrainConfig tc;
        tc.steps = 150;
        tc.rationaleWeight = mu;
        Trainer trainer(s.model, s.train, tc);
        while (trainer.step()) {}
        for (const TaskMetrics &m : evaluate(s.model, s.val).tasks) mass[mu > 0].push_back(*m.rationaleMass);
    }
    for (size_t t = 0; t < mass[0].size(); ++t) {
        qInfo("task %zu: rationale mass %.3f without, %.3f with mu = 1", t, mass[0][t], mass[1][t]);
        QVERIFY(mass[1][t] > mass[0][t] + 0.2);
    }
}

void TestTrainer::divergenceKeepsLastGoodWeights()
{
    Setup s = makeSetup("builtin:reviews?n=64");
    TrainConfig tc;
    tc.steps = 10;
    Trainer trainer(s.model, s.train, tc);
    QVERIFY(trainer.step());
    const std::vector<float> good = s.model.params;
    s.model.params[s.model.layout.find("pool.key.weight")->offset] = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> poisoned = s.model.params;
    QVERIFY(!trainer.step());
    QVERIFY(trainer.progress().diverged);
    QVERIFY(trainer.stopRequested());
    QCOMPARE(trainer.progress().step, int64_t(1));
    // the update was not applied: every other weight is as it was
    for (size_t i = 0; i < good.size(); ++i)
        if (!std::isnan(poisoned[i])) QCOMPARE(s.model.params[i], poisoned[i]);
}

void TestTrainer::evaluateCountsEverySample()
{
    Setup s = makeSetup("builtin:reviews?n=90");
    const EvalResult r = evaluate(s.model, s.val);
    QCOMPARE(r.samples, int(s.val.samples.size()));
    QCOMPARE(int(r.tasks.size()), int(s.data.tasks.size()));
    double sum = 0;
    for (const TaskMetrics &m : r.tasks) {
        QVERIFY(m.labelled > 0);
        QVERIFY(m.accuracy >= 0 && m.accuracy <= 1);
        QVERIFY(m.rationaleMass.has_value());  // builtin:reviews has rationales
        QVERIFY(*m.rationaleMass > 0 && *m.rationaleMass < 1);
        QVERIFY(m.rationaleAuprc.has_value());
        sum += m.loss;
    }
    QVERIFY(std::abs(sum - r.loss) < 1e-9);
    // the loss does not depend on the batch size of evaluation
    const EvalResult r2 = evaluate(s.model, s.val, {}, 7);
    QVERIFY(std::abs(r.loss - r2.loss) < 1e-5 * r.loss);
}

// Each task's confusion matrix counts every labelled validation sample
// once, in the cell of its gold class and the class of its highest
// probability (inspect's, sample by sample), and lists the samples whose
// two differ, by their index in the dataset, in the split's order. A
// missing label counts nowhere; the diagonal over the labelled samples is
// the accuracy evaluate reports.
void TestTrainer::confusionMatchesThePredictions()
{
    Setup s = makeSetup("builtin:reviews?n=120");
    for (size_t i = 0; i < s.val.samples.size(); i += 3) s.val.samples[i].labels[0] = -1;  // missing labels
    const EvalResult r = evaluate(s.model, s.val, {}, 7);  // batches that do not divide the split
    std::vector<int> all(s.val.samples.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = int(i);
    const std::vector<SampleOutputs> out = inspect(s.model, s.val, all);
    for (size_t t = 0; t < r.tasks.size(); ++t) {
        const Confusion &c = r.tasks[t].confusion;
        const int C = int(s.data.tasks[t].classes.size());
        QCOMPARE(c.classes, C);
        std::vector<int> counts(size_t(C * C), 0);
        std::vector<Confusion::Miss> misses;
        for (size_t i = 0; i < all.size(); ++i) {
            const int gold = s.val.samples[i].labels[t];
            if (gold < 0) continue;
            const std::vector<float> &p = out[i].probs[t];
            const int predicted = int(std::max_element(p.begin(), p.end()) - p.begin());
            ++counts[size_t(gold * C + predicted)];
            if (predicted != gold) misses.push_back({s.val.samples[i].index, gold, predicted});
        }
        QCOMPARE(c.counts, counts);
        QCOMPARE(c.misses, misses);
        QCOMPARE(int(std::accumulate(counts.begin(), counts.end(), 0)), r.tasks[t].labelled);
        int right = 0;
        for (int k = 0; k < C; ++k) right += c.count(k, k);
        QCOMPARE(double(right) / r.tasks[t].labelled, r.tasks[t].accuracy);
    }
    QCOMPARE(r.tasks[0].labelled, int(s.val.samples.size() - (s.val.samples.size() + 2) / 3));
    // an untrained model gets some wrong: the list is not trivially empty
    QVERIFY(!r.tasks[0].confusion.misses.empty() || !r.tasks[1].confusion.misses.empty());
}

// A split of more than Confusion::MaxMissSamples samples: the matrix counts
// them all, the misses come from 5,000 of them spread evenly over the split
// (the same at every evaluation; a split in the order of its classes is not
// cut to the first classes), so an evaluation keeps at most 5,000 per task.
void TestTrainer::confusionKeepsAnEvenSampleOfALargeSplit()
{
    Setup s = makeSetup("builtin:reviews?n=120");
    const std::vector<EncodedSample> base = s.val.samples;
    s.val.samples.clear();
    for (size_t i = 0; s.val.samples.size() < size_t(Confusion::MaxMissSamples) * 2 + 600; ++i) {
        s.val.samples.push_back(base[i % base.size()]);
        s.val.samples.back().index = int(i);  // the position: which sample a miss is is seen
    }
    const size_t n = s.val.samples.size();
    size_t keptPositions = 0;
    for (size_t i = 0; i < n; ++i) keptPositions += Confusion::keepsMiss(i, n);
    QCOMPARE(keptPositions, size_t(Confusion::MaxMissSamples));
    QVERIFY(Confusion::keepsMiss(7, 4000) && Confusion::keepsMiss(3999, 4000));  // a smaller set: every sample

    const EvalResult r = evaluate(s.model, s.val, {}, 64);
    size_t kept = 0, wrongBeyond = 0;
    int last = 0;
    for (size_t t = 0; t < r.tasks.size(); ++t) {
        const Confusion &c = r.tasks[t].confusion;
        QCOMPARE(int(std::accumulate(c.counts.begin(), c.counts.end(), 0)), int(n));
        int wrong = 0;
        for (int g = 0; g < c.classes; ++g)
            for (int p = 0; p < c.classes; ++p) wrong += g == p ? 0 : c.count(g, p);
        for (const Confusion::Miss &m : c.misses) QVERIFY(Confusion::keepsMiss(size_t(m.sample), n));
        QVERIFY(c.misses.size() <= size_t(wrong));
        kept += c.misses.size();
        wrongBeyond += size_t(wrong) - c.misses.size();
        if (!c.misses.empty()) last = std::max(last, c.misses.back().sample);
    }
    QVERIFY(kept > 0);
    QVERIFY(wrongBeyond > 0);
    QVERIFY2(last > int(n) * 9 / 10, "the kept misses reach the end of the split");
}

// A task of more classes than a matrix shows (a file's may have 100,000):
// no counts, the misses still.
void TestTrainer::confusionOfManyClassesKeepsTheMisses()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("many.jsonl"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    for (int i = 0; i < 2 * (Confusion::MaxClasses + 1); ++i)
        file.write(QStringLiteral("{\"text\": \"word%1 other\", \"labels\": {\"c\": \"k%2\"}}\n")
                       .arg(i % 50)
                       .arg(i % (Confusion::MaxClasses + 1))
                       .toUtf8());
    file.close();
    Setup s = makeSetup(path.toStdString());
    const EvalResult r = evaluate(s.model, s.val, {}, 32);
    const Confusion &c = r.tasks[0].confusion;
    QCOMPARE(c.classes, Confusion::MaxClasses + 1);
    QVERIFY(c.counts.empty() && !c.hasMatrix());
    QCOMPARE(int(c.misses.size()), int(std::lround((1.0 - r.tasks[0].accuracy) * r.tasks[0].labelled)));
    QVERIFY(!c.misses.empty());
}

void TestTrainer::inspectReturnsTheForwardPass()
{
    ModelConfig config;
    config.layers = 2;
    Setup s = makeSetup("builtin:reviews?n=40", config);
    const std::vector<int> idx = {0, 3};
    const std::vector<SampleOutputs> out = inspect(s.model, s.train, idx);
    QCOMPARE(out.size(), size_t(2));
    for (size_t k = 0; k < out.size(); ++k) {
        const size_t n = s.train.samples[size_t(idx[k])].ids.size();
        QCOMPARE(out[k].pool.size(), s.data.tasks.size());
        for (const std::vector<float> &a : out[k].pool) {
            QCOMPARE(a.size(), n);
            double sum = 0;
            for (float w : a) sum += w;
            QVERIFY(std::abs(sum - 1.0) < 1e-5);
        }
        QCOMPARE(out[k].selfAttention.layers, 2);
        QCOMPARE(out[k].selfAttention.heads, s.model.config.heads);
        QCOMPARE(size_t(out[k].selfAttention.n), n);
        QCOMPARE(out[k].selfAttention.floats(), size_t(2 * s.model.config.heads) * n * n);
    }
    // the same numbers as a forward pass over that one sample
    Batch batch;
    makeBatch(s.train, &idx[1], 1, &batch);
    Activations<float> acts;
    forward<float>(s.model.config, std::as_const(s.model).view(), nullptr, nullptr, batch, {}, acts);
    for (int t = 0; t < int(s.data.tasks.size()); ++t)
        for (size_t j = 0; j < out[1].pool[size_t(t)].size(); ++j)
            QVERIFY(std::abs(out[1].pool[size_t(t)][j] - acts.pool[(size_t(t)) * size_t(batch.L) + j]) < 1e-6f);
    // and every self-attention weight is that pass's att[h][i][j] (batch of one)
    const SelfAttentionMaps &maps = out[1].selfAttention;
    const size_t L = size_t(batch.L);
    for (int l = 0; l < maps.layers; ++l)
        for (int h = 0; h < maps.heads; ++h)
            for (int i = 0; i < maps.n; ++i)
                for (int j = 0; j < maps.n; ++j)
                    QVERIFY(std::abs(maps.at(l, h, i, j) - acts.layers[size_t(l)].att[(size_t(h) * L + size_t(i)) * L + size_t(j)]) < 1e-6f);
}

QTEST_APPLESS_MAIN(TestTrainer)
#include "test_trainer.moc"

// The lesson the GUI opens builtin:reviews with (its suggested depth, the
// default training): within 300 steps, the first minute of a classroom run,
// every task's attention holds most of its mass on its rationale, the cue
// words (for sentiment the word and the "not" before it).
void TestTrainer::reviewsLessonAttendsToCues()
{
    Dataset probe;
    std::string error;
    QVERIFY(loadDataset("builtin:reviews", &probe, &error));
    QCOMPARE(probe.suggestedLayers, 0);
    QVERIFY(!probe.suggestion.empty());
    ModelConfig config;
    config.layers = probe.suggestedLayers;
    Setup s = makeSetup("builtin:reviews", config);
    TrainConfig tc;
    tc.steps = 300;
    Trainer trainer(s.model, s.train, tc);
    while (trainer.step()) {}
    QCOMPARE(trainer.progress().step, int64_t(300));
    const EvalResult r = evaluate(s.model, s.val);
    for (size_t t = 0; t < r.tasks.size(); ++t) {
        const TaskMetrics &m = r.tasks[t];
        qInfo("%s: accuracy %.3f, rationale mass %.3f, AUPRC %.3f", s.data.tasks[t].name.c_str(), m.accuracy,
              *m.rationaleMass, *m.rationaleAuprc);
        QVERIFY2(*m.rationaleMass > 0.6, s.data.tasks[t].name.c_str());
    }
}
