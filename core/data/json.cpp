#include "data/json.h"

#include "data/jsonescape.h"
#include "data/load.h"
#include "utf8.h"

#include <charconv>
#include <cmath>
#include <unordered_set>

namespace attnscope {

namespace {

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
        v->offset = m_pos;
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

public:
    // For decodeJsonEscape (jsonescape.h): the four digits of a \u escape,
    // the "\u" of a surrogate pair's second half, and its errors, at the
    // letter (an invalid escape) or where the parser stands.
    bool hex4(uint32_t *out)
    {
        if (m_pos + 4 > m_text.size()) return fail("incomplete \\u escape");
        uint32_t v = 0;
        for (int k = 0; k < 4; ++k) {
            const int d = hexValue(m_text[m_pos + size_t(k)]);
            if (d < 0) return fail("invalid \\u escape");
            v = (v << 4) | uint32_t(d);
        }
        m_pos += 4;
        *out = v;
        return true;
    }
    bool unicodeEscapeStart()
    {
        if (m_text.substr(m_pos, 2) != "\\u") return false;
        m_pos += 2;
        return true;
    }
    bool fail(JsonEscapeError error, int letter)
    {
        if (error == JsonEscapeError::LoneSurrogate) return fail("lone surrogate in a \\u escape");
        --m_pos;  // at the letter
        return fail("invalid escape '\\" + std::string(1, char(letter)) + "'");
    }

private:
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
            if (!decodeJsonEscape(*this, e, out)) return false;
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

} // namespace

std::vector<bool> lastOfEachKey(const Json &object)
{
    std::vector<bool> last(object.keys.size(), false);
    std::unordered_set<std::string_view> seen;
    seen.reserve(object.keys.size());
    for (size_t i = object.keys.size(); i-- > 0;)
        last[i] = seen.insert(object.keys[i]).second;
    return last;
}

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

bool parseJson(std::string_view text, Json *out, std::string *error, size_t *errorOffset)
{
    JsonParser parser(text);
    if (parser.parseDocument(out)) return true;
    *error = parser.error();
    *errorOffset = parser.errorOffset();
    return false;
}

bool jsonInteger(const Json &v, int64_t *out)
{
    // from_chars: locale-independent (std::strtod follows LC_NUMERIC, which a
    // Qt application sets from the environment). The grammar has no '+'.
    double d;
    if (v.type != Json::Number) return false;
    const auto r = std::from_chars(v.text.data(), v.text.data() + v.text.size(), d);
    if (r.ec != std::errc() || r.ptr != v.text.data() + v.text.size()) return false;
    if (d != std::floor(d) || std::fabs(d) > 9.0e15) return false;
    *out = int64_t(d);
    return true;
}

} // namespace attnscope
