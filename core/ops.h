// The model's operations as pairs of free functions, each forward beside its
// backward (as llm.c writes them). Shapes are in the comments; tensors are
// row-major. Backward functions accumulate (+=) into their gradient outputs,
// unless given Write::Set for their input gradient: then they assign it, and
// the caller need not zero it first (a pass over memory fewer per buffer).
// Instantiated for float and double in ops.cpp.
#pragma once

#include "params.h"
#include "types.h"

#include <cstddef>
#include <cstdint>

namespace attnscope::ops {

// How a backward op writes its input gradient: add to it (the default), or set it.
enum class Write { Add, Set };

// The scalars of one AdamW step (see adamw_step), the same for every parameter.
struct AdamWStep {
    float decay = 1;     // 1 - lr wd
    float stepSize = 0;  // lr / (1 - b1^t)
    float bc2Sqrt = 1;   // sqrt(1 - b2^t)
    float eps = 1e-8f, beta1 = 0.9f, beta2 = 0.999f;
};

// The terms of a coasting lazy row's series (adamw_coast, Optimizer::materialise).
constexpr int AdamWCoastTerms = 10;

#include "ops_api.inc"

// Which build of the kernels runs: "avx512", "avx2+fma" or "baseline".
const char *kernelIsa();

} // namespace attnscope::ops
