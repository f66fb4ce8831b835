#include "attentionjson.h"

namespace attnscope {

void writeAttentionSample(JsonWriter &w, const std::vector<TaskInfo> &tasks, const std::vector<std::string> &tokens,
                          const std::vector<std::vector<float>> &weights, const std::vector<std::vector<float>> &probs,
                          const std::vector<std::vector<std::vector<std::vector<float>>>> &selfAttention)
{
    w.beginObject();
    w.key("tokens");
    w.beginArray();
    for (const std::string &token : tokens)
        w.value(token);
    w.endArray();
    w.key("tasks");
    w.beginObject();
    for (size_t t = 0; t < tasks.size() && t < weights.size(); ++t) {
        w.key(tasks[t].name);
        w.array(weights[t]);
    }
    w.endObject();
    w.key("predictions");
    w.beginObject();
    for (size_t t = 0; t < tasks.size() && t < probs.size(); ++t) {
        const std::vector<float> &p = probs[t];
        size_t best = 0;
        for (size_t c = 1; c < p.size(); ++c)
            if (p[c] > p[best])
                best = c;
        w.key(tasks[t].name);
        w.beginObject();
        w.key("class");
        w.value(best < tasks[t].classes.size() && !p.empty() ? tasks[t].classes[best] : std::string());
        w.key("probabilities");
        w.array(p);
        w.endObject();
    }
    w.endObject();
    w.key("layers");
    w.beginArray();
    for (const auto &layer : selfAttention) {
        w.beginArray();
        for (const auto &head : layer) {
            w.beginArray();
            for (const std::vector<float> &row : head)
                w.array(row);
            w.endArray();
        }
        w.endArray();
    }
    w.endArray();
    w.endObject();
}

} // namespace attnscope
