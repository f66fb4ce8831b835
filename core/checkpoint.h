// Safetensors checkpoints (MODEL.md section 6).
#pragma once

#include "model.h"

#include <string>

namespace attnscope {

// Writes atomically (a temporary file renamed into place). False and *error on failure.
bool saveCheckpoint(const Model &model, const std::string &path, std::string *error);
// Reads and validates; on failure *model is untouched and *error says what was wrong
// ("<file>: tensor 'x': ...").
bool loadCheckpoint(const std::string &path, Model *model, std::string *error);

// The same from and to memory (for tests and fuzzing); name is used in messages.
std::string serializeCheckpoint(const Model &model);
bool parseCheckpoint(const std::string &bytes, const std::string &name, Model *model,
                     std::string *error);

} // namespace attnscope
