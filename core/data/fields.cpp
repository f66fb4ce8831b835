#include "data/fields.h"

#include "dataset.h"

#include "utf8.h"

#include <QChar>

#include <algorithm>
#include <charconv>
#include <cstdio>
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
    // Logical values, as spreadsheets and pandas write them: 1 and 0. The
    // longest is 5 letters: a longer cell, most often a number, is not
    // lower-cased.
    if (s.size() <= 5) {
        const std::string lower = asciiLower(s);
        if (lower == "true" || lower == "yes" || lower == "y") {
            *out = 1.0f;
            return FeatureValue::Number;
        }
        if (lower == "false" || lower == "no" || lower == "n") {
            *out = 0.0f;
            return FeatureValue::Number;
        }
    }
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

namespace {

// C0, DEL and C1 (tab, line feed and the other white-space ones among them).
bool isControl(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp < 0xA0); }

// "U+0008", for messages.
std::string codePointName(char32_t cp)
{
    char name[16];
    std::snprintf(name, sizeof name, "U+%04X", unsigned(cp));
    return name;
}

} // namespace

std::string controlCharacterNote(std::string_view text)
{
    int count = 0, at = -1, codePoint = 0;
    char32_t first = 0;
    for (size_t i = 0; i < text.size(); ++codePoint) {
        char32_t cp = 0;
        const int length = utf8::decode(text, i, &cp);
        if (length == 0) {
            // Malformed (the readers refuse such text before asking): skipped
            // as long as its first byte says, not a control character.
            const auto c = static_cast<unsigned char>(text[i]);
            i += c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            continue;
        }
        i += size_t(length);
        // C0, DEL and C1. Tab, line feed, vertical tab, form feed, carriage
        // return and U+0085 are white space; the tokenizer asks the same function.
        if (!isControl(cp) || QChar::isSpace(cp))
            continue;
        if (count++ == 0) {
            first = cp;
            at = codePoint;
        }
    }
    if (count == 0)
        return {};
    std::string note = "the text holds control character " + codePointName(first) + " at code point "
                       + std::to_string(at);
    if (count > 1)
        note += " (and " + std::to_string(count - 1) + " more)";
    return note + "; control characters are not white space: they stay inside their tokens (docs/datasets.md)";
}

std::string shownEscaped(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        char32_t cp = 0;
        const int length = utf8::decode(s, i, &cp);
        if (length == 0) {  // malformed: as it is (the readers refuse such text)
            out.push_back(s[i++]);
            continue;
        }
        if (isControl(cp)) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04X", unsigned(cp));
            out += escaped;
        } else {
            out.append(s.substr(i, size_t(length)));
        }
        i += size_t(length);
    }
    return out;
}

std::vector<std::string> rareClassNotes(const std::vector<TaskInfo> &tasks, const std::vector<Sample> &samples)
{
    std::vector<std::vector<int>> counts(tasks.size());
    for (size_t t = 0; t < tasks.size(); ++t) counts[t].assign(tasks[t].classes.size(), 0);
    for (const Sample &s : samples)
        for (size_t t = 0; t < s.labels.size(); ++t)
            if (s.labels[t] >= 0) ++counts[t][size_t(s.labels[t])];
    std::vector<std::string> notes;
    for (size_t t = 0; t < tasks.size(); ++t)
        for (size_t k = 0; k < counts[t].size(); ++k)
            if (counts[t][k] < 2)
                notes.push_back("class " + inQuotes(shownEscaped(tasks[t].classes[k])) + " of task "
                                + inQuotes(tasks[t].name) + " has only " + std::to_string(counts[t][k]) + " sample");
    return notes;
}

std::vector<std::string> classNameNotes(const TaskInfo &task)
{
    std::vector<std::string> notes;
    const std::string of = " of task " + inQuotes(shownEscaped(task.name));
    // A class's key: without control characters and the blanks around, in lower case.
    std::vector<std::pair<std::string, size_t>> keys;
    for (size_t k = 0; k < task.classes.size(); ++k) {
        const std::string &name = task.classes[k];
        std::string plain;
        char32_t control = 0;  // the first one
        for (size_t i = 0; i < name.size();) {
            char32_t cp = 0;
            const int length = utf8::decode(name, i, &cp);
            const size_t n = length == 0 ? 1 : size_t(length);
            if (length != 0 && isControl(cp)) {
                if (control == 0) control = cp;
            } else {
                plain.append(name, i, n);
            }
            i += n;
        }
        keys.emplace_back(asciiLower(trimBlanks(plain)), k);
        if (control != 0)
            notes.push_back("class " + inQuotes(shownEscaped(name)) + of + " holds control character "
                            + codePointName(control)
                            + ": it is a class of its own (a label is its cell's text exactly; docs/datasets.md)");
    }
    std::stable_sort(keys.begin(), keys.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    for (size_t a = 0; a < keys.size();) {
        size_t b = a + 1;
        while (b < keys.size() && keys[b].first == keys[a].first) ++b;
        if (b - a > 1) {
            std::string names;
            for (size_t i = a; i < b; ++i)
                names += (i == a ? "" : i + 1 == b ? " and " : ", ") + inQuotes(shownEscaped(task.classes[keys[i].second]));
            notes.push_back("classes " + names + of
                            + " differ only in case, blanks around them or control characters: each is a class of its "
                              "own (a label is its cell's text exactly; docs/datasets.md)");
        }
        a = b;
    }
    return notes;
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
