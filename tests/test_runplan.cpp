// What a run starts from (core/runplan.h): checkCompatible names what differs
// between data and a checkpoint; planRun uses a checkpoint only when it fits
// and a lesson's depth only when asked; runs refuse tabular data whose
// values do not standardise (checkStandardised), naming the file, the line
// and the feature, instead of training or evaluating on NaN. Runs compared
// start from the same weights wherever their parameters coincide
// (copyCoinciding).
#include "data/load.h"
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

// A run from the checkpoint `model`, as Open checkpoint plans it.
bool buildFromCheckpoint(const Dataset &data, const Model &model, const TrainConfig &train, double valFraction,
                         TrainingSetup *out, std::string *error)
{
    RunRequest request;
    request.checkpoint = std::make_shared<const Model>(model);
    const RunPlan plan = planRun(data, request);
    if (!plan.checkpoint) {
        *error = plan.misfit;
        return false;
    }
    return buildSetup(data, plan, train, valFraction, out, error);
}

} // namespace

class TestRunPlan : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void checkCompatibleSaysWhatDiffers();
    void planRunChoosesTheModel();
    void fitToModelTakesAClassSubset();
    void refusesValuesThatDoNotStandardise();
    void comparedRunsShareTheirInitialWeights();
    void setupRecordsTheRunsRationaleWeight();
};

void TestRunPlan::checkCompatibleSaysWhatDiffers()
{
    const Dataset data = table({1, 2, 3, 4, 5, 6});
    const TrainConfig train;
    TrainingSetup setup;
    std::string error;
    QVERIFY2(buildSetup(data, small(), train, 0.0, &setup, &error), error.c_str());
    const Model &model = setup.model;
    QCOMPARE(checkCompatible(data, model, "m.safetensors"), std::string());

    Dataset other = data;
    other.featureNames = {"x", "y"};
    QCOMPARE(checkCompatible(other, model, "m.safetensors"),
             std::string("data.csv's features are not those of m.safetensors: missing [z]; unexpected [y]"));
    other.featureNames = {"z", "x"};
    QCOMPARE(checkCompatible(other, model, "m.safetensors"),
             std::string("data.csv has the features of m.safetensors in another order: [z, x] instead of [x, z]"));
    other.featureNames = {"x"};
    QCOMPARE(checkCompatible(other, model, "m.safetensors"),
             std::string("data.csv's features are not those of m.safetensors: missing [z]"));
    other = data;
    other.tasks = {{"label", {"a", "c"}}};
    QCOMPARE(checkCompatible(other, model, "m.safetensors"),
             std::string("task 'label': data.csv has classes [a, c] but m.safetensors has [a, b]"));
    other = data;
    other.tasks = {{"kind", {"a", "b"}}};
    QCOMPARE(checkCompatible(other, model),
             std::string("data.csv has tasks [kind] but the model was trained on [label] (missing [label]; unexpected [kind])"));
    other = data;
    other.input = InputKind::Text;
    QCOMPARE(checkCompatible(other, model, "m.safetensors"),
             std::string("data.csv is text data but m.safetensors is a tabular model"));
}

// Scoring takes a subset of the model's classes, relabelled to its indices;
// a class it does not know is refused with the line that has it.
void TestRunPlan::fitToModelTakesAClassSubset()
{
    Dataset data = table({1, 2, 3, 4, 5, 6});
    TrainingSetup setup;
    std::string error;
    QVERIFY2(buildSetup(data, small(), TrainConfig(), 0.0, &setup, &error), error.c_str());
    const Model &model = setup.model;  // label: [a, b]
    QCOMPARE(model.tasks[0].classes, (std::vector<std::string>{"a", "b"}));

    Dataset subset = data;
    subset.tasks = {{"label", {"b"}}};
    for (Sample &s : subset.samples)
        s.labels = {0};
    QCOMPARE(fitToModel(&subset, model, "m.safetensors"), std::string());
    QCOMPARE(subset.tasks[0].classes, model.tasks[0].classes);
    for (const Sample &s : subset.samples)
        QCOMPARE(s.labels, std::vector<int>{1});

    Dataset unknown = data;
    unknown.tasks = {{"label", {"a", "zebra"}}};
    for (Sample &s : unknown.samples)
        s.labels = {0};
    unknown.samples[3].labels = {1};  // on line 5
    const Dataset before = unknown;
    QCOMPARE(fitToModel(&unknown, model, "m.safetensors"),
             std::string("data.csv:5: task 'label': class 'zebra' is not one of the 2 classes of m.safetensors [a, b]"));
    QCOMPARE(unknown.tasks[0].classes, before.tasks[0].classes);  // unchanged
}

// The one policy: a checkpoint that fits is used as it is (its configuration,
// not the one asked for); one that does not fit is not, and the plan says
// why; a lesson's depth replaces the layers asked for only when asked.
void TestRunPlan::planRunChoosesTheModel()
{
    Dataset data = table({1, 2, 3, 4, 5, 6});
    TrainingSetup first;
    std::string error;
    QVERIFY2(buildSetup(data, small(), TrainConfig(), 0.0, &first, &error), error.c_str());
    auto checkpoint = std::make_shared<const Model>(first.model);

    RunRequest request;
    request.config = small();
    request.config.dim = 16;
    request.checkpoint = checkpoint;
    request.checkpointName = "m.safetensors";
    RunPlan plan = planRun(data, request);
    QCOMPARE(plan.checkpoint, checkpoint);
    QCOMPARE(plan.config, checkpoint->config);
    QVERIFY(plan.misfit.empty());
    // Built from the plan: the checkpoint's weights, bit for bit.
    TrainingSetup setup;
    QVERIFY2(buildSetup(data, plan, TrainConfig(), 0.0, &setup, &error), error.c_str());
    QCOMPARE(setup.model.params, checkpoint->params);

    Dataset other = data;
    other.featureNames = {"x", "y"};
    plan = planRun(other, request);
    QVERIFY(!plan.checkpoint);
    QCOMPARE(plan.misfit, std::string("data.csv's features are not those of m.safetensors: missing [z]; unexpected [y]"));
    QCOMPARE(plan.config, request.config);

    // A built-in lesson's depth, only when asked for and when it differs.
    data.suggestedLayers = 0;
    request.checkpoint.reset();
    request.config.layers = 1;
    QCOMPARE(planRun(data, request).config.layers, 1);
    request.lessonDepth = true;
    plan = planRun(data, request);
    QCOMPARE(plan.config.layers, 0);
    QVERIFY(plan.lesson);
    request.config.layers = 0;
    QVERIFY(!planRun(data, request).lesson);
    // The same request gives the same plan (a load's prebuilt run is reused on that).
    QVERIFY(planRun(data, request) == planRun(data, request));
}

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
    QVERIFY(!buildFromCheckpoint(table({1, 2, 3.4e38f, 4, 5, 6}), model, train, 0.0, &setup, &error));
    QVERIFY2(error.rfind("data.csv:4: feature \"x\": 3.4e+38 standardises to 1.99", 0) == 0, error.c_str());
    QVERIFY(!buildFromCheckpoint(table({1, 2, 3.4e38f, 4, 5, 6}), model, train, 0.5, &setup, &error));
    QVERIFY2(error.rfind("data.csv:4: feature \"x\"", 0) == 0, error.c_str());
    QVERIFY2(buildFromCheckpoint(table({1, 2, 1e6f, 4, 5, 6}), model, train, 0.5, &setup, &error), error.c_str());
}


namespace {

// The values of tensor `name` of a model, empty when it has none.
std::vector<float> tensor(const Model &model, const std::string &name)
{
    const TensorSpec *t = model.layout.find(name);
    if (!t)
        return {};
    return {model.params.begin() + std::ptrdiff_t(t->offset), model.params.begin() + std::ptrdiff_t(t->offset + t->size)};
}

} // namespace

// Four modes from one seed: MODEL.md draws the embeddings and the encoder
// first, so they coincide anyway; the heads come after the pooling, which
// differs between modes, so only copyCoinciding gives them the same heads.
void TestRunPlan::comparedRunsShareTheirInitialWeights()
{
    Dataset data;
    std::string error;
    QVERIFY2(loadDataset("builtin:reviews?n=200", &data, &error), error.c_str());
    ModelConfig config = small();
    config.layers = 1;
    TrainingSetup task;
    QVERIFY2(buildSetup(data, config, TrainConfig(), 0.2, &task, &error), error.c_str());
    const auto first = std::make_shared<const Model>(task.model);
    for (AttentionMode mode : {AttentionMode::Shared, AttentionMode::Gated, AttentionMode::Uniform}) {
        config.mode = mode;
        TrainingSetup fresh, compared;
        QVERIFY2(buildSetup(data, config, TrainConfig(), 0.2, &fresh, &error), error.c_str());
        RunRequest request;
        request.config = config;
        request.coincideWith = first;
        QVERIFY2(buildSetup(data, planRun(data, request), TrainConfig(), 0.2, &compared, &error), error.c_str());
        QCOMPARE(tensor(fresh.model, "embed.token"), tensor(*first, "embed.token"));
        QCOMPARE(tensor(fresh.model, "encoder.0.attn.q.weight"), tensor(*first, "encoder.0.attn.q.weight"));
        QVERIFY(tensor(fresh.model, "heads.0.weight") != tensor(*first, "heads.0.weight"));  // without it
        QCOMPARE(tensor(compared.model, "heads.0.weight"), tensor(*first, "heads.0.weight"));
        QCOMPARE(tensor(compared.model, "heads.2.weight"), tensor(*first, "heads.2.weight"));
        QCOMPARE(tensor(compared.model, "embed.token"), tensor(*first, "embed.token"));
        if (mode == AttentionMode::Gated) {
            QCOMPARE(tensor(compared.model, "pool.query"), tensor(*first, "pool.query"));  // (T, d) both
            QCOMPARE(tensor(compared.model, "pool.shared_query"), tensor(fresh.model, "pool.shared_query"));  // its own
        }
        if (mode == AttentionMode::Shared)
            QCOMPARE(tensor(compared.model, "pool.query"), tensor(fresh.model, "pool.query"));  // (1, d): its own
    }
    // Another vocabulary (another split): the token embeddings are not taken.
    TrainConfig otherSeed;
    otherSeed.seed = 99;
    config.mode = AttentionMode::Task;
    RunRequest request;
    request.config = config;
    request.coincideWith = first;
    TrainingSetup other;
    QVERIFY2(buildSetup(data, planRun(data, request), otherSeed, 0.2, &other, &error), error.c_str());
    if (other.model.vocab != first->vocab)
        QVERIFY(tensor(other.model, "embed.token") != tensor(*first, "embed.token"));
    QCOMPARE(tensor(other.model, "heads.0.weight"), tensor(*first, "heads.0.weight"));
}

// The model of a setup records the run's mu (MODEL.md 5b) before its first step:
// `train --initial-out` and a step-0 checkpoint wrote rationale_weight 0 for a run
// trained with --rationale-weight 0.7 (the trainer set it only when it stepped).
void TestRunPlan::setupRecordsTheRunsRationaleWeight()
{
    Dataset data = table({1, 2, 3, 4, 5, 6});
    TrainConfig train;
    train.rationaleWeight = 0.7f;
    TrainingSetup fresh;
    std::string error;
    QVERIFY2(buildSetup(data, small(), train, 0.0, &fresh, &error), error.c_str());
    QCOMPARE(fresh.model.rationaleWeight, 0.7f);
    // From a checkpoint trained with another mu: the run's, not the checkpoint's.
    train.rationaleWeight = 0.0f;
    TrainingSetup continued;
    QVERIFY2(buildFromCheckpoint(data, fresh.model, train, 0.0, &continued, &error), error.c_str());
    QCOMPARE(continued.model.rationaleWeight, 0.0f);
}

QTEST_GUILESS_MAIN(TestRunPlan)
#include "test_runplan.moc"
