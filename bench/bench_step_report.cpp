// bench_step's printouts (bench/bench_step.h).
#include "bench_step.h"

#include "ops.h"

#include <cstdio>
#include <string>
#include <vector>

namespace attnscope::benchstep {

namespace {

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

void printJson(const Options &o, const Report &r)
{
    const Timing &timing = r.timing;
    const double gflops = r.flops.total() * timing.median * 1e-9;
    const double gflopsCpu = r.flops.total() * timing.perCpuSecond * 1e-9;
    std::printf("{\n  \"engine\": \"core\",\n  \"path\": \"%s\",\n  \"kernel_isa\": \"%s\",\n", o.path.c_str(),
                ops::kernelIsa());
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
    std::printf("  \"peaks\": [");
    for (size_t i = 0; i < r.peaks.size(); ++i) {
        const Peak &p = r.peaks[i];
        std::printf("%s\n    {\"isa\": \"%s\", \"gemm_512\": %.6g, \"gemm_model\": %.6g, \"gemm_ffn\": %.6g, "
                    "\"gemm_512_cpu\": %.6g, \"gemm_model_cpu\": %.6g, \"gemm_ffn_cpu\": %.6g, "
                    "\"gemm_512_two_cores\": %.6g}",
                    i ? "," : "", p.isa.c_str(), p.square, p.model, p.ffn, p.squareCpu, p.modelCpu, p.ffnCpu,
                    p.squareTwo);
    }
    std::printf("\n  ],\n  \"note\": \"%s\"\n}\n", threadNote(o));
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
    std::printf("kernels: %s\n", ops::kernelIsa());
    for (const Peak &p : r.peaks)
        std::printf("Eigen float GEMM peak, 1 thread, %-8s: 512^3 %.2f GFLOP/s, %dx%dx%d %.2f, %dx%dx%d %.2f; "
                    "achieved/peak(512^3) %.1f%%; per CPU second: 512^3 %.2f GFLOP, achieved/peak %.1f%%; "
                    "two cores at once: 512^3 %.2f GFLOP/s, achieved/peak %.1f%%\n",
                    p.isa.c_str(), p.square, o.batch * o.len, o.dim, o.dim, p.model, o.batch * o.len, o.ffn, o.dim,
                    p.ffn, 100.0 * gflops / p.square, p.squareCpu, 100.0 * gflopsCpu / p.squareCpu, p.squareTwo,
                    100.0 * gflops / p.squareTwo);
    std::printf("note: %s\n", threadNote(o));
}

} // namespace attnscope::benchstep
