// attnscope-cli explain: the five scores of MODEL.md 9 for every sample and
// task, their faithfulness (ERASER's comprehensiveness and sufficiency
// against a seeded random ranking) and plausibility (AUPRC, mass), per
// sample and as the set's means; computed by the core (core/explain.h).
#include "attentionjson.h"
#include "attentionsnapshot.h"
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

// What explain is asked for, read and checked in the order the options are
// listed (the first one wrong is the one reported).
struct ExplainRequest {
    std::string checkpoint;
    std::string split;  // train, val or all
    double valFraction = 0.2;
    ExplainOptions options;
    bool summaryOnly = false;
    std::string outPath;
};

void addExplainOptions(ArgParser &p)
{
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
}

ExplainRequest readRequest(const ArgParser &p)
{
    ExplainRequest request;
    request.checkpoint = p.required("checkpoint");
    p.exclusive("data", "text");
    p.exclusive("split", "text");
    refuseFileOptionsWithText(p);
    if (!p.isSet("data") && !p.isSet("text"))
        throw UsageError(p.command() + ": --data or --text is required (see " + p.command() + " --help)");
    request.split = p.choice("split", "all", {"train", "val", "all"});
    request.valFraction = p.number("val-fraction", 0.2, 0.0, 1.0);
    if (request.valFraction >= 1.0)
        p.fail("val-fraction", "must be below 1");
    ExplainOptions &options = request.options;
    options.seed = p.unsignedInteger("seed", 1);
    options.classChoice = p.choice("class", "predicted", {"predicted", "gold"}) == "gold" ? ClassChoice::Gold
                                                                                          : ClassChoice::Predicted;
    if (options.classChoice == ClassChoice::Gold && p.isSet("text"))
        p.fail("class", "gold needs labels, which --text has not; use --data");
    options.igSteps = int(p.integer("ig-steps", 20, 1, 100000));
    options.methods = parseMethods(p);
    request.summaryOnly = p.isSet("summary");
    request.outPath = p.string("out");
    checkFileOptions(p, {"checkpoint", "data"}, {{"out", OutputMode::Stream}});
    return request;
}

// The samples explained: the one of --text, or those of --data's split.
std::vector<int> samplesToExplain(const ArgParser &p, const Model &model, const ExplainRequest &request,
                                  Dataset *data)
{
    if (p.isSet("text"))
        return {0};
    warnSplitColumn(p, *data);
    // The labels and rationales mean the same when the data's tasks are
    // the model's and its classes among the model's.
    if (std::string misfit = fitToModel(data, model, request.checkpoint); !misfit.empty()) {
        if (request.options.classChoice == ClassChoice::Gold)
            throw Failure(misfit);  // says how they differ
        std::fprintf(stderr, "warning: %s has other tasks or classes than %s: its labels and rationales are "
                             "not used\n", data->source.c_str(), request.checkpoint.c_str());
        dropLabels(model, data);
    }
    return splitIndices(p, *data, request.split, request.valFraction, request.options.seed);
}

// One sample of the longest the model takes must fit, forward and, for
// the gradients, backward (checked before the output is opened); the
// copies of a sample go in chunks of at most a quarter of the budget.
void fitToMemory(const std::string &source, const Model &model, ExplainOptions *options)
{
    const double budget = double(memoryBudget());
    const bool gradient = options->wants(Method::Gradient) || options->wants(Method::Integrated);
    if (std::string problem = checkPassMemory(source, model.config, model.config.seqLen(), false, budget, gradient);
        !problem.empty())
        throw Failure(problem);
    options->batchBytes = size_t(std::min(double(options->batchBytes), budget / 4));
}

// The JSON of docs/cli.md: a gated model's gates and each sample's
// explanation (unless --summary), and the set's faithfulness.
void writeExplanations(const Model &model, const Dataset &data, const std::vector<int> &indices,
                       const ExplainRequest &request)
{
    const ExplainOptions &options = request.options;
    std::FILE *out = openOutput(request.outPath);
    JsonWriter w(out, false);
    w.beginObject();
    if (!request.summaryOnly) {
        writeGates(w, model.tasks, gateValues(model));  // nothing unless gated, as attention
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
            if (!request.summaryOnly)
                writeSample(w, model, encoded.samples[i], e, options.methods);
            line.update("explain: " + std::to_string(begin + i + 1) + " / " + std::to_string(indices.size())
                            + " samples",
                        false);
        }
    }
    line.clear();
    if (!request.summaryOnly)
        w.endArray();
    w.key("faithfulness");
    writeFaithfulnessSummary(w, model.tasks, summary, options.methods);
    w.endObject();
    closeOutput(out, request.outPath, w.finish());
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
    addExplainOptions(p);
    if (helpAsked(p, args))
        return ExitOk;
    ExplainRequest request = readRequest(p);
    const Model model = loadModel(request.checkpoint);
    Dataset data = loadInput(p, model, request.checkpoint);
    const std::vector<int> indices = samplesToExplain(p, model, request, &data);
    if (std::string error; !checkStandardised(data, indices, model.inputMean, model.inputStd, &error))
        throw Failure(error);  // before any output (encodeFor checks each chunk too late for that)
    const std::string source = p.isSet("text") ? std::string("--text") : data.source;
    fitToMemory(source, model, &request.options);
    workingOn(source, "explaining " + request.checkpoint + " on it");
    writeExplanations(model, data, indices, request);
    return ExitOk;
}

} // namespace attnscope::cli
