// Eigen's own products, built with the instructions of the core's AVX-512
// kernels (tests/CMakeLists.txt sets the same flags on this file as
// core/CMakeLists.txt sets on ops_avx512.cpp): what the linear maps' driver
// (core/ops_eigen_gemm.inc) must reproduce bit for bit. Called only where
// the processor has AVX-512 (test_lineardriver checks ops::kernelIsa()).
//
// Eigen is renamed, as in ops_avx512.cpp, so that none of its inline
// functions built here stands in for another build's copies at link time.
#define Eigen AttnScopeEigenAvx512Products

#include "eigen_products.h"

#include <Eigen/Core>

namespace attnscope::test {

namespace {
using MapR = Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
using CMapR = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
using CRowVec = Eigen::Map<const Eigen::Matrix<float, 1, Eigen::Dynamic>>;
} // namespace

void eigenLinearForward(float *out, const float *inp, const float *w, const float *b, int N, int I, int O,
                        const float *residual)
{
    MapR Y(out, N, O);
    // the start, then Eigen's product added to it (a product with neither
    // start is Eigen's `=`, which zeroes Y first)
    if (residual && b) Y = CMapR(residual, N, O).rowwise() + CRowVec(b, O);
    else if (residual) {
        if (residual != out) Y = CMapR(residual, N, O);
    } else if (b) {
        Y.rowwise() = CRowVec(b, O);
    } else {
        Y.noalias() = CMapR(inp, N, I) * CMapR(w, O, I).transpose();
        return;
    }
    Y.noalias() += CMapR(inp, N, I) * CMapR(w, O, I).transpose();
}

void eigenLinearInput(float *dinp, const float *dout, const float *w, int N, int I, int O, bool set)
{
    if (set) MapR(dinp, N, I).noalias() = CMapR(dout, N, O) * CMapR(w, O, I);
    else MapR(dinp, N, I).noalias() += CMapR(dout, N, O) * CMapR(w, O, I);
}

} // namespace attnscope::test
