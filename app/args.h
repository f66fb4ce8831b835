// A small command-line parser shared by the attnscope programs: long options
// (--name VALUE or --name=VALUE), flags, repeatable options, strictly parsed
// numbers with ranges, and a generated --help. Every mistake is reported as a
// UsageError whose message names the option and what was wrong; the programs
// print it and exit with code 2.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace attnscope {

// Exit codes of the command-line programs.
enum ExitCode { ExitOk = 0, ExitFailure = 1, ExitUsage = 2 };

// Something the user typed wrong (exit code 2).
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Strict value parsers: the whole text must be a decimal number (an optional
// '+', no white space, no trailing characters, no hex such as 0x10, whatever
// the locale); doubles must be finite (no inf, no nan).
bool parseInteger(const std::string &text, int64_t *out);
bool parseUnsigned(const std::string &text, uint64_t *out);
bool parseNumber(const std::string &text, double *out);

class ArgParser {
public:
    // command: how the user calls it ("attnscope-cli train"); synopsis: the
    // usage line after the command; description: a paragraph for --help.
    ArgParser(std::string command, std::string synopsis, std::string description);

    // An option taking a value. defaultText (if any) is shown by --help.
    void addOption(const std::string &name, const std::string &valueName, const std::string &help,
                   const std::string &defaultText = {}, bool repeatable = false);
    // An option without a value.
    void addFlag(const std::string &name, const std::string &help);

    // Parses the arguments after the command. False when --help (or -h) was
    // given: the caller prints help() and exits 0. Throws UsageError.
    bool parse(const std::vector<std::string> &args);
    std::string help() const;
    const std::string &command() const { return m_command; }

    // Whether an option of this name was registered (addOption, addFlag).
    bool has(const std::string &name) const { return find(name) != nullptr; }
    bool isSet(const std::string &name) const;
    // The value of an option (the last one for repeatable options) or fallback.
    std::string string(const std::string &name, const std::string &fallback = {}) const;
    // Every value of a repeatable option, in order.
    std::vector<std::string> strings(const std::string &name) const;
    // The value; UsageError when the option was not given.
    std::string required(const std::string &name) const;
    int64_t integer(const std::string &name, int64_t fallback, int64_t min, int64_t max) const;
    uint64_t unsignedInteger(const std::string &name, uint64_t fallback) const;
    // A finite number in [min, max].
    double number(const std::string &name, double fallback, double min, double max) const;
    std::string choice(const std::string &name, const std::string &fallback,
                       const std::vector<std::string> &choices) const;
    // UsageError when both options are given.
    void exclusive(const std::string &a, const std::string &b) const;

    // Throws UsageError("<command>: --<name>: <what>").
    [[noreturn]] void fail(const std::string &name, const std::string &what) const;

private:
    struct Option {
        std::string name, valueName, help, defaultText;
        bool takesValue = true;
        bool repeatable = false;
    };
    const Option *find(const std::string &name) const;

    std::string m_command, m_synopsis, m_description;
    std::vector<Option> m_options;
    std::map<std::string, std::vector<std::string>> m_values;  // flags hold one empty value
};

} // namespace attnscope
