#include "jsonwriter.h"

#include <charconv>
#include <cmath>

namespace attnscope {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not valid.
size_t utf8Length(std::string_view s, size_t i)
{
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned c = byte(i);
    size_t n = 0;
    unsigned min = 0;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (i + n > s.size())
        return 0;
    unsigned cp = c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

} // namespace

std::string jsonString(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    for (size_t i = 0; i < text.size();) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        const size_t n = utf8Length(text, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        if (n > 1) {
            out.append(text.substr(i, n));
            i += n;
            continue;
        }
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                static const char hex[] = "0123456789abcdef";
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += char(c);
            }
        }
        ++i;
    }
    out += '"';
    return out;
}

JsonWriter::JsonWriter(std::FILE *out, bool pretty)
    : m_out(out), m_pretty(pretty)
{
}

JsonWriter::JsonWriter(std::string *out, bool pretty)
    : m_string(out), m_pretty(pretty)
{
}

void JsonWriter::raw(std::string_view text)
{
    if (m_string)
        m_string->append(text);
    else
        std::fwrite(text.data(), 1, text.size(), m_out);
}

void JsonWriter::newline(size_t depth)
{
    if (!m_pretty)
        return;
    raw("\n");
    for (size_t i = 0; i < depth; ++i)
        raw("  ");
}

void JsonWriter::beforeValue()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_stack.empty()) {
        Level &level = m_stack.back();
        if (level.count++ > 0)
            raw(m_pretty ? ", " : ",");
    }
}

void JsonWriter::beginObject()
{
    beforeValue();
    raw("{");
    m_stack.push_back({true, 0});
}

void JsonWriter::endObject()
{
    const bool empty = m_stack.back().count == 0;
    m_stack.pop_back();
    if (!empty)
        newline(m_stack.size());
    raw("}");
}

void JsonWriter::beginArray()
{
    beforeValue();
    raw("[");
    m_stack.push_back({false, 0});
}

void JsonWriter::endArray()
{
    m_stack.pop_back();
    raw("]");
}

void JsonWriter::key(std::string_view name)
{
    Level &level = m_stack.back();
    if (level.count++ > 0)
        raw(",");
    newline(m_stack.size());
    raw(jsonString(name));
    raw(m_pretty ? ": " : ":");
    m_afterKey = true;
}

void JsonWriter::value(std::string_view text)
{
    beforeValue();
    raw(jsonString(text));
}

namespace {

// The shortest text that reads back as the same float or double (to_chars),
// or "null": JSON has no NaN or infinity.
template <typename Number>
std::string_view numberText(Number number, char (&buffer)[64])
{
    if (!std::isfinite(number))
        return "null";
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
    return std::string_view(buffer, size_t(result.ptr - buffer));
}

} // namespace

void JsonWriter::value(double number)
{
    beforeValue();
    char buffer[64];
    raw(numberText(number, buffer));
}

void JsonWriter::value(float number)
{
    beforeValue();
    char buffer[64];
    raw(numberText(number, buffer));
}

void JsonWriter::value(int64_t number)
{
    beforeValue();
    raw(std::to_string(number));
}

void JsonWriter::value(bool flag)
{
    beforeValue();
    raw(flag ? "true" : "false");
}

void JsonWriter::value(const std::optional<double> &number)
{
    if (number)
        value(*number);
    else
        null();
}

void JsonWriter::null()
{
    beforeValue();
    raw("null");
}

void JsonWriter::verbatim(std::string_view json)
{
    beforeValue();
    raw(json);
}

bool JsonWriter::finish()
{
    raw("\n");
    if (m_string)
        return true;
    return std::fflush(m_out) == 0 && !std::ferror(m_out);
}

} // namespace attnscope
