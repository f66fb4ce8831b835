// The ops for any x86-64 processor, in float (training) and double (checks).
#include "ops.h"

#include <Eigen/Core>
#include <unsupported/Eigen/SpecialFunctions>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

namespace attnscope::ops::generic {
#include "ops_kernels.inc"
ATTNSCOPE_OPS(float)
ATTNSCOPE_OPS(double)
} // namespace attnscope::ops::generic
