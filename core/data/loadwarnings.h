// Warnings that do not stop loading, collected per kind by the loaders
// (jsonl.cpp, csvreader.cpp): a file with ten thousand blank lines gives a
// few lines of warnings and a count, not ten thousand.
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
