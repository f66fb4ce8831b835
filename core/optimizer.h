// Optimisers, gradient clipping and learning-rate schedules with PyTorch's rules.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace attnscope {

class ThreadPool;

enum class OptimizerKind { SGD, Adam, AdamW };
enum class Schedule { Constant, Cosine };

const char *toString(OptimizerKind kind);
bool parseOptimizer(const std::string &text, OptimizerKind *kind);

struct OptimizerConfig {
    OptimizerKind kind = OptimizerKind::AdamW;
    float lr = 0.003f;
    float momentum = 0.0f;     // SGD
    float weightDecay = 0.01f; // SGD, Adam: L2 added to the gradient; AdamW: decoupled
    float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
    float clip = 0.0f;         // max global gradient norm, 0 = off
    Schedule schedule = Schedule::Constant;
    int64_t warmup = 0;        // steps
};

// lr for step s (0-based) of S: constant, or linear warm-up then cosine (MODEL.md 8).
float scheduledLearningRate(const OptimizerConfig &config, int64_t step, int64_t totalSteps);

// Global L2 norm of grads; scales them by max / (norm + 1e-6) when norm > max
// (torch.nn.utils.clip_grad_norm_). Returns the norm before clipping. The
// squares are summed in double, in fixed blocks and lanes (optimizerparts.h),
// so that the sum is the same bits however the buffer is cut into threads.
float clipGradNorm(float *grads, size_t n, float maxNorm);
float gradNorm(const float *grads, size_t n);

// What an Optimizer carries from step to step besides its configuration:
// the steps taken (Adam's bias correction, SGD's first momentum step) and
// the moment buffers (empty until the first step that needs them).
struct OptimizerState {
    int64_t steps = 0;
    std::vector<float> m, v;  // SGD momentum buffer or Adam's first moment; Adam's second moment
    // With lazy rows (Optimizer: lazy rows), where every row of the tables
    // stands (Optimizer::rowsState), to repeat the steps bit for bit. Empty:
    // none (a restored optimiser then starts every row exact at `steps`).
    std::vector<uint8_t> rows;
};

// A table of parameters whose rows a batch reads, and whose gradient it makes
// nonzero, only where it uses them: the token and position embeddings.
struct RowTable {
    size_t offset = 0;  // of row 0, in the parameters
    int rows = 0;
    int width = 0;      // parameters per row
};

// torch.optim's SGD, Adam and AdamW over one flat parameter buffer.
//
// Lazy rows (AdamW). AdamW changes every parameter at every step, also one
// whose gradient is 0 (MODEL.md 8): m = b1 m, v = b2 v, p = (1 - lr wd) p -
// s u with s = lr / (1 - b1^t), u = m / (sqrt(v) / c + eps), c = sqrt(1 - b2^t).
// In a 20,000-word vocabulary almost every row of the token table is such a
// row at almost every step. With setRowTables(), the rows of those tables are
// brought up to date only when they are needed, to the same numbers up to
// float round-off. A row is
//  - *active* while its moments move its weights in ways only the steps
//    themselves tell: its steps without gradient are replayed, with the same
//    operations as a step with a zero gradient, when a batch uses it again,
//    when the weights are read (sync()), or at the latest after Period steps;
//  - *coasting* once a closed form takes their place: without gradient, k
//    steps later m is b1^k m and v is b2^k v, and the step's u expands in
//    powers of eps / (sqrt(v b2^k) / c) into terms whose sums over the steps
//    are the same for every weight of every row (materialise()); the row
//    coasts when what the series leaves out after ten terms is, over all
//    the steps to come, below a quarter of a unit in the last place of the
//    row's largest weight;
//  - *quiet* once its moments cannot move it any more: with no gradient, the
//    step k later changes a weight by at most r^k times u now (r = b1 /
//    sqrt(b2)) times the ratio of the two steps' s c, so all of them together
//    by at most lrBound / (1 - b1^(t+1)) / c r / (1 - r) max |u|; when that
//    is below a quarter of a unit in the last place of the row's largest
//    weight, a quiet row's weights are its weights then times the decays
//    since. A row that no batch ever used is quiet from step 0 (m = v = 0:
//    the product of the decays, exactly).
// So a coasting or quiet row leaves out less than half a unit in the last
// place of its largest weight: less than one rounding of one step's update.
// Both bounds assume that no later step has a learning rate above lrBound
// (setLearningRateBound(), the schedule's peak); a step with a larger one
// first makes every row whose moments still act active again.
//
// What a row goes through does not depend on when it is read: replaying a
// step is the same operations whenever it happens, the states change at
// steps the data decide, and a settled row is always computed from its state
// at its anchor step. So sync() can be called at any time between steps
// without changing the run (same seed, same data: bit-identical weights).
// tests/test_optimizer.cpp holds the lazy update to the dense one and both
// to the same steps in float64.
class Optimizer {
public:
    Optimizer() = default;
    Optimizer(const OptimizerConfig &config, size_t size);
    // One update of params with grads at learning rate lr (torch.optim's step).
    // With row tables: the rows named by useRows() since the last step and
    // every parameter outside the tables; grads must be 0 in every other row.
    void step(float *params, const float *grads, float lr);
    int64_t steps() const { return m_t; }
    const OptimizerConfig &config() const { return m_config; }
    void setConfig(const OptimizerConfig &config) { m_config = config; }
    // With lazy rows, after sync() (every moment is this step's).
    OptimizerState state() const;
    // Continues from `state` (of an optimiser of the same size): the next
    // step() is the one the optimiser that saved it would have taken. False
    // and *error when a buffer is neither empty nor of this size.
    bool restore(const OptimizerState &state, std::string *error);

    // Updates the rows of these tables lazily (AdamW only; ignored otherwise).
    // params are the weights now. Call once, before the first step; after
    // restore(), restoreRows() then puts every row where the saved state had
    // it (without, every row starts exact at the restored step).
    void setRowTables(const std::vector<RowTable> &tables, const float *params);
    // The lazy rows' states, bit for bit (empty without row tables): with
    // the weights and moments of the same step, an optimiser that restores
    // them takes the steps this one would have taken.
    std::vector<uint8_t> rowsState() const;
    // False and *error (this optimiser unchanged) when `rows` was not taken
    // on the same tables.
    bool restoreRows(const std::vector<uint8_t> &rows, std::string *error);
    // How many rows of the tables are active, coasting and quiet (as the
    // steps left them; sync() first brings every active row to this step).
    struct RowCounts {
        int active = 0, coasting = 0, quiet = 0;
    };
    RowCounts rowCounts() const;
    // The largest learning rate later steps are expected to get (default:
    // the config's); a step above the bounds quiet rows assumed wakes them.
    void setLearningRateBound(float lr) { m_lrBound = lr; }
    // Before a forward pass: brings these rows of table `table` up to date in
    // params and names them as the rows the next step's gradient may touch
    // (the names hold for one step; the first call after a step starts anew).
    void useRows(float *params, int table, const int32_t *rows, size_t count);
    // Brings every parameter in params up to date (to read or copy the
    // weights). Again at the same step, it writes nothing.
    void sync(float *params);
    // Zeroes what the gradients since the last call could hold (everything
    // without row tables); grads must start zero. A caller may zero grads
    // itself instead.
    void zeroGradients(float *grads);
    // gradNorm() and clipGradNorm() over what this step's gradient can hold:
    // the same numbers as the functions above, without reading the zeros.
    float gradNorm(const float *grads);
    float clipGradNorm(float *grads, float maxNorm);

    // The passes over the parameters (the rules' updates, zeroGradients(),
    // gradNorm(), clipGradNorm()) run in `parts` parts on `pool` (the
    // trainer's, between its passes; null or 1: on the calling thread). The
    // numbers do not change: the updates are element by element, the
    // norm's sum has an order of its own (optimizerparts.h), and each lazy
    // row is brought up to date and stepped by one thread, as one thread
    // would. Every call that brings rows up to date (useRows(), step(),
    // sync()) may use the pool: one at a time, never while the pool runs
    // other work (the training worker's model lock keeps sync() apart).
    void setThreads(ThreadPool *pool, int parts);

private:
    static constexpr int64_t Period = 128;  // lagging rows are caught up, coasting ones anchored again, this often
    static constexpr size_t PrefetchAhead = 4;  // rows whose memory is asked for ahead of their update
    static constexpr int Orders = 10;       // terms of a coasting row's series (ops::AdamWCoastTerms)

    // What a step did to every parameter, kept for the rows that lag.
    struct StepRecord {
        float decay = 1, stepSize = 0, bc2Sqrt = 1, eps = 0, beta1 = 0, beta2 = 0;
        double quietFactor = 0;      // quiet when max |u| x this <= 2^-26 max |p|
        double coastFactor = 0;      // coasting when |m| eps^N / v^((N+1)/2) x this <= 2^-26 max |p| for each weight (N = Orders)
        double logDecay = 0;         // sum of log(decay) up to this step
        double prefix[Orders] = {};  // this period's sums for the coasting rows (materialise)
        double power[Orders] = {};   // beta_n^(step - period's base)
    };
    enum RowState : uint8_t { Active, Coasting, Quiet };
    struct Table {
        RowTable rows;
        int first = 0;      // id of its row 0 (ids count the rows of all tables, table by table)
        size_t anchor = 0;  // of its row 0 in m_anchor
    };

    // step(): the lazy rows before it (prepareLazyStep), then its rule's update.
    void prepareLazyStep(float *params, float lr);
    void sgdStep(float *params, const float *grads, float lr);
    void adamStep(float *params, const float *grads, float lr);
    void adamwStep(float *params, const float *grads, float lr);
    void lazyAdamwStep(float *params, const float *grads, StepRecord r, double bc2);
    bool lazyRule(const OptimizerConfig &c) const;
    void setRule(const OptimizerConfig &c);
    StepRecord &record(int64_t step) { return m_history[size_t(step % (Period + 1))]; }
    const Table &tableOf(int id) const;
    void listAdd(std::vector<int32_t> &list, int id);
    void listRemove(std::vector<int32_t> &list, int id);
    void prefetchRow(const float *params, int id) const;
    void runRow(float *params, int id, const float *grad, int64_t step);
    void settle(const float *params, int id, RowState state, bool moment);
    void relist(int id, RowState listed);
    template <class F> void forRows(const float *params, const int32_t *ids, size_t count, F &&f);
    void advance(float *params, int id, int64_t to);
    void materialise(float *params, int id, int64_t to, bool moments);
    void activate(float *params, int id, int64_t to);
    void catchUp(float *params, int64_t to);
    void reanchor(float *params, int64_t at);
    void flatten(float *params, int64_t to);
    template <class F> void forEachPart(F &&f);
    const std::vector<int32_t> &usedRows();  // m_used, sorted
    void startNaming();
    // f(offset, count) over the ranges, in parts on the pool (m_parts).
    void inParts(const std::vector<std::pair<size_t, size_t>> &ranges, const std::function<void(size_t, size_t)> &f);
    // What can be nonzero in this step's gradient (everything without row
    // tables; with them, the rows named since startNaming()), in order, into
    // m_ranges; with rows false, the parameters outside the tables only.
    const std::vector<std::pair<size_t, size_t>> &gradientRanges(bool rows);

    OptimizerConfig m_config;
    size_t m_size = 0;
    int64_t m_t = 0;
    std::vector<float> m_m, m_v;  // momentum buffer / first moment, second moment
    ThreadPool *m_pool = nullptr;
    int m_parts = 1;
    std::vector<std::pair<size_t, size_t>> m_ranges;  // scratch: gradientRanges()
    std::vector<double> m_lanes;                      // scratch: the norm's lanes

    // Lazy rows
    bool m_lazy = false;
    OptimizerConfig m_lazyConfig;         // the rule the lazy state was built with
    std::vector<Table> m_tables;          // as given to setRowTables
    std::vector<int> m_tableOrder;        // their indices by offset
    std::vector<float> m_anchor;          // settled rows: the weights at their anchor step
    std::vector<RowState> m_rowState;
    std::vector<int64_t> m_rowStep;       // active: the step its p, m, v are at; settled: its anchor step
    std::vector<double> m_rowLogDecay;    // settled: StepRecord::logDecay of its anchor step
    std::vector<int32_t> m_slot;          // index in m_active or m_coasting, -1 for a quiet row
    std::vector<uint8_t> m_rowMoment;     // quiet: its moments were still nonzero at the anchor
    std::vector<int64_t> m_rowUsed;       // the step whose batch named the row last
    std::vector<int32_t> m_active, m_coasting;  // ids of the rows in these states
    std::vector<int32_t> m_rowScratch;    // scratch: the rows catchUp() and reanchor() go over
    std::vector<RowState> m_listed;       // scratch: the lists useRows()'s rows were in
    std::vector<int32_t> m_used;          // ids named for step m_usedFor
    bool m_usedSorted = true;
    int64_t m_usedFor = 1;
    std::vector<int32_t> m_dirty;         // ids named for earlier steps since zeroGradients()
    bool m_dirtyAll = false;              // too many of them to list: zero everything
    std::vector<StepRecord> m_history;    // steps m_t - Period .. m_t
    int64_t m_base = 0;                   // the step this period started at
    std::vector<std::array<double, 2>> m_powers;  // b1^k and b2^k for k <= Period
    double m_logDecay = 0, m_logDecayCarry = 0;  // compensated sum of log(decay)
    float m_lrBound = 0;       // the bound new settled rows assume
    float m_assumedBound = 0;  // the least bound a settled row may assume now
    int64_t m_syncedStep = -1;  // the step of the last sync()
};

} // namespace attnscope
