#include "attentionsnapshot.h"

#include "attentionjson.h"
#include "explainjson.h"
#include "metrics.h"
#include "tokenizer.h"
#include "trainer.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace attnscope {

int AttentionSample::predicted(int task) const
{
    if (task < 0 || task >= int(probs.size()) || probs[size_t(task)].empty())
        return -1;
    const std::vector<float> &p = probs[size_t(task)];
    size_t best = 0;
    for (size_t c = 1; c < p.size(); ++c)
        if (p[c] > p[best])
            best = c;
    return int(best);
}

bool AttentionSample::hasRationale(int task) const
{
    if (task < 0 || task >= int(rationale.size()))
        return false;
    const std::vector<uint8_t> &r = rationale[size_t(task)];
    for (size_t j = 0; j < r.size(); ++j)
        if (r[j] && (j >= mask.size() || mask[j]))
            return true;
    return false;
}

std::vector<float> AttentionSample::scores(int task, Method method) const
{
    if (task < 0)
        return {};
    if (method == Method::Attention)
        return task < int(weights.size()) ? weights[size_t(task)] : std::vector<float>();
    if (!explanation || method == Method::Random || task >= int(explanation->sample.tasks.size()))
        return {};
    const std::vector<int> &real = explanation->sample.real;
    const std::vector<float> &values = explanation->sample.tasks[size_t(task)].scores[size_t(method)];
    if (values.size() != real.size())
        return {};  // not asked (or the task not explained)
    std::vector<float> out(tokens.size(), std::nanf(""));
    for (size_t i = 0; i < real.size(); ++i)
        if (real[i] >= 0 && size_t(real[i]) < out.size())
            out[size_t(real[i])] = values[i];
    return out;
}

const Faithfulness *AttentionSample::faithfulness(int task, Method method) const
{
    if (!explanation || task < 0 || task >= int(explanation->sample.tasks.size()))
        return nullptr;
    const std::optional<Faithfulness> &f = explanation->sample.tasks[size_t(task)].faithfulness[size_t(method)];
    return f ? &*f : nullptr;
}

int AttentionSnapshot::findProbe(int probe) const
{
    for (size_t i = 0; i < samples.size(); ++i)
        if (samples[i].probe == probe)
            return int(i);
    return -1;
}

SelfAttentionMaps blockMaxima(const SelfAttentionMaps &maps, int side)
{
    const int n = maps.n;
    if (maps.empty() || n <= side)
        return maps;
    SelfAttentionMaps out;
    out.reset(maps.layers, maps.heads, side);
    // Block px covers columns [first[px], first[px + 1]): the first j with j * side / n >= px.
    std::vector<int> first(size_t(side) + 1);
    for (int px = 0; px <= side; ++px)
        first[size_t(px)] = int((int64_t(px) * n + side - 1) / side);
    for (int l = 0; l < maps.layers; ++l)
        for (int h = 0; h < maps.heads; ++h) {
            const float *map = maps.map(l, h);
            float *thumb = out.map(l, h);
            for (int i = 0; i < n; ++i) {
                const float *row = map + size_t(i) * size_t(n);
                float *to = thumb + size_t(int64_t(i) * side / n) * size_t(side);
                for (int px = 0; px < side; ++px) {
                    float v = to[px];  // weights are >= 0: the block's maximum starts at 0
                    for (int j = first[size_t(px)]; j < first[size_t(px) + 1]; ++j)
                        v = std::max(v, row[j]);
                    to[px] = v;
                }
            }
        }
    return out;
}

size_t AttentionSnapshot::approximateBytes() const
{
    size_t bytes = sizeof(*this);
    for (const AttentionSample &s : samples) {
        bytes += sizeof(s) + s.text.size();
        for (const std::string &t : s.tokens) bytes += t.size() + sizeof(t);
        for (const auto &w : s.weights) bytes += w.size() * sizeof(float);
        for (const auto &p : s.probs) bytes += p.size() * sizeof(float);
        for (const auto &r : s.rationale) bytes += r.size();
        bytes += (s.selfAttention.floats() + s.thumbnails.floats()) * sizeof(float);
        if (s.explanation)  // shared with the snapshots around it: counted in each, an upper bound
            for (const TaskExplanation &t : s.explanation->sample.tasks)
                for (const auto &scores : t.scores) bytes += scores.size() * sizeof(float);
    }
    return bytes;
}

void AttentionSnapshot::dropSelfAttention()
{
    for (AttentionSample &s : samples) {
        s.selfAttention = {};
        s.thumbnails = {};
    }
}

AttentionSnapshot AttentionSnapshot::withoutSelfAttention() const
{
    AttentionSnapshot copy;
    copy.step = step;
    copy.fromFile = fromFile;
    copy.input = input;
    copy.mode = mode;
    copy.layers = layers;
    copy.heads = heads;
    copy.tasks = tasks;
    copy.gates = gates;
    copy.rationaleMass = rationaleMass;
    copy.rationaleAuprc = rationaleAuprc;
    copy.selfAttentionLimit = selfAttentionLimit;
    copy.explainedStep = explainedStep;
    copy.explanationsOff = explanationsOff;
    copy.comprehensiveness = comprehensiveness;
    copy.sufficiency = sufficiency;
    copy.taskLoss = taskLoss;
    copy.samples.reserve(samples.size());
    for (const AttentionSample &s : samples) {
        AttentionSample c;
        c.probe = s.probe;
        c.sampleIndex = s.sampleIndex;
        c.text = s.text;
        c.tokens = s.tokens;
        c.values = s.values;
        c.labels = s.labels;
        c.rationale = s.rationale;
        c.weights = s.weights;
        c.probs = s.probs;
        c.explanation = s.explanation;
        copy.samples.push_back(std::move(c));
    }
    return copy;
}

ModelInfo modelInfo(const Model &model)
{
    ModelInfo info;
    info.input = model.config.input;
    info.maxLen = model.config.maxLen;
    info.tasks = model.tasks;
    info.features = model.features;
    info.inputMean = model.inputMean;
    return info;
}

double meanNormalisedEntropy(const AttentionSnapshot &snapshot)
{
    double sum = 0;
    int64_t count = 0;
    for (const AttentionSample &sample : snapshot.samples) {
        for (const std::vector<float> &weights : sample.weights) {
            int n = 0;
            double h = 0;
            for (size_t j = 0; j < weights.size(); ++j) {
                if (j < sample.mask.size() && !sample.mask[j])
                    continue;
                ++n;
                if (weights[j] > 0)
                    h -= double(weights[j]) * std::log(double(weights[j]));
            }
            if (n < 2)
                continue;
            sum += h / std::log(double(n));
            ++count;
        }
    }
    return count ? sum / double(count) : -1.0;
}

std::vector<float> gateValues(const Model &model)
{
    std::vector<float> gates;
    if (model.config.mode != AttentionMode::Gated || model.params.empty())
        return gates;
    const ParamView<const float> p = model.view();
    if (!p.gate)
        return gates;
    for (int t = 0; t < model.config.tasks(); ++t)
        gates.push_back(1.0f / (1.0f + std::exp(-p.gate[t])));
    return gates;
}

double selfAttentionBytes(const ModelConfig &config, int n)
{
    return double(std::max(config.layers, 0)) * double(std::max(config.heads, 0)) * double(n) * double(n) * sizeof(float);
}

std::vector<std::vector<int>> snapshotBatches(const Model &model, const EncodedDataset &data,
                                              const std::vector<int> &indices, size_t batchBytes)
{
    // Attention bytes of a batch of B samples padded to L: layers x B x heads x L x L floats.
    const size_t perCell = size_t(std::max(model.config.layers, 1)) * size_t(std::max(model.config.heads, 1)) * sizeof(float);
    std::vector<std::vector<int>> batches;
    size_t longest = 0;
    for (int i : indices) {
        const size_t n = std::max<size_t>(data.samples[size_t(i)].mask.size(), 1);
        const size_t L = std::max(longest, n);
        if (!batches.empty() && (batches.back().size() + 1) * L * L * perCell <= batchBytes) {
            batches.back().push_back(i);
            longest = L;
        } else {
            batches.push_back({i});
            longest = n;
        }
    }
    return batches;
}

namespace {

// Which of the valid samples keep their self-attention maps, in order (the
// core copies out only those): the focus sample's whatever the budget (up
// to the limit); the others fill what is left in order.
std::vector<uint8_t> keptMaps(const ModelConfig &config, const EncodedDataset &data, const std::vector<int> &valid,
                              const SnapshotLimits &limits)
{
    // Self-attention bytes of a sample (its own n x n per layer and head).
    const auto mapBytes = [&](int i) { return selfAttentionBytes(config, int(data.samples[size_t(i)].mask.size())); };
    const bool focusIn = std::find(valid.begin(), valid.end(), limits.focus) != valid.end()
                         && mapBytes(limits.focus) <= limits.keepLimit;
    const double room = std::min(double(limits.selfAttentionBudget), limits.keepLimit);
    double used = focusIn ? mapBytes(limits.focus) : 0;
    std::vector<uint8_t> keeps(valid.size(), 0);
    for (size_t i = 0; i < valid.size(); ++i) {
        bool keep = valid[i] == limits.focus && focusIn;
        if (!keep && used + mapBytes(valid[i]) <= room) {
            used += mapBytes(valid[i]);
            keep = true;
        }
        keeps[i] = keep;
    }
    return keeps;
}

// What a sample shows at its positions: text, its tokens (marking those
// outside the vocabulary) and its original text; tabular, the feature names
// and raw values.
void fillTokens(AttentionSample &s, const Model &model, const EncodedSample &es, const Dataset *dataset)
{
    if (model.config.input == InputKind::Text) {
        for (const Token &token : es.tokens)
            s.tokens.push_back(token.text);
        s.unknown.resize(s.tokens.size());
        for (size_t j = 0; j < s.unknown.size() && j < es.ids.size(); ++j)
            s.unknown[j] = es.ids[j] == Vocabulary::Unk;
        if (dataset && es.index >= 0 && es.index < int(dataset->samples.size()))
            s.text = dataset->samples[size_t(es.index)].text;
    } else {
        const int n = int(es.mask.size());
        for (int j = 0; j < n; ++j)
            s.tokens.push_back(j < int(model.features.size()) ? model.features[size_t(j)]
                                                               : "feature " + std::to_string(j));
        s.values = es.values;
    }
}

// A probe's sample from its encoding and the core's outputs of its pass
// (moved in); its maps and their thumbnails when it keeps them.
void fillSample(AttentionSample &s, const Model &model, const EncodedSample &es, int probe, const Dataset *dataset,
                SampleOutputs &outputs, bool keep)
{
    const int T = int(model.tasks.size());
    s.probe = probe;
    s.sampleIndex = es.index;
    fillTokens(s, model, es, dataset);
    s.labels.assign(es.labels.begin(), es.labels.end());
    s.labels.resize(size_t(T), -1);
    s.mask = es.mask;
    s.rationale = es.rationale;
    s.rationale.resize(size_t(T));
    s.weights = std::move(outputs.pool);
    s.probs = std::move(outputs.probs);
    if (keep) {
        s.selfAttention = std::move(outputs.selfAttention);
        s.thumbnails = blockMaxima(s.selfAttention, ThumbnailSide);
    }
}

// Rationale agreement over the samples that have one: the one implementation evaluate() uses.
void measureRationales(AttentionSnapshot &snap)
{
    const int T = int(snap.tasks.size());
    snap.rationaleMass.assign(size_t(T), std::nullopt);
    snap.rationaleAuprc.assign(size_t(T), std::nullopt);
    for (int t = 0; t < T; ++t) {
        Mean mass, auprc;
        for (const AttentionSample &s : snap.samples) {
            if (t >= int(s.weights.size()) || t >= int(s.rationale.size()))
                continue;
            const std::vector<float> &w = s.weights[size_t(t)];
            const std::vector<uint8_t> &r = s.rationale[size_t(t)];
            const Plausibility p = plausibility(w.data(), s.mask.data(), r.data(),
                                                std::min({w.size(), r.size(), s.mask.size()}), true);
            mass.add(p.mass);
            auprc.add(p.auprc);
        }
        snap.rationaleMass[size_t(t)] = mass.value();
        snap.rationaleAuprc[size_t(t)] = auprc.value();
    }
}

} // namespace

AttentionSnapshot makeSnapshot(const Model &model, const EncodedDataset &data,
                               const std::vector<int> &indices, int64_t step, const Dataset *dataset,
                               const SnapshotLimits &limits)
{
    AttentionSnapshot snap;
    snap.step = step;
    snap.input = model.config.input;
    snap.mode = model.config.mode;
    snap.layers = model.config.layers;
    snap.heads = model.config.heads;
    snap.tasks = model.tasks;
    snap.gates = gateValues(model);

    std::vector<int> valid;
    for (int i : indices)
        if (i >= 0 && i < int(data.samples.size()))
            valid.push_back(i);
    snap.selfAttentionLimit = limits.keepLimit;
    const std::vector<uint8_t> keeps = keptMaps(model.config, data, valid, limits);

    snap.samples.resize(valid.size());
    size_t k = 0;
    InspectOptions options;
    options.workspace = limits.workspace;
    for (const std::vector<int> &batch : snapshotBatches(model, data, valid, limits.batchBytes)) {
        // One forward pass of the core; its Activations are what is shown.
        options.selfAttention.assign(keeps.begin() + long(k), keeps.begin() + long(k + batch.size()));
        std::vector<SampleOutputs> outputs = inspect(model, data, batch, options);
        for (size_t b = 0; b < batch.size(); ++b, ++k)
            fillSample(snap.samples[k], model, data.samples[size_t(batch[b])], batch[b], dataset, outputs[b], keeps[k]);
    }
    measureRationales(snap);
    return snap;
}

AttentionSnapshot fileSnapshot(AttentionFile file)
{
    AttentionSnapshot snap;
    snap.step = 0;
    snap.fromFile = true;
    snap.layers = file.layers;
    snap.heads = file.heads;
    snap.tasks = std::move(file.tasks);
    const size_t T = snap.tasks.size();
    snap.rationaleMass.assign(T, std::nullopt);
    snap.rationaleAuprc.assign(T, std::nullopt);
    snap.samples.resize(file.samples.size());
    for (size_t i = 0; i < file.samples.size(); ++i) {
        AttentionFileSample &from = file.samples[i];
        AttentionSample &s = snap.samples[i];
        s.probe = int(i);
        s.sampleIndex = int(i);
        s.tokens = std::move(from.tokens);
        s.mask.assign(s.tokens.size(), 1);
        s.labels.assign(T, -1);
        s.rationale.resize(T);
        s.weights = std::move(from.weights);
        s.probs = std::move(from.probs);
        s.selfAttention = std::move(from.selfAttention);
        s.thumbnails = blockMaxima(s.selfAttention, ThumbnailSide);
    }
    return snap;
}

EncodedDataset encodeText(const Model &model, const std::string &text)
{
    return encodeDataset(oneText(model.tasks, text), {0}, Vocabulary(model.vocab), model.config.maxLen);
}

EncodedDataset encodeRow(const Model &model, const std::vector<float> &values)
{
    return encodeDataset(oneRow(model.tasks, model.features, values), {0}, Vocabulary(), model.config.maxLen);
}

EncodedDataset encodeInput(const Model &model, const ProbeInput &input)
{
    if (model.params.empty() || input.input != model.config.input)
        return {};
    if (input.input == InputKind::Text)
        return tokenize(input.text, model.config.maxLen).empty() ? EncodedDataset() : encodeText(model, input.text);
    return encodeRow(model, input.row);
}

AttentionSnapshot makeInputSnapshot(const Model &model, const ProbeInput &input, int64_t step, double keepLimit)
{
    const EncodedDataset data = encodeInput(model, input);
    if (data.samples.empty())
        return {};
    SnapshotLimits limits;
    limits.keepLimit = keepLimit;
    AttentionSnapshot result = makeSnapshot(model, data, {0}, step, nullptr, limits);
    if (!result.samples.empty()) {
        result.samples[0].sampleIndex = -1;  // typed, not from the data
        if (input.input == InputKind::Text)
            result.samples[0].text = input.text;
    }
    return result;
}

std::string snapshotJson(const AttentionSnapshot &snapshot, const std::vector<int> &which)
{
    std::vector<int> chosen = which;
    if (chosen.empty())
        for (size_t i = 0; i < snapshot.samples.size(); ++i)
            chosen.push_back(int(i));
    // The CLI's writer and schema (core/attentionjson.h), compact as the CLI writes it.
    std::string out;
    JsonWriter w(&out, false);
    w.beginObject();
    writeGates(w, snapshot.tasks, snapshot.gates);
    w.key("samples");
    w.beginArray();
    for (int i : chosen) {
        if (i < 0 || i >= int(snapshot.samples.size()))
            continue;
        const AttentionSample &s = snapshot.samples[size_t(i)];
        w.beginObject();
        writeAttentionMembers(w, snapshot.tasks, s.tokens, s.weights, s.probs, s.selfAttention);
        // The worker's explanation, in the form of a sample of `attnscope-cli explain`.
        if (s.explanation) {
            w.key("explained_step");
            w.value(s.explanation->step);
            w.key("explanation");
            const SampleExplanation &e = s.explanation->sample;
            writeExplainedSample(w, snapshot.tasks, s.tokens, e, explainedMethods(e));
        }
        w.endObject();
    }
    w.endArray();
    // The means over the written samples' explanations, as `attnscope-cli
    // explain` gives them for the same samples: its accumulator and writer,
    // for every score some sample has.
    FaithfulnessSummary summary(snapshot.taskCount());
    std::array<bool, ScoreCount> has{};
    bool explained = false;
    for (int i : chosen)
        if (i >= 0 && i < int(snapshot.samples.size()) && snapshot.samples[size_t(i)].explanation) {
            const SampleExplanation &e = snapshot.samples[size_t(i)].explanation->sample;
            summary.add(e);
            for (Method m : explainedMethods(e))
                has[size_t(m)] = true;
            explained = true;
        }
    if (explained) {
        std::vector<Method> methods;
        for (int m = 0; m < ScoreCount; ++m)
            if (has[size_t(m)])
                methods.push_back(Method(m));
        w.key("faithfulness");
        writeFaithfulnessSummary(w, snapshot.tasks, summary, methods);
    }
    w.endObject();
    w.finish();
    return out;
}

} // namespace attnscope
