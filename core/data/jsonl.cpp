// The JSON Lines reader. Loading is all-or-nothing: the reader fills a local
// Dataset and moves it into *out only when the whole file was good, so a
// failed load leaves the caller's data as it was. Nothing here prints;
// problems that do not stop loading are collected in Dataset::warnings.
//
// Offsets are code points of the text, end exclusive. A task key that is
// absent, null or "" is a missing label. A label that is a number or a
// boolean is the class named by its JSON text. Tasks (the label keys seen
// anywhere in the file) and each task's classes are sorted by byte order once
// the whole file is read; until then they carry ids in order of appearance.
#include "data/jsonl.h"

#include "data/fields.h"
#include "data/filepieces.h"
#include "data/json.h"
#include "data/loadwarnings.h"
#include "dataset.h"
#include "memorybudget.h"
#include "utf8.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <unordered_map>
#include <utility>

namespace attnscope {

namespace {

using utf8::codePoints;

class JsonlReader {
public:
    JsonlReader(std::string path, const LoadProgress &progress) : m_path(std::move(path)), m_progress(progress) {}

    bool read(Dataset *out, std::string *error)
    {
        if (readLines() && finish(out)) {
            if (m_progress) m_progress(1.0);
            return true;
        }
        if (error) *error = m_error;
        return false;
    }

private:
    // A line as read, its tasks and classes still numbered by appearance.
    struct Pending {
        Sample sample;
        std::vector<std::pair<int, int>> labels;               // (task id, class id) by appearance
        std::vector<std::pair<int, std::vector<Span>>> spans;  // text: (task id, spans)
        std::vector<std::pair<int, std::vector<std::string>>> names; // tabular: (task id, features)
    };

    bool fail(std::string what)
    {
        m_error = std::move(what);
        return false;
    }
    std::string where(int line) const { return m_path + ":" + std::to_string(line) + ": "; }

    int taskId(const std::string &name)
    {
        const auto [it, added] = m_taskIds.emplace(name, int(m_taskNames.size()));
        if (added) {
            m_taskNames.push_back(name);
            m_classIds.emplace_back();
            m_classNames.emplace_back();
        }
        return it->second;
    }
    int classId(int task, const std::string &name)
    {
        auto &ids = m_classIds[size_t(task)];
        const auto [it, added] = ids.emplace(name, int(m_classNames[size_t(task)].size()));
        if (added) m_classNames[size_t(task)].push_back(name);
        return it->second;
    }

    bool readLines();
    bool handleLine(std::string_view line);
    bool readLine(std::string_view line, int lineNo);
    bool readInput(const Json &root, int lineNo, Sample *sample, InputKind *kind);
    bool readFeatures(const Json &features, Sample *sample, int lineNo);
    bool tableFits(int lineNo);
    bool readLabels(const Json &labels, int lineNo, Pending *p);
    bool readRationales(const Json &rationales, InputKind kind, int length, int lineNo, Pending *p);
    bool readSplit(const Json &split, int lineNo, Sample *sample);
    bool finish(Dataset *out);

    std::string m_path;
    const LoadProgress &m_progress;
    std::string m_error;
    int m_lines = 0;
    int m_firstBlank = 0, m_blanks = 0;
    InputKind m_kind = InputKind::Text;
    int m_kindLine = 0;
    std::unordered_map<std::string, int> m_taskIds;
    std::vector<std::string> m_taskNames;
    std::vector<std::unordered_map<std::string, int>> m_classIds;
    std::vector<std::vector<std::string>> m_classNames;
    std::unordered_map<std::string, int> m_featureIds;
    std::vector<std::string> m_featureNames;
    std::vector<Pending> m_pending;
    LoadWarnings m_warnings;
};

// The lines are cut out of the file's pieces; only a line that spans pieces
// is copied, and none may pass MaxLineBytes: a file of zero bytes without a
// line break ends at 64 MB with a message instead of being read whole.
bool JsonlReader::readLines()
{
    FilePieces file(m_path, m_progress, qint64(1) << 20, 1.0);
    if (!file.open(&m_error)) return false;
    std::string pending; // the start of a line that spans pieces
    for (std::string_view piece;;) {
        if (!file.next(&piece, &m_error)) return false;
        if (piece.empty()) break;
        const char *p = piece.data(), *const end = p + piece.size();
        while (p < end) {
            const char *newline = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
            const char *stop = newline ? newline : end;
            if (pending.size() + size_t(stop - p) > MaxLineBytes)
                return fail(where(m_lines + 1) + "line longer than " + std::to_string(MaxLineBytes >> 20)
                            + " MB (the most one JSON Lines record may hold)");
            if (!newline) {
                pending.append(p, end);
                break;
            }
            bool ok;
            if (pending.empty()) {
                ok = handleLine(std::string_view(p, size_t(newline - p)));
            } else {
                pending.append(p, newline);
                ok = handleLine(pending);
                pending.clear();
            }
            if (!ok) return false;
            p = newline + 1;
        }
    }
    if (!pending.empty() && !handleLine(pending)) return false; // the last line, without a line break
    if (m_lines == 0) return fail(m_path + ": the file is empty");
    if (m_blanks)
        m_warnings.add("blank lines", m_path + ":" + std::to_string(m_firstBlank) + ": skipped "
                                          + std::to_string(m_blanks) + " blank line" + (m_blanks > 1 ? "s" : ""));
    return true;
}

// A line without its line break: blank, or a record.
bool JsonlReader::handleLine(std::string_view line)
{
    ++m_lines;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.substr(0, 3) == "\xEF\xBB\xBF") { // BOM
        line.remove_prefix(3);
        // Inside the file, as where two files were joined (cat a.jsonl b.jsonl): it was "bad JSON at column 1".
        if (m_lines > 1)
            m_warnings.add("byte order marks inside the file",
                           where(m_lines) + "a byte order mark (U+FEFF) starts the line, as where two files were "
                                            "joined; removed");
    }
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
        if (!m_blanks++) m_firstBlank = m_lines;
        return true;
    }
    return readLine(line, m_lines);
}

bool JsonlReader::readLine(std::string_view line, int lineNo)
{
    const size_t bad = utf8::invalidUtf8(line);
    if (bad != std::string_view::npos) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", unsigned(static_cast<unsigned char>(line[bad])));
        return fail(where(lineNo) + "invalid UTF-8 at column " + std::to_string(codePoints(line, bad) + 1)
                    + " (byte " + hex + ")");
    }
    Json root;
    std::string what;
    size_t offset = 0;
    if (!parseJson(line, &root, &what, &offset)) {
        // Lines that end with CR alone (an old Mac file) are one line here, two records on it.
        if (what == "unexpected text after the JSON value"
            && line.substr(0, offset).find('\r') != std::string_view::npos)
            what += " (a carriage return: do the lines end with CR alone? JSON Lines lines end with LF or CR LF)";
        return fail(where(lineNo) + "bad JSON at column " + std::to_string(codePoints(line, offset) + 1) + ": " + what);
    }
    if (root.type != Json::Object)
        return fail(where(lineNo) + "expected a JSON object, found " + typeName(root));

    Pending p;
    p.sample.line = lineNo;
    InputKind kind;
    if (!readInput(root, lineNo, &p.sample, &kind)) return false;
    const int length = kind == InputKind::Text ? codePoints(p.sample.text) : 0; // text: code points
    if (const Json *labels = root.find("labels"); labels && !readLabels(*labels, lineNo, &p)) return false;
    if (const Json *rationales = root.find("rationales"); rationales && !readRationales(*rationales, kind, length, lineNo, &p))
        return false;
    if (const Json *split = root.find("split"); split && !readSplit(*split, lineNo, &p.sample)) return false;

    // MODEL.md 2: a sample with no real token is dropped when loading.
    const bool empty = kind == InputKind::Text
        ? !utf8::hasToken(p.sample.text)
        : std::all_of(p.sample.features.begin(), p.sample.features.end(), [](float v) { return std::isnan(v); });
    if (empty) {
        m_warnings.add("samples without tokens dropped",
                       where(lineNo) + (kind == InputKind::Text ? "the text has no tokens" : "every feature is missing")
                           + "; sample dropped");
        return true;
    }
    if (kind == InputKind::Text)
        if (std::string note = controlCharacterNote(p.sample.text); !note.empty())
            m_warnings.add("control characters in texts", where(lineNo) + note);
    m_pending.push_back(std::move(p));
    return kind == InputKind::Text || tableFits(lineNo);
}

// Tabular samples keep a value, present or missing, for every feature the
// file names anywhere: a sparse file (each line its own few features of
// many) is a table of samples x features. One of 30,000 lines and 30,000
// names (1.6 MB) took 4.2 GB; twice as many lines and names would have been
// left to the kernel's out-of-memory killer. Refused once the table
// outgrows the memory budget, at the line where it does.
bool JsonlReader::tableFits(int lineNo)
{
    const double bytes = double(m_pending.size()) * double(m_featureNames.size()) * sizeof(float);
    const double budget = double(memoryBudget());
    if (bytes <= budget) return true;
    return fail(where(lineNo) + std::to_string(m_pending.size()) + " samples of " + std::to_string(m_featureNames.size())
                + " features need " + formatBytes(bytes) + " as a table (budget " + formatBytes(budget)
                + "): every sample keeps a value, present or missing, for each feature named on any line; name fewer "
                  "features, or give the samples as text");
}

// "text" or "features", the same kind on every line.
bool JsonlReader::readInput(const Json &root, int lineNo, Sample *sample, InputKind *kind)
{
    const Json *text = root.find("text");
    const Json *features = root.find("features");
    if (text && features) return fail(where(lineNo) + "a line has either \"text\" or \"features\", not both");
    if (!text && !features)
        return fail(where(lineNo) + "missing \"text\" (a string; or \"features\", an object, for tabular data)");
    *kind = text ? InputKind::Text : InputKind::Tabular;
    if (m_kindLine == 0) {
        m_kind = *kind;
        m_kindLine = lineNo;
    } else if (*kind != m_kind) {
        return fail(where(lineNo) + "a " + toString(*kind) + " line in a " + toString(m_kind) + " file (line "
                    + std::to_string(m_kindLine) + " has " + (m_kind == InputKind::Text ? "\"text\"" : "\"features\"")
                    + ")");
    }
    if (features) return readFeatures(*features, sample, lineNo);
    if (text->type != Json::String)
        return fail(where(lineNo) + "\"text\" must be a string, not " + typeName(*text));
    sample->text = text->text;
    return true;
}

bool JsonlReader::readFeatures(const Json &features, Sample *sample, int lineNo)
{
    if (features.type != Json::Object)
        return fail(where(lineNo) + "\"features\" must be an object, not " + typeName(features));
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (size_t i = 0; i < features.keys.size(); ++i) {
        const std::string &name = features.keys[i];
        const Json &v = features.items[i];
        // A number, or a string read as a CSV cell is (the same missing
        // values, a number in quotes), or null for missing.
        float value = nan;
        if (v.type == Json::Bool) {
            value = v.boolean ? 1.0f : 0.0f;  // as "true" and "false" in a CSV cell
        } else if (v.type == Json::Number || v.type == Json::String) {
            switch (parseFeatureValue(v.text, &value)) {
            case FeatureValue::Number:
            case FeatureValue::Missing: break;
            case FeatureValue::NotANumber:
                return fail(where(lineNo) + "feature " + inQuotes(name) + " has a non-numeric value " + inQuotes(v.text)
                            + " (a missing value is null, \"\", NaN, NA or N/A)");
            case FeatureValue::OutOfRange:
                return fail(where(lineNo) + "feature " + inQuotes(name) + ": "
                            + (v.type == Json::String ? inQuotes(v.text) : v.text) + " is out of range for a float");
            }
        } else if (v.type != Json::Null) {
            return fail(where(lineNo) + "feature " + inQuotes(name) + " must be a number, true or false (or null when missing), not "
                        + typeName(v));
        }
        // Features keep the order in which the file first names them.
        const auto [it, added] = m_featureIds.emplace(name, int(m_featureNames.size()));
        if (added) m_featureNames.push_back(name);
        if (sample->features.size() <= size_t(it->second)) sample->features.resize(size_t(it->second) + 1, nan);
        sample->features[size_t(it->second)] = value;
    }
    return true;
}

bool JsonlReader::readLabels(const Json &labels, int lineNo, Pending *p)
{
    if (labels.type != Json::Object)
        return fail(where(lineNo) + "\"labels\" must be an object, not " + typeName(labels));
    const std::vector<bool> counts = lastOfEachKey(labels);
    for (size_t i = 0; i < labels.keys.size(); ++i) {
        const std::string &task = labels.keys[i];
        const Json &v = labels.items[i];
        if (!counts[i]) continue; // a duplicate key: the last one counts
        std::string cls;
        switch (v.type) {
        case Json::String: cls = v.text; break;
        case Json::Number: cls = v.text; break;
        case Json::Bool: cls = v.boolean ? "true" : "false"; break;
        case Json::Null: break;
        default:
            return fail(where(lineNo) + "label of task " + inQuotes(task)
                        + " must be a string, number or boolean, not " + typeName(v));
        }
        const int t = taskId(task); // the task exists even where its label is missing
        if (!cls.empty()) p->labels.emplace_back(t, classId(t, cls));
    }
    return true;
}

// Text: [[start, end], ...] in code points; tabular: feature names, checked
// against the features once the whole file is read (finish).
bool JsonlReader::readRationales(const Json &rationales, InputKind kind, int length, int lineNo, Pending *p)
{
    if (rationales.type != Json::Object)
        return fail(where(lineNo) + "\"rationales\" must be an object, not " + typeName(rationales));
    const std::vector<bool> counts = lastOfEachKey(rationales);
    for (size_t i = 0; i < rationales.keys.size(); ++i) {
        const std::string &task = rationales.keys[i];
        const Json &list = rationales.items[i];
        if (!counts[i]) continue; // a duplicate key: the last one counts
        if (list.type != Json::Array)
            return fail(where(lineNo) + "rationales of task " + inQuotes(task) + " must be an array, not "
                        + typeName(list));
        const int t = taskId(task);
        if (kind == InputKind::Text) {
            std::vector<Span> spans;
            for (const Json &span : list.items) {
                int64_t a = 0, b = 0;
                if (span.type != Json::Array || span.items.size() != 2 || !jsonInteger(span.items[0], &a)
                    || !jsonInteger(span.items[1], &b))
                    return fail(where(lineNo) + "rationale of task " + inQuotes(task)
                                + " must be a list of [start, end] integer pairs");
                const std::string shown = "[" + std::to_string(a) + ", " + std::to_string(b) + "]";
                if (std::string problem = spanProblem(a, b, length, shown, task); !problem.empty())
                    return fail(where(lineNo) + problem);
                spans.push_back({int(a), int(b)});
            }
            p->spans.emplace_back(t, std::move(spans));
        } else {
            std::vector<std::string> names;
            for (const Json &name : list.items) {
                if (name.type != Json::String)
                    return fail(where(lineNo) + "rationale of task " + inQuotes(task) + " must be a list of feature names");
                names.push_back(name.text);
            }
            p->names.emplace_back(t, std::move(names));
        }
    }
    return true;
}

bool JsonlReader::readSplit(const Json &split, int lineNo, Sample *sample)
{
    if (split.type == Json::Null) return true;
    sample->split = split.type == Json::String ? splitIndex(split.text) : -1;
    if (sample->split < 0) return fail(where(lineNo) + "\"split\" must be \"train\", \"val\" or \"test\"");
    return true;
}

// Tasks and classes in byte order, the samples renumbered to them.
bool JsonlReader::finish(Dataset *out)
{
    if (m_pending.empty()) return fail(m_path + ": no samples (every line was blank or dropped)");

    // Tasks need at least one labelled class; a task seen only in
    // rationales (or only with missing labels) cannot be trained.
    std::vector<int> order;
    for (int t = 0; t < int(m_taskNames.size()); ++t) {
        if (m_classNames[size_t(t)].empty())
            m_warnings.addEach(m_path + ": task " + inQuotes(m_taskNames[size_t(t)]) + " has no labels; ignored");
        else
            order.push_back(t);
    }
    if (order.empty()) return fail(m_path + ": no labels: no line has a \"labels\" object with a task and a class");
    std::sort(order.begin(), order.end(), [&](int a, int b) { return m_taskNames[size_t(a)] < m_taskNames[size_t(b)]; });
    // provisional task id -> final index (-1: dropped); per task, provisional class id -> final index
    std::vector<int> taskIndex(m_taskNames.size(), -1);
    std::vector<std::vector<int>> classIndex(m_taskNames.size());
    Dataset data;
    data.source = m_path;
    data.input = m_kind;
    for (size_t i = 0; i < order.size(); ++i) {
        const int t = order[i];
        taskIndex[size_t(t)] = int(i);
        TaskInfo info = taskInByteOrder(m_taskNames[size_t(t)], m_classNames[size_t(t)], &classIndex[size_t(t)]);
        if (info.classes.size() == 1)
            m_warnings.addEach(m_path + ": " + oneClassWarning(info.name, info.classes[0]));
        for (const std::string &note : classNameNotes(info)) m_warnings.addEach(m_path + ": " + note);
        data.tasks.push_back(std::move(info));
    }

    const size_t T = data.tasks.size();
    const size_t F = m_featureNames.size();
    // Every sample keeps a label, present or missing, for each task: a file
    // whose lines each name their own task (10,000 lines of 400 KB took
    // 2.8 GB, labels and an empty rationale list per task) is a table too.
    if (const double bytes = double(m_pending.size()) * double(T) * sizeof(int); bytes > double(memoryBudget()))
        return fail(m_path + ": " + std::to_string(m_pending.size()) + " samples of " + std::to_string(T)
                    + " tasks need " + formatBytes(bytes) + " for their labels (budget "
                    + formatBytes(double(memoryBudget()))
                    + "): every sample keeps a label, present or missing, for each task named on any line");
    data.featureNames = m_featureNames;
    data.samples.reserve(m_pending.size());
    for (Pending &p : m_pending) {
        Sample &s = p.sample;
        s.labels.assign(T, -1);
        for (const auto &[t, c] : p.labels)
            if (taskIndex[size_t(t)] >= 0) s.labels[size_t(taskIndex[size_t(t)])] = classIndex[size_t(t)][size_t(c)];
        // Only a sample with rationales keeps a list per task (encodeDataset reads none past the end).
        if (!p.spans.empty() || !p.names.empty()) s.rationales.assign(T, {});
        for (auto &[t, spans] : p.spans)
            if (taskIndex[size_t(t)] >= 0) s.rationales[size_t(taskIndex[size_t(t)])] = std::move(spans);
        for (const auto &[t, names] : p.names) {
            if (taskIndex[size_t(t)] < 0) continue;
            auto &spans = s.rationales[size_t(taskIndex[size_t(t)])];
            for (const std::string &name : names) {
                const auto it = m_featureIds.find(name);
                if (it == m_featureIds.end())
                    return fail(where(s.line) + "rationale names " + inQuotes(name) + ", which is not a feature");
                spans.push_back({it->second, it->second + 1});
            }
        }
        if (m_kind == InputKind::Tabular) s.features.resize(F, std::numeric_limits<float>::quiet_NaN());
        data.samples.push_back(std::move(s));
    }
    // A class of one sample, as the CSV reader warns (docs/datasets.md).
    for (const std::string &note : rareClassNotes(data.tasks, data.samples)) m_warnings.addEach(m_path + ": " + note);
    data.warnings = m_warnings.take(m_path);
    *out = std::move(data);
    return true;
}

} // namespace

bool readJsonlDataset(const std::string &path, Dataset *out, std::string *error, const LoadProgress &progress)
{
    JsonlReader reader(path, progress);
    return reader.read(out, error);
}

} // namespace attnscope
