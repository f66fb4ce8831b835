// Eigen's products as the core's AVX-512 build would compute them with
// Eigen's own product expressions (eigen_products_avx512.cpp): the reference
// of test_lineardriver. Call only where ops::kernelIsa() is "avx512".
#pragma once

namespace attnscope::test {

// out (N, O) = [residual +] [b +] inp (N, I) W^T, W (O, I); b, residual null for none
// (residual may be out itself).
void eigenLinearForward(float *out, const float *inp, const float *w, const float *b, int N, int I, int O,
                        const float *residual);
// dinp (N, I) = dout (N, O) W (set) or += (else).
void eigenLinearInput(float *dinp, const float *dout, const float *w, int N, int I, int O, bool set);

} // namespace attnscope::test
