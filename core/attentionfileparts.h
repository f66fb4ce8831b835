// The parts of the attention file reader (attentionfile.h), for its own
// files only: what each format's reader collects for a sample before the
// checks that every format shares, the budget they all count against, and
// each part's entry point.
//   attentionfile.cpp          readAttentionFile: the format from the first bytes, the reader, the checks
//   attentionfilejson.cpp      the two JSON forms, and the token list beside a .npy
//   attentionjsonstream.h      the strict streaming JSON under them
//   attentionfilenpy.cpp       .npy arrays, and a .npy with its tokens
//   attentionfilenpz.cpp       the zip around a .npz, and its members
//   attentionfilecheck.cpp     assemble: the checks every format shares
#pragma once

#include "attentionfile.h"

#include <QFile>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::attentionfile {

// What a reader collects for one sample, before the checks that every format
// shares (assemble): the pooling weights and predictions by task name, in
// file order.

struct NamedWeights {
    std::string task;
    std::vector<float> weights;
};

struct Prediction {
    std::string task;
    std::string className;       // "" when the file names none
    std::vector<float> probs;
};

struct RawSample {
    AttentionFileSample sample;  // tokens and selfAttention filled, weights and probs not yet
    bool hasTokens = false;
    std::vector<NamedWeights> pooling;
    std::vector<Prediction> predictions;
};

// What the value read so far holds, in bytes, against AttentionFileLimits::maxBytes:
// 4 a weight, and for the containers around them what a vector or string costs.
class Budget {
public:
    explicit Budget(size_t limit) : m_left(limit), m_limit(limit) {}
    bool take(size_t bytes)
    {
        if (bytes > m_left) return false;
        m_left -= bytes;
        return true;
    }
    size_t limit() const { return m_limit; }

private:
    size_t m_left, m_limit;
};
constexpr size_t SampleBytes = sizeof(RawSample) + 64;
constexpr size_t VectorBytes = sizeof(std::vector<float>) + 32;  // and malloc's smallest chunk
constexpr size_t TokenBytes = sizeof(std::string) + 16;  // plus its text
constexpr size_t MaxStringBytes = size_t(1) << 20;       // a token, a task or class name
constexpr int MaxDepth = 64;                             // of a JSON value that is skipped
// Far beyond any model (Llama 3 405B: 126 layers of 128 heads), and a head
// grid the views can still lay out: more is a wrong array, not a model.
constexpr int64_t MaxLayers = 1024, MaxHeads = 1024;

// "900 bytes", "12 KiB", "256 MiB".
std::string sizeText(double bytes);
// The message for a value past the budget.
std::string overBudget(const Budget &budget);
bool validUtf8(const std::string &s);
std::string inQuotes(const std::string &s);

// --- JSON (attentionfilejson.cpp)

// The samples of a JSON attention file; "" or "<path>:<line>: what is wrong".
std::string readJson(QFile *file, const std::string &path, Budget *budget, std::vector<RawSample> *samples);
// A JSON file that is one list of strings (the tokens of a .npy).
bool readTokenFile(const std::string &path, const AttentionFileLimits &limits, Budget *budget,
                   std::vector<std::string> *tokens, std::string *error);

// --- NumPy (attentionfilenpy.cpp; the zip around a .npz in attentionfilenpz.cpp)

// CRC-32 (zip's, reflected 0xEDB88320) of data[0..n) continuing crc.
uint32_t crc32(uint32_t crc, const char *data, size_t n);

// A range of the open file read front to back: a whole .npy, or the bytes
// of one stored .npz member (their CRC-32 kept as they are read).
class ByteRange {
public:
    ByteRange(QFile *file, int64_t begin, int64_t size) : m_file(file), m_begin(begin), m_size(size) {}
    int64_t left() const { return m_size - m_pos; }
    uint32_t crc() const { return m_crc; }
    // False when the range, or the file, ends first.
    bool read(char *to, int64_t n)
    {
        if (n > left()) return false;
        if (!m_file->seek(m_begin + m_pos) || m_file->read(to, n) != n) return false;
        m_crc = crc32(m_crc, to, size_t(n));
        m_pos += n;
        return true;
    }

private:
    QFile *m_file;
    int64_t m_begin, m_size, m_pos = 0;
    uint32_t m_crc = 0;
};

struct NpyArray {
    char kind = 0;                // 'f' floats, 'U' UTF-32 text, 'S' bytes
    int itemSize = 0;             // bytes per element
    bool bigEndian = false;
    std::vector<int64_t> shape;
    uint64_t count = 1;           // elements (the shape's product)
    uint64_t bytes = 0;           // count * itemSize

    std::string shapeText() const
    {
        std::string s = "(";
        for (size_t k = 0; k < shape.size(); ++k)
            s += (k ? ", " : "") + std::to_string(shape[k]);
        return s + (shape.size() == 1 ? ",)" : ")");
    }
};

// The header of a .npy at the start of *in, leaving *in at the array's
// bytes, which must be exactly what the header says (checked before
// anything is allocated for them); "" or what is wrong.
std::string readNpyHeader(ByteRange *in, NpyArray *out);
// The self-attention array, [layers, heads, L, L] or [heads, L, L], into
// *maps, its size checked against the budget before anything is allocated.
std::string readMaps(ByteRange *in, const NpyArray &a, Budget *budget, SelfAttentionMaps *maps);
// A 1-D array of floats (pooling weights).
std::string readVector(ByteRange *in, const NpyArray &a, Budget *budget, std::vector<float> *out);
// A 1-D array of strings ('U' or 'S').
std::string readStrings(ByteRange *in, const NpyArray &a, Budget *budget, std::vector<std::string> *out);
// A .npy: one sample's self-attention; its tokens from the sibling file.
std::string readNpy(QFile *file, const std::string &path, const AttentionFileLimits &limits, Budget *budget,
                    std::vector<RawSample> *samples);
// A .npz: "tokens", "attention" (optional when there is pooling) and
// "pooling_<task>" members, one sample.
std::string readNpz(QFile *file, const std::string &path, Budget *budget, std::vector<RawSample> *samples);

// --- The checks every format shares, and the value they make (attentionfilecheck.cpp).
std::string assemble(std::vector<RawSample> raw, const std::string &path, AttentionFileFormat format,
                     const AttentionFileLimits &limits, AttentionFile *out);

} // namespace attnscope::attentionfile
