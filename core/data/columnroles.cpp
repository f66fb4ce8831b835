// The column role guesser. Its steps, in order: the roles the options name;
// the roles names give (split, rationale_<task>, row indexes); then the
// input (a text column, else numeric features) and the tasks among the
// columns left; last, each rationale column finds its task.
#include "data/columnroles.h"

#include "data/fields.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

namespace attnscope {

namespace {

// Names a text column is recognised by, and label columns (also the
// prefixes label_, target_, task_); names of row indexes, which are ignored.
const std::set<std::string> TextNames = {"text", "sentence", "review", "comment", "content", "document",
                                         "body", "message", "tweet", "review_text", "utterance"};
const std::set<std::string> LabelNames = {"label", "labels", "target", "class", "y", "category"};
const std::set<std::string> IgnoredNames = {"", "id", "index", "unnamed: 0"};

bool looksLikeLabel(const std::string &name)
{
    const std::string l = asciiLower(name);
    return LabelNames.count(l) || l.rfind("label_", 0) == 0 || l.rfind("target_", 0) == 0
        || l.rfind("task_", 0) == 0;
}

// The number of blank-separated words of s.
int wordCount(std::string_view s)
{
    int words = 0;
    bool inWord = false;
    for (const char ch : s) {
        const bool space = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
        if (!space && !inWord) ++words;
        inWord = !space;
    }
    return words;
}

// The mean number of blank-separated words of column c's non-empty values.
double meanWords(const std::vector<std::vector<std::string>> &rows, size_t c)
{
    double words = 0;
    int present = 0;
    for (const auto &row : rows) {
        const std::string &s = row[c];
        if (s.empty()) continue;
        ++present;
        words += wordCount(s);
    }
    return present ? words / present : 0.0;
}

// Whether s is a logical value as parseFeatureValue reads it (true/false,
// yes/no, y/n in any case), not a number.
bool isLogicalWord(std::string_view s)
{
    s = trimBlanks(s);
    if (s.size() > 5) return false;
    const std::string l = asciiLower(s);
    return l == "true" || l == "false" || l == "yes" || l == "no" || l == "y" || l == "n";
}

class RoleGuesser {
public:
    RoleGuesser(const std::vector<std::string> &header, const std::vector<std::vector<std::string>> &rows,
                const LoadOptions &options)
        : m_header(header), m_rows(rows), m_options(options), m_role(header.size()), m_numeric(header.size(), -1)
    {
    }

    ColumnRoles guess();

private:
    bool fail(std::string what)
    {
        m_out.error = std::move(what);
        return false;
    }
    std::string column(int c) const
    {
        return "column " + std::to_string(c + 1) + " (" + inQuotes(m_header[size_t(c)]) + ")";
    }
    void ignore(int c, const char *why) { m_out.ignored.push_back(column(c) + " is ignored (" + why + ")"); }
    bool free(int c) const { return !m_role[size_t(c)]; }
    bool numeric(int c)
    {
        signed char &n = m_numeric[size_t(c)];
        if (n < 0) n = isNumericColumn(m_rows, size_t(c)) ? 1 : 0;
        return n == 1;
    }

    bool applyOptions();
    bool take(const std::string &name, const char *option, ColumnRole role, int *out);
    void rolesByName();
    void guessInputAndTasks();
    bool unlikelyTask(int c);
    bool logical(int c) const;
    int guessText(const std::vector<int> &columns);
    bool matchRationales();

    const std::vector<std::string> &m_header;
    const std::vector<std::vector<std::string>> &m_rows;
    const LoadOptions &m_options;
    // Per column while guessing: no value yet (its role is to be guessed),
    // or the role it was given (Ignored: left out, whatever it looks like).
    std::vector<std::optional<ColumnRole>> m_role;
    std::vector<signed char> m_numeric;                // numeric(c), -1: not looked at yet
    std::vector<int> m_free;                           // columns left to guess, in order
    std::vector<int> m_tasks;                          // task columns, in column order until sorted
    std::vector<std::pair<std::string, int>> m_byName; // rationale columns: (task name, column)
    std::string m_unlikelyTasks;                       // the columns unlikelyTask left out, named, and why
    ColumnRoles m_out;
};

ColumnRoles RoleGuesser::guess()
{
    if (!applyOptions()) return std::move(m_out);
    rolesByName();
    guessInputAndTasks();

    // The roles as decided, reported even when a check below fails.
    m_out.roles.assign(m_header.size(), ColumnRole::Ignored);
    auto set = [&](int c, ColumnRole r) { m_out.roles[size_t(c)] = r; };
    if (m_out.text >= 0) set(m_out.text, ColumnRole::Text);
    for (int c : m_out.features) set(c, ColumnRole::Feature);
    for (int c : m_tasks) set(c, ColumnRole::Task);
    if (m_out.split >= 0) set(m_out.split, ColumnRole::Split);
    for (const auto &rc : m_byName) set(rc.second, ColumnRole::Rationale);

    if (m_out.text < 0 && m_out.features.empty()) {
        fail("no input columns: no text column (a column named \"text\", or one holding sentences) and no "
             "numeric feature columns; "
             + m_options.advise("name them with --text-column or --feature-columns",
                                "give a column the text role, or columns the feature role, in the column table"));
        return std::move(m_out);
    }
    if (m_tasks.empty()) {
        const std::string hint = !m_unlikelyTasks.empty() ? "the columns left do not look like labels: " + m_unlikelyTasks
                                 : m_out.text >= 0       ? "every other column has another role"
                                                         : "every column is numeric, so all were taken as features";
        fail("no label columns (" + hint + "); "
             + m_options.advise("name them with --task-columns, or call them label_<task>",
                                "give columns the task role in the column table, or call them label_<task>"));
        return std::move(m_out);
    }
    std::sort(m_tasks.begin(), m_tasks.end(),
              [&](int a, int b) { return m_header[size_t(a)] < m_header[size_t(b)]; });
    m_out.tasks = m_tasks;
    matchRationales();
    return std::move(m_out);
}

// The roles the options name, each column at most one (a column may be
// ignored twice).
bool RoleGuesser::applyOptions()
{
    const LoadOptions &o = m_options;
    if (!o.textColumn.empty() && !o.featureColumns.empty()) {
        m_out.errorAtHeader = false;
        return fail("give either a text column or feature columns, not both");
    }
    if (!o.textColumn.empty() && !take(o.textColumn, "text column", ColumnRole::Text, &m_out.text)) return false;
    for (const std::string &name : o.featureColumns) {
        int c;
        if (!take(name, "feature column", ColumnRole::Feature, &c)) return false;
        m_out.features.push_back(c);
    }
    for (const std::string &name : o.taskColumns) {
        int c;
        if (!take(name, "task column", ColumnRole::Task, &c)) return false;
        m_tasks.push_back(c);
    }
    if (!o.splitColumn.empty() && !take(o.splitColumn, "split column", ColumnRole::Split, &m_out.split)) return false;
    for (const std::string &name : o.ignoredColumns) {
        int c;
        if (!take(name, "ignored column", ColumnRole::Ignored, &c)) return false;
    }
    return true;
}

// The first column called name gets the role; option names the option in messages.
bool RoleGuesser::take(const std::string &name, const char *option, ColumnRole role, int *out)
{
    const auto it = std::find(m_header.begin(), m_header.end(), name);
    if (it == m_header.end()) {
        std::string names;
        for (const std::string &h : m_header) names += (names.empty() ? "" : ", ") + h;
        return fail(std::string(option) + ": no column named " + inQuotes(name) + " (the columns are " + names + ")");
    }
    const int c = int(it - m_header.begin());
    if (m_role[size_t(c)] && *m_role[size_t(c)] != ColumnRole::Ignored) return fail(column(c) + " is given two roles");
    m_role[size_t(c)] = role;
    *out = c;
    return true;
}

// The split and rationale columns by name, row indexes left out; the other
// columns are left to guess.
void RoleGuesser::rolesByName()
{
    const int C = int(m_header.size());
    if (m_out.split < 0) {
        for (int c = 0; c < C; ++c)
            if (free(c) && asciiLower(m_header[size_t(c)]) == "split") {
                m_out.split = c;
                m_role[size_t(c)] = ColumnRole::Split;
                break;
            }
    }
    for (int c = 0; c < C; ++c) {
        if (!free(c)) continue;
        const std::string l = asciiLower(m_header[size_t(c)]);
        for (const char *prefix : {"rationale_", "rationales_"}) {
            const size_t n = std::char_traits<char>::length(prefix);
            if (l.size() > n && l.compare(0, n, prefix) == 0) {
                m_byName.emplace_back(m_header[size_t(c)].substr(n), c);
                m_role[size_t(c)] = ColumnRole::Rationale;
                break;
            }
        }
    }
    for (int c = 0; c < C; ++c) {
        if (!free(c)) continue;
        if (IgnoredNames.count(asciiLower(m_header[size_t(c)]))) {
            m_role[size_t(c)] = ColumnRole::Ignored;
            m_out.ignored.push_back("column " + std::to_string(c + 1) + " " + inQuotes(m_header[size_t(c)])
                                    + " looks like a row index and is ignored");
            continue;
        }
        m_free.push_back(c);
    }
}

// Among the free columns: with task columns named, the input (unless named)
// and nothing else; with the input named, every other column is a task;
// with neither, a text column if one looks like it, then the rest are tasks
// (text) or numeric features and non-numeric tasks (tabular).
void RoleGuesser::guessInputAndTasks()
{
    const bool namedInput = m_out.text >= 0 || !m_out.features.empty();
    if (!m_tasks.empty()) {
        if (!namedInput) {
            m_out.text = guessText(m_free);
            if (m_out.text < 0)
                for (int c : m_free)
                    if (numeric(c)) m_out.features.push_back(c);
        }
        for (int c : m_free)
            if (c != m_out.text && std::find(m_out.features.begin(), m_out.features.end(), c) == m_out.features.end())
                ignore(c, "not one of the task columns");
    } else if (namedInput) {
        for (int c : m_free)
            if (!unlikelyTask(c)) m_tasks.push_back(c);
    } else {
        m_out.text = guessText(m_free);
        // A table's last column holding logical values is its label (the
        // weather table's "play", yes/no); other logical columns are features.
        const int last = int(m_header.size()) - 1;
        std::string logicalFeatures;
        int nLogical = 0;
        for (int c : m_free) {
            if (c == m_out.text) continue;
            if (m_out.text >= 0 || looksLikeLabel(m_header[size_t(c)]) || !numeric(c) || (c == last && logical(c))) {
                if (!unlikelyTask(c)) m_tasks.push_back(c);
            } else {
                m_out.features.push_back(c);
                if (logical(c)) {
                    logicalFeatures += (logicalFeatures.empty() ? "" : ", ") + column(c);
                    ++nLogical;
                }
            }
        }
        // Said once, naming them: a yes/no label in another place would be
        // learned from rather than learned.
        if (nLogical > 0 && !m_tasks.empty()) {
            std::string tasks;
            for (int c : m_tasks) tasks += (tasks.empty() ? "" : ", ") + column(c);
            m_out.ignored.push_back(
                logicalFeatures + (nLogical == 1 ? " holds" : " hold") + " logical values (yes/no, true/false) and "
                + (nLogical == 1 ? "is" : "are") + " read as " + (nLogical == 1 ? "a feature" : "features")
                + " (1 and 0), the task" + (m_tasks.size() == 1 ? " is " : "s are ") + tasks + "; "
                + m_options.advise("name the label with --task-columns if it is one of them",
                                   "give the label the task role in the column table if it is one of them"));
        }
    }
}

// Whether every present value of column c is a logical word (yes/no,
// true/false, y/n), at least one.
bool RoleGuesser::logical(int c) const
{
    bool any = false;
    for (const auto &row : m_rows) {
        const std::string &v = row[size_t(c)];
        float x;
        if (parseFeatureValue(v, &x) == FeatureValue::Missing) continue;
        if (!isLogicalWord(v)) return false;
        any = true;
    }
    return any;
}

// A column guessed as a task that cannot be learned as one, left out with a
// note: an ID (a different value in every row), free text (sentences that
// rarely repeat) or so many classes that most rows have one of their own.
// A placeholder repeated in many rows ("none", "no example given here": a
// value in a tenth of the rows or more) does not hide them: the rules judge
// the other values. Judged on the first rows, from 20 present values up (a
// small file keeps its columns); a column named as a task is never judged.
bool RoleGuesser::unlikelyTask(int c)
{
    std::map<std::string_view, size_t> count;
    size_t present = 0;
    for (const auto &row : m_rows) {
        if (row[size_t(c)].empty()) continue;
        ++present;
        ++count[row[size_t(c)]];
    }
    if (present < 20) return false;
    const size_t distinct = count.size();
    // The values left once the placeholders are set aside.
    size_t rest = 0, restDistinct = 0;
    double restWords = 0;
    std::string placeholders;
    for (const auto &[value, n] : count) {
        if (n * 10 >= present && n > 1) {
            placeholders += (placeholders.empty() ? "" : ", ") + inQuotes(std::string(value));
            continue;
        }
        rest += n;
        ++restDistinct;
        restWords += double(n) * wordCount(value);
    }
    const bool mostlyDifferent = distinct * 2 > present;
    const bool restMostlyDifferent = rest >= 20 && restDistinct * 2 > rest;
    if (!mostlyDifferent && !restMostlyDifferent) return false;
    char why[200];
    const double words = mostlyDifferent ? meanWords(m_rows, size_t(c)) : restWords / double(rest);
    if (distinct == present)
        std::snprintf(why, sizeof why, "a different value in each of the first %zu rows, like an ID", present);
    else if (words >= 3.0 && mostlyDifferent)
        std::snprintf(why, sizeof why, "free text, %.1f words a value, %zu different in %zu rows", words, distinct,
                      present);
    else if (words >= 3.0)
        std::snprintf(why, sizeof why, "free text, %.1f words a value, %zu different in the %zu rows not holding ",
                      words, restDistinct, rest);
    else if (distinct >= 100)
        std::snprintf(why, sizeof why, "%zu different values in the first %zu rows, too many to learn as classes",
                      distinct, present);
    else
        return false;
    std::string reason = why;
    if (words >= 3.0 && !mostlyDifferent) reason += placeholders;
    m_out.ignored.push_back(column(c) + " is ignored as a task (" + reason + "); "
                            + m_options.advise("name it with --task-columns to learn it anyway",
                                               "give it the task role in the column table to learn it anyway"));
    // With the reason: when no task is left, the error is all the user sees (the warnings are not).
    m_unlikelyTasks += (m_unlikelyTasks.empty() ? "" : "; ") + column(c) + ": " + reason;
    return true;
}

// A column with a text name; else the non-numeric, non-label column with the
// most words per value, at least 3; else -1.
int RoleGuesser::guessText(const std::vector<int> &columns)
{
    for (int c : columns)
        if (TextNames.count(asciiLower(m_header[size_t(c)]))) return c;
    int best = -1;
    double bestWords = 0;
    for (int c : columns) {
        if (looksLikeLabel(m_header[size_t(c)]) || numeric(c)) continue;
        const double w = meanWords(m_rows, size_t(c));
        if (w >= 3.0 && w > bestWords) {
            best = c;
            bestWords = w;
        }
    }
    return best;
}

// rationale_<task> columns to their tasks (m_out.tasks, sorted).
bool RoleGuesser::matchRationales()
{
    const std::vector<int> &tasks = m_out.tasks;
    m_out.rationales.assign(tasks.size(), -1);
    for (const auto &[task, c] : m_byName) {
        size_t t = 0;
        while (t < tasks.size() && m_header[size_t(tasks[t])] != task) ++t;
        if (t == tasks.size() && !m_options.taskColumns.empty()) {
            ignore(c, "its task is not one of the task columns");
            m_out.roles[size_t(c)] = ColumnRole::Ignored;
            continue;
        }
        if (t == tasks.size())
            return fail(column(c) + " holds rationales of task " + inQuotes(task) + ", which is not a label column");
        // rationale_x and rationales_x (or RATIONALE_x) both name x's
        // rationales: taking one would drop the other without a word.
        if (m_out.rationales[t] >= 0)
            return fail(column(m_out.rationales[t]) + " and " + column(c) + " both hold rationales of task "
                        + inQuotes(task) + " ("
                        + m_options.advise("keep one, or leave one out with --ignore-columns",
                                           "keep one, or give the other the ignore role in the column table")
                        + ")");
        m_out.rationales[t] = c;
    }
    return true;
}

} // namespace

const char *toString(ColumnRole role)
{
    switch (role) {
    case ColumnRole::Ignored: return "ignored";
    case ColumnRole::Text: return "text";
    case ColumnRole::Feature: return "feature";
    case ColumnRole::Task: return "task";
    case ColumnRole::Split: return "split";
    case ColumnRole::Rationale: return "rationale";
    }
    return "?";
}

ColumnRoles guessRoles(const std::vector<std::string> &header, const std::vector<std::vector<std::string>> &rows,
                       const LoadOptions &options)
{
    return RoleGuesser(header, rows, options).guess();
}

bool isNumericColumn(const std::vector<std::vector<std::string>> &rows, size_t c)
{
    int present = 0, numbers = 0;
    for (const auto &row : rows) {
        float v;
        const FeatureValue n = parseFeatureValue(row[c], &v);
        if (n == FeatureValue::Missing) continue;
        ++present;
        if (n == FeatureValue::Number) ++numbers;
    }
    return numbers * 5 >= present * 4;
}

} // namespace attnscope
