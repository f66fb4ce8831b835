// attnscope-cli train: split, build or load a model, train it with the core's
// Trainer, report progress and validation metrics, write the checkpoint.
#include "cli.h"
#include "csvwriter.h"

#include "memorybudget.h"

#include <chrono>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>

#include <unistd.h>

namespace attnscope::cli {

namespace {

using Clock = std::chrono::steady_clock;

// The --metrics file: one row per step, the validation columns filled on the
// last step of each epoch (see docs/cli.md). Each row goes out whole in one
// write, so that a run killed at any moment leaves whole rows only; after a
// failed write no more rows are written, and close() reports it.
class MetricsCsv {
public:
    MetricsCsv(const std::string &path, const std::vector<TaskInfo> &tasks)
        : m_path(path), m_tasks(int(tasks.size()))
    {
        std::string error;
        m_fd = openOutputStream(path, &error);
        if (m_fd < 0)
            throw Failure(error);
        std::string header = "step,epoch,lr,loss";
        const auto column = [&](const char *prefix, const std::string &task) {
            std::string name = prefix;
            name += task;
            header += ',';
            header += csvQuote(name, CsvQuoting::WhenNeeded);
        };
        for (const TaskInfo &task : tasks)
            column("loss_", task.name);
        header += ",grad_norm,val_loss";
        for (const char *metric : {"val_loss_", "val_accuracy_", "val_macro_f1_"})
            for (const TaskInfo &task : tasks)
                column(metric, task.name);
        write(header + '\n');
    }
    ~MetricsCsv()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }

    void step(const Progress &p)
    {
        flush(nullptr);
        m_pending = p;
        m_hasPending = true;
    }
    // Writes the pending row, with validation columns when val is given.
    void flush(const EvalResult *val)
    {
        if (!m_hasPending)
            return;
        const Progress &p = m_pending;
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%lld,%d,%.9g,%.9g", static_cast<long long>(p.step), p.epoch + 1,
                      double(p.learningRate), double(p.loss));
        std::string row = buffer;
        const auto number = [&](double v) {
            std::snprintf(buffer, sizeof buffer, ",%.9g", v);
            row += buffer;
        };
        for (int t = 0; t < m_tasks; ++t)
            number(t < int(p.taskLoss.size()) ? double(p.taskLoss[size_t(t)]) : NAN);
        number(double(p.gradNorm));
        if (val) {
            number(val->loss);
            for (int t = 0; t < m_tasks; ++t)
                number(val->tasks[size_t(t)].loss);
            for (int t = 0; t < m_tasks; ++t)
                number(val->tasks[size_t(t)].accuracy);
            for (int t = 0; t < m_tasks; ++t)
                number(val->tasks[size_t(t)].macroF1);
        } else {
            row.append(size_t(1 + 3 * m_tasks), ',');
        }
        write(row + '\n');
        m_hasPending = false;
    }
    void close()
    {
        flush(nullptr);
        const int fd = m_fd;
        m_fd = -1;
        if (::close(fd) != 0 && m_error.empty())
            m_error = std::strerror(errno);
        if (!m_error.empty())
            throw Failure(m_path + ": could not write the metrics: " + m_error);
    }

private:
    void write(const std::string &row)
    {
        if (m_error.empty() && !writeAll(m_fd, row.data(), row.size()))
            m_error = std::strerror(errno);
    }

    std::string m_path;
    int m_tasks;
    int m_fd = -1;
    std::string m_error;  // of the first write that failed
    Progress m_pending;
    bool m_hasPending = false;
};

std::string progressText(const Progress &p, const std::vector<TaskInfo> &tasks, int64_t epochs)
{
    char buffer[128];
    std::snprintf(buffer, sizeof buffer, "step %lld/%lld epoch %d/%lld loss %.4f",
                  static_cast<long long>(p.step), static_cast<long long>(p.totalSteps), p.epoch + 1,
                  static_cast<long long>(epochs), double(p.loss));
    std::string text = buffer;
    if (!tasks.empty()) {
        text += " (";
        for (size_t t = 0; t < tasks.size() && t < p.taskLoss.size(); ++t) {
            std::snprintf(buffer, sizeof buffer, "%s%s %.3f", t ? " " : "", tasks[t].name.c_str(),
                          double(p.taskLoss[t]));
            text += buffer;
        }
        text += ")";
    }
    std::snprintf(buffer, sizeof buffer, " %.0f steps/s", p.stepsPerSecond);
    return text + buffer;
}

// One line per epoch: mean train loss of the epoch and validation accuracy per task.
void printEpoch(int epoch, int64_t epochs, double trainLoss, const EvalResult *val,
                const std::vector<TaskInfo> &tasks)
{
    std::printf("epoch %d/%lld  train loss %.4f", epoch, static_cast<long long>(epochs), trainLoss);
    if (val) {
        std::printf("  val loss %.4f  accuracy", val->loss);
        for (size_t t = 0; t < tasks.size() && t < val->tasks.size(); ++t)
            std::printf(" %s %.3f", tasks[t].name.c_str(), val->tasks[t].accuracy);
    }
    std::printf("\n");
    std::fflush(stdout);
}

// The model flags that --init takes from the checkpoint: refuse explicit values that differ.
void checkInitConflicts(const ArgParser &p, const ModelConfig &wanted, const ModelConfig &loaded,
                        const std::string &init)
{
    const auto check = [&](const char *flag, const std::string &given, const std::string &have) {
        if (p.isSet(flag) && given != have)
            p.fail(flag, given + " differs from the --init checkpoint " + init + " (" + have
                             + "); the model's shape comes from the checkpoint");
    };
    check("layers", std::to_string(wanted.layers), std::to_string(loaded.layers));
    check("heads", std::to_string(wanted.heads), std::to_string(loaded.heads));
    check("dim", std::to_string(wanted.dim), std::to_string(loaded.dim));
    check("ffn", std::to_string(wanted.ffn), std::to_string(loaded.ffn));
    check("mode", toString(wanted.mode), toString(loaded.mode));
    check("max-len", std::to_string(wanted.maxLen), std::to_string(loaded.maxLen));
}

} // namespace

int train(const std::vector<std::string> &args)
{
    ArgParser p("attnscope-cli train", "--data SPEC --out CKPT.safetensors [options]",
                "Trains a model on a dataset (a JSONL file, or builtin:NAME[?n=2000&seed=7]) and\n"
                "writes it as a safetensors checkpoint. The validation split is a function of the\n"
                "data, --val-fraction and --seed, so 'eval --split val' scores the held-out samples.");
    p.addOption("data", "SPEC", dataHelp());
    p.addOption("out", "CKPT", "checkpoint to write (safetensors)");
    p.addOption("init", "CKPT", "start from this checkpoint's weights, configuration and vocabulary");
    p.addOption("val-fraction", "F", "fraction of the samples held out for validation, in [0, 1)", "0.2");
    p.addOption("layers", "N", "encoder layers, 0 or more", "1");
    p.addOption("heads", "H", "attention heads (--dim must be a multiple of H)", "4");
    p.addOption("dim", "D", "model width", "64");
    p.addOption("ffn", "F", "feed-forward width", "256, or 4 x --dim when --dim is given");
    p.addOption("mode", "MODE", "task attention: task, shared, gated or uniform (the control)", "task");
    p.addOption("rationale-weight", "MU", "weight of the rationale supervision term (0 = off)", "0");
    p.addOption("max-len", "L", "text: tokens kept per sample", "64");
    p.addOption("optimizer", "NAME", "adamw, adam or sgd", "adamw");
    p.addOption("lr", "X", "learning rate", "0.003");
    p.addOption("momentum", "X", "SGD momentum", "0");
    p.addOption("weight-decay", "X", "weight decay: decoupled for adamw, L2 for adam and sgd", "0.01");
    p.addOption("batch-size", "B", "samples per step", "32");
    p.addOption("epochs", "E", "passes over the training split", "10");
    p.addOption("steps", "K", "train exactly K steps instead (excludes --epochs)");
    p.addOption("clip", "NORM", "clip the global gradient norm to NORM (0 = off)", "0");
    p.addOption("schedule", "NAME", "learning rate schedule: constant or cosine", "constant");
    p.addOption("warmup", "K", "linear warm-up steps before the cosine decay", "0");
    addTaskWeightOption(p);
    p.addOption("seed", "S", "seed of the split, the initial weights and the batch order", "1");
    p.addFlag("no-shuffle", "take the batches in data order");
    p.addOption("threads", "N", "threads used by the trainer", "1");
    p.addOption("metrics", "FILE", "write one CSV row per step (columns in docs/cli.md)");
    p.addFlag("json", "print a JSON summary at the end, and no progress");
    addColumnOptions(p);
    if (!p.parse(args)) {
        std::fputs(p.help().c_str(), stdout);
        return ExitOk;
    }

    // Every flag is checked before anything is loaded.
    const std::string spec = p.required("data");
    const std::string out = p.required("out");
    const std::string init = p.string("init");
    p.exclusive("epochs", "steps");
    const double valFraction = p.number("val-fraction", 0.2, 0.0, 1.0);
    if (valFraction >= 1.0)
        p.fail("val-fraction", "must be below 1 (some samples must train)");

    ModelConfig mc;
    mc.layers = int(p.integer("layers", 1, 0, 64));
    mc.heads = int(p.integer("heads", 4, 1, 1024));
    mc.dim = int(p.integer("dim", 64, 1, 1 << 16));
    mc.ffn = int(p.integer("ffn", p.isSet("dim") ? 4 * int64_t(mc.dim) : 256, 1, 1 << 20));
    mc.maxLen = int(p.integer("max-len", 64, 1, 1 << 20));
    if (!parseAttentionMode(p.choice("mode", "task", {"task", "shared", "gated", "uniform"}), &mc.mode))
        p.fail("mode", "unknown mode");
    if (mc.dim % mc.heads != 0)
        p.fail("heads", "--dim " + std::to_string(mc.dim) + " is not a multiple of " + std::to_string(mc.heads));

    TrainConfig tc;
    if (!parseOptimizer(p.choice("optimizer", "adamw", {"adamw", "adam", "sgd"}), &tc.optimizer.kind))
        p.fail("optimizer", "unknown optimizer");
    tc.optimizer.lr = float(p.number("lr", 0.003, 0.0, 1e6));
    tc.optimizer.momentum = float(p.number("momentum", 0.0, 0.0, 1.0));
    tc.optimizer.weightDecay = float(p.number("weight-decay", 0.01, 0.0, 1e6));
    tc.optimizer.clip = float(p.number("clip", 0.0, 0.0, 1e30));
    tc.optimizer.schedule = p.choice("schedule", "constant", {"constant", "cosine"}) == "cosine"
                                ? Schedule::Cosine : Schedule::Constant;
    tc.optimizer.warmup = p.integer("warmup", 0, 0, int64_t(1) << 40);
    tc.batchSize = int(p.integer("batch-size", 32, 1, 1 << 30));
    tc.epochs = int(p.integer("epochs", 10, 1, 1 << 30));
    tc.steps = p.integer("steps", 0, 1, int64_t(1) << 40);
    tc.seed = p.unsignedInteger("seed", 1);
    tc.shuffle = !p.isSet("no-shuffle");
    tc.threads = int(p.integer("threads", 1, 1, 1024));
    tc.rationaleWeight = float(p.number("rationale-weight", 0.0, 0.0, 1e6));
    const bool json = p.isSet("json");
    const std::string metricsPath = p.string("metrics");

    // What is at --out and --metrics, before the data is loaded: a device or
    // FIFO is never replaced by the checkpoint, and no output overwrites an input.
    checkFileOptions(p, {"data", "init"}, {{"out", OutputMode::Replace}, {"metrics", OutputMode::Stream}});

    // The data and the run: planRun decides what it starts from (the --init
    // checkpoint, which must fit the data, or a fresh model); buildSetup makes
    // the split, the model and the encoded splits, as the window does.
    const Dataset data = loadData(spec, columnOptions(p));
    RunRequest request;
    request.config = mc;
    if (!init.empty()) {
        request.checkpoint = std::make_shared<const Model>(loadModel(init));
        request.checkpointName = init;
        checkInitConflicts(p, mc, request.checkpoint->config, init);
    }
    RunPlan plan = planRun(data, request);
    if (!plan.misfit.empty())
        throw Failure(plan.misfit);
    tc.taskWeights = taskWeights(p, data.tasks);
    if (tc.rationaleWeight > 0 && !data.hasRationales())
        std::fprintf(stderr, "warning: --rationale-weight has no effect: %s has no rationales\n", spec.c_str());
    TrainingSetup setup;
    std::string error;
    if (!buildSetup(data, plan, tc, valFraction, &setup, &error))
        throw Failure(error);
    request.checkpoint.reset();  // the setup holds the weights now
    plan.checkpoint.reset();
    Model &model = setup.model;
    const EncodedDataset &trainSet = setup.train, &valSet = setup.val;
    // A step's activations and attention, the weights' copies and the
    // validation pass, against the budget before any of it is allocated.
    const int longestTrain = longestSample(trainSet);
    const RunMemory need = runMemory(model.config, tc, int(trainSet.samples.size()), longestTrain,
                                     int(valSet.samples.size()), longestSample(valSet), 0,
                                     valSet.samples.empty() ? 0 : 1, false);
    if (std::string problem = checkRunMemory(spec, model.config, need, double(memoryBudget())); !problem.empty())
        throw Failure(problem);
    workingOn(spec, "training on it");
    const std::vector<TaskInfo> &tasks = model.tasks;

    std::unique_ptr<MetricsCsv> metrics;
    if (!metricsPath.empty())
        metrics = std::make_unique<MetricsCsv>(metricsPath, tasks);

    Trainer trainer(model, trainSet, tc);
    const int64_t epochs = tc.steps > 0 && trainer.stepsPerEpoch() > 0
                               ? (tc.steps + trainer.stepsPerEpoch() - 1) / trainer.stepsPerEpoch()
                               : tc.epochs;
    if (!json)
        std::printf("training on %s: %zu train / %zu val samples, %lld steps of %d (%lld epochs)\n",
                    spec.c_str(), trainSet.samples.size(), valSet.samples.size(),
                    static_cast<long long>(tc.steps > 0 ? tc.steps : trainer.stepsPerEpoch() * tc.epochs),
                    tc.batchSize, static_cast<long long>(epochs));
    std::fflush(stdout);

    // Mean losses of the steps of the current epoch.
    int currentEpoch = -1;
    int64_t epochSteps = 0;
    double epochLoss = 0;
    std::vector<double> epochTaskLoss(tasks.size(), 0.0);
    Progress last;
    ProgressLine line(!json);
    trainer.setProgressCallback([&](const Progress &progress) {
        if (progress.epoch != currentEpoch) {
            currentEpoch = progress.epoch;
            epochSteps = 0;
            epochLoss = 0;
            std::fill(epochTaskLoss.begin(), epochTaskLoss.end(), 0.0);
        }
        ++epochSteps;
        epochLoss += progress.loss;
        for (size_t t = 0; t < epochTaskLoss.size() && t < progress.taskLoss.size(); ++t)
            epochTaskLoss[t] += progress.taskLoss[t];
        last = progress;
        if (metrics)
            metrics->step(progress);
        line.update(progressText(progress, tasks, epochs), progress.step == progress.totalSteps);
    });

    const bool evaluateEachEpoch = !valSet.samples.empty() && (!json || metrics);
    const Clock::time_point start = Clock::now();
    while (!trainer.finished()) {
        const int64_t before = trainer.progress().step;
        trainer.runEpoch();
        if (trainer.progress().diverged) {
            line.end();
            throw Failure("training diverged at step " + std::to_string(trainer.progress().step + 1)
                          + ": the loss or gradient is not finite (try a smaller --lr or --clip); "
                          + out + " was not written");
        }
        if (trainer.progress().step == before)
            throw Failure("the trainer made no progress at step " + std::to_string(before));
        EvalResult val;
        if (evaluateEachEpoch)
            val = evaluate(model, valSet, tc.taskWeights);
        if (metrics)
            metrics->flush(evaluateEachEpoch ? &val : nullptr);
        if (!json) {
            line.clear();
            printEpoch(currentEpoch + 1, epochs, epochSteps ? epochLoss / double(epochSteps) : 0.0,
                       evaluateEachEpoch ? &val : nullptr, tasks);
        }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    line.end();

    std::optional<EvalResult> validation;
    if (!valSet.samples.empty())
        validation = evaluate(model, valSet, tc.taskWeights);

    if (!saveCheckpoint(model, out, &error))
        throw Failure(error.find(out) == std::string::npos ? out + ": " + error : error);
    // After the checkpoint: metrics that could not be written lose no training.
    if (metrics)
        metrics->close();

    const double trainLoss = epochSteps ? epochLoss / double(epochSteps) : 0.0;
    if (json) {
        JsonWriter w(stdout, true);
        w.beginObject();
        w.key("checkpoint");
        w.value(out);
        w.key("steps");
        w.value(int64_t(last.step));
        w.key("epochs");
        w.value(last.epochProgress);
        w.key("seconds");
        w.value(seconds);
        w.key("steps_per_second");
        w.value(seconds > 0 ? double(last.step) / seconds : 0.0);
        w.key("train_samples");
        w.value(int64_t(trainSet.samples.size()));
        w.key("val_samples");
        w.value(int64_t(valSet.samples.size()));
        w.key("train_loss");
        w.value(trainLoss);
        w.key("train_task_loss");
        w.beginObject();
        for (size_t t = 0; t < tasks.size(); ++t) {
            w.key(tasks[t].name);
            w.value(epochSteps ? epochTaskLoss[t] / double(epochSteps) : 0.0);
        }
        w.endObject();
        w.key("last_step_loss");
        w.value(double(last.loss));
        w.key("validation");
        if (validation)
            writeEvalJson(w, *validation, tasks);
        else
            w.null();
        w.endObject();
        finishJson(w, "standard output");
        return ExitOk;
    }

    std::printf("trained %lld steps in %.2f s (%.1f steps/s); train loss %.4f (mean of the last epoch)\n",
                static_cast<long long>(last.step), seconds, seconds > 0 ? double(last.step) / seconds : 0.0,
                trainLoss);
    if (validation) {
        std::printf("validation (%d samples): loss %.4f\n", validation->samples, validation->loss);
        printEval(stdout, *validation, tasks);
    } else {
        std::printf("no validation samples (--val-fraction %s)\n", p.string("val-fraction", "0.2").c_str());
    }
    std::printf("checkpoint written to %s\n", out.c_str());
    return ExitOk;
}

} // namespace attnscope::cli
