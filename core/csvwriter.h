// Writing CSV (RFC 4180, what CsvParser reads): the one way a field is
// quoted, for every CSV the project writes (attnscope-cli train --metrics,
// the workbench's curves, the attention views' exports). Names come from the
// data and may hold commas, quotes and line breaks.
#pragma once

#include <string>
#include <string_view>

namespace attnscope {

enum class CsvQuoting {
    Always,      // every field in quotes (names and tokens in the attention exports)
    WhenNeeded,  // only a field with a comma, quote, CR or LF (column names in a header)
};

// `text` as one CSV field: in double quotes, each quote inside doubled.
std::string csvQuote(std::string_view text, CsvQuoting quoting = CsvQuoting::Always);

} // namespace attnscope
