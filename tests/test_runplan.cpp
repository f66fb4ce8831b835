// What a run starts from (core/runplan.h): runs refuse tabular data whose
// values do not standardise (checkStandardised), naming the file, the line
// and the feature, instead of training or evaluating on NaN.
#include "runplan.h"

#include <QtTest>

using namespace attnscope;

namespace {

Dataset table(const std::vector<float> &x)
{
    Dataset d;
    d.source = "data.csv";
    d.input = InputKind::Tabular;
    d.featureNames = {"x", "z"};
    d.tasks = {{"label", {"a", "b"}}};
    for (size_t i = 0; i < x.size(); ++i) {
        Sample s;
        s.features = {x[i], float(i % 3)};
        s.labels = {int(i % 2)};
        s.rationales = {{}};
        s.line = int(i) + 2;
        d.samples.push_back(s);
    }
    return d;
}

ModelConfig small()
{
    ModelConfig c;
    c.dim = 8;
    c.heads = 2;
    c.ffn = 8;
    return c;
}

} // namespace

class TestRunPlan : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void refusesValuesThatDoNotStandardise();
};

void TestRunPlan::refusesValuesThatDoNotStandardise()
{
    const TrainConfig train;
    TrainingSetup setup;
    std::string error;
    QVERIFY2(buildSetup(table({1, 2, 3, 4, 5, 6}), small(), train, 0.0, &setup, &error), error.c_str());
    const Model model = setup.model;

    // A new run: the training statistics are finite, -3.4e38 - mean is not.
    QVERIFY(!buildSetup(table({3.4e38f, 3.4e38f, -3.4e38f, 1, 2, 3}), small(), train, 0.0, &setup, &error));
    QVERIFY2(error.rfind("data.csv:4: feature \"x\": -3.4e+38 standardises to -inf", 0) == 0, error.c_str());

    // A checkpoint's statistics (mean 3.5, std 1.7): 3.4e38 is too far out
    // (v = 2e38), in the validation split as in the training one.
    QVERIFY(!buildSetupFromModel(table({1, 2, 3.4e38f, 4, 5, 6}), model, train, 0.0, &setup, &error));
    QVERIFY2(error.rfind("data.csv:4: feature \"x\": 3.4e+38 standardises to 1.99", 0) == 0, error.c_str());
    QVERIFY(!buildSetupFromModel(table({1, 2, 3.4e38f, 4, 5, 6}), model, train, 0.5, &setup, &error));
    QVERIFY2(error.rfind("data.csv:4: feature \"x\"", 0) == 0, error.c_str());
    QVERIFY2(buildSetupFromModel(table({1, 2, 1e6f, 4, 5, 6}), model, train, 0.5, &setup, &error), error.c_str());
}

QTEST_GUILESS_MAIN(TestRunPlan)
#include "test_runplan.moc"
