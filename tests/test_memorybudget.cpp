// The memory budget (issue 10): the sizes a run is planned with are the sizes
// the core's passes allocate; a run, a model or a pass that does not fit is
// refused before anything that large is made, with a message that names the
// file, the sizes and what to change; evaluation and inspection take batches
// that fit.

#include "data/load.h"
#include "dataset.h"
#include "memorybudget.h"
#include "model.h"
#include "params.h"
#include "trainer.h"

#include <QTest>

#include <cmath>
#include <utility>

using namespace attnscope;

namespace {

template <class T>
double bytesOf(const std::vector<T> &v)
{
    return double(v.size() * sizeof(T));
}

// Every buffer of one slice's Activations (scratch included), split as PassBytes is.
PassBytes held(const Activations<float> &a)
{
    PassBytes bytes;
    double &rest = bytes.activations;
    rest += bytesOf(a.embed) + bytesOf(a.std_values) + bytesOf(a.last) + bytesOf(a.H) + bytesOf(a.fln_mean)
            + bytesOf(a.fln_rstd) + bytesOf(a.keys) + bytesOf(a.queries) + bytesOf(a.poolScores) + bytesOf(a.pool)
            + bytesOf(a.z);
    for (const auto &v : a.logits) rest += bytesOf(v);
    for (const auto &v : a.probs) rest += bytesOf(v);
    for (const LayerActivations<float> &l : a.layers) {
        bytes.selfAttention += bytesOf(l.att);
        for (const std::vector<float> *v : {&l.in, &l.ln1, &l.ln1_mean, &l.ln1_rstd, &l.q, &l.k, &l.v, &l.att_out,
                                            &l.mid, &l.ln2, &l.ln2_mean, &l.ln2_rstd, &l.gelu_grad, &l.act})
            rest += bytesOf(*v);
    }
    const auto &s = a.scratch;
    for (const std::vector<float> *v : {&s.zt, &s.dzt, &s.dz, &s.dH, &s.dkeys, &s.dq, &s.dh, &s.dact, &s.dln,
                                        &s.dattn, &s.dqkv, &s.dscore, &s.scale})
        rest += bytesOf(*v);
    for (const auto &v : s.dlogits) rest += bytesOf(v);
    return bytes;
}

double batchBytes(const Batch &b)
{
    return bytesOf(b.tokens) + bytesOf(b.values) + bytesOf(b.mask) + bytesOf(b.labels) + bytesOf(b.rationale);
}

struct Data {
    Dataset data;
    Model model;
    EncodedDataset train;
};

Data load(const std::string &spec, ModelConfig config)
{
    Data d;
    std::string error;
    if (!loadDataset(spec, &d.data, &error)) qFatal("%s", error.c_str());
    std::vector<int> all(d.data.samples.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = int(i);
    d.model = createModel(d.data, all, config, 1);
    d.train = encodeDataset(d.data, all, Vocabulary(d.model.vocab), d.model.config.maxLen);
    return d;
}

// A tabular model of `features` features, as buildSetup would make for a wide file (nothing allocated).
ModelConfig wide(int features, int layers = 1)
{
    ModelConfig c;
    c.input = InputKind::Tabular;
    c.features = features;
    c.layers = layers;
    c.classes = {2};
    return c;
}

} // namespace

class TestMemoryBudget : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup() { setMemoryBudget(0); }

    // What forward() and backward() keep is what trainingStepBytes counts:
    // the self-attention exactly, the rest at least, and at most backward's
    // transient L x L per slice (and 5 %) more.
    void estimateMatchesTheBuffers_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<int>("layers");
        QTest::addColumn<int>("threads");
        QTest::addColumn<float>("mu");
        QTest::newRow("text, 2 layers") << "builtin:reviews?n=40" << 2 << 1 << 0.0f;
        QTest::newRow("text, 0 layers") << "builtin:reviews?n=40" << 0 << 1 << 0.0f;
        QTest::newRow("text, 1 layer, mu 1") << "builtin:reviews?n=40" << 1 << 1 << 1.0f;
        QTest::newRow("tabular, 1 layer") << "builtin:sensors?n=40" << 1 << 1 << 0.0f;
        QTest::newRow("tabular, 3 threads, mu 1") << "builtin:sensors?n=40" << 1 << 3 << 1.0f;
    }
    void estimateMatchesTheBuffers()
    {
        QFETCH(QString, spec);
        QFETCH(int, layers);
        QFETCH(int, threads);
        QFETCH(float, mu);
        ModelConfig config;
        config.layers = layers;
        config.dim = 16;
        config.heads = 2;
        config.ffn = 24;
        config.maxLen = 40;
        Data d = load(spec.toStdString(), config);
        const ModelConfig &c = d.model.config;
        std::vector<int> rows(12);
        for (int i = 0; i < 12; ++i) rows[size_t(i)] = i;
        Batch batch;
        makeBatch(d.train, rows.data(), 12, &batch);
        StepWorkspace ws;
        std::vector<float> grads(d.model.params.size(), 0.0f);
        forwardBackward(d.model, batch, {}, threads, ws, makeView(d.model.layout, grads.data()), mu);

        PassBytes actual;
        actual.activations = batchBytes(batch);
        for (const Activations<float> &a : ws.acts) {
            const PassBytes h = held(a);
            actual.selfAttention += h.selfAttention;
            actual.activations += h.activations;
        }
        for (const Batch &slice : ws.slices) actual.activations += batchBytes(slice);
        const PassBytes planned = trainingStepBytes(c, batch.B, batch.L, threads);
        QCOMPARE(planned.selfAttention, actual.selfAttention);
        QVERIFY2(planned.activations >= actual.activations,
                 qPrintable(QStringLiteral("planned %1, allocated %2").arg(planned.activations).arg(actual.activations)));
        // backward's L x L per slice, and the linear maps' scratch (outside the workspace)
        const double transient = (layers > 0 ? threads * double(batch.L) * batch.L * sizeof(float) : 0.0)
                                 + threads * linearScratchBytes(c, batch.B * batch.L);
        QVERIFY2(planned.activations <= 1.05 * actual.activations + transient,
                 qPrintable(QStringLiteral("planned %1, allocated %2").arg(planned.activations).arg(actual.activations)));

        // forward() alone: what inspect() and evaluate() allocate.
        Activations<float> acts;
        forward<float>(c, std::as_const(d.model).view(), d.model.inputMean.empty() ? nullptr : d.model.inputMean.data(),
                       d.model.inputStd.empty() ? nullptr : d.model.inputStd.data(), batch, {}, acts);
        PassBytes one = held(acts);
        one.activations += batchBytes(batch);
        const PassBytes pass = forwardBytes(c, batch.B, batch.L);
        QCOMPARE(pass.selfAttention, one.selfAttention);
        QVERIFY(pass.activations >= one.activations
                && pass.activations <= 1.05 * one.activations + linearScratchBytes(c, batch.B * batch.L));
    }

    void weightsAreTheLayout()
    {
        ModelConfig text;
        text.vocabSize = 1000;
        text.maxLen = 128;
        text.layers = 2;
        text.classes = {2, 3};
        text.mode = AttentionMode::Gated;
        QCOMPARE(weightBytes(text), double(ParamLayout(text).totalSize() * sizeof(float)));
        const ModelConfig tabular = wide(300, 0);
        QCOMPARE(weightBytes(tabular), double(ParamLayout(tabular).totalSize() * sizeof(float)));
        // The copies a trainer keeps besides the weights.
        TrainConfig t;
        QCOMPARE(trainerWeightCopies(t), 4);  // AdamW: gradient, two moments, the lazy rows' anchors
        t.optimizer.kind = OptimizerKind::SGD;
        QCOMPARE(trainerWeightCopies(t), 1);
        t.optimizer.momentum = 0.9f;
        t.threads = 4;
        QCOMPARE(trainerWeightCopies(t), 2 + 3);
    }

    void batchThatFitsIsTheLargest()
    {
        const ModelConfig c = wide(2000);
        for (double bytes : {1e6, 5e8, 3e9, 1e11}) {
            const int b = batchThatFits(c, 2000, 64, bytes);
            if (b > 0)
                QVERIFY(forwardBytes(c, b, 2000).total() <= bytes);
            if (b < 64)
                QVERIFY(forwardBytes(c, b + 1, 2000).total() > bytes);
        }
        QCOMPARE(batchThatFits(c, 2000, 64, 1e6), 0);
        QCOMPARE(batchThatFits(c, 2000, 64, 1e12), 64);
        setMemoryBudget(size_t(2e9));
        QCOMPARE(passBatch(c, 2000, 64), batchThatFits(c, 2000, 64, 0.5e9));
        setMemoryBudget(size_t(1e6));
        QCOMPARE(passBatch(c, 2000, 64), 1);  // at least one: the caller checked that one fits
    }

    void budgetOverride()
    {
        const size_t initial = memoryBudget();
        QVERIFY(initial >= (size_t(64) << 20));
        setMemoryBudget(12345678);
        QCOMPARE(memoryBudget(), size_t(12345678));
        setMemoryBudget(0);
        QCOMPARE(memoryBudget(), initial);
        QCOMPARE(formatBytes(204.8e9), std::string("204.8 GB"));
        QCOMPARE(formatBytes(12e9), std::string("12 GB"));
        QCOMPARE(formatBytes(640e6), std::string("640 MB"));
        QCOMPARE(formatBytes(999.99e6), std::string("1 GB"));
        QCOMPARE(formatBytes(512), std::string("512 bytes"));
    }

    // The file: 20,000 features at the CLI's batch of 32 need
    // 32 x 4 heads x 20000^2 floats of attention in one layer.
    void refusalNamesTheFileAndTheSizes()
    {
        const ModelConfig c = wide(20000);
        TrainConfig t;
        t.batchSize = 32;
        const RunMemory need = runMemory(c, t, 1000, 20000, 200, 20000, 0, 1, false);
        QCOMPARE(need.batch, 32);
        QCOMPARE(need.step.selfAttention, 204.8e9);
        const std::string message = checkRunMemory("wide.csv", c, need, 12e9);
        QVERIFY2(message.find("wide.csv: 20000 features need 204.8 GB for the encoder's self-attention at batch 32 (")
                     == 0, message.c_str());
        QVERIFY2(message.find("budget 12 GB): use 0 encoder layers, a smaller batch or fewer features") != std::string::npos,
                 message.c_str());
        // The batch is at most the training samples: 5 rows train in batches of 5.
        QCOMPARE(runMemory(c, t, 5, 20000, 1, 20000, 0, 1, false).batch, 5);
        // Without encoder layers the same file fits in a few hundred megabytes.
        const RunMemory flat = runMemory(wide(20000, 0), t, 5, 20000, 1, 20000, 2, 2, true);
        QVERIFY2(flat.total() < 0.5e9, qPrintable(QString::fromStdString(formatBytes(flat.total()))));
        QVERIFY(checkRunMemory("wide.csv", wide(20000, 0), flat, 2e9).empty());

        // Text: the weights' position table.
        ModelConfig text;
        text.maxLen = 1000000;
        text.dim = 4096;
        text.heads = 4;
        text.vocabSize = 500;
        text.classes = {2};
        const std::string weights = checkWeightMemory("reviews.jsonl", text, 2e9);
        QVERIFY2(weights.find("reviews.jsonl: the weights need ") == 0, weights.c_str());
        QVERIFY2(weights.find("the position table (max length 1000000 x width 4096)") != std::string::npos, weights.c_str());
        QVERIFY2(weights.find("a shorter max length") != std::string::npos, weights.c_str());

        // One pass (the CLI's eval and attention).
        QVERIFY(checkPassMemory("wide.csv", wide(20000, 0), 20000, true, 2e9).empty());
        const std::string pass = checkPassMemory("wide.csv", c, 20000, true, 2e9);
        QVERIFY2(pass.find("wide.csv: 20000 features need ") == 0, pass.c_str());
        QVERIFY2(pass.find("self-attention") != std::string::npos, pass.c_str());
    }

    // createModel counts the weights before it allocates them.
    void createModelRefusesBeforeAllocating()
    {
        Dataset data;
        std::string error;
        QVERIFY(loadDataset("builtin:reviews?n=30", &data, &error));
        std::vector<int> all(data.samples.size());
        for (size_t i = 0; i < all.size(); ++i) all[i] = int(i);
        ModelConfig config;
        config.maxLen = 1 << 20;
        config.dim = 1 << 14;
        config.heads = 4;
        Model model;
        QVERIFY(!createModel(data, all, config, 1, &model, &error, 4e9));
        QVERIFY2(error.find("builtin:reviews?n=30: the weights need ") == 0, error.c_str());
        QVERIFY(model.params.empty());
        config.maxLen = 64;
        config.dim = 64;
        QVERIFY2(createModel(data, all, config, 1, &model, &error, 4e9), error.c_str());
        QCOMPARE(model.params.size(), ParamLayout(model.config).totalSize());
    }

    // A small budget makes evaluate() and inspect() take smaller batches:
    // the same results, up to float round-off.
    void passesTakeBatchesThatFit()
    {
        ModelConfig config;
        config.dim = 16;
        config.heads = 2;
        config.ffn = 32;
        const Data d = load("builtin:sensors?n=150", config);
        const EvalResult whole = evaluate(d.model, d.train);
        std::vector<int> indices{0, 5, 9, 77, 140};
        const std::vector<SampleOutputs> inspected = inspect(d.model, d.train, indices);
        const int L = longestSample(d.train);
        setMemoryBudget(size_t(4 * forwardBytes(d.model.config, 3, L).total()));
        QCOMPARE(passBatch(d.model.config, L, 64), 3);
        const EvalResult small = evaluate(d.model, d.train);
        QCOMPARE(small.samples, whole.samples);
        QVERIFY(std::fabs(small.loss - whole.loss) < 1e-5);
        for (size_t t = 0; t < whole.tasks.size(); ++t)
            QCOMPARE(small.tasks[t].accuracy, whole.tasks[t].accuracy);
        const std::vector<SampleOutputs> again = inspect(d.model, d.train, indices);
        QCOMPARE(again.size(), inspected.size());
        for (size_t i = 0; i < again.size(); ++i)
            for (size_t t = 0; t < again[i].pool.size(); ++t)
                for (size_t j = 0; j < again[i].pool[t].size(); ++j)
                    QVERIFY(std::fabs(again[i].pool[t][j] - inspected[i].pool[t][j]) < 1e-5f);
    }
};

QTEST_GUILESS_MAIN(TestMemoryBudget)
#include "test_memorybudget.moc"
