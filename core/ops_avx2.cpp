// The ops compiled for AVX2 and FMA (core/CMakeLists.txt sets the flags on
// this file only); ops.cpp calls them only where the processor has both.
//
// Eigen is renamed in this file so that none of its inline functions, built
// here with AVX2 instructions, can stand in for the baseline build's copies
// at link time (the linker keeps one copy of each same-named inline function).
#define Eigen AttnScopeEigenAvx2

#include "ops.h"

#include <Eigen/Core>
#include <unsupported/Eigen/SpecialFunctions>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

namespace attnscope::ops::avx2 {
#include "ops_kernels.inc"
ATTNSCOPE_OPS(float)
} // namespace attnscope::ops::avx2
