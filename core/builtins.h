// The built-in datasets added by issue 3: builtin:sensors (tabular) and
// builtin:order (text whose tasks need token-to-token attention), and the
// options reader every built-in uses. dataset.cpp dispatches
// "builtin:sensors" and "builtin:order" here.
#pragma once

#include "dataset.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace attnscope {

// True when spec names one of these ("builtin:sensors?n=100" -> true).
bool isExtraBuiltin(const std::string &spec);
// Reads a spec's query ("builtin:x?n=100&seed=3"): n (samples, 1 to
// 10000000), seed (a non-negative whole number) and the given fractions
// (numbers from 0 to 1), each key at most once. Keys not given leave their
// values as they are. False with "<spec>: option ..." for an item that is not
// key=value, a key given twice, an unknown key (naming those it takes) or a
// bad value; dataset.cpp reads builtin:reviews' options with it too.
bool readBuiltinOptions(const std::string &spec, int *n, uint64_t *seed,
                        const std::vector<std::pair<const char *, double *>> &fractions, std::string *error);

// Generates it; errors as "<spec>: <what>".
bool loadExtraBuiltin(const std::string &spec, Dataset *out, std::string *error);

} // namespace attnscope
