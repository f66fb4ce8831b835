// CSV and TSV datasets: the RFC 4180 record parser and the reader that maps
// columns to roles. Like the JSONL reader, loading is all-or-nothing and
// nothing here prints; warnings go to Dataset::warnings.
#include "csvreader.h"
#include "fileutil.h"
#include "loadwarnings.h"
#include "utf8.h"

#include <QChar>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <string_view>
#include <unordered_map>

namespace attnscope {

// ---------------------------------------------------------------------------
// CsvParser

CsvParser::CsvParser(char separator, RecordFn onRecord)
    : m_sep(separator), m_onRecord(std::move(onRecord))
{
    m_fields.emplace_back();
}

bool CsvParser::fail(std::string what, int line, int field)
{
    m_error = std::move(what);
    m_errorLine = line;
    m_errorField = field;
    m_stopped = true;
    return false;
}

// Hands the record to the callback and starts the next one.
bool CsvParser::endRecord()
{
    const bool ok = m_onRecord(m_recordLine, m_fields);
    m_fields.clear();
    m_fields.emplace_back();
    m_recordBytes = 0;
    if (!ok) {
        m_stopped = true;
        m_error.clear(); // the callback has its own message
        return false;
    }
    return true;
}

bool CsvParser::newField()
{
    if (m_fields.size() >= MaxFields)
        return fail("the row has more than " + std::to_string(MaxFields) + " fields (the most one row may hold)",
                    m_recordLine, 0);
    m_fields.emplace_back();
    m_state = State::FieldStart;
    return true;
}

bool CsvParser::feed(const char *data, size_t size)
{
    if (m_stopped) return false;
    const char *p = data;
    const char *const end = data + size;
    while (p < end) {
        const char c = *p;
        // Bytes of the record so far, bounded (MaxLineBytes): checked once
        // per step, and each step takes at most what is left of the piece.
        const char *const from = p;
        const int line = m_line;
        switch (m_state) {
        case State::AfterCR:
            m_state = State::FieldStart;
            if (c == '\n') { // the LF of a CRLF
                ++p;
                break;
            }
            [[fallthrough]];
        case State::FieldStart:
            if (c == '"') {
                m_state = State::Quoted;
                m_quoteLine = m_line;
                ++p;
                break;
            }
            m_state = State::Unquoted;
            [[fallthrough]];
        case State::Unquoted: {
            // Fast path: copy up to the next separator or line end at once.
            const char *q = p;
            while (q < end && *q != m_sep && *q != '\n' && *q != '\r') ++q;
            m_fields.back().append(p, size_t(q - p));
            p = q;
            if (p == end) break;
            const char d = *p++;
            if (d == m_sep) {
                if (!newField()) return false;
            } else {
                if (!endRecord()) return false;
                ++m_line;
                m_recordLine = m_line;
                m_state = d == '\r' ? State::AfterCR : State::FieldStart;
            }
            break;
        }
        case State::Quoted: {
            const char *q = p;
            while (q < end && *q != '"' && *q != '\n') ++q;
            m_fields.back().append(p, size_t(q - p));
            p = q;
            if (p == end) break;
            if (*p == '\n') {
                m_fields.back().push_back('\n');
                ++m_line;
            } else {
                m_state = State::QuoteInQuoted;
            }
            ++p;
            break;
        }
        case State::QuoteInQuoted:
            ++p;
            if (c == '"') { // "" is a quote inside the field
                m_fields.back().push_back('"');
                m_state = State::Quoted;
            } else if (c == m_sep) {
                if (!newField()) return false;
            } else if (c == '\n' || c == '\r') {
                if (!endRecord()) return false;
                ++m_line;
                m_recordLine = m_line;
                m_state = c == '\r' ? State::AfterCR : State::FieldStart;
            } else {
                return fail("unexpected character " + utf8::shownByte(c)
                                + " after the closing quote of a quoted field (a quote inside a quoted field is written \"\")",
                            m_line, int(m_fields.size()));
            }
            break;
        }
        // A step that ended the record (endRecord reset the count, and the
        // next record starts on the next line) counts nothing more.
        if (m_line == line || m_recordLine != m_line) {
            m_recordBytes += size_t(p - from);
            if (m_recordBytes > MaxLineBytes) return tooLong();
        }
    }
    return true;
}

bool CsvParser::tooLong()
{
    std::string what = "row longer than " + std::to_string(MaxLineBytes >> 20) + " MB (the most one row may hold)";
    if (m_state == State::Quoted)
        what += "; the quoted field opened on line " + std::to_string(m_quoteLine)
                + " is still open (is its closing quote missing?)";
    return fail(what, m_recordLine, int(m_fields.size()));
}

bool CsvParser::finish()
{
    if (m_stopped) return false;
    switch (m_state) {
    case State::Quoted:
        return fail("a quoted field opened here is never closed", m_quoteLine, int(m_fields.size()));
    case State::AfterCR:
        return true;
    case State::FieldStart:
        if (m_fields.size() == 1) return true; // the input ended with a line break
        return endRecord();
    case State::Unquoted:
    case State::QuoteInQuoted:
        return endRecord();
    }
    return true;
}

// ---------------------------------------------------------------------------
// The dataset reader.

namespace {

using utf8::codePoints;
using utf8::hasToken;
using utf8::invalidUtf8;

std::string inQuotes(std::string_view s)
{
    std::string out;
    out.reserve(s.size() + 2);
    out.push_back('"');
    out.append(s);
    out.push_back('"');
    return out;
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char &c : out)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return out;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool parseInt(std::string_view s, int64_t *out)
{
    s = trim(s);
    const auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty();
}

// Names a text column is recognised by, and label columns (also the
// prefixes label_, target_, task_).
const std::set<std::string> TextNames = {"text", "sentence", "review", "comment", "content", "document",
                                         "body", "message", "tweet", "review_text", "utterance"};
const std::set<std::string> LabelNames = {"label", "labels", "target", "class", "y", "category"};
const std::set<std::string> IgnoredNames = {"", "id", "index", "unnamed: 0"};

bool looksLikeLabel(const std::string &name)
{
    const std::string l = lower(name);
    return LabelNames.count(l) || l.rfind("label_", 0) == 0 || l.rfind("target_", 0) == 0
        || l.rfind("task_", 0) == 0;
}

using Warnings = LoadWarnings;

class CsvReader {
public:
    CsvReader(std::string path, const LoadOptions &options, const LoadProgress &progress)
        : m_path(std::move(path)), m_options(options), m_progress(progress) {}

    // Guessing only (guessCsvColumns): read() stops once the roles are
    // decided and leaves them in *columns instead of loading the rows.
    void guessOnly(std::vector<CsvColumn> *columns) { m_columns = columns; }

    bool read(Dataset *out, std::string *error);

private:
    static constexpr size_t GuessRows = 1000;

    struct Row {
        int line;
        std::vector<std::string> fields;
    };

    bool fail(std::string what)
    {
        m_error = std::move(what);
        return false;
    }
    std::string where(int line) const { return m_path + ":" + std::to_string(line) + ": "; }
    std::string column(int c) const
    {
        return "column " + std::to_string(c + 1) + " (" + inQuotes(m_header[size_t(c)]) + ")";
    }
    int findColumn(const std::string &name) const
    {
        for (size_t c = 0; c < m_header.size(); ++c)
            if (m_header[c] == name) return int(c);
        return -1;
    }

    bool onRecord(int line, std::vector<std::string> &fields);
    bool readHeader(int line, std::vector<std::string> &fields);
    bool decideRoles();
    bool addRow(int line, std::vector<std::string> &fields);
    bool finish(Dataset *out);

    std::string m_path;
    const LoadOptions &m_options;
    const LoadProgress &m_progress;
    std::string m_error;
    Warnings m_warnings;
    std::vector<CsvColumn> *m_columns = nullptr;
    bool m_guessDone = false;

    std::vector<std::string> m_header;
    int m_headerLine = 0;
    bool m_rolesDecided = false;
    std::vector<Row> m_buffer;
    int m_blankLines = 0, m_firstBlank = 0;
    int m_rows = 0;      // data rows read (not blank)
    int m_withText = 0;  // rows whose text has a token
    int m_dropped = 0;

    // Roles.
    int m_textCol = -1;
    int m_splitCol = -1;
    std::vector<int> m_featureCols;
    std::vector<int> m_taskCols;       // in task order (byte order of names)
    std::vector<int> m_rationaleCols;  // per task, -1 = none
    std::vector<std::unordered_map<std::string, int>> m_classIds;
    std::vector<std::vector<std::string>> m_classNames;
    std::unordered_map<std::string, int> m_featureIds;

    std::vector<Sample> m_samples;
};

bool CsvReader::onRecord(int line, std::vector<std::string> &fields)
{
    const bool blank = fields.size() == 1 && fields[0].empty();
    if (m_header.empty()) {
        if (blank) return true; // blank lines before the header
        return readHeader(line, fields);
    }
    if (blank) {
        if (!m_blankLines++) m_firstBlank = line;
        return true;
    }
    if (fields.size() != m_header.size())
        return fail(where(line) + "the row has " + std::to_string(fields.size()) + " field"
                    + (fields.size() == 1 ? "" : "s") + " but the header (line " + std::to_string(m_headerLine)
                    + ") has " + std::to_string(m_header.size())
                    + " (a field holding the separator must be quoted)");
    for (size_t c = 0; c < fields.size(); ++c) {
        const size_t bad = invalidUtf8(fields[c]);
        if (bad != std::string_view::npos) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", unsigned(static_cast<unsigned char>(fields[c][bad])));
            return fail(where(line) + column(int(c)) + ": invalid UTF-8 (byte " + hex + " at byte "
                        + std::to_string(bad + 1) + " of the field); save the file as UTF-8");
        }
    }
    ++m_rows;
    if (m_rolesDecided) return addRow(line, fields);
    m_buffer.push_back({line, std::move(fields)});
    if (m_buffer.size() < GuessRows) return true;
    return decideRoles() && !m_guessDone; // guessing stops reading here
}

bool CsvReader::readHeader(int line, std::vector<std::string> &fields)
{
    m_headerLine = line;
    for (size_t c = 0; c < fields.size(); ++c) {
        const size_t bad = invalidUtf8(fields[c]);
        if (bad != std::string_view::npos)
            return fail(where(line) + "header, column " + std::to_string(c + 1)
                        + ": invalid UTF-8; save the file as UTF-8");
    }
    std::unordered_map<std::string, size_t> seen;
    for (size_t c = 0; c < fields.size(); ++c) {
        if (fields[c].empty()) continue; // an unnamed column (a pandas index): ignored
        const auto [it, added] = seen.emplace(fields[c], c);
        if (!added)
            return fail(where(line) + "column " + std::to_string(c + 1) + " " + inQuotes(fields[c])
                        + " has the same name as column " + std::to_string(it->second + 1)
                        + " (column names must be unique)");
    }
    m_header = std::move(fields);
    if (m_columns) {
        m_columns->assign(m_header.size(), CsvColumn());
        for (size_t c = 0; c < m_header.size(); ++c) (*m_columns)[c].name = m_header[c];
    }
    return true;
}

// Column roles: explicit ones from the options, the rest guessed from names
// and from the first GuessRows rows (docs/datasets.md).
bool CsvReader::decideRoles()
{
    m_rolesDecided = true;
    const int C = int(m_header.size());
    std::vector<int> role(size_t(C), 0); // 0 free, 1 taken, 2 ignored
    auto lookup = [&](const std::string &name, const char *option, int *out) {
        const int c = findColumn(name);
        if (c < 0) {
            std::string names;
            for (const std::string &h : m_header) names += (names.empty() ? "" : ", ") + h;
            return fail(where(m_headerLine) + option + ": no column named " + inQuotes(name)
                        + " (the columns are " + names + ")");
        }
        if (role[size_t(c)] == 1)
            return fail(where(m_headerLine) + column(c) + " is given two roles");
        role[size_t(c)] = 1;
        *out = c;
        return true;
    };

    const LoadOptions &o = m_options;
    if (!o.textColumn.empty() && !o.featureColumns.empty())
        return fail(m_path + ": give either a text column or feature columns, not both");
    if (!o.textColumn.empty() && !lookup(o.textColumn, "text column", &m_textCol)) return false;
    for (const std::string &f : o.featureColumns) {
        int c;
        if (!lookup(f, "feature column", &c)) return false;
        m_featureCols.push_back(c);
    }
    std::vector<int> tasks;
    for (const std::string &t : o.taskColumns) {
        int c;
        if (!lookup(t, "task column", &c)) return false;
        tasks.push_back(c);
    }
    if (!o.splitColumn.empty() && !lookup(o.splitColumn, "split column", &m_splitCol)) return false;
    for (const std::string &name : o.ignoredColumns) {
        int c;
        if (!lookup(name, "ignored column", &c)) return false;
        role[size_t(c)] = 2;
    }

    // The split and rationale columns by name.
    if (m_splitCol < 0) {
        for (int c = 0; c < C; ++c)
            if (role[size_t(c)] == 0 && lower(m_header[size_t(c)]) == "split") {
                m_splitCol = c;
                role[size_t(c)] = 1;
                break;
            }
    }
    std::vector<std::pair<std::string, int>> rationales; // (task name, column)
    for (int c = 0; c < C; ++c) {
        if (role[size_t(c)] != 0) continue;
        const std::string l = lower(m_header[size_t(c)]);
        for (const char *prefix : {"rationale_", "rationales_"}) {
            const size_t n = std::char_traits<char>::length(prefix);
            if (l.size() > n && l.compare(0, n, prefix) == 0) {
                rationales.emplace_back(m_header[size_t(c)].substr(n), c);
                role[size_t(c)] = 1;
                break;
            }
        }
    }
    const bool explicitInput = m_textCol >= 0 || !m_featureCols.empty();
    std::vector<int> freeCols;
    for (int c = 0; c < C; ++c) {
        if (role[size_t(c)] != 0) continue;
        if (IgnoredNames.count(lower(m_header[size_t(c)]))) {
            role[size_t(c)] = 2;
            m_warnings.add("ignored columns", where(m_headerLine) + "column " + std::to_string(c + 1) + " "
                                                  + inQuotes(m_header[size_t(c)])
                                                  + " looks like a row index and is ignored");
            continue;
        }
        freeCols.push_back(c);
    }

    // Statistics of the free columns over the buffered rows.
    // Numeric: at least 80 % of the present values are numbers (so that a
    // typo in a numeric column is reported rather than turning the column
    // into a label with hundreds of classes).
    auto numeric = [&](int c) {
        int present = 0, numbers = 0;
        for (const Row &r : m_buffer) {
            float v;
            const FeatureValue n = parseFeatureValue(r.fields[size_t(c)], &v);
            if (n == FeatureValue::Missing) continue;
            ++present;
            if (n == FeatureValue::Number) ++numbers;
        }
        return numbers * 5 >= present * 4;
    };
    auto meanWords = [&](int c) {
        double words = 0;
        int present = 0;
        for (const Row &r : m_buffer) {
            const std::string &s = r.fields[size_t(c)];
            if (s.empty()) continue;
            ++present;
            bool inWord = false;
            for (const char ch : s) {
                const bool space = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
                if (!space && !inWord) ++words;
                inWord = !space;
            }
        }
        return present ? words / present : 0.0;
    };
    auto guessText = [&](const std::vector<int> &cols) {
        for (int c : cols)
            if (TextNames.count(lower(m_header[size_t(c)]))) return c;
        int best = -1;
        double bestWords = 0;
        for (int c : cols) {
            if (looksLikeLabel(m_header[size_t(c)]) || numeric(c)) continue;
            const double w = meanWords(c);
            if (w >= 3.0 && w > bestWords) {
                best = c;
                bestWords = w;
            }
        }
        return best;
    };
    auto ignore = [&](int c, const char *why) {
        m_warnings.add("ignored columns", where(m_headerLine) + column(c) + " is ignored (" + why + ")");
    };

    if (!tasks.empty()) {
        std::vector<int> rest;
        for (int c : freeCols)
            if (std::find(tasks.begin(), tasks.end(), c) == tasks.end()) rest.push_back(c);
        if (!explicitInput) {
            m_textCol = guessText(rest);
            if (m_textCol < 0) {
                for (int c : rest)
                    if (numeric(c)) m_featureCols.push_back(c);
            }
        }
        for (int c : rest)
            if (c != m_textCol && std::find(m_featureCols.begin(), m_featureCols.end(), c) == m_featureCols.end())
                ignore(c, "not one of the task columns");
    } else if (explicitInput) {
        tasks = freeCols;
    } else {
        m_textCol = guessText(freeCols);
        for (int c : freeCols) {
            if (c == m_textCol) continue;
            if (m_textCol >= 0 || looksLikeLabel(m_header[size_t(c)]) || !numeric(c)) tasks.push_back(c);
            else m_featureCols.push_back(c);
        }
    }

    if (m_columns) {
        auto set = [&](int c, ColumnRole r) { (*m_columns)[size_t(c)].role = r; };
        for (int c = 0; c < C; ++c) {
            CsvColumn &col = (*m_columns)[size_t(c)];
            col.role = ColumnRole::Ignored;
            col.numeric = numeric(c);
            for (const Row &r : m_buffer)
                if (!r.fields[size_t(c)].empty()) {
                    col.example = r.fields[size_t(c)];
                    break;
                }
        }
        if (m_textCol >= 0) set(m_textCol, ColumnRole::Text);
        for (int c : m_featureCols) set(c, ColumnRole::Feature);
        for (int c : tasks) set(c, ColumnRole::Task);
        if (m_splitCol >= 0) set(m_splitCol, ColumnRole::Split);
        for (const auto &rc : rationales) set(rc.second, ColumnRole::Rationale);
    }
    if (m_textCol < 0 && m_featureCols.empty())
        return fail(where(m_headerLine) + "no input columns: no text column (a column named \"text\", or one "
                    "holding sentences) and no numeric feature columns; name them with --text-column or "
                    "--feature-columns");
    if (tasks.empty()) {
        std::string hint = m_textCol >= 0 ? "every other column has another role"
                                          : "every column is numeric, so all were taken as features";
        return fail(where(m_headerLine) + "no label columns (" + hint
                    + "); name them with --task-columns, or call them label_<task>");
    }

    std::sort(tasks.begin(), tasks.end(),
              [&](int a, int b) { return m_header[size_t(a)] < m_header[size_t(b)]; });
    m_taskCols = tasks;
    m_rationaleCols.assign(tasks.size(), -1);
    for (const auto &[task, c] : rationales) {
        size_t t = 0;
        while (t < tasks.size() && m_header[size_t(tasks[t])] != task) ++t;
        if (t == tasks.size() && !o.taskColumns.empty()) {
            ignore(c, "its task is not one of the task columns");
            if (m_columns) (*m_columns)[size_t(c)].role = ColumnRole::Ignored;
            continue;
        }
        if (t == tasks.size())
            return fail(where(m_headerLine) + column(c) + " holds rationales of task " + inQuotes(task)
                        + ", which is not a label column");
        // rationale_x and rationales_x (or RATIONALE_x) both name x's
        // rationales: taking one would drop the other without a word.
        if (m_rationaleCols[t] >= 0)
            return fail(where(m_headerLine) + column(m_rationaleCols[t]) + " and " + column(c)
                        + " both hold rationales of task " + inQuotes(task)
                        + " (keep one, or leave one out with --ignore-columns)");
        m_rationaleCols[t] = c;
    }
    if (m_columns) { // guessing: the roles are all that was asked for
        m_guessDone = true;
        return true;
    }
    m_classIds.resize(tasks.size());
    m_classNames.resize(tasks.size());
    for (size_t j = 0; j < m_featureCols.size(); ++j)
        m_featureIds.emplace(m_header[size_t(m_featureCols[j])], int(j));

    for (Row &r : m_buffer)
        if (!addRow(r.line, r.fields)) return false;
    m_buffer.clear();
    m_buffer.shrink_to_fit();
    return true;
}

bool CsvReader::addRow(int line, std::vector<std::string> &fields)
{
    Sample s;
    s.line = line;
    if (m_splitCol >= 0) {
        const std::string v = lower(trim(fields[size_t(m_splitCol)]));
        if (v == "train") s.split = 0;
        else if (v == "val" || v == "valid" || v == "validation" || v == "dev") s.split = 1;
        else if (v == "test") s.split = 2;
        else if (!v.empty())
            return fail(where(line) + column(m_splitCol) + ": " + inQuotes(fields[size_t(m_splitCol)])
                        + " is not a split (train, val or test)");
    }
    int length = 0;
    bool empty;
    if (m_textCol >= 0) {
        s.text = std::move(fields[size_t(m_textCol)]);
        length = codePoints(s.text);
        empty = !hasToken(s.text);
    } else {
        s.features.resize(m_featureCols.size());
        empty = true;
        for (size_t j = 0; j < m_featureCols.size(); ++j) {
            const int c = m_featureCols[j];
            const std::string &v = fields[size_t(c)];
            switch (parseFeatureValue(v, &s.features[j])) {
            case FeatureValue::Number: empty = false; break;
            case FeatureValue::Missing: break;
            case FeatureValue::NotANumber:
                return fail(where(line) + column(c) + ": non-numeric value " + inQuotes(v)
                            + " in a feature column (a missing value is an empty field, NaN, NA, N/A or null)");
            case FeatureValue::OutOfRange:
                return fail(where(line) + column(c) + ": " + inQuotes(v) + " is out of range for a float");
            }
        }
    }
    s.labels.assign(m_taskCols.size(), -1);
    for (size_t t = 0; t < m_taskCols.size(); ++t) {
        std::string &v = fields[size_t(m_taskCols[t])];
        if (v.empty()) continue; // a missing label
        auto &ids = m_classIds[t];
        auto it = ids.find(v);
        if (it == ids.end()) {
            it = ids.emplace(v, int(m_classNames[t].size())).first;
            m_classNames[t].push_back(v);
        }
        s.labels[t] = it->second;
    }
    if (std::any_of(m_rationaleCols.begin(), m_rationaleCols.end(), [](int c) { return c >= 0; }))
        s.rationales.assign(m_taskCols.size(), {});
    for (size_t t = 0; t < m_rationaleCols.size(); ++t) {
        const int c = m_rationaleCols[t];
        if (c < 0) continue;
        std::string_view rest(fields[size_t(c)]);
        const std::string &task = m_header[size_t(m_taskCols[t])];
        while (!rest.empty()) {
            const size_t semi = rest.find(';');
            const std::string_view item = trim(rest.substr(0, semi));
            rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
            if (item.empty()) continue;
            if (m_textCol >= 0) {
                const size_t dash = item.find('-', 1);
                int64_t a = 0, b = 0;
                if (dash == std::string_view::npos || !parseInt(item.substr(0, dash), &a)
                    || !parseInt(item.substr(dash + 1), &b))
                    return fail(where(line) + column(c) + ": " + inQuotes(item) + " is not a span; rationales of task "
                                + inQuotes(task) + " are start-end spans in code points separated by ';' (\"3-7;10-12\")");
                const std::string shown = std::to_string(a) + "-" + std::to_string(b);
                if (a > b)
                    return fail(where(line) + column(c) + ": rationale span " + shown + " of task " + inQuotes(task)
                                + " starts after its end");
                if (a < 0 || b > length)
                    return fail(where(line) + column(c) + ": rationale span " + shown + " of task " + inQuotes(task)
                                + " is outside the text (" + std::to_string(length) + " code points)");
                s.rationales[t].push_back({int(a), int(b)});
            } else {
                const auto it = m_featureIds.find(std::string(item));
                if (it == m_featureIds.end())
                    return fail(where(line) + column(c) + ": rationale of task " + inQuotes(task) + " names "
                                + inQuotes(item) + ", which is not a feature column");
                s.rationales[t].push_back({it->second, it->second + 1});
            }
        }
    }
    if (empty) {
        ++m_dropped;
        m_warnings.add("samples without tokens dropped",
                       where(line) + (m_textCol >= 0 ? "the text has no tokens" : "every feature is missing")
                           + "; sample dropped");
        return true;
    }
    if (m_textCol >= 0) ++m_withText;
    m_samples.push_back(std::move(s));
    return true;
}

bool CsvReader::finish(Dataset *out)
{
    if (m_header.empty()) return fail(m_path + ": the file is empty (no header row)");
    if (m_rows == 0)
        return fail(where(m_headerLine) + "only a header row, no data rows"
                    + (m_blankLines ? " (" + std::to_string(m_blankLines) + " blank lines)" : std::string()));
    if (!m_rolesDecided && !decideRoles()) return false;
    if (m_guessDone) return true;
    if (m_textCol >= 0 && m_withText == 0)
        return fail(m_path + ": " + column(m_textCol) + ", the text column, is empty in every row");
    if (m_samples.empty())
        return fail(m_path + ": no samples (every row was dropped: every feature is missing)");

    Dataset data;
    data.source = m_path;
    data.input = m_textCol >= 0 ? InputKind::Text : InputKind::Tabular;
    for (int c : m_featureCols) data.featureNames.push_back(m_header[size_t(c)]);
    std::vector<std::vector<int>> remap(m_taskCols.size());
    for (size_t t = 0; t < m_taskCols.size(); ++t) {
        const auto &names = m_classNames[t];
        const std::string &name = m_header[size_t(m_taskCols[t])];
        if (names.empty())
            return fail(m_path + ": " + column(m_taskCols[t]) + ", a label column, is empty in every row");
        if (names.size() == 1) // loads, as from JSON Lines (docs/datasets.md says why)
            m_warnings.add("tasks with one class",
                           m_path + ": " + column(m_taskCols[t]) + ": " + oneClassWarning(name, names[0])
                               + "; leave the column out with --task-columns or --ignore-columns");
        std::vector<int> order(names.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int a, int b) { return names[size_t(a)] < names[size_t(b)]; });
        remap[t].resize(names.size());
        TaskInfo info;
        info.name = name;
        for (size_t k = 0; k < order.size(); ++k) {
            remap[t][size_t(order[k])] = int(k);
            info.classes.push_back(names[size_t(order[k])]);
        }
        data.tasks.push_back(std::move(info));
    }
    std::vector<std::vector<int>> counts(m_taskCols.size());
    for (size_t t = 0; t < m_taskCols.size(); ++t) counts[t].assign(data.tasks[t].classes.size(), 0);
    for (Sample &s : m_samples)
        for (size_t t = 0; t < s.labels.size(); ++t)
            if (s.labels[t] >= 0) {
                s.labels[t] = remap[t][size_t(s.labels[t])];
                ++counts[t][size_t(s.labels[t])];
            }
    for (size_t t = 0; t < counts.size(); ++t)
        for (size_t k = 0; k < counts[t].size(); ++k)
            if (counts[t][k] < 2)
                m_warnings.add("rare classes", m_path + ": class " + inQuotes(data.tasks[t].classes[k]) + " of task "
                                                   + inQuotes(data.tasks[t].name) + " has only "
                                                   + std::to_string(counts[t][k]) + " sample");
    if (m_blankLines)
        m_warnings.add("blank lines", where(m_firstBlank) + "skipped " + std::to_string(m_blankLines) + " blank line"
                                          + (m_blankLines > 1 ? "s" : ""));
    data.samples = std::move(m_samples);
    data.warnings = m_warnings.take(m_path);
    *out = std::move(data);
    return true;
}

bool CsvReader::read(Dataset *out, std::string *error)
{
    auto failed = [&](std::string what) {
        if (error) *error = std::move(what);
        return false;
    };
    const QFileInfo info(QString::fromStdString(m_path));
    if (info.isDir()) return failed(m_path + ": is a directory, not a data file");
    // Here as well as in loadDataset: guessCsvColumns comes straight here, and
    // opening a FIFO blocks until something writes to it.
    if (std::string problem = notRegularFile(m_path); !problem.empty()) return failed(std::move(problem));
    QFile file(QString::fromStdString(m_path));
    if (!file.open(QIODevice::ReadOnly))
        return failed(m_path + ": cannot open: " + file.errorString().toStdString());

    char sep = m_options.separator;
    if (sep == 0) {
        const std::string suffix = info.suffix().toLower().toStdString();
        sep = suffix == "tsv" || suffix == "tab" ? '\t' : ',';
    }
    CsvParser parser(sep, [this](int line, std::vector<std::string> &fields) { return onRecord(line, fields); });
    auto parseFailed = [&] {
        if (!parser.error().empty()) {
            std::string what = where(parser.errorLine());
            const int f = parser.errorField();
            if (f > 0) {
                what += "column " + std::to_string(f);
                if (size_t(f) <= m_header.size() && !m_header.empty()) what += " (" + inQuotes(m_header[size_t(f - 1)]) + ")";
                what += ": ";
            }
            return failed(what + parser.error());
        }
        return failed(m_error);
    };

    const qint64 size = file.size();
    // 1 MiB pieces; a small file needs no more than its size (+1 to see the end).
    std::vector<char> chunk(size_t(size > 0 ? std::min<qint64>(size + 1, qint64(1) << 20) : qint64(1) << 16));
    qint64 done = 0, lastReport = 0;
    bool first = true;
    for (;;) {
        const qint64 n = file.read(chunk.data(), qint64(chunk.size()));
        if (n < 0) return failed(m_path + ": read error: " + file.errorString().toStdString());
        if (n == 0) break;
        const char *p = chunk.data();
        size_t len = size_t(n);
        if (first && len >= 3 && std::string_view(p, 3) == "\xEF\xBB\xBF") { // UTF-8 byte order mark
            p += 3;
            len -= 3;
        }
        first = false;
        done += n;
        if (!parser.feed(p, len)) return m_guessDone || parseFailed();
        if (m_progress && size > 0 && done - lastReport >= (qint64(4) << 20)) {
            lastReport = done;
            if (!m_progress(std::min(0.99, double(done) / double(size))))
                return failed(m_path + ": load cancelled");
        }
    }
    if (!parser.finish()) return parseFailed();
    if (done == 0) return failed(m_path + ": the file is empty");
    if (!finish(out)) return failed(m_error);
    if (m_progress) m_progress(1.0);
    return true;
}

} // namespace

bool readCsvDataset(const std::string &path, const LoadOptions &options, Dataset *out, std::string *error,
                    const LoadProgress &progress)
{
    CsvReader reader(path, options, progress);
    return reader.read(out, error);
}

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

bool guessCsvColumns(const std::string &path, const LoadOptions &options, std::vector<CsvColumn> *columns,
                     std::string *error)
{
    columns->clear();
    // The reader keeps a reference to the callback: it must outlive the reader
    // (a temporary `{}` here was destroyed at once; ASan: stack-use-after-scope).
    const LoadProgress noProgress;
    CsvReader reader(path, options, noProgress);
    reader.guessOnly(columns);
    Dataset unused;
    return reader.read(&unused, error);
}

LoadOptions columnOptions(const std::vector<CsvColumn> &columns)
{
    LoadOptions o;
    for (const CsvColumn &c : columns) {
        switch (c.role) {
        case ColumnRole::Text: o.textColumn = c.name; break;
        case ColumnRole::Feature: o.featureColumns.push_back(c.name); break;
        case ColumnRole::Task: o.taskColumns.push_back(c.name); break;
        case ColumnRole::Split: o.splitColumn = c.name; break;
        case ColumnRole::Ignored:
            if (!c.name.empty()) o.ignoredColumns.push_back(c.name); // unnamed columns are ignored anyway
            break;
        case ColumnRole::Rationale: break; // found by its name, rationale_<task>
        }
    }
    return o;
}

} // namespace attnscope
