// attnscope-cli train: split, build or load a model, train it with the core's
// Trainer, report progress and validation metrics, write the checkpoint.
#include "cli.h"
#include "cli_metrics.h"
#include "cli_session.h"

#include "bestevaluation.h"
#include "divergence.h"
#include "memorybudget.h"
#include "run.h"

#include <QFileInfo>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <memory>

#include <unistd.h>

namespace attnscope::cli {

namespace {

using Clock = std::chrono::steady_clock;

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
    check("max-vocab", std::to_string(wanted.maxVocab), std::to_string(loaded.maxVocab));
    check("min-freq", std::to_string(wanted.minFreq), std::to_string(loaded.minFreq));
}

// SIGINT and SIGTERM while training: the first asks the trainer to stop at
// the next step boundary (the run then writes its checkpoint and whole
// metrics rows, and exits 128 + the signal); a second one ends the program
// at once, as the signal would have without a handler.
std::atomic<Trainer *> g_interruptible{nullptr};
volatile std::sig_atomic_t g_interrupt = 0;  // the first signal, 0 before

extern "C" void onInterrupt(int signal)
{
    if (g_interrupt) {
        std::signal(signal, SIG_DFL);
        std::raise(signal);
        return;
    }
    g_interrupt = signal;
    if (Trainer *trainer = g_interruptible.load())
        trainer->requestStop();  // an atomic store: safe in a handler
    static const char said[] = "\nstopping after this step, then writing the checkpoint (again to stop at once)\n";
    [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, said, sizeof said - 1);
}

class InterruptGuard {
public:
    explicit InterruptGuard(Trainer *trainer)
    {
        static_assert(std::atomic<Trainer *>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);
        g_interrupt = 0;
        g_interruptible.store(trainer);
        m_int = std::signal(SIGINT, onInterrupt);
        m_term = std::signal(SIGTERM, onInterrupt);
    }
    ~InterruptGuard()
    {
        std::signal(SIGINT, m_int);
        std::signal(SIGTERM, m_term);
        g_interruptible.store(nullptr);
    }
    InterruptGuard(const InterruptGuard &) = delete;
    InterruptGuard &operator=(const InterruptGuard &) = delete;
    int signal() const { return g_interrupt; }

private:
    void (*m_int)(int) = SIG_DFL;
    void (*m_term)(int) = SIG_DFL;
};

} // namespace

int train(const std::vector<std::string> &args)
{
    ArgParser p("attnscope-cli train", "--data SPEC --out CKPT.safetensors [options]",
                "Trains a model on a dataset (a CSV, TSV or JSONL file, or builtin:NAME[?n=2000&seed=7])\n"
                "and writes it as a safetensors checkpoint. The validation split is a function of the\n"
                "data, --val-fraction and --seed (a split column in the file wins over --val-fraction),\n"
                "so 'eval --split val' scores the held-out samples. Ctrl+C (SIGINT) or SIGTERM stops\n"
                "at the next step and writes the checkpoint; a second one stops at once.");
    p.addOption("data", "SPEC", dataHelp());
    p.addOption("out", "CKPT", "checkpoint to write (safetensors)");
    p.addOption("init", "CKPT", "start from this checkpoint's weights, configuration and vocabulary");
    p.addOption("initial-out", "CKPT", "also write the initial weights (before the first step) to CKPT");
    p.addOption("initial-from", "CKPT", "a fresh model takes every tensor of CKPT's weights that coincides in name "
                                        "and shape (the token embeddings under the same vocabulary): runs of other "
                                        "modes, depths or learning rates from the same initial weights");
    p.addOption("val-fraction", "F", "fraction of the samples held out for validation, in [0, 1)", "0.2");
    p.addOption("layers", "N", "encoder layers, 0 or more", "1");
    p.addOption("heads", "H", "attention heads (--dim must be a multiple of H)", "4");
    p.addOption("dim", "D", "model width", "64");
    p.addOption("ffn", "F", "feed-forward width", "256, or 4 x --dim when --dim is given");
    p.addOption("mode", "MODE", "task attention: task, shared, gated or uniform (the control)", "task");
    p.addOption("rationale-weight", "MU", "weight of the rationale supervision term (0 = off)", "0");
    p.addOption("max-len", "L", "text: tokens kept per sample", "64");
    p.addOption("max-vocab", "N", "text: vocabulary entries at most, <pad> and <unk> included", "20000");
    p.addOption("min-freq", "K", "text: a token is in the vocabulary when the training split has it K times", "1");
    p.addOption("optimizer", "NAME", "adamw, adam or sgd", "adamw");
    p.addOption("lr", "X", "learning rate", "0.003");
    p.addOption("momentum", "X", "SGD momentum", "0");
    p.addOption("weight-decay", "X", "weight decay: decoupled for adamw, L2 for adam and sgd", "0.01");
    p.addOption("batch-size", "B", "samples per step", "32");
    p.addOption("epochs", "E", "passes over the training split", std::to_string(TrainConfig().epochs));
    p.addOption("steps", "K", "train exactly K steps instead (excludes --epochs)");
    p.addOption("clip", "NORM", "clip the global gradient norm to NORM (0 = off)", "0");
    p.addOption("schedule", "NAME", "learning rate schedule: constant or cosine", "constant");
    p.addOption("warmup", "K", "linear warm-up steps before the cosine decay", "0");
    addTaskWeightOption(p);
    p.addOption("seed", "S", "seed of the split, the initial weights and the batch order", "1");
    p.addFlag("no-shuffle", "take the batches in data order");
    p.addFlag("no-guard", "train on when the loss stays far above its best or the gradient norm explodes\n"
                          "(the run still stops at a loss or gradient that is not finite)");
    p.addOption("threads", "N", "threads used by the trainer", "1");
    p.addOption("metrics", "FILE", "write one CSV row per step (columns in docs/cli.md)");
    p.addOption("session", "FILE", "append the run (curves, events, checkpoints) to this session file, made when missing");
    p.addOption("run-name", "NAME", "the run's name in --session", "run N, the first free");
    p.addOption("resume", "NAME", "continue run NAME of --session from its latest checkpoint, with its data and "
                                  "settings, to --steps in all");
    p.addOption("keep-every", "K", "keep a checkpoint in --session every K steps", "a twentieth of the run, at least 100");
    p.addFlag("keep-best", "write the weights of the evaluation (once an epoch) with the lowest validation loss");
    p.addOption("patience", "K", "stop after K evaluations in a row without a lower validation loss", "never");
    p.addFlag("json", "print a JSON summary at the end, and no progress");
    addColumnOptions(p);
    if (!p.parse(args)) {
        std::fputs(p.help().c_str(), stdout);
        return ExitOk;
    }

    // Every flag is checked before anything is loaded.
    const std::string sessionPath = p.string("session");
    const std::string resume = p.string("resume");
    if (sessionPath.empty())
        for (const char *flag : {"run-name", "resume", "keep-every"})
            if (p.isSet(flag))
                p.fail(flag, "needs --session FILE");
    if (!resume.empty())
        for (const char *flag : {"init", "initial-from", "initial-out", "run-name", "val-fraction", "layers", "heads", "dim", "ffn", "mode", "max-len", "max-vocab", "min-freq",
                                 "rationale-weight", "optimizer", "lr", "momentum", "weight-decay", "batch-size", "epochs",
                                 "clip", "schedule", "warmup", "task-weight", "seed", "no-shuffle"})
            if (p.isSet(flag))
                p.fail(flag, "a resumed run keeps the settings it was started with (--resume " + resume + ")");
    const std::string spec = resume.empty() ? p.required("data") : p.string("data");
    const std::string out = sessionPath.empty() ? p.required("out") : p.string("out");
    const std::string init = p.string("init");
    const std::string initialOut = p.string("initial-out"), initialFrom = p.string("initial-from");
    p.exclusive("epochs", "steps");
    p.exclusive("init", "initial-from");
    const double valFraction = p.number("val-fraction", 0.2, 0.0, 1.0);
    if (valFraction >= 1.0)
        p.fail("val-fraction", "must be below 1 (some samples must train)");

    ModelConfig mc;
    mc.layers = int(p.integer("layers", 1, 0, 64));
    mc.heads = int(p.integer("heads", 4, 1, 1024));
    mc.dim = int(p.integer("dim", 64, 1, 1 << 16));
    mc.ffn = int(p.integer("ffn", p.isSet("dim") ? 4 * int64_t(mc.dim) : 256, 1, 1 << 20));
    mc.maxLen = int(p.integer("max-len", 64, 1, 1 << 20));
    mc.maxVocab = int(p.integer("max-vocab", 20000, 2, 1 << 20));
    mc.minFreq = int(p.integer("min-freq", 1, 1, 1 << 20));
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
    tc.epochs = int(p.integer("epochs", TrainConfig().epochs, 1, 1 << 30));
    tc.steps = p.integer("steps", 0, 1, int64_t(1) << 40);
    tc.seed = p.unsignedInteger("seed", 1);
    tc.shuffle = !p.isSet("no-shuffle");
    tc.threads = int(p.integer("threads", 1, 1, 1024));
    tc.rationaleWeight = float(p.number("rationale-weight", 0.0, 0.0, 1e6));
    const bool json = p.isSet("json");
    const std::string metricsPath = p.string("metrics");
    const int64_t keepEvery = p.integer("keep-every", 0, 1, int64_t(1) << 40);
    const bool keepBest = p.isSet("keep-best");
    const int64_t patience = p.integer("patience", 0, 1, int64_t(1) << 40);
    if (keepBest && valFraction <= 0 && !p.isSet("resume"))
        p.fail("keep-best", "needs validation samples (--val-fraction above 0)");
    if (patience > 0 && valFraction <= 0 && !p.isSet("resume"))
        p.fail("patience", "needs validation samples (--val-fraction above 0)");

    // What is at --out, --metrics and --session, before the data is loaded: a
    // device or FIFO is never replaced by the checkpoint or made a session,
    // and no output overwrites an input.
    checkFileOptions(p, {"data", "init", "initial-from"},
                     {{"out", OutputMode::Replace}, {"metrics", OutputMode::Stream}, {"session", OutputMode::Replace},
                      {"initial-out", OutputMode::Replace}});

    // The session before the data: a file that is no session is refused
    // first. A resumed run brings its data, settings and checkpoint.
    std::unique_ptr<TrainSession> session;
    RunRecord record;
    CheckpointRecord resumeFrom;
    std::string dataSpec = spec;
    LoadOptions loadOptions = columnOptions(p);
    double split = valFraction;
    if (!sessionPath.empty()) {
        session = std::make_unique<TrainSession>(sessionPath);
        if (!resume.empty()) {
            record = session->resumable(p, resume, &resumeFrom);
            if (dataSpec.empty())
                dataSpec = record.dataset.toStdString();
            if (loadOptions.empty())
                loadOptions = record.options;
            split = record.valFraction;
            const int64_t steps = tc.steps;
            const int threads = tc.threads;
            tc = record.train;
            if (p.isSet("steps")) {
                tc.steps = steps;
                if (steps <= resumeFrom.step)
                    p.fail("steps", "run '" + resume + "' is at step " + std::to_string(resumeFrom.step)
                                        + " already; --steps is the run's total");
            }
            if (p.isSet("threads"))
                tc.threads = threads;
        } else {
            record.name = QString::fromStdString(session->freeName(p, p.string("run-name")));
        }
    }

    // The data and the run: planRun decides what it starts from (the --init
    // checkpoint, which must fit the data, or a fresh model); buildSetup makes
    // the split, the model and the encoded splits, as the window does.
    const Dataset data = loadData(dataSpec, loadOptions);
    if (resume.empty())
        warnSplitColumn(p, data);
    RunRequest request;
    request.config = mc;
    std::string error;
    if (!resume.empty()) {
        // The checkpoint's weights on the split they were trained on (the
        // same data, fraction and seed make the same split and encoding).
        auto model = std::make_shared<Model>();
        if (!parseCheckpoint(resumeFrom.weights.toStdString(), sessionPath + " (run " + resume + ")", model.get(), &error))
            throw Failure(error);
        request.checkpoint = model;
        request.checkpointName = sessionPath + " (run " + resume + ")";
    } else if (!init.empty()) {
        request.checkpoint = std::make_shared<const Model>(loadModel(init));
        request.checkpointName = init;
        checkInitConflicts(p, mc, request.checkpoint->config, init);
    } else if (!initialFrom.empty()) {
        request.coincideWith = std::make_shared<const Model>(loadModel(initialFrom));
    }
    RunPlan plan = planRun(data, request);
    if (!plan.misfit.empty())
        throw Failure(plan.misfit);
    if (resume.empty())
        tc.taskWeights = taskWeights(p, data.tasks);
    if (tc.rationaleWeight > 0 && !data.hasRationales())
        std::fprintf(stderr, "warning: --rationale-weight has no effect: %s has no rationales\n", dataSpec.c_str());
    TrainingSetup setup;
    if (!buildSetup(data, plan, tc, split, &setup, &error))
        throw Failure(error);
    request.checkpoint.reset();  // the setup holds the weights now
    plan.checkpoint.reset();
    Model &model = setup.model;
    if (!initialOut.empty() && !saveCheckpoint(model, initialOut, &error))
        throw Failure(error);
    const EncodedDataset &trainSet = setup.train, &valSet = setup.val;
    // A step's activations and attention, the weights' copies and the
    // validation pass, against the budget before any of it is allocated.
    const int longestTrain = longestSample(trainSet);
    const RunMemory need = runMemory(model.config, tc, int(trainSet.samples.size()), longestTrain,
                                     int(valSet.samples.size()), longestSample(valSet), 0,
                                     valSet.samples.empty() ? 0 : 1, false);
    if (std::string problem = checkRunMemory(dataSpec, model.config, need, double(memoryBudget())); !problem.empty())
        throw Failure(problem);
    if (resume.empty() && init.empty() && model.config.input == InputKind::Text) {
        // A max length far above every text costs a position table row per
        // position (weights, moments, checkpoint) and buys nothing.
        const int longest = std::max(longestTrain, 1);
        if (model.config.maxLen > 4 * std::max(longest, 64))
            std::fprintf(stderr,
                         "warning: --max-len %d is far above the longest training text (%d tokens): its position "
                         "table takes %s of weights, %s more while training, and the checkpoint as much; "
                         "--max-len %d would do\n",
                         model.config.maxLen, longest,
                         formatBytes(double(model.config.maxLen) * model.config.dim * 4).c_str(),
                         formatBytes(3.0 * model.config.maxLen * model.config.dim * 4).c_str(), std::max(longest, 64));
    }
    workingOn(dataSpec, "training on it");
    const std::vector<TaskInfo> &tasks = model.tasks;

    std::unique_ptr<MetricsCsv> metrics;
    if (!metricsPath.empty())
        metrics = std::make_unique<MetricsCsv>(metricsPath, taskNameList(tasks));

    Trainer trainer(model, trainSet, tc);
    if (!resume.empty() && !trainer.restore(resumeFrom.trainer, &error))
        throw Failure(sessionPath + ": run '" + resume + "': " + error);
    if (session) {
        session->setKeepEvery(keepEvery > 0 ? keepEvery : attnscope::keepEvery(trainer.progress().totalSteps));
        if (resume.empty()) {
            record.dataset = QString::fromStdString(dataSpec.rfind("builtin:", 0) == 0
                                                        ? dataSpec
                                                        : QFileInfo(QString::fromStdString(dataSpec)).absoluteFilePath().toStdString());
            record.options = loadOptions;
            record.valFraction = valFraction;
            record.model = model.config;
            record.train = tc;
            record.tasks = taskNames(tasks);
        }
        const Progress &at = trainer.progress();
        session->begin(&record, resume.empty()
                                    ? RunEvent{0, 0.0, QStringLiteral("start"), QStringLiteral("attnscope-cli train")}
                                    : RunEvent{at.step, at.epochProgress, QStringLiteral("resume"),
                                               QStringLiteral("attnscope-cli train, to step %1").arg(at.totalSteps)});
    }
    const int64_t epochs = tc.steps > 0 && trainer.stepsPerEpoch() > 0
                               ? (tc.steps + trainer.stepsPerEpoch() - 1) / trainer.stepsPerEpoch()
                               : tc.epochs;
    if (!json)
        std::printf("training on %s: %zu train / %zu val samples, %lld steps of %d (%lld epochs)\n",
                    dataSpec.c_str(), trainSet.samples.size(), valSet.samples.size(),
                    static_cast<long long>(tc.steps > 0 ? tc.steps : trainer.stepsPerEpoch() * tc.epochs),
                    tc.batchSize, static_cast<long long>(epochs));
    std::fflush(stdout);

    // Mean losses of the steps of the current epoch.
    int currentEpoch = -1;
    int64_t epochSteps = 0;
    double epochLoss = 0;
    std::vector<double> epochTaskLoss(tasks.size(), 0.0);
    Progress last = trainer.progress();
    const int64_t firstStep = last.step;  // 0, or where a resumed run continues
    ProgressLine line(!json);
    // The divergence guard: a run that has gone wrong stops at once (a
    // non-finite step stops the trainer by itself).
    const bool guard = !p.isSet("no-guard");
    DivergenceState guardState;
    DivergenceVerdict verdict;
    trainer.setProgressCallback([&](const Progress &progress) {
        verdict = checkDivergence(&guardState, progress.step + (progress.diverged ? 1 : 0), progress.loss,
                                  progress.gradNorm);
        if (verdict.kind != DivergenceKind::None && guard)
            trainer.requestStop();
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
        if (metrics || session) {
            const StepPoint point = stepPoint(progress);
            if (metrics)
                metrics->step(point);
            if (session)
                session->step(point, trainer, model);
        }
        line.update(progressText(progress, tasks, epochs), progress.step == progress.totalSteps);
    });

    if ((keepBest || patience > 0) && valSet.samples.empty())
        throw Failure(dataSpec + ": no validation samples, which --" + (keepBest ? "keep-best" : "patience")
                      + " compares the evaluations on");
    const bool evaluateEachEpoch =
        !valSet.samples.empty() && (!json || metrics || session || keepBest || patience > 0);
    // The evaluation of lowest validation loss: its step, and its weights
    // with --keep-best; evaluations since, for --patience.
    BestEvaluation best(keepBest);
    bool stoppedEarly = false;
    const Clock::time_point start = Clock::now();
    InterruptGuard interrupt(&trainer);
    while (!trainer.finished()) {
        const int64_t before = trainer.progress().step;
        trainer.runEpoch();
        if (trainer.progress().diverged || (guard && verdict.kind != DivergenceKind::None)) {
            line.end();
            const Progress &at = trainer.progress();
            const std::string message = divergenceMessage(verdict, at.step + (at.diverged ? 1 : 0),
                                                          trainer.config().optimizer.lr, tc.optimizer.clip,
                                                          "--lr", "--clip");
            if (session)  // the weights of the last good step, or of the step the guard stopped at
                session->finish(trainer, model, {at.step, at.epochProgress, QStringLiteral("diverged"),
                                                 QString::fromStdString(message)});
            throw Failure(message + "; " + (out.empty() ? std::string("nothing") : out) + " was not written"
                          + (at.diverged ? std::string() : " (--no-guard trains on)"));
        }
        if (interrupt.signal())
            break;  // between two steps: the checkpoint and the rows below
        if (trainer.progress().step == before)
            throw Failure("the trainer made no progress at step " + std::to_string(before));
        EvalResult val;
        EvalPoint point;
        if (evaluateEachEpoch) {
            val = evaluate(model, valSet, trainer.config().taskWeights);
            point = evalPoint(trainer.progress(), val);
            if (session)
                session->evaluated(point);
        }
        if (metrics)
            metrics->flush(evaluateEachEpoch ? &point : nullptr);
        if (!json) {
            line.clear();
            printEpoch(currentEpoch + 1, epochs, epochSteps ? epochLoss / double(epochSteps) : 0.0,
                       evaluateEachEpoch ? &val : nullptr, tasks);
        }
        // The weights (runEpoch leaves them exact) of a new best with --keep-best.
        if (evaluateEachEpoch
            && !best.offer(val.loss, trainer.progress().step, trainer.progress().epochProgress, model.params)
            && best.exhausted(patience) && !trainer.finished()) {
            stoppedEarly = true;
            break;
        }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    line.end();
    // An interrupted run keeps the weights of its last step and skips the
    // validation pass (it may take long); a signal from here on waits too.
    const int interrupted = interrupt.signal();

    // The session keeps the run as it went, to its last step; --out gets the
    // best evaluation's weights with --keep-best.
    if (session)
        session->finish(trainer, model,
                        {last.step, last.epochProgress,
                         interrupted ? QStringLiteral("interrupted") : QStringLiteral("finished"),
                         interrupted    ? QStringLiteral("attnscope-cli train, %1").arg(strsignal(interrupted))
                         : stoppedEarly ? QStringLiteral("attnscope-cli train, no lower validation loss in %1 "
                                                         "evaluations (--patience)").arg(patience)
                                        : QStringLiteral("attnscope-cli train")});
    const bool restoredBest = keepBest && best.any() && best.step() != last.step;
    if (restoredBest)
        std::copy(best.params().begin(), best.params().end(), model.params.begin());

    std::optional<EvalResult> validation;
    if (!valSet.samples.empty() && !interrupted)
        validation = evaluate(model, valSet, trainer.config().taskWeights);

    if (!out.empty() && !saveCheckpoint(model, out, &error))
        throw Failure(error.find(out) == std::string::npos ? out + ": " + error : error);
    // After the checkpoint: metrics that could not be written lose no training.
    if (metrics)
        metrics->close();
    if (interrupted) {
        std::fprintf(stderr, "%s: stopped at step %lld of %lld; %s\n", strsignal(interrupted),
                     static_cast<long long>(last.step), static_cast<long long>(last.totalSteps),
                     out.empty() ? "the session has its weights" : ("checkpoint written to " + out).c_str());
    }

    const double trainLoss = epochSteps ? epochLoss / double(epochSteps) : 0.0;
    if (json) {
        JsonWriter w(stdout, true);
        w.beginObject();
        w.key("checkpoint");
        if (out.empty())
            w.null();
        else
            w.value(out);
        if (session) {
            w.key("session");
            w.value(sessionPath);
            w.key("run");
            w.value(record.name.toStdString());
        }
        w.key("steps");
        w.value(int64_t(last.step));
        w.key("interrupted");
        w.value(interrupted != 0);
        w.key("stopped_early");
        w.value(stoppedEarly);
        w.key("best_step");
        if (best.any())
            w.value(best.step());
        else
            w.null();
        w.key("checkpoint_step");
        w.value(restoredBest ? best.step() : int64_t(last.step));
        w.key("epochs");
        w.value(last.epochProgress);
        w.key("seconds");
        w.value(seconds);
        w.key("steps_per_second");
        w.value(seconds > 0 ? double(last.step - firstStep) / seconds : 0.0);
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
        return interrupted ? 128 + interrupted : ExitOk;
    }

    std::printf("trained %lld steps in %.2f s (%.1f steps/s); train loss %.4f (mean of the last epoch)\n",
                static_cast<long long>(last.step - firstStep), seconds, seconds > 0 ? double(last.step - firstStep) / seconds : 0.0,
                trainLoss);
    if (stoppedEarly)
        std::printf("stopped early: no lower validation loss in %lld evaluations (--patience)\n",
                    static_cast<long long>(patience));
    if (restoredBest)
        std::printf("the checkpoint holds the weights of step %lld (epoch %.2f), the lowest validation loss "
                    "(--keep-best)\n",
                    static_cast<long long>(best.step()), best.epochs());
    if (validation) {
        std::printf("validation (%d samples): loss %.4f\n", validation->samples, validation->loss);
        printEval(stdout, *validation, tasks);
    } else if (!interrupted) {
        std::printf("no validation samples (--val-fraction %s)\n", p.string("val-fraction", "0.2").c_str());
    }
    if (!out.empty())
        std::printf("checkpoint written to %s\n", out.c_str());
    if (session)
        std::printf("run '%s' written to %s (step %lld)\n", record.name.toStdString().c_str(), sessionPath.c_str(),
                    static_cast<long long>(last.step));
    return interrupted ? 128 + interrupted : ExitOk;
}

} // namespace attnscope::cli
