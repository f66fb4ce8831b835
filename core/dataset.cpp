// Datasets: the JSON Lines reader, the built-in generators, the train/val
// split, and the encoding of samples into model inputs.
//
// Loading is all-or-nothing: a reader fills a local Dataset and moves it into
// *out only when the whole input was good, so a failed load leaves the
// caller's data as it was. Nothing here prints; problems that do not stop
// loading are collected in Dataset::warnings.
#include "dataset.h"

#include "splitmix.h"

#include "builtins.h"
#include "fileutil.h"
#include "csvreader.h"
#include "loadwarnings.h"
#include "utf8.h"

#include <QChar>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace attnscope {

namespace {

// Fisher-Yates, from the back, with SplitMix: the same permutation everywhere.
void shuffle(std::vector<int> *v, SplitMix *rng)
{
    for (int i = int(v->size()) - 1; i > 0; --i)
        std::swap((*v)[size_t(i)], (*v)[size_t(rng->below(i + 1))]);
}

// UTF-8 helpers (utf8.h). Offsets in the data files are in code points (as
// Python's str indexes), so lengths and columns are counted in code points too.
using utf8::appendUtf8;
using utf8::codePoints;
using utf8::hasToken;
using utf8::invalidUtf8;

std::string inQuotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

// ---------------------------------------------------------------------------
// A strict JSON (RFC 8259) parser for one line. QJsonDocument would do, but
// it turns every number into a double, and MODEL.md 7 reads a numeric label
// as its JSON text: the label 1.50 is the class "1.50", not "1.5". It also
// reports errors at a byte offset we can turn into a column, never recurses
// deeper than MaxDepth (a hostile file cannot overflow the stack), holds at
// most MaxJsonValues values (dataset.h; a value costs about 100 bytes here,
// so a 60 MB line of [0,0,...] took 3 GB), and keeps strings in UTF-8, which
// is what the core stores.
struct Json {
    enum Type : uint8_t { Null, Bool, Number, String, Array, Object };
    Type type = Null;
    bool boolean = false;
    std::string text;              // String: decoded UTF-8; Number: the literal as written
    std::vector<Json> items;       // Array: elements; Object: values, in file order
    std::vector<std::string> keys; // Object: keys, keys[i] names items[i]

    // The value of a key; with duplicates the last one wins, as in Python's json.
    const Json *find(std::string_view key) const
    {
        for (size_t i = keys.size(); i-- > 0;)
            if (keys[i] == key) return &items[i];
        return nullptr;
    }
};

const char *typeName(const Json &v)
{
    switch (v.type) {
    case Json::Null: return "null";
    case Json::Bool: return "a boolean";
    case Json::Number: return "a number";
    case Json::String: return "a string";
    case Json::Array: return "an array";
    case Json::Object: return "an object";
    }
    return "?";
}

class JsonParser {
public:
    explicit JsonParser(std::string_view text) : m_text(text) {}

    // One value, with only white space around it.
    bool parseDocument(Json *out)
    {
        skipSpace();
        if (!parseValue(out, 0)) return false;
        skipSpace();
        if (m_pos != m_text.size()) return fail("unexpected text after the JSON value");
        return true;
    }
    const std::string &error() const { return m_error; }
    size_t errorOffset() const { return m_errorPos; }

private:
    static constexpr int MaxDepth = 256;

    bool fail(std::string what)
    {
        m_error = std::move(what);
        m_errorPos = m_pos;
        return false;
    }
    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek() const { return atEnd() ? '\0' : m_text[m_pos]; }
    void skipSpace()
    {
        while (!atEnd()) {
            const char c = m_text[m_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            ++m_pos;
        }
    }
    bool literal(std::string_view word)
    {
        if (m_text.substr(m_pos, word.size()) != word) return fail("invalid literal");
        m_pos += word.size();
        return true;
    }

    bool parseValue(Json *v, int depth)
    {
        if (depth > MaxDepth) return fail("nested too deeply");
        if (++m_values > MaxJsonValues)
            return fail("more than " + std::to_string(MaxJsonValues) + " values on one line (the most one record may hold)");
        if (atEnd()) return fail("unexpected end of line, expected a value");
        switch (peek()) {
        case '{': return parseObject(v, depth);
        case '[': return parseArray(v, depth);
        case '"': v->type = Json::String; return parseString(&v->text);
        case 't': v->type = Json::Bool; v->boolean = true; return literal("true");
        case 'f': v->type = Json::Bool; v->boolean = false; return literal("false");
        case 'n': v->type = Json::Null; return literal("null");
        default:
            if (peek() == '-' || (peek() >= '0' && peek() <= '9')) {
                v->type = Json::Number;
                return parseNumber(&v->text);
            }
            return fail("unexpected character " + utf8::shownByte(peek()));
        }
    }

    bool parseObject(Json *v, int depth)
    {
        v->type = Json::Object;
        ++m_pos; // {
        skipSpace();
        if (peek() == '}') {
            ++m_pos;
            return true;
        }
        for (;;) {
            skipSpace();
            if (peek() != '"') return fail("expected a string key");
            std::string key;
            if (!parseString(&key)) return false;
            skipSpace();
            if (peek() != ':') return fail("expected ':' after a key");
            ++m_pos;
            skipSpace();
            Json item;
            if (!parseValue(&item, depth + 1)) return false;
            v->keys.push_back(std::move(key));
            v->items.push_back(std::move(item));
            skipSpace();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == '}') {
                ++m_pos;
                return true;
            }
            return fail(atEnd() ? "unexpected end of line inside an object" : "expected ',' or '}'");
        }
    }

    bool parseArray(Json *v, int depth)
    {
        v->type = Json::Array;
        ++m_pos; // [
        skipSpace();
        if (peek() == ']') {
            ++m_pos;
            return true;
        }
        for (;;) {
            skipSpace();
            Json item;
            if (!parseValue(&item, depth + 1)) return false;
            v->items.push_back(std::move(item));
            skipSpace();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == ']') {
                ++m_pos;
                return true;
            }
            return fail(atEnd() ? "unexpected end of line inside an array" : "expected ',' or ']'");
        }
    }

    bool hex4(uint32_t *out)
    {
        if (m_pos + 4 > m_text.size()) return fail("incomplete \\u escape");
        uint32_t v = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = m_text[m_pos + size_t(k)];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= uint32_t(c - '0');
            else if (c >= 'a' && c <= 'f') v |= uint32_t(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= uint32_t(c - 'A' + 10);
            else return fail("invalid \\u escape");
        }
        m_pos += 4;
        *out = v;
        return true;
    }

    bool parseString(std::string *out)
    {
        ++m_pos; // "
        for (;;) {
            if (atEnd()) return fail("unterminated string");
            const char c = m_text[m_pos];
            if (c == '"') {
                ++m_pos;
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20)
                return fail("control character in a string (write it as an escape)");
            if (c != '\\') {
                out->push_back(c); // UTF-8 was checked for the whole line
                ++m_pos;
                continue;
            }
            ++m_pos;
            if (atEnd()) return fail("unterminated string");
            const char e = m_text[m_pos++];
            switch (e) {
            case '"': out->push_back('"'); break;
            case '\\': out->push_back('\\'); break;
            case '/': out->push_back('/'); break;
            case 'b': out->push_back('\b'); break;
            case 'f': out->push_back('\f'); break;
            case 'n': out->push_back('\n'); break;
            case 'r': out->push_back('\r'); break;
            case 't': out->push_back('\t'); break;
            case 'u': {
                uint32_t cp;
                if (!hex4(&cp)) return false;
                // A surrogate pair written as two escapes is one code point;
                // a lone surrogate is not a character and cannot be UTF-8.
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    uint32_t low;
                    if (m_text.substr(m_pos, 2) != "\\u") return fail("lone surrogate in a \\u escape");
                    m_pos += 2;
                    if (!hex4(&low)) return false;
                    if (low < 0xDC00 || low > 0xDFFF) return fail("lone surrogate in a \\u escape");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return fail("lone surrogate in a \\u escape");
                }
                appendUtf8(out, cp);
                break;
            }
            default:
                --m_pos;
                return fail("invalid escape '\\" + std::string(1, e) + "'");
            }
        }
    }

    bool parseNumber(std::string *out)
    {
        const size_t start = m_pos;
        auto digits = [&] {
            const size_t from = m_pos;
            while (!atEnd() && peek() >= '0' && peek() <= '9') ++m_pos;
            return m_pos > from;
        };
        if (peek() == '-') ++m_pos;
        if (peek() == '0') {
            ++m_pos;
        } else if (!digits()) {
            return fail("invalid number");
        }
        if (peek() == '.') {
            ++m_pos;
            if (!digits()) return fail("invalid number: digits expected after '.'");
        }
        if (peek() == 'e' || peek() == 'E') {
            ++m_pos;
            if (peek() == '+' || peek() == '-') ++m_pos;
            if (!digits()) return fail("invalid number: digits expected in the exponent");
        }
        out->assign(m_text.substr(start, m_pos - start));
        return true;
    }

    std::string_view m_text;
    size_t m_pos = 0;
    size_t m_values = 0;
    std::string m_error;
    size_t m_errorPos = 0;
};

// Locale-independent number parsing (std::strtod follows LC_NUMERIC, which a
// Qt application sets from the environment).
bool parseDouble(std::string_view s, double *out)
{
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    const auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// A span bound: a JSON number with an integral value.
bool spanBound(const Json &v, int64_t *out)
{
    double d;
    if (v.type != Json::Number || !parseDouble(v.text, &d)) return false;
    if (d != std::floor(d) || std::fabs(d) > 9.0e15) return false;
    *out = int64_t(d);
    return true;
}

using Warnings = LoadWarnings;

// ---------------------------------------------------------------------------
// JSON Lines.
//
// Text:    {"text": "...", "labels": {"task": "class", ...},
//           "rationales": {"task": [[start, end], ...]}, "split": "train"}
// Tabular: {"features": {"name": 1.5, ...}, "labels": {...},
//           "rationales": {"task": ["name", ...]}}
//
// Offsets are code points of the text, end exclusive. A task key that is
// absent, null or "" is a missing label. A label that is a number or a
// boolean is the class named by its JSON text. Tasks (the label keys seen
// anywhere in the file) and each task's classes are sorted by byte order once
// the whole file is read; until then they carry ids in order of appearance.
class JsonlReader {
public:
    JsonlReader(std::string path, const LoadProgress &progress)
        : m_path(std::move(path)), m_progress(progress) {}

    bool read(Dataset *out, std::string *error)
    {
        if (std::string problem = notRegularFile(m_path); !problem.empty()) return fail(error, std::move(problem));
        QFile file(QString::fromStdString(m_path));
        if (!file.open(QIODevice::ReadOnly))
            return fail(error, m_path + ": cannot open: " + file.errorString().toStdString());
        // size() and atEnd() are not to be trusted: a file that fails on read
        // (EIO) or a /proc file reports size 0. Read until read() gives
        // nothing (0) or fails (-1). The lines are cut out of 1 MiB pieces;
        // only a line that spans pieces is copied, and none may pass
        // MaxLineBytes: a file of zero bytes without a line break ends at
        // 64 MB with a message instead of being read whole.
        const qint64 size = file.size();
        int lineNo = 0;
        int firstBlank = 0, blanks = 0;
        qint64 done = 0, lastReport = 0;
        // 1 MiB pieces; a small file needs no more than its size (+1 to see the end).
        std::vector<char> chunk(size_t(size > 0 ? std::min<qint64>(size + 1, qint64(1) << 20) : qint64(1) << 16));
        std::string pending; // the start of a line that spans pieces
        auto handle = [&](std::string_view line) {
            ++lineNo;
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (lineNo == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3); // BOM
            if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
                if (!blanks++) firstBlank = lineNo;
                return true;
            }
            return readLine(line, lineNo, error);
        };
        for (;;) {
            const qint64 n = file.read(chunk.data(), qint64(chunk.size()));
            if (n < 0) return fail(error, m_path + ": read error: " + file.errorString().toStdString());
            if (n == 0) break;
            done += n;
            const char *p = chunk.data(), *const end = p + n;
            while (p < end) {
                const char *newline = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
                const char *stop = newline ? newline : end;
                if (pending.size() + size_t(stop - p) > MaxLineBytes)
                    return fail(error, where(lineNo + 1) + "line longer than " + std::to_string(MaxLineBytes >> 20)
                                           + " MB (the most one JSON Lines record may hold)");
                if (!newline) {
                    pending.append(p, end);
                    break;
                }
                bool ok;
                if (pending.empty()) {
                    ok = handle(std::string_view(p, size_t(newline - p)));
                } else {
                    pending.append(p, newline);
                    ok = handle(pending);
                    pending.clear();
                }
                if (!ok) return false;
                p = newline + 1;
            }
            if (m_progress && size > 0 && done - lastReport >= (1 << 20)) {
                lastReport = done;
                if (!m_progress(std::min(1.0, double(done) / double(size))))
                    return fail(error, m_path + ": load cancelled");
            }
        }
        if (!pending.empty() && !handle(pending)) return false; // the last line, without a line break
        if (lineNo == 0) return fail(error, m_path + ": the file is empty");
        if (blanks)
            m_warnings.add("blank lines", m_path + ":" + std::to_string(firstBlank) + ": skipped "
                           + std::to_string(blanks) + " blank line" + (blanks > 1 ? "s" : ""));
        if (!finish(out, error)) return false;
        if (m_progress) m_progress(1.0);
        return true;
    }

private:
    struct Pending {
        Sample sample;
        std::vector<std::pair<int, int>> labels;               // (task id, class id) by appearance
        std::vector<std::pair<int, std::vector<Span>>> spans;  // text: (task id, spans)
        std::vector<std::pair<int, std::vector<std::string>>> names; // tabular: (task id, features)
    };

    bool fail(std::string *error, std::string what)
    {
        if (error) *error = std::move(what);
        return false;
    }
    std::string where(int line) const { return m_path + ":" + std::to_string(line) + ": "; }

    int taskId(const std::string &name)
    {
        const auto [it, added] = m_taskIds.emplace(name, int(m_taskNames.size()));
        if (added) {
            m_taskNames.push_back(name);
            m_classIds.emplace_back();
            m_classNames.emplace_back();
        }
        return it->second;
    }
    int classId(int task, const std::string &name)
    {
        auto &ids = m_classIds[size_t(task)];
        const auto [it, added] = ids.emplace(name, int(m_classNames[size_t(task)].size()));
        if (added) m_classNames[size_t(task)].push_back(name);
        return it->second;
    }

    bool readLine(std::string_view line, int lineNo, std::string *error)
    {
        const size_t bad = invalidUtf8(line);
        if (bad != std::string_view::npos) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", unsigned(static_cast<unsigned char>(line[bad])));
            return fail(error, where(lineNo) + "invalid UTF-8 at column "
                                   + std::to_string(codePoints(line, bad) + 1) + " (byte " + hex + ")");
        }
        Json root;
        JsonParser parser(line);
        if (!parser.parseDocument(&root))
            return fail(error, where(lineNo) + "bad JSON at column "
                                   + std::to_string(codePoints(line, parser.errorOffset()) + 1) + ": "
                                   + parser.error());
        if (root.type != Json::Object)
            return fail(error, where(lineNo) + "expected a JSON object, found " + typeName(root));

        Pending p;
        p.sample.line = lineNo;
        const Json *text = root.find("text");
        const Json *features = root.find("features");
        if (text && features) return fail(error, where(lineNo) + "a line has either \"text\" or \"features\", not both");
        if (!text && !features)
            return fail(error, where(lineNo) + "missing \"text\" (a string; or \"features\", an object, for tabular data)");
        const InputKind kind = text ? InputKind::Text : InputKind::Tabular;
        if (m_kindLine == 0) {
            m_kind = kind;
            m_kindLine = lineNo;
        } else if (kind != m_kind) {
            return fail(error, where(lineNo) + "a " + toString(kind) + " line in a " + toString(m_kind)
                                   + " file (line " + std::to_string(m_kindLine) + " has "
                                   + (m_kind == InputKind::Text ? "\"text\"" : "\"features\"") + ")");
        }

        int length = 0; // text: code points
        if (text) {
            if (text->type != Json::String)
                return fail(error, where(lineNo) + "\"text\" must be a string, not " + typeName(*text));
            p.sample.text = text->text;
            length = codePoints(p.sample.text);
        } else if (!readFeatures(*features, &p.sample, lineNo, error)) {
            return false;
        }

        if (const Json *labels = root.find("labels")) {
            if (labels->type != Json::Object)
                return fail(error, where(lineNo) + "\"labels\" must be an object, not " + typeName(*labels));
            for (size_t i = 0; i < labels->keys.size(); ++i) {
                const std::string &task = labels->keys[i];
                const Json &v = labels->items[i];
                if (labels->find(task) != &v) continue; // a duplicate key: the last one counts
                std::string cls;
                switch (v.type) {
                case Json::String: cls = v.text; break;
                case Json::Number: cls = v.text; break;
                case Json::Bool: cls = v.boolean ? "true" : "false"; break;
                case Json::Null: break;
                default:
                    return fail(error, where(lineNo) + "label of task " + inQuotes(task)
                                           + " must be a string, number or boolean, not " + typeName(v));
                }
                const int t = taskId(task); // the task exists even where its label is missing
                if (!cls.empty()) p.labels.emplace_back(t, classId(t, cls));
            }
        }

        if (const Json *rationales = root.find("rationales")) {
            if (rationales->type != Json::Object)
                return fail(error, where(lineNo) + "\"rationales\" must be an object, not " + typeName(*rationales));
            for (size_t i = 0; i < rationales->keys.size(); ++i) {
                const std::string &task = rationales->keys[i];
                const Json &list = rationales->items[i];
                if (rationales->find(task) != &list) continue;
                if (list.type != Json::Array)
                    return fail(error, where(lineNo) + "rationales of task " + inQuotes(task)
                                           + " must be an array, not " + typeName(list));
                const int t = taskId(task);
                if (kind == InputKind::Text) {
                    std::vector<Span> spans;
                    for (const Json &span : list.items) {
                        int64_t a = 0, b = 0;
                        if (span.type != Json::Array || span.items.size() != 2
                            || !spanBound(span.items[0], &a) || !spanBound(span.items[1], &b))
                            return fail(error, where(lineNo) + "rationale of task " + inQuotes(task)
                                                   + " must be a list of [start, end] integer pairs");
                        const std::string shown = "[" + std::to_string(a) + ", " + std::to_string(b) + "]";
                        if (a > b)
                            return fail(error, where(lineNo) + "rationale span " + shown + " of task "
                                                   + inQuotes(task) + " starts after its end");
                        if (a < 0 || b > length)
                            return fail(error, where(lineNo) + "rationale span " + shown + " of task "
                                                   + inQuotes(task) + " is outside the text ("
                                                   + std::to_string(length) + " code points)");
                        spans.push_back({int(a), int(b)});
                    }
                    p.spans.emplace_back(t, std::move(spans));
                } else {
                    std::vector<std::string> names;
                    for (const Json &name : list.items) {
                        if (name.type != Json::String)
                            return fail(error, where(lineNo) + "rationale of task " + inQuotes(task)
                                                   + " must be a list of feature names");
                        names.push_back(name.text);
                    }
                    p.names.emplace_back(t, std::move(names));
                }
            }
        }

        if (const Json *split = root.find("split")) {
            const std::string s = split->type == Json::String ? split->text : std::string();
            if (s == "train") p.sample.split = 0;
            else if (s == "val" || s == "valid" || s == "validation" || s == "dev") p.sample.split = 1;
            else if (s == "test") p.sample.split = 2;
            else if (split->type != Json::Null)
                return fail(error, where(lineNo) + "\"split\" must be \"train\", \"val\" or \"test\"");
        }

        // MODEL.md 2: a sample with no real token is dropped when loading.
        const bool empty = kind == InputKind::Text
            ? !hasToken(p.sample.text)
            : std::all_of(p.sample.features.begin(), p.sample.features.end(),
                          [](float v) { return std::isnan(v); });
        if (empty) {
            m_warnings.add("samples without tokens dropped",
                           where(lineNo) + (kind == InputKind::Text ? "the text has no tokens"
                                                                    : "every feature is missing")
                               + "; sample dropped");
            return true;
        }
        m_pending.push_back(std::move(p));
        return true;
    }

    bool readFeatures(const Json &features, Sample *sample, int lineNo, std::string *error)
    {
        if (features.type != Json::Object)
            return fail(error, where(lineNo) + "\"features\" must be an object, not " + typeName(features));
        const float nan = std::numeric_limits<float>::quiet_NaN();
        for (size_t i = 0; i < features.keys.size(); ++i) {
            const std::string &name = features.keys[i];
            const Json &v = features.items[i];
            // A number, or a string read as a CSV cell is (the same missing
            // values, a number in quotes), or null for missing.
            float value = nan;
            if (v.type == Json::Number || v.type == Json::String) {
                switch (parseFeatureValue(v.text, &value)) {
                case FeatureValue::Number:
                case FeatureValue::Missing: break;
                case FeatureValue::NotANumber:
                    return fail(error, where(lineNo) + "feature " + inQuotes(name) + " has a non-numeric value "
                                           + inQuotes(v.text) + " (a missing value is null, \"\", NaN, NA or N/A)");
                case FeatureValue::OutOfRange:
                    return fail(error, where(lineNo) + "feature " + inQuotes(name) + ": "
                                           + (v.type == Json::String ? inQuotes(v.text) : v.text)
                                           + " is out of range for a float");
                }
            } else if (v.type != Json::Null) {
                return fail(error, where(lineNo) + "feature " + inQuotes(name)
                                       + " must be a number (or null when missing), not " + typeName(v));
            }
            // Features keep the order in which the file first names them.
            const auto [it, added] = m_featureIds.emplace(name, int(m_featureNames.size()));
            if (added) m_featureNames.push_back(name);
            if (sample->features.size() <= size_t(it->second)) sample->features.resize(size_t(it->second) + 1, nan);
            sample->features[size_t(it->second)] = value;
        }
        return true;
    }

    bool finish(Dataset *out, std::string *error)
    {
        if (m_pending.empty()) return fail(error, m_path + ": no samples (every line was blank or dropped)");

        // Tasks need at least one labelled class; a task seen only in
        // rationales (or only with missing labels) cannot be trained.
        std::vector<int> order;
        for (int t = 0; t < int(m_taskNames.size()); ++t) {
            if (m_classNames[size_t(t)].empty())
                m_warnings.add("tasks without labels", m_path + ": task " + inQuotes(m_taskNames[size_t(t)])
                                                           + " has no labels; ignored");
            else
                order.push_back(t);
        }
        if (order.empty())
            return fail(error, m_path + ": no labels: no line has a \"labels\" object with a task and a class");
        std::sort(order.begin(), order.end(), [&](int a, int b) {
            return m_taskNames[size_t(a)] < m_taskNames[size_t(b)];
        });
        // provisional task id -> final index (-1: dropped); per task, provisional class id -> final index
        std::vector<int> taskIndex(m_taskNames.size(), -1);
        std::vector<std::vector<int>> classIndex(m_taskNames.size());
        Dataset data;
        data.source = m_path;
        data.input = m_kind;
        for (size_t i = 0; i < order.size(); ++i) {
            const int t = order[i];
            taskIndex[size_t(t)] = int(i);
            const auto &names = m_classNames[size_t(t)];
            std::vector<int> byName(names.size());
            std::iota(byName.begin(), byName.end(), 0);
            std::sort(byName.begin(), byName.end(), [&](int a, int b) { return names[size_t(a)] < names[size_t(b)]; });
            TaskInfo info;
            info.name = m_taskNames[size_t(t)];
            classIndex[size_t(t)].resize(names.size());
            for (size_t k = 0; k < byName.size(); ++k) {
                classIndex[size_t(t)][size_t(byName[k])] = int(k);
                info.classes.push_back(names[size_t(byName[k])]);
            }
            if (info.classes.size() == 1)
                m_warnings.add("tasks with one class", m_path + ": " + oneClassWarning(info.name, info.classes[0]));
            data.tasks.push_back(std::move(info));
        }

        const size_t T = data.tasks.size();
        const size_t F = m_featureNames.size();
        data.featureNames = m_featureNames;
        data.samples.reserve(m_pending.size());
        for (Pending &p : m_pending) {
            Sample &s = p.sample;
            s.labels.assign(T, -1);
            for (const auto &[t, c] : p.labels)
                if (taskIndex[size_t(t)] >= 0) s.labels[size_t(taskIndex[size_t(t)])] = classIndex[size_t(t)][size_t(c)];
            s.rationales.assign(T, {});
            for (auto &[t, spans] : p.spans)
                if (taskIndex[size_t(t)] >= 0) s.rationales[size_t(taskIndex[size_t(t)])] = std::move(spans);
            for (const auto &[t, names] : p.names) {
                if (taskIndex[size_t(t)] < 0) continue;
                auto &spans = s.rationales[size_t(taskIndex[size_t(t)])];
                for (const std::string &name : names) {
                    const auto it = m_featureIds.find(name);
                    if (it == m_featureIds.end())
                        return fail(error, where(s.line) + "rationale names " + inQuotes(name)
                                               + ", which is not a feature");
                    spans.push_back({it->second, it->second + 1});
                }
            }
            if (m_kind == InputKind::Tabular) s.features.resize(F, std::numeric_limits<float>::quiet_NaN());
            data.samples.push_back(std::move(s));
        }
        data.warnings = m_warnings.take(m_path);
        *out = std::move(data);
        return true;
    }

    std::string m_path;
    const LoadProgress &m_progress;
    InputKind m_kind = InputKind::Text;
    int m_kindLine = 0;
    std::unordered_map<std::string, int> m_taskIds;
    std::vector<std::string> m_taskNames;
    std::vector<std::unordered_map<std::string, int>> m_classIds;
    std::vector<std::vector<std::string>> m_classNames;
    std::unordered_map<std::string, int> m_featureIds;
    std::vector<std::string> m_featureNames;
    std::vector<Pending> m_pending;
    Warnings m_warnings;
};

// ---------------------------------------------------------------------------
// builtin:reviews — synthetic product reviews with three tasks.
//
// Each review is 10 to 30 tokens: three cue phrases among neutral filler
// phrases and (at the "distractors" density) distractor words, in a random
// order, then a full stop.
//   sentiment (negative / positive): exactly one sentiment word, from a
//     positive or a negative list. In a fraction of the reviews ("negation",
//     20 % by default) "not" right before it flips its polarity. Negation
//     is drawn independently of the label, so the negator says nothing
//     about the label by itself, and the word is right only
//     when nothing negates it. Attention pooling over independent token
//     embeddings (0 encoder layers) computes a weighted average of
//     per-token evidence, which cannot represent "polarity XOR negated": the
//     best it can do is get three of the four (negator, polarity) cases
//     right, about 1 - negation / 2 = 90 %. One self-attention layer lets the
//     sentiment word see the negator and gets all of them. Rationale: the
//     negator and the word ("not good"), or the word alone.
//   topic (battery / delivery / screen / sound): one topic word. Rationale:
//     that word.
//   urgency (high / low): one urgency word ("asap" vs "eventually"), inside
//     a phrase whose other words are shared by both classes. Rationale: the
//     urgency word.
// Everything else (fillers, distractors, lengths, order) is independent of
// every label. Label noise, when asked for, replaces a label by another
// class at random, independently per task, from its own random stream, so the
// texts do not change with the noise level.
//
// Why 20 % negated rather than half, one negator and short lexicons: the
// data must be learnable by the default training (2000 samples, 10 epochs
// of batch 32 = 500 steps, AdamW 0.003, d 64, 1 layer). With half of the
// reviews negated the word's polarity carries no signal at all, and a
// PyTorch copy of MODEL.md stayed at chance for all 10 epochs, even trained
// on sentiment alone. With some signal, what still goes wrong is a race:
// topic and urgency (clean signals) are learned first, their cue words get
// the largest pooling keys, and the sentiment query, still random, ends up
// attending to them and stays at chance. Measured with attnscope-cli over 20
// seeds each: 30 % negated failed (< 0.95) 6 times, 25 % 4 times, 20 % with
// "not"/"never" and u^3 lengths once; 20 % with "not" only, three words per
// polarity (each frequent, so its embedding is learned early) and u^4
// lengths (fewer tokens dilute the cue) passed all of seeds 1-40 (lowest
// 0.973, mean 0.998), while 0 layers stayed at 0.89-0.92.
struct ReviewOptions {
    int n = 2000;
    uint64_t seed = 7;
    double noise = 0.0;
    double distractors = 0.15;
    double negation = 0.2;
};

const std::vector<std::string> PositiveWords = {"good", "great", "excellent"};
const std::vector<std::string> NegativeWords = {"bad", "awful", "terrible"};
const char *const Negator = "not";
const std::vector<std::string> TopicClasses = {"battery", "delivery", "screen", "sound"};
const std::vector<std::vector<std::string>> TopicWords = {
    {"battery", "charge", "charging", "charger", "power"},
    {"delivery", "shipping", "package", "courier", "parcel"},
    {"screen", "display", "pixels", "brightness", "resolution"},
    {"sound", "speaker", "volume", "audio", "bass"}};
const std::vector<std::string> UrgencyClasses = {"high", "low"};
const std::vector<std::vector<std::string>> UrgencyWords = {
    {"urgent", "urgently", "asap", "immediately", "quickly", "promptly"},
    {"eventually", "whenever", "someday", "sometime", "later", "anytime"}};
const std::vector<std::string> Copulas = {"is", "was", "seems", "feels", "looks"};
const std::vector<std::vector<std::string>> Fillers = {
    {"i", "bought", "this", "last", "month"}, {"for", "my", "daughter"}, {"to", "be", "honest"},
    {"after", "a", "few", "days"}, {"compared", "to", "my", "old", "one"}, {"in", "the", "evening"},
    {"my", "friend", "recommended", "it"}, {"i", "use", "it", "every", "day"}, {"at", "work"},
    {"on", "weekends"}, {"with", "my", "family"}, {"i", "have", "had", "it", "for", "a", "while"},
    {"it", "was", "a", "gift"}, {"the", "manual", "is", "short"}, {"we", "got", "two", "of", "them"},
    {"my", "husband", "picked", "it"}, {"from", "the", "local", "store"},
    {"this", "is", "my", "second", "one"}, {"i", "read", "the", "reviews", "first"},
    {"so", "far"}, {"as", "expected"}, {"right", "out", "of", "the", "box"}};
// Words that look like cues (opinion-ish, product-ish, service-ish) but are
// placed independently of every label: attention should learn to skip them.
const std::vector<std::string> Distractors = {
    "very", "really", "quite", "honestly", "overall", "okay", "average", "typical",
    "price", "product", "device", "support", "warranty", "model", "brand"};

enum ReviewTask { Sentiment = 0, Topic = 1, Urgency = 2 };

struct Word {
    std::string text;
    int task = -1;        // the rationale this word belongs to, -1: none
};
using Chunk = std::vector<Word>;

template <typename T>
const T &pick(const std::vector<T> &list, SplitMix *rng) { return list[size_t(rng->below(int(list.size())))]; }

Sample makeReview(SplitMix *rng, SplitMix *noiseRng, const ReviewOptions &opt)
{
    const int sentiment = rng->below(2); // 0 negative, 1 positive
    const bool negated = rng->uniform() < opt.negation;
    const bool positiveWord = (sentiment == 1) != negated;
    const int topic = rng->below(4);
    const int urgency = rng->below(2);   // 0 high, 1 low

    Chunk sentimentPart;
    if (negated) sentimentPart.push_back({Negator, Sentiment});
    sentimentPart.push_back({pick(positiveWord ? PositiveWords : NegativeWords, rng), Sentiment});
    const Word topicWord{pick(TopicWords[size_t(topic)], rng), Topic};

    std::vector<Chunk> chunks;
    auto withCopula = [&](Chunk head) {
        head.push_back({pick(Copulas, rng)});
        head.insert(head.end(), sentimentPart.begin(), sentimentPart.end());
        return head;
    };
    switch (rng->below(3)) {
    case 0: // "the battery is not good"
        chunks.push_back(withCopula({{"the"}, topicWord}));
        break;
    case 1: { // "not great screen"
        Chunk c = sentimentPart;
        c.push_back(topicWord);
        chunks.push_back(c);
        break;
    }
    default: // "the sound" ... "it was awful"
        chunks.push_back({{"the"}, topicWord});
        chunks.push_back(withCopula({{"it"}}));
        break;
    }
    const Word urgencyWord{pick(UrgencyWords[size_t(urgency)], rng), Urgency};
    switch (rng->below(5)) {
    case 0: chunks.push_back({urgencyWord}); break;
    case 1: chunks.push_back({urgencyWord, {"please"}}); break;
    case 2: chunks.push_back({{"reply"}, urgencyWord}); break;
    case 3: chunks.push_back({{"need"}, {"help"}, urgencyWord}); break;
    default: chunks.push_back({{"fix"}, {"it"}, urgencyWord}); break;
    }

    // The length is drawn independently of the cues, so it says nothing
    // about them (the cues take at most 9 of the 10 to 30 tokens; the last
    // one is the full stop). u^4 makes short reviews common (mean about 14
    // tokens, one in twelve has 25 or more).
    const double u = rng->uniform();
    const int length = 10 + std::min(20, int(u * u * u * u * 21.0));
    int used = 1;
    for (const Chunk &c : chunks) used += int(c.size());
    while (used < length) {
        Chunk c;
        if (rng->uniform() < opt.distractors) {
            c.push_back({pick(Distractors, rng)});
        } else {
            for (const std::string &w : pick(Fillers, rng)) c.push_back({w});
            if (used + int(c.size()) > length) c.resize(size_t(length - used));
        }
        used += int(c.size());
        chunks.push_back(std::move(c));
    }
    std::vector<int> order(chunks.size());
    std::iota(order.begin(), order.end(), 0);
    shuffle(&order, rng);

    // Render, recording each cue's code point span (all words are ASCII, so
    // bytes and code points agree).
    Sample s;
    s.rationales.assign(3, {});
    bool first = true;
    int lastTask = -1;
    for (int ci : order) {
        for (const Word &w : chunks[size_t(ci)]) {
            if (!first) s.text.push_back(' ');
            const int start = int(s.text.size());
            std::string text = w.text;
            if (first) text[0] = char(std::toupper(static_cast<unsigned char>(text[0])));
            s.text += text;
            const int end = int(s.text.size());
            if (w.task >= 0) {
                auto &spans = s.rationales[size_t(w.task)];
                // Words of one rationale that follow each other form one
                // span: "not good" is a single span.
                if (lastTask == w.task && !spans.empty() && spans.back().end + 1 == start) spans.back().end = end;
                else spans.push_back({start, end});
            }
            lastTask = w.task;
            first = false;
        }
    }
    s.text.push_back('.');

    s.labels = {sentiment, topic, urgency};
    const int classes[3] = {2, 4, 2};
    for (int t = 0; t < 3; ++t) {
        // Both draws happen whatever the noise level, so the stream (and every
        // other sample's noise) does not depend on it.
        const bool flip = noiseRng->uniform() < opt.noise;
        const int shift = 1 + noiseRng->below(classes[t] - 1);
        if (flip) s.labels[size_t(t)] = (s.labels[size_t(t)] + shift) % classes[t];
    }
    return s;
}

const char *const ReviewsDescription =
    "Synthetic product reviews of 10 to 30 words, three tasks.\n"
    "sentiment (negative/positive): one sentiment word (\"good\", \"great\", \"excellent\" / \"bad\", "
    "\"awful\", \"terrible\"); in 20% of the reviews \"not\" right before it (\"not good\", "
    "\"not bad\") flips it. \"not\" alone says nothing about the label, and the "
    "word alone is wrong whenever it is negated: only a model whose tokens see each other (1 encoder "
    "layer or more) gets every case; with 0 layers (a weighted bag of words) sentiment stays near "
    "90%. Its attention should cover the negator and the word.\n"
    "topic (battery/delivery/screen/sound): one topic word (\"charger\", \"courier\", \"pixels\", "
    "\"bass\", ...). Its attention should sit on that word.\n"
    "urgency (high/low): one urgency word (\"asap\", \"immediately\" vs \"eventually\", "
    "\"whenever\", ...). Its attention should sit on that word.\n"
    "Filler phrases and distractor words (\"very\", \"price\", \"support\", ...) carry no label "
    "information. Rationales mark each task's cue words.\n"
    "Options: n (samples, default 2000), seed (default 7), negation (share of negated sentiment "
    "words, default 0.2; higher makes the 0-layer gap wider and training slower), noise (share of "
    "labels replaced by another class, default 0), distractors (chance that a filler slot holds a "
    "distractor word, default 0.15).";

// Why the GUI opens this lesson with 0 encoder layers (measured, docs/datasets.md):
// with 0 layers each task's attention settles on its cue words within about
// 200 steps (rationale mass 0.96 / 0.97 / 0.83 after 500); with 1 layer the
// encoder copies the cues into every position first, the tasks' attention
// stays spread out (mass 0.05 to 0.58 depending on the seed) and the cues
// show in the encoder's self-attention instead.
const char *const ReviewsSuggestion =
    "Lesson preset: 0 encoder layers, so each task's attention reads the words directly and moves "
    "onto its cue words within a few hundred steps. Sentiment stops near 90%: a weighted bag of "
    "words cannot flip \"not good\". Set Layers to 1 to reach 100%; the encoder then spreads the "
    "cues over every token and the negation shows in its self-attention map instead.";

bool generateReviews(const std::string &spec, Dataset *out, std::string *error)
{
    ReviewOptions opt;
    if (!readBuiltinOptions(spec, &opt.n, &opt.seed,
                            {{"negation", &opt.negation}, {"noise", &opt.noise}, {"distractors", &opt.distractors}},
                            error))
        return false;

    Dataset data;
    data.source = spec;
    data.input = InputKind::Text;
    data.tasks = {{"sentiment", {"negative", "positive"}},
                  {"topic", TopicClasses},
                  {"urgency", UrgencyClasses}};
    data.description = ReviewsDescription;
    data.suggestedLayers = 0;
    data.suggestion = ReviewsSuggestion;
    // Two streams from one seed: the texts, and the label noise.
    SplitMix rng(opt.seed);
    SplitMix noiseRng(opt.seed ^ 0x6E6F697365ull); // "noise"
    data.samples.reserve(size_t(opt.n));
    for (int i = 0; i < opt.n; ++i) data.samples.push_back(makeReview(&rng, &noiseRng, opt));
    *out = std::move(data);
    return true;
}

// "builtin:NAME?k=v&k2=v2": the generator of NAME reads the options.
bool loadBuiltin(const std::string &spec, Dataset *out, std::string *error)
{
    const std::string body = spec.substr(8); // after "builtin:"
    const std::string name = body.substr(0, body.find('?'));
    if (name == "reviews") return generateReviews(spec, out, error);
    if (isExtraBuiltin(spec)) return loadExtraBuiltin(spec, out, error); // sensors, order (builtins.cpp)
    std::string names;
    for (const std::string &n : builtinDatasets()) names += (names.empty() ? "" : ", ") + n;
    if (error) *error = spec + ": unknown built-in dataset " + inQuotes(name) + " (available: " + names + ")";
    return false;
}

} // namespace

// ---------------------------------------------------------------------------

FeatureValue parseFeatureValue(std::string_view text, float *out)
{
    *out = std::numeric_limits<float>::quiet_NaN();
    auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    };
    std::string_view s = trim(text);
    if (s.empty() || s == "nan" || s == "NaN" || s == "NAN" || s == "NA" || s == "N/A" || s == "null")
        return FeatureValue::Missing;
    if (s.front() == '+') {
        s.remove_prefix(1);
        if (s.empty() || s.front() == '-') return FeatureValue::NotANumber; // "+", "+-1"
    }
    // from_chars: locale-independent, decimal only (no 0x), whole text.
    double v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec == std::errc::result_out_of_range) return FeatureValue::OutOfRange;
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return FeatureValue::NotANumber;
    if (std::isnan(v)) return FeatureValue::Missing; // another spelling from_chars reads ("-nan")
    if (!std::isfinite(float(v))) return FeatureValue::OutOfRange; // inf, or beyond float32
    *out = float(v);
    return FeatureValue::Number;
}

bool Dataset::hasRationales() const
{
    for (const Sample &s : samples)
        for (const auto &spans : s.rationales)
            if (!spans.empty()) return true;
    return false;
}

std::vector<std::string> builtinDatasets() { return {"reviews", "sensors", "order"}; }

bool loadDataset(const std::string &spec, Dataset *out, std::string *error,
                 const LoadProgress &progress)
{
    if (spec.rfind("builtin:", 0) == 0) {
        Dataset data;
        if (!loadBuiltin(spec, &data, error)) return false;
        if (progress) progress(1.0);
        *out = std::move(data);
        return true;
    }
    if (spec.empty()) {
        if (error) *error = "no data file given";
        return false;
    }
    const QFileInfo info(QString::fromStdString(spec));
    if (!info.exists()) {
        if (error) *error = spec + ": no such file";
        return false;
    }
    if (info.isDir()) {
        if (error) *error = spec + ": is a directory, not a data file";
        return false;
    }
    // The reader is chosen by the extension: CSV and TSV have their own
    // (csvreader.cpp, column roles guessed). Anything else is read as JSON
    // Lines, whose first line says soon enough if it is not.
    const std::string suffix = info.suffix().toLower().toStdString();
    if (suffix == "csv" || suffix == "tsv" || suffix == "tab")
        return readCsvDataset(spec, LoadOptions(), out, error, progress);
    Dataset data;
    JsonlReader reader(spec, progress);
    if (!reader.read(&data, error)) return false;
    *out = std::move(data);
    return true;
}

Split splitDataset(const Dataset &data, double valFraction, uint64_t seed)
{
    Split split;
    const int n = int(data.samples.size());

    // Splits written in the file win (train = 0, val = 1; test goes to
    // neither; a sample without one trains).
    const bool fromFile = std::any_of(data.samples.begin(), data.samples.end(),
                                      [](const Sample &s) { return s.split >= 0; });
    if (fromFile) {
        for (int i = 0; i < n; ++i) {
            const int s = data.samples[size_t(i)].split;
            if (s == 1) split.val.push_back(i);
            else if (s <= 0) split.train.push_back(i);
        }
        return split;
    }

    int nVal = 0;
    if (valFraction > 0 && n >= 2) {
        // round half up; at least one sample on each side
        nVal = int(std::floor(double(n) * std::min(valFraction, 1.0) + 0.5));
        nVal = std::clamp(nVal, 1, n - 1);
    }
    std::vector<int> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    if (nVal > 0) {
        SplitMix rng(seed);
        shuffle(&order, &rng);
    }
    split.val.assign(order.begin(), order.begin() + nVal);
    split.train.assign(order.begin() + nVal, order.end());
    std::sort(split.val.begin(), split.val.end());
    std::sort(split.train.begin(), split.train.end());
    return split;
}

EncodedDataset encodeDataset(const Dataset &data, const std::vector<int> &indices,
                             const Vocabulary &vocab, int maxLen, bool keepTokens)
{
    EncodedDataset enc;
    enc.input = data.input;
    enc.tasks = int(data.tasks.size());
    enc.samples.reserve(indices.size());
    const size_t T = data.tasks.size();
    for (int index : indices) {
        const Sample &s = data.samples[size_t(index)];
        EncodedSample e;
        e.index = index;
        e.labels.assign(T, -1);
        for (size_t t = 0; t < T && t < s.labels.size(); ++t) e.labels[t] = s.labels[t];

        // Token j covers [start_j, end_j): code points for text, the feature
        // index for tabular data. It is in a rationale when it overlaps a span.
        std::vector<Span> covers;
        if (data.input == InputKind::Text) {
            e.tokens = tokenize(s.text, maxLen, &e.truncated);
            e.ids.reserve(e.tokens.size());
            for (const Token &token : e.tokens) {
                e.ids.push_back(vocab.id(token.text));
                covers.push_back({token.start, token.end});
            }
            e.mask.assign(e.tokens.size(), 1);
            if (!keepTokens)
                std::vector<Token>().swap(e.tokens);
        } else {
            e.values = s.features;
            e.mask.resize(e.values.size());
            for (size_t j = 0; j < e.values.size(); ++j) {
                e.mask[j] = std::isnan(e.values[j]) ? 0 : 1;
                covers.push_back({int(j), int(j) + 1});
            }
        }

        e.rationale.assign(T, {});
        for (size_t t = 0; t < T && t < s.rationales.size(); ++t) {
            const auto &spans = s.rationales[t];
            if (spans.empty()) continue;
            auto &r = e.rationale[t];
            r.assign(covers.size(), 0);
            for (size_t j = 0; j < covers.size(); ++j)
                for (const Span &span : spans)
                    if (covers[j].start < span.end && span.start < covers[j].end) {
                        r[j] = 1;
                        break;
                    }
        }
        enc.samples.push_back(std::move(e));
    }
    return enc;
}

void featureStats(const Dataset &data, const std::vector<int> &indices,
                  std::vector<float> *mean, std::vector<float> *std)
{
    const size_t F = data.featureNames.size();
    mean->assign(F, 0.0f);
    std->assign(F, 1.0f);
    for (size_t j = 0; j < F; ++j) {
        // Two passes in double: the mean, then the population variance.
        double sum = 0, lo = 0, hi = 0;
        int64_t count = 0;
        for (int i : indices) {
            const auto &f = data.samples[size_t(i)].features;
            if (j >= f.size() || std::isnan(f[j])) continue;
            const double v = f[j];
            lo = count ? std::min(lo, v) : v;
            hi = count ? std::max(hi, v) : v;
            sum += v;
            ++count;
        }
        if (count == 0) continue; // mean 0, std 1
        if (lo == hi) {           // constant: mean = the value, std 1
            (*mean)[j] = float(lo);
            continue;
        }
        const double m = sum / double(count);
        double ss = 0;
        for (int i : indices) {
            const auto &f = data.samples[size_t(i)].features;
            if (j >= f.size() || std::isnan(f[j])) continue;
            ss += (f[j] - m) * (f[j] - m);
        }
        const float s = float(std::sqrt(ss / double(count)));
        (*mean)[j] = float(m);
        (*std)[j] = s > 0.0f ? s : 1.0f; // a spread that rounds to 0 in float32 is none
    }
}

bool checkStandardised(const Dataset &data, const std::vector<int> &indices, const std::vector<float> &mean,
                       const std::vector<float> &std, std::string *error)
{
    if (data.input != InputKind::Tabular) return true;
    const size_t F = std::min({data.featureNames.size(), mean.size(), std.size()});
    for (int i : indices) {
        const Sample &s = data.samples[size_t(i)];
        for (size_t j = 0; j < F && j < s.features.size(); ++j) {
            const float r = s.features[j];
            if (std::isnan(r)) continue; // missing: masked, v = 0
            const float v = (r - mean[j]) / std[j]; // exactly as model.cpp, in float
            if (std::isfinite(v) && std::fabs(v) <= MaxStandardised) continue;
            if (error) {
                char what[256];
                std::snprintf(what, sizeof what,
                              "%g standardises to %g ((value - mean) / std with mean %g and std %g); the "
                              "model's float32 arithmetic takes values within %g standard deviations of the mean",
                              double(r), double(v), double(mean[j]), double(std[j]), double(MaxStandardised));
                const std::string where = s.line > 0 ? data.source + ":" + std::to_string(s.line)
                                                     : data.source + ": sample " + std::to_string(i + 1);
                *error = where + ": feature " + inQuotes(data.featureNames[j]) + ": " + what;
            }
            return false;
        }
    }
    return true;
}

void makeBatch(const EncodedDataset &data, const int *indices, int count, Batch *batch)
{
    const bool text = data.input == InputKind::Text;
    int L = 0;
    for (int b = 0; b < count; ++b) {
        const EncodedSample &s = data.samples[size_t(indices[b])];
        L = std::max(L, int(text ? s.ids.size() : s.values.size()));
    }
    const int T = data.tasks;
    batch->resize(count, L, T, data.input); // zero tokens / values, zero mask, labels -1
    for (int b = 0; b < count; ++b) {
        const EncodedSample &s = data.samples[size_t(indices[b])];
        const size_t row = size_t(b) * size_t(L);
        const size_t n = text ? s.ids.size() : s.values.size();
        for (size_t j = 0; j < n; ++j) {
            const uint8_t m = j < s.mask.size() ? s.mask[j] : 1;
            batch->mask[row + j] = m;
            if (text) batch->tokens[row + j] = s.ids[j];
            else batch->values[row + j] = m ? s.values[j] : 0.0f;
        }
        for (int t = 0; t < T && t < int(s.labels.size()); ++t)
            batch->labels[size_t(b) * size_t(T) + size_t(t)] = s.labels[size_t(t)];
    }
    // Rationale flags (MODEL.md 5b), only when a sample of the batch has some.
    for (int b = 0; b < count; ++b) {
        const EncodedSample &s = data.samples[size_t(indices[b])];
        for (int t = 0; t < T && t < int(s.rationale.size()); ++t) {
            const std::vector<uint8_t> &flags = s.rationale[size_t(t)];
            if (flags.empty()) continue;
            if (batch->rationale.empty()) batch->rationale.assign(size_t(count) * size_t(T) * size_t(L), 0);
            uint8_t *row = batch->rationale.data() + (size_t(b) * size_t(T) + size_t(t)) * size_t(L);
            std::copy_n(flags.begin(), std::min(flags.size(), size_t(L)), row);
        }
    }
}

} // namespace attnscope
