// Times the float kernels of one encoder layer (linear maps, GELU, LayerNorm,
// self-attention) at one thread's share of the large configuration (B 16,
// L 128, d 256, 8 heads, f 1024: what each of the two threads of
// `bench_step --threads 2` computes), in CPU seconds of this thread, best of
// --repeats; GFLOP per CPU second for the products. A benchmark, not a
// test: to compare two builds, run their binaries alternately
// (docs/performance.md).
//
//   ops_bench [--batch 16 --len 128 --dim 256 --heads 8 --ffn 1024 --repeats 15 --only NAME --cold MB]
//
// --cold MB writes a buffer of MB megabytes before each timed repeat, so that
// the operands come from memory, as in a training step (0: off, the default).

#include "ops.h"
#include "random.h"

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

using namespace attnscope;

namespace {

double cpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

std::vector<float> randomFloats(Rng &rng, size_t n, double scale = 1.0)
{
    std::vector<float> v(n);
    for (float &x : v) x = float(scale * rng.normal());
    return v;
}

} // namespace

int main(int argc, char **argv)
{
    int B = 16, L = 128, d = 256, h = 8, f = 1024, repeats = 15, coldMB = 0;
    std::string only;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        const int v = std::atoi(argv[i + 1]);
        if (a == "--batch") B = v;
        else if (a == "--len") L = v;
        else if (a == "--dim") d = v;
        else if (a == "--heads") h = v;
        else if (a == "--ffn") f = v;
        else if (a == "--repeats") repeats = v;
        else if (a == "--only") only = argv[i + 1];
        else if (a == "--cold") coldMB = v;
        else {
            std::fprintf(stderr, "ops_bench: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    const int N = B * L;
    Rng rng(42);
    // wide enough for every op: the FFN's f columns, and Q, K and V's 3 d side by side (f may be under 3 d)
    const size_t wide = size_t(std::max(f, 3 * d));
    const std::vector<float> x = randomFloats(rng, size_t(N) * wide), dy = randomFloats(rng, size_t(N) * wide),
                             w = randomFloats(rng, wide * wide, 0.05), bias = randomFloats(rng, wide);
    std::vector<float> y(size_t(N) * wide), dx(size_t(N) * wide), dw(wide * wide), db(wide);
    const size_t BLd = size_t(N) * d;
    const std::vector<float> q = randomFloats(rng, BLd), k = randomFloats(rng, BLd), v = randomFloats(rng, BLd),
                             dout = randomFloats(rng, BLd);
    std::vector<uint8_t> mask(size_t(N), 1);
    std::vector<float> mean(static_cast<size_t>(N)), rstd(static_cast<size_t>(N));
    std::vector<float> out(BLd), att(size_t(B) * h * L * L), dq(BLd), dk(BLd), dv(BLd);
    ops::kernelIsa();

    struct Op {
        std::string name;
        double flops;
        std::function<void()> run;
    };
    const double dense = 2.0 * N * d * d;
    const std::vector<Op> opsList = {
        {"linear_fwd_dxd", dense, [&] { ops::linear_forward(y.data(), x.data(), w.data(), bias.data(), N, d, d); }},
        {"linear_fwd_up", dense * f / d, [&] { ops::linear_forward(y.data(), x.data(), w.data(), bias.data(), N, d, f); }},
        {"linear_fwd_down", dense * f / d,
         [&] { ops::linear_forward(y.data(), x.data(), w.data(), bias.data(), N, f, d, y.data()); }},
        {"linear_dx_dxd", dense,
         [&] { ops::linear_backward<float>(dx.data(), nullptr, nullptr, dy.data(), x.data(), w.data(), N, d, d, ops::Write::Set); }},
        {"linear_dx_down", dense * f / d,
         [&] { ops::linear_backward<float>(dx.data(), nullptr, nullptr, dy.data(), x.data(), w.data(), N, f, d, ops::Write::Set); }},
        {"linear_dwdb_dxd", dense,
         [&] { ops::linear_backward<float>(nullptr, dw.data(), db.data(), dy.data(), x.data(), w.data(), N, d, d); }},
        {"linear_dwdb_up", dense * f / d,
         [&] { ops::linear_backward<float>(nullptr, dw.data(), db.data(), dy.data(), x.data(), w.data(), N, d, f); }},
        {"linear_dwdb_down", dense * f / d,
         [&] { ops::linear_backward<float>(nullptr, dw.data(), db.data(), dy.data(), x.data(), w.data(), N, f, d); }},
        // the fused ops of the encoder layer (ops_api.inc): Q, K and V of one input; dln from three
        // products; their dW and db from one input (beside the three calls it replaces); the FFN's
        // up map with GELU; its down map's dX with GELU's backward
        {"fused_qkv_fwd", 3 * dense,
         [&] {
             float *outs[] = {y.data(), y.data() + BLd, y.data() + 2 * BLd};
             const float *ws[] = {w.data(), w.data() + d * d, w.data() + 2 * d * d};
             const float *bs[] = {bias.data(), bias.data(), bias.data()};
             ops::linear_forward_many(outs, x.data(), ws, bs, 3, N, d, d);
         }},
        {"fused_qkv_dx", 3 * dense,
         [&] {
             const float *douts[] = {dy.data(), dy.data() + BLd, dy.data() + 2 * BLd};
             const float *ws[] = {w.data(), w.data() + d * d, w.data() + 2 * d * d};
             ops::linear_backward_input_sum(dx.data(), douts, ws, 3, N, d, d, ops::Write::Set);
         }},
        {"qkv_dwdb_3_calls", 3 * dense,
         [&] {
             for (int j = 0; j < 3; ++j)
                 ops::linear_backward<float>(nullptr, dw.data() + j * d * d, db.data() + j * d, dy.data() + j * BLd,
                                             x.data(), w.data(), N, d, d);
         }},
        {"fused_qkv_dwdb", 3 * dense,
         [&] {
             float *dws[] = {dw.data(), dw.data() + d * d, dw.data() + 2 * d * d};
             float *dbs[] = {db.data(), db.data() + d, db.data() + 2 * d};
             const float *douts[] = {dy.data(), dy.data() + BLd, dy.data() + 2 * BLd};
             ops::linear_backward_weights_many(dws, dbs, douts, x.data(), 3, N, d, d);
         }},
        {"fused_up_gelu_fwd", dense * f / d,
         [&] { ops::linear_gelu_forward(dx.data(), y.data(), x.data(), w.data(), bias.data(), N, d, f); }},
        {"fused_down_dx_gelu", dense * f / d,
         [&] { ops::linear_gelu_backward_input(dx.data(), dy.data(), w.data(), x.data(), N, f, d); }},
        {"gelu_fwd", 0.0, [&] { ops::gelu_forward(y.data(), x.data(), size_t(N) * f); }},
        {"gelu_bwd", 0.0, [&] { ops::gelu_backward(dx.data(), x.data(), dy.data(), size_t(N) * f, ops::Write::Set); }},
        {"layernorm_fwd", 0.0,
         [&] { ops::layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), bias.data(), N, d); }},
        {"layernorm_bwd", 0.0,
         [&] {
             ops::layernorm_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), mean.data(),
                                     rstd.data(), N, d, ops::Write::Add);
         }},
        {"attention_fwd", 4.0 * B * L * L * d,
         [&] { ops::attention_forward(out.data(), att.data(), q.data(), k.data(), v.data(), mask.data(), B, L, d, h); }},
        {"attention_bwd", 8.0 * B * L * L * d,
         [&] {
             ops::attention_backward(dq.data(), dk.data(), dv.data(), dout.data(), att.data(), q.data(), k.data(),
                                     v.data(), B, L, d, h, ops::Write::Set);
         }},
    };
    std::printf("kernels: %s; B %d, L %d, d %d, %d heads, f %d; ms of thread CPU, best of %d\n", ops::kernelIsa(), B,
                L, d, h, f, repeats);
    for (const Op &op : opsList) {
        if (!only.empty() && op.name.find(only) == std::string::npos) continue;
        op.run();  // warm
        double best = 1e300;
        for (int r = 0; r < repeats; ++r) {
            if (coldMB > 0) {
                // the operands out of the caches, as in a step, where each op's inputs were written ops ago
                static std::vector<char> flush;
                flush.resize(size_t(coldMB) << 20);
                for (size_t i = 0; i < flush.size(); i += 64) flush[i] = char(flush[i] + 1);
            }
            const double t0 = cpuSeconds();
            op.run();
            best = std::min(best, cpuSeconds() - t0);
        }
        if (op.flops > 0)
            std::printf("%-18s %8.3f ms  %6.1f GFLOP per CPU-s\n", op.name.c_str(), best * 1e3, op.flops / best / 1e9);
        else
            std::printf("%-18s %8.3f ms\n", op.name.c_str(), best * 1e3);
    }
    return 0;
}
