#include "types.h"

namespace attnscope {

const char *toString(AttentionMode mode)
{
    switch (mode) {
    case AttentionMode::Task: return "task";
    case AttentionMode::Shared: return "shared";
    case AttentionMode::Gated: return "gated";
    case AttentionMode::Uniform: return "uniform";
    }
    return "task";
}

const char *toString(InputKind kind)
{
    return kind == InputKind::Text ? "text" : "tabular";
}

bool parseAttentionMode(const std::string &text, AttentionMode *mode)
{
    if (text == "task") *mode = AttentionMode::Task;
    else if (text == "shared") *mode = AttentionMode::Shared;
    else if (text == "gated") *mode = AttentionMode::Gated;
    else if (text == "uniform") *mode = AttentionMode::Uniform;
    else return false;
    return true;
}

std::string ModelConfig::validate() const
{
    if (dim < 1) return "width (dim) must be at least 1";
    if (heads < 1) return "heads must be at least 1";
    if (dim % heads != 0)
        return "width " + std::to_string(dim) + " is not a multiple of heads " + std::to_string(heads);
    if (ffn < 1) return "feed-forward width must be at least 1";
    if (layers < 0) return "layers must be 0 or more";
    if (classes.empty()) return "there are no tasks";
    for (size_t t = 0; t < classes.size(); ++t)
        if (classes[t] < 1) return "task " + std::to_string(t) + " has no classes";
    if (input == InputKind::Text) {
        if (maxLen < 1) return "max_len must be at least 1";
        if (vocabSize < 2) return "the vocabulary must hold at least <pad> and <unk>";
    } else if (features < 1) {
        return "tabular data needs at least one feature";
    }
    return {};
}

std::string bracketList(const std::vector<std::string> &items)
{
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i)
        out += (i ? ", " : "") + items[i];
    return out + "]";
}

std::vector<std::string> taskNameList(const std::vector<TaskInfo> &tasks)
{
    std::vector<std::string> names;
    for (const TaskInfo &task : tasks)
        names.push_back(task.name);
    return names;
}

void Batch::resize(int b, int l, int t, InputKind kind)
{
    B = b;
    L = l;
    T = t;
    const size_t n = size_t(b) * size_t(l);
    if (kind == InputKind::Text) {
        tokens.assign(n, 0);
        values.clear();
    } else {
        values.assign(n, 0.0f);
        tokens.clear();
    }
    mask.assign(n, 0);
    labels.assign(size_t(b) * size_t(t), -1);
    rationale.clear();
}

} // namespace attnscope
