// The subcommands of attnscope-cli and what they share: loading data and
// checkpoints with messages that name the file, checking that a dataset fits a
// checkpoint, task weights, and printing evaluation results.
#pragma once

#include "args.h"
#include "jsonwriter.h"

#include "checkpoint.h"
#include "data/load.h"
#include "dataset.h"
#include "fileutil.h"
#include "runplan.h"
#include "trainer.h"

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace attnscope::cli {

// A file, dataset or checkpoint problem (exit code 1). The message names the
// file and what was wrong.
class Failure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

int train(const std::vector<std::string> &args);
int eval(const std::vector<std::string> &args);
int attention(const std::vector<std::string> &args);
int bench(const std::vector<std::string> &args);
int summary(const std::vector<std::string> &args);
int explain(const std::vector<std::string> &args);
int session(const std::vector<std::string> &args);  // cli_session.cpp

// What the command is working on, for the message when memory runs out
// anyway (std::bad_alloc says nothing of the file): "<file>: out of memory
// while <doing> ...". loadData and loadModel set it; a command names its
// later stages (workingOn(spec, "training on it")).
void workingOn(const std::string &file, const std::string &doing);
std::string outOfMemoryMessage();

// Parses a command's arguments (UsageError when they are wrong); true when
// they ask for --help, which it has printed: the command then exits 0.
bool helpAsked(ArgParser &parser, const std::vector<std::string> &args);

// Loads a dataset spec; prints the first warningsShown of its warnings to
// stderr, and how many more there are.
Dataset loadData(const std::string &spec, const LoadOptions &options = {}, size_t warningsShown = 5);
// A warning when --val-fraction is given but the file's split column (or
// JSON Lines "split") decides the split instead.
void warnSplitColumn(const ArgParser &parser, const Dataset &data);
// The help of --data: the kinds of file, and the built-ins (from their table).
std::string dataHelp();

// Registers --text-column, --feature-columns, --task-columns,
// --split-column and --ignore-columns (CSV/TSV column roles), and reads them
// back. A command with a --checkpoint (registered before) says that the
// checkpoint's roles are the defaults.
void addColumnOptions(ArgParser &parser);
LoadOptions columnOptions(const ArgParser &parser);
// The roles a command that reads data with a checkpoint (eval, attention,
// explain) uses. For a CSV or TSV file, the checkpoint's (its text column,
// features and task names, those the file has), so that a file like the
// training one needs no flags; a flag replaces only its own role (--text-column
// or --feature-columns the input, --task-columns the tasks), and a column a
// flag names (--ignore-columns too) keeps none of the checkpoint's roles.
LoadOptions columnOptions(const ArgParser &parser, const Model &model, const std::string &spec);
Model loadModel(const std::string &path);

// An option that names a file the command writes, and how it is written.
struct OutputOption {
    std::string name;
    OutputMode mode;
};
// The files a command names, checked before anything is loaded or trained
// (docs/cli.md, "Files"): each input (a dataset spec that is not builtin:, a
// checkpoint) is a regular file; each output passes checkOutputFile for its
// mode; no output is the same file as an input or as another output.
// UsageError for an empty name, Failure for the rest. Options not given are
// skipped.
void checkFileOptions(const ArgParser &parser, const std::vector<std::string> &inputs,
                      const std::vector<OutputOption> &outputs);

// Throws Failure unless the dataset has the checkpoint's input kind, tasks
// (and, for tabular data, features) and classes among the checkpoint's:
// fitToModel's message. Relabels *data with the checkpoint's classes.
void requireCompatible(Dataset *data, const Model &model, const std::string &checkpoint);

// Encodes data.samples[indices] with the model's vocabulary and max_len;
// Failure when a feature value does not standardise (checkStandardised).
EncodedDataset encodeFor(const Model &model, const Dataset &data, const std::vector<int> &indices,
                         bool keepTokens = true);

std::vector<int> range(int n);

// The samples of a split ("train", "val" or "all") as train makes it from
// valFraction and seed; Failure, naming --val-fraction, when it is empty.
std::vector<int> splitIndices(const ArgParser &parser, const Dataset &data, const std::string &which,
                              double valFraction, uint64_t seed);

// Registers --task-weight on a parser, and resolves its NAME=W values against
// the tasks (one weight per task, 1 when not given; UsageError for an unknown
// task or a bad weight).
void addTaskWeightOption(ArgParser &parser);
std::vector<float> taskWeights(const ArgParser &parser, const std::vector<TaskInfo> &tasks);

// {"samples": n, "loss": x, "tasks": {"NAME": {"loss", "accuracy", "macro_f1",
// "rationale_mass", "rationale_auprc"}}}, as the eval command prints it.
void writeEvalJson(JsonWriter &json, const EvalResult &result, const std::vector<TaskInfo> &tasks);
// The same as a table.
void printEval(std::FILE *out, const EvalResult &result, const std::vector<TaskInfo> &tasks,
               const char *indent = "  ");

// Writes the document's end; Failure when the output could not be written.
void finishJson(JsonWriter &json, const std::string &where);

// What attention and explain look at: --text (one sample, for a text model;
// UsageError otherwise or when it has no token) or --data, whose input kind
// (and tabular features) must be the checkpoint's (else Failure). Labels and
// rationales as the data has them.
Dataset loadInput(const ArgParser &parser, const Model &model, const std::string &checkpoint);
// UsageError when --text comes with an option that only a file has a use for
// (the column options, --val-fraction): it would be ignored in silence.
void refuseFileOptionsWithText(const ArgParser &parser);
// Labels are not needed to look at attention: the data takes the model's
// tasks with every label and rationale missing, so unlabelled files work too.
void dropLabels(const Model &model, Dataset *data);

// Where a command writes its --out stream (standard output when path is
// empty), opened as checkOutputFile allows; and its closing, Failure when
// what was written did not arrive.
std::FILE *openOutput(const std::string &path);
void closeOutput(std::FILE *out, const std::string &path, bool written);

// The progress line on stderr: on a terminal rewritten in place at most ten
// times a second; otherwise a plain line every few seconds. Nothing shows
// before `delay` has passed (a short run stays quiet).
class ProgressLine {
public:
    explicit ProgressLine(bool enabled, std::chrono::milliseconds delay = std::chrono::milliseconds(0));

    void update(const std::string &text, bool force);
    // Wipes the line so that other output can follow.
    void clear();
    // Leaves the last line standing and ends it.
    void end();

private:
    using Clock = std::chrono::steady_clock;
    bool m_enabled, m_terminal;
    bool m_started = false;
    Clock::time_point m_created, m_last;
    std::chrono::milliseconds m_delay;
    size_t m_width = 0;
};

} // namespace attnscope::cli
