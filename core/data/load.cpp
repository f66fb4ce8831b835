// loadDataset: the checks every source shares, then the reader datasetFormat
// names. Only CSV and TSV take column options.
#include "data/load.h"

#include "data/builtins.h"
#include "data/csvreader.h"
#include "data/jsonl.h"
#include "dataset.h"
#include "fileutil.h"

#include <QFileInfo>

namespace attnscope {

DataFormat datasetFormat(const std::string &spec)
{
    if (spec.rfind("builtin:", 0) == 0) return DataFormat::Builtin;
    const std::string suffix = QFileInfo(QString::fromStdString(spec)).suffix().toLower().toStdString();
    if (suffix == "csv") return DataFormat::Csv;
    if (suffix == "tsv" || suffix == "tab") return DataFormat::Tsv;
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
    return readJsonlDataset(spec, out, error, progress);
}

bool loadDataset(const std::string &spec, Dataset *out, std::string *error, const LoadProgress &progress)
{
    return loadDataset(spec, LoadOptions(), out, error, progress);
}

} // namespace attnscope
