// Single-thread Eigen float GEMM throughput, for the "achieved / peak" figure
// of bench_step. Compiled several times (see bench/CMakeLists.txt):
//   - into bench_step itself with the project's flags ("portable": baseline
//     x86-64, SSE2, unless ATTNSCOPE_NATIVE is on);
//   - into small shared libraries with -mavx2 -mfma (what kernels dispatched
//     to AVX2+FMA at run time can reach) and with -mavx512f (what
//     -march=native could reach here), built with hidden visibility so their
//     Eigen instantiations never clash with the portable ones (one exported
//     C function per library).
//
// The product has the shape and storage of the core's linear_forward:
// Y (M, N) = X (M, K) W^T with X, W, Y row-major and W stored (N, K).
#include <Eigen/Core>

#include <time.h>

#include <algorithm>
#include <vector>

#ifndef GEMM_PEAK_FUNCTION
#define GEMM_PEAK_FUNCTION attnscope_bench_gemm_gflops_portable
#endif

namespace {

using MatR = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

double seconds(clockid_t clock)
{
    timespec ts{};
    clock_gettime(clock, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

} // namespace

// GFLOP/s (2 M N K per product) of `repeats` blocks of products, each block
// running for at least `minSeconds` of wall time: the median over blocks of
// FLOPs per wall second (*wall) and per CPU second of this thread (*cpu; on a
// shared machine this one does not drop when other jobs take the core).
// Deterministic inputs; single thread (Eigen is built without OpenMP here).
extern "C" __attribute__((visibility("default"))) void GEMM_PEAK_FUNCTION(int M, int N, int K, double minSeconds,
                                                                          int repeats, double *wall, double *cpu)
{
    MatR X(M, K), W(N, K), Y(M, N);
    for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = float((i * 7919) % 1000) * 1e-3f - 0.5f;
    for (Eigen::Index i = 0; i < W.size(); ++i) W.data()[i] = float((i * 104729) % 1000) * 1e-3f - 0.5f;
    Y.noalias() = X * W.transpose();  // warm-up: first touch, packing buffers
    const double flops = 2.0 * double(M) * double(N) * double(K);
    std::vector<double> wallRates, cpuRates;
    for (int r = 0; r < std::max(1, repeats); ++r) {
        long count = 0;
        const double wall0 = seconds(CLOCK_MONOTONIC), cpu0 = seconds(CLOCK_THREAD_CPUTIME_ID);
        double elapsed = 0;
        do {
            Y.noalias() = X * W.transpose();
            ++count;
            elapsed = seconds(CLOCK_MONOTONIC) - wall0;
        } while (elapsed < minSeconds);
        const double cpuElapsed = seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
        wallRates.push_back(flops * double(count) / elapsed * 1e-9);
        cpuRates.push_back(flops * double(count) / std::max(cpuElapsed, 1e-9) * 1e-9);
    }
    volatile float sink = Y(0, 0);  // keep the result alive
    (void)sink;
    *wall = median(wallRates);
    *cpu = median(cpuRates);
}
