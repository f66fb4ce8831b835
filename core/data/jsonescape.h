// The escapes of a JSON string (RFC 8259 7), decoded in one place for both
// readers of JSON: data/json.cpp (one record in memory, into a tree) and
// attentionfile.cpp (a file of attention maps, streamed). Each reads from
// its own input and says what was wrong in its own words, at its own
// position; what an escape stands for is decided here.
#pragma once

#include "utf8.h"

#include <cstdint>
#include <string>

namespace attnscope {

enum class JsonEscapeError {
    Invalid,        // a backslash before a letter that is no escape
    LoneSurrogate,  // a \u escape of half a surrogate pair without the other half
};

// The value of a hex digit, -1 for any other character.
constexpr int hexValue(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

// The escape whose letter (the character after the backslash) the reader
// has just read, appended to *out as UTF-8 (nothing when out is null: the
// string is skipped). Reader gives:
//   bool hex4(uint32_t *)       the four hex digits of a \u escape;
//   bool unicodeEscapeStart()   reads "\u" when it comes next, else false;
//   bool fail(JsonEscapeError, int letter)   reports an error, returns false.
// False when the escape is not one (the reader has said why).
template <class Reader>
bool decodeJsonEscape(Reader &in, int letter, std::string *out)
{
    char plain = 0;
    switch (letter) {
    case '"': plain = '"'; break;
    case '\\': plain = '\\'; break;
    case '/': plain = '/'; break;
    case 'b': plain = '\b'; break;
    case 'f': plain = '\f'; break;
    case 'n': plain = '\n'; break;
    case 'r': plain = '\r'; break;
    case 't': plain = '\t'; break;
    case 'u': break;
    default: return in.fail(JsonEscapeError::Invalid, letter);
    }
    if (plain) {
        if (out) out->push_back(plain);
        return true;
    }
    uint32_t cp;
    if (!in.hex4(&cp)) return false;
    // A surrogate pair written as two escapes is one code point; a lone
    // surrogate is not a character and cannot be UTF-8.
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        uint32_t low;
        if (!in.unicodeEscapeStart()) return in.fail(JsonEscapeError::LoneSurrogate, letter);
        if (!in.hex4(&low)) return false;
        if (low < 0xDC00 || low > 0xDFFF) return in.fail(JsonEscapeError::LoneSurrogate, letter);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return in.fail(JsonEscapeError::LoneSurrogate, letter);
    }
    if (out) utf8::appendUtf8(out, cp);
    return true;
}

} // namespace attnscope
