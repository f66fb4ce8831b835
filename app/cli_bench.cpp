// attnscope-cli bench: times the core's training steps on synthetic data of a
// chosen shape. A quick, honest figure for one configuration; the comparison
// with PyTorch lives in bench/.
#include "cli.h"

#include "random.h"

#include <chrono>

namespace attnscope::cli {

namespace {

// Samples of exactly `length` words ("w0" .. "w999") with random labels for
// three tasks of 2, 4 and 2 classes (as bench/ uses).
Dataset syntheticData(int samples, int length, uint64_t seed)
{
    Dataset data;
    data.source = "bench";
    data.input = InputKind::Text;
    data.tasks = {{"a", {"0", "1"}}, {"b", {"0", "1", "2", "3"}}, {"c", {"0", "1"}}};
    Rng rng(seed);
    for (int i = 0; i < samples; ++i) {
        Sample sample;
        for (int j = 0; j < length; ++j)
            sample.text += (j ? " w" : "w") + std::to_string(rng.below(1000));
        for (const TaskInfo &task : data.tasks)
            sample.labels.push_back(int(rng.below(task.classes.size())));
        sample.rationales.assign(data.tasks.size(), {});
        data.samples.push_back(std::move(sample));
    }
    return data;
}

// The shape timed and the steps: the model's and trainer's settings from
// the options, in the order they are listed (the first one wrong is the one
// reported).
struct BenchSettings {
    ModelConfig model;
    TrainConfig train;
    int64_t steps = 200, warmup = 10;
};

void addBenchOptions(ArgParser &p)
{
    p.addOption("dim", "D", "model width", "64");
    p.addOption("heads", "H", "attention heads", "4");
    p.addOption("layers", "N", "encoder layers", "1");
    p.addOption("ffn", "F", "feed-forward width", "4 x --dim");
    p.addOption("mode", "MODE", "task, shared or gated", "task");
    p.addOption("len", "L", "tokens per sample", "32");
    p.addOption("batch", "B", "samples per step", "32");
    p.addOption("steps", "K", "timed steps", "200");
    p.addOption("warmup", "K", "untimed steps first", "10");
    p.addOption("threads", "N", "threads used by the trainer", "1");
    p.addOption("seed", "S", "seed of the data and the weights", "1");
    p.addFlag("json", "print the figures as JSON");
}

BenchSettings readBenchSettings(const ArgParser &p)
{
    BenchSettings settings;
    ModelConfig &mc = settings.model;
    mc.dim = int(p.integer("dim", 64, 1, 1 << 16));
    mc.heads = int(p.integer("heads", 4, 1, 1024));
    mc.layers = int(p.integer("layers", 1, 0, 64));
    mc.ffn = int(p.integer("ffn", 4 * int64_t(mc.dim), 1, 1 << 20));
    if (!parseAttentionMode(p.choice("mode", "task", {"task", "shared", "gated"}), &mc.mode))
        p.fail("mode", "unknown mode");
    mc.maxLen = int(p.integer("len", 32, 1, 1 << 16));
    if (mc.dim % mc.heads != 0)
        p.fail("heads", "--dim " + std::to_string(mc.dim) + " is not a multiple of " + std::to_string(mc.heads));
    TrainConfig &tc = settings.train;
    tc.batchSize = int(p.integer("batch", 32, 1, 1 << 20));
    settings.steps = p.integer("steps", 200, 1, int64_t(1) << 40);
    settings.warmup = p.integer("warmup", 10, 0, int64_t(1) << 40);
    tc.threads = int(p.integer("threads", 1, 1, 1024));
    tc.seed = p.unsignedInteger("seed", 1);
    tc.steps = settings.warmup + settings.steps;
    return settings;
}

// What was timed: `done` steps (fewer than asked only if the trainer
// stopped) in `seconds`.
struct BenchFigures {
    int64_t done = 0;
    double seconds = 0;
    int tasks = 0;
    double stepsPerSecond() const { return seconds > 0 ? double(done) / seconds : 0.0; }
    double msPerStep() const { return done > 0 ? 1000.0 * seconds / double(done) : 0.0; }
};

// The warm-up steps, then the timed ones, on synthetic data of the shape.
BenchFigures timeSteps(const ArgParser &p, const BenchSettings &settings)
{
    const TrainConfig &tc = settings.train;
    // Enough samples for several distinct batches.
    const Dataset data = syntheticData(std::max(4 * tc.batchSize, 64), settings.model.maxLen, tc.seed);
    const std::vector<int> all = range(int(data.samples.size()));
    Model model = createModel(data, all, settings.model, tc.seed);
    if (const std::string problem = model.config.validate(); !problem.empty())
        throw UsageError(p.command() + ": " + problem);
    const EncodedDataset encoded = encodeFor(model, data, all);
    Trainer trainer(model, encoded, tc);

    for (int64_t i = 0; i < settings.warmup; ++i)
        trainer.step();
    BenchFigures figures;
    figures.tasks = int(data.tasks.size());
    const auto start = std::chrono::steady_clock::now();
    while (figures.done < settings.steps && trainer.step())
        ++figures.done;
    figures.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return figures;
}

void printBenchJson(const BenchSettings &settings, const BenchFigures &figures)
{
    const ModelConfig &mc = settings.model;
    const TrainConfig &tc = settings.train;
    JsonWriter w(stdout, true);
    w.beginObject();
    w.key("config");
    w.beginObject();
    w.key("dim");
    w.value(mc.dim);
    w.key("heads");
    w.value(mc.heads);
    w.key("layers");
    w.value(mc.layers);
    w.key("ffn");
    w.value(mc.ffn);
    w.key("mode");
    w.value(toString(mc.mode));
    w.key("len");
    w.value(mc.maxLen);
    w.key("batch");
    w.value(tc.batchSize);
    w.key("tasks");
    w.value(figures.tasks);
    w.key("threads");
    w.value(tc.threads);
    w.endObject();
    w.key("steps");
    w.value(figures.done);
    w.key("seconds");
    w.value(figures.seconds);
    w.key("steps_per_second");
    w.value(figures.stepsPerSecond());
    w.key("ms_per_step");
    w.value(figures.msPerStep());
    w.key("samples_per_second");
    w.value(figures.stepsPerSecond() * tc.batchSize);
    w.endObject();
    finishJson(w, "standard output");
}

void printBenchText(const BenchSettings &settings, const BenchFigures &figures)
{
    const ModelConfig &mc = settings.model;
    const TrainConfig &tc = settings.train;
    std::printf("d %d, %d heads, %d layers, f %d, mode %s, L %d, batch %d, %zu tasks, %d threads\n",
                mc.dim, mc.heads, mc.layers, mc.ffn, toString(mc.mode), mc.maxLen, tc.batchSize,
                size_t(figures.tasks), tc.threads);
    std::printf("%lld steps in %.3f s: %.1f steps/s, %.3f ms/step, %.0f samples/s\n",
                static_cast<long long>(figures.done), figures.seconds, figures.stepsPerSecond(), figures.msPerStep(),
                figures.stepsPerSecond() * tc.batchSize);
}

} // namespace

int bench(const std::vector<std::string> &args)
{
    ArgParser p("attnscope-cli bench", "[options]",
                "Times training steps (forward, backward, AdamW update) of the core on synthetic\n"
                "text of a fixed length with three tasks, after a few warm-up steps, and prints\n"
                "steps/s and ms/step. bench/ compares the core with PyTorch.");
    addBenchOptions(p);
    if (helpAsked(p, args))
        return ExitOk;
    const BenchSettings settings = readBenchSettings(p);
    const bool json = p.isSet("json");
    const BenchFigures figures = timeSteps(p, settings);
    if (json)
        printBenchJson(settings, figures);
    else
        printBenchText(settings, figures);
    return ExitOk;
}

} // namespace attnscope::cli
