// attnscope-cli summary: what a dataset holds (core/datasetsummary.h).
#include "cli.h"

#include "data/fields.h"
#include "datasetsummary.h"

#include <algorithm>

namespace attnscope::cli {

namespace {

// The classes of a task a line shows before it counts the rest.
constexpr size_t MaxClassesShown = 20;

void printSummaryJson(const DatasetSummary &s, const std::vector<std::string> &warnings)
{
    const bool text = s.input == InputKind::Text;
    JsonWriter json(stdout, true);
    json.beginObject();
    json.key("source"); json.value(s.source);
    json.key("input"); json.value(toString(s.input));
    json.key("samples"); json.value(s.samples);
    json.key("split");
    json.beginObject();
    json.key("train"); json.value(s.train);
    json.key("val"); json.value(s.val);
    json.key("test"); json.value(s.test);
    json.key("from_file"); json.value(s.splitFromFile);
    json.endObject();
    json.key("tasks");
    json.beginObject();
    for (const TaskSummary &t : s.tasks) {
        json.key(t.name);
        json.beginObject();
        json.key("classes");
        json.beginObject();
        for (size_t k = 0; k < t.classes.size(); ++k) {
            json.key(t.classes[k]);
            json.value(t.counts[k]);
        }
        json.endObject();
        json.key("missing"); json.value(t.missing);
        json.endObject();
    }
    json.endObject();
    if (text) {
        json.key("vocabulary"); json.value(s.vocabulary);
        json.key("oov_rate"); json.value(s.oovRate);
    } else {
        json.key("features");
        json.beginObject();
        for (const FeatureSummary &f : s.features) {
            json.key(f.name);
            json.beginObject();
            json.key("min"); json.value(f.min);
            json.key("max"); json.value(f.max);
            json.key("mean"); json.value(f.mean);
            json.key("missing"); json.value(f.missing);
            json.endObject();
        }
        json.endObject();
    }
    json.key("length");
    json.beginObject();
    json.key("min"); json.value(s.minLength);
    json.key("median"); json.value(s.medianLength);
    json.key("p90"); json.value(s.p90Length);
    json.key("max"); json.value(s.maxLength);
    json.key("mean"); json.value(s.meanLength);
    json.endObject();
    json.key("max_len"); json.value(s.maxLen);
    json.key("truncated"); json.value(s.truncated);
    json.key("rationales"); json.value(s.rationales);
    json.key("warnings"); json.value(s.warnings);
    json.key("warning_messages");
    json.beginArray();
    for (const std::string &warning : warnings) json.value(warning);
    json.endArray();
    json.endObject();
    finishJson(json, "standard output");
}

// A class as the listing shows it: control characters escaped, and quoted
// when it is empty or holds a blank ("pos " beside "pos"; "web\u0008").
std::string shownClass(const std::string &name)
{
    const std::string shown = shownEscaped(name);
    return shown.empty() || shown.find_first_of(" \t") != std::string::npos ? inQuotes(shown) : shown;
}

void printSummaryText(const DatasetSummary &s, const std::vector<std::string> &warnings)
{
    const bool text = s.input == InputKind::Text;
    std::printf("%s: %s data, %d samples (train %d, val %d, test %d%s)\n", s.source.c_str(), toString(s.input),
                s.samples, s.train, s.val, s.test, s.splitFromFile ? ", split from the file" : "");
    for (const TaskSummary &t : s.tasks) {
        std::printf("  task %s:", t.name.c_str());
        if (t.classes.size() <= MaxClassesShown) {
            for (size_t k = 0; k < t.classes.size(); ++k) std::printf(" %s %d", shownClass(t.classes[k]).c_str(), t.counts[k]);
        } else {
            // Hundreds of classes make a line of kilobytes: the most frequent
            // ones and a count (--json lists them all).
            std::vector<size_t> order(t.classes.size());
            for (size_t k = 0; k < order.size(); ++k) order[k] = k;
            std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return t.counts[a] > t.counts[b]; });
            std::printf(" %zu classes, the %zu most frequent:", t.classes.size(), MaxClassesShown);
            for (size_t i = 0; i < MaxClassesShown; ++i)
                std::printf(" %s %d", shownClass(t.classes[order[i]]).c_str(), t.counts[order[i]]);
            std::printf(" ... and %zu more (--json lists them)", t.classes.size() - MaxClassesShown);
        }
        std::printf("; missing %d\n", t.missing);
    }
    if (text) {
        std::printf("  vocabulary %d (from the training split), out-of-vocabulary rate on val %.4f%s\n", s.vocabulary,
                    s.oovRate, s.vocabulary <= 2 ? " (only <pad> and <unk>: every token reads as <unk>)" : "");
    } else {
        for (const FeatureSummary &f : s.features)
            std::printf("  feature %-16s min %-12g max %-12g mean %-12g missing %d\n", f.name.c_str(), f.min, f.max,
                        f.mean, f.missing);
    }
    std::printf("  length (%s): min %d, median %d, p90 %d, max %d, mean %.2f\n",
                text ? "tokens" : "present features", s.minLength, s.medianLength, s.p90Length, s.maxLength,
                s.meanLength);
    if (text) std::printf("  truncated at max_len %d: %d\n", s.maxLen, s.truncated);
    std::printf("  rationales: %s; warnings: %d\n", s.rationales ? "yes" : "no", s.warnings);
    for (const std::string &warning : warnings) std::printf("    %s\n", warning.c_str());
}

} // namespace

int summary(const std::vector<std::string> &args)
{
    ArgParser p("attnscope-cli summary", "--data SPEC [--json] [options]",
                "Loads a dataset and prints what it holds: samples per split, each task's classes with "
                "their counts and missing labels, vocabulary size and out-of-vocabulary rate (text), "
                "feature ranges (tabular), lengths and how many samples max_len cuts.");
    p.addOption("data", "SPEC", dataHelp());
    p.addFlag("json", "print JSON instead of a table");
    p.addOption("val-fraction", "F", "validation fraction, as for train", "0.2");
    p.addOption("seed", "S", "split seed, as for train", "1");
    p.addOption("max-len", "L", "text: tokens kept per sample, as for train", "64");
    p.addOption("max-vocab", "N", "text: vocabulary entries at most, <pad> and <unk> included, as for train", "20000");
    p.addOption("min-freq", "K", "text: a token is in the vocabulary when the training split has it K times, as for train", "1");
    addColumnOptions(p);
    if (helpAsked(p, args))
        return ExitOk;
    const std::string spec = p.required("data");
    const double valFraction = p.number("val-fraction", 0.2, 0.0, 0.999999);
    const uint64_t seed = p.unsignedInteger("seed", 1);
    const int maxLen = int(p.integer("max-len", 64, 1, 1 << 20));
    const int maxVocab = int(p.integer("max-vocab", 20000, 2, 1 << 20));
    const int minFreq = int(p.integer("min-freq", 1, 1, 1 << 20));
    checkFileOptions(p, {"data"}, {});
    const Dataset data = loadData(spec, columnOptions(p), 0);  // every warning is in the output
    const DatasetSummary s = summarizeDataset(data, valFraction, seed, maxLen, minFreq, maxVocab);
    if (p.isSet("json"))
        printSummaryJson(s, data.warnings);
    else
        printSummaryText(s, data.warnings);
    return ExitOk;
}

} // namespace attnscope::cli
