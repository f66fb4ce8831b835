// The roles of a CSV or TSV file's columns: which one holds the text, which
// the numeric features, the tasks' labels, the split and the rationales
// (docs/datasets.md, "Column roles"). Roles the options name are kept, the
// rest are guessed from the column names and the first rows. guessRoles is a
// pure function of the header, those rows and the options, so that each rule
// can be tested alone (tests/test_csvcolumns.cpp); the CSV reader
// (csvreader.h) reads the rows and turns the roles into a dataset.
#pragma once

#include "data/load.h"

#include <string>
#include <vector>

namespace attnscope {

enum class ColumnRole { Ignored, Text, Feature, Task, Split, Rationale };
const char *toString(ColumnRole role);

struct ColumnRoles {
    // Per column. Empty when the options cannot be applied (they name a
    // column that is not there, or one column twice): nothing was guessed.
    std::vector<ColumnRole> roles;
    int text = -1;                // the text column; -1: the data is tabular
    int split = -1;               // -1: none
    std::vector<int> features;    // in the options' order, or the columns'
    std::vector<int> tasks;       // in task order: the byte order of their names
    std::vector<int> rationales;  // per task (as tasks): its rationale column, -1 none
    // Columns left out where the user may not expect it, a sentence each
    // ("column 1 "id" looks like a row index and is ignored"): the
    // reader's warnings, after "<file>:<header line>: ".
    std::vector<std::string> ignored;
    // Why the file cannot be loaded with these roles; empty when it can.
    // Columns are named as 'column 3 ("label")'. errorAtHeader: the message
    // is about the header row (the reader puts "<file>:<line>: " in front);
    // false: about the options alone ("<file>: ").
    std::string error;
    bool errorAtHeader = true;
};

// The roles of the columns named by header, given rows (the first rows of
// the file, each as long as the header) and the options.
ColumnRoles guessRoles(const std::vector<std::string> &header, const std::vector<std::vector<std::string>> &rows,
                       const LoadOptions &options);

// Whether column c of rows holds numbers: at least 80 % of its present
// values are (parseFeatureValue), so that a typo in a numeric column is
// reported rather than turning the column into a label with hundreds of
// classes. A column with no present value is numeric.
bool isNumericColumn(const std::vector<std::vector<std::string>> &rows, size_t c);

} // namespace attnscope
