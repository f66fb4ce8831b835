// The model's operations as pairs of free functions, each forward beside its
// backward (as llm.c writes them). Shapes are in the comments; tensors are
// row-major. Backward functions accumulate (+=) into their gradient outputs.
// Instantiated for float and double in ops.cpp.
#pragma once

#include "params.h"
#include "types.h"

#include <cstddef>
#include <cstdint>

namespace attnscope::ops {

#include "ops_api.inc"

// Which build of the kernels runs: "avx512", "avx2+fma" or "baseline".
const char *kernelIsa();

} // namespace attnscope::ops
