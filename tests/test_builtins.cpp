// The built-ins: builtin:sensors and builtin:order deterministic, shaped as
// described, with rationales on the deciding inputs (after training, each
// task's attention on builtin:sensors sits on its own deciding features);
// builtin:wordnet read from files in WordNet's format (tests/data/wordnet).
#include "data/builtins.h"
#include "data/load.h"
#include "dataset.h"
#include "trainer.h"

#include <QFile>
#include <QTemporaryDir>
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
    void wordnetFromItsFiles();
    void wordnetMissingPackage();
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

// builtin:wordnet reads WordNet's data files (a fixture in their format:
// the licence lines, 14 synsets of the four files): the definition without
// its examples, lexname and pos; n and seed draw synsets in file order;
// max_classes keeps the most frequent fields.
void TestBuiltins::wordnetFromItsFiles()
{
    const std::string dir = ATTNSCOPE_SOURCE_DIR "/tests/data/wordnet";
    BuiltinSettings settings;
    settings.spec = "builtin:wordnet";
    settings.n = 10000000;
    settings.options = {{"max_classes", 45, 45}};
    Dataset d;
    std::string error;
    QVERIFY2(readWordnet(dir, settings, &d, &error), error.c_str());
    QCOMPARE(d.samples.size(), size_t(14));
    QCOMPARE(d.tasks[0], (TaskInfo{"lexname", {"adj.all", "adv.all", "noun.Tops", "noun.animal", "verb.body"}}));
    QCOMPARE(d.tasks[1], (TaskInfo{"pos", {"a", "n", "r", "s", "v"}}));
    QCOMPARE(d.samples[0].text, std::string("that which is perceived or known or inferred to have its own distinct "
                                            "existence (living or nonliving)"));
    QCOMPARE(d.samples[0].labels, (std::vector<int>{2, 1}));
    QCOMPARE(d.samples[5].text, std::string("draw air into, and expel out of, the lungs"));  // no examples
    QCOMPARE(d.samples[5].labels, (std::vector<int>{4, 4}));
    QCOMPARE(d.samples[8].text, std::string("(usually followed by `to') having the necessary means or skill or "
                                            "know-how or authority to do something"));
    QCOMPARE(d.samples[11].text, std::string("coming into existence"));
    QCOMPARE(d.samples[11].labels, (std::vector<int>{0, 3}));  // a satellite adjective
    QCOMPARE(d.samples[12].labels, (std::vector<int>{1, 2}));
    QVERIFY(d.description.find("lexname") != std::string::npos);
    // The window opens the lesson with 0 layers (its figures need them; at 1 layer the map is flat).
    QCOMPARE(d.suggestedLayers, 0);
    QVERIFY(!d.suggestion.empty());

    // The two most frequent fields: adj.all (4), then noun.Tops (3, before verb.body by number).
    settings.options[0].value = 2;
    QVERIFY2(readWordnet(dir, settings, &d, &error), error.c_str());
    QCOMPARE(d.tasks[0].classes, (std::vector<std::string>{"adj.all", "noun.Tops"}));
    QCOMPARE(d.samples[5].labels, (std::vector<int>{-1, 4}));  // verb.body: no lexname label
    QCOMPARE(d.samples[0].labels, (std::vector<int>{1, 1}));

    settings.options[0].value = 45;
    settings.n = 5;
    settings.seed = 3;
    Dataset a, b;
    QVERIFY2(readWordnet(dir, settings, &a, &error), error.c_str());
    QVERIFY2(readWordnet(dir, settings, &b, &error), error.c_str());
    QCOMPARE(a.samples.size(), size_t(5));
    for (size_t i = 0; i < 5; ++i)
        QCOMPARE(a.samples[i].text, b.samples[i].text);
    settings.seed = 4;
    QVERIFY2(readWordnet(dir, settings, &b, &error), error.c_str());
    bool differs = false;
    for (size_t i = 0; i < 5; ++i)
        differs = differs || a.samples[i].text != b.samples[i].text;
    QVERIFY(differs);

    // The options as a spec gives them.
    QVERIFY(!loadDataset("builtin:wordnet?max_classes=46", LoadOptions(), &d, &error));
    QVERIFY2(error.find("max_classes=46: expected a whole number from 1 to 45") != std::string::npos, error.c_str());
}

// Without the package, the message names the file and the package; a file
// that is not WordNet's is refused with its line.
void TestBuiltins::wordnetMissingPackage()
{
    BuiltinSettings settings;
    settings.spec = "builtin:wordnet";
    settings.options = {{"max_classes", 45, 45}};
    Dataset d;
    std::string error;
    QTemporaryDir dir;
    QVERIFY(!readWordnet(dir.path().toStdString(), settings, &d, &error));
    QVERIFY2(error.rfind("builtin:wordnet: " + dir.path().toStdString() + "/data.noun: no such file", 0) == 0,
             error.c_str());
    QVERIFY2(error.find("the Debian package wordnet-base (apt-get install wordnet-base") != std::string::npos,
             error.c_str());
    for (const char *name : {"data.noun", "data.verb", "data.adj", "data.adv"})
        QVERIFY(QFile::copy(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/wordnet/") + name, dir.filePath(name)));
    QFile bad(dir.filePath("data.verb"));
    QVERIFY(bad.open(QIODevice::Append));
    bad.write("02110220 77 v 01 plot 0 000 | not a field\n");
    bad.close();
    QVERIFY(!readWordnet(dir.path().toStdString(), settings, &d, &error));
    QVERIFY2(error.find("data.verb:7: the lexicographer file number is not one of 00 to 44") != std::string::npos,
             error.c_str());
}

QTEST_GUILESS_MAIN(TestBuiltins)
#include "test_builtins.moc"
