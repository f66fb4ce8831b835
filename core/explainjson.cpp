#include "explainjson.h"

namespace attnscope {

namespace {

void writeFaithfulness(JsonWriter &w, Method m, const Faithfulness &f)
{
    w.beginObject();
    if (f.measured) {
        w.key("comprehensiveness");
        w.value(f.comprehensiveness);
        w.key("sufficiency");
        w.value(f.sufficiency);
    }
    if (f.auprc) {
        w.key("auprc");
        w.value(*f.auprc);
        if (isDistribution(m)) {
            w.key("mass");
            w.value(f.mass);
        }
    }
    w.endObject();
}

} // namespace

void writeExplainedSample(JsonWriter &w, const std::vector<TaskInfo> &tasks, const std::vector<std::string> &tokens,
                          const SampleExplanation &e, const std::vector<Method> &methods)
{
    w.beginObject();
    w.key("tokens");
    w.beginArray();
    for (int j : e.real)
        w.value(j >= 0 && j < int(tokens.size()) ? tokens[size_t(j)] : std::string());
    w.endArray();
    w.key("tasks");
    w.beginObject();
    for (size_t t = 0; t < e.tasks.size() && t < tasks.size(); ++t) {
        const TaskExplanation &te = e.tasks[t];
        if (te.cls < 0 || te.cls >= int(tasks[t].classes.size()))
            continue;  // --class gold without a label
        w.key(tasks[t].name);
        w.beginObject();
        w.key("class");
        w.value(tasks[t].classes[size_t(te.cls)]);
        w.key("scores");
        w.beginObject();
        for (Method m : methods) {
            if (m == Method::Random)
                continue;
            w.key(toString(m));
            w.array(te.scores[size_t(m)]);
        }
        w.endObject();
        if (te.integratedDelta) {
            w.key("integrated_delta");
            w.value(*te.integratedDelta);
        }
        w.key("faithfulness");
        w.beginObject();
        for (int m = 0; m < MethodCount; ++m)
            if (te.faithfulness[size_t(m)]) {
                w.key(toString(Method(m)));
                writeFaithfulness(w, Method(m), *te.faithfulness[size_t(m)]);
            }
        w.endObject();
        w.endObject();
    }
    w.endObject();
    w.endObject();
}

void writeFaithfulnessSummary(JsonWriter &w, const std::vector<TaskInfo> &tasks, const FaithfulnessSummary &summary,
                              const std::vector<Method> &methods)
{
    std::vector<Method> all = methods;
    all.push_back(Method::Random);
    w.beginObject();
    for (size_t t = 0; t < tasks.size() && t < summary.comprehensiveness.size(); ++t) {
        w.key(tasks[t].name);
        w.beginObject();
        for (Method m : all) {
            const size_t i = size_t(m);
            w.key(toString(m));
            w.beginObject();
            w.key("comprehensiveness");
            w.value(summary.comprehensiveness[t][i].value());
            w.key("sufficiency");
            w.value(summary.sufficiency[t][i].value());
            w.key("auprc");
            w.value(summary.auprc[t][i].value());
            w.key("mass");
            w.value(summary.mass[t][i].value());
            w.endObject();
        }
        w.endObject();
    }
    w.endObject();
}

std::vector<Method> explainedMethods(const SampleExplanation &e)
{
    std::vector<Method> methods;
    for (int m = 0; m < ScoreCount; ++m)
        for (const TaskExplanation &te : e.tasks)
            if (te.cls >= 0 && !te.scores[size_t(m)].empty()) {
                methods.push_back(Method(m));
                break;
            }
    return methods;
}

} // namespace attnscope
