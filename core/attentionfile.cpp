// Attention from outside models: a streaming reader for the two JSON forms,
// a .npy reader and a reader for the stored members of a .npz, all feeding
// one set of checks (assemble). docs/attention.md, "Attention from a file",
// is the user's description of the formats and the rules.
#include "attentionfile.h"

#include "data/jsonescape.h"
#include "fileutil.h"
#include "utf8.h"

#include <QFile>
#include <QFileInfo>
#include <QtEndian>
#include <QFloat16>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

namespace attnscope {

const char *toString(AttentionFileFormat format)
{
    switch (format) {
    case AttentionFileFormat::Json: return "JSON";
    case AttentionFileFormat::Npy: return "NumPy .npy";
    case AttentionFileFormat::Npz: return "NumPy .npz";
    }
    return "?";
}

std::string npyTokensPath(const std::string &npyPath)
{
    const size_t slash = npyPath.rfind('/');
    const size_t dot = npyPath.rfind('.');
    const bool hasExtension = dot != std::string::npos && dot > (slash == std::string::npos ? 0 : slash + 1);
    return (hasExtension ? npyPath.substr(0, dot) : npyPath) + ".tokens.json";
}

namespace {

// ---------------------------------------------------------------------------
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
std::string sizeText(double bytes)
{
    const char *unit = " bytes";
    if (bytes >= double(1 << 20)) {
        bytes /= double(1 << 20);
        unit = " MiB";
    } else if (bytes >= 1024) {
        bytes /= 1024;
        unit = " KiB";
    }
    char buffer[32];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, bytes, std::chars_format::fixed, 0);
    return std::string(buffer, r.ptr) + unit;
}

// Locale-independent (a Qt application sets LC_NUMERIC from the environment).
std::string numberText(double value)
{
    char buffer[32];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 6);
    return std::string(buffer, r.ptr);
}

std::string overBudget(const Budget &budget)
{
    return "holds more than " + sizeText(double(budget.limit()))
           + ", the most attention read from one file (save fewer samples, layers or tokens)";
}

// Empty when v[0..n) is a probability distribution: every value finite and
// non-negative, the sum within tolerance of 1 (summed in double, so that the
// only error is the values' own rounding: at most 2^-11 of the sum for
// float16, far below 1e-3). Otherwise what is wrong, `what` naming a value
// ("weight 3 is NaN").
std::string distributionProblem(const float *v, size_t n, double tolerance, const char *what)
{
    double sum = 0;
    for (size_t j = 0; j < n; ++j) {
        const float x = v[j];
        if (!std::isfinite(x))
            return std::string(what) + " " + std::to_string(j) + " is " + (std::isnan(x) ? "NaN" : "infinite");
        if (x < 0) return std::string(what) + " " + std::to_string(j) + " is negative (" + numberText(x) + ")";
        sum += double(x);
    }
    if (!(std::fabs(sum - 1.0) <= tolerance))
        return "sums to " + numberText(sum) + ", not 1 (within " + numberText(tolerance) + ")";
    return {};
}

bool validUtf8(const std::string &s) { return utf8::invalidUtf8(s) == std::string_view::npos; }

std::string inQuotes(const std::string &s) { return "'" + s + "'"; }

// ---------------------------------------------------------------------------
// JSON, read as it streams from the file (64 KiB at a time) straight into
// the floats of the value, never into a tree: QJsonDocument holds a number in
// 16 bytes plus a container per array, and a 16 MB file of one-weight rows
// took 728 MB there. Strict RFC 8259, with the line of every error.

class JsonInput {
public:
    explicit JsonInput(QFile *file) : m_file(file), m_buffer(size_t(1) << 16) {}
    // The next byte, or -1 at the end of the file (or when reading failed: failed()).
    int peek()
    {
        if (m_pos == m_end && !fill()) return -1;
        return static_cast<unsigned char>(m_buffer[m_pos]);
    }
    // Past the byte peek() returned.
    void advance()
    {
        if (m_buffer[m_pos] == '\n') ++m_line;
        ++m_pos;
    }
    int line() const { return m_line; }
    bool failed() const { return m_failed; }

private:
    bool fill()
    {
        if (m_failed) return false;
        const qint64 n = m_file->read(m_buffer.data(), qint64(m_buffer.size()));
        if (n < 0) m_failed = true;
        m_pos = 0;
        m_end = n > 0 ? size_t(n) : 0;
        return m_end > 0;
    }

    QFile *m_file;
    std::vector<char> m_buffer;
    size_t m_pos = 0, m_end = 0;
    int m_line = 1;
    bool m_failed = false;
};

class JsonReader {
public:
    JsonReader(QFile *file, Budget *budget) : m_in(file), m_budget(budget) {}

    // The whole file: {"samples": [sample, ...]}, one sample object, or [sample, ...].
    bool readDocument(std::vector<RawSample> *samples)
    {
        if (!byteOrderMark()) return false;
        space();
        if (m_in.peek() == '[') {
            if (!sampleList(samples)) return false;
        } else if (m_in.peek() == '{') {
            if (!topObject(samples)) return false;
        } else {
            return fail("not an attention file: expected JSON ('{' or '['), a .npy or a .npz; found " + found());
        }
        return end();
    }

    // The whole file: one array of strings (the tokens of a .npy).
    bool readTokenList(std::vector<std::string> *tokens)
    {
        if (!byteOrderMark()) return false;
        space();
        if (m_in.peek() != '[') return fail("expected a JSON list of tokens, found " + found());
        return tokenArray(tokens, [] { return std::string("the tokens"); }) && end();
    }

    const std::string &error() const { return m_error; }
    int errorLine() const { return m_errorLine; }

private:
    // Sample members, one bit each, to refuse one given twice.
    enum Member : unsigned { Tokens = 1, Maps = 2, Pooling = 4, Predictions = 8 };

    bool fail(std::string what)
    {
        if (m_error.empty()) {
            m_error = std::move(what);
            m_errorLine = m_in.line();
        }
        return false;
    }
    bool end()
    {
        space();
        if (m_in.peek() >= 0) return fail("text after the end of the JSON value: " + found());
        if (m_in.failed()) return fail("cannot read the file");
        return true;
    }
    bool byteOrderMark()
    {
        if (m_in.peek() != 0xEF) return true;
        for (const int b : {0xEF, 0xBB, 0xBF}) {
            if (m_in.peek() != b) return fail("not an attention file: it begins with bytes that are neither JSON nor NumPy");
            m_in.advance();
        }
        return true;
    }
    void space()
    {
        for (int c = m_in.peek(); c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = m_in.peek())
            m_in.advance();
    }
    // What is next, for a message: "an object", "null", "the end of the file", "'x'".
    std::string found()
    {
        const int c = m_in.peek();
        switch (c) {
        case -1: return m_in.failed() ? "a read error" : "the end of the file";
        case '{': return "an object";
        case '[': return "an array";
        case '"': return "a string";
        case 't': case 'f': return "a boolean";
        case 'n': return "null";
        default:
            if (c == '-' || (c >= '0' && c <= '9')) return "a number";
            if (c >= 0x20 && c < 0x7F) return "'" + std::string(1, char(c)) + "'";
            return "byte " + std::to_string(c);
        }
    }

    // Arrays and objects: open() consumes the bracket; next() before each
    // item says whether there is one (consuming the ',') or the closing
    // bracket came (consuming it).
    template <class Where>
    bool open(char bracket, const Where &where)
    {
        space();
        if (m_in.peek() != bracket)
            return fail(where() + " is " + found() + ", not " + (bracket == '[' ? "an array" : "an object"));
        m_in.advance();
        return true;
    }
    bool next(char close, bool first, bool *item)
    {
        space();
        const int c = m_in.peek();
        if (c == close) {
            m_in.advance();
            *item = false;
            return true;
        }
        if (!first) {
            if (c != ',') return fail(std::string("expected ',' or '") + close + "', found " + found());
            m_in.advance();
            space();
        }
        *item = true;
        return true;
    }
    // A member name and its ':'; name may be null (skipped).
    bool key(std::string *name)
    {
        space();
        if (m_in.peek() != '"') return fail("expected a member name in quotes, found " + found());
        if (!string(name)) return false;
        space();
        if (m_in.peek() != ':') return fail("expected ':' after a member name, found " + found());
        m_in.advance();
        return true;
    }

public:
    // For decodeJsonEscape (data/jsonescape.h): the four digits of a \u
    // escape, the "\u" of a surrogate pair's second half, and its errors.
    bool hex4(uint32_t *out)
    {
        uint32_t v = 0;
        for (int k = 0; k < 4; ++k) {
            const int d = hexValue(m_in.peek());
            if (d < 0) return fail("invalid \\u escape");
            v = (v << 4) | uint32_t(d);
            m_in.advance();
        }
        *out = v;
        return true;
    }
    bool unicodeEscapeStart()
    {
        if (m_in.peek() != '\\') return false;
        m_in.advance();
        if (m_in.peek() != 'u') return false;
        m_in.advance();
        return true;
    }
    bool fail(JsonEscapeError error, int letter)
    {
        if (error == JsonEscapeError::LoneSurrogate) return fail("a lone surrogate in a \\u escape");
        return fail("an invalid escape '\\" + std::string(1, char(letter)) + "' in a string");
    }

private:
    // A string at its opening quote, into *out (UTF-8, at most
    // MaxStringBytes; the caller checks the bytes are UTF-8), or skipped when
    // out is null.
    bool string(std::string *out)
    {
        m_in.advance(); // "
        for (;;) {
            const int c = m_in.peek();
            if (c < 0) return fail("a string that does not end");
            m_in.advance();
            if (c == '"') return true;
            if (c < 0x20) return fail("a control character in a string (write it as an escape)");
            if (out && out->size() >= MaxStringBytes) return fail("a string longer than " + sizeText(MaxStringBytes));
            if (c != '\\') {
                if (out) out->push_back(char(c));
                continue;
            }
            const int e = m_in.peek();
            if (e < 0) return fail("a string that does not end");
            m_in.advance();
            if (!decodeJsonEscape(*this, e, out)) return false;
        }
    }

    // A number's text (RFC 8259 grammar) into buffer; false when it is not one.
    template <class Where>
    bool numberText(char (&buffer)[64], size_t *length, const Where &where)
    {
        size_t n = 0;
        auto take = [&] {
            if (n + 1 < sizeof buffer) buffer[n] = char(m_in.peek());
            ++n;
            m_in.advance();
        };
        auto digits = [&] {
            const size_t from = n;
            while (m_in.peek() >= '0' && m_in.peek() <= '9') take();
            return n > from;
        };
        space();
        const int c = m_in.peek();
        if (c != '-' && !(c >= '0' && c <= '9'))
            return fail(where() + " is " + found() + ", not a number"
                        + (c == 'n' ? " (attnscope-cli writes a weight that is NaN or infinite as null)" : "")
                        + (c == '[' ? " (one array level too many?)" : ""));
        if (m_in.peek() == '-') take();
        if (m_in.peek() == '0') take();
        else if (!digits()) return fail(where() + ": an invalid number");
        if (m_in.peek() == '.') {
            take();
            if (!digits()) return fail(where() + ": an invalid number (digits expected after '.')");
        }
        if (m_in.peek() == 'e' || m_in.peek() == 'E') {
            take();
            if (m_in.peek() == '+' || m_in.peek() == '-') take();
            if (!digits()) return fail(where() + ": an invalid number (digits expected in the exponent)");
        }
        if (n >= sizeof buffer) return fail(where() + ": a number of more than 63 characters");
        *length = n;
        return true;
    }

    // A number as the float nearest to its decimal value (std::from_chars, so
    // that the shortest text attnscope-cli writes reads back as the same
    // float). Below the smallest float it is 0; above the largest, refused.
    template <class Where>
    bool number(float *out, const Where &where)
    {
        char text[64];
        size_t n = 0;
        if (!numberText(text, &n, where)) return false;
        const auto r = std::from_chars(text, text + n, *out);
        if (r.ec == std::errc::result_out_of_range) {
            double d = 0;
            std::from_chars(text, text + n, d);
            if (!(std::fabs(d) <= double(std::numeric_limits<float>::max())))
                return fail(where() + ": " + std::string(text, n) + " is beyond the range of a float");
            *out = float(d);
        }
        return true;
    }

    bool literal(const char *word)
    {
        for (const char *p = word; *p; ++p) {
            if (m_in.peek() != *p) return fail("an invalid literal (true, false or null expected)");
            m_in.advance();
        }
        return true;
    }

    // Any value, read and dropped (a member this reader does not know).
    bool skipValue(int depth)
    {
        if (depth > MaxDepth) return fail("a value nested more than " + std::to_string(MaxDepth) + " levels deep");
        space();
        const int c = m_in.peek();
        const auto where = [] { return std::string("a value"); };
        bool item = false;
        switch (c) {
        case '{':
            m_in.advance();
            for (bool first = true;; first = false) {
                if (!next('}', first, &item)) return false;
                if (!item) return true;
                if (!key(nullptr) || !skipValue(depth + 1)) return false;
            }
        case '[':
            m_in.advance();
            for (bool first = true;; first = false) {
                if (!next(']', first, &item)) return false;
                if (!item) return true;
                if (!skipValue(depth + 1)) return false;
            }
        case '"': return string(nullptr);
        case 't': return literal("true");
        case 'f': return literal("false");
        case 'n': return literal("null");
        default: {
            char text[64];
            size_t n = 0;
            return numberText(text, &n, where);
        }
        }
    }

    // An array of strings, each valid UTF-8.
    template <class Where>
    bool tokenArray(std::vector<std::string> *tokens, const Where &where)
    {
        if (!open('[', where)) return false;
        bool item = false;
        for (bool first = true;; first = false) {
            if (!next(']', first, &item)) return false;
            if (!item) return true;
            const size_t j = tokens->size();
            if (m_in.peek() != '"')
                return fail(where() + ": token " + std::to_string(j) + " is " + found() + ", not a string");
            std::string token;
            if (!string(&token)) return false;
            if (!validUtf8(token)) return fail(where() + ": token " + std::to_string(j) + " is not valid UTF-8");
            if (!m_budget->take(TokenBytes + token.size())) return fail(overBudget(*m_budget));
            tokens->push_back(std::move(token));
        }
    }

    // An array of numbers.
    template <class Where>
    bool numberArray(std::vector<float> *values, const Where &where)
    {
        if (!open('[', where)) return false;
        if (!m_budget->take(VectorBytes)) return fail(overBudget(*m_budget));
        bool item = false;
        for (bool first = true;; first = false) {
            if (!next(']', first, &item)) return false;
            if (!item) return true;
            if (!m_budget->take(sizeof(float))) return fail(overBudget(*m_budget));
            float v;
            const size_t j = values->size();
            if (!number(&v, [&] { return where() + ", value " + std::to_string(j); })) return false;
            values->push_back(v);
        }
    }

    // A member name that is kept (a task or class name): UTF-8, not empty.
    bool name(std::string *out, const std::string &what)
    {
        if (!key(out)) return false;
        if (out->empty()) return fail(what + ": an empty task name");
        if (!validUtf8(*out)) return fail(what + ": a task name that is not valid UTF-8");
        if (!m_budget->take(TokenBytes + out->size())) return fail(overBudget(*m_budget));
        return true;
    }

    // Self-attention [layer][head][query][key] into *out. Every map is n x n,
    // n the length of the first row; a row or a map of another size is
    // refused as soon as it passes n (nothing ragged is ever stored), and a
    // map's floats are counted against the budget before they are allocated.
    bool maps(SelfAttentionMaps *out, const std::string &what)
    {
        std::vector<std::vector<float>> maps;
        int layers = 0, heads = -1;
        int64_t n = -1;
        bool layerItem = false, headItem = false, rowItem = false, item = false;
        if (!open('[', [&] { return what; })) return false;
        for (bool firstLayer = true;; firstLayer = false) {
            if (!next(']', firstLayer, &layerItem)) return false;
            if (!layerItem) break;
            if (layers == MaxLayers) return fail(what + ": more than " + std::to_string(MaxLayers) + " layers");
            const int l = layers;
            const auto layerName = [&] { return what + ": layer " + std::to_string(l); };
            if (!open('[', layerName)) return false;
            int h = 0;
            for (bool firstHead = true;; firstHead = false) {
                if (!next(']', firstHead, &headItem)) return false;
                if (!headItem) break;
                const auto mapName = [&] { return layerName() + ", head " + std::to_string(h); };
                if (!open('[', mapName)) return false;
                if (h == MaxHeads) return fail(layerName() + ": more than " + std::to_string(MaxHeads) + " heads");
                if (!m_budget->take(VectorBytes)) return fail(overBudget(*m_budget));
                std::vector<float> map;
                if (n > 0) {
                    if (!m_budget->take(size_t(n * n) * sizeof(float))) return fail(overBudget(*m_budget));
                    map.reserve(size_t(n * n));
                }
                int64_t rows = 0;
                for (bool firstRow = true;; firstRow = false) {
                    if (!next(']', firstRow, &rowItem)) return false;
                    if (!rowItem) break;
                    const auto rowName = [&] { return mapName() + ", row " + std::to_string(rows); };
                    if (n >= 0 && rows == n)
                        return fail(mapName() + ": more than " + std::to_string(n)
                                    + " rows, while its rows have " + std::to_string(n) + " weights (a map is L x L)");
                    if (!open('[', rowName)) return false;
                    int64_t count = 0;
                    for (bool first = true;; first = false) {
                        if (!next(']', first, &item)) return false;
                        if (!item) break;
                        if (n >= 0 && count == n)
                            return fail(rowName() + ": more than the " + std::to_string(n)
                                        + " weights of the first row (a ragged map)");
                        if (n < 0 && !m_budget->take(sizeof(float))) return fail(overBudget(*m_budget));
                        float v;
                        if (!number(&v, [&] { return rowName() + ", column " + std::to_string(count); }))
                            return false;
                        map.push_back(v);
                        ++count;
                    }
                    if (n < 0) {
                        // The first row: now the size of every map is known.
                        if (count == 0) return fail(rowName() + ": an empty row");
                        n = count;
                        if (n > std::numeric_limits<int>::max()
                            || !m_budget->take(size_t(n * n - n) * sizeof(float))) // n <= 2^28 from the budget: no overflow
                            return fail(overBudget(*m_budget));
                        map.reserve(size_t(n * n));
                    } else if (count != n) {
                        return fail(rowName() + ": " + std::to_string(count) + " weights, the first row "
                                    + std::to_string(n) + " (a ragged map)");
                    }
                    ++rows;
                }
                if (rows == 0) return fail(mapName() + ": an empty map");
                if (rows != n)
                    return fail(mapName() + ": " + std::to_string(rows) + " rows of " + std::to_string(n)
                                + " weights (a map is L x L)");
                maps.push_back(std::move(map));
                ++h;
            }
            if (h == 0) return fail(layerName() + ": no heads");
            if (heads < 0) heads = h;
            else if (h != heads)
                return fail(layerName() + ": " + std::to_string(h) + " heads, layer 0 has " + std::to_string(heads));
            ++layers;
        }
        out->layers = layers;
        out->heads = std::max(heads, 0);
        out->n = int(std::max<int64_t>(n, 0));
        out->maps = std::move(maps);
        return true;
    }

    // {"task": [weight per token], ...}
    bool pooling(std::vector<NamedWeights> *out, const std::string &what)
    {
        if (!open('{', [&] { return what; })) return false;
        bool item = false;
        for (bool first = true;; first = false) {
            if (!next('}', first, &item)) return false;
            if (!item) return true;
            NamedWeights task;
            if (!name(&task.task, what)) return false;
            if (!numberArray(&task.weights, [&] { return what + ": task " + inQuotes(task.task); })) return false;
            out->push_back(std::move(task));
        }
    }

    // {"task": {"class": "name", "probabilities": [p per class]}, ...}
    bool predictions(std::vector<Prediction> *out, const std::string &what)
    {
        if (!open('{', [&] { return what; })) return false;
        bool item = false, member = false;
        for (bool first = true;; first = false) {
            if (!next('}', first, &item)) return false;
            if (!item) return true;
            Prediction p;
            if (!name(&p.task, what)) return false;
            const std::string taskName = what + ": task " + inQuotes(p.task);
            if (!open('{', [&] { return taskName; })) return false;
            bool hasClass = false, hasProbabilities = false;
            for (bool firstMember = true;; firstMember = false) {
                if (!next('}', firstMember, &member)) return false;
                if (!member) break;
                std::string k;
                if (!key(&k)) return false;
                if (k == "class" || k == "probabilities") {
                    if ((k == "class" ? hasClass : hasProbabilities))
                        return fail(taskName + ": " + inQuotes(k) + " given twice");
                }
                if (k == "class") {
                    hasClass = true;
                    space();
                    if (m_in.peek() != '"')
                        return fail(taskName + ": 'class' is " + found() + ", not a string");
                    if (!string(&p.className)) return false;
                    if (!validUtf8(p.className)) return fail(taskName + ": a class name that is not valid UTF-8");
                    if (!m_budget->take(TokenBytes + p.className.size())) return fail(overBudget(*m_budget));
                } else if (k == "probabilities") {
                    hasProbabilities = true;
                    if (!numberArray(&p.probs, [&] { return taskName + ": 'probabilities'"; })) return false;
                } else if (!skipValue(0)) {
                    return false;
                }
            }
            if (!hasProbabilities) return fail(taskName + ": no 'probabilities'");
            out->push_back(std::move(p));
        }
    }

    // A member of a sample object: read into *s when it is one (*known),
    // else left for the caller to skip.
    bool sampleMember(const std::string &k, RawSample *s, int index, unsigned *seen, bool *known)
    {
        const Member member = k == "tokens"                      ? Tokens
                              : k == "layers" || k == "attention" ? Maps
                              : k == "tasks" || k == "pooling"    ? Pooling
                              : k == "predictions"                ? Predictions
                                                                  : Member(0);
        *known = member != 0;
        if (!*known) return true;
        const std::string what = "sample " + std::to_string(index) + ": " + inQuotes(k);
        if (*seen & member) {
            const char *twice = member == Maps      ? " (or 'layers' and 'attention' both)"
                                : member == Pooling ? " (or 'tasks' and 'pooling' both)"
                                                    : "";
            return fail(what + " given twice" + twice);
        }
        *seen |= member;
        switch (member) {
        case Tokens:
            s->hasTokens = true;
            return tokenArray(&s->sample.tokens, [&] { return what; });
        case Maps: return maps(&s->sample.selfAttention, what);
        case Pooling: return pooling(&s->pooling, what);
        case Predictions: return predictions(&s->predictions, what);
        default: return true;
        }
    }

    bool sampleObject(RawSample *s, int index)
    {
        s->sample.line = m_in.line();
        if (!m_budget->take(SampleBytes)) return fail(overBudget(*m_budget));
        if (!open('{', [&] { return "sample " + std::to_string(index); })) return false;
        unsigned seen = 0;
        bool item = false, known = false;
        for (bool first = true;; first = false) {
            if (!next('}', first, &item)) return false;
            if (!item) return true;
            std::string k;
            if (!key(&k)) return false;
            if (!sampleMember(k, s, index, &seen, &known)) return false;
            if (!known && !skipValue(0)) return false;
        }
    }

    bool sampleList(std::vector<RawSample> *samples)
    {
        if (!open('[', [] { return std::string("the samples"); })) return false;
        bool item = false;
        for (bool first = true;; first = false) {
            if (!next(']', first, &item)) return false;
            if (!item) return true;
            if (samples->size() >= size_t(std::numeric_limits<int>::max())) return fail(overBudget(*m_budget));
            if (first && m_in.peek() == '"')
                return fail("a list of strings, not of samples: tokens beside a .npy are read with it (open the .npy)");
            RawSample s;
            if (!sampleObject(&s, int(samples->size()))) return false;
            samples->push_back(std::move(s));
        }
    }

    // {"samples": [...]} or the members of one sample.
    bool topObject(std::vector<RawSample> *samples)
    {
        RawSample single;
        single.sample.line = m_in.line();
        if (!m_budget->take(SampleBytes)) return fail(overBudget(*m_budget));
        m_in.advance(); // {
        unsigned seen = 0;
        bool hasSamples = false, item = false, known = false;
        for (bool first = true;; first = false) {
            if (!next('}', first, &item)) return false;
            if (!item) break;
            std::string k;
            if (!key(&k)) return false;
            if (k == "samples") {
                if (hasSamples) return fail("'samples' given twice");
                hasSamples = true;
                if (!sampleList(samples)) return false;
                continue;
            }
            if (!sampleMember(k, &single, 0, &seen, &known)) return false;
            if (!known && !skipValue(0)) return false;
        }
        if (hasSamples && seen)
            return fail("both 'samples' and the members of one sample ('tokens', 'attention', ...): one or the other");
        if (!hasSamples) {
            if (!seen)
                return fail("neither 'samples' nor the members of one sample ('tokens', 'attention'): "
                            "not an attention file (docs/attention.md)");
            samples->push_back(std::move(single));
        }
        return true;
    }

    JsonInput m_in;
    Budget *m_budget;
    std::string m_error;
    int m_errorLine = 0;
};

// ---------------------------------------------------------------------------
// NumPy. A .npy is a magic string, a version, a header that is a Python dict
// literal ({'descr': '<f4', 'fortran_order': False, 'shape': (2, 4, 9, 9), })
// and the array's bytes. A .npz is a zip of .npy files; numpy.savez stores
// them as they are, numpy.savez_compressed deflates them, which this reader
// refuses (Qt Core has no raw inflate, and zlib would be a new dependency).

// CRC-32 (zip's, reflected 0xEDB88320).
struct Crc32Table {
    std::array<uint32_t, 256> t{};
    constexpr Crc32Table()
    {
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
    }
};
constexpr Crc32Table crcTable;

uint32_t crc32(uint32_t crc, const char *data, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; ++i)
        crc = crcTable.t[(crc ^ static_cast<unsigned char>(data[i])) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

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

// A JSON file that is one list of strings (the tokens of a .npy).
bool readTokenFile(const std::string &path, const AttentionFileLimits &limits, Budget *budget,
                   std::vector<std::string> *tokens, std::string *error)
{
    if (std::string problem = notRegularFile(path); !problem.empty()) {
        *error = problem;
        return false;
    }
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly)) {
        *error = path + ": cannot open: " + file.errorString().toStdString();
        return false;
    }
    if (file.size() > limits.maxFileBytes) {
        *error = path + ": " + sizeText(double(file.size())) + ", more than the " + sizeText(double(limits.maxFileBytes))
                 + " an attention file may have";
        return false;
    }
    JsonReader reader(&file, budget);
    if (!reader.readTokenList(tokens)) {
        *error = path + ":" + std::to_string(reader.errorLine()) + ": " + reader.error();
        return false;
    }
    return true;
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

// --- the zip around a .npz ---

uint16_t le16(const char *p) { return qFromLittleEndian<quint16>(p); }
uint32_t le32(const char *p) { return qFromLittleEndian<quint32>(p); }
uint64_t le64(const char *p) { return qFromLittleEndian<quint64>(p); }

struct ZipMember {
    std::string name;
    uint64_t headerOffset = 0;    // of its local header
    uint64_t compressedSize = 0, size = 0;
    uint32_t crc = 0;
    uint16_t method = 0, flags = 0;
};

constexpr int64_t MaxCentralDirectory = int64_t(1) << 20;  // 15,000 members of numpy.savez

bool readAt(QFile *file, int64_t offset, char *to, int64_t n)
{
    return offset >= 0 && file->seek(offset) && file->read(to, n) == n;
}

// The members listed in the zip's central directory (zip64 included, as
// numpy.savez writes it); nothing of their data is read.
std::string readZipDirectory(QFile *file, std::vector<ZipMember> *members)
{
    const int64_t size = file->size();
    // The end record: 22 bytes and a comment of at most 65535, at the end.
    const int64_t tail = std::min<int64_t>(size, 22 + 65535);
    std::vector<char> end(size_t(tail), '\0');
    if (tail < 22 || !readAt(file, size - tail, end.data(), tail)) return "not a zip file (no end record)";
    int64_t at = -1;
    for (int64_t i = tail - 22; i >= 0; --i) {
        if (le32(end.data() + i) == 0x06054b50 && i + 22 + le16(end.data() + i + 20) <= tail) {
            at = i;
            break;
        }
    }
    if (at < 0) return "not a zip file (no end record)";
    const char *e = end.data() + at;
    if (le16(e + 4) != 0 || le16(e + 6) != 0) return "a zip split over several disks";
    uint64_t entries = le16(e + 10), directorySize = le32(e + 12), directoryOffset = le32(e + 16);
    if (entries == 0xFFFF || directorySize == 0xFFFFFFFF || directoryOffset == 0xFFFFFFFF) {
        // zip64: a locator just before the end record points at the zip64 end record.
        const int64_t locator = size - tail + at - 20;
        char l[20], z[56];
        if (locator < 0 || !readAt(file, locator, l, 20) || le32(l) != 0x07064b50) return "a zip64 file without its locator";
        if (!readAt(file, int64_t(std::min<uint64_t>(le64(l + 8), uint64_t(size))), z, 56) || le32(z) != 0x06064b50)
            return "a zip64 file without its end record";
        entries = le64(z + 32);
        directorySize = le64(z + 40);
        directoryOffset = le64(z + 48);
    }
    if (directorySize > uint64_t(MaxCentralDirectory) || directoryOffset > uint64_t(size)
        || directorySize > uint64_t(size) - directoryOffset)
        return "a zip whose directory lies outside the file";
    std::vector<char> directory(size_t(directorySize), '\0');
    if (!readAt(file, int64_t(directoryOffset), directory.data(), int64_t(directorySize)))
        return "cannot read the zip's directory";
    size_t p = 0;
    for (uint64_t k = 0; k < entries; ++k) {
        if (p + 46 > directory.size() || le32(directory.data() + p) != 0x02014b50)
            return "a damaged zip directory (entry " + std::to_string(k) + ")";
        const char *c = directory.data() + p;
        ZipMember m;
        m.flags = le16(c + 8);
        m.method = le16(c + 10);
        m.crc = le32(c + 16);
        m.compressedSize = le32(c + 20);
        m.size = le32(c + 24);
        const size_t nameLength = le16(c + 28), extraLength = le16(c + 30), commentLength = le16(c + 32);
        m.headerOffset = le32(c + 42);
        if (p + 46 + nameLength + extraLength + commentLength > directory.size())
            return "a damaged zip directory (entry " + std::to_string(k) + ")";
        m.name.assign(c + 46, nameLength);
        // The zip64 extra field holds, in this order, the sizes and the offset
        // whose 32-bit fields are 0xFFFFFFFF.
        for (size_t x = 0; x + 4 <= extraLength;) {
            const char *field = c + 46 + nameLength + x;
            const size_t fieldLength = le16(field + 2);
            if (x + 4 + fieldLength > extraLength) break;
            if (le16(field) == 0x0001) {
                size_t q = 4;
                for (uint64_t *value : {&m.size, &m.compressedSize, &m.headerOffset}) {
                    if (*value != 0xFFFFFFFF) continue;
                    if (q + 8 > 4 + fieldLength) return "a damaged zip64 field (entry " + std::to_string(k) + ")";
                    *value = le64(field + q);
                    q += 8;
                }
            }
            x += 4 + fieldLength;
        }
        members->push_back(std::move(m));
        p += 46 + nameLength + extraLength + commentLength;
    }
    return {};
}

// Where member m's stored bytes are: after its local header.
std::string memberData(QFile *file, const ZipMember &m, ByteRange *out)
{
    const std::string name = "member " + inQuotes(m.name) + ": ";
    if (m.flags & 1) return name + "encrypted";
    if (m.method == 8)
        return name + "compressed (numpy.savez_compressed deflates its arrays, which AttnScope does not read): "
                      "save it with numpy.savez";
    if (m.method != 0) return name + "compressed (zip method " + std::to_string(m.method) + "): save it with numpy.savez";
    if (m.compressedSize != m.size) return name + "a stored member whose two sizes differ";
    char h[30];
    const int64_t size = file->size();
    if (m.headerOffset > uint64_t(size) || !readAt(file, int64_t(m.headerOffset), h, 30) || le32(h) != 0x04034b50)
        return name + "its local header is not where the directory says";
    const uint64_t begin = m.headerOffset + 30 + le16(h + 26) + le16(h + 28);
    if (begin > uint64_t(size) || m.size > uint64_t(size) - begin) return name + "its data runs past the end of the file";
    *out = ByteRange(file, int64_t(begin), int64_t(m.size));
    return {};
}

// A member read whole: its CRC-32 checked once every byte went through.
std::string checkCrc(const ZipMember &m, const ByteRange &in)
{
    if (in.left() != 0 || in.crc() != m.crc)
        return "member " + inQuotes(m.name) + ": its CRC-32 does not match its data: the file is damaged";
    return {};
}

// A .npz: "tokens", "attention" (optional when there is pooling) and
// "pooling_<task>" members, one sample.
std::string readNpz(QFile *file, const std::string &path, Budget *budget, std::vector<RawSample> *samples)
{
    std::vector<ZipMember> members;
    if (std::string problem = readZipDirectory(file, &members); !problem.empty()) return path + ": " + problem;
    const ZipMember *tokens = nullptr, *attention = nullptr;
    std::vector<const ZipMember *> pooling;
    std::vector<std::string> names;
    for (const ZipMember &m : members) {
        names.push_back(m.name);
        if (m.name == "tokens.npy") tokens = &m;
        else if (m.name == "attention.npy") attention = &m;
        else if (m.name.rfind("pooling_", 0) == 0 && m.name.size() > 12 && m.name.compare(m.name.size() - 4, 4, ".npy") == 0)
            pooling.push_back(&m);
    }
    std::sort(names.begin(), names.end());
    if (std::adjacent_find(names.begin(), names.end()) != names.end())
        return path + ": member " + inQuotes(*std::adjacent_find(names.begin(), names.end())) + " is there twice";
    if (!attention && pooling.empty())
        return path + ": no 'attention' (nor 'pooling_<task>') array: name the arrays, as in "
                      "np.savez(path, attention=attention, tokens=np.array(tokens, dtype=str))";
    if (!tokens) return path + ": no 'tokens' array: add tokens=np.array(tokens, dtype=str) to np.savez";
    if (!budget->take(SampleBytes)) return path + ": " + overBudget(*budget);

    RawSample s;
    // Each member: where its bytes are, its .npy header, then its data.
    const auto open = [&](const ZipMember &m, ByteRange *in, NpyArray *a) -> std::string {
        if (std::string problem = memberData(file, m, in); !problem.empty()) return path + ": " + problem;
        if (std::string problem = readNpyHeader(in, a); !problem.empty())
            return path + ": member " + inQuotes(m.name) + ": " + problem;
        return {};
    };
    ByteRange in(file, 0, 0);
    NpyArray a;
    if (std::string problem = open(*tokens, &in, &a); !problem.empty()) return problem;
    if (std::string problem = readStrings(&in, a, budget, &s.sample.tokens); !problem.empty())
        return path + ": member 'tokens.npy': " + problem;
    if (std::string problem = checkCrc(*tokens, in); !problem.empty()) return path + ": " + problem;
    s.hasTokens = true;
    if (attention) {
        if (std::string problem = open(*attention, &in, &a); !problem.empty()) return problem;
        if (a.kind == 'f' && !a.shape.empty() && uint64_t(a.shape.back()) != s.sample.tokens.size())
            return path + ": its 'attention' has maps of " + std::to_string(a.shape.back()) + " x "
                   + std::to_string(a.shape.back()) + " but 'tokens' has " + std::to_string(s.sample.tokens.size());
        if (std::string problem = readMaps(&in, a, budget, &s.sample.selfAttention); !problem.empty())
            return path + ": member 'attention.npy': " + problem;
        if (std::string problem = checkCrc(*attention, in); !problem.empty()) return path + ": " + problem;
    }
    for (const ZipMember *m : pooling) {
        NamedWeights task;
        task.task = m->name.substr(8, m->name.size() - 12);
        if (!validUtf8(task.task)) return path + ": member " + inQuotes(m->name) + ": its name is not valid UTF-8";
        if (!budget->take(TokenBytes + task.task.size())) return path + ": " + overBudget(*budget);
        if (std::string problem = open(*m, &in, &a); !problem.empty()) return problem;
        if (std::string problem = readVector(&in, a, budget, &task.weights); !problem.empty())
            return path + ": member " + inQuotes(m->name) + ": " + problem;
        if (std::string problem = checkCrc(*m, in); !problem.empty()) return path + ": " + problem;
        s.pooling.push_back(std::move(task));
    }
    samples->push_back(std::move(s));
    return {};
}

// ---------------------------------------------------------------------------
// The checks every format shares, and the value they make.

std::string assemble(std::vector<RawSample> raw, const std::string &path, AttentionFileFormat format,
                     const AttentionFileLimits &limits, AttentionFile *out)
{
    if (raw.empty()) return path + ": no samples";
    AttentionFile file;
    file.path = path;
    file.format = format;
    std::vector<std::string> taskNames;
    std::vector<std::vector<std::string>> classNames;  // [task][class], "" = not named yet
    bool predictions = false;
    for (size_t i = 0; i < raw.size(); ++i) {
        RawSample &r = raw[i];
        AttentionFileSample &s = r.sample;
        const std::string at = path + (s.line > 0 ? ":" + std::to_string(s.line) : std::string()) + ": "
                               + (format == AttentionFileFormat::Json ? "sample " + std::to_string(i) + ": " : "");
        if (!r.hasTokens) return at + "no 'tokens'";
        const size_t L = s.tokens.size();
        if (L == 0) return at + "no tokens";
        SelfAttentionMaps &maps = s.selfAttention;
        if (maps.empty() && r.pooling.empty())
            return at + "no attention: neither 'attention' (or 'layers') nor 'pooling' (or 'tasks') with weights";
        if (!maps.empty() && size_t(maps.n) != L)
            return at + "its maps are " + std::to_string(maps.n) + " x " + std::to_string(maps.n) + " but it has "
                   + std::to_string(L) + " tokens";
        if (i == 0) {
            file.layers = maps.layers;
            file.heads = maps.heads;
        } else if (maps.layers != file.layers || maps.heads != file.heads) {
            return at + std::to_string(maps.layers) + " layers of " + std::to_string(maps.heads)
                   + " heads, sample 0 has " + std::to_string(file.layers) + " of " + std::to_string(file.heads);
        }
        for (int l = 0; l < maps.layers; ++l)
            for (int h = 0; h < maps.heads; ++h)
                for (size_t q = 0; q < L; ++q) {
                    const std::string problem = distributionProblem(maps.map(l, h) + q * L, L, limits.tolerance, "weight");
                    if (!problem.empty())
                        return at + "layer " + std::to_string(l) + ", head " + std::to_string(h) + ", row "
                               + std::to_string(q) + ": " + problem;
                }

        // Tasks in byte order, as the model orders them (MODEL.md 7).
        std::sort(r.pooling.begin(), r.pooling.end(),
                  [](const NamedWeights &a, const NamedWeights &b) { return a.task < b.task; });
        std::sort(r.predictions.begin(), r.predictions.end(),
                  [](const Prediction &a, const Prediction &b) { return a.task < b.task; });
        std::vector<std::string> names;
        for (NamedWeights &t : r.pooling) {
            if (!names.empty() && names.back() == t.task) return at + "task " + inQuotes(t.task) + " given twice";
            names.push_back(t.task);
            const std::string task = at + "task " + inQuotes(t.task) + ": ";
            if (t.weights.size() != L)
                return task + std::to_string(t.weights.size()) + " pooling weights for " + std::to_string(L) + " tokens";
            if (std::string problem = distributionProblem(t.weights.data(), L, limits.tolerance, "weight"); !problem.empty())
                return task + "its pooling weights: " + problem;
            s.weights.push_back(std::move(t.weights));
        }
        if (i == 0) {
            taskNames = names;
            classNames.resize(names.size());
            predictions = !r.predictions.empty();
        } else if (names != taskNames) {
            return at + "its tasks differ from sample 0's (every sample has the same tasks)";
        }
        if (!r.predictions.empty() != predictions)
            return at + (predictions ? "no predictions, while sample 0 has them" : "predictions, while sample 0 has none");
        if (predictions && r.predictions.size() != names.size())
            return at + "predictions for " + std::to_string(r.predictions.size()) + " of its "
                   + std::to_string(names.size()) + " tasks";
        // Both sorted, as many predictions as tasks: one for each task, in task order, or an error.
        for (size_t t = 0; t < r.predictions.size(); ++t) {
            Prediction &pred = r.predictions[t];
            const std::string task = at + "prediction for " + inQuotes(pred.task) + ": ";
            if (names[t] != pred.task)
                return task + (std::binary_search(names.begin(), names.end(), pred.task)
                                   ? "given twice"
                                   : "a task without pooling weights ('tasks' or 'pooling')");
            if (pred.probs.empty()) return task + "no probabilities";
            if (std::string problem = distributionProblem(pred.probs.data(), pred.probs.size(), limits.tolerance, "probability");
                !problem.empty())
                return task + "its probabilities: " + problem;
            std::vector<std::string> &classes = classNames[t];
            if (classes.empty()) classes.resize(pred.probs.size());
            if (classes.size() != pred.probs.size())
                return task + std::to_string(pred.probs.size()) + " classes, sample 0 has " + std::to_string(classes.size());
            // The class named is the first most probable one, as attnscope-cli picks it.
            const size_t best = size_t(std::max_element(pred.probs.begin(), pred.probs.end()) - pred.probs.begin());
            if (!pred.className.empty()) {
                for (size_t c = 0; c < classes.size(); ++c)
                    if (c != best && classes[c] == pred.className)
                        return task + "class " + inQuotes(pred.className) + " is most probable at " + std::to_string(best)
                               + " here and at " + std::to_string(c) + " in an earlier sample";
                if (!classes[best].empty() && classes[best] != pred.className)
                    return task + "its most probable class, " + std::to_string(best) + ", is named "
                           + inQuotes(pred.className) + " here and " + inQuotes(classes[best]) + " in an earlier sample";
                classes[best] = pred.className;
            }
            s.probs.push_back(std::move(pred.probs));
        }
        r.pooling.clear();
        r.predictions.clear();
        r.pooling.shrink_to_fit();
        r.predictions.shrink_to_fit();
    }
    for (size_t t = 0; t < taskNames.size(); ++t) {
        TaskInfo task;
        task.name = taskNames[t];
        for (size_t c = 0; c < classNames[t].size(); ++c)
            task.classes.push_back(classNames[t][c].empty() ? "class " + std::to_string(c) : classNames[t][c]);
        file.tasks.push_back(std::move(task));
    }
    file.samples.reserve(raw.size());
    for (RawSample &r : raw)
        file.samples.push_back(std::move(r.sample));
    *out = std::move(file);
    return {};
}

} // namespace

bool readAttentionFile(const std::string &path, AttentionFile *out, std::string *error, const AttentionFileLimits &limits)
{
    auto fail = [&](const std::string &what) {
        if (error) *error = what;
        return false;
    };
    if (std::string problem = notRegularFile(path); !problem.empty()) return fail(problem);
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly)) return fail(path + ": cannot open: " + file.errorString().toStdString());
    const int64_t size = file.size();
    if (size == 0) return fail(path + ": an empty file");
    if (size > limits.maxFileBytes)
        return fail(path + ": " + sizeText(double(size)) + ", more than the " + sizeText(double(limits.maxFileBytes))
                    + " an attention file may have");
    const QByteArray start = file.peek(6);
    Budget budget(limits.maxBytes);
    std::vector<RawSample> raw;
    AttentionFileFormat format = AttentionFileFormat::Json;
    if (start.startsWith("\x93NUMPY")) {
        format = AttentionFileFormat::Npy;
        if (std::string problem = readNpy(&file, path, limits, &budget, &raw); !problem.empty()) return fail(problem);
    } else if (start.startsWith("PK\x03\x04") || start.startsWith("PK\x05\x06")) {
        format = AttentionFileFormat::Npz;
        if (std::string problem = readNpz(&file, path, &budget, &raw); !problem.empty()) return fail(problem);
    } else {
        JsonReader reader(&file, &budget);
        if (!reader.readDocument(&raw))
            return fail(path + ":" + std::to_string(reader.errorLine()) + ": " + reader.error());
    }
    std::string problem = assemble(std::move(raw), path, format, limits, out);
    return problem.empty() || fail(problem);
}

} // namespace attnscope
