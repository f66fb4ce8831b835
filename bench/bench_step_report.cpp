// bench_step's printouts (bench/bench_step.h).
#include "bench_step.h"

#include "ops.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace attnscope::benchstep {

namespace {

double medianOf(std::vector<double> v)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::vector<double> blockRates(const Peak &p)
{
    std::vector<double> v;
    for (const PeakBlock &b : p.blocks) v.push_back(b.wall);
    return v;
}

void printList(const char *format, const std::vector<double> &v, double scale)
{
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) std::printf(", ");
        std::printf(format, scale * v[i]);
    }
}

std::string joinInts(const std::vector<int> &v)
{
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) s += ',';
        s += std::to_string(v[i]);
    }
    return s;
}

const char *threadNote(const Options &o)
{
    return o.path == "trainer"
               ? "--threads is passed to the core as TrainConfig::threads; whether the core used more than one thread "
                 "shows in cpu_per_wall (above 1) or os_threads (threads alive between repeats)"
               : "--threads is ignored by --path direct (forward<float> and backward<float> run on this thread)";
}

} // namespace

double Peak::best() const
{
    const std::vector<double> v = blockRates(*this);
    return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

double Peak::median() const
{
    return medianOf(blockRates(*this));
}

void printJson(const Options &o, const Report &r)
{
    const Timing &timing = r.timing;
    const double gflops = r.flops.total() * timing.median * 1e-9;
    const double gflopsCpu = r.flops.total() * timing.perCpuSecond * 1e-9;
    std::printf("{\n  \"engine\": \"core\",\n  \"built_from\": \"%s\",\n  \"path\": \"%s\",\n  \"kernel_isa\": \"%s\",\n",
                builtFrom(), o.path.c_str(), ops::kernelIsa());
    std::printf("  \"config\": {\"dim\": %d, \"heads\": %d, \"layers\": %d, \"ffn\": %d, \"len\": %d, \"batch\": %d, "
                "\"tasks\": %d, \"classes\": [%s], \"vocab\": %d, \"real_tokens\": %lld, \"threads\": %d, "
                "\"samples\": %d, \"words\": %d, \"zipf\": %g},\n",
                o.dim, o.heads, o.layers, o.ffn, o.len, o.batch, o.tasks, joinInts(o.classes).c_str(), o.vocab,
                r.realTokens, o.threads, o.samples, o.words, o.zipf);
    std::printf("  \"batches_per_epoch\": %zu, \"token_rows_per_batch\": %.6g,\n", r.batches, r.rowsPerBatch);
    std::printf("  \"parameters\": %zu,\n", r.parameters);
    std::printf("  \"batch_checksum\": {\"id_sum\": %lld, \"real_tokens\": %lld, \"label_sum\": %lld},\n", r.idSum,
                r.realTokens, r.labelSum);
    std::printf("  \"steps_per_repeat\": %d, \"repeats\": %d, \"warmup\": %d,\n", o.steps, o.repeats, o.warmup);
    std::printf("  \"steps_per_second\": %.6g, \"steps_per_second_best\": %.6g, \"steps_per_second_worst\": %.6g,\n",
                timing.median, timing.best, timing.worst);
    std::printf("  \"ms_per_step\": %.6g,\n", 1000.0 / timing.median);
    std::printf("  \"flops_per_step\": %.6g, \"flops_encoder\": %.6g, \"flops_pool\": %.6g, \"flops_heads\": %.6g,\n",
                r.flops.total(), r.flops.encoder, r.flops.pool, r.flops.heads);
    std::printf("  \"gflops\": %.6g,\n", gflops);
    std::printf("  \"steps_per_cpu_second\": %.6g, \"gflops_per_cpu_second\": %.6g,\n", timing.perCpuSecond, gflopsCpu);
    std::printf("  \"cpu_per_wall\": %.4g, \"os_threads\": %d,\n", timing.cpuPerWall, timing.maxThreads);
    std::printf("  \"loss_first_step\": %.6g,\n", timing.firstLoss);
    const Peak &p = r.peak;
    if (p.shapes.empty()) {
        std::printf("  \"peak\": null,\n");
    } else {
        std::printf("  \"peak\": {\"isa\": \"%s\", \"threads\": %d, \"seconds_per_shape\": %g, "
                    "\"gflops_median\": %.6g, \"gflops_best\": %.6g,\n", p.isa.c_str(), p.threads, p.seconds,
                    p.median(), p.best());
        std::printf("    \"achieved_over_peak\": [");
        printList("%.6g", p.ratios, 1);
        std::printf("], \"achieved_over_peak_median\": %.6g,\n", medianOf(p.ratios));
        std::printf("    \"achieved_over_peak_cpu\": [");
        printList("%.6g", p.ratiosCpu, 1);
        std::printf("], \"achieved_over_peak_cpu_median\": %.6g,\n    \"blocks\": [", medianOf(p.ratiosCpu));
        for (size_t i = 0; i < p.blocks.size(); ++i)
            std::printf("%s\n      {\"gflops\": %.6g, \"gflops_cpu_per_thread\": %.6g, \"shape\": \"%s\"}",
                        i ? "," : "", p.blocks[i].wall, p.blocks[i].cpu / p.threads,
                        p.shapes[size_t(p.blocks[i].shape)].name.c_str());
        std::printf("\n    ],\n    \"shapes\": [");
        for (size_t i = 0; i < p.shapes.size(); ++i)
            std::printf("%s\n      {\"shape\": \"%s\", \"gflops_best\": %.6g, \"gflops_cpu_per_thread_best\": %.6g}",
                        i ? "," : "", p.shapes[i].name.c_str(), p.shapes[i].wall, p.shapes[i].cpu / p.threads);
        std::printf("\n    ]\n  },\n");
    }
    std::printf("  \"note\": \"%s\"\n}\n", threadNote(o));
}

void printText(const Options &o, const Report &r)
{
    const Timing &timing = r.timing;
    const double gflops = r.flops.total() * timing.median * 1e-9;
    const double gflopsCpu = r.flops.total() * timing.perCpuSecond * 1e-9;
    std::printf("core (%s path): d %d, %d heads, %d layers, f %d, L %d, batch %d, %d tasks (%s classes), vocab %d, "
                "%lld real tokens, %d threads requested\n",
                o.path.c_str(), o.dim, o.heads, o.layers, o.ffn, o.len, o.batch, o.tasks, joinInts(o.classes).c_str(),
                o.vocab, r.realTokens, o.threads);
    std::printf("batch checksum: id sum %lld, real tokens %lld, label sum %lld; %zu parameters\n", r.idSum,
                r.realTokens, r.labelSum, r.parameters);
    if (o.samples > 0)
        std::printf("corpus: %d texts, %zu batches per epoch, %.1f distinct token rows per batch (of %d)\n", r.samples,
                    r.batches, r.rowsPerBatch, o.vocab);
    std::printf("steps/s: %.2f (median of %d x %d steps; best %.2f, worst %.2f), %.3f ms/step, first-step loss %.4f\n",
                timing.median, o.repeats, o.steps, timing.best, timing.worst, 1000.0 / timing.median,
                timing.firstLoss);
    std::printf("matmul FLOPs/step: %.4g (encoder %.4g, pooling %.4g, heads %.4g); achieved %.2f GFLOP/s\n",
                r.flops.total(), r.flops.encoder, r.flops.pool, r.flops.heads, gflops);
    std::printf("CPU time / wall time while timing: %.2f; OS threads: %d; per CPU second: %.2f steps, %.2f GFLOP\n",
                timing.cpuPerWall, timing.maxThreads, timing.perCpuSecond, gflopsCpu);
    std::printf("kernels: %s; built from commit %s\n", ops::kernelIsa(), builtFrom());
    if (const Peak &p = r.peak; !p.shapes.empty()) {
        std::printf("Eigen float GEMM peak (%s build, %d thread%s at once, each its own product), a block before "
                    "the first repeat and after each, GFLOP/s of its best shape: ",
                    p.isa.c_str(), p.threads, p.threads == 1 ? "" : "s");
        printList("%.1f", blockRates(p), 1);
        std::printf("\nachieved / peak per repeat (against the larger block either side): ");
        printList("%.1f", p.ratios, 100);
        std::printf(" %%; median %.1f %%; per CPU second %.1f %%\n", 100 * medianOf(p.ratios), 100 * medianOf(p.ratiosCpu));
        std::printf("GEMM shapes, best block:");
        for (const PeakShape &s : p.shapes) std::printf(" %s %.1f;", s.name.c_str(), s.wall);
        std::printf("\n");
    }
    std::printf("note: %s\n", threadNote(o));
}

} // namespace attnscope::benchstep
