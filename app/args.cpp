#include "args.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

namespace attnscope {

// Decimal only, in every parser: std::from_chars reads no "0x" prefix, no
// leading blank and, unlike strtod, does not follow LC_NUMERIC (the window
// runs under a QApplication, which sets the locale from the environment).
// A leading '+' is allowed, as people write it.
namespace {

template <class T>
bool parseWhole(const std::string &text, T *out)
{
    const char *begin = text.data(), *end = begin + text.size();
    if (begin != end && *begin == '+' && ++begin != end && *begin == '-')
        return false;  // "+-1"
    const auto [ptr, ec] = std::from_chars(begin, end, *out);
    return begin != end && ec == std::errc() && ptr == end;
}

} // namespace

bool parseInteger(const std::string &text, int64_t *out)
{
    return parseWhole(text, out);
}

bool parseUnsigned(const std::string &text, uint64_t *out)
{
    return parseWhole(text, out);
}

bool parseNumber(const std::string &text, double *out)
{
    // chars_format::general: 0.5, .5, 5., 5e-3; never hex floats. "inf" and
    // "nan" parse, and are refused as not finite; an overflow is an error.
    double value = 0;
    if (!parseWhole(text, &value) || !std::isfinite(value))
        return false;
    *out = value;
    return true;
}

ArgParser::ArgParser(std::string command, std::string synopsis, std::string description)
    : m_command(std::move(command)), m_synopsis(std::move(synopsis)),
      m_description(std::move(description))
{
}

void ArgParser::addOption(const std::string &name, const std::string &valueName,
                          const std::string &help, const std::string &defaultText, bool repeatable)
{
    m_options.push_back({name, valueName, help, defaultText, true, repeatable});
}

void ArgParser::addFlag(const std::string &name, const std::string &help)
{
    m_options.push_back({name, {}, help, {}, false, false});
}

const ArgParser::Option *ArgParser::find(const std::string &name) const
{
    for (const Option &option : m_options)
        if (option.name == name)
            return &option;
    return nullptr;
}

bool ArgParser::parse(const std::vector<std::string> &args)
{
    m_values.clear();
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (arg == "--help" || arg == "-h")
            return false;
        if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
            if (!arg.empty() && arg[0] == '-')
                throw UsageError(m_command + ": unknown option '" + arg + "' (see " + m_command + " --help)");
            throw UsageError(m_command + ": unexpected argument '" + arg + "' (see " + m_command + " --help)");
        }
        std::string name = arg.substr(2), value;
        bool inlineValue = false;
        if (const size_t eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name.resize(eq);
            inlineValue = true;
        }
        const Option *option = find(name);
        if (!option)
            throw UsageError(m_command + ": unknown option '--" + name + "' (see " + m_command + " --help)");
        if (!option->takesValue && inlineValue)
            fail(name, "takes no value");
        if (option->takesValue && !inlineValue) {
            // A following option means the value was forgotten.
            if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)
                fail(name, "needs a value (" + option->valueName + ")");
            value = args[++i];
        }
        std::vector<std::string> &values = m_values[name];
        if (!values.empty() && !option->repeatable)
            fail(name, "given more than once");
        values.push_back(value);
    }
    return true;
}

std::string ArgParser::help() const
{
    std::ostringstream out;
    out << "Usage: " << m_command << ' ' << m_synopsis << "\n\n" << m_description << "\n\nOptions:\n";
    std::vector<std::string> left;
    size_t width = 0;
    for (const Option &option : m_options) {
        left.push_back("--" + option.name + (option.takesValue ? ' ' + option.valueName : std::string()));
        width = std::max(width, left.back().size());
    }
    left.push_back("--help");
    for (size_t i = 0; i < m_options.size(); ++i) {
        const Option &option = m_options[i];
        // A help of several lines goes on under its first, not at the margin.
        std::string help = option.help;
        for (size_t at = help.find('\n'); at != std::string::npos; at = help.find('\n', at + 1))
            help.insert(at + 1, width + 4, ' ');
        out << "  " << left[i] << std::string(width - left[i].size() + 2, ' ') << help;
        if (!option.defaultText.empty())
            out << " (default " << option.defaultText << ')';
        if (option.repeatable)
            out << " (repeatable)";
        out << '\n';
    }
    out << "  " << left.back() << std::string(width > 6 ? width - 6 + 2 : 2, ' ') << "show this help\n";
    return out.str();
}

bool ArgParser::isSet(const std::string &name) const
{
    return m_values.count(name) > 0;
}

std::string ArgParser::string(const std::string &name, const std::string &fallback) const
{
    const auto it = m_values.find(name);
    return it == m_values.end() ? fallback : it->second.back();
}

std::vector<std::string> ArgParser::strings(const std::string &name) const
{
    const auto it = m_values.find(name);
    return it == m_values.end() ? std::vector<std::string>() : it->second;
}

std::string ArgParser::required(const std::string &name) const
{
    if (!isSet(name))
        throw UsageError(m_command + ": --" + name + " is required (see " + m_command + " --help)");
    return string(name);
}

int64_t ArgParser::integer(const std::string &name, int64_t fallback, int64_t min, int64_t max) const
{
    if (!isSet(name))
        return fallback;
    const std::string text = string(name);
    int64_t value = 0;
    if (!parseInteger(text, &value))
        fail(name, "'" + text + "' is not a decimal integer");
    if (value < min || value > max)
        fail(name, text + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    return value;
}

uint64_t ArgParser::unsignedInteger(const std::string &name, uint64_t fallback) const
{
    if (!isSet(name))
        return fallback;
    const std::string text = string(name);
    uint64_t value = 0;
    if (!parseUnsigned(text, &value))
        fail(name, "'" + text + "' is not a non-negative decimal integer");
    return value;
}

double ArgParser::number(const std::string &name, double fallback, double min, double max) const
{
    if (!isSet(name))
        return fallback;
    const std::string text = string(name);
    double value = 0;
    if (!parseNumber(text, &value))
        fail(name, "'" + text + "' is not a finite decimal number");
    if (value < min || value > max) {
        std::ostringstream range;
        range << text << " is out of range [" << min << ", " << max << "]";
        fail(name, range.str());
    }
    return value;
}

std::string ArgParser::choice(const std::string &name, const std::string &fallback,
                              const std::vector<std::string> &choices) const
{
    if (!isSet(name))
        return fallback;
    const std::string text = string(name);
    std::string list;
    for (const std::string &c : choices) {
        if (c == text)
            return text;
        list += (list.empty() ? "" : ", ") + c;
    }
    fail(name, "'" + text + "' is not one of " + list);
}

void ArgParser::exclusive(const std::string &a, const std::string &b) const
{
    if (isSet(a) && isSet(b))
        throw UsageError(m_command + ": --" + a + " and --" + b + " cannot be used together");
}

void ArgParser::fail(const std::string &name, const std::string &what) const
{
    throw UsageError(m_command + ": --" + name + ": " + what);
}

} // namespace attnscope
