// MODEL.md 9 from the core's own passes. A sample is run once as it is;
// every other pass runs over copies of its embedding e (L, d), one row each,
// under the row's own mask (occlusion, ERASER's "without" and "only") or
// scaled by s / S (integrated gradients), batched into chunks that fit
// ExplainOptions::batchBytes. Positions never move: a masked token keeps
// its place, as MODEL.md says.
#include "explain.h"

#include "memorybudget.h"
#include "random.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>
#include <string>
#include <unordered_map>

namespace attnscope {

namespace {

const char *const kMethodNames[MethodCount] = {"attention", "rollout", "gradient", "integrated", "occlusion", "random"};

// One copy of the sample's embedding: scaled by alpha, under mask (L), and
// when task >= 0 seeded for backward with d log p_task(cls) / d logits.
struct CopyRow {
    float alpha = 1;
    const uint8_t *mask = nullptr;
    int task = -1, cls = -1;
};

// log softmax(logits)[c] in double, from one row of C logits.
double logSoftmax(const float *logits, int C, int c)
{
    double mx = logits[0];
    for (int k = 1; k < C; ++k) mx = std::max(mx, double(logits[k]));
    double sum = 0;
    for (int k = 0; k < C; ++k) sum += std::exp(double(logits[k]) - mx);
    return double(logits[c]) - mx - std::log(sum);
}

// Runs forwardFromEmbedding (and backwardFromLogits without weight
// gradients, where a row is seeded) over rows, in chunks of whole rows;
// visit(row, b) is called for each row with its place b in ws.acts.
template <class Visit>
void runCopies(const Model &model, ExplainWorkspace &ws, int L, const std::vector<CopyRow> &rows, size_t batchBytes,
               Visit visit)
{
    if (rows.empty()) return;
    const ModelConfig &c = model.config;
    const ParamView<const float> &p = model.view();
    const int d = c.dim, T = c.tasks();
    // a row's forward and backward buffers, as memorybudget.h counts a training step's
    const size_t perRow = std::max<size_t>(1, size_t(trainingStepBytes(c, 1, L, 1).total()));
    const size_t chunk = std::clamp<size_t>(batchBytes / perRow, 1, rows.size());
    Batch &batch = ws.rows;
    Activations<float> &acts = ws.acts;
    std::vector<std::vector<float>> dlogits(static_cast<size_t>(T));
    for (size_t first = 0; first < rows.size(); first += chunk) {
        const int B = int(std::min(chunk, rows.size() - first));
        // Only the mask and the labels of the batch are read from here on.
        batch.B = B;
        batch.L = L;
        batch.T = T;
        batch.tokens.clear();
        batch.values.clear();
        batch.rationale.clear();
        batch.mask.resize(size_t(B) * size_t(L));
        batch.labels.assign(size_t(B) * size_t(T), -1);
        acts.embed.resize(size_t(B) * size_t(L) * size_t(d));
        bool seeded = false;
        for (int b = 0; b < B; ++b) {
            const CopyRow &row = rows[first + size_t(b)];
            std::copy_n(row.mask, L, batch.mask.data() + size_t(b) * size_t(L));
            float *e = acts.embed.data() + size_t(b) * size_t(L) * size_t(d);
            for (size_t i = 0; i < size_t(L) * size_t(d); ++i) e[i] = row.alpha * ws.e[i];
            seeded = seeded || row.task >= 0;
        }
        forwardFromEmbedding<float>(c, p, batch, {}, acts);
        if (seeded) {
            // d log p(c) / d logits = onehot(c) - p, on the seeded task of each row
            for (int t = 0; t < T; ++t) dlogits[size_t(t)].clear();
            for (int b = 0; b < B; ++b) {
                const CopyRow &row = rows[first + size_t(b)];
                if (row.task < 0) continue;
                const int C = c.classes[size_t(row.task)];
                std::vector<float> &g = dlogits[size_t(row.task)];
                g.resize(size_t(B) * size_t(C), 0.0f);
                const float *pr = acts.probs[size_t(row.task)].data() + size_t(b) * size_t(C);
                for (int k = 0; k < C; ++k) g[size_t(b) * size_t(C) + size_t(k)] = (k == row.cls ? 1.0f : 0.0f) - pr[k];
            }
            backwardFromLogits<float>(c, p, batch, dlogits, nullptr, acts, ParamView<float>{});
        }
        for (int b = 0; b < B; ++b) visit(first + size_t(b), b);
    }
}

// The sample as it is: a one-row batch, its embedding kept in ws.e, and the
// forward pass in ws.acts. Returns the real positions.
std::vector<int> runSample(const Model &model, const EncodedDataset &data, int index, ExplainWorkspace &ws)
{
    const ModelConfig &c = model.config;
    const float *mean = model.inputMean.empty() ? nullptr : model.inputMean.data();
    const float *stdv = model.inputStd.empty() ? nullptr : model.inputStd.data();
    makeBatch(data, &index, 1, &ws.batch);
    embed<float>(c, model.view(), mean, stdv, ws.batch, ws.acts);
    ws.e.assign(ws.acts.embed.begin(), ws.acts.embed.begin() + long(size_t(ws.batch.L) * size_t(c.dim)));
    forwardFromEmbedding<float>(c, model.view(), ws.batch, {}, ws.acts);
    std::vector<int> real;
    for (int j = 0; j < ws.batch.L; ++j)
        if (ws.batch.mask[size_t(j)]) real.push_back(j);
    return real;
}

// What ERASER needs of one ranking.
struct Ranked {
    int task = 0, cls = 0;
    double p = 0;  // p(cls) of the sample as it is
    const std::vector<int> *ranking = nullptr;
};

// Comprehensiveness and sufficiency of each ranking: the probability of its
// class with the top_k tokens taken out and with only them left, for each
// percent. Equal masks (several percents, several rankings and tasks) are
// run once; a mask with no real token predicts the uniform distribution.
std::vector<Faithfulness> eraserOf(const Model &model, ExplainWorkspace &ws, const std::vector<int> &real,
                                   const std::vector<Ranked> &items, size_t batchBytes)
{
    const ModelConfig &c = model.config;
    const int L = ws.batch.L, n = int(real.size());
    constexpr size_t K = EraserPercents.size();
    std::vector<std::string> masks;                  // unique non-empty masks, in first-seen order
    std::unordered_map<std::string, int> maskIndex;
    std::vector<std::array<int, 2 * K>> rowOf(items.size());  // per item: without_k, only_k; -1 = empty
    for (size_t i = 0; i < items.size(); ++i) {
        const std::vector<int> &ranking = *items[i].ranking;
        assert(int(ranking.size()) == n);
        for (size_t k = 0; k < K; ++k) {
            const int top = topCount(EraserPercents[k], n);
            std::string without(size_t(L), '\0'), only(size_t(L), '\0');
            for (int j : real) without[size_t(j)] = 1;
            for (int r = 0; r < top; ++r) {
                without[size_t(ranking[size_t(r)])] = 0;
                only[size_t(ranking[size_t(r)])] = 1;
            }
            for (int side = 0; side < 2; ++side) {
                std::string &mask = side == 0 ? without : only;
                int &slot = rowOf[i][2 * k + size_t(side)];
                if (mask.find('\1') == std::string::npos) {
                    slot = -1;
                    continue;
                }
                const auto [it, added] = maskIndex.emplace(mask, int(masks.size()));
                if (added) masks.push_back(std::move(mask));
                slot = it->second;
            }
        }
    }
    std::vector<CopyRow> rows(masks.size());
    for (size_t r = 0; r < masks.size(); ++r) rows[r].mask = reinterpret_cast<const uint8_t *>(masks[r].data());
    // p(cls) of each item's task under each row
    std::vector<std::vector<double>> probability(masks.size(), std::vector<double>(items.size()));
    runCopies(model, ws, L, rows, batchBytes, [&](size_t r, int b) {
        for (size_t i = 0; i < items.size(); ++i) {
            const int C = c.classes[size_t(items[i].task)];
            probability[r][i] = double(ws.acts.probs[size_t(items[i].task)][size_t(b) * size_t(C) + size_t(items[i].cls)]);
        }
    });
    std::vector<Faithfulness> out(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
        const double uniform = 1.0 / double(c.classes[size_t(items[i].task)]);
        Faithfulness &f = out[i];
        for (size_t k = 0; k < K; ++k) {
            const int without = rowOf[i][2 * k], only = rowOf[i][2 * k + 1];
            f.comprehensivenessK[k] = items[i].p - (without < 0 ? uniform : probability[size_t(without)][i]);
            f.sufficiencyK[k] = items[i].p - (only < 0 ? uniform : probability[size_t(only)][i]);
        }
        for (size_t k = 0; k < K; ++k) {
            f.comprehensiveness += f.comprehensivenessK[k];
            f.sufficiency += f.sufficiencyK[k];
        }
        f.comprehensiveness /= double(K);
        f.sufficiency /= double(K);
        f.measured = true;
    }
    return out;
}

// Rollout (MODEL.md 9): v = a[t] restricted to the real tokens, then
// v <- v M_l for l = N-1 .. 0 with M_l = 0.5 mean_i A_{l,i} + 0.5 I over the
// real rows and columns (not renormalised: each such row of mean_i A already
// sums to 1). A vector-matrix product per layer, never the n x n product R.
std::vector<float> rollout(const ModelConfig &c, const Activations<float> &acts, const float *attention,
                           const std::vector<int> &real)
{
    const int L = acts.L, n = int(real.size());
    std::vector<double> v(real.size()), next(real.size());
    for (int i = 0; i < n; ++i) v[size_t(i)] = attention[real[size_t(i)]];
    for (int l = c.layers - 1; l >= 0; --l) {
        const std::vector<float> &att = acts.layers[size_t(l)].att;  // (1, h, L, L)
        for (int j = 0; j < n; ++j) next[size_t(j)] = 0.5 * v[size_t(j)];
        for (int h = 0; h < c.heads; ++h) {
            const float *A = att.data() + size_t(h) * size_t(L) * size_t(L);
            for (int i = 0; i < n; ++i) {
                const double w = 0.5 * v[size_t(i)] / double(c.heads);
                const float *row = A + size_t(real[size_t(i)]) * size_t(L);
                for (int j = 0; j < n; ++j) next[size_t(j)] += w * double(row[real[size_t(j)]]);
            }
        }
        std::swap(v, next);
    }
    return std::vector<float>(v.begin(), v.end());
}

// sum_k e[j, k] g[j, k] for each real token j; g (L, d).
std::vector<float> timesInput(const std::vector<float> &e, const double *g, const std::vector<int> &real, int d)
{
    std::vector<float> out;
    out.reserve(real.size());
    for (int j : real) {
        double s = 0;
        for (int k = 0; k < d; ++k) s += double(e[size_t(j) * size_t(d) + size_t(k)]) * g[size_t(j) * size_t(d) + size_t(k)];
        out.push_back(float(s));
    }
    return out;
}

int methodIndex(Method m) { return int(m); }

} // namespace

const char *toString(Method method)
{
    return kMethodNames[methodIndex(method)];
}

bool parseMethod(const std::string &text, Method *method)
{
    for (int m = 0; m < MethodCount; ++m)
        if (text == kMethodNames[m]) {
            *method = Method(m);
            return true;
        }
    return false;
}

int topCount(int percent, int n)
{
    return std::max(1, (percent * n + 99) / 100);
}

bool ExplainOptions::wants(Method method) const
{
    return std::find(methods.begin(), methods.end(), method) != methods.end();
}

std::vector<int> rankBy(const std::vector<float> &scores, const std::vector<int> &real)
{
    assert(scores.size() == real.size());
    std::vector<int> order(real.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[size_t(a)] > scores[size_t(b)]; });
    for (int &i : order) i = real[size_t(i)];
    return order;
}

std::vector<int> randomRanking(const std::vector<int> &real, uint64_t seed, int sampleIndex, int task)
{
    // One generator per (seed, sample, task): splitmix64 chained through the three.
    Rng mixSeed(seed);
    Rng mixSample(mixSeed.next() ^ (uint64_t(uint32_t(sampleIndex)) * 0x9E3779B97F4A7C15ull));
    Rng rng(mixSample.next() ^ (uint64_t(uint32_t(task)) * 0xD1B54A32D192ED03ull));
    std::vector<int> order = real;
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    return order;
}

std::vector<Faithfulness> eraser(const Model &model, const EncodedDataset &data, int index, int task, int cls,
                                 const std::vector<std::vector<int>> &rankings, const ExplainOptions &options,
                                 ExplainWorkspace &ws)
{
    const std::vector<int> real = runSample(model, data, index, ws);
    const double p = double(ws.acts.probs[size_t(task)][size_t(cls)]);
    std::vector<Ranked> items;
    for (const std::vector<int> &ranking : rankings) items.push_back({task, cls, p, &ranking});
    return eraserOf(model, ws, real, items, options.batchBytes);
}

namespace {

// The pass of the sample as it is (in ws): per task the class explained,
// f = log p(cls), p, and the attention and rollout scores.
void explainAsIs(const ModelConfig &c, const ExplainWorkspace &ws, const ExplainOptions &options,
                 SampleExplanation &out)
{
    const std::vector<int> &real = out.real;
    const int T = c.tasks(), L = ws.batch.L;
    for (int t = 0; t < T; ++t) {
        TaskExplanation &te = out.tasks[size_t(t)];
        const int C = c.classes[size_t(t)];
        const float *logits = ws.acts.logits[size_t(t)].data();
        te.cls = options.classChoice == ClassChoice::Predicted ? int(std::max_element(logits, logits + C) - logits)
                                                               : ws.batch.labels[size_t(t)];
        if (te.cls < 0) continue;
        te.f = logSoftmax(logits, C, te.cls);
        te.p = double(ws.acts.probs[size_t(t)][size_t(te.cls)]);
        const float *a = ws.acts.pool.data() + size_t(t) * size_t(L);
        if (options.wants(Method::Attention)) {
            std::vector<float> &s = te.scores[methodIndex(Method::Attention)];
            for (int j : real) s.push_back(a[j]);
        }
        if (options.wants(Method::Rollout)) te.scores[methodIndex(Method::Rollout)] = rollout(c, ws.acts, a, real);
    }
}

// Gradient x input and integrated gradients: per explained task, the
// copies at (s / S) e for s = 1 .. S, each seeded with its task's class;
// the one at s = S is gradient x input's.
void explainByGradients(const Model &model, ExplainWorkspace &ws, const std::vector<uint8_t> &baseMask,
                        const ExplainOptions &options, SampleExplanation &out)
{
    const bool gradient = options.wants(Method::Gradient), integrated = options.wants(Method::Integrated);
    if (!gradient && !integrated) return;
    const ModelConfig &c = model.config;
    const int T = c.tasks(), d = c.dim, L = ws.batch.L;
    const int S = std::max(1, options.igSteps);
    std::vector<CopyRow> rows;
    std::vector<std::pair<int, int>> of;  // (task, s) of each row
    for (int t = 0; t < T; ++t) {
        const int cls = out.tasks[size_t(t)].cls;
        if (cls < 0) continue;
        for (int s = integrated ? 1 : S; s <= S; ++s) {
            rows.push_back({float(s) / float(S), baseMask.data(), t, cls});
            of.push_back({t, s});
        }
    }
    const size_t Ld = size_t(L) * size_t(d);
    std::vector<std::vector<double>> sum(static_cast<size_t>(T)), grad(static_cast<size_t>(T));
    runCopies(model, ws, L, rows, options.batchBytes, [&](size_t r, int b) {
        const auto [t, s] = of[r];
        const float *g = ws.acts.scratch.dh.data() + size_t(b) * Ld;
        std::vector<double> &acc = sum[size_t(t)];
        acc.resize(Ld, 0.0);
        for (size_t i = 0; i < Ld; ++i) acc[i] += double(g[i]);
        if (s == S) grad[size_t(t)].assign(g, g + Ld);
    });
    for (int t = 0; t < T; ++t) {
        TaskExplanation &te = out.tasks[size_t(t)];
        if (te.cls < 0) continue;
        if (gradient) te.scores[methodIndex(Method::Gradient)] = timesInput(ws.e, grad[size_t(t)].data(), out.real, d);
        if (integrated) {
            for (double &x : sum[size_t(t)]) x /= double(S);
            te.scores[methodIndex(Method::Integrated)] = timesInput(ws.e, sum[size_t(t)].data(), out.real, d);
        }
    }
}

// Forward only: f(0) (integrated gradients' baseline, mask unchanged),
// and occlusion, one copy without each real token (a sample of one token
// left with none predicts the uniform distribution).
void explainByForwardCopies(const Model &model, ExplainWorkspace &ws, const std::vector<uint8_t> &baseMask,
                            const ExplainOptions &options, SampleExplanation &out)
{
    const ModelConfig &c = model.config;
    const std::vector<int> &real = out.real;
    const int T = c.tasks(), L = ws.batch.L, n = int(real.size());
    const bool integrated = options.wants(Method::Integrated), occlusion = options.wants(Method::Occlusion);
    std::vector<CopyRow> rows;
    if (integrated) rows.push_back({0.0f, baseMask.data()});
    std::vector<std::vector<uint8_t>> masks;
    if (occlusion && n > 1) {
        masks.assign(size_t(n), baseMask);
        for (int i = 0; i < n; ++i) {
            masks[size_t(i)][size_t(real[size_t(i)])] = 0;
            rows.push_back({1.0f, masks[size_t(i)].data()});
        }
    }
    for (int t = 0; t < T; ++t)
        if (occlusion && out.tasks[size_t(t)].cls >= 0)
            out.tasks[size_t(t)].scores[methodIndex(Method::Occlusion)].assign(size_t(n), 0.0f);
    runCopies(model, ws, L, rows, options.batchBytes, [&](size_t r, int b) {
        for (int t = 0; t < T; ++t) {
            TaskExplanation &te = out.tasks[size_t(t)];
            if (te.cls < 0) continue;
            const int C = c.classes[size_t(t)];
            const double f = logSoftmax(ws.acts.logits[size_t(t)].data() + size_t(b) * size_t(C), C, te.cls);
            if (integrated && r == 0) te.fZero = f;
            else te.scores[methodIndex(Method::Occlusion)][r - (integrated ? 1 : 0)] = float(te.f - f);
        }
    });
    if (occlusion && n == 1)
        for (int t = 0; t < T; ++t) {  // f(x) - f(nothing), f(nothing) = -log C_t
            TaskExplanation &te = out.tasks[size_t(t)];
            if (te.cls >= 0)
                te.scores[methodIndex(Method::Occlusion)][0] = float(te.f + std::log(double(c.classes[size_t(t)])));
        }
}

// Integrated gradients' completeness: how far its scores' sum is from
// f(x) - f(0).
void integratedDeltas(SampleExplanation &out)
{
    for (TaskExplanation &te : out.tasks) {
        if (te.cls < 0) continue;
        double total = 0;
        for (float s : te.scores[methodIndex(Method::Integrated)]) total += double(s);
        te.integratedDelta = total - (te.f - te.fZero);
    }
}

// The real tokens ordered by each explained task's scores of each method
// asked for, and by the random baseline's permutation.
struct Rankings {
    std::vector<std::vector<int>> orders;
    std::vector<std::pair<int, int>> of;  // (task, method)
};

Rankings rankTokens(const SampleExplanation &out, const ExplainOptions &options)
{
    Rankings rankings;
    rankings.orders.reserve(out.tasks.size() * MethodCount);
    for (int t = 0; t < int(out.tasks.size()); ++t) {
        const TaskExplanation &te = out.tasks[size_t(t)];
        if (te.cls < 0) continue;
        for (int m = 0; m < MethodCount; ++m) {
            if (Method(m) == Method::Random) rankings.orders.push_back(randomRanking(out.real, options.seed, out.index, t));
            else if (options.wants(Method(m))) rankings.orders.push_back(rankBy(te.scores[size_t(m)], out.real));
            else continue;
            rankings.of.push_back({t, m});
        }
    }
    return rankings;
}

// The rankings' faithfulness (ERASER, when options ask for it) and their
// plausibility against the sample's rationale, into each task's faithfulness.
void scoreRankings(const Model &model, ExplainWorkspace &ws, const Rankings &rankings, const ExplainOptions &options,
                   SampleExplanation &out)
{
    const std::vector<int> &real = out.real;
    const int L = ws.batch.L, n = int(real.size());
    std::vector<Faithfulness> faith(rankings.orders.size());
    if (options.faithfulness) {
        std::vector<Ranked> items;
        for (size_t i = 0; i < rankings.orders.size(); ++i) {
            const int t = rankings.of[i].first;
            items.push_back({t, out.tasks[size_t(t)].cls, out.tasks[size_t(t)].p, &rankings.orders[i]});
        }
        faith = eraserOf(model, ws, real, items, options.batchBytes);
    }
    std::vector<uint8_t> present(real.size(), 1), flags(real.size());
    for (size_t i = 0; i < rankings.orders.size(); ++i) {
        const auto [t, m] = rankings.of[i];
        TaskExplanation &te = out.tasks[size_t(t)];
        const bool hasFlags = ws.batch.hasRationale();
        for (int k = 0; k < n; ++k)
            flags[size_t(k)] = hasFlags ? ws.batch.rationale[size_t(t) * size_t(L) + size_t(real[size_t(k)])] : 0;
        std::vector<float> scores;
        if (Method(m) == Method::Random) {
            // ranked by the permutation: score n - rank, no ties
            std::vector<int> rank(size_t(L), 0);
            for (int r = 0; r < n; ++r) rank[size_t(rankings.orders[i][size_t(r)])] = r;
            for (int j : real) scores.push_back(float(n - rank[size_t(j)]));
        }
        const std::vector<float> &s = Method(m) == Method::Random ? scores : te.scores[size_t(m)];
        const Plausibility pl = plausibility(s.data(), present.data(), flags.data(), size_t(n), isDistribution(Method(m)));
        faith[i].auprc = pl.auprc;
        faith[i].mass = pl.mass;
        te.faithfulness[size_t(m)] = faith[i];
    }
}

} // namespace

SampleExplanation explainSample(const Model &model, const EncodedDataset &data, int index,
                                const ExplainOptions &options, ExplainWorkspace &ws)
{
    SampleExplanation out;
    out.index = data.samples[size_t(index)].index;
    out.real = runSample(model, data, index, ws);
    out.tasks.resize(size_t(model.config.tasks()));
    const std::vector<uint8_t> baseMask(ws.batch.mask.begin(), ws.batch.mask.end());
    explainAsIs(model.config, ws, options, out);
    explainByGradients(model, ws, baseMask, options, out);
    explainByForwardCopies(model, ws, baseMask, options, out);
    if (options.wants(Method::Integrated)) integratedDeltas(out);
    scoreRankings(model, ws, rankTokens(out, options), options, out);
    return out;
}

FaithfulnessSummary::FaithfulnessSummary(int tasks)
    : comprehensiveness(size_t(std::max(0, tasks))), sufficiency(size_t(std::max(0, tasks))),
      auprc(size_t(std::max(0, tasks))), mass(size_t(std::max(0, tasks)))
{
}

void FaithfulnessSummary::add(const SampleExplanation &sample)
{
    for (size_t t = 0; t < sample.tasks.size() && t < comprehensiveness.size(); ++t) {
        const TaskExplanation &te = sample.tasks[t];
        if (te.cls < 0) continue;
        for (int m = 0; m < MethodCount; ++m) {
            const std::optional<Faithfulness> &f = te.faithfulness[size_t(m)];
            if (!f) continue;
            if (f->measured) {
                comprehensiveness[t][size_t(m)].add(f->comprehensiveness);
                sufficiency[t][size_t(m)].add(f->sufficiency);
            }
            auprc[t][size_t(m)].add(f->auprc);
            mass[t][size_t(m)].add(f->mass);
        }
    }
}

} // namespace attnscope
