// The safetensors container, for the checkpoint files (checkpoint.h) and
// their tests' generic reader (TensorFile):
//   8 bytes   N, the header length, unsigned little-endian
//   N bytes   a JSON object: "__metadata__" (string -> string) and, for each
//             tensor, {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}
//             (offsets in bytes, relative to the start of the data)
//   the rest  the data: raw little-endian values; the tensors' byte ranges do
//             not overlap and cover it exactly
// We write the header padded with spaces to a multiple of 8 bytes (as the
// safetensors package does).
//
// The reader never trusts the file: every length, offset and shape is checked
// before it is used, and each refusal names the file and, where there is one,
// the tensor.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace attnscope::safetensors {

struct Entry {
    std::string name;
    std::vector<int> shape;
    uint64_t begin = 0, end = 0;  // bytes, relative to the data
};

// What the layout checks of a safetensors file leave: the tensors' places and
// the metadata. data points into the caller's bytes.
struct Layout {
    std::vector<Entry> entries;   // sorted by name
    std::map<std::string, std::string> metadata;
    const char *data = nullptr;
    uint64_t dataSize = 0;
};

// Checks everything MODEL.md 6 asks of the file's layout; fills *out. False
// and *error ("<name>: ...") when the bytes are not such a file.
bool parseLayout(const std::string &bytes, const std::string &name, Layout *out, std::string *error);

// A file read whole, which must be a regular file whose first 8 bytes give a
// header length it can hold; false and *error ("<path>: ...") otherwise.
bool readFile(const std::string &path, std::string *bytes, std::string *error);

// count little-endian F32 values from src.
void decode(const char *src, size_t count, float *dst);

// A tensor to write: its name, shape and values.
struct Tensor {
    std::string name;
    std::vector<int> shape;
    const float *values;
    size_t count;
};
// The file of these tensors, in this order, and this metadata.
std::string write(const std::vector<Tensor> &tensors, const QJsonObject &metadata);

// A JSON number that is a non-negative integer no larger than max.
bool readCount(const QJsonValue &v, int64_t max, int64_t *out);
// "[2, 3]"
std::string shapeText(const std::vector<int> &shape);
std::string compactJson(const QJsonObject &o);
std::string compactJson(const QJsonArray &a);

} // namespace attnscope::safetensors
