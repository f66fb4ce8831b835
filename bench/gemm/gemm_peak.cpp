// Single-thread Eigen float GEMM throughput, for the "achieved / peak" figure
// of bench_step (which runs it on several threads at once for a peak of
// several cores). Compiled several times (see bench/CMakeLists.txt):
//   - into bench_step itself with the project's flags ("portable": baseline
//     x86-64, SSE2, unless ATTNSCOPE_NATIVE is on);
//   - into small shared libraries with -mavx2 -mfma (what kernels dispatched
//     to AVX2+FMA at run time can reach) and with the AVX-512 flags of
//     core/ops_avx512.cpp, built with hidden visibility so their Eigen
//     instantiations never clash with the portable ones (one exported C
//     function per library).
//
// The products have the shapes and storage of the core's linear maps (all
// matrices row-major, W stored (out, in) as in linear_forward):
//   form 0, forward:     Y (M, N) += X (M, K) W^T,  W (N, K)
//   form 1, backward dX: Y (M, N) += G (M, K) W,    W (K, N)
//   form 2, backward dW: Y (M, N) += G^T X,         G (K, M), X (K, N)  (depth K = the rows of a batch)
// Each product adds to Y (Eigen's GEMM kernel itself), where `Y = A B` would
// first zero Y: a peak counts the multiply, not a memset.
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

void fill(MatR &m, long prime)
{
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = float((i * prime) % 1000) * 1e-3f - 0.5f;
}

} // namespace

// GFLOP/s (2 M N K per product) of the product `form` (above): `repeats`
// blocks of products, each running for at least `minSeconds` of wall time,
// after one product of warm-up (first touch, packing buffers). *wall: the
// best block's FLOPs per wall second; *cpu: the best block's FLOPs per CPU
// second of this thread (on a shared machine it does not drop when other jobs
// take the core). Deterministic inputs; this thread only (Eigen is built
// without OpenMP here).
extern "C" __attribute__((visibility("default"))) void GEMM_PEAK_FUNCTION(int form, int M, int N, int K,
                                                                          double minSeconds, int repeats,
                                                                          double *wall, double *cpu)
{
    MatR A = form == 2 ? MatR(K, M) : MatR(M, K);
    MatR B = form == 0 ? MatR(N, K) : MatR(K, N);
    MatR Y = MatR::Zero(M, N);
    fill(A, 7919);
    fill(B, 104729);
    const auto product = [&] {
        if (form == 0) Y.noalias() += A * B.transpose();
        else if (form == 1) Y.noalias() += A * B;
        else Y.noalias() += A.transpose() * B;
    };
    product();
    const double flops = 2.0 * double(M) * double(N) * double(K);
    double bestWall = 0, bestCpu = 0;
    for (int r = 0; r < std::max(1, repeats); ++r) {
        long count = 0;
        const double wall0 = seconds(CLOCK_MONOTONIC), cpu0 = seconds(CLOCK_THREAD_CPUTIME_ID);
        double elapsed = 0;
        do {
            product();
            ++count;
            elapsed = seconds(CLOCK_MONOTONIC) - wall0;
        } while (elapsed < minSeconds);
        const double cpuElapsed = seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
        bestWall = std::max(bestWall, flops * double(count) / elapsed * 1e-9);
        bestCpu = std::max(bestCpu, flops * double(count) / std::max(cpuElapsed, 1e-9) * 1e-9);
    }
    volatile float sink = Y(0, 0);  // keep the result alive
    (void)sink;
    *wall = bestWall;
    *cpu = bestCpu;
}
