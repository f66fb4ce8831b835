#include "data/csvparser.h"

#include "utf8.h"

namespace attnscope {

CsvParser::CsvParser(char separator, RecordFn onRecord)
    : m_sep(separator), m_onRecord(std::move(onRecord))
{
    m_fields.emplace_back();
}

bool CsvParser::fail(std::string what, int line, int field)
{
    m_error = std::move(what);
    m_errorLine = line;
    m_errorField = field;
    m_stopped = true;
    return false;
}

// Hands the record to the callback and starts the next one.
bool CsvParser::endRecord()
{
    const bool ok = m_onRecord(m_recordLine, m_fields);
    m_fields.clear();
    m_fields.emplace_back();
    m_recordBytes = 0;
    if (!ok) {
        m_stopped = true;
        m_error.clear(); // the callback has its own message
        return false;
    }
    return true;
}

bool CsvParser::newField()
{
    if (m_fields.size() >= MaxFields)
        return fail("the row has more than " + std::to_string(MaxFields) + " fields (the most one row may hold)",
                    m_recordLine, 0);
    m_fields.emplace_back();
    m_state = State::FieldStart;
    return true;
}

// The record ends at a line break (c: '\n' or '\r'); the next starts on
// the next line (after the LF, for a CR followed by one).
bool CsvParser::endLine(char c)
{
    if (!endRecord()) return false;
    ++m_line;
    m_recordLine = m_line;
    m_state = c == '\r' ? State::AfterCR : State::FieldStart;
    return true;
}

bool CsvParser::feed(const char *data, size_t size)
{
    if (m_stopped) return false;
    const char *p = data;
    const char *const end = data + size;
    while (p < end) {
        const char c = *p;
        // Bytes of the record so far, bounded (MaxLineBytes): checked once
        // per step, and each step takes at most what is left of the piece.
        const char *const from = p;
        const int line = m_line;
        switch (m_state) {
        case State::AfterCR:
            m_state = State::FieldStart;
            if (c == '\n') { // the LF of a CRLF
                ++p;
                break;
            }
            [[fallthrough]];
        case State::FieldStart:
            if (c == '"') {
                m_state = State::Quoted;
                m_quoteLine = m_line;
                ++p;
                break;
            }
            m_state = State::Unquoted;
            [[fallthrough]];
        case State::Unquoted: {
            // Fast path: copy up to the next separator or line end at once.
            const char *q = p;
            while (q < end && *q != m_sep && *q != '\n' && *q != '\r') ++q;
            m_fields.back().append(p, size_t(q - p));
            p = q;
            if (p == end) break;
            const char d = *p++;
            if (!(d == m_sep ? newField() : endLine(d))) return false;
            break;
        }
        case State::Quoted: {
            const char *q = p;
            while (q < end && *q != '"' && *q != '\n') ++q;
            m_fields.back().append(p, size_t(q - p));
            p = q;
            if (p == end) break;
            if (*p == '\n') {
                m_fields.back().push_back('\n');
                ++m_line;
            } else {
                m_state = State::QuoteInQuoted;
            }
            ++p;
            break;
        }
        case State::QuoteInQuoted:
            ++p;
            if (c == '"') { // "" is a quote inside the field
                m_fields.back().push_back('"');
                m_state = State::Quoted;
            } else if (c == m_sep) {
                if (!newField()) return false;
            } else if (c == '\n' || c == '\r') {
                if (!endLine(c)) return false;
            } else {
                return fail("unexpected character " + utf8::shownByte(c)
                                + " after the closing quote of a quoted field (a quote inside a quoted field is written \"\")",
                            m_line, int(m_fields.size()));
            }
            break;
        }
        // A step that ended the record (endRecord reset the count, and the
        // next record starts on the next line) counts nothing more.
        if (m_line == line || m_recordLine != m_line) {
            m_recordBytes += size_t(p - from);
            if (m_recordBytes > MaxLineBytes) return tooLong();
        }
    }
    return true;
}

bool CsvParser::tooLong()
{
    std::string what = "row longer than " + std::to_string(MaxLineBytes >> 20) + " MB (the most one row may hold)";
    if (m_state == State::Quoted)
        what += "; the quoted field opened on line " + std::to_string(m_quoteLine)
                + " is still open (is its closing quote missing?)";
    return fail(what, m_recordLine, int(m_fields.size()));
}

bool CsvParser::finish()
{
    if (m_stopped) return false;
    switch (m_state) {
    case State::Quoted:
        return fail("a quoted field opened here is never closed", m_quoteLine, int(m_fields.size()));
    case State::AfterCR:
        return true;
    case State::FieldStart:
        if (m_fields.size() == 1) return true; // the input ended with a line break
        return endRecord();
    case State::Unquoted:
    case State::QuoteInQuoted:
        return endRecord();
    }
    return true;
}

} // namespace attnscope
