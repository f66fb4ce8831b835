// Loading a dataset: what a spec names (a built-in generator, a CSV or TSV
// file, a JSON Lines file), the column options of CSV and TSV files, and the
// one loadDataset that every front end calls. The readers are in this folder:
// jsonl.h, csvreader.h (with csvparser.h and columnroles.h) and builtins.h;
// docs/datasets.md describes the formats.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace attnscope {

struct Dataset;

// A load's progress: called with the fraction of the file read so far (0
// to 1) every megabyte or few while a file is read, and with 1 at the end.
// Returning false stops the load, which then fails with "<file>: load
// cancelled" and leaves *out as it was (the value returned with 1 is not
// looked at: the load is done).
using LoadProgress = std::function<bool(double)>;

// The longest line (JSON Lines) or row (CSV, TSV) a reader takes, in bytes,
// and the most fields a CSV or TSV row may have: a longer one is refused
// ("<file>:<line>: line longer than 64 MB"), so that a file without line
// breaks (zero bytes, a binary file) or a runaway quoted field is not read
// into memory whole. 65536 fields of 32 bytes of bookkeeping each keep a
// row's memory near its size (64 MB of separators would be 2 GB of fields).
// A JSON Lines line holds at most MaxJsonValues JSON values (numbers,
// strings, ..., counted at every depth), for the same reason.
constexpr size_t MaxLineBytes = size_t(64) << 20;
constexpr size_t MaxFields = size_t(1) << 16;
constexpr size_t MaxJsonValues = size_t(1) << 20;

// What a spec names: "builtin:NAME[?k=v&...]" a generator; a file name
// ending in .csv (CSV), .tsv or .tab (TSV), in any case; a .txt file by its
// first line, the only case that opens the file ('{' JSON Lines, a tab TSV,
// a comma CSV); any other name a JSON Lines file, whose first line says soon
// enough if it is not one. The only place that decides by the file name: the
// loader, the CSV reader's separator and the window's column table ask here.
enum class DataFormat { Builtin, JsonLines, Csv, Tsv };
DataFormat datasetFormat(const std::string &spec);

// How to read a file's columns (CSV/TSV; see docs/datasets.md). Empty fields
// are guessed from the column names and contents; the GUI and the CLI's
// --text-column, --feature-columns, --task-columns and --split-column fill it.
struct LoadOptions {
    std::string textColumn;                  // text data: the column with the text
    std::vector<std::string> featureColumns; // tabular data: numeric columns, in this order
    std::vector<std::string> taskColumns;    // label columns, one task each
    std::string splitColumn;                 // train / val / test per row
    std::vector<std::string> ignoredColumns; // no role, not even one their name suggests (split, rationale_*)
    char separator = 0;                      // 0: ',' ('\t' for .tsv and .tab files)
    // Whom the readers' advice is for: a message that says how to give a
    // column a role names the command line's options or the window's column
    // table. Not an option: empty() does not look at it.
    enum class Advice { CommandLine, ColumnTable } advice = Advice::CommandLine;

    // Of a message's two wordings, the one for this front end (the readers
    // and the column guess ask here).
    std::string advise(const char *commandLine, const char *columnTable) const
    {
        return advice == Advice::ColumnTable ? columnTable : commandLine;
    }

    bool empty() const
    {
        return textColumn.empty() && featureColumns.empty() && taskColumns.empty()
            && splitColumn.empty() && ignoredColumns.empty() && separator == 0;
    }
};

// Loads "builtin:NAME[?k=v&...]" or a file, by datasetFormat (a separator
// in the options makes any file CSV). Options other than the defaults apply
// to CSV/TSV files only; for other sources they are an error. A file must be
// a regular one before any reader runs (a device or FIFO such as /dev/zero
// could be endless, or block forever). All or nothing: on failure returns
// false, sets *error to "<file>:<line>: <what>" and leaves *out as it was.
bool loadDataset(const std::string &spec, const LoadOptions &options, Dataset *out, std::string *error,
                 const LoadProgress &progress = {});
// The same with the default options.
bool loadDataset(const std::string &spec, Dataset *out, std::string *error, const LoadProgress &progress = {});

} // namespace attnscope
