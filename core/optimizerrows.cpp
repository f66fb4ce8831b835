// AdamW's lazy rows (optimizer.h, "Lazy rows"): which rows a step touches,
// replaying an active row's steps, settling it quiet or coasting, bringing
// settled rows up to date, and the norms and zeroing over what a step's
// gradient can hold.
#include "optimizer.h"

#include "optimizerparts.h"
#include "parallel.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace attnscope {

using namespace optimizerparts;

namespace {

// What a lazy row's settling may leave out, of its largest weight.
constexpr double Tolerance = 0x1p-26;

// Whether a row whose update is at most u now (of step record r) turns
// quiet, leaving out at most `limit`: u == 0, m is 0 and nothing more comes
// from it; a NaN keeps the row active.
template <class Record>
bool quiet(double u, double limit, const Record &r)
{
    return u == 0.0 || u * r.quietFactor <= limit;
}

} // namespace

// The rule the lazy state follows from now on.
void Optimizer::setRule(const OptimizerConfig &c)
{
    m_lazyConfig = c;
    m_powers.resize(size_t(Period + 1));
    for (int64_t k = 0; k <= Period; ++k)
        m_powers[size_t(k)] = {std::pow(double(c.beta1), double(k)), std::pow(double(c.beta2), double(k))};
}

bool Optimizer::lazyRule(const OptimizerConfig &c) const
{
    return c.kind == OptimizerKind::AdamW && c.weightDecay >= 0.0f && c.eps >= 0.0f && c.beta1 >= 0.0f
           && c.beta1 < 1.0f && c.beta2 > 0.0f && c.beta2 < 1.0f;
}

// Before a step with lazy rows: the names of rows given for earlier steps are
// dropped; a new rule (or a decay the closed form cannot take) starts from
// every row exact; a learning rate above the bound the settled rows assumed
// wakes those whose moments still act.
void Optimizer::prepareLazyStep(float *p, float lr)
{
    const OptimizerConfig &c = m_config;
    startNaming();  // no row named since the last step: only the parameters outside the tables change
    // The lazy state holds steps of one rule; a new rule starts from exact weights and moments.
    const OptimizerConfig &o = m_lazyConfig;
    const bool sameRule = c.kind == o.kind && c.beta1 == o.beta1 && c.beta2 == o.beta2 && c.eps == o.eps
                          && c.weightDecay == o.weightDecay;
    const double decay = 1.0 - double(lr) * double(c.weightDecay);
    const bool decays = decay > 0.0 && decay <= 1.0;  // the closed form takes its logarithm
    if (!sameRule || !decays) {
        flatten(p, m_t);  // every row exact and active under the old rule
        setRule(c);
        m_lazy = lazyRule(c) && decays;
    } else if (lr > m_assumedBound) {
        // Rows turned quiet on a bound this step exceeds: wake those whose
        // moments still act (after the catch-up, so that none is left to
        // turn quiet later on such a bound).
        catchUp(p, m_t);
        for (int id = 0; id < int(m_rowStep.size()); ++id) {
            const RowState listed = m_rowState[size_t(id)];
            if (listed == Coasting || (listed == Quiet && m_rowMoment[size_t(id)])) {
                activate(p, id, m_t);
                relist(id, listed);
            }
        }
        m_assumedBound = std::numeric_limits<float>::infinity();
        m_lrBound = std::max(m_lrBound, lr);
    }
}

void Optimizer::setRowTables(const std::vector<RowTable> &tables, const float *params)
{
    m_tables.clear();
    m_lazy = lazyRule(m_config) && !tables.empty();
    if (!m_lazy) return;
    setRule(m_config);
    makeMoments(m_m, m_v, m_size);
    int rows = 0;
    size_t anchors = 0;
    for (const RowTable &t : tables) {
        assert(t.offset + size_t(t.rows) * size_t(t.width) <= m_size);
        m_tables.push_back({t, rows, anchors});
        rows += t.rows;
        anchors += size_t(t.rows) * size_t(t.width);
    }
    m_tableOrder.clear();
    for (int k = 0; k < int(m_tables.size()); ++k) m_tableOrder.push_back(k);
    std::sort(m_tableOrder.begin(), m_tableOrder.end(),
              [&](int a, int b) { return m_tables[size_t(a)].rows.offset < m_tables[size_t(b)].rows.offset; });
    m_anchor.resize(anchors);
    for (const Table &t : m_tables)
        std::copy_n(params + t.rows.offset, size_t(t.rows.rows) * size_t(t.rows.width), m_anchor.data() + t.anchor);
    m_rowStep.assign(size_t(rows), m_t);
    m_rowLogDecay.assign(size_t(rows), 0.0);
    m_rowState.assign(size_t(rows), Quiet);
    m_slot.assign(size_t(rows), -1);
    m_rowMoment.assign(size_t(rows), 0);
    m_rowUsed.assign(size_t(rows), -1);
    m_active.clear();
    m_coasting.clear();
    m_used.clear();
    m_usedSorted = true;
    m_usedFor = m_t + 1;
    m_dirty.clear();
    m_dirtyAll = false;
    m_history.assign(size_t(Period + 1), StepRecord{});

    m_logDecay = m_logDecayCarry = 0.0;
    m_base = m_t;
    record(m_t) = StepRecord{};
    m_assumedBound = std::numeric_limits<float>::infinity();
    m_syncedStep = -1;
    // Before any step every row is quiet at its initial weights (m = v = 0);
    // later ones may have moments: they start active.
    if (m_t > 0)
        for (int id = 0; id < rows; ++id) {
            m_rowState[size_t(id)] = Active;
            listAdd(m_active, id);
        }
}

Optimizer::RowCounts Optimizer::rowCounts() const
{
    RowCounts c;
    c.active = int(m_active.size());
    c.coasting = int(m_coasting.size());
    c.quiet = int(m_rowStep.size()) - c.active - c.coasting;
    return c;
}

const Optimizer::Table &Optimizer::tableOf(int id) const
{
    size_t k = 0;
    while (k + 1 < m_tables.size() && id >= m_tables[k + 1].first) ++k;
    return m_tables[k];
}

void Optimizer::listAdd(std::vector<int32_t> &list, int id)
{
    m_slot[size_t(id)] = int32_t(list.size());
    list.push_back(id);
}

void Optimizer::listRemove(std::vector<int32_t> &list, int id)
{
    const int32_t slot = m_slot[size_t(id)], last = list.back();
    list[size_t(slot)] = last;
    m_slot[size_t(last)] = slot;
    list.pop_back();
    m_slot[size_t(id)] = -1;
}

// Step `step` of an active row that is at step - 1 (grad: this step's
// gradient, null for none). After a step without gradient the row settles,
// quiet or coasting, where the bounds allow: what each leaves out is at most
// 2^-26 of its largest weight, half a unit in the last place together.
void Optimizer::runRow(float *params, int id, const float *grad, int64_t step)
{
    const StepRecord &r = record(step);
    const auto [offset, width, anchor] = rowPlace(tableOf(id), id);
    float *p = params + offset, *m = m_m.data() + offset, *v = m_v.data() + offset;
    float maxima[2];
    ops::adamw_step(p, m, v, grad ? grad + offset : nullptr, width, adamwScalars(r), grad ? nullptr : maxima);
    m_rowStep[size_t(id)] = step;
    // A row a batch has just used is likely to be used again soon: settling
    // it only to wake it at the next step would cost more than a replay.
    if (grad) return;
    const double u = maxima[0], limit = Tolerance * double(maxima[1]);
    if (quiet(u, limit, r)) {
        settle(params, id, Quiet, u != 0.0);
        return;
    }
    // coasting: what the series leaves out after its N = Orders terms is at
    // most coastFactor |m| eps^N / v^((N+1)/2) for each weight (m = 0: nothing).
    if (ops::adamw_coast_misses(m, v, width, r.eps, r.coastFactor, limit) == 0) settle(params, id, Coasting, true);
}

// An active row, exact at its step, becomes quiet or coasting from there on
// (the row itself: relist() puts it in its list).
void Optimizer::settle(const float *params, int id, RowState state, bool moment)
{
    const RowPlace at = rowPlace(tableOf(id), id);
    std::copy_n(params + at.offset, at.width, m_anchor.data() + at.anchor);
    m_rowLogDecay[size_t(id)] = record(m_rowStep[size_t(id)]).logDecay;
    m_rowMoment[size_t(id)] = moment;
    m_rowState[size_t(id)] = state;
}

// Row `id`, which the lists hold as `listed`, into the list of its state now.
void Optimizer::relist(int id, RowState listed)
{
    const RowState now = m_rowState[size_t(id)];
    if (now == listed) return;
    if (listed == Active) listRemove(m_active, id);
    if (listed == Coasting) listRemove(m_coasting, id);
    if (now == Active) listAdd(m_active, id);
    if (now == Coasting) listAdd(m_coasting, id);
}

// An active row's steps up to `to`, without gradient, until it settles.
void Optimizer::advance(float *params, int id, int64_t to)
{
    while (m_rowState[size_t(id)] == Active && m_rowStep[size_t(id)] < to)
        runRow(params, id, nullptr, m_rowStep[size_t(id)] + 1);
}

// A settled row's weights (and with `moments` its m and v) at step `to`, from
// its anchor (step a): the decays since a, and for a coasting row the first
// N = Orders terms of its moments' steps (ops::adamw_coast),
//   p = D(a, to) anchor - m/x (A0 - w (A1 - w (A2 - ... w A(N-1)))),  x = sqrt(v), w = eps / x,
// with A_n = sum over steps k in (a, to] of D(k, to) s_k c_k^(n+1) beta_n^(k - a),
// D the product of decays, s = lr / (1 - b1^k), c = sqrt(1 - b2^k),
// beta_n = b1 / b2^((n + 1) / 2): m b1^j / (sqrt(v b2^j) / c + eps) expanded
// in powers of eps / (sqrt(v b2^j) / c).
void Optimizer::materialise(float *params, int id, int64_t to, bool moments)
{
    const auto [offset, width, anchorAt] = rowPlace(tableOf(id), id);
    const float *anchor = m_anchor.data() + anchorAt;
    float *p = params + offset, *m = m_m.data() + offset, *v = m_v.data() + offset;
    const int64_t a = m_rowStep[size_t(id)];
    const StepRecord &at = record(to);
    const double decay = std::exp(at.logDecay - m_rowLogDecay[size_t(id)]);
    if (m_rowState[size_t(id)] == Coasting && to > a) {
        // A_n from this period's prefix sums (a >= m_base, to <= m_base + Period)
        static_assert(Orders == ops::AdamWCoastTerms, "ops::adamw_coast takes the sums A_n");
        double A[Orders];
        const double fromBase = std::exp(at.logDecay - record(m_base).logDecay);
        const StepRecord &anchored = record(a);
        for (int n = 0; n < Orders; ++n)
            A[n] = a == m_base ? fromBase * at.prefix[n]
                               : fromBase / anchored.power[n] * (at.prefix[n] - anchored.prefix[n]);
        ops::adamw_coast(p, anchor, m, v, width, decay, A, m_lazyConfig.eps);
    } else {
        for (size_t e = 0; e < width; ++e) p[e] = float(double(anchor[e]) * decay);
    }
    if (!moments) return;
    const auto [b1k, b2k] = betaPowers(m_powers, m_lazyConfig, to - a);
    for (size_t e = 0; e < width; ++e) {
        m[e] = float(double(m[e]) * b1k);
        v[e] = float(double(v[e]) * b2k);
    }
}

// Makes a row active and exact at step `to` (p, m and v): the row itself;
// relist() puts it in the active list.
void Optimizer::activate(float *params, int id, int64_t to)
{
    if (m_rowState[size_t(id)] == Active) {
        advance(params, id, to);
        if (m_rowState[size_t(id)] == Active) return;
    }
    materialise(params, id, to, true);
    m_rowStep[size_t(id)] = to;
    m_rowState[size_t(id)] = Active;
}

// f(id) for ids[0 .. count), the memory of the rows ahead asked for, in
// m_parts parts on the pool when there are enough rows. f changes row id
// only (its weights, moments, anchor and state; never the lists): what a
// row goes through does not depend on the others, so the parts give the
// same bits as one pass.
template <class F>
void Optimizer::forRows(const float *params, const int32_t *ids, size_t count, F &&f)
{
    const auto rows = [&](size_t first, size_t last) {
        for (size_t k = first; k < last; ++k) {
            if (k + PrefetchAhead < last) prefetchRow(params, ids[k + PrefetchAhead]);
            f(ids[k]);
        }
    };
    // below this many rows, waking a thread costs more than it saves
    constexpr size_t MinParallelRows = 64;
    if (!m_pool || m_parts <= 1 || count < MinParallelRows) {
        rows(0, count);
        return;
    }
    const size_t parts = size_t(m_parts);
    m_pool->run(m_parts, [&](int part) { rows(count * size_t(part) / parts, count * size_t(part + 1) / parts); });
}

// Every active row to step `to`; the rows that settle on the way move to their lists.
void Optimizer::catchUp(float *params, int64_t to)
{
    m_rowScratch.assign(m_active.begin(), m_active.end());
    forRows(params, m_rowScratch.data(), m_rowScratch.size(), [&](int id) { advance(params, id, to); });
    for (const int32_t id : m_rowScratch) relist(id, Active);
}

// At the end of a period: every coasting row anchored again at `at` (exact
// there, up to what the series leaves out), or quiet if its moments' steps
// are now within the quiet bound.
void Optimizer::reanchor(float *params, int64_t at)
{
    const StepRecord &r = record(at);
    m_rowScratch.assign(m_coasting.begin(), m_coasting.end());
    forRows(params, m_rowScratch.data(), m_rowScratch.size(), [&](int id) {
        if (m_rowStep[size_t(id)] == at) return;
        materialise(params, id, at, true);
        const auto [offset, width, anchor] = rowPlace(tableOf(id), id);
        double u = 0, w = 0;
        for (size_t e = 0; e < width; ++e) {
            const float m = m_m[offset + e], v = m_v[offset + e];
            u = std::max(u, std::abs(double(m / (std::sqrt(v) / r.bc2Sqrt + r.eps))));
            w = std::max(w, std::abs(double(params[offset + e])));
        }
        m_rowStep[size_t(id)] = at;
        settle(params, id, quiet(u, Tolerance * w, r) ? Quiet : Coasting, u != 0.0);  // settled again, from here
    });
    for (const int32_t id : m_rowScratch) relist(id, Coasting);
}

// Every row active and exact at step `to`.
void Optimizer::flatten(float *params, int64_t to)
{
    catchUp(params, to);
    for (int id = 0; id < int(m_rowStep.size()); ++id) {
        const RowState listed = m_rowState[size_t(id)];
        if (listed == Active) continue;
        activate(params, id, to);
        relist(id, listed);
    }
}

void Optimizer::sync(float *params)
{
    // A second call at the same step would write the same bits: it writes
    // nothing, so that readers of a synced buffer need no lock against it.
    if (!m_lazy || m_syncedStep == m_t) return;
    m_syncedStep = m_t;
    catchUp(params, m_t);
    for (int id = 0; id < int(m_rowStep.size()); ++id)
        if (m_rowState[size_t(id)] != Active) materialise(params, id, m_t, false);
}

// The rows named so far are for the coming step m_t + 1; names given for an
// earlier step are dropped (their gradients are left for zeroGradients).
void Optimizer::startNaming()
{
    if (m_usedFor == m_t + 1) return;
    if (m_dirty.size() + m_used.size() > m_rowStep.size()) {
        m_dirtyAll = true;
        m_dirty.clear();
    } else if (!m_dirtyAll) {
        m_dirty.insert(m_dirty.end(), m_used.begin(), m_used.end());
    }
    m_used.clear();
    m_usedSorted = true;
    m_usedFor = m_t + 1;
}

void Optimizer::useRows(float *params, int table, const int32_t *rows, size_t count)
{
    if (!m_lazy) return;
    startNaming();
    const Table &t = m_tables[size_t(table)];
    const size_t first = m_used.size();
    for (size_t i = 0; i < count; ++i) {
        const int32_t row = rows[i];
        assert(row >= 0 && row < t.rows.rows);
        const int id = t.first + row;
        if (m_rowUsed[size_t(id)] == m_t + 1) continue;
        m_rowUsed[size_t(id)] = m_t + 1;
        m_used.push_back(id);
        m_usedSorted = false;
    }
    // in the order they were named (the rows of a large table lie far apart
    // in four buffers: weights, moments, anchors; forRows asks for those of
    // the rows ahead), then into the active list
    const size_t named = m_used.size() - first;
    m_listed.resize(named);
    for (size_t k = 0; k < named; ++k) m_listed[k] = m_rowState[size_t(m_used[first + k])];
    forRows(params, m_used.data() + first, named, [&](int id) { activate(params, id, m_t); });
    for (size_t k = 0; k < named; ++k) relist(m_used[first + k], m_listed[k]);
}

// Asks for the cache lines of row `id` (weights, moments, anchor) before they are needed.
void Optimizer::prefetchRow(const float *params, int id) const
{
    const RowPlace at = rowPlace(tableOf(id), id);
    constexpr size_t Line = 64 / sizeof(float);
    for (size_t e = 0; e < at.width; e += Line) {
        __builtin_prefetch(params + at.offset + e, 1);
        __builtin_prefetch(m_m.data() + at.offset + e, 1);
        __builtin_prefetch(m_v.data() + at.offset + e, 1);
        __builtin_prefetch(m_anchor.data() + at.anchor + e, 0);
    }
}

// f(offset, count, -1) for each stretch of parameters outside the tables and
// f(offset, width, id) for each named row, in the order of the parameters.
// The rows named for this step, in ascending order.
const std::vector<int32_t> &Optimizer::usedRows()
{
    if (!m_usedSorted) {
        std::sort(m_used.begin(), m_used.end());
        m_usedSorted = true;
    }
    return m_used;
}

template <class F>
void Optimizer::forEachPart(F &&f)
{
    const std::vector<int32_t> &used = usedRows();
    size_t at = 0;
    for (int k : m_tableOrder) {
        const Table &t = m_tables[size_t(k)];
        if (t.rows.offset > at) f(at, t.rows.offset - at, -1);
        const auto first = std::lower_bound(used.begin(), used.end(), t.first);
        const auto last = std::lower_bound(first, used.end(), t.first + t.rows.rows);
        for (auto it = first; it != last; ++it)
            f(rowPlace(t, *it).offset, size_t(t.rows.width), *it);
        at = t.rows.offset + size_t(t.rows.rows) * size_t(t.rows.width);
    }
    if (at < m_size) f(at, m_size - at, -1);
}

// AdamW's step m_t with lazy rows (r: its scalars, bc2 = 1 - b2^t): the bounds for the rows it
// may settle and the coasting rows' sums go into its record, then the
// parameters outside the tables and the rows named take the step; every
// Period steps the rows that lag are caught up and the coasting ones anchored again.
void Optimizer::lazyAdamwStep(float *p, const float *grad, StepRecord r, double bc2)
{
    const OptimizerConfig &c = m_config;
    // The bounds of the class comment, for the rows this step may settle.
    const double b1 = c.beta1, b2 = c.beta2, bound = double(m_lrBound) / (1.0 - std::pow(b1, double(m_t + 1)));
    // the series' term n shrinks by b1 / b2^((n + 1) / 2) a step: its first term left out, n = Orders
    const double ratio = b1 / std::sqrt(b2), coastRatio = b1 / std::pow(b2, 0.5 * (Orders + 1));
    constexpr double margin = 1.01;  // float round-off in the bounds' inputs
    r.quietFactor = ratio < 1.0 ? bound / std::sqrt(bc2) * ratio / (1.0 - ratio) * margin : HUGE_VAL;
    r.coastFactor = coastRatio < 1.0 ? bound * coastRatio / (1.0 - coastRatio) * margin : HUGE_VAL;
    // sum of log(decay), compensated (Kahan): it decides every settled row's decay
    const double term = std::log(double(r.decay)) - m_logDecayCarry;
    const double sum = m_logDecay + term;
    m_logDecayCarry = (sum - m_logDecay) - term;
    m_logDecay = sum;
    r.logDecay = m_logDecay;
    // the coasting rows' sums over this period (materialise):
    // prefix[n] += D(base, k)^-1 s c^(n+1) beta_n^(k - base), beta_n = b1 / b2^((n + 1) / 2)
    const StepRecord &before = record(m_t - 1);
    const bool first = m_t - 1 == m_base;
    const double fromBase = std::exp(record(m_base).logDecay - r.logDecay);
    double cn = 1;
    for (int n = 0; n < Orders; ++n) {
        cn *= double(r.bc2Sqrt);
        r.power[n] = (first ? 1.0 : before.power[n]) * b1 / std::pow(b2, 0.5 * (n + 1));
        r.prefix[n] = (first ? 0.0 : before.prefix[n]) + fromBase * double(r.stepSize) * cn * r.power[n];
    }
    record(m_t) = r;
    m_assumedBound = std::min(m_assumedBound, m_lrBound);  // a row may settle on this step's bound

    // the parameters outside the tables in parts, then each row named
    const ops::AdamWStep s = adamwScalars(r);
    inParts(gradientRanges(false), [&](size_t offset, size_t count) {
        ops::adamw_step(p + offset, m_m.data() + offset, m_v.data() + offset, grad + offset, count, s, nullptr);
    });
    const std::vector<int32_t> &used = usedRows();
    forRows(p, used.data(), used.size(), [&](int id) { runRow(p, id, grad, m_t); });
    if (m_t - m_base == Period) {
        // every row that lags is brought here, so that the history and
        // the coasting sums need to reach back one period only
        catchUp(p, m_t);
        reanchor(p, m_t);
        m_base = m_t;
    }
}

void Optimizer::setThreads(ThreadPool *pool, int parts)
{
    m_pool = pool;
    m_parts = std::max(1, parts);
}

const Ranges &Optimizer::gradientRanges(bool rows)
{
    m_ranges.clear();
    if (!m_lazy) {
        m_ranges.emplace_back(0, m_size);
        return m_ranges;
    }
    forEachPart([&](size_t offset, size_t count, int id) {
        if (id >= 0 && !rows) return;
        if (!m_ranges.empty() && m_ranges.back().first + m_ranges.back().second == offset)
            m_ranges.back().second += count;  // the next row of a table: one range
        else
            m_ranges.emplace_back(offset, count);
    });
    return m_ranges;
}

void Optimizer::inParts(const Ranges &ranges, const std::function<void(size_t, size_t)> &f)
{
    // below this many parameters, waking a thread costs more than it saves
    constexpr size_t MinParallel = size_t(1) << 16;
    size_t total = 0;
    for (const auto &r : ranges) total += r.second;
    if (!m_pool || m_parts <= 1 || total < MinParallel) {
        for (const auto &[offset, count] : ranges) f(offset, count);
        return;
    }
    const std::vector<size_t> bounds = partBounds(ranges, m_parts, m_size);
    m_pool->run(m_parts, [&](int part) { forRangesIn(ranges, bounds[size_t(part)], bounds[size_t(part) + 1], f); });
}

void Optimizer::zeroGradients(float *grads)
{
    const auto zero = [&](size_t offset, size_t count) { std::fill_n(grads + offset, count, 0.0f); };
    if (m_lazy) startNaming();  // may find too many rows to list
    if (!m_lazy || m_dirtyAll) {
        inParts({{0, m_size}}, zero);
    } else {
        inParts(gradientRanges(true), zero);
        for (int32_t id : m_dirty) {
            const RowPlace at = rowPlace(tableOf(id), id);
            std::fill_n(grads + at.offset, at.width, 0.0f);
        }
    }
    m_dirty.clear();
    m_dirtyAll = false;
}

float Optimizer::gradNorm(const float *grads)
{
    // the sum of gradNorm(grads, n), leaving out only zeros: the same bits
    if (m_lazy) startNaming();
    const Ranges &ranges = gradientRanges(true);
    m_lanes.resize(normBlocks(m_size) * NormLanes, 0.0);  // zero between calls (takeNorm)
    inParts(ranges, [&](size_t offset, size_t count) { addSquares(m_lanes.data(), grads, offset, offset + count); });
    return takeNorm(m_lanes.data(), ranges);
}

float Optimizer::clipGradNorm(float *grads, float maxNorm)
{
    const float norm = gradNorm(grads);
    const float coef = clipFactor(norm, maxNorm);
    if (coef < 1.0f) inParts(m_ranges, [&](size_t offset, size_t count) { scaleBy(grads + offset, count, coef); });
    return norm;
}

} // namespace attnscope
