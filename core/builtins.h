// The built-in datasets added by issue 3: builtin:sensors (tabular) and
// builtin:order (text whose tasks need token-to-token attention). dataset.cpp
// dispatches "builtin:sensors" and "builtin:order" here.
#pragma once

#include "dataset.h"

#include <string>
#include <vector>

namespace attnscope {

// True when spec names one of these ("builtin:sensors?n=100" -> true).
bool isExtraBuiltin(const std::string &spec);
// The items of a spec's query, "builtin:x?a=1&&b=2" -> {"a=1", "b=2"} (empty
// items skipped; each caller checks them for key=value).
std::vector<std::string> builtinOptionItems(const std::string &spec);

// Generates it; errors as "<spec>: <what>".
bool loadExtraBuiltin(const std::string &spec, Dataset *out, std::string *error);

} // namespace attnscope
