// builtin:sensors and builtin:order: deterministic, shaped as described, with
// rationales on the deciding inputs; after training, each task's attention
// on builtin:sensors sits on its own deciding features.
#include "data/builtins.h"
#include "data/load.h"
#include "dataset.h"
#include "trainer.h"

#include <QtTest>

#include <cmath>
#include <numeric>
#include <set>

using namespace attnscope;

namespace {

Dataset load(const std::string &spec)
{
    Dataset data;
    std::string error;
    if (!loadDataset(spec, LoadOptions(), &data, &error)) qWarning("%s", error.c_str());
    return data;
}

} // namespace

class TestBuiltins : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void deterministic_data();
    void deterministic();
    void sensorsShape();
    void orderShape();
    void optionErrors();
    void sensorsAttentionOnDecidingFeatures();
};

void TestBuiltins::deterministic_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("sensors") << "sensors";
    QTest::newRow("order") << "order";
}

void TestBuiltins::deterministic()
{
    QFETCH(QString, name);
    const std::string base = "builtin:" + name.toStdString() + "?n=50&seed=";
    const Dataset a = load(base + "3"), b = load(base + "3"), c = load(base + "4");
    QCOMPARE(a.samples.size(), size_t(50));
    QVERIFY(!a.description.empty());
    QVERIFY(a.hasRationales());
    bool differs = false;
    for (size_t i = 0; i < a.samples.size(); ++i) {
        QCOMPARE(a.samples[i].text, b.samples[i].text);
        QCOMPARE(a.samples[i].features, b.samples[i].features);
        QCOMPARE(a.samples[i].labels, b.samples[i].labels);
        differs = differs || a.samples[i].labels != c.samples[i].labels || a.samples[i].text != c.samples[i].text;
    }
    QVERIFY(differs);
}

void TestBuiltins::sensorsShape()
{
    const Dataset d = load("builtin:sensors?n=3000");
    QCOMPARE(d.input, InputKind::Tabular);
    QCOMPARE(d.featureNames.size(), size_t(16));
    QCOMPARE(d.suggestedLayers, 0); // the window opens the lesson with 0 layers
    QVERIFY(!d.suggestion.empty());
    QCOMPARE(d.tasks.size(), size_t(3));
    QCOMPARE(d.tasks[0].name, std::string("air"));
    QCOMPARE(d.tasks[1].name, std::string("fault"));
    QCOMPARE(d.tasks[2].name, std::string("overheat"));
    // every class well represented
    for (size_t t = 0; t < 3; ++t) {
        std::vector<int> counts(d.tasks[t].classes.size(), 0);
        for (const Sample &s : d.samples) ++counts[size_t(s.labels[t])];
        for (int n : counts) QVERIFY2(n > 400, qPrintable(QString::number(n)));
    }
    // fault and overheat share exactly one feature; air shares none
    auto features = [&](size_t t) {
        std::set<int> out;
        for (const Span &s : d.samples[0].rationales[t])
            for (int j = s.start; j < s.end; ++j) out.insert(j);
        return out;
    };
    std::vector<int> shared;
    const auto f = features(1), o = features(2), a = features(0);
    std::set_intersection(f.begin(), f.end(), o.begin(), o.end(), std::back_inserter(shared));
    QCOMPARE(shared.size(), size_t(1));
    QCOMPARE(d.featureNames[size_t(shared[0])], std::string("current"));
    for (int j : a) QVERIFY(!f.count(j) && !o.count(j));
    const Dataset m = load("builtin:sensors?n=200&missing=0.3");
    int missing = 0;
    for (const Sample &s : m.samples)
        for (float v : s.features) missing += std::isnan(v);
    QVERIFY(missing > 200 * 16 / 5 && missing < 200 * 16 * 2 / 5);
}

void TestBuiltins::orderShape()
{
    const Dataset d = load("builtin:order?n=2000");
    QCOMPARE(d.input, InputKind::Text);
    QCOMPARE(d.tasks[0].name, std::string("first"));
    QCOMPARE(d.tasks[1], (TaskInfo{"same", {"no", "yes"}}));
    int same = 0;
    for (const Sample &s : d.samples) {
        const std::string first = s.text.substr(size_t(s.rationales[0][0].start),
                                                size_t(s.rationales[0][0].end - s.rationales[0][0].start));
        QCOMPARE(d.tasks[0].classes[size_t(s.labels[0])], first);
        QCOMPARE(s.rationales[1].size(), size_t(2));
        const Span last = s.rationales[1][1];
        const std::string lastWord = s.text.substr(size_t(last.start), size_t(last.end - last.start));
        QCOMPARE(s.labels[1] == 1, first == lastWord);
        same += s.labels[1];
    }
    QVERIFY(same > 900 && same < 1100);
}

void TestBuiltins::optionErrors()
{
    Dataset d;
    std::string error;
    QVERIFY(!loadDataset("builtin:sensors?bogus=1", &d, &error)); // the loader dispatches here
    QVERIFY2(error.find("unknown option \"bogus\"") != std::string::npos, error.c_str());
    error.clear();
    QVERIFY(!loadBuiltin("builtin:sensors?bogus=1", &d, &error));
    QVERIFY2(error.find("unknown option \"bogus\" (sensors takes n, seed, noise, missing)") != std::string::npos, error.c_str());
    QVERIFY(!loadBuiltin("builtin:order?n=0", &d, &error));
    QVERIFY2(error.find("from 1 to 10000000") != std::string::npos, error.c_str());
    QVERIFY(!loadBuiltin("builtin:order?missing=0.1", &d, &error));
    QVERIFY2(error.find("(order takes n, seed, noise)") != std::string::npos, error.c_str());

    // A repeated option is refused, naming it, for every built-in (the last
    // value used to win silently).
    for (const std::string spec : {"builtin:sensors?n=5&n=6", "builtin:order?n=5&n=6", "builtin:reviews?n=5&n=6"}) {
        d = {};
        QVERIFY2(!loadDataset(spec, &d, &error), spec.c_str());
        QCOMPARE(error, spec + ": option \"n\" is given twice (n=5, then n=6)");
        QVERIFY(d.samples.empty());
    }
    QVERIFY(!loadDataset("builtin:sensors?missing=0.1&noise=0&missing=0.2", &d, &error));
    QVERIFY2(error.find("option \"missing\" is given twice (missing=0.1, then missing=0.2)") != std::string::npos,
             error.c_str());
}

void TestBuiltins::sensorsAttentionOnDecidingFeatures()
{
    // The CLI's defaults (TrainConfig: 10 epochs of 32, AdamW at 0.003; seed 1,
    // validation fraction 0.2) with 0 encoder layers, as the built-in's
    // description recommends for watching the task attention over features.
    const Dataset data = load("builtin:sensors");
    const Split split = splitDataset(data, 0.2, 1);
    ModelConfig mc;
    mc.layers = 0;
    Model model = createModel(data, split.train, mc, 1);
    const EncodedDataset train = encodeDataset(data, split.train, Vocabulary(), 0);
    const EncodedDataset val = encodeDataset(data, split.val, Vocabulary(), 0);
    Trainer trainer(model, train, TrainConfig());
    trainer.run();
    QCOMPARE(trainer.progress().step, int64_t(500));
    const EvalResult r = evaluate(model, val);
    // Each task's attention over the features: most of its mass on its own
    // deciding features (uniform attention would give them 2/16, 3/16, 2/16).
    const double uniform[3] = {2.0 / 16, 3.0 / 16, 2.0 / 16};
    for (size_t t = 0; t < 3; ++t) {
        QVERIFY(r.tasks[t].accuracy > 0.9);
        QVERIFY(r.tasks[t].rationaleMass.has_value());
        const double mass = *r.tasks[t].rationaleMass;
        qInfo("%s: accuracy %.3f, attention mass on its deciding features %.3f (uniform %.3f)",
              data.tasks[t].name.c_str(), r.tasks[t].accuracy, mass, uniform[t]);
        QVERIFY2(mass > 0.5, qPrintable(QString::number(mass)));
    }
    // And each task attends more to its own features than to another task's
    // (air vs overheat, which share none).
    std::vector<int> indices(val.samples.size());
    std::iota(indices.begin(), indices.end(), 0);
    const std::vector<SampleOutputs> out = inspect(model, val, indices);
    double airOnAir = 0, airOnHeat = 0, heatOnHeat = 0, heatOnAir = 0;
    const int airF[] = {9, 10}, heatF[] = {0, 5};
    for (const SampleOutputs &o : out) {
        for (int j : airF) airOnAir += o.pool[0][size_t(j)], heatOnAir += o.pool[2][size_t(j)];
        for (int j : heatF) airOnHeat += o.pool[0][size_t(j)], heatOnHeat += o.pool[2][size_t(j)];
    }
    qInfo("air on co2+dust %.3f, on temperature+current %.3f; overheat on temperature+current %.3f, on co2+dust %.3f",
          airOnAir / double(out.size()), airOnHeat / double(out.size()), heatOnHeat / double(out.size()),
          heatOnAir / double(out.size()));
    QVERIFY(airOnAir > 3 * airOnHeat);
    QVERIFY(heatOnHeat > 2 * heatOnAir);
}

QTEST_GUILESS_MAIN(TestBuiltins)
#include "test_builtins.moc"
