// Safetensors checkpoints (MODEL.md section 6).
#pragma once

#include "model.h"

#include <map>
#include <string>
#include <vector>

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

// A generic safetensors file of F32 tensors (the reference test reads its
// expected values with it; checkpoint loading uses the same parser). Every
// check of MODEL.md 6 on the layout applies: header length within the file,
// header a JSON object, string metadata, F32 only, byte ranges inside the data,
// not overlapping and covering it exactly.
struct TensorFile {
    std::map<std::string, std::vector<float>> tensors;
    std::map<std::string, std::vector<int>> shapes;
    std::map<std::string, std::string> metadata; // __metadata__
};
bool readSafetensors(const std::string &path, TensorFile *out, std::string *error);
bool parseSafetensors(const std::string &bytes, const std::string &name, TensorFile *out,
                      std::string *error);

} // namespace attnscope
