// What an optimiser carries from step to step (OptimizerState): its steps
// and moments, and with lazy rows where each row stands, written and read
// back bit for bit (a session file keeps them to resume a run).
#include "optimizer.h"

#include "optimizerparts.h"

#include <cassert>
#include <cstring>
#include <type_traits>

namespace attnscope {

using namespace optimizerparts;

namespace {

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

// 2: ten terms of a coasting row's series (1, before session 27: three).
constexpr uint32_t RowsStateVersion = 2;

} // namespace

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
    const uint32_t version = r.get<uint32_t>();
    bool fits = (version == RowsStateVersion || version == 1) && r.get<uint64_t>() == m_tables.size();
    for (const Table &t : m_tables)
        fits = fits && r.get<uint64_t>() == t.rows.offset && r.get<int32_t>() == t.rows.rows
               && r.get<int32_t>() == t.rows.width;
    // Version 1's coasting rows stand for three terms of their series: on the
    // same tables, its rows are left out and every row starts exact at this
    // step, as with a state without them (its weights and moments are this step's).
    if (version == 1 && fits && r.ok) return true;
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

} // namespace attnscope
