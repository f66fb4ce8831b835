// explain_bench: what each explanation of MODEL.md 9 costs for one sample
// (a benchmark, not a test: it prints figures, nothing passes or fails).
//
//   explain_bench [--tokens 32,128,512] [--layers 4] [--heads 8] [--dim 128]
//                 [--ig-steps 20] [--min-seconds 1] [--repeats 5]
//
// Model: the given shape with initial weights (the cost does not depend on
// them) over builtin:reviews' vocabulary and three tasks; one text of each
// length (reviews glued together), max length the longest. For each length,
// what explainSample() takes, on one thread as attnscope-cli explain runs it:
//   - "sample pass": the sample's own forward pass, which every score needs;
//   - each score alone, its pass included (attention and rollout read that
//     pass; gradient x input is one forward and backward copy per task,
//     integrated gradients S per task and f(0), occlusion one forward copy
//     per real token);
//   - "faithfulness": comprehensiveness and sufficiency of one ranking, for
//     every task (eraser(): up to 10 masked forward copies per task, the
//     same whatever score made the ranking);
//   - "explain": all five scores, their faithfulness and the random floor's,
//     what attnscope-cli explain does for a sample.
// Each figure is the median of as many runs as fit --min-seconds (at least
// one, at most --repeats), wall and thread CPU time in milliseconds; the
// CPU time is what a busy machine inflates less. Figures: docs/performance.md.
#include "dataset.h"
#include "explain.h"
#include "benchfigures.h"
#include "benchinputs.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

using namespace attnscope;

namespace {

struct Timing {
    double wallMs = 0, cpuMs = 0;
    int runs = 0;
};

// Runs f until minSeconds have passed (at least once, at most repeats times).
Timing measure(const std::function<void()> &f, double minSeconds, int repeats)
{
    std::vector<double> wall, cpu;
    const auto begin = std::chrono::steady_clock::now();
    do {
        const auto t0 = std::chrono::steady_clock::now();
        const double c0 = threadCpuMs();
        f();
        cpu.push_back(threadCpuMs() - c0);
        wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    } while (int(wall.size()) < repeats
             && std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count() < minSeconds);
    return {median(wall), median(cpu), int(wall.size())};
}

void row(const char *what, const std::string &passes, const Timing &t)
{
    std::printf("  %-14s %-44s %10.1f %10.1f %5d\n", what, passes.c_str(), t.wallMs, t.cpuMs, t.runs);
    std::fflush(stdout);
}

int usage()
{
    std::fprintf(stderr, "usage: explain_bench [--tokens 32,128,512] [--layers 4] [--heads 8] [--dim 128] "
                         "[--ig-steps 20] [--min-seconds 1] [--repeats 5]\n");
    return 2;
}

struct Options {
    std::vector<int> lengths = {32, 128, 512};
    int layers = 4, heads = 8, dim = 128, igSteps = 20, repeats = 5;
    double minSeconds = 1.0;
};

// False for an argument it does not know or a value out of range.
bool readOptions(int argc, char **argv, Options *o)
{
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (i + 1 >= argc) return false;
        const char *value = argv[++i];
        if (flag == "--tokens") {
            o->lengths.clear();
            std::stringstream list(value);
            for (std::string item; std::getline(list, item, ',');) o->lengths.push_back(std::atoi(item.c_str()));
        } else if (flag == "--layers") o->layers = std::atoi(value);
        else if (flag == "--heads") o->heads = std::atoi(value);
        else if (flag == "--dim") o->dim = std::atoi(value);
        else if (flag == "--ig-steps") o->igSteps = std::atoi(value);
        else if (flag == "--min-seconds") o->minSeconds = std::atof(value);
        else if (flag == "--repeats") o->repeats = std::atoi(value);
        else return false;
    }
    return !(o->lengths.empty() || *std::min_element(o->lengths.begin(), o->lengths.end()) < 1 || o->layers < 0
             || o->heads < 1 || o->dim < o->heads || o->dim % o->heads || o->igSteps < 1 || o->repeats < 1);
}

// The rows of one text of `tokens` tokens: the sample's pass, each score
// alone, one ranking's faithfulness, and all of explain.
void timeLength(const Model &model, const Dataset &reviews, int tokens, const Options &o, ExplainWorkspace &ws)
{
    const int T = model.config.tasks();
    const Dataset one = longTexts(reviews, tokens, 1);
    const EncodedDataset encoded = encodeDataset(one, {0}, Vocabulary(model.vocab), tokens);
    const int n = int(encoded.samples[0].ids.size());
    std::printf("\n%d tokens\n  %-14s %-44s %10s %10s %5s\n", n, "what", "passes (copies of the sample)",
                "wall ms", "cpu ms", "runs");

    ExplainOptions options;
    options.igSteps = o.igSteps;
    options.faithfulness = false;
    options.methods = {};
    row("sample pass", "1 forward",
        measure([&] { explainSample(model, encoded, 0, options, ws); }, o.minSeconds, o.repeats));

    const std::string perTask = std::to_string(T) + " forward+backward";
    const std::string passes[ScoreCount] = {
        "the sample's pass", "the sample's pass, a vector-matrix a layer", perTask,
        std::to_string(T * o.igSteps) + " forward+backward, 1 forward",
        std::to_string(n) + " forward"};
    for (int m = 0; m < ScoreCount; ++m) {
        options.methods = {Method(m)};
        row(toString(Method(m)), passes[m],
            measure([&] { explainSample(model, encoded, 0, options, ws); }, o.minSeconds, o.repeats));
    }

    // One ranking's comprehensiveness and sufficiency for every task (the
    // classes as explain picks them: the predicted ones).
    options.methods = {Method::Attention};
    const SampleExplanation e = explainSample(model, encoded, 0, options, ws);
    std::vector<std::vector<int>> ranking(1, randomRanking(e.real, 1, 0, 0));
    size_t masks = 0;
    for (int percent : EraserPercents) masks += topCount(percent, n) < n ? 2 : 1;
    row("faithfulness", std::to_string(T) + " x (1 + " + std::to_string(masks) + ") forward (<=)",
        measure(
            [&] {
                for (int t = 0; t < T; ++t) eraser(model, encoded, 0, t, e.tasks[size_t(t)].cls, ranking, options, ws);
            },
            o.minSeconds, o.repeats));

    ExplainOptions everything;
    everything.igSteps = o.igSteps;
    row("explain", "all five, 6 rankings' faithfulness",
        measure([&] { explainSample(model, encoded, 0, everything, ws); }, o.minSeconds, o.repeats));
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    if (!readOptions(argc, argv, &o))
        return usage();
    Dataset reviews;
    if (!loadReviews(&reviews))
        return 1;
    const int maxLen = *std::max_element(o.lengths.begin(), o.lengths.end());
    const Model model = reviewsModel(reviews, o.layers, o.heads, o.dim, maxLen);
    std::printf("explain_bench: %d layers x %d heads, d = %d, f = %d, %d tasks, integrated gradients S = %d; "
                "one thread; median of runs within %.1f s (at most %d)\n",
                o.layers, o.heads, o.dim, model.config.ffn, model.config.tasks(), o.igSteps, o.minSeconds, o.repeats);
    ExplainWorkspace ws;
    for (int tokens : o.lengths)
        timeLength(model, reviews, tokens, o, ws);
    return 0;
}
