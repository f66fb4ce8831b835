// CSV and TSV datasets (RFC 4180) with a header row: a streaming record
// parser, and the reader that turns its records into a Dataset by column
// roles (text, features, labels, split, rationales). docs/datasets.md
// describes the format, the role guessing and the rationale spans.
#pragma once

#include "dataset.h"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace attnscope {

// RFC 4180 records from a byte stream given in pieces of any size. Fields may
// be quoted ("a ""b"", c"), hold separators, quotes and line breaks; records
// end with LF, CRLF or a lone CR. Time is linear in the input; memory is one
// record, of at most MaxLineBytes and MaxFields (dataset.h): a longer one is
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

// Reads a CSV/TSV file into *out (all or nothing). Errors are
// "<file>:<line>: <what>" and name the column where one applies.
bool readCsvDataset(const std::string &path, const LoadOptions &options, Dataset *out,
                    std::string *error, const LoadProgress &progress = {});

// What readCsvDataset does with a column.
enum class ColumnRole { Ignored, Text, Feature, Task, Split, Rationale };
const char *toString(ColumnRole role);

struct CsvColumn {
    std::string name;
    ColumnRole role = ColumnRole::Ignored;
    bool numeric = false;  // >= 80 % of the present values in the rows read are numbers
    std::string example;   // the first non-empty value in the rows read
};

// The roles readCsvDataset would give the columns of a file with these
// options (explicit roles kept, the rest guessed), from the header and the
// first 1000 rows only, for a front end to show and let the user change.
// Returns false with *error on a problem found there (an unreadable file, a
// ragged row, no label columns, ...); *columns then holds the columns as far
// as they were guessed (empty when even the header could not be read).
bool guessCsvColumns(const std::string &path, const LoadOptions &options, std::vector<CsvColumn> *columns,
                     std::string *error);

// The options that load a file with exactly these roles (every column named:
// the text or features, the tasks, the split, the ignored ones; rationale
// columns keep their rationale_<task> names). separator stays 0.
LoadOptions columnOptions(const std::vector<CsvColumn> &columns);

} // namespace attnscope
