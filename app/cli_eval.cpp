// attnscope-cli eval and attention: score a checkpoint on a split, and dump
// what the model attends to (the core's own activations, via inspect()).
#include "attentionjson.h"
#include "attentionsnapshot.h"
#include "cli.h"
#include "memorybudget.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <unistd.h>

namespace attnscope::cli {

int eval(const std::vector<std::string> &args)
{
    ArgParser p("attnscope-cli eval", "--checkpoint CKPT --data SPEC [options]",
                "Scores a checkpoint on a split of a dataset: per-task loss, accuracy, macro-F1 and,\n"
                "where the data has rationales, attention mass on them and their AUPRC. The split is\n"
                "recomputed as 'train' made it (same --val-fraction and --seed).");
    p.addOption("checkpoint", "CKPT", "the model (safetensors)");
    p.addOption("data", "SPEC", dataHelp());
    p.addOption("split", "NAME", "samples to score: train, val or all", "val");
    p.addOption("val-fraction", "F", "validation fraction used by train", "0.2");
    p.addOption("seed", "S", "seed used by train", "1");
    addTaskWeightOption(p);
    p.addFlag("json", "print {\"samples\", \"loss\", \"tasks\": {NAME: {...}}} as JSON");
    addColumnOptions(p);
    if (helpAsked(p, args))
        return ExitOk;
    const std::string checkpoint = p.required("checkpoint");
    const std::string spec = p.required("data");
    const std::string which = p.choice("split", "val", {"train", "val", "all"});
    const double valFraction = p.number("val-fraction", 0.2, 0.0, 1.0);
    if (valFraction >= 1.0)
        p.fail("val-fraction", "must be below 1");
    const uint64_t seed = p.unsignedInteger("seed", 1);
    const bool json = p.isSet("json");
    checkFileOptions(p, {"checkpoint", "data"}, {});

    const Model model = loadModel(checkpoint);
    Dataset data = loadData(spec, columnOptions(p, model, spec));
    warnSplitColumn(p, data);
    requireCompatible(&data, model, checkpoint);
    const std::vector<float> weights = taskWeights(p, model.tasks);

    const std::vector<int> indices = splitIndices(p, data, which, valFraction, seed);
    const EncodedDataset encoded = encodeFor(model, data, indices);
    // evaluate() takes batches that fit; one sample must.
    if (std::string problem = checkPassMemory(spec, model.config, longestSample(encoded), false, double(memoryBudget()));
        !problem.empty())
        throw Failure(problem);
    workingOn(spec, "evaluating " + checkpoint + " on it");
    const EvalResult result = evaluate(model, encoded, weights);

    if (json) {
        JsonWriter w(stdout, true);
        writeEvalJson(w, result, model.tasks);
        finishJson(w, "standard output");
    } else {
        std::printf("%s on %s, %s split (%d samples): loss %.4f\n", checkpoint.c_str(), spec.c_str(),
                    which.c_str(), result.samples, result.loss);
        printEval(stdout, result, model.tasks);
    }
    return ExitOk;
}

namespace {

void writeSample(JsonWriter &w, const Model &model, const EncodedSample &sample, const SampleOutputs &out)
{
    std::vector<std::string> tokens;
    if (model.config.input == InputKind::Text) {
        for (const Token &token : sample.tokens)
            tokens.push_back(token.text);
    } else {
        // Every feature, present or not: a missing one gets zero attention.
        for (size_t j = 0; j < sample.mask.size() && j < model.features.size(); ++j)
            tokens.push_back(model.features[j]);
    }
    writeAttentionSample(w, model.tasks, tokens, out.pool, out.probs, out.selfAttention);
}

// One sample of the longest the model takes, with its maps, must fit
// (checked before the output is opened). The samples go in chunks, so that
// a large dataset streams out instead of piling up: 128, fewer when their
// self-attention maps (every sample's are written) would take more than a
// quarter of the memory budget.
size_t attentionChunk(const std::string &source, const Model &model, bool layers)
{
    const double budget = double(memoryBudget());
    if (std::string problem = checkPassMemory(source, model.config, model.config.seqLen(), layers, budget);
        !problem.empty())
        throw Failure(problem);
    const double maps =
        layers ? std::max(forwardBytes(model.config, 1, model.config.seqLen()).selfAttention, 1.0) : 1.0;
    return size_t(std::clamp(budget / 4 / maps, 1.0, 128.0));
}

// The JSON of docs/cli.md: the gates, then the first `count` samples' attention, `chunk` at a time.
void writeAttention(const Model &model, const Dataset &data, size_t count, size_t chunk, bool layers,
                    const std::string &outPath)
{
    std::FILE *out = openOutput(outPath);
    JsonWriter w(out, false);
    w.beginObject();
    writeGates(w, model.tasks, gateValues(model));
    w.key("samples");
    w.beginArray();
    for (size_t begin = 0; begin < count; begin += chunk) {
        std::vector<int> indices;
        for (size_t i = begin; i < std::min(count, begin + chunk); ++i)
            indices.push_back(int(i));
        const EncodedDataset encoded = encodeFor(model, data, indices);
        InspectOptions inspectOptions;
        if (!layers)  // no sample's maps are copied out
            inspectOptions.selfAttention.assign(encoded.samples.size(), 0);
        const std::vector<SampleOutputs> outputs =
            inspect(model, encoded, range(int(encoded.samples.size())), inspectOptions);
        if (outputs.size() != encoded.samples.size())
            throw Failure("inspect returned " + std::to_string(outputs.size()) + " results for "
                          + std::to_string(encoded.samples.size()) + " samples");
        for (size_t i = 0; i < outputs.size(); ++i)
            writeSample(w, model, encoded.samples[i], outputs[i]);
    }
    w.endArray();
    w.endObject();
    closeOutput(out, outPath, w.finish());
}

} // namespace

int attention(const std::vector<std::string> &args)
{
    ArgParser p("attnscope-cli attention", "--checkpoint CKPT (--data SPEC | --text \"...\") [options]",
                "Writes what the model attends to, as JSON: per sample its tokens, each task's\n"
                "attention over them (one weight per real token), its predictions, and every\n"
                "layer's self-attention maps ([layer][head][row][column]).");
    p.addOption("checkpoint", "CKPT", "the model (safetensors)");
    p.addOption("data", "SPEC", dataHelp() + " (labels unused)");
    p.addOption("text", "TEXT", "one text to look at (text models)");
    p.addOption("limit", "N", "only the first N samples of --data", "all");
    p.addOption("out", "FILE", "write the JSON here", "standard output");
    p.addFlag("no-layers", "leave out the self-attention maps (\"layers\": []), most of the output");
    addColumnOptions(p);
    if (helpAsked(p, args))
        return ExitOk;
    const std::string checkpoint = p.required("checkpoint");
    const bool layers = !p.isSet("no-layers");
    p.exclusive("data", "text");
    if (!p.isSet("data") && !p.isSet("text"))
        throw UsageError(p.command() + ": --data or --text is required (see " + p.command() + " --help)");
    refuseFileOptionsWithText(p);
    const int64_t limit = p.integer("limit", -1, 0, int64_t(1) << 40);
    const std::string outPath = p.string("out");
    checkFileOptions(p, {"checkpoint", "data"}, {{"out", OutputMode::Stream}});

    const Model model = loadModel(checkpoint);
    Dataset data = loadInput(p, model, checkpoint);
    dropLabels(model, &data);
    size_t count = data.samples.size();
    if (limit >= 0)
        count = std::min(count, size_t(limit));

    if (std::string error; !checkStandardised(data, range(int(count)), model.inputMean, model.inputStd, &error))
        throw Failure(error);  // before any output (encodeFor checks each chunk too late for that)
    const std::string source = p.isSet("text") ? std::string("--text") : data.source;
    const size_t chunk = attentionChunk(source, model, layers);
    workingOn(source, "taking the attention of " + checkpoint + " on it");
    writeAttention(model, data, count, chunk, layers, outPath);
    return ExitOk;
}

} // namespace attnscope::cli
