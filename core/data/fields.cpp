#include "data/fields.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>

namespace attnscope {

FeatureValue parseFeatureValue(std::string_view text, float *out)
{
    *out = std::numeric_limits<float>::quiet_NaN();
    std::string_view s = trimBlanks(text);
    if (s.empty() || s == "nan" || s == "NaN" || s == "NAN" || s == "NA" || s == "N/A" || s == "null")
        return FeatureValue::Missing;
    if (s.front() == '+') {
        s.remove_prefix(1);
        if (s.empty() || s.front() == '-') return FeatureValue::NotANumber; // "+", "+-1"
    }
    // from_chars: locale-independent, decimal only (no 0x), whole text.
    double v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec == std::errc::result_out_of_range) return FeatureValue::OutOfRange;
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return FeatureValue::NotANumber;
    if (std::isnan(v)) return FeatureValue::Missing; // another spelling from_chars reads ("-nan")
    if (!std::isfinite(float(v))) return FeatureValue::OutOfRange; // inf, or beyond float32
    *out = float(v);
    return FeatureValue::Number;
}

int splitIndex(std::string_view name)
{
    if (name == "train") return 0;
    if (name == "val" || name == "valid" || name == "validation" || name == "dev") return 1;
    if (name == "test") return 2;
    return -1;
}

std::string spanProblem(int64_t a, int64_t b, int length, const std::string &shown, const std::string &task)
{
    if (a > b) return "rationale span " + shown + " of task " + inQuotes(task) + " starts after its end";
    if (a < 0 || b > length)
        return "rationale span " + shown + " of task " + inQuotes(task) + " is outside the text ("
               + std::to_string(length) + " code points)";
    return {};
}

TaskInfo taskInByteOrder(const std::string &name, const std::vector<std::string> &classes, std::vector<int> *remap)
{
    std::vector<int> order(classes.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return classes[size_t(a)] < classes[size_t(b)]; });
    TaskInfo task;
    task.name = name;
    remap->resize(classes.size());
    for (size_t k = 0; k < order.size(); ++k) {
        (*remap)[size_t(order[k])] = int(k);
        task.classes.push_back(classes[size_t(order[k])]);
    }
    return task;
}

std::string inQuotes(std::string_view s)
{
    std::string out;
    out.reserve(s.size() + 2);
    out.push_back('"');
    out.append(s);
    out.push_back('"');
    return out;
}

std::string_view trimBlanks(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string asciiLower(std::string_view s)
{
    std::string out(s);
    for (char &c : out)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return out;
}

} // namespace attnscope
