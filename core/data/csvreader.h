// CSV and TSV datasets (RFC 4180) with a header row: the reader that turns
// the records of csvparser.h into a Dataset by the column roles of
// columnroles.h (text, features, labels, split, rationales), and what a front
// end needs to show those roles and let the user change them.
// docs/datasets.md describes the format, the role guessing and the rationale
// spans.
#pragma once

#include "data/columnroles.h"
#include "data/load.h"

#include <string>
#include <vector>

namespace attnscope {

// Reads a CSV/TSV file into *out (all or nothing). Errors are
// "<file>:<line>: <what>" and name the column where one applies.
bool readCsvDataset(const std::string &path, const LoadOptions &options, Dataset *out,
                    std::string *error, const LoadProgress &progress = {});

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
