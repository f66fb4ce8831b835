#include "cli.h"

#include "checkpointroles.h"
#include "data/builtins.h"
#include "data/csvreader.h"
#include "memorybudget.h"

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <cmath>
#include <cstring>

#include <unistd.h>

namespace attnscope::cli {

namespace {

// error, prefixed with the file when the core's message does not name it.
std::string naming(const std::string &file, const std::string &error)
{
    if (error.find(file) != std::string::npos)
        return error;
    return file + ": " + (error.empty() ? std::string("unknown error") : error);
}

struct {
    std::string file, doing;
} g_work;

} // namespace

void workingOn(const std::string &file, const std::string &doing)
{
    g_work = {file, doing};
}

std::string outOfMemoryMessage()
{
    const std::string budget = " (the memory budget is " + formatBytes(double(memoryBudget())) + ")";
    if (g_work.file.empty())
        return "out of memory" + budget;
    return g_work.file + ": out of memory while " + g_work.doing + budget;
}

Dataset loadData(const std::string &spec, const LoadOptions &options, size_t warningsShown)
{
    workingOn(spec, "loading it");
    Dataset data;
    std::string error;
    if (!loadDataset(spec, options, &data, &error))
        throw Failure(naming(spec, error));
    const size_t shown = std::min(data.warnings.size(), warningsShown);
    for (size_t i = 0; i < shown; ++i)
        std::fprintf(stderr, "warning: %s\n", data.warnings[i].c_str());
    if (data.warnings.size() > shown && warningsShown > 0)
        std::fprintf(stderr, "warning: ... and %zu more warnings (attnscope-cli summary lists them all)\n",
                     data.warnings.size() - shown);
    if (data.samples.empty())
        throw Failure(spec + ": no usable samples");
    return data;
}

void warnSplitColumn(const ArgParser &parser, const Dataset &data)
{
    if (parser.isSet("val-fraction") && data.hasFileSplit())
        std::fprintf(stderr, "warning: --val-fraction %s has no effect: %s gives each sample's split (its split "
                             "column), which wins\n",
                     parser.string("val-fraction").c_str(), data.source.c_str());
}

std::string dataHelp()
{
    return "dataset: a CSV, TSV or JSONL file or " + builtinSpecHelp();
}

bool helpAsked(ArgParser &parser, const std::vector<std::string> &args)
{
    if (parser.parse(args))
        return false;
    std::fputs(parser.help().c_str(), stdout);
    return true;
}

void addColumnOptions(ArgParser &parser)
{
    // With a checkpoint, each flag replaces only its role (columnOptions below).
    const bool remembered = parser.has("checkpoint");
    const std::string guessed = remembered ? "the checkpoint's, else guessed" : "guessed";
    parser.addOption("text-column", "NAME", "CSV/TSV: the column holding the text", guessed + " (docs/datasets.md)");
    parser.addOption("feature-columns", "A,B,...", "CSV/TSV: numeric feature columns, in this order", guessed);
    parser.addOption("task-columns", "X,Y,...", "CSV/TSV: label columns, one task each", guessed);
    parser.addOption("split-column", "NAME", "CSV/TSV: a column of train / val / test", "a column named split");
    parser.addOption("ignore-columns", "A,B,...",
                     remembered ? "CSV/TSV: columns to leave out, whatever their names suggest; a column a flag names "
                                  "loses the checkpoint's role, the other roles stay the checkpoint's"
                                : "CSV/TSV: columns to leave out, whatever their names suggest",
                     "none");
}

LoadOptions columnOptions(const ArgParser &parser)
{
    auto names = [&](const std::string &option) {
        std::vector<std::string> out;
        const std::string text = parser.string(option);
        size_t pos = 0;
        while (parser.isSet(option) && pos <= text.size()) {
            size_t comma = text.find(',', pos);
            if (comma == std::string::npos) comma = text.size();
            const std::string name = text.substr(pos, comma - pos);
            if (name.empty()) parser.fail(option, "an empty column name in \"" + text + "\"");
            out.push_back(name);
            pos = comma + 1;
        }
        return out;
    };
    LoadOptions options;
    options.textColumn = parser.string("text-column");
    options.featureColumns = names("feature-columns");
    options.taskColumns = names("task-columns");
    options.splitColumn = parser.string("split-column");
    options.ignoredColumns = names("ignore-columns");
    if (parser.isSet("text-column") && options.textColumn.empty()) parser.fail("text-column", "an empty name");
    if (parser.isSet("split-column") && options.splitColumn.empty()) parser.fail("split-column", "an empty name");
    parser.exclusive("text-column", "feature-columns");
    return options;
}

LoadOptions columnOptions(const ArgParser &parser, const Model &model, const std::string &spec)
{
    return checkpointRoles(columnOptions(parser), model, spec);
}

Model loadModel(const std::string &path)
{
    workingOn(path, "loading it");
    Model model;
    std::string error;
    if (!loadCheckpoint(path, &model, &error))
        throw Failure(naming(path, error));
    return model;
}

void checkFileOptions(const ArgParser &parser, const std::vector<std::string> &inputs,
                      const std::vector<OutputOption> &outputs)
{
    struct Named {
        std::string option, path;
    };
    const auto given = [&](const std::string &option) {
        if (parser.isSet(option) && parser.string(option).empty())
            parser.fail(option, "an empty file name");
        return parser.isSet(option);
    };
    std::vector<Named> read, written;
    for (const std::string &option : inputs) {
        const std::string path = parser.string(option);
        if (!given(option) || path.rfind("builtin:", 0) == 0)
            continue;
        if (const std::string problem = notRegularFile(path); !problem.empty())
            throw Failure(problem);
        read.push_back({option, path});
    }
    for (const OutputOption &output : outputs) {
        const std::string path = parser.string(output.name);
        if (!given(output.name))
            continue;
        if (const std::string problem = checkOutputFile(path, output.mode); !problem.empty())
            throw Failure(problem);
        for (const Named &input : read)
            if (sameFile(path, input.path))
                throw Failure("--" + output.name + " " + path + " is the same file as --" + input.option + " "
                              + input.path + ", which it would overwrite");
        for (const Named &other : written)
            if (sameFile(path, other.path))
                throw Failure("--" + output.name + " " + path + " and --" + other.option + " " + other.path
                              + " are the same file");
        written.push_back({output.name, path});
    }
}

void requireCompatible(Dataset *data, const Model &model, const std::string &checkpoint)
{
    if (std::string misfit = fitToModel(data, model, checkpoint); !misfit.empty())
        throw Failure(misfit);
}

EncodedDataset encodeFor(const Model &model, const Dataset &data, const std::vector<int> &indices, bool keepTokens)
{
    if (std::string error; !checkStandardised(data, indices, model.inputMean, model.inputStd, &error))
        throw Failure(error);
    const Vocabulary vocab = model.config.input == InputKind::Text ? Vocabulary(model.vocab) : Vocabulary();
    return encodeDataset(data, indices, vocab, model.config.maxLen, keepTokens);
}

std::vector<int> range(int n)
{
    std::vector<int> indices(size_t(std::max(n, 0)));
    for (int i = 0; i < n; ++i)
        indices[size_t(i)] = i;
    return indices;
}

std::vector<int> splitIndices(const ArgParser &parser, const Dataset &data, const std::string &which,
                              double valFraction, uint64_t seed)
{
    std::vector<int> indices;
    if (which == "all") {
        indices = range(int(data.samples.size()));
    } else {
        Split split = splitDataset(data, valFraction, seed);
        indices = which == "train" ? std::move(split.train) : std::move(split.val);
    }
    if (indices.empty())
        throw Failure(data.source + ": the " + which + " split is empty (" + std::to_string(data.samples.size())
                      + " samples"
                      + (data.hasFileSplit() ? "; " + data.fileSplitCounts()
                                             : ", --val-fraction " + parser.string("val-fraction", "0.2"))
                      + ")");
    return indices;
}

void addTaskWeightOption(ArgParser &parser)
{
    parser.addOption("task-weight", "NAME=W", "weight lambda of a task's loss", "1 for every task", true);
}

std::vector<float> taskWeights(const ArgParser &parser, const std::vector<TaskInfo> &tasks)
{
    // The bound of the other weights (--lr, --rationale-weight): a weight
    // beyond float32 (1e39) was inf, and the run "diverged" at its first step.
    constexpr double MaxWeight = 1e6;
    std::vector<float> weights(tasks.size(), 1.0f);
    std::vector<std::string> given(tasks.size());  // the item that weighted each task
    for (const std::string &item : parser.strings("task-weight")) {
        const size_t eq = item.rfind('=');
        if (eq == std::string::npos || eq == 0)
            parser.fail("task-weight", "'" + item + "' is not NAME=W");
        const std::string name = item.substr(0, eq), text = item.substr(eq + 1);
        double weight = 0;
        if (!parseNumber(text, &weight) || weight < 0)
            parser.fail("task-weight", "'" + text + "' in '" + item + "' is not a non-negative number");
        if (weight > MaxWeight) {
            char range[64];
            std::snprintf(range, sizeof range, "is out of range [0, %g]", MaxWeight);
            parser.fail("task-weight", text + " in '" + item + "' " + range);
        }
        size_t t = 0;
        while (t < tasks.size() && tasks[t].name != name)
            ++t;
        if (t == tasks.size())
            parser.fail("task-weight", "unknown task '" + name + "' (the tasks are "
                                           + bracketList(taskNameList(tasks)) + ")");
        if (!given[t].empty())
            parser.fail("task-weight", "task '" + name + "' is weighted twice ('" + given[t] + "', '" + item + "')");
        given[t] = item;
        weights[t] = float(weight);
    }
    return weights;
}

void writeEvalJson(JsonWriter &json, const EvalResult &result, const std::vector<TaskInfo> &tasks)
{
    json.beginObject();
    json.key("samples");
    json.value(result.samples);
    json.key("loss");
    json.value(result.loss);
    json.key("tasks");
    json.beginObject();
    for (size_t t = 0; t < tasks.size() && t < result.tasks.size(); ++t) {
        const TaskMetrics &m = result.tasks[t];
        json.key(tasks[t].name);
        json.beginObject();
        json.key("loss");
        json.value(m.loss);
        json.key("accuracy");
        json.value(m.accuracy);
        json.key("macro_f1");
        json.value(m.macroF1);
        json.key("rationale_mass");
        json.value(m.rationaleMass);
        json.key("rationale_auprc");
        json.value(m.rationaleAuprc);
        json.endObject();
    }
    json.endObject();
    json.endObject();
}

void printEval(std::FILE *out, const EvalResult &result, const std::vector<TaskInfo> &tasks,
               const char *indent)
{
    size_t width = 4;
    for (const TaskInfo &task : tasks)
        width = std::max(width, task.name.size());
    const auto optional = [](const std::optional<double> &v) {
        char buffer[32];
        if (!v)
            return std::string("-");
        std::snprintf(buffer, sizeof buffer, "%.4f", *v);
        return std::string(buffer);
    };
    std::fprintf(out, "%s%-*s  %8s  %8s  %8s  %8s  %14s  %15s\n", indent, int(width), "task",
                 "labelled", "loss", "accuracy", "macro-F1", "rationale mass", "rationale AUPRC");
    for (size_t t = 0; t < tasks.size() && t < result.tasks.size(); ++t) {
        const TaskMetrics &m = result.tasks[t];
        std::fprintf(out, "%s%-*s  %8d  %8.4f  %8.4f  %8.4f  %14s  %15s\n", indent, int(width),
                     tasks[t].name.c_str(), m.labelled, m.loss, m.accuracy, m.macroF1,
                     optional(m.rationaleMass).c_str(), optional(m.rationaleAuprc).c_str());
    }
}

void finishJson(JsonWriter &json, const std::string &where)
{
    if (!json.finish())
        throw Failure(where + ": could not write the output");
}

Dataset loadInput(const ArgParser &parser, const Model &model, const std::string &checkpoint)
{
    if (parser.isSet("text")) {
        if (model.config.input != InputKind::Text)
            parser.fail("text", checkpoint + " is a tabular model; use --data");
        if (tokenize(parser.string("text"), model.config.maxLen).empty())
            parser.fail("text", "the text has no tokens");
        return oneText(model.tasks, parser.string("text"));
    }
    Dataset data = loadData(parser.string("data"), columnOptions(parser, model, parser.string("data")));
    if (data.input != model.config.input)
        throw Failure(data.source + " is " + toString(data.input) + " data but " + checkpoint + " is a "
                      + toString(model.config.input) + " model");
    if (data.input == InputKind::Tabular)
        if (std::string misfit = featureMismatch(data.featureNames, model.features, data.source, checkpoint);
            !misfit.empty())
            throw Failure(misfit);
    return data;
}

void refuseFileOptionsWithText(const ArgParser &parser)
{
    if (!parser.isSet("text"))
        return;
    for (const char *option : {"text-column", "feature-columns", "task-columns", "split-column", "ignore-columns",
                               "val-fraction"})
        if (parser.has(option) && parser.isSet(option))
            parser.fail(option, "--text reads no file: the option is for --data");
}

void dropLabels(const Model &model, Dataset *data)
{
    data->tasks = model.tasks;
    for (Sample &sample : data->samples) {
        sample.labels.assign(model.tasks.size(), -1);
        sample.rationales.assign(model.tasks.size(), {});
    }
}

std::FILE *openOutput(const std::string &path)
{
    if (path.empty())
        return stdout;
    std::string error;
    const int fd = openOutputStream(path, &error);
    if (fd < 0)
        throw Failure(error);
    std::FILE *out = fdopen(fd, "w");
    if (!out) {
        ::close(fd);
        throw Failure(path + ": cannot open for writing: " + std::strerror(errno));
    }
    return out;
}

void closeOutput(std::FILE *out, const std::string &path, bool written)
{
    if (out != stdout && std::fclose(out) != 0)
        throw Failure(path + ": could not write the output");
    if (!written)
        throw Failure((path.empty() ? std::string("standard output") : path) + ": could not write the output");
}

ProgressLine::ProgressLine(bool enabled, std::chrono::milliseconds delay)
    : m_enabled(enabled), m_terminal(isatty(STDERR_FILENO) == 1), m_created(Clock::now()), m_delay(delay)
{
}

void ProgressLine::update(const std::string &text, bool force)
{
    if (!m_enabled)
        return;
    const Clock::time_point now = Clock::now();
    const auto interval = m_terminal ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
    if (!force && (now - m_created < m_delay || (m_started && now - m_last < interval)))
        return;
    m_started = true;
    m_last = now;
    if (!m_terminal) {
        std::fprintf(stderr, "%s\n", text.c_str());
        return;
    }
    const size_t pad = m_width > text.size() ? m_width - text.size() : 0;
    std::fprintf(stderr, "\r%s%s", text.c_str(), std::string(pad, ' ').c_str());
    std::fflush(stderr);
    m_width = text.size();
}

void ProgressLine::clear()
{
    if (m_enabled && m_terminal && m_width > 0) {
        std::fprintf(stderr, "\r%s\r", std::string(m_width, ' ').c_str());
        std::fflush(stderr);
        m_width = 0;
    }
}

void ProgressLine::end()
{
    if (m_enabled && m_terminal && m_width > 0)
        std::fputc('\n', stderr);
    m_width = 0;
}

} // namespace attnscope::cli
