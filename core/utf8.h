// UTF-8 helpers shared by the loaders (dataset.cpp, csvreader.cpp) and the
// tokenizer. Offsets in the data files are in code points (as Python's str
// indexes), so lengths and columns are counted in code points too.
#pragma once

#include <QChar>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace attnscope::utf8 {

// Decodes the sequence that starts at byte i of s: returns its length in
// bytes (1 to 4) and sets *cp, or returns 0 when it is malformed (a stray
// continuation byte, a truncated sequence, an overlong form, a surrogate or a
// value past U+10FFFF).
inline int decode(std::string_view s, size_t i, char32_t *cp)
{
    const auto *p = reinterpret_cast<const unsigned char *>(s.data());
    const unsigned c = p[i];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int len;
    char32_t value, min;
    if ((c & 0xE0) == 0xC0) { len = 2; value = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { len = 3; value = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { len = 4; value = c & 0x07; min = 0x10000; }
    else return 0;
    if (i + size_t(len) > s.size()) return 0;
    for (int k = 1; k < len; ++k) {
        if ((p[i + size_t(k)] & 0xC0) != 0x80) return 0;
        value = (value << 6) | (p[i + size_t(k)] & 0x3F);
    }
    if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
    *cp = value;
    return len;
}

// Byte offset of the first malformed sequence, or npos when the bytes are
// valid UTF-8.
inline size_t invalidUtf8(std::string_view s)
{
    size_t i = 0;
    char32_t cp;
    while (i < s.size()) {
        const int len = decode(s, i, &cp);
        if (len == 0) return i;
        i += size_t(len);
    }
    return std::string_view::npos;
}

// Code points in the first `bytes` bytes of valid UTF-8: every byte that is
// not a continuation byte.
inline int codePoints(std::string_view s, size_t bytes = std::string_view::npos)
{
    bytes = std::min(bytes, s.size());
    int n = 0;
    for (size_t i = 0; i < bytes; ++i)
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++n;
    return n;
}

inline void appendUtf8(std::string *out, char32_t cp)
{
    if (cp < 0x80) {
        out->push_back(char(cp));
    } else if (cp < 0x800) {
        out->push_back(char(0xC0 | (cp >> 6)));
        out->push_back(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out->push_back(char(0xE0 | (cp >> 12)));
        out->push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out->push_back(char(0x80 | (cp & 0x3F)));
    } else {
        out->push_back(char(0xF0 | (cp >> 18)));
        out->push_back(char(0x80 | ((cp >> 12) & 0x3F)));
        out->push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out->push_back(char(0x80 | (cp & 0x3F)));
    }
}

// True when the valid UTF-8 text holds a character that is not white space
// (QChar::isSpace): such a character always makes a token (a word or a
// punctuation mark, MODEL.md 7), and lower-casing never turns one into white
// space.
inline bool hasToken(std::string_view s)
{
    size_t i = 0;
    while (i < s.size()) {
        const unsigned c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (!QChar::isSpace(char32_t(c))) return true;
            ++i;
            continue;
        }
        const int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
        uint32_t cp = len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        for (int k = 1; k < len && i + size_t(k) < s.size(); ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + size_t(k)]) & 0x3F);
        if (!QChar::isSpace(char32_t(cp))) return true;
        i += size_t(len);
    }
    return false;
}

// A byte for a message: 'x' when it is printable ASCII, else 0xNN (a control
// character such as NUL, or one byte of a multi-byte character, is not text
// to put in a message as it is).
inline std::string shownByte(char c)
{
    const auto u = static_cast<unsigned char>(c);
    if (u > 0x20 && u < 0x7F) return std::string("'") + c + "'";
    const char *hex = "0123456789ABCDEF";
    return std::string("0x") + hex[u >> 4] + hex[u & 15];
}

} // namespace attnscope::utf8
