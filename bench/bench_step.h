// bench_step's options and what it measured (bench/bench_step.cpp), and
// its two printouts (bench/bench_step_report.cpp): the text for a person and
// the JSON that bench/run_bench.sh tabulates with torch_step.py's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::benchstep {

struct Options {
    int dim = 64, heads = 4, layers = 1, ffn = 256, len = 32, batch = 32, tasks = 3;
    std::vector<int> classes{2, 4, 2};
    int vocab = 1000;
    int samples = 0;      // 0: one batch of `batch` samples, every step; else a corpus of this many texts
    int words = 0;        // corpus: Zipf-distributed ranks over this many words (0: uniform ids)
    double zipf = 1.0;    // corpus: word k has weight 1 / (k + 1)^zipf
    int minReal = -1;     // -1: every token real; else sample lengths in [minReal, len], sample 0 full
    int steps = 20;       // steps per repeat
    int repeats = 5;
    int warmup = 5;
    int threads = 1;
    uint64_t seed = 1;
    std::string path = "trainer";
    double peakSeconds = 0.2;
    int peakRepeats = 5;
    bool peak = true;
    bool json = false;
};

// Matmul FLOPs of one training step (forward + backward), as in the header comment.
struct Flops {
    double encoder = 0, pool = 0, heads = 0;
    double total() const { return encoder + pool + heads; }
};

struct Timing {
    std::vector<double> rates;  // steps per wall second, per repeat
    double median = 0, best = 0, worst = 0;
    double perCpuSecond = 0;    // median over repeats of steps per CPU second of the process
    double cpuPerWall = 0;      // CPU time / wall time over the timed repeats
    int maxThreads = 0;         // most OS threads seen between repeats
    double firstLoss = 0;
};

struct Peak {
    std::string isa;
    // GFLOP/s per wall second and per CPU second (median of repeats) for
    // 512 x 512 x 512, for (B L) x d x d (a Q/K/V/O projection) and for
    // (B L) x f x d (the FFN up projection).
    double square = 0, model = 0, ffn = 0;
    double squareCpu = 0, modelCpu = 0, ffnCpu = 0;
    // Two cores: two threads, each with its own 512^3 product, at the same
    // time; the sum of their GFLOP/s (what two cores of Eigen can do at best).
    double squareTwo = 0;
};

// What the run measured and counted, for either printout.
struct Report {
    long long idSum = 0, realTokens = 0, labelSum = 0;  // the batch checksum (torch_step.py prints the same)
    int samples = 0;                                   // texts in the data
    size_t batches = 0;                                // per epoch
    Flops flops;                                       // matrix-multiply FLOPs of a step, averaged over the batches
    double rowsPerBatch = 0;
    size_t parameters = 0;
    Timing timing;
    std::vector<Peak> peaks;
};

void printJson(const Options &o, const Report &r);
void printText(const Options &o, const Report &r);

} // namespace attnscope::benchstep
