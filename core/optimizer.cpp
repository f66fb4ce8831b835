#include "optimizer.h"

#include "ops.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace attnscope {

const char *toString(OptimizerKind kind)
{
    switch (kind) {
    case OptimizerKind::SGD: return "sgd";
    case OptimizerKind::Adam: return "adam";
    case OptimizerKind::AdamW: return "adamw";
    }
    return "adamw";
}

bool parseOptimizer(const std::string &text, OptimizerKind *kind)
{
    if (text == "sgd") *kind = OptimizerKind::SGD;
    else if (text == "adam") *kind = OptimizerKind::Adam;
    else if (text == "adamw") *kind = OptimizerKind::AdamW;
    else return false;
    return true;
}

float scheduledLearningRate(const OptimizerConfig &c, int64_t s, int64_t S)
{
    if (c.schedule == Schedule::Constant) return c.lr;
    const int64_t W = c.warmup;
    if (s < W) return float(double(c.lr) * double(s + 1) / double(W));
    if (S <= W) return c.lr;
    const double progress = double(s - W) / double(S - W);
    return float(double(c.lr) * 0.5 * (1.0 + std::cos(M_PI * progress)));
}

namespace {

// The squares of grads (n) added to sum one after the other: gradNorm's sum,
// over the whole buffer or part by part.
void addSquares(double &sum, const float *grads, size_t n)
{
    for (size_t i = 0; i < n; ++i) sum += double(grads[i]) * double(grads[i]);
}

// torch's clip_grad_norm_: grads times maxNorm / (norm + 1e-6) where that is below 1.
float clipFactor(float norm, float maxNorm)
{
    return maxNorm / (norm + 1e-6f);
}

void scaleBy(float *grads, size_t n, float coef)
{
    for (size_t i = 0; i < n; ++i) grads[i] *= coef;
}

} // namespace

float gradNorm(const float *grads, size_t n)
{
    double sum = 0;
    addSquares(sum, grads, n);
    return float(std::sqrt(sum));
}

float clipGradNorm(float *grads, size_t n, float maxNorm)
{
    const float norm = gradNorm(grads, n);
    const float coef = clipFactor(norm, maxNorm);
    if (coef < 1.0f) scaleBy(grads, n, coef);
    return norm;
}

namespace {

// What a lazy row's settling may leave out, of its largest weight.
constexpr double Tolerance = 0x1p-26;

// Adam's moments, zero, unless they are there (a restored state's).
void makeMoments(std::vector<float> &m, std::vector<float> &v, size_t size)
{
    if (m.size() == size) return;
    m.assign(size, 0.0f);
    v.assign(size, 0.0f);
}

// Where row `id` of table t lies: its first parameter (in the weights, the
// gradients and the moments), its width and its first weight in the anchors.
struct RowPlace {
    size_t offset = 0, width = 0, anchor = 0;
};

template <class Table>
RowPlace rowPlace(const Table &t, int id)
{
    const size_t width = size_t(t.rows.width), row = size_t(id - t.first);
    return {t.rows.offset + row * width, width, t.anchor + row * width};
}

// b1^k and b2^k of rule c: from `powers`, which holds the first ones.
std::array<double, 2> betaPowers(const std::vector<std::array<double, 2>> &powers, const OptimizerConfig &c,
                                 int64_t k)
{
    if (k < int64_t(powers.size())) return powers[size_t(k)];
    return {std::pow(double(c.beta1), double(k)), std::pow(double(c.beta2), double(k))};
}

// Whether a row whose update is at most u now (of step record r) turns
// quiet, leaving out at most `limit`: u == 0, m is 0 and nothing more comes
// from it; a NaN keeps the row active.
template <class Record>
bool quiet(double u, double limit, const Record &r)
{
    return u == 0.0 || u * r.quietFactor <= limit;
}

template <class Record>
ops::AdamWStep adamwScalars(const Record &r)
{
    ops::AdamWStep s;
    s.decay = r.decay;
    s.stepSize = r.stepSize;
    s.bc2Sqrt = r.bc2Sqrt;
    s.eps = r.eps;
    s.beta1 = r.beta1;
    s.beta2 = r.beta2;
    return s;
}

// Plain values one after the other, in the machine's byte order (a session
// file holds them; it is read on the machine that wrote it or on another
// little-endian x86-64), and their reading back with every size checked.
struct ByteWriter {
    std::vector<uint8_t> bytes;
    template <class T>
    void put(const T &value)
    {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto *first = reinterpret_cast<const uint8_t *>(&value);
        bytes.insert(bytes.end(), first, first + sizeof(T));
    }
    template <class T>
    void putAll(const std::vector<T> &values)
    {
        put(uint64_t(values.size()));
        const auto *first = reinterpret_cast<const uint8_t *>(values.data());
        bytes.insert(bytes.end(), first, first + values.size() * sizeof(T));
    }
};

struct ByteReader {
    const std::vector<uint8_t> &bytes;
    size_t at = 0;
    bool ok = true;
    template <class T>
    T get()
    {
        T value{};
        if (!ok || bytes.size() - at < sizeof(T)) {
            ok = false;
            return value;
        }
        std::memcpy(&value, bytes.data() + at, sizeof(T));
        at += sizeof(T);
        return value;
    }
    // `count` values, as many as putAll wrote
    template <class T>
    void getAll(std::vector<T> *values, size_t count)
    {
        if (get<uint64_t>() != count || !ok || (bytes.size() - at) / sizeof(T) < count) {
            ok = false;
            return;
        }
        values->resize(count);
        std::memcpy(values->data(), bytes.data() + at, count * sizeof(T));
        at += count * sizeof(T);
    }
};

constexpr uint32_t RowsStateVersion = 1;

} // namespace

Optimizer::Optimizer(const OptimizerConfig &config, size_t size)
    : m_config(config), m_size(size), m_lrBound(config.lr)
{
}

bool Optimizer::restore(const OptimizerState &state, std::string *error)
{
    for (const std::vector<float> *buffer : {&state.m, &state.v})
        if (!buffer->empty() && buffer->size() != m_size) {
            *error = "the optimiser state holds " + std::to_string(buffer->size()) + " values for "
                   + std::to_string(m_size) + " parameters";
            return false;
        }
    if (state.steps < 0) {
        *error = "the optimiser state has a negative step count";
        return false;
    }
    m_t = state.steps;
    m_m = state.m;
    m_v = state.v;
    return true;
}

// torch.optim, single-tensor code paths (PyTorch 1.13+), nesterov off, dampening 0.
void Optimizer::step(float *p, const float *grad, float lr)
{
    const OptimizerConfig &c = m_config;
    if (m_lazy) {
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
            for (int id = 0; id < int(m_rowStep.size()); ++id)
                if (m_rowState[size_t(id)] == Coasting || (m_rowState[size_t(id)] == Quiet && m_rowMoment[size_t(id)]))
                    activate(p, id, m_t);
            m_assumedBound = std::numeric_limits<float>::infinity();
            m_lrBound = std::max(m_lrBound, lr);
        }
    }
    ++m_t;
    const float wd = c.weightDecay;
    switch (c.kind) {
    case OptimizerKind::SGD: {
        // g = grad + wd p;  buf = g on the first step, else momentum buf + g;  p -= lr buf
        if (c.momentum != 0.0f && m_m.size() != m_size) m_m.assign(m_size, 0.0f);
        for (size_t i = 0; i < m_size; ++i) {
            float g = grad[i] + wd * p[i];
            if (c.momentum != 0.0f) {
                m_m[i] = (m_t == 1) ? g : c.momentum * m_m[i] + g;
                g = m_m[i];
            }
            p[i] -= lr * g;
        }
        break;
    }
    case OptimizerKind::Adam: {
        // m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  with g = grad + wd p (L2)
        // p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
        makeMoments(m_m, m_v, m_size);
        const double bc1 = 1.0 - std::pow(double(c.beta1), double(m_t));
        const double bc2 = 1.0 - std::pow(double(c.beta2), double(m_t));
        const float stepSize = float(double(lr) / bc1);
        const float bc2Sqrt = float(std::sqrt(bc2));
        const float b1 = c.beta1, b2 = c.beta2, omb1 = 1.0f - c.beta1, omb2 = 1.0f - c.beta2;
        for (size_t i = 0; i < m_size; ++i) {
            const float g = grad[i] + wd * p[i];
            m_m[i] = m_m[i] * b1 + omb1 * g;
            m_v[i] = m_v[i] * b2 + omb2 * g * g;
            const float denom = std::sqrt(m_v[i]) / bc2Sqrt + c.eps;
            p[i] -= stepSize * (m_m[i] / denom);
        }
        break;
    }
    case OptimizerKind::AdamW: {
        // p *= 1 - lr wd (decoupled decay), then Adam's step (ops::adamw_step)
        makeMoments(m_m, m_v, m_size);
        StepRecord r;
        const double bc1 = 1.0 - std::pow(double(c.beta1), double(m_t));
        const double bc2 = 1.0 - std::pow(double(c.beta2), double(m_t));
        r.stepSize = float(double(lr) / bc1);
        r.bc2Sqrt = float(std::sqrt(bc2));
        r.decay = float(1.0 - double(lr) * double(wd));
        r.eps = c.eps;
        r.beta1 = c.beta1;
        r.beta2 = c.beta2;
        if (!m_lazy) {
            ops::adamw_step(p, m_m.data(), m_v.data(), grad, m_size, adamwScalars(r), nullptr);
            break;
        }
        // The bounds of the class comment, for the rows this step may settle.
        const double b1 = c.beta1, b2 = c.beta2, bound = double(m_lrBound) / (1.0 - std::pow(b1, double(m_t + 1)));
        const double ratio = b1 / std::sqrt(b2), coastRatio = b1 / (b2 * b2);
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

        const ops::AdamWStep s = adamwScalars(r);
        forEachPart([&](size_t offset, size_t count, int id) {
            if (id < 0) ops::adamw_step(p + offset, m_m.data() + offset, m_v.data() + offset, grad + offset, count, s, nullptr);
            else runRow(p, id, grad, m_t);
        });
        if (m_t - m_base == Period) {
            // every row that lags is brought here, so that the history and
            // the coasting sums need to reach back one period only
            catchUp(p, m_t);
            reanchor(p, m_t);
            m_base = m_t;
        }
        break;
    }
    }
}

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
    // coasting: what the series leaves out after its third term is at most
    // coastFactor |m| eps^3 / v^2 for each weight (m = 0: nothing). In float:
    // a v^2 that underflows only keeps the row active.
    const float e3 = float(std::pow(double(r.eps), 3) * r.coastFactor), bound = float(limit);
    int misses = 0;
    for (size_t e = 0; e < width; ++e) misses += m[e] != 0.0f && !(std::abs(m[e]) * e3 <= bound * (v[e] * v[e]));
    if (misses == 0) settle(params, id, Coasting, true);
}

// An active row, exact at its step, becomes quiet or coasting from there on.
void Optimizer::settle(const float *params, int id, RowState state, bool moment)
{
    const RowPlace at = rowPlace(tableOf(id), id);
    std::copy_n(params + at.offset, at.width, m_anchor.data() + at.anchor);
    m_rowLogDecay[size_t(id)] = record(m_rowStep[size_t(id)]).logDecay;
    m_rowMoment[size_t(id)] = moment;
    listRemove(m_active, id);
    m_rowState[size_t(id)] = state;
    if (state == Coasting) listAdd(m_coasting, id);
}

// An active row's steps up to `to`, without gradient, until it settles.
void Optimizer::advance(float *params, int id, int64_t to)
{
    while (m_rowState[size_t(id)] == Active && m_rowStep[size_t(id)] < to)
        runRow(params, id, nullptr, m_rowStep[size_t(id)] + 1);
}

// A settled row's weights (and with `moments` its m and v) at step `to`, from
// its anchor (step a): the decays since a, and for a coasting row the first
// three terms of its moments' steps,
//   p = D(a, to) anchor - m/x (A0 - w (A1 - w A2)),  x = sqrt(v), w = eps / x,
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
        double A[Orders];
        const double fromBase = std::exp(at.logDecay - record(m_base).logDecay);
        const StepRecord &anchored = record(a);
        for (int n = 0; n < Orders; ++n)
            A[n] = a == m_base ? fromBase * at.prefix[n]
                               : fromBase / anchored.power[n] * (at.prefix[n] - anchored.prefix[n]);
        const double eps = m_lazyConfig.eps;
        for (size_t e = 0; e < width; ++e) {
            double x = double(anchor[e]) * decay;
            if (m[e] != 0.0f) {
                const double inv = 1.0 / std::sqrt(double(v[e])), w = eps * inv;
                x -= double(m[e]) * inv * (A[0] - w * (A[1] - w * A[2]));
            }
            p[e] = float(x);
        }
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

// Makes a row active and exact at step `to` (p, m and v).
void Optimizer::activate(float *params, int id, int64_t to)
{
    if (m_rowState[size_t(id)] == Active) {
        advance(params, id, to);
        if (m_rowState[size_t(id)] == Active) return;
    }
    materialise(params, id, to, true);
    if (m_rowState[size_t(id)] == Coasting) listRemove(m_coasting, id);
    m_rowStep[size_t(id)] = to;
    m_rowState[size_t(id)] = Active;
    listAdd(m_active, id);
}

// Every active row to step `to`. Backwards, so that a row that settles (and
// is swapped with the last) leaves only rows already done behind it.
void Optimizer::catchUp(float *params, int64_t to)
{
    for (size_t i = m_active.size(); i-- > 0;)
        if (i < m_active.size()) advance(params, m_active[i], to);
}

// At the end of a period: every coasting row anchored again at `at` (exact
// there, up to what the series leaves out), or quiet if its moments' steps
// are now within the quiet bound.
void Optimizer::reanchor(float *params, int64_t at)
{
    const StepRecord &r = record(at);
    for (size_t i = m_coasting.size(); i-- > 0;) {
        const int id = m_coasting[i];
        if (m_rowStep[size_t(id)] == at) continue;
        materialise(params, id, at, true);
        const auto [offset, width, anchor] = rowPlace(tableOf(id), id);
        double u = 0, w = 0;
        for (size_t e = 0; e < width; ++e) {
            const float m = m_m[offset + e], v = m_v[offset + e];
            u = std::max(u, std::abs(double(m / (std::sqrt(v) / r.bc2Sqrt + r.eps))));
            w = std::max(w, std::abs(double(params[offset + e])));
        }
        m_rowStep[size_t(id)] = at;
        m_rowState[size_t(id)] = Active;  // settled again, from here
        listRemove(m_coasting, id);
        listAdd(m_active, id);
        settle(params, id, quiet(u, Tolerance * w, r) ? Quiet : Coasting, u != 0.0);
    }
}

OptimizerState Optimizer::state() const
{
    assert(!m_lazy || m_syncedStep == m_t);  // active rows caught up (sync())
    OptimizerState s{m_t, m_m, m_v, rowsState()};
    if (!m_lazy || m_m.empty()) return s;
    // a settled row keeps its moments as they were at its anchor step: here
    // they are those of this step, as materialise() makes them
    for (int id = 0; id < int(m_rowStep.size()); ++id) {
        if (m_rowState[size_t(id)] == Active) continue;
        const auto [offset, width, anchor] = rowPlace(tableOf(id), id);
        const auto [b1k, b2k] = betaPowers(m_powers, m_lazyConfig, m_t - m_rowStep[size_t(id)]);
        for (size_t e = offset; e < offset + width; ++e) {
            s.m[e] = float(double(m_m[e]) * b1k);
            s.v[e] = float(double(m_v[e]) * b2k);
        }
    }
    return s;
}

std::vector<uint8_t> Optimizer::rowsState() const
{
    if (m_tables.empty()) return {};
    ByteWriter w;
    w.put(RowsStateVersion);
    w.put(uint64_t(m_tables.size()));
    for (const Table &t : m_tables) {
        w.put(uint64_t(t.rows.offset));
        w.put(int32_t(t.rows.rows));
        w.put(int32_t(t.rows.width));
    }
    w.put(uint8_t(m_lazy));
    const OptimizerConfig &c = m_lazyConfig;
    w.put(int32_t(c.kind));
    for (float x : {c.beta1, c.beta2, c.eps, c.weightDecay}) w.put(x);
    w.put(m_base);
    w.put(m_logDecay);
    w.put(m_logDecayCarry);
    w.put(m_lrBound);
    w.put(m_assumedBound);
    w.put(m_syncedStep);
    w.putAll(m_anchor);
    w.putAll(m_rowState);
    w.putAll(m_rowStep);
    w.putAll(m_rowLogDecay);
    w.putAll(m_rowMoment);
    // the tables' moments as kept (state() gives those of this step)
    w.put(uint8_t(!m_m.empty()));
    if (!m_m.empty())
        for (const Table &t : m_tables)
            for (const std::vector<float> *buffer : {&m_m, &m_v}) {
                const auto first = buffer->begin() + ptrdiff_t(t.rows.offset);
                w.putAll(std::vector<float>(first, first + ptrdiff_t(t.rows.rows) * t.rows.width));
            }
    w.put(uint64_t(m_history.size()));
    for (const StepRecord &r : m_history) {
        for (float x : {r.decay, r.stepSize, r.bc2Sqrt, r.eps, r.beta1, r.beta2}) w.put(x);
        for (double x : {r.quietFactor, r.coastFactor, r.logDecay}) w.put(x);
        for (int n = 0; n < Orders; ++n) {
            w.put(r.prefix[n]);
            w.put(r.power[n]);
        }
    }
    return std::move(w.bytes);
}

bool Optimizer::restoreRows(const std::vector<uint8_t> &rows, std::string *error)
{
    ByteReader r{rows};
    bool fits = r.get<uint32_t>() == RowsStateVersion && r.get<uint64_t>() == m_tables.size();
    for (const Table &t : m_tables)
        fits = fits && r.get<uint64_t>() == t.rows.offset && r.get<int32_t>() == t.rows.rows
               && r.get<int32_t>() == t.rows.width;
    const size_t count = m_rowStep.size();
    Optimizer o = *this;  // read into a copy: this one stays as it is on a failure
    o.m_lazy = r.get<uint8_t>() != 0;
    OptimizerConfig &c = o.m_lazyConfig;
    c.kind = OptimizerKind(r.get<int32_t>());
    for (float *x : {&c.beta1, &c.beta2, &c.eps, &c.weightDecay}) *x = r.get<float>();
    o.m_base = r.get<int64_t>();
    o.m_logDecay = r.get<double>();
    o.m_logDecayCarry = r.get<double>();
    o.m_lrBound = r.get<float>();
    o.m_assumedBound = r.get<float>();
    o.m_syncedStep = r.get<int64_t>();
    r.getAll(&o.m_anchor, m_anchor.size());
    r.getAll(&o.m_rowState, count);
    r.getAll(&o.m_rowStep, count);
    r.getAll(&o.m_rowLogDecay, count);
    r.getAll(&o.m_rowMoment, count);
    if (r.get<uint8_t>() != 0) {
        fits = fits && o.m_m.size() == m_size && o.m_v.size() == m_size;
        std::vector<float> slice;
        for (const Table &t : m_tables)
            for (std::vector<float> *buffer : {&o.m_m, &o.m_v}) {
                const size_t size = size_t(t.rows.rows) * size_t(t.rows.width);
                r.getAll(&slice, size);
                if (fits && r.ok) std::copy(slice.begin(), slice.end(), buffer->begin() + ptrdiff_t(t.rows.offset));
            }
    }
    fits = fits && r.get<uint64_t>() == m_history.size();
    for (StepRecord &h : o.m_history) {
        for (float *x : {&h.decay, &h.stepSize, &h.bc2Sqrt, &h.eps, &h.beta1, &h.beta2}) *x = r.get<float>();
        for (double *x : {&h.quietFactor, &h.coastFactor, &h.logDecay}) *x = r.get<double>();
        for (int n = 0; n < Orders; ++n) {
            h.prefix[n] = r.get<double>();
            h.power[n] = r.get<double>();
        }
    }
    // the lists follow from the states; rows whose steps lie beyond this
    // optimiser's or its period's are not of this state
    o.m_active.clear();
    o.m_coasting.clear();
    for (int id = 0; fits && r.ok && id < int(count); ++id) {
        const RowState state = o.m_rowState[size_t(id)];
        const int64_t step = o.m_rowStep[size_t(id)];
        fits = state <= Quiet && step <= m_t && step >= (state == Coasting ? o.m_base : 0);
        o.m_slot[size_t(id)] = -1;
        if (state == Active) o.listAdd(o.m_active, id);
        if (state == Coasting) o.listAdd(o.m_coasting, id);
    }
    if (!fits || !r.ok || r.at != rows.size() || o.m_base > m_t || m_t - o.m_base > Period
        || (o.m_lazy && !lazyRule(c))) {
        *error = "the optimiser state's lazy rows are not those of this model's embedding tables";
        return false;
    }
    o.setRule(c);
    *this = std::move(o);
    return true;
}

// Every row active and exact at step `to`.
void Optimizer::flatten(float *params, int64_t to)
{
    catchUp(params, to);
    for (int id = 0; id < int(m_rowStep.size()); ++id)
        if (m_rowState[size_t(id)] != Active) activate(params, id, to);
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
    for (size_t i = 0; i < count; ++i) {
        const int32_t row = rows[i];
        assert(row >= 0 && row < t.rows.rows);
        const int id = t.first + row;
        if (m_rowUsed[size_t(id)] == m_t + 1) continue;
        m_rowUsed[size_t(id)] = m_t + 1;
        activate(params, id, m_t);
        m_used.push_back(id);
        m_usedSorted = false;
    }
}

// f(offset, count, -1) for each stretch of parameters outside the tables and
// f(offset, width, id) for each named row, in the order of the parameters.
template <class F>
void Optimizer::forEachPart(F &&f)
{
    if (!m_usedSorted) {
        std::sort(m_used.begin(), m_used.end());
        m_usedSorted = true;
    }
    size_t at = 0;
    for (int k : m_tableOrder) {
        const Table &t = m_tables[size_t(k)];
        if (t.rows.offset > at) f(at, t.rows.offset - at, -1);
        const auto first = std::lower_bound(m_used.begin(), m_used.end(), t.first);
        const auto last = std::lower_bound(first, m_used.end(), t.first + t.rows.rows);
        for (auto it = first; it != last; ++it)
            f(rowPlace(t, *it).offset, size_t(t.rows.width), *it);
        at = t.rows.offset + size_t(t.rows.rows) * size_t(t.rows.width);
    }
    if (at < m_size) f(at, m_size - at, -1);
}

void Optimizer::zeroGradients(float *grads)
{
    if (!m_lazy) {
        std::fill(grads, grads + m_size, 0.0f);
        return;
    }
    startNaming();
    if (m_dirtyAll) {
        std::fill(grads, grads + m_size, 0.0f);
    } else {
        forEachPart([&](size_t offset, size_t count, int) { std::fill(grads + offset, grads + offset + count, 0.0f); });
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
    if (!m_lazy) return attnscope::gradNorm(grads, m_size);
    startNaming();
    // the order of gradNorm(grads, n), leaving out only zeros: the same sum
    double sum = 0;
    forEachPart([&](size_t offset, size_t count, int) { addSquares(sum, grads + offset, count); });
    return float(std::sqrt(sum));
}

float Optimizer::clipGradNorm(float *grads, float maxNorm)
{
    if (!m_lazy) return attnscope::clipGradNorm(grads, m_size, maxNorm);
    const float norm = gradNorm(grads);
    const float coef = clipFactor(norm, maxNorm);
    if (coef < 1.0f) forEachPart([&](size_t offset, size_t count, int) { scaleBy(grads + offset, count, coef); });
    return norm;
}

} // namespace attnscope
