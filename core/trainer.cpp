#include "trainer.h"

#include "memorybudget.h"
#include "metrics.h"
#include "random.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace attnscope {

Trainer::Trainer(Model &model, const EncodedDataset &train, const TrainConfig &config)
    : m_model(model), m_train(train), m_config(config),
      m_optimizer(config.optimizer, model.params.size()), m_grads(model.params.size(), 0.0f),
      m_gradView(makeView(model.layout, m_grads.data())),
      m_rng(config.seed ^ 0x5DEECE66Dull)
{
    const int64_t n = int64_t(train.samples.size());
    const int64_t bs = std::max(1, config.batchSize);
    m_stepsPerEpoch = n > 0 ? (n + bs - 1) / bs : 0;
    m_totalSteps = config.steps > 0 ? config.steps : int64_t(std::max(0, config.epochs)) * m_stepsPerEpoch;
    if (n == 0) m_totalSteps = 0;
    m_progress.totalSteps = m_totalSteps;
    setUpOptimizer(m_optimizer);
    startEpoch();
}

// AdamW brings the rows of the embedding tables that a batch does not use up
// to date lazily (Optimizer: lazy rows); tables 0 and 1 for useRows. The
// optimiser's passes run on the step's threads.
void Trainer::setUpOptimizer(Optimizer &optimizer)
{
    optimizer.setThreads(&m_workspace.pool, m_config.threads);
    const TensorSpec *token = m_model.layout.find("embed.token"), *position = m_model.layout.find("embed.position");
    if (token && position)
        optimizer.setRowTables({{token->offset, token->shape[0], token->shape[1]},
                                {position->offset, position->shape[0], position->shape[1]}},
                               m_model.params.data());
}

// A fresh order of the training samples: shuffled with the trainer's own
// generator (Fisher-Yates), so the same seed gives the same batches.
void Trainer::startEpoch()
{
    const int n = int(m_train.samples.size());
    m_epochRng = m_rng.state();
    m_order.resize(size_t(n));
    for (int i = 0; i < n; ++i) m_order[size_t(i)] = i;
    if (m_config.shuffle)
        for (int i = n - 1; i > 0; --i) std::swap(m_order[size_t(i)], m_order[m_rng.below(uint64_t(i) + 1)]);
    m_cursor = 0;
}

bool Trainer::step()
{
    if (finished()) return false;
    const auto start = std::chrono::steady_clock::now();
    const int64_t n = int64_t(m_order.size());
    if (m_cursor >= n) {
        ++m_epoch;
        startEpoch();
    }
    const int count = int(std::min<int64_t>(std::max(1, m_config.batchSize), n - m_cursor));
    makeBatch(m_train, m_order.data() + m_cursor, count, &m_batch);
    m_cursor += count;

    float *params = m_model.params.data();
    m_optimizer.zeroGradients(m_grads.data());
    if (!m_batch.tokens.empty()) {
        // the embedding rows this batch reads and changes, up to date
        if (m_positions.size() < size_t(m_batch.L))
            for (int32_t j = int32_t(m_positions.size()); j < m_batch.L; ++j) m_positions.push_back(j);
        m_optimizer.useRows(params, 0, m_batch.tokens.data(), m_batch.tokens.size());
        m_optimizer.useRows(params, 1, m_positions.data(), size_t(m_batch.L));
    }
    const Losses<float> losses = forwardBackward(m_model, m_batch, m_config.taskWeights, m_config.threads,
                                                 m_workspace, m_gradView, m_config.rationaleWeight);
    m_model.rationaleWeight = m_config.rationaleWeight;  // what the checkpoint records

    const float lr = scheduledLearningRate(m_config.optimizer, m_step, m_totalSteps);
    const float norm = m_config.optimizer.clip > 0 ? m_optimizer.clipGradNorm(m_grads.data(), m_config.optimizer.clip)
                                                   : m_optimizer.gradNorm(m_grads.data());
    const bool finite = std::isfinite(losses.total) && std::isfinite(norm);
    if (finite) {
        OptimizerConfig oc = m_config.optimizer;  // lr and the like may change between steps
        m_optimizer.setConfig(oc);
        m_optimizer.step(params, m_grads.data(), lr);
        ++m_step;
    } else {
        m_stop.store(true);
    }
    if (!m_deferSync || !finite || finished()) m_optimizer.sync(params);

    m_elapsed += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    Progress &pr = m_progress;
    pr.step = m_step;
    pr.totalSteps = m_totalSteps;
    pr.epoch = m_epoch;
    pr.epochProgress = m_stepsPerEpoch ? double(m_epoch) + double(m_cursor) / double(n) : 0.0;
    pr.loss = losses.total;
    pr.taskLoss = losses.task;
    pr.rationaleLoss = losses.att;
    pr.learningRate = lr;
    pr.gradNorm = norm;
    pr.stepsPerSecond = m_elapsed > 0 ? double(m_step - m_firstStep) / m_elapsed : 0.0;
    pr.samplesPerSecond = pr.stepsPerSecond * double(std::min<int64_t>(m_config.batchSize, n));
    pr.diverged = !finite;
    if (m_callback) m_callback(pr);
    return finite;
}

void Trainer::rewind(const std::vector<float> &params)
{
    if (params.size() != m_model.params.size())
        throw std::invalid_argument("Trainer::rewind: weights of another model");
    m_model.params = params;
    Optimizer fresh(m_config.optimizer, m_model.params.size());
    setUpOptimizer(fresh);  // every row exact at the weights now
    m_optimizer = std::move(fresh);
}

TrainerState Trainer::state()
{
    syncModel();  // the weights beside it, exact
    TrainerState s;
    s.step = m_step;
    s.epoch = m_epoch;
    s.cursor = m_cursor;
    s.epochRng = m_epochRng;
    s.trainSamples = int64_t(m_train.samples.size());
    s.learningRate = m_config.optimizer.lr;
    s.taskWeights = m_config.taskWeights;
    s.rationaleWeight = m_config.rationaleWeight;
    s.optimizer = m_optimizer.state();
    return s;
}

bool Trainer::restore(const TrainerState &state, std::string *error)
{
    const int64_t n = int64_t(m_train.samples.size());
    if (state.trainSamples != n) {
        *error = "the saved state was taken on " + std::to_string(state.trainSamples)
               + " training samples, this run has " + std::to_string(n);
        return false;
    }
    if (state.step < 0 || state.epoch < 0 || state.cursor < 0 || state.cursor > n) {
        *error = "the saved state's step, epoch or position in the epoch is out of range";
        return false;
    }
    if (!state.taskWeights.empty() && state.taskWeights.size() != size_t(m_model.config.tasks())) {
        *error = "the saved state has " + std::to_string(state.taskWeights.size()) + " task weights for "
               + std::to_string(m_model.config.tasks()) + " tasks";
        return false;
    }
    Optimizer optimizer(m_config.optimizer, m_model.params.size());
    if (!optimizer.restore(state.optimizer, error))
        return false;
    // the lazy rows where the saved run had them, so that the steps repeat
    // bit for bit; a state without them starts every row exact here
    setUpOptimizer(optimizer);
    if (!state.optimizer.rows.empty() && !optimizer.restoreRows(state.optimizer.rows, error))
        return false;
    if (state.optimizer.rows.empty())
        optimizer.setLearningRateBound(state.learningRate);
    m_optimizer = std::move(optimizer);
    m_config.optimizer.lr = state.learningRate;
    m_config.taskWeights = state.taskWeights;
    m_config.rationaleWeight = state.rationaleWeight;
    // This epoch's order drawn again from the generator as it was before it.
    m_rng = Rng(state.epochRng);
    startEpoch();
    m_cursor = state.cursor;
    m_epoch = state.epoch;
    m_step = state.step;
    m_progress = Progress();
    m_progress.step = m_step;
    m_progress.totalSteps = m_totalSteps;
    m_progress.epoch = m_epoch;
    m_progress.epochProgress = n > 0 ? double(m_epoch) + double(m_cursor) / double(n) : 0.0;
    m_progress.learningRate = m_config.optimizer.lr;
    m_elapsed = 0;
    m_firstStep = m_step;
    return true;
}

void Trainer::runEpoch()
{
    const bool defer = std::exchange(m_deferSync, true);
    // The first step starts a new epoch when the last one is complete.
    while (!finished() && !stopRequested()) {
        if (!step() || m_cursor >= int64_t(m_order.size())) break;
    }
    m_deferSync = defer;
    syncModel();
}

void Trainer::run()
{
    const bool defer = std::exchange(m_deferSync, true);
    while (!finished() && !stopRequested())
        if (!step()) break;
    m_deferSync = defer;
    syncModel();
}

void Trainer::syncModel()
{
    m_optimizer.sync(m_model.params.data());
}

void Trainer::setLearningRate(float lr)
{
    m_config.optimizer.lr = lr;
    m_optimizer.setLearningRateBound(lr);
}

namespace {

// Runs the model over samples[indices] in batches, calling visit(batch, acts, first) per batch.
// With a workspace, its buffers are used (and kept) instead of fresh ones.
template <class Visit>
void forEachBatch(const Model &model, const EncodedDataset &data, const std::vector<int> &indices,
                  int batchSize, const std::vector<float> &taskWeights, Visit visit,
                  InspectWorkspace *workspace = nullptr)
{
    InspectWorkspace local;
    InspectWorkspace &ws = workspace ? *workspace : local;
    Batch &batch = ws.batch;
    Activations<float> &acts = ws.acts;
    const ParamView<const float> &p = model.view();
    const float *mean = model.inputMean.empty() ? nullptr : model.inputMean.data();
    const float *stdv = model.inputStd.empty() ? nullptr : model.inputStd.data();
    batchSize = passBatch(model.config, longestSample(data, indices), batchSize);
    for (size_t first = 0; first < indices.size(); first += size_t(batchSize)) {
        const int count = int(std::min(indices.size() - first, size_t(batchSize)));
        makeBatch(data, indices.data() + first, count, &batch);
        const Losses<float> losses = forward<float>(model.config, p, mean, stdv, batch, taskWeights, acts);
        visit(batch, acts, losses, first);
    }
}

} // namespace

EvalResult evaluate(const Model &model, const EncodedDataset &data, const std::vector<float> &taskWeights, int batchSize)
{
    const int T = model.config.tasks();
    std::vector<int> indices(data.samples.size());
    for (size_t i = 0; i < indices.size(); ++i) indices[i] = int(i);

    const size_t nt = size_t(T);
    std::vector<double> lossSum(nt, 0.0);
    std::vector<Mean> mass(nt), auprc(nt);
    std::vector<std::vector<int>> gold(nt), pred(nt);
    std::vector<Confusion> confusion(nt);
    for (size_t t = 0; t < nt; ++t) {
        const int C = model.config.classes[t];
        confusion[t].classes = C;
        if (C <= Confusion::MaxClasses) confusion[t].counts.assign(size_t(C) * size_t(C), 0);
    }

    forEachBatch(model, data, indices, std::max(1, batchSize), taskWeights,
                 [&](const Batch &batch, const Activations<float> &acts, const Losses<float> &losses, size_t first) {
        const int B = batch.B, L = batch.L;
        for (int t = 0; t < T; ++t) {
            lossSum[size_t(t)] += double(losses.task[size_t(t)]) * losses.labelled[size_t(t)];
            const int C = model.config.classes[size_t(t)];
            for (int b = 0; b < B; ++b) {
                const int y = batch.labels[size_t(b) * T + t];
                if (y >= 0) {
                    const float *pr = acts.probs[size_t(t)].data() + size_t(b) * C;
                    const int p = int(std::max_element(pr, pr + C) - pr);
                    gold[size_t(t)].push_back(y);
                    pred[size_t(t)].push_back(p);
                    Confusion &c = confusion[size_t(t)];
                    if (!c.counts.empty()) ++c.counts[size_t(y) * size_t(C) + size_t(p)];
                    if (p != y && Confusion::keepsMiss(first + size_t(b), data.samples.size()))
                        c.misses.push_back({data.samples[first + size_t(b)].index, y, p});
                }
                if (!batch.hasRationale()) continue;
                const size_t row = size_t(b) * T + size_t(t);
                const Plausibility p = plausibility(acts.pool.data() + row * L, batch.mask.data() + size_t(b) * L,
                                                    batch.rationale.data() + row * L, size_t(L), true);
                mass[size_t(t)].add(p.mass);
                auprc[size_t(t)].add(p.auprc);
            }
        }
    });

    EvalResult result;
    result.samples = int(data.samples.size());
    result.tasks.resize(size_t(T));
    for (int t = 0; t < T; ++t) {
        TaskMetrics &m = result.tasks[size_t(t)];
        m.labelled = int(gold[size_t(t)].size());
        m.loss = m.labelled ? lossSum[size_t(t)] / m.labelled : 0.0;
        m.accuracy = accuracy(gold[size_t(t)], pred[size_t(t)]);
        m.macroF1 = macroF1(gold[size_t(t)], pred[size_t(t)], model.config.classes[size_t(t)]);
        m.rationaleMass = mass[size_t(t)].value();
        m.rationaleAuprc = auprc[size_t(t)].value();
        m.confusion = std::move(confusion[size_t(t)]);
        const double lambda = taskWeights.empty() ? 1.0 : double(taskWeights[size_t(t)]);
        result.loss += lambda * m.loss;
    }
    return result;
}

std::vector<SampleOutputs> inspect(const Model &model, const EncodedDataset &data, const std::vector<int> &indices)
{
    return inspect(model, data, indices, InspectOptions{});
}

std::vector<SampleOutputs> inspect(const Model &model, const EncodedDataset &data, const std::vector<int> &indices,
                                   const InspectOptions &options)
{
    const ModelConfig &c = model.config;
    const int T = c.tasks();
    std::vector<SampleOutputs> out(indices.size());
    forEachBatch(model, data, indices, 64, {},
                 [&](const Batch &batch, const Activations<float> &acts, const Losses<float> &, size_t first) {
        const int L = batch.L;
        for (int b = 0; b < batch.B; ++b) {
            const EncodedSample &s = data.samples[size_t(indices[first + size_t(b)])];
            const int n = int(s.mask.size());  // the sample's own positions (text: its tokens; tabular: every feature)
            SampleOutputs &o = out[first + size_t(b)];
            o.pool.assign(size_t(T), {});
            o.probs.assign(size_t(T), {});
            for (int t = 0; t < T; ++t) {
                const float *a = acts.pool.data() + (size_t(b) * T + t) * L;
                o.pool[size_t(t)].assign(a, a + n);
                const int C = c.classes[size_t(t)];
                const float *pr = acts.probs[size_t(t)].data() + size_t(b) * C;
                o.probs[size_t(t)].assign(pr, pr + C);
            }
            const size_t index = first + size_t(b);
            if (index < options.selfAttention.size() && !options.selfAttention[index])
                continue;  // its maps are not wanted
            SelfAttentionMaps &maps = o.selfAttention;
            maps.reset(c.layers, c.heads, n);
            for (int l = 0; l < c.layers; ++l)
                for (int h = 0; h < c.heads; ++h) {
                    const float *A = acts.layers[size_t(l)].att.data() + (size_t(b) * c.heads + h) * L * L;
                    float *to = maps.map(l, h);
                    for (int i = 0; i < n; ++i)
                        std::copy_n(A + size_t(i) * L, n, to + size_t(i) * size_t(n));
                }
        }
    }, options.workspace);
    return out;
}

bool createModel(const Dataset &data, const std::vector<int> &trainIndices, ModelConfig config, uint64_t seed,
                 Model *out, std::string *error, double budget)
{
    Model &model = *out;
    model = Model();
    config.input = data.input;
    config.classes.clear();
    for (const TaskInfo &t : data.tasks) config.classes.push_back(int(t.classes.size()));
    model.tasks = data.tasks;
    model.textColumn = data.textColumn;
    if (data.input == InputKind::Text) {
        std::vector<std::vector<Token>> texts;
        texts.reserve(trainIndices.size());
        for (int i : trainIndices) texts.push_back(tokenize(data.samples[size_t(i)].text, config.maxLen));
        model.vocab = Vocabulary::build(texts, config.minFreq, config.maxVocab).tokens();
        config.vocabSize = int(model.vocab.size());
        config.features = 0;
    } else {
        model.features = data.featureNames;
        config.features = int(data.featureNames.size());
        featureStats(data, trainIndices, &model.inputMean, &model.inputStd);
    }
    model.config = config;
    // The position table and the embeddings grow with the settings and the
    // data: counted before they are allocated.
    if (std::string problem = checkWeightMemory(data.source, config, budget); !problem.empty()) {
        *error = std::move(problem);
        return false;
    }
    model.initialise(seed);
    return true;
}

Model createModel(const Dataset &data, const std::vector<int> &trainIndices, ModelConfig config, uint64_t seed)
{
    Model model;
    std::string unused;
    createModel(data, trainIndices, std::move(config), seed, &model, &unused, HUGE_VAL);
    return model;
}

} // namespace attnscope
