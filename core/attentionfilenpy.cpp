// NumPy for the attention file reader. A .npy is a magic string, a version,
// a header that is a Python dict literal ({'descr': '<f4', 'fortran_order':
// False, 'shape': (2, 4, 9, 9), }) and the array's bytes; a .npy file holds
// one sample's self-attention and its tokens are read from the sibling
// <name>.tokens.json. The arrays of a .npz (attentionfilenpz.cpp) are read
// here too.
#include "attentionfileparts.h"
#include "utf8.h"

#include <QFile>
#include <QFileInfo>
#include <QFloat16>
#include <QSysInfo>
#include <QtEndian>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <string_view>
#include <utility>

namespace attnscope::attentionfile {

namespace {

constexpr size_t MaxNpyHeader = 65536;  // numpy writes a few hundred bytes, and reads at most 10000 by default

// The header's dict literal: exactly the keys 'descr' (a string), 'fortran_order'
// (True or False) and 'shape' (a tuple of non-negative integers).
class NpyHeaderParser {
public:
    explicit NpyHeaderParser(std::string_view text) : m_s(text) {}

    std::string parse(std::string *descr, bool *fortran, std::vector<int64_t> *shape)
    {
        bool hasDescr = false, hasFortran = false, hasShape = false;
        space();
        if (!eat('{')) return "its header is not a Python dict";
        for (;;) {
            space();
            if (eat('}')) break;
            std::string key;
            if (!str(&key)) return "its header is not a Python dict of strings";
            space();
            if (!eat(':')) return "its header is not a Python dict";
            space();
            if (key == "descr") {
                if (peek() == '[') return "it holds a structured array (a record dtype), not numbers or strings";
                if (!str(descr)) return "its header's 'descr' is not a string";
                hasDescr = true;
            } else if (key == "fortran_order") {
                if (word("True")) *fortran = true;
                else if (word("False")) *fortran = false;
                else return "its header's 'fortran_order' is neither True nor False";
                hasFortran = true;
            } else if (key == "shape") {
                if (!tuple(shape)) return "its header's 'shape' is not a tuple of sizes";
                hasShape = true;
            } else {
                return "its header has an unknown key '" + key + "'";
            }
            space();
            if (!eat(',')) {
                space();
                if (!eat('}')) return "its header is not a Python dict";
                break;
            }
        }
        if (!hasDescr || !hasFortran || !hasShape) return "its header lacks 'descr', 'fortran_order' or 'shape'";
        space();
        if (m_p != m_s.size()) return "text after its header's dict";
        return {};
    }

private:
    char peek() const { return m_p < m_s.size() ? m_s[m_p] : '\0'; }
    bool eat(char c)
    {
        if (peek() != c) return false;
        ++m_p;
        return true;
    }
    void space()
    {
        while (peek() == ' ' || peek() == '\n' || peek() == '\t' || peek() == '\r')
            ++m_p;
    }
    bool word(std::string_view w)
    {
        if (m_s.substr(m_p, w.size()) != w) return false;
        m_p += w.size();
        return true;
    }
    bool str(std::string *out)
    {
        const char quote = peek();
        if (quote != '\'' && quote != '"') return false;
        ++m_p;
        const size_t close = m_s.find(quote, m_p);
        if (close == std::string_view::npos) return false;
        out->assign(m_s.substr(m_p, close - m_p));
        m_p = close + 1;
        return out->find('\\') == std::string::npos;
    }
    bool tuple(std::vector<int64_t> *out)
    {
        if (!eat('(')) return false;
        for (;;) {
            space();
            if (eat(')')) return true;
            int64_t v = 0;
            const size_t from = m_p;
            while (peek() >= '0' && peek() <= '9') {
                if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) return false;
                v = v * 10 + (peek() - '0');
                ++m_p;
            }
            if (m_p == from || out->size() >= 32) return false;
            out->push_back(v);
            space();
            if (!eat(',')) {
                space();
                return eat(')');
            }
        }
    }

    std::string_view m_s;
    size_t m_p = 0;
};


} // namespace

// The header of a .npy at the start of *in, leaving *in at the array's
// bytes, which must be exactly what the header says (checked here, before
// anything is allocated for them).
std::string readNpyHeader(ByteRange *in, NpyArray *out)
{
    char start[10];
    if (!in->read(start, 10) || std::memcmp(start, "\x93NUMPY", 6) != 0) return "not a .npy array";
    const int major = static_cast<unsigned char>(start[6]);
    uint32_t length = 0;
    if (major == 1) {
        length = qFromLittleEndian<quint16>(start + 8);
    } else if (major == 2 || major == 3) {
        char rest[2];
        if (!in->read(rest, 2)) return "it ends inside its header";
        char four[4] = {start[8], start[9], rest[0], rest[1]};
        length = qFromLittleEndian<quint32>(four);
    } else {
        return ".npy format version " + std::to_string(major) + ", not 1, 2 or 3";
    }
    if (length > MaxNpyHeader) return "a header of " + std::to_string(length) + " bytes (more than 65536)";
    std::string header(length, '\0');
    if (!in->read(header.data(), int64_t(length))) return "it ends inside its header";
    if (major < 3 && !validUtf8(header)) return "its header is not text";

    std::string descr;
    bool fortran = false;
    std::vector<int64_t> shape;
    if (std::string problem = NpyHeaderParser(header).parse(&descr, &fortran, &shape); !problem.empty())
        return problem;
    if (fortran) return "it is in Fortran order: save np.ascontiguousarray(a)";

    // descr: byte order ('<' little, '>' big, '|' not applicable, '=' this
    // machine's), kind, item size.
    NpyArray a;
    const auto fail = [&] { return "it holds '" + descr + "' values: floats ('<f2', '<f4', '<f8') or strings ('<U', '|S') expected"; };
    if (descr.size() == 2 && descr[1] == 'O')
        return "it holds Python objects (a pickle), which are not read: save strings as np.array(tokens, dtype=str)";
    if (descr.size() < 3) return fail();
    const char order = descr[0];
    a.kind = descr[1];
    if (order != '<' && order != '>' && order != '|' && order != '=') return fail();
    a.bigEndian = order == '>' || (order == '=' && QSysInfo::ByteOrder == QSysInfo::BigEndian);
    int size = 0;
    const auto r = std::from_chars(descr.data() + 2, descr.data() + descr.size(), size);
    if (r.ec != std::errc() || r.ptr != descr.data() + descr.size() || size < 1 || size > 1 << 20) return fail();
    if (a.kind == 'f' && (size == 2 || size == 4 || size == 8)) a.itemSize = size;
    else if (a.kind == 'U') a.itemSize = 4 * size;
    else if (a.kind == 'S') a.itemSize = size;
    else return fail();
    if (a.kind == 'f' && order == '|') return fail();

    a.shape = std::move(shape);
    a.count = 1;
    constexpr uint64_t Huge = uint64_t(1) << 62;  // far past any budget; keeps the products exact
    for (const int64_t d : a.shape) {
        if (d != 0 && a.count > Huge / uint64_t(d)) a.count = Huge;
        else a.count *= uint64_t(d);
    }
    a.bytes = a.count >= Huge / uint64_t(a.itemSize) ? Huge : a.count * uint64_t(a.itemSize);
    if (uint64_t(in->left()) != a.bytes)
        return "its data is " + std::to_string(in->left()) + " bytes, while its shape " + a.shapeText() + " of '" + descr
               + "' needs " + (a.bytes == Huge ? std::string("more than 2^62") : std::to_string(a.bytes));
    *out = std::move(a);
    return {};
}

// count floats of array a from *in into to[], converted from its type.
bool readFloats(ByteRange *in, const NpyArray &a, float *to, size_t count)
{
    std::vector<char> chunk;
    const size_t step = (size_t(1) << 16) / size_t(a.itemSize);
    for (size_t done = 0; done < count;) {
        const size_t n = std::min(step, count - done);
        chunk.resize(n * size_t(a.itemSize));
        if (!in->read(chunk.data(), int64_t(chunk.size()))) return false;
        const char *p = chunk.data();
        for (size_t i = 0; i < n; ++i, p += a.itemSize) {
            float v;
            if (a.itemSize == 2) {
                const quint16 bits = a.bigEndian ? qFromBigEndian<quint16>(p) : qFromLittleEndian<quint16>(p);
                qfloat16 h;
                std::memcpy(static_cast<void *>(&h), &bits, 2);
                v = float(h);
            } else if (a.itemSize == 4) {
                const quint32 bits = a.bigEndian ? qFromBigEndian<quint32>(p) : qFromLittleEndian<quint32>(p);
                std::memcpy(&v, &bits, 4);
            } else {
                const quint64 bits = a.bigEndian ? qFromBigEndian<quint64>(p) : qFromLittleEndian<quint64>(p);
                double d;
                std::memcpy(&d, &bits, 8);
                v = float(d);  // beyond a float's range: infinite, and refused as such
            }
            to[done + i] = v;
        }
        done += n;
    }
    return true;
}

// The self-attention array, [layers, heads, L, L] or [heads, L, L], into
// *maps, its size checked against the budget before anything is allocated.
std::string readMaps(ByteRange *in, const NpyArray &a, Budget *budget, SelfAttentionMaps *maps)
{
    if (a.kind != 'f') return "it holds strings, not attention weights";
    if (a.shape.size() != 3 && a.shape.size() != 4)
        return "its shape " + a.shapeText() + " is not [layers, heads, L, L] nor [heads, L, L]";
    const int64_t layers = a.shape.size() == 4 ? a.shape[0] : 1;
    const int64_t heads = a.shape[a.shape.size() - 3];
    const int64_t n = a.shape.back();
    if (a.shape[a.shape.size() - 2] != n)
        return "its shape " + a.shapeText() + " has maps of " + std::to_string(a.shape[a.shape.size() - 2]) + " x "
               + std::to_string(n) + ", not L x L";
    if (a.count == 0) return "its shape " + a.shapeText() + " holds no weights";
    if (layers > MaxLayers || heads > MaxHeads)
        return "its shape " + a.shapeText() + " has more than " + std::to_string(MaxLayers) + " layers or "
               + std::to_string(MaxHeads) + " heads";
    const uint64_t bytes = a.count * sizeof(float);  // count <= 2^62 / itemSize: exact
    if (a.count > (uint64_t(1) << 40) || !budget->take(size_t(bytes) + size_t(layers * heads) * VectorBytes))
        return "its shape " + a.shapeText() + " is " + std::to_string(a.count) + " weights, "
               + sizeText(double(a.count) * sizeof(float)) + " as floats: " + overBudget(*budget);
    SelfAttentionMaps m;
    m.reset(int(layers), int(heads), int(n));
    for (std::vector<float> &map : m.maps)
        if (!readFloats(in, a, map.data(), map.size())) return "it ends inside its data";
    *maps = std::move(m);
    return {};
}

// A 1-D array of floats (pooling weights).
std::string readVector(ByteRange *in, const NpyArray &a, Budget *budget, std::vector<float> *out)
{
    if (a.kind != 'f') return "it holds strings, not weights";
    if (a.shape.size() != 1) return "its shape " + a.shapeText() + " is not [L]";
    if (!budget->take(size_t(a.count) * sizeof(float) + VectorBytes)) return overBudget(*budget);
    std::vector<float> v(size_t(a.count));
    if (!readFloats(in, a, v.data(), v.size())) return "it ends inside its data";
    *out = std::move(v);
    return {};
}

// A 1-D array of strings: numpy's 'U' (UTF-32, each padded with NULs to the
// item size) or 'S' (bytes, taken as UTF-8, padded the same way).
std::string readStrings(ByteRange *in, const NpyArray &a, Budget *budget, std::vector<std::string> *out)
{
    if (a.kind != 'U' && a.kind != 'S') return "it holds numbers, not strings: save np.array(tokens, dtype=str)";
    if (a.shape.size() != 1) return "its shape " + a.shapeText() + " is not [L]";
    if (a.bytes > (uint64_t(1) << 40) || !budget->take(size_t(a.bytes) + size_t(a.count) * TokenBytes))
        return overBudget(*budget);
    std::vector<char> bytes(size_t(a.bytes));
    if (!in->read(bytes.data(), int64_t(bytes.size()))) return "it ends inside its data";
    std::vector<std::string> tokens(size_t(a.count));
    for (size_t j = 0; j < tokens.size(); ++j) {
        const char *item = bytes.data() + j * size_t(a.itemSize);
        std::string &token = tokens[j];
        if (a.kind == 'S') {
            size_t length = size_t(a.itemSize);
            while (length > 0 && item[length - 1] == '\0') --length;
            token.assign(item, length);
        } else {
            size_t chars = size_t(a.itemSize) / 4;
            const auto at = [&](size_t k) {
                return a.bigEndian ? qFromBigEndian<quint32>(item + 4 * k) : qFromLittleEndian<quint32>(item + 4 * k);
            };
            while (chars > 0 && at(chars - 1) == 0) --chars;
            for (size_t k = 0; k < chars; ++k) {
                const quint32 cp = at(k);
                if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                    return "string " + std::to_string(j) + " holds " + std::to_string(cp) + ", not a Unicode character";
                utf8::appendUtf8(&token, char32_t(cp));
            }
        }
        if (!validUtf8(token)) return "string " + std::to_string(j) + " is not valid UTF-8";
    }
    *out = std::move(tokens);
    return {};
}

// A .npy: one sample's self-attention; its tokens from the sibling file.
std::string readNpy(QFile *file, const std::string &path, const AttentionFileLimits &limits, Budget *budget,
                    std::vector<RawSample> *samples)
{
    ByteRange in(file, 0, file->size());
    NpyArray a;
    if (std::string problem = readNpyHeader(&in, &a); !problem.empty()) return path + ": " + problem;
    if (a.kind != 'f') return path + ": it holds strings, not attention weights";
    if (a.shape.size() != 3 && a.shape.size() != 4)
        return path + ": its shape " + a.shapeText() + " is not [layers, heads, L, L] nor [heads, L, L]";
    const std::string tokensPath = npyTokensPath(path);
    if (!QFileInfo::exists(QString::fromStdString(tokensPath)))
        return path + ": a .npy holds no tokens: write them to " + tokensPath
               + " as a JSON list of L strings, or save a .npz with 'attention' and 'tokens' (docs/attention.md)";
    RawSample s;
    std::string error;
    if (!budget->take(SampleBytes)) return path + ": " + overBudget(*budget);
    if (!readTokenFile(tokensPath, limits, budget, &s.sample.tokens, &error)) return error;
    s.hasTokens = true;
    if (uint64_t(a.shape.back()) != s.sample.tokens.size())
        return path + ": its maps are " + std::to_string(a.shape.back()) + " x " + std::to_string(a.shape.back())
               + " but " + tokensPath + " has " + std::to_string(s.sample.tokens.size()) + " tokens";
    if (std::string problem = readMaps(&in, a, budget, &s.sample.selfAttention); !problem.empty())
        return path + ": " + problem;
    samples->push_back(std::move(s));
    return {};
}

} // namespace attnscope::attentionfile
