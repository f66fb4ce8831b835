// bench_step: times full training steps of the core on a fixed random text
// batch, counts the matrix-multiply FLOPs of a step, and measures the Eigen
// float GEMM peak between the timed repeats, on as many threads as the core
// runs, so that "achieved / peak" compares two rates of the same moment.
// bench/torch_step.py times the same step in PyTorch; bench/run_bench.sh runs
// both and prints the table of docs/performance.md. A benchmark, not a test.
//
// A step is what the trainer does: zero the gradients, forward, backward,
// (clipping off) AdamW update. By default the steps go through
// Trainer::step() (which also builds the batch from the encoded samples and
// computes the gradient norm it reports), so that whatever the trainer does
// with TrainConfig::threads is measured; --path direct calls forward<float>,
// backward<float> and Optimizer::step on a prebuilt Batch instead.
//
// FLOPs per step (matrix products only, 2 M N K each; element-wise work,
// softmax, LayerNorm, GELU and the optimiser are not counted). With BL = B L,
// d_h = d / h and C = sum_t C_t, the forward pass multiplies
//   per encoder layer: Q, K, V, O projections  4 x 2 BL d d
//                      FFN up and down         2 x 2 BL d f
//                      scores Q K^T and A V    2 x 2 B h L L d_h   (= 4 B L^2 d)
//   pooling:           keys H Wp^T             2 BL d d
//                      scores and a H          2 x 2 B T L d
//   heads:             z W_t^T                 2 B d C
// and the backward pass does two products of the same size for each of them
// (dX and dW for a linear map; dV, dA, dQ, dK for attention; dH, ds, dkeys,
// dq for pooling), so
//   FLOPs/step = 3 x [ N (8 BL d^2 + 4 BL d f + 4 B L^2 d) + 2 BL d^2 + 4 B T L d + 2 B d C ].
// Padding tokens are counted: the dense kernels compute them.
#include "bench_step.h"
#include "dataset.h"
#include "model.h"
#include "ops.h"
#include "optimizer.h"
#include "random.h"
#include "trainer.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <latch>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

// bench/gemm/gemm_peak.cpp, built once per instruction set.
#define GEMM_PEAK_SIGNATURE(name) \
    extern "C" void name(int form, int M, int N, int K, double minSeconds, int repeats, double *wall, double *cpu)
GEMM_PEAK_SIGNATURE(attnscope_bench_gemm_gflops_portable);
#ifdef ATTNSCOPE_BENCH_GEMM_AVX2
GEMM_PEAK_SIGNATURE(attnscope_bench_gemm_gflops_avx2);
#endif
#ifdef ATTNSCOPE_BENCH_GEMM_AVX512
GEMM_PEAK_SIGNATURE(attnscope_bench_gemm_gflops_avx512);
#endif

using namespace attnscope;
using namespace attnscope::benchstep;

namespace {

[[noreturn]] void usage(int code)
{
    std::fputs(
        "usage: bench_step [options]\n"
        "  --dim D (64) --heads H (4) --layers N (1) --ffn F (256) --len L (32) --batch B (32)\n"
        "  --tasks T (3) --classes C1,C2,... (2,4,2; one value = the same for every task)\n"
        "  --vocab V (1000)  --min-real K (all L tokens real; else lengths in [K, L], sample 0 full)\n"
        "  --samples N (0: one batch, every step; else N texts, batches of B in order, epoch after epoch)\n"
        "  --words W --zipf S (corpus: word ranks drawn with weights 1 / (k + 1)^S over W words,\n"
        "    id 2 + rank mod (V - 2): a real vocabulary's frequencies, and the same texts hashed\n"
        "    to a smaller V; 0 words: uniform ids)\n"
        "  --steps N (20 per repeat) --repeats R (5) --warmup W (5) --threads N (1) --seed S (1)\n"
        "  --path trainer|direct (trainer)  --peak-seconds S (0.1 per shape and block) --no-peak\n"
        "  --json  --built-from (print the commit this binary was built from, and exit)\n"
        "Times full training steps (zero grads, forward, backward, AdamW; clipping off) and\n"
        "prints steps/s (median of R repeats of N steps), ms/step, matmul FLOPs per step,\n"
        "achieved GFLOP/s, and the Eigen float GEMM peak on as many threads as the core, measured\n"
        "between the repeats (achieved / peak per repeat).\n",
        code == 0 ? stdout : stderr);
    std::exit(code);
}

int toInt(const std::string &flag, const std::string &text, int lo, int hi)
{
    char *end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || v < lo || v > hi) {
        std::fprintf(stderr, "bench_step: %s: '%s' is not an integer in [%d, %d]\n", flag.c_str(), text.c_str(), lo, hi);
        std::exit(2);
    }
    return int(v);
}

Options parse(int argc, char **argv)
{
    Options o;
    bool classesGiven = false;
    for (int i = 1; i < argc; ++i) {
        std::string flag = argv[i], value;
        if (flag == "--help" || flag == "-h") usage(0);
        if (flag == "--json") { o.json = true; continue; }
        if (flag == "--built-from") {
            std::printf("%s\n", builtFrom());
            std::exit(0);
        }
        if (flag == "--no-peak") { o.peak = false; continue; }
        if (const size_t eq = flag.find('='); eq != std::string::npos) {
            value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
        } else {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "bench_step: %s needs a value\n", flag.c_str());
                std::exit(2);
            }
            value = argv[++i];
        }
        if (flag == "--dim") o.dim = toInt(flag, value, 1, 1 << 16);
        else if (flag == "--heads") o.heads = toInt(flag, value, 1, 1024);
        else if (flag == "--layers") o.layers = toInt(flag, value, 0, 64);
        else if (flag == "--ffn") o.ffn = toInt(flag, value, 1, 1 << 20);
        else if (flag == "--len") o.len = toInt(flag, value, 1, 1 << 16);
        else if (flag == "--batch") o.batch = toInt(flag, value, 1, 1 << 20);
        else if (flag == "--tasks") o.tasks = toInt(flag, value, 1, 1024);
        else if (flag == "--vocab") o.vocab = toInt(flag, value, 3, 1 << 24);
        else if (flag == "--min-real") o.minReal = toInt(flag, value, 1, 1 << 16);
        else if (flag == "--samples") o.samples = toInt(flag, value, 0, 1 << 24);
        else if (flag == "--words") o.words = toInt(flag, value, 0, 1 << 24);
        else if (flag == "--zipf") o.zipf = std::atof(value.c_str());
        else if (flag == "--steps") o.steps = toInt(flag, value, 1, 1 << 30);
        else if (flag == "--repeats") o.repeats = toInt(flag, value, 1, 1 << 20);
        else if (flag == "--warmup") o.warmup = toInt(flag, value, 0, 1 << 30);
        else if (flag == "--threads") o.threads = toInt(flag, value, 1, 1024);
        else if (flag == "--seed") o.seed = uint64_t(toInt(flag, value, 0, 1 << 30));
        else if (flag == "--peak-seconds") o.peakSeconds = std::atof(value.c_str());
        else if (flag == "--path") {
            if (value != "trainer" && value != "direct") {
                std::fprintf(stderr, "bench_step: --path: '%s' is not trainer or direct\n", value.c_str());
                std::exit(2);
            }
            o.path = value;
        } else if (flag == "--classes") {
            o.classes.clear();
            std::stringstream ss(value);
            std::string item;
            while (std::getline(ss, item, ',')) o.classes.push_back(toInt(flag, item, 1, 1 << 20));
            classesGiven = true;
        } else {
            std::fprintf(stderr, "bench_step: unknown option %s\n", flag.c_str());
            usage(2);
        }
    }
    if (o.dim % o.heads != 0) {
        std::fprintf(stderr, "bench_step: --dim %d is not a multiple of --heads %d\n", o.dim, o.heads);
        std::exit(2);
    }
    if (o.minReal > o.len) o.minReal = o.len;
    if (o.samples > 0 && o.path != "trainer") {
        std::fprintf(stderr, "bench_step: --samples needs --path trainer (--path direct times one batch)\n");
        std::exit(2);
    }
    // Classes: one value per task; a single value (or the default list when
    // --tasks changes it) is cycled over the tasks.
    if (int(o.classes.size()) != o.tasks) {
        if (classesGiven && o.classes.size() != 1) {
            std::fprintf(stderr, "bench_step: --classes has %zu values for %d tasks\n", o.classes.size(), o.tasks);
            std::exit(2);
        }
        std::vector<int> cycled;
        for (int t = 0; t < o.tasks; ++t) cycled.push_back(o.classes[size_t(t) % o.classes.size()]);
        o.classes = cycled;
    }
    return o;
}

// The data, drawn with splitmix64 (core/random.h) in an order that
// bench/torch_step.py repeats exactly, so both time the same data.
// One batch (--samples 0): lengths (sample 0 full, the rest in [minReal, L],
// drawn only when minReal < L), then a token id in [2, V) for every position
// (row-major; ids beyond a sample's length are drawn and then dropped), then
// labels (b, t). A corpus: per text its length (in [minReal, L], or L), its
// ids, its labels; an id is a Zipf-distributed word rank folded into the
// vocabulary, 2 + rank mod (V - 2) (uniform in [2, V) without --words).
struct BenchData {
    std::vector<int> lengths;                 // samples
    std::vector<std::vector<int32_t>> ids;    // samples x lengths[i]
    std::vector<std::vector<int32_t>> labels; // samples x T
};

BenchData makeData(const Options &o)
{
    Rng rng(o.seed ^ 0xBE7C4ull);
    BenchData data;
    const int L = o.len;
    if (o.samples > 0) {
        std::vector<double> cumulative;  // of the weights of ranks 0, 1, ...
        double total = 0;
        for (int k = 0; k < o.words; ++k) cumulative.push_back(total += std::pow(double(k + 1), -o.zipf));
        for (int i = 0; i < o.samples; ++i) {
            const int length = o.minReal > 0 && o.minReal < L ? o.minReal + int(rng.below(uint64_t(L - o.minReal + 1))) : L;
            data.lengths.push_back(length);
            std::vector<int32_t> ids;
            for (int j = 0; j < length; ++j) {
                uint64_t rank = 0;
                if (o.words > 0) {
                    const double u = rng.uniform() * total;
                    rank = uint64_t(std::lower_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
                    rank = std::min<uint64_t>(rank, uint64_t(o.words - 1));
                } else {
                    rank = rng.below(uint64_t(o.vocab - 2));
                }
                ids.push_back(int32_t(2 + rank % uint64_t(o.vocab - 2)));
            }
            data.ids.push_back(std::move(ids));
            std::vector<int32_t> labels;
            for (int t = 0; t < o.tasks; ++t) labels.push_back(int32_t(rng.below(uint64_t(o.classes[size_t(t)]))));
            data.labels.push_back(std::move(labels));
        }
        return data;
    }
    const int B = o.batch;
    data.lengths.assign(size_t(B), L);
    if (o.minReal > 0 && o.minReal < L)
        for (int b = 1; b < B; ++b) data.lengths[size_t(b)] = o.minReal + int(rng.below(uint64_t(L - o.minReal + 1)));
    data.ids.resize(size_t(B));
    for (int b = 0; b < B; ++b)
        for (int j = 0; j < L; ++j) {
            const int32_t id = int32_t(2 + rng.below(uint64_t(o.vocab - 2)));
            if (j < data.lengths[size_t(b)]) data.ids[size_t(b)].push_back(id);
        }
    data.labels.resize(size_t(B));
    for (int b = 0; b < B; ++b)
        for (int t = 0; t < o.tasks; ++t) data.labels[size_t(b)].push_back(int32_t(rng.below(uint64_t(o.classes[size_t(t)]))));
    return data;
}

// The batches the trainer takes from the data, epoch after epoch: samples
// [first, first + count), count = B but the last of an epoch, padded to the
// longest; their L, and how many distinct token rows each uses.
struct BatchShape {
    int first = 0, count = 0, L = 0, rows = 0;
};

std::vector<BatchShape> batchShapes(const Options &o, const BenchData &data)
{
    std::vector<BatchShape> shapes;
    const int n = int(data.lengths.size());
    for (int first = 0; first < n; first += o.batch) {
        BatchShape s;
        s.first = first;
        s.count = std::min(o.batch, n - first);
        std::vector<int32_t> ids;
        for (int i = first; i < first + s.count; ++i) {
            s.L = std::max(s.L, data.lengths[size_t(i)]);
            ids.insert(ids.end(), data.ids[size_t(i)].begin(), data.ids[size_t(i)].end());
        }
        std::sort(ids.begin(), ids.end());
        s.rows = int(std::unique(ids.begin(), ids.end()) - ids.begin());
        shapes.push_back(s);
    }
    return shapes;
}

// With the batch's B and L (the corpus: the mean over an epoch's batches).
Flops stepFlops(const Options &o, double B, double L)
{
    const double d = o.dim, f = o.ffn, N = o.layers, T = o.tasks, BL = B * L;
    double C = 0;
    for (int c : o.classes) C += c;
    Flops fl;
    fl.encoder = 3.0 * N * (8 * BL * d * d + 4 * BL * d * f + 4 * B * L * L * d);
    fl.pool = 3.0 * (2 * BL * d * d + 4 * B * T * L * d);
    fl.heads = 3.0 * (2 * B * d * C);
    return fl;
}

double now()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec) + double(u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// OS threads of this process right now (/proc/self/status), 0 if unknown.
int osThreads()
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
    return 0;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Runs warm-up steps, then `repeats` blocks of `steps` steps, through step(),
// which returns its step's loss; the first one's is kept. between(), if set,
// runs before the first block and after each (the GEMM peak's blocks); its
// time counts in no figure.
Timing timeSteps(const Options &o, const std::function<double()> &step, const std::function<void()> &between)
{
    Timing t;
    bool first = true;
    const auto stepOnce = [&] {
        const double loss = step();
        if (std::exchange(first, false))
            t.firstLoss = loss;
    };
    for (int i = 0; i < o.warmup; ++i) stepOnce();
    t.maxThreads = osThreads();
    double cpuTotal = 0, wallTotal = 0;
    if (between) between();
    for (int r = 0; r < o.repeats; ++r) {
        const double start = now(), cpuStart = cpuSeconds();
        for (int i = 0; i < o.steps; ++i) stepOnce();
        const double wall = now() - start, cpu = cpuSeconds() - cpuStart;
        t.rates.push_back(double(o.steps) / wall);
        t.cpuRates.push_back(double(o.steps) / std::max(cpu, 1e-9));
        wallTotal += wall;
        cpuTotal += cpu;
        t.maxThreads = std::max(t.maxThreads, osThreads());
        if (between) between();
    }
    t.cpuPerWall = cpuTotal / wallTotal;
    t.median = median(t.rates);
    t.perCpuSecond = median(t.cpuRates);
    t.best = *std::max_element(t.rates.begin(), t.rates.end());
    t.worst = *std::min_element(t.rates.begin(), t.rates.end());
    return t;
}

using GemmFn = void (*)(int, int, int, int, double, int, double *, double *);

// The gemm_peak build with the instructions the core's kernels run
// (ops::kernelIsa()); *isa names it.
GemmFn peakFunction(std::string *isa)
{
    const std::string kernels = ops::kernelIsa();
#if defined(ATTNSCOPE_BENCH_GEMM_AVX512)
    if (kernels == "avx512") {
        *isa = "avx512";
        return attnscope_bench_gemm_gflops_avx512;
    }
#endif
#if defined(ATTNSCOPE_BENCH_GEMM_AVX2)
    if (kernels == "avx2+fma") {
        *isa = "avx2+fma";
        return attnscope_bench_gemm_gflops_avx2;
    }
#endif
    if (kernels != "baseline")
        std::fprintf(stderr, "bench_step: no GEMM peak build for the core's %s kernels; the portable one is used\n",
                     kernels.c_str());
    *isa = "portable";
    return attnscope_bench_gemm_gflops_portable;
}

// The peak's shapes: a square 512^3 and the linear maps' products as one of
// the core's threads computes them (its share of the batch's rows): forward
// X W^T, backward dX = dY W and dW = dY^T X, for the d x d projections and
// the FFN's two maps.
Peak makePeak(const Options &o)
{
    Peak p;
    p.threads = o.path == "trainer" ? std::min(o.threads, o.batch) : 1;  // as forwardBackward splits the batch
    p.seconds = o.peakSeconds;
    const int rows = (o.batch + p.threads - 1) / p.threads * o.len, d = o.dim, f = o.ffn;
    static const char *const forms[] = {"X W^T", "dY W", "dY^T X"};
    const auto add = [&](int form, int M, int N, int K) {
        for (const PeakShape &s : p.shapes)
            if (s.form == form && s.M == M && s.N == N && s.K == K) return;
        PeakShape s;
        s.name = std::string(forms[form]) + " " + std::to_string(M) + "x" + std::to_string(N) + "x" + std::to_string(K);
        s.form = form;
        s.M = M;
        s.N = N;
        s.K = K;
        p.shapes.push_back(s);
    };
    add(0, 512, 512, 512);
    for (const auto &[out, in] : {std::pair{d, d}, std::pair{f, d}, std::pair{d, f}}) {
        add(0, rows, out, in);  // Y (rows, out) = X W^T
        add(1, rows, in, out);  // dX (rows, in) = dY (rows, out) W
        add(2, out, in, rows);  // dW (out, in) = dY^T X, depth rows
    }
    return p;
}

// One block of the peak: every shape in turn on p.threads threads at once.
void peakBlock(GemmFn fn, Peak &p)
{
    PeakBlock block;
    const size_t n = size_t(p.threads);
    for (size_t s = 0; s < p.shapes.size(); ++s) {
        PeakShape &shape = p.shapes[s];
        std::vector<double> wall(n), cpu(n);
        std::latch start{std::ptrdiff_t(n)};
        const auto run = [&](size_t i) {
            start.arrive_and_wait();
            fn(shape.form, shape.M, shape.N, shape.K, p.seconds, 1, &wall[i], &cpu[i]);
        };
        std::vector<std::thread> others;
        for (size_t i = 1; i < n; ++i) others.emplace_back(run, i);
        run(0);
        for (std::thread &t : others) t.join();
        double w = 0, c = 0;
        for (size_t i = 0; i < n; ++i) {
            w += wall[i];
            c += cpu[i];
        }
        shape.wall = std::max(shape.wall, w);
        shape.cpu = std::max(shape.cpu, c);
        if (w > block.wall) block = {w, c, int(s)};
    }
    p.blocks.push_back(block);
}

// Each repeat's steps against the larger of the peak blocks either side of it.
void peakRatios(const Timing &t, double flops, Peak &p)
{
    for (size_t r = 0; r < t.rates.size() && r + 1 < p.blocks.size(); ++r) {
        const PeakBlock &a = p.blocks[r], &b = p.blocks[r + 1];
        p.ratios.push_back(flops * t.rates[r] * 1e-9 / std::max(a.wall, b.wall));
        p.ratiosCpu.push_back(flops * t.cpuRates[r] * 1e-9 / (std::max(a.cpu, b.cpu) / p.threads));
    }
}

// The model the step trains: text input, the options' sizes, initialised
// from the seed. False (and a message) for sizes the model refuses.
bool makeModel(const Options &o, Model *model)
{
    ModelConfig mc;
    mc.input = InputKind::Text;
    mc.dim = o.dim;
    mc.heads = o.heads;
    mc.layers = o.layers;
    mc.ffn = o.ffn;
    mc.maxLen = o.len;
    mc.vocabSize = o.vocab;
    mc.classes = o.classes;
    if (const std::string problem = mc.validate(); !problem.empty()) {
        std::fprintf(stderr, "bench_step: %s\n", problem.c_str());
        return false;
    }
    model->config = mc;
    for (int t = 0; t < o.tasks; ++t) {
        TaskInfo task;
        task.name = "task" + std::to_string(t);
        for (int c = 0; c < o.classes[size_t(t)]; ++c) task.classes.push_back(std::to_string(c));
        model->tasks.push_back(task);
    }
    model->vocab = {"<pad>", "<unk>"};
    for (int v = 2; v < o.vocab; ++v) model->vocab.push_back(std::string("w").append(std::to_string(v)));  // not "w" + ...: GCC 12 warns falsely (-Wrestrict) once inlined
    model->initialise(o.seed);
    return true;
}

// The checksum of the data and the FLOPs of an average batch.
void countData(const Options &o, const BenchData &data, Report *r)
{
    const int samples = int(data.lengths.size());
    r->samples = samples;
    for (int b = 0; b < samples; ++b) {
        for (int32_t id : data.ids[size_t(b)]) r->idSum += id;
        r->realTokens += data.lengths[size_t(b)];
        for (int32_t y : data.labels[size_t(b)]) r->labelSum += y;
    }
    const std::vector<BatchShape> shapes = batchShapes(o, data);
    r->batches = shapes.size();
    for (const BatchShape &b : shapes) {
        const Flops f = stepFlops(o, b.count, o.samples > 0 ? b.L : o.len);
        r->flops.encoder += f.encoder / double(shapes.size());
        r->flops.pool += f.pool / double(shapes.size());
        r->flops.heads += f.heads / double(shapes.size());
        r->rowsPerBatch += double(b.rows) / double(shapes.size());
    }
}

// Steps through Trainer::step(): one batch of every sample each step, or the
// corpus in order.
Timing timeTrainer(const Options &o, Model &model, const BenchData &data, const OptimizerConfig &oc,
                   const std::function<void()> &between)
{
    const int samples = int(data.lengths.size());
    EncodedDataset encoded;
    encoded.input = InputKind::Text;
    encoded.tasks = o.tasks;
    for (int b = 0; b < samples; ++b) {
        EncodedSample s;
        s.ids = data.ids[size_t(b)];
        s.mask.assign(s.ids.size(), 1);
        s.labels = data.labels[size_t(b)];
        s.index = b;
        encoded.samples.push_back(std::move(s));
    }
    TrainConfig tc;
    tc.optimizer = oc;
    tc.batchSize = o.batch;  // one batch = every sample, every step; or the corpus in order
    tc.steps = int64_t(o.warmup) + int64_t(o.repeats) * o.steps + 1;
    tc.shuffle = false;
    tc.seed = o.seed;
    tc.threads = o.threads;
    Trainer trainer(model, encoded, tc);
    trainer.setDeferredSync(true);  // as run() and runEpoch() train
    return timeSteps(o, [&] {
        trainer.step();
        return trainer.progress().loss;
    }, between);
}

// Steps through forward<float>, backward<float> and Optimizer::step on a
// prebuilt batch of the first `batch` samples.
Timing timeDirect(const Options &o, Model &model, const BenchData &data, const OptimizerConfig &oc,
                  const std::function<void()> &between)
{
    const ModelConfig &mc = model.config;
    Batch batch;
    batch.resize(o.batch, o.len, o.tasks, InputKind::Text);
    for (int b = 0; b < o.batch; ++b) {
        for (int j = 0; j < data.lengths[size_t(b)]; ++j) {
            batch.tokens[size_t(b) * o.len + j] = data.ids[size_t(b)][size_t(j)];
            batch.mask[size_t(b) * o.len + j] = 1;
        }
        for (int t = 0; t < o.tasks; ++t) batch.labels[size_t(b) * o.tasks + t] = data.labels[size_t(b)][size_t(t)];
    }
    Optimizer optimizer(oc, model.params.size());
    std::vector<float> grads(model.params.size());
    Activations<float> acts;
    const std::vector<float> taskWeights;
    return timeSteps(o, [&] {
        std::fill(grads.begin(), grads.end(), 0.0f);
        const ParamView<const float> p = std::as_const(model).view();
        const Losses<float> losses = forward<float>(mc, p, nullptr, nullptr, batch, taskWeights, acts);
        backward<float>(mc, p, batch, taskWeights, losses, acts, makeView<float>(model.layout, grads.data()));
        optimizer.step(model.params.data(), grads.data(), oc.lr);
        return double(losses.total);
    }, between);
}

} // namespace

int main(int argc, char **argv)
{
    const Options o = parse(argc, argv);
    Model model;
    if (!makeModel(o, &model))
        return 2;
    const BenchData data = makeData(o);
    Report report;
    countData(o, data, &report);
    report.parameters = model.params.size();

    OptimizerConfig oc;  // AdamW, lr 0.003, weight decay 0.01, clipping off: PyTorch's defaults but lr
    oc.kind = OptimizerKind::AdamW;
    oc.clip = 0.0f;
    GemmFn gemm = nullptr;
    std::function<void()> between;  // the peak's blocks, between the timed repeats
    if (o.peak) {
        report.peak = makePeak(o);
        gemm = peakFunction(&report.peak.isa);
        between = [&] { peakBlock(gemm, report.peak); };
    }
    report.timing = o.path == "trainer" ? timeTrainer(o, model, data, oc, between)
                                        : timeDirect(o, model, data, oc, between);
    if (o.peak)
        peakRatios(report.timing, report.flops.total(), report.peak);
    if (o.json)
        printJson(o, report);
    else
        printText(o, report);
    return 0;
}
