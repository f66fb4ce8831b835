// JSON Lines datasets: one JSON object per line (docs/datasets.md).
//
// Text:    {"text": "...", "labels": {"task": "class", ...},
//           "rationales": {"task": [[start, end], ...]}, "split": "train"}
// Tabular: {"features": {"name": 1.5, ...}, "labels": {...},
//           "rationales": {"task": ["name", ...]}}
#pragma once

#include "data/load.h"

#include <string>

namespace attnscope {

// Reads a JSON Lines file into *out (all or nothing). Errors are
// "<file>:<line>: <what>", with the column for bad JSON.
bool readJsonlDataset(const std::string &path, Dataset *out, std::string *error, const LoadProgress &progress = {});

} // namespace attnscope
