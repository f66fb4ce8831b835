// The commit bench_step was built from: bench_source.h is written at each
// build by source_stamp.cmake (bench/CMakeLists.txt), and only this file
// compiles again when it changes.
#include "bench_step.h"

#include "bench_source.h"

namespace attnscope::benchstep {

const char *builtFrom()
{
    return ATTNSCOPE_BENCH_SOURCE;
}

} // namespace attnscope::benchstep
