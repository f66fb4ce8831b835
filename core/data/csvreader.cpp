// The CSV and TSV reader: records from CsvParser, the header checked, the
// first GuessRows rows held back until guessRoles has decided the columns'
// roles, then every row made a sample. Like the JSON Lines reader, loading
// is all-or-nothing and nothing here prints; warnings go to Dataset::warnings.
#include "data/csvreader.h"

#include "data/csvparser.h"
#include "data/fields.h"
#include "data/filepieces.h"
#include "data/loadwarnings.h"
#include "dataset.h"
#include "utf8.h"

#include <QFileInfo>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string_view>
#include <unordered_map>

namespace attnscope {

namespace {

bool parseInt(std::string_view s, int64_t *out)
{
    s = trimBlanks(s);
    const auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty();
}

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

    bool fail(std::string what)
    {
        m_error = std::move(what);
        return false;
    }
    std::string where(int line) const { return m_path + ":" + std::to_string(line) + ": "; }
    char separator() const;
    std::string separatorHint() const;
    std::string column(int c) const
    {
        return "column " + std::to_string(c + 1) + " (" + inQuotes(m_header[size_t(c)]) + ")";
    }

    bool readFile();
    std::string parseError(const CsvParser &parser) const;
    bool onRecord(int line, std::vector<std::string> &fields);
    bool readHeader(int line, std::vector<std::string> &fields);
    bool decideRoles();
    void showColumns();
    bool addRow(int line, std::vector<std::string> &fields);
    bool readRationale(int t, const std::string &field, int length, int line, Sample *s);
    bool finish(Dataset *out);

    std::string m_path;
    const LoadOptions &m_options;
    const LoadProgress &m_progress;
    std::string m_error;
    LoadWarnings m_warnings;
    std::vector<CsvColumn> *m_columns = nullptr;
    bool m_guessDone = false;

    std::vector<std::string> m_header;
    int m_headerLine = 0;
    // The first rows, held until the roles are decided, and their lines.
    std::vector<std::vector<std::string>> m_firstRows;
    std::vector<int> m_firstLines;
    bool m_rolesDecided = false;
    int m_blankLines = 0, m_firstBlank = 0;
    int m_rows = 0;      // data rows read (not blank)
    int m_withText = 0;  // rows whose text has a token

    ColumnRoles m_roles;
    std::vector<std::unordered_map<std::string, int>> m_classIds; // per task, classes by appearance
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
    // Two files joined (cat a.csv b.csv): the second one's byte order mark
    // and header row were a sample (a class named "label" in a label column)
    // and an invisible U+FEFF at the start of a text or class.
    if (std::string_view(fields[0]).substr(0, 3) == "\xEF\xBB\xBF") {
        fields[0].erase(0, 3);
        m_warnings.add("byte order marks inside the file",
                       where(line) + "a byte order mark (U+FEFF) starts the row, as where two files were joined; "
                                     "removed");
    }
    if (fields == m_header) {
        m_warnings.add("rows repeating the header", where(line) + "the row repeats the header (line "
                                                        + std::to_string(m_headerLine)
                                                        + "), as where two files were joined; skipped");
        return true;
    }
    if (fields.size() != m_header.size())
        return fail(where(line) + "the row has " + std::to_string(fields.size()) + " field"
                    + (fields.size() == 1 ? "" : "s") + " but the header (line " + std::to_string(m_headerLine)
                    + ") has " + std::to_string(m_header.size())
                    + " (a field holding the separator must be quoted)" + separatorHint());
    for (size_t c = 0; c < fields.size(); ++c) {
        const size_t bad = utf8::invalidUtf8(fields[c]);
        if (bad != std::string_view::npos) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", unsigned(static_cast<unsigned char>(fields[c][bad])));
            return fail(where(line) + column(int(c)) + ": invalid UTF-8 (byte " + hex + " at byte "
                        + std::to_string(bad + 1) + " of the field); save the file as UTF-8");
        }
    }
    ++m_rows;
    if (m_rolesDecided) return addRow(line, fields);
    m_firstRows.push_back(std::move(fields));
    m_firstLines.push_back(line);
    if (m_firstRows.size() < GuessRows) return true;
    return decideRoles() && !m_guessDone; // guessing stops reading here
}

bool CsvReader::readHeader(int line, std::vector<std::string> &fields)
{
    m_headerLine = line;
    for (size_t c = 0; c < fields.size(); ++c) {
        const size_t bad = utf8::invalidUtf8(fields[c]);
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

// The roles from the header and the first rows, then those rows loaded.
bool CsvReader::decideRoles()
{
    m_rolesDecided = true;
    m_roles = guessRoles(m_header, m_firstRows, m_options);
    for (const std::string &note : m_roles.ignored) m_warnings.addEach(where(m_headerLine) + note);
    if (m_columns) showColumns();
    if (!m_roles.error.empty())
        return fail((m_roles.errorAtHeader ? where(m_headerLine) : m_path + ": ") + m_roles.error
                    + separatorHint());
    if (m_columns) { // guessing: the roles are all that was asked for
        m_guessDone = true;
        return true;
    }
    m_classIds.resize(m_roles.tasks.size());
    m_classNames.resize(m_roles.tasks.size());
    for (size_t j = 0; j < m_roles.features.size(); ++j)
        m_featureIds.emplace(m_header[size_t(m_roles.features[j])], int(j));

    for (size_t r = 0; r < m_firstRows.size(); ++r)
        if (!addRow(m_firstLines[r], m_firstRows[r])) return false;
    std::vector<std::vector<std::string>>().swap(m_firstRows);
    std::vector<int>().swap(m_firstLines);
    return true;
}

// guessCsvColumns: the roles as far as they were decided, with what the
// first rows hold.
void CsvReader::showColumns()
{
    if (m_roles.roles.empty()) return; // the options could not be applied: the names only
    for (size_t c = 0; c < m_header.size(); ++c) {
        CsvColumn &col = (*m_columns)[c];
        col.role = m_roles.roles[c];
        col.numeric = isNumericColumn(m_firstRows, c);
        for (const auto &row : m_firstRows)
            if (!row[c].empty()) {
                col.example = row[c];
                break;
            }
    }
}

bool CsvReader::addRow(int line, std::vector<std::string> &fields)
{
    Sample s;
    s.line = line;
    if (m_roles.split >= 0) {
        const std::string v = asciiLower(trimBlanks(fields[size_t(m_roles.split)]));
        s.split = splitIndex(v);
        if (s.split < 0 && !v.empty())
            return fail(where(line) + column(m_roles.split) + ": " + inQuotes(fields[size_t(m_roles.split)])
                        + " is not a split (train, val or test)");
    }
    int length = 0;
    bool empty;
    if (m_roles.text >= 0) {
        s.text = std::move(fields[size_t(m_roles.text)]);
        length = utf8::codePoints(s.text);
        empty = !utf8::hasToken(s.text);
    } else {
        s.features.resize(m_roles.features.size());
        empty = true;
        for (size_t j = 0; j < m_roles.features.size(); ++j) {
            const int c = m_roles.features[j];
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
    const size_t T = m_roles.tasks.size();
    s.labels.assign(T, -1);
    for (size_t t = 0; t < T; ++t) {
        std::string &v = fields[size_t(m_roles.tasks[t])];
        if (v.empty()) continue; // a missing label
        auto &ids = m_classIds[t];
        auto it = ids.find(v);
        if (it == ids.end()) {
            it = ids.emplace(v, int(m_classNames[t].size())).first;
            m_classNames[t].push_back(v);
        }
        s.labels[t] = it->second;
    }
    const std::vector<int> &rationales = m_roles.rationales;
    if (std::any_of(rationales.begin(), rationales.end(), [](int c) { return c >= 0; })) s.rationales.assign(T, {});
    for (size_t t = 0; t < rationales.size(); ++t)
        if (rationales[t] >= 0 && !readRationale(int(t), fields[size_t(rationales[t])], length, line, &s))
            return false;
    if (empty) {
        m_warnings.add("samples without tokens dropped",
                       where(line) + (m_roles.text >= 0 ? "the text has no tokens" : "every feature is missing")
                           + "; sample dropped");
        return true;
    }
    if (m_roles.text >= 0) {
        ++m_withText;
        if (std::string note = controlCharacterNote(s.text); !note.empty())
            m_warnings.add("control characters in texts", where(line) + column(m_roles.text) + ": " + note);
    }
    m_samples.push_back(std::move(s));
    return true;
}

// Task t's rationale field: "3-7;10-12" (code points) for text, feature
// names ("temp;rpm") for tabular data.
bool CsvReader::readRationale(int t, const std::string &field, int length, int line, Sample *s)
{
    const int c = m_roles.rationales[size_t(t)];
    const std::string &task = m_header[size_t(m_roles.tasks[size_t(t)])];
    std::string_view rest(field);
    while (!rest.empty()) {
        const size_t semi = rest.find(';');
        const std::string_view item = trimBlanks(rest.substr(0, semi));
        rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
        if (item.empty()) continue;
        if (m_roles.text >= 0) {
            const size_t dash = item.find('-', 1);
            int64_t a = 0, b = 0;
            if (dash == std::string_view::npos || !parseInt(item.substr(0, dash), &a)
                || !parseInt(item.substr(dash + 1), &b))
                return fail(where(line) + column(c) + ": " + inQuotes(item) + " is not a span; rationales of task "
                            + inQuotes(task) + " are start-end spans in code points separated by ';' (\"3-7;10-12\")");
            const std::string shown = std::to_string(a) + "-" + std::to_string(b);
            if (std::string problem = spanProblem(a, b, length, shown, task); !problem.empty())
                return fail(where(line) + column(c) + ": " + problem);
            s->rationales[size_t(t)].push_back({int(a), int(b)});
        } else {
            const auto it = m_featureIds.find(std::string(item));
            if (it == m_featureIds.end())
                return fail(where(line) + column(c) + ": rationale of task " + inQuotes(task) + " names "
                            + inQuotes(item) + ", which is not a feature column");
            s->rationales[size_t(t)].push_back({it->second, it->second + 1});
        }
    }
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
    if (m_roles.text >= 0 && m_withText == 0)
        return fail(m_path + ": " + column(m_roles.text) + ", the text column, is empty in every row");
    if (m_samples.empty()) return fail(m_path + ": no samples (every row was dropped: every feature is missing)");

    Dataset data;
    data.source = m_path;
    data.input = m_roles.text >= 0 ? InputKind::Text : InputKind::Tabular;
    if (m_roles.text >= 0) data.textColumn = m_header[size_t(m_roles.text)];
    for (int c : m_roles.features) data.featureNames.push_back(m_header[size_t(c)]);
    const size_t T = m_roles.tasks.size();
    std::vector<std::vector<int>> remap(T);
    for (size_t t = 0; t < T; ++t) {
        const int c = m_roles.tasks[t];
        const auto &names = m_classNames[t];
        if (names.empty()) return fail(m_path + ": " + column(c) + ", a label column, is empty in every row");
        if (names.size() == 1) // loads, as from JSON Lines (docs/datasets.md says why)
            m_warnings.addEach(m_path + ": " + column(c) + ": " + oneClassWarning(m_header[size_t(c)], names[0])
                               + m_options.advise("; leave the column out with --task-columns or --ignore-columns",
                                                  "; give the column the ignore role in the column table"));
        data.tasks.push_back(taskInByteOrder(m_header[size_t(c)], names, &remap[t]));
        for (const std::string &note : classNameNotes(data.tasks.back()))
            m_warnings.addEach(m_path + ": " + column(c) + ": " + note);
    }
    for (Sample &s : m_samples)
        for (size_t t = 0; t < s.labels.size(); ++t)
            if (s.labels[t] >= 0) s.labels[t] = remap[t][size_t(s.labels[t])];
    for (const std::string &note : rareClassNotes(data.tasks, m_samples)) m_warnings.addEach(m_path + ": " + note);
    if (m_blankLines)
        m_warnings.add("blank lines", where(m_firstBlank) + "skipped " + std::to_string(m_blankLines) + " blank line"
                                          + (m_blankLines > 1 ? "s" : ""));
    data.samples = std::move(m_samples);
    data.warnings = m_warnings.take(m_path);
    *out = std::move(data);
    return true;
}

// A parser's error with its place ("<file>:<line>: column 2 ("x"): ..."),
// or the reader's own.
std::string CsvReader::parseError(const CsvParser &parser) const
{
    if (parser.error().empty()) return m_error;
    std::string what = where(parser.errorLine());
    if (const int f = parser.errorField(); f > 0) {
        what += "column " + std::to_string(f);
        if (size_t(f) <= m_header.size() && !m_header.empty()) what += " (" + inQuotes(m_header[size_t(f - 1)]) + ")";
        what += ": ";
    }
    return what + parser.error();
}

char CsvReader::separator() const
{
    return m_options.separator ? m_options.separator : datasetFormat(m_path) == DataFormat::Tsv ? '\t' : ',';
}

// A header of one column that holds another separator: the file is most
// likely separated by it (a spreadsheet's ';' export, tabs in a .csv file),
// which the message the one column led to (a ragged row, no label or input
// columns) did not say.
std::string CsvReader::separatorHint() const
{
    if (m_header.size() != 1) return {};
    const char sep = separator();
    for (const char other : {'\t', ';', ',', '|'}) {
        if (other == sep || m_header[0].find(other) == std::string::npos) continue;
        const std::string which = other == '\t' ? "tabs"
                                  : other == ','  ? "commas"
                                                  : std::string("'") + other + "'";
        const std::string read = sep == ','    ? "A .csv file is read with commas"
                                 : sep == '\t' ? "A .tsv or .tab file is read with tabs"
                                               : std::string("It is read with '") + sep + "'";
        const std::string advice = other == '\t' ? "name it .tsv"
                                   : other == ','  ? "name it .csv"
                                                   : "save it with commas";
        return "; the header is one column that holds " + which + ": is the file separated by " + which + "? "
               + read + ": " + advice;
    }
    return {};
}

// The file through the parser, a UTF-8 byte order mark skipped.
bool CsvReader::readFile()
{
    const char sep = separator();
    CsvParser parser(sep, [this](int line, std::vector<std::string> &fields) { return onRecord(line, fields); });
    FilePieces file(m_path, m_progress, qint64(4) << 20, 0.99);
    if (!file.open(&m_error)) return false;
    for (std::string_view piece;;) {
        if (!file.next(&piece, &m_error)) return false;
        if (piece.empty()) break;
        if (file.done() == qint64(piece.size()) && piece.substr(0, 3) == "\xEF\xBB\xBF") piece.remove_prefix(3);
        if (!parser.feed(piece.data(), piece.size())) return m_guessDone || fail(parseError(parser));
    }
    if (!parser.finish()) return fail(parseError(parser));
    if (file.done() == 0) return fail(m_path + ": the file is empty");
    return true;
}

bool CsvReader::read(Dataset *out, std::string *error)
{
    bool ok;
    if (QFileInfo(QString::fromStdString(m_path)).isDir()) ok = fail(m_path + ": is a directory, not a data file");
    else ok = readFile() && (m_guessDone || finish(out));
    if (!ok) {
        if (error) *error = m_error;
        return false;
    }
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
