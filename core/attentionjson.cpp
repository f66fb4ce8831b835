#include "attentionjson.h"

namespace attnscope {

void writeAttentionSample(JsonWriter &w, const std::vector<TaskInfo> &tasks, const std::vector<std::string> &tokens,
                          const std::vector<std::vector<float>> &weights, const std::vector<std::vector<float>> &probs,
                          const SelfAttentionMaps &selfAttention)
{
    w.beginObject();
    writeAttentionMembers(w, tasks, tokens, weights, probs, selfAttention);
    w.endObject();
}

void writeAttentionMembers(JsonWriter &w, const std::vector<TaskInfo> &tasks, const std::vector<std::string> &tokens,
                           const std::vector<std::vector<float>> &weights, const std::vector<std::vector<float>> &probs,
                           const SelfAttentionMaps &selfAttention)
{
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
    for (int l = 0; l < selfAttention.layers && !selfAttention.empty(); ++l) {
        w.beginArray();
        for (int h = 0; h < selfAttention.heads; ++h) {
            w.beginArray();
            const float *map = selfAttention.map(l, h);
            for (int i = 0; i < selfAttention.n; ++i)
                w.array(map + size_t(i) * size_t(selfAttention.n), size_t(selfAttention.n));
            w.endArray();
        }
        w.endArray();
    }
    w.endArray();
}

void writeGates(JsonWriter &w, const std::vector<TaskInfo> &tasks, const std::vector<float> &gates)
{
    if (gates.empty())
        return;
    w.key("gates");
    w.beginObject();
    for (size_t t = 0; t < tasks.size() && t < gates.size(); ++t) {
        w.key(tasks[t].name);
        w.value(gates[t]);
    }
    w.endObject();
}

} // namespace attnscope
