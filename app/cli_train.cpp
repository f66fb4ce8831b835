// attnscope-cli train: split, build or load a model, train it with the core's
// Trainer, report progress and validation metrics, write the checkpoint.
// Here the options, the session, the data and the run (cli_train.h).
#include "cli_train.h"

#include "memorybudget.h"
#include "run.h"

#include <algorithm>

namespace attnscope::cli {

namespace {

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

// The options of train.
void addTrainOptions(ArgParser &p)
{
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
}

} // namespace

int TrainCommand::run()
{
    readOptions();
    openSession();
    buildRun();
    beginRun();
    trainEpochs();
    finishRun();
    return m_json ? printJson() : printText();
}

// Every flag is checked before anything is loaded.
void TrainCommand::readOptions()
{
    m_sessionPath = p.string("session");
    m_resume = p.string("resume");
    // The window refuses a blank name when a run is renamed, and trims one;
    // "" took the default name without a word.
    if (p.isSet("run-name")) {
        const std::string name = p.string("run-name");
        const size_t first = name.find_first_not_of(" \t\n\r\v\f");
        if (first == std::string::npos)
            p.fail("run-name", "a run needs a name (not '" + name + "')");
        if (first > 0 || name.find_last_not_of(" \t\n\r\v\f") + 1 < name.size())
            p.fail("run-name", "'" + name + "' has blanks around it");
    }
    if (m_sessionPath.empty())
        for (const char *flag : {"run-name", "resume", "keep-every"})
            if (p.isSet(flag))
                p.fail(flag, "needs --session FILE");
    if (!m_resume.empty())
        for (const char *flag : {"init", "initial-from", "initial-out", "run-name", "val-fraction", "layers", "heads", "dim", "ffn", "mode", "max-len", "max-vocab", "min-freq",
                                 "rationale-weight", "optimizer", "lr", "momentum", "weight-decay", "batch-size", "epochs",
                                 "clip", "schedule", "warmup", "task-weight", "seed", "no-shuffle"})
            if (p.isSet(flag))
                p.fail(flag, "a resumed run keeps the settings it was started with (--resume " + m_resume + ")");
    m_spec = m_resume.empty() ? p.required("data") : p.string("data");
    m_out = m_sessionPath.empty() ? p.required("out") : p.string("out");
    m_init = p.string("init");
    m_initialOut = p.string("initial-out");
    m_initialFrom = p.string("initial-from");
    p.exclusive("epochs", "steps");
    p.exclusive("init", "initial-from");
    m_valFraction = p.number("val-fraction", 0.2, 0.0, 1.0);
    if (m_valFraction >= 1.0)
        p.fail("val-fraction", "must be below 1 (some samples must train)");

    ModelConfig &mc = m_mc;
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

    TrainConfig &tc = m_tc;
    if (!parseOptimizer(p.choice("optimizer", "adamw", {"adamw", "adam", "sgd"}), &tc.optimizer.kind))
        p.fail("optimizer", "unknown optimizer");
    tc.optimizer.lr = float(p.number("lr", 0.003, 0.0, 1e6));
    tc.optimizer.momentum = float(p.number("momentum", 0.0, 0.0, 1.0));
    tc.optimizer.weightDecay = float(p.number("weight-decay", 0.01, 0.0, 1e6));
    tc.optimizer.clip = float(p.number("clip", 0.0, 0.0, 1e30));
    tc.optimizer.schedule = p.choice("schedule", "constant", {"constant", "cosine"}) == "cosine"
                                ? Schedule::Cosine : Schedule::Constant;
    tc.optimizer.warmup = p.integer("warmup", 0, 0, int64_t(1) << 40);
    // Settings the run would not use are refused rather than ignored in silence.
    if (tc.optimizer.momentum != 0.0f && tc.optimizer.kind != OptimizerKind::SGD)
        p.fail("momentum",
               "only --optimizer sgd uses momentum (the optimizer is " + p.string("optimizer", "adamw") + ")");
    if (tc.optimizer.warmup != 0 && tc.optimizer.schedule != Schedule::Cosine)
        p.fail("warmup", "only --schedule cosine warms up (the schedule is constant)");
    tc.batchSize = int(p.integer("batch-size", 32, 1, 1 << 30));
    tc.epochs = int(p.integer("epochs", TrainConfig().epochs, 1, 1 << 30));
    tc.steps = p.integer("steps", 0, 1, int64_t(1) << 40);
    tc.seed = p.unsignedInteger("seed", 1);
    tc.shuffle = !p.isSet("no-shuffle");
    tc.threads = int(p.integer("threads", 1, 1, 1024));
    tc.rationaleWeight = float(p.number("rationale-weight", 0.0, 0.0, 1e6));
    m_json = p.isSet("json");
    m_metricsPath = p.string("metrics");
    m_keepEvery = p.integer("keep-every", 0, 1, int64_t(1) << 40);
    m_keepBest = p.isSet("keep-best");
    m_patience = p.integer("patience", 0, 1, int64_t(1) << 40);
    if (m_keepBest && m_valFraction <= 0 && !p.isSet("resume"))
        p.fail("keep-best", "needs validation samples (--val-fraction above 0)");
    if (m_patience > 0 && m_valFraction <= 0 && !p.isSet("resume"))
        p.fail("patience", "needs validation samples (--val-fraction above 0)");

    // What is at --out, --metrics and --session, before the data is loaded: a
    // device or FIFO is never replaced by the checkpoint or made a session,
    // and no output overwrites an input.
    checkFileOptions(p, {"data", "init", "initial-from"},
                     {{"out", OutputMode::Replace}, {"metrics", OutputMode::Stream}, {"session", OutputMode::Replace},
                      {"initial-out", OutputMode::Replace}});
}

// The session before the data: a file that is no session is refused
// first. A resumed run brings its data, settings and checkpoint.
void TrainCommand::openSession()
{
    m_dataSpec = m_spec;
    m_loadOptions = columnOptions(p);
    m_split = m_valFraction;
    if (m_sessionPath.empty())
        return;
    m_session = std::make_unique<TrainSession>(m_sessionPath);
    if (m_resume.empty()) {
        m_record.name = QString::fromStdString(m_session->freeName(p, p.string("run-name")));
        // A session is one data set's runs compared: another's figures
        // (its loss, its "best") do not compare with this run's.
        if (const std::vector<std::string> others = m_session->runsOnOtherData(m_dataSpec); !others.empty()) {
            std::string list;
            for (size_t i = 0; i < others.size() && i < 3; ++i)
                list += (i ? ", " : "") + others[i];
            if (others.size() > 3)
                list += ", and " + std::to_string(others.size() - 3) + " more";
            std::fprintf(stderr, "warning: %s holds runs on other data than %s: %s; their figures do not compare "
                                 "with this run's\n", m_sessionPath.c_str(), m_dataSpec.c_str(), list.c_str());
        }
        return;
    }
    m_record = m_session->resumable(p, m_resume, &m_resumeFrom);
    if (m_dataSpec.empty())
        m_dataSpec = m_record.dataset.toStdString();
    if (m_loadOptions.empty())
        m_loadOptions = m_record.options;
    m_split = m_record.valFraction;
    const int64_t steps = m_tc.steps;
    const int threads = m_tc.threads;
    m_tc = m_record.train;
    if (p.isSet("steps")) {
        m_tc.steps = steps;
        if (steps <= m_resumeFrom.step)
            p.fail("steps", "run '" + m_resume + "' is at step " + std::to_string(m_resumeFrom.step)
                                + " already; --steps is the run's total");
    }
    if (p.isSet("threads"))
        m_tc.threads = threads;
}

// The data and the run: planRun decides what it starts from (the --init
// checkpoint, which must fit the data, or a fresh model); buildSetup makes
// the split, the model and the encoded splits, as the window does.
void TrainCommand::buildRun()
{
    const Dataset data = loadData(m_dataSpec, m_loadOptions);
    if (m_resume.empty())
        warnSplitColumn(p, data);
    RunRequest request;
    request.config = m_mc;
    std::string error;
    if (!m_resume.empty()) {
        // The checkpoint's weights on the split they were trained on (the
        // same data, fraction and seed make the same split and encoding).
        auto model = std::make_shared<Model>();
        if (!parseCheckpoint(m_resumeFrom.weights.toStdString(), m_sessionPath + " (run " + m_resume + ")", model.get(), &error))
            throw Failure(error);
        request.checkpoint = model;
        request.checkpointName = m_sessionPath + " (run " + m_resume + ")";
    } else if (!m_init.empty()) {
        request.checkpoint = std::make_shared<const Model>(loadModel(m_init));
        request.checkpointName = m_init;
        checkInitConflicts(p, m_mc, request.checkpoint->config, m_init);
    } else if (!m_initialFrom.empty()) {
        request.coincideWith = std::make_shared<const Model>(loadModel(m_initialFrom));
    }
    RunPlan plan = planRun(data, request);
    if (!plan.misfit.empty())
        throw Failure(plan.misfit);
    if (m_resume.empty())
        m_tc.taskWeights = taskWeights(p, data.tasks);
    if (m_tc.rationaleWeight > 0 && !data.hasRationales())
        std::fprintf(stderr, "warning: --rationale-weight has no effect: %s has no rationales\n", m_dataSpec.c_str());
    if (!buildSetup(data, plan, m_tc, m_split, &m_setup, &error))
        throw Failure(error);
    // Nothing taken is a run that starts from its own weights, not the
    // shared ones it was asked for (a tabular checkpoint for text data): it
    // trained without a word.
    if (request.coincideWith && m_setup.coincided == 0)
        throw Failure(m_initialFrom + ": none of its weights coincides in name and shape with this run's model ("
                      + toString(request.coincideWith->config.input) + " model of width "
                      + std::to_string(request.coincideWith->config.dim) + "; the run: "
                      + toString(model().config.input) + " data, width " + std::to_string(model().config.dim)
                      + "), so --initial-from would take nothing");
    if (data.hasFileSplit()) {
        m_splitOrigin = data.fileSplitCounts();
    } else {
        char fraction[32];
        std::snprintf(fraction, sizeof fraction, "%g", m_split);
        m_splitOrigin = std::string("--val-fraction ") + fraction;
    }
    request.checkpoint.reset();  // the setup holds the weights now
    plan.checkpoint.reset();
    if (!m_initialOut.empty() && !saveCheckpoint(model(), m_initialOut, &error))
        throw Failure(error);
    const EncodedDataset &trainSet = m_setup.train, &valSet = m_setup.val;
    // A step's activations and attention, the weights' copies and the
    // validation pass, against the budget before any of it is allocated.
    const int longestTrain = longestSample(trainSet);
    const RunMemory need = runMemory(model().config, m_tc, int(trainSet.samples.size()), longestTrain,
                                     int(valSet.samples.size()), longestSample(valSet), 0,
                                     valSet.samples.empty() ? 0 : 1, false);
    if (std::string problem = checkRunMemory(m_dataSpec, model().config, need, double(memoryBudget())); !problem.empty())
        throw Failure(problem);
    if (m_resume.empty() && m_init.empty() && model().config.input == InputKind::Text) {
        warnLongMaxLen(longestTrain);
        // --min-freq above every count (or --max-vocab 2) leaves no word.
        if (model().vocab.size() <= 2)
            std::fprintf(stderr,
                         "warning: the vocabulary holds only <pad> and <unk> (--max-vocab %d, --min-freq %d): every "
                         "token reads as <unk>, so the model cannot tell the texts apart; `attnscope-cli summary "
                         "--min-freq K --max-vocab N` shows the vocabulary they give\n",
                         model().config.maxVocab, model().config.minFreq);
    }
}

// A max length far above every text costs a position table row per
// position (weights, moments, checkpoint) and buys nothing.
void TrainCommand::warnLongMaxLen(int longestTrain) const
{
    const ModelConfig &config = m_setup.model.config;
    const int longest = std::max(longestTrain, 1);
    if (config.maxLen > 4 * std::max(longest, 64))
        std::fprintf(stderr,
                     "warning: --max-len %d is far above the longest training text (%d tokens): its position "
                     "table takes %s of weights, %s more while training, and the checkpoint as much; "
                     "--max-len %d would do\n",
                     config.maxLen, longest,
                     formatBytes(double(config.maxLen) * config.dim * 4).c_str(),
                     formatBytes(3.0 * config.maxLen * config.dim * 4).c_str(), std::max(longest, 64));
}

// The trainer, the metrics file and the session's run; the first line.
void TrainCommand::beginRun()
{
    workingOn(m_dataSpec, "training on it");
    if (!m_metricsPath.empty())
        m_metrics = std::make_unique<MetricsCsv>(m_metricsPath, taskNameList(tasks()));

    m_trainer = std::make_unique<Trainer>(model(), m_setup.train, m_tc);
    Trainer &trainer = *m_trainer;
    std::string error;
    if (!m_resume.empty() && !trainer.restore(m_resumeFrom.trainer, &error))
        throw Failure(m_sessionPath + ": run '" + m_resume + "': " + error);
    if (m_session) {
        m_session->setKeepEvery(m_keepEvery > 0 ? m_keepEvery : attnscope::keepEvery(trainer.progress().totalSteps));
        if (m_resume.empty()) {
            m_record.dataset = absoluteDatasetSpec(QString::fromStdString(m_dataSpec));
            m_record.options = m_loadOptions;
            m_record.valFraction = m_valFraction;
            m_record.model = model().config;
            m_record.train = m_tc;
            m_record.tasks = taskNames(tasks());
        }
        const Progress &at = trainer.progress();
        m_session->begin(&m_record, m_resume.empty()
                                        ? RunEvent{0, 0.0, QStringLiteral("start"), QStringLiteral("attnscope-cli train")}
                                        : RunEvent{at.step, at.epochProgress, QStringLiteral("resume"),
                                                   QStringLiteral("attnscope-cli train, to step %1").arg(at.totalSteps)});
    }
    m_epochs = m_tc.steps > 0 && trainer.stepsPerEpoch() > 0
                   ? (m_tc.steps + trainer.stepsPerEpoch() - 1) / trainer.stepsPerEpoch()
                   : m_tc.epochs;
    if (!m_json)
        std::printf("training on %s: %zu train / %zu val samples, %lld steps of %d (%lld epoch%s)\n",
                    m_dataSpec.c_str(), m_setup.train.samples.size(), m_setup.val.samples.size(),
                    static_cast<long long>(m_tc.steps > 0 ? m_tc.steps : trainer.stepsPerEpoch() * m_tc.epochs),
                    m_tc.batchSize, static_cast<long long>(m_epochs), m_epochs == 1 ? "" : "s");
    std::fflush(stdout);
}

int train(const std::vector<std::string> &args)
{
    ArgParser p("attnscope-cli train", "--data SPEC --out CKPT.safetensors [options]",
                "Trains a model on a dataset (a CSV, TSV or JSONL file, or builtin:NAME[?n=2000&seed=7])\n"
                "and writes it as a safetensors checkpoint. The validation split is a function of the\n"
                "data, --val-fraction and --seed (a split column in the file wins over --val-fraction),\n"
                "so 'eval --split val' scores the held-out samples. Ctrl+C (SIGINT) or SIGTERM stops\n"
                "at the next step and writes the checkpoint; a second one stops at once.");
    addTrainOptions(p);
    if (helpAsked(p, args))
        return ExitOk;
    return TrainCommand(p).run();
}

} // namespace attnscope::cli
