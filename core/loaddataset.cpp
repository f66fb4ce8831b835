// loadDataset with column options: CSV/TSV files go to the CSV reader with
// them; everything else to loadDataset(spec), which takes no options. A file
// must be a regular one before any reader runs (a device or FIFO such as
// /dev/zero could be endless, or block forever).
#include "builtins.h"
#include "csvreader.h"
#include "dataset.h"
#include "fileutil.h"

#include <QFileInfo>

namespace attnscope {

namespace {

bool isCsv(const std::string &spec, const LoadOptions &options)
{
    const std::string suffix = QFileInfo(QString::fromStdString(spec)).suffix().toLower().toStdString();
    return options.separator != 0 || suffix == "csv" || suffix == "tsv" || suffix == "tab";
}

} // namespace

bool loadDataset(const std::string &spec, const LoadOptions &options, Dataset *out, std::string *error,
                 const LoadProgress &progress)
{
    const bool builtin = spec.rfind("builtin:", 0) == 0;
    if (builtin && isExtraBuiltin(spec)) {
        if (!options.empty()) {
            if (error) *error = spec + ": column options apply to CSV and TSV files only";
            return false;
        }
        Dataset data;
        if (!loadExtraBuiltin(spec, &data, error)) return false;
        if (progress) progress(1.0);
        *out = std::move(data);
        return true;
    }
    if (const std::string problem = builtin ? std::string() : notRegularFile(spec); !problem.empty()) {
        if (error) *error = problem;
        return false;
    }
    if (!builtin && !spec.empty() && isCsv(spec, options)) {
        const QFileInfo info(QString::fromStdString(spec));
        if (!info.exists()) {
            if (error) *error = spec + ": no such file";
            return false;
        }
        return readCsvDataset(spec, options, out, error, progress);
    }
    if (!options.empty()) {
        if (error) *error = spec + ": column options (text, feature, task and split columns) apply to CSV and TSV files only";
        return false;
    }
    return loadDataset(spec, out, error, progress);
}

} // namespace attnscope
