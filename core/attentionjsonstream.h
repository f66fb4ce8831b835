// The strict streaming JSON under the attention file's JSON reader
// (attentionfilejson.cpp): bytes read 64 KiB at a time, the lexical
// rules of RFC 8259 (strings, numbers, literals, brackets, members), each
// error with its line, and any value skipped. What the values mean is the
// reader's.
#pragma once

#include "attentionfileparts.h"
#include "data/jsonescape.h"

#include <QFile>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace attnscope::attentionfile {

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

// The lexical layer: what is next, brackets, member names, strings and
// numbers, with the first error and its line kept.
class JsonStream {
public:
    explicit JsonStream(QFile *file) : m_in(file) {}

    const std::string &error() const { return m_error; }
    int errorLine() const { return m_errorLine; }

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


protected:
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
        // Python's json.dump writes float('nan') and float('inf') as NaN and
        // Infinity, which JSON does not have.
        case 'N': return "NaN";
        case 'I': return "Infinity";
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
                        + (c == 'N' || c == 'I' ? " (Python's json.dump writes a NaN or infinite float so; JSON has no such number)" : "")
                        + (c == '[' ? " (one array level too many?)" : ""));
        if (m_in.peek() == '-') take();
        if (m_in.peek() == 'I')
            return fail(where() + " is -Infinity, not a number (Python's json.dump writes a negative infinite float "
                                  "so; JSON has no such number)");
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
            // Beyond a double too (1e999), from_chars leaves d alone: at most
            // 63 characters, the number is that far from 1 by its exponent,
            // huge when it is positive, tiny (0) when it is negative.
            if (std::from_chars(text, text + n, d).ec == std::errc::result_out_of_range) {
                const char *e = std::find_if(text, text + n, [](char c) { return c == 'e' || c == 'E'; });
                d = e + 1 < text + n && e[1] != '-' ? std::numeric_limits<double>::infinity() : 0.0;
            }
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

    JsonInput m_in;

private:
    std::string m_error;
    int m_errorLine = 0;
};

} // namespace attnscope::attentionfile
