// Warnings that do not stop loading, collected per kind by the loaders
// (jsonl.cpp, csvreader.cpp). A kind that can come once per row (a dropped
// sample, control characters) keeps its first PerKind and counts the rest: a
// file with ten thousand empty texts gives a few lines and a count, not ten
// thousand. A kind that comes once per column, task or class (an ignored
// column, a rare class) keeps every warning, so that the summary names each
// one: there are at most as many as the file has columns or classes (20,000
// columns give 20,000 lines, about 2 MB), never one per row.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace attnscope {

class LoadWarnings {
public:
    static constexpr int PerKind = 10;

    void add(const std::string &kind, std::string text)
    {
        if (m_counts[kind]++ < PerKind) m_list.push_back(std::move(text));
    }
    // A warning of a kind that comes at most once per column, task or class: kept.
    void addEach(std::string text) { m_list.push_back(std::move(text)); }
    // The warnings, then per kind with more than PerKind a line that counts
    // the rest ("SOURCE: ... and N more: KIND").
    std::vector<std::string> take(const std::string &source)
    {
        for (const auto &[kind, count] : m_counts)
            if (count > PerKind)
                m_list.push_back(source + ": ... and " + std::to_string(count - PerKind) + " more: " + kind);
        return std::move(m_list);
    }

private:
    std::map<std::string, int> m_counts;
    std::vector<std::string> m_list;
};

// Both readers load a task whose labels hold one class, with this warning
// (docs/datasets.md says why): "task "t" has only one class, "a": ...".
inline std::string oneClassWarning(const std::string &task, const std::string &cls)
{
    return "task \"" + task + "\" has only one class, \"" + cls
        + "\": it cannot be learned (its loss is always 0, its accuracy 1)";
}

} // namespace attnscope
