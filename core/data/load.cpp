// loadDataset: the checks every source shares, then the reader datasetFormat
// names. Only CSV and TSV take column options.
#include "data/load.h"

#include "data/builtins.h"
#include "data/csvreader.h"
#include "data/jsonl.h"
#include "dataset.h"
#include "fileutil.h"

#include <QFileInfo>

#include <algorithm>
#include <fstream>

namespace attnscope {

namespace {

// A .txt file's format from its first line (at most 64 KiB of it): JSON
// Lines when it starts with '{', TSV when it holds a tab, CSV when it
// holds a comma; JSON Lines otherwise (its reader then says why not).
// Only a regular file is opened (a FIFO would block).
DataFormat sniffTxt(const std::string &path)
{
    if (!notRegularFile(path).empty()) return DataFormat::JsonLines;
    std::ifstream in(path, std::ios::binary);
    std::string line(65536, '\0');
    in.read(line.data(), std::streamsize(line.size()));
    line.resize(size_t(in.gcount()));
    if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a byte order mark
    // Empty lines before the first one are skipped, as both readers skip them
    // (a CSV file that began with one was read as JSON Lines).
    line.erase(0, std::min(line.find_first_not_of("\r\n"), line.size()));
    line = line.substr(0, line.find_first_of("\r\n"));
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '{') return DataFormat::JsonLines;
    if (line.find('\t') != std::string::npos) return DataFormat::Tsv;
    if (line.find(',') != std::string::npos) return DataFormat::Csv;
    return DataFormat::JsonLines;
}

bool isTxt(const std::string &spec)
{
    return QFileInfo(QString::fromStdString(spec)).suffix().toLower() == QLatin1String("txt");
}

} // namespace

// By the name alone, but for a .txt file: its first line decides (sniffTxt;
// docs/datasets.md has the rule).
DataFormat datasetFormat(const std::string &spec)
{
    if (spec.rfind("builtin:", 0) == 0) return DataFormat::Builtin;
    const std::string suffix = QFileInfo(QString::fromStdString(spec)).suffix().toLower().toStdString();
    if (suffix == "csv") return DataFormat::Csv;
    if (suffix == "tsv" || suffix == "tab") return DataFormat::Tsv;
    if (suffix == "txt") return sniffTxt(spec);
    return DataFormat::JsonLines;
}

bool loadDataset(const std::string &spec, const LoadOptions &options, Dataset *out, std::string *error,
                 const LoadProgress &progress)
{
    auto fail = [&](std::string what) {
        if (error) *error = std::move(what);
        return false;
    };
    const char *const notCsv = ": column options (text, feature, task and split columns) apply to CSV and TSV files only";
    const DataFormat format = datasetFormat(spec);
    if (format == DataFormat::Builtin) {
        if (!options.empty()) return fail(spec + notCsv);
        Dataset data;
        if (!loadBuiltin(spec, &data, error)) return false;
        if (progress) progress(1.0);
        *out = std::move(data);
        return true;
    }
    if (spec.empty()) return fail("no data file given");
    const QFileInfo info(QString::fromStdString(spec));
    if (!info.exists()) return fail(spec + ": no such file");
    if (info.isDir()) return fail(spec + ": is a directory, not a data file");
    if (std::string problem = notRegularFile(spec); !problem.empty()) return fail(std::move(problem));
    if (format == DataFormat::Csv || format == DataFormat::Tsv || options.separator != 0)
        return readCsvDataset(spec, options, out, error, progress);
    if (!options.empty()) return fail(spec + notCsv);
    if (!readJsonlDataset(spec, out, error, progress)) {
        if (error && isTxt(spec))
            *error += " (a .txt file is read as JSON Lines unless its first line holds tabs, TSV, or commas, CSV; "
                      "or name it .csv, .tsv or .tab)";
        return false;
    }
    return true;
}

bool loadDataset(const std::string &spec, Dataset *out, std::string *error, const LoadProgress &progress)
{
    return loadDataset(spec, LoadOptions(), out, error, progress);
}

} // namespace attnscope
