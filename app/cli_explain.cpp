// attnscope-cli explain: the five scores of MODEL.md 9 for every sample and
// task, their faithfulness (ERASER's comprehensiveness and sufficiency
// against a seeded random ranking) and plausibility (AUPRC, mass), per
// sample and as the set's means; computed by the core (core/explain.h).
#include "cli.h"
#include "explain.h"
#include "explainjson.h"
#include "memorybudget.h"

#include <algorithm>

namespace attnscope::cli {

namespace {

// The scores asked for with --methods, in Method order.
std::vector<Method> parseMethods(const ArgParser &p)
{
    std::vector<Method> methods;
    const std::string text = p.string("methods", "attention,rollout,gradient,integrated,occlusion");
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t comma = text.find(',', pos);
        if (comma == std::string::npos)
            comma = text.size();
        const std::string name = text.substr(pos, comma - pos);
        Method m = Method::Attention;
        if (!parseMethod(name, &m) || m == Method::Random)
            p.fail("methods", "'" + name + "' is not one of attention, rollout, gradient, integrated, occlusion");
        if (std::find(methods.begin(), methods.end(), m) != methods.end())
            p.fail("methods", "'" + name + "' is named twice");
        methods.push_back(m);
        pos = comma + 1;
    }
    std::sort(methods.begin(), methods.end());
    return methods;
}

// One element of "samples" (core/explainjson.h): the real tokens are the
// text's, or a tabular sample's features.
void writeSample(JsonWriter &w, const Model &model, const EncodedSample &sample, const SampleExplanation &e,
                 const std::vector<Method> &methods)
{
    std::vector<std::string> tokens;
    if (model.config.input == InputKind::Text)
        for (const auto &token : sample.tokens)
            tokens.push_back(token.text);
    writeExplainedSample(w, model.tasks, model.config.input == InputKind::Text ? tokens : model.features, e, methods);
}

} // namespace

int explain(const std::vector<std::string> &args)
{
    ArgParser p("attnscope-cli explain", "--checkpoint CKPT (--data SPEC | --text \"...\") [options]",
                "Explains each prediction with five scores per token (attention, rollout, gradient x input,\n"
                "integrated gradients, occlusion) and measures how faithful each is: ERASER's\n"
                "comprehensiveness and sufficiency of its ranking (and of a seeded random ranking, the\n"
                "floor), and where the data has rationales, its AUPRC and attention mass on them.\n"
                "Writes JSON (docs/cli.md): per sample and task, and the set's means per task.");
    p.addOption("checkpoint", "CKPT", "the model (safetensors)");
    p.addOption("data", "SPEC", dataHelp());
    p.addOption("text", "TEXT", "one text to explain (text models)");
    p.addOption("split", "NAME", "samples of --data: train, val or all (as 'train' split them)", "all");
    p.addOption("val-fraction", "F", "validation fraction used by train", "0.2");
    p.addOption("seed", "S", "seed used by train; also seeds the random ranking", "1");
    p.addOption("class", "WHICH", "the class explained: predicted, or gold (samples without a label are left out)",
                "predicted");
    p.addOption("ig-steps", "S", "steps of integrated gradients", "20");
    p.addOption("methods", "LIST", "scores to compute, comma-separated",
                "attention,rollout,gradient,integrated,occlusion");
    p.addFlag("summary", "print only the set's means ({\"faithfulness\": ...})");
    p.addOption("out", "FILE", "write the JSON here", "standard output");
    addColumnOptions(p);
    if (!p.parse(args)) {
        std::fputs(p.help().c_str(), stdout);
        return ExitOk;
    }
    const std::string checkpoint = p.required("checkpoint");
    p.exclusive("data", "text");
    p.exclusive("split", "text");
    if (!p.isSet("data") && !p.isSet("text"))
        throw UsageError(p.command() + ": --data or --text is required (see " + p.command() + " --help)");
    const std::string which = p.choice("split", "all", {"train", "val", "all"});
    const double valFraction = p.number("val-fraction", 0.2, 0.0, 1.0);
    if (valFraction >= 1.0)
        p.fail("val-fraction", "must be below 1");
    ExplainOptions options;
    options.seed = p.unsignedInteger("seed", 1);
    options.classChoice = p.choice("class", "predicted", {"predicted", "gold"}) == "gold" ? ClassChoice::Gold
                                                                                          : ClassChoice::Predicted;
    if (options.classChoice == ClassChoice::Gold && p.isSet("text"))
        p.fail("class", "gold needs labels, which --text has not; use --data");
    options.igSteps = int(p.integer("ig-steps", 20, 1, 100000));
    options.methods = parseMethods(p);
    const bool summaryOnly = p.isSet("summary");
    const std::string outPath = p.string("out");
    checkFileOptions(p, {"checkpoint", "data"}, {{"out", OutputMode::Stream}});

    const Model model = loadModel(checkpoint);
    Dataset data = loadInput(p, model, checkpoint);
    std::vector<int> indices;
    if (p.isSet("text")) {
        indices = {0};
    } else {
        warnSplitColumn(p, data);
        // The labels and rationales mean the same when the data's tasks are
        // the model's and its classes among the model's.
        if (std::string misfit = fitToModel(&data, model, checkpoint); !misfit.empty()) {
            if (options.classChoice == ClassChoice::Gold)
                throw Failure(misfit);  // says how they differ
            std::fprintf(stderr, "warning: %s has other tasks or classes than %s: its labels and rationales are "
                                 "not used\n", data.source.c_str(), checkpoint.c_str());
            dropLabels(model, &data);
        }
        indices = splitIndices(p, data, which, valFraction, options.seed);
    }

    if (std::string error; !checkStandardised(data, indices, model.inputMean, model.inputStd, &error))
        throw Failure(error);  // before any output (encodeFor checks each chunk too late for that)
    // One sample of the longest the model takes must fit, forward and, for
    // the gradients, backward (checked before the output is opened); the
    // copies of a sample go in chunks of at most a quarter of the budget.
    const double budget = double(memoryBudget());
    const std::string source = p.isSet("text") ? std::string("--text") : data.source;
    const bool gradient = options.wants(Method::Gradient) || options.wants(Method::Integrated);
    if (std::string problem = checkPassMemory(source, model.config, model.config.seqLen(), false, budget, gradient);
        !problem.empty())
        throw Failure(problem);
    options.batchBytes = size_t(std::min(double(options.batchBytes), budget / 4));
    workingOn(source, "explaining " + checkpoint + " on it");
    std::FILE *out = openOutput(outPath);
    JsonWriter w(out, false);
    w.beginObject();
    if (!summaryOnly) {
        w.key("samples");
        w.beginArray();
    }
    FaithfulnessSummary summary(model.config.tasks());
    ExplainWorkspace workspace;
    ProgressLine line(true, std::chrono::milliseconds(1000));
    // In chunks, so that a large dataset streams out instead of piling up.
    constexpr size_t chunk = 128;
    for (size_t begin = 0; begin < indices.size(); begin += chunk) {
        const std::vector<int> part(indices.begin() + long(begin),
                                    indices.begin() + long(std::min(indices.size(), begin + chunk)));
        const EncodedDataset encoded = encodeFor(model, data, part);
        for (size_t i = 0; i < encoded.samples.size(); ++i) {
            const SampleExplanation e = explainSample(model, encoded, int(i), options, workspace);
            summary.add(e);
            if (!summaryOnly)
                writeSample(w, model, encoded.samples[i], e, options.methods);
            line.update("explain: " + std::to_string(begin + i + 1) + " / " + std::to_string(indices.size())
                            + " samples",
                        false);
        }
    }
    line.clear();
    if (!summaryOnly)
        w.endArray();
    w.key("faithfulness");
    writeFaithfulnessSummary(w, model.tasks, summary, options.methods);
    w.endObject();
    closeOutput(out, outPath, w.finish());
    return ExitOk;
}

} // namespace attnscope::cli
