// The column roles a checkpoint remembers, applied to a file it reads.
#pragma once

#include "data/load.h"
#include "model.h"

#include <string>

namespace attnscope {

// The column roles to read a CSV or TSV file `spec` with for `model` (a
// checkpoint): the roles `given` names win, each only its own (a text or
// feature column given replaces the input, task columns the tasks), and the
// others are the model's (its text column, features and task names, those
// the file has), so that a file like the training one needs no roles again.
// A column `given` names keeps none of the model's roles (an ignored one
// is no longer a feature). The features only when the file has every one:
// otherwise they are guessed and the comparison names the missing and the
// unexpected. Other formats: `given`. attnscope-cli's eval, attention and
// explain and the window's loads with a checkpoint open read files this way.
LoadOptions checkpointRoles(const LoadOptions &given, const Model &model, const std::string &spec);

} // namespace attnscope
