// RFC 4180 records from a byte stream: the CSV and TSV reader's first step
// (csvreader.h), and the fuzz target's.
#pragma once

#include "data/load.h"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace attnscope {

// RFC 4180 records from a byte stream given in pieces of any size. Fields may
// be quoted ("a ""b"", c"), hold separators, quotes and line breaks; records
// end with LF, CRLF or a lone CR. Time is linear in the input; memory is one
// record, of at most MaxLineBytes and MaxFields (load.h): a longer one is
// an error. feed() and finish() return false on an error (error(): what,
// errorLine(): the physical line, 1-based, errorField(): the field, 1-based).
class CsvParser {
public:
    // line: the physical line where the record starts; fields: its fields.
    using RecordFn = std::function<bool(int line, std::vector<std::string> &fields)>;

    CsvParser(char separator, RecordFn onRecord);

    bool feed(const char *data, size_t size);
    bool finish();

    const std::string &error() const { return m_error; }
    int errorLine() const { return m_errorLine; }
    int errorField() const { return m_errorField; }
    int lines() const { return m_line; }

private:
    enum class State { FieldStart, Unquoted, Quoted, QuoteInQuoted, AfterCR };
    bool endRecord();
    bool endLine(char c);
    bool newField();
    bool tooLong();
    bool fail(std::string what, int line, int field);

    char m_sep;
    RecordFn m_onRecord;
    State m_state = State::FieldStart;
    std::vector<std::string> m_fields;
    size_t m_recordBytes = 0; // bytes of the current record read so far (at most MaxLineBytes)
    int m_line = 1;         // current physical line
    int m_recordLine = 1;   // where the current record started
    int m_quoteLine = 0;    // where the open quote is
    bool m_stopped = false;
    std::string m_error;
    int m_errorLine = 0, m_errorField = 0;
};

} // namespace attnscope
