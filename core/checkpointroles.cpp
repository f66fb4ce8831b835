#include "checkpointroles.h"

#include "data/csvreader.h"

#include <algorithm>
#include <iterator>
#include <vector>

namespace attnscope {

LoadOptions checkpointRoles(const LoadOptions &given, const Model &model, const std::string &spec)
{
    const DataFormat format = datasetFormat(spec);
    if (format != DataFormat::Csv && format != DataFormat::Tsv)
        return given;
    // The checkpoint's roles for the columns this file has: a held-out file
    // may lack a label column (attention needs none).
    std::vector<CsvColumn> columns;
    std::string unused;
    LoadOptions separator;
    separator.separator = given.separator;
    guessCsvColumns(spec, separator, &columns, &unused);
    const auto has = [&](const std::string &name) {
        return std::any_of(columns.begin(), columns.end(), [&](const CsvColumn &c) { return c.name == name; });
    };
    // A column given a role leaves the roles the checkpoint gave it.
    std::vector<std::string> named = given.featureColumns;
    named.insert(named.end(), given.taskColumns.begin(), given.taskColumns.end());
    named.insert(named.end(), given.ignoredColumns.begin(), given.ignoredColumns.end());
    for (const std::string &one : {given.textColumn, given.splitColumn})
        if (!one.empty()) named.push_back(one);
    const auto unclaimed = [&](const std::string &name) {
        return has(name) && std::find(named.begin(), named.end(), name) == named.end();
    };
    LoadOptions options = given;
    // The text and the features exclude each other: either one given replaces both.
    if (given.textColumn.empty() && given.featureColumns.empty()) {
        if (!model.textColumn.empty() && unclaimed(model.textColumn))
            options.textColumn = model.textColumn;
        if (std::all_of(model.features.begin(), model.features.end(), has))
            std::copy_if(model.features.begin(), model.features.end(), std::back_inserter(options.featureColumns),
                         unclaimed);
    }
    if (given.taskColumns.empty())
        for (const TaskInfo &task : model.tasks)
            if (unclaimed(task.name))
                options.taskColumns.push_back(task.name);
    return options;
}

} // namespace attnscope
