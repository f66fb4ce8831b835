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
    double peakSeconds = 0.1;  // per shape and block
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
    std::vector<double> cpuRates;  // steps per CPU second of the process, per repeat
};

// The Eigen float GEMM peak (bench/gemm/gemm_peak.cpp, built with the
// instructions of the core's kernels), measured interleaved with the timed
// steps: a block before the first repeat and one after each, so that the steps
// and the peak see the same machine (clock, other load). A block runs every
// shape in turn on as many threads as the core was given, each thread its own
// product, all started together; a shape's rate is the sum over the threads.
struct PeakShape {
    std::string name;        // e.g. "X W^T 2048x256x256"
    int form = 0, M = 0, N = 0, K = 0;
    double wall = 0, cpu = 0;  // the best block's GFLOP/s, per wall second and per CPU second of its threads
};

struct PeakBlock {
    double wall = 0, cpu = 0;  // the block's best shape, GFLOP/s per wall and per CPU second
    int shape = 0;             // which one
};

struct Peak {
    std::string isa;         // the gemm_peak build used (that of ops::kernelIsa())
    int threads = 1;
    double seconds = 0;      // at least this long per shape and block
    std::vector<PeakShape> shapes;
    std::vector<PeakBlock> blocks;   // repeats + 1
    // Per repeat: the steps' GFLOP/s over the larger peak of the blocks on
    // either side of it (wall clock); the same per CPU second, the steps'
    // FLOPs per CPU second of the process over the peak's per CPU second of a thread.
    std::vector<double> ratios, ratiosCpu;
    double best() const;     // the largest block's GFLOP/s
    double median() const;   // the median block's
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
    Peak peak;                                         // no shapes with --no-peak
};

// The commit this binary was built from ("abc1234", with a note of
// uncommitted changes in core/ or bench/ then): bench_step_source.cpp.
const char *builtFrom();

void printJson(const Options &o, const Report &r);
void printText(const Options &o, const Report &r);

} // namespace attnscope::benchstep
