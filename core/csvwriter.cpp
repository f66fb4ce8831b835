#include "csvwriter.h"

namespace attnscope {

std::string csvQuote(std::string_view text, CsvQuoting quoting)
{
    if (quoting == CsvQuoting::WhenNeeded && text.find_first_of(",\"\r\n") == std::string_view::npos)
        return std::string(text);
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    for (char c : text) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
    return out;
}

} // namespace attnscope
