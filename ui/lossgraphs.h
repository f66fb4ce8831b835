// The graphs that draw a LossHistory in a LossPlot: one slot of graphs per
// series the legend names (slot 0 the total, which has no accuracy). In
// each, the raw loss, faint: a line, or, once there are more points than
// pixel columns, a band from each column's minimum to its maximum (the raw
// graph is the band's top edge, filled down to rawLow); the smoothed loss;
// the validation loss (dashed, marked while the evaluations are few); the
// validation accuracy in the lower axis rect. fill() puts in the visible
// part of the history, reduced to pixel columns from its block summaries
// (decimation.h), so that its cost follows the pixels, not the points.
#pragma once

#include "losshistory.h"

#include <QPen>
#include <QVector>

#include <vector>

class QCPAxisRect;
class QCPGraph;
class QCustomPlot;

namespace attnscope {

class LossGraphs {
public:
    enum class Curve { Raw, RawLow, Smoothed, ValidationLoss, ValidationAccuracy };

    // What is visible: the keys [lo, hi] across `columns` pixel columns, the
    // points [from, to) and evaluations [evalFrom, evalTo) that reach it (one
    // more each side, so that lines run to the edges).
    struct Span {
        double lo = 0, hi = 0;
        int columns = 0;
        size_t from = 0, to = 0, evalFrom = 0, evalTo = 0;
        bool reduceSteps = false;  // more points than columns: columns, not points
        bool reduceEvals = false;  // more evaluations than columns: each column's mean
    };
    // The span of keys [lo, hi] in `columns` columns of the steps `keys` and the evaluations `evalKeys`.
    static Span span(const std::vector<double> &keys, const std::vector<double> &evalKeys, double lo, double hi,
                     int columns);

    // `count` slots of graphs in the loss and accuracy rects of plot, not in
    // its legend but for the smoothed graph (which stands for its series there).
    void build(QCustomPlot *plot, QCPAxisRect *loss, QCPAxisRect *accuracy, int count);
    int slotCount() const { return int(m_slots.size()); }
    QCPGraph *graph(Curve curve, int slot) const;
    // The series a slot draws: 0 the total, 1 + t task t; -1 none (fill() leaves it).
    int series(int slot) const { return m_slots[size_t(slot)].series; }
    void setSeries(int slot, int series) { m_slots[size_t(slot)].series = series; }
    int slotOf(int series) const;  // -1: not drawn
    void setVisible(int slot, bool visible);
    // A slot's pens in its series' colour; `background` fills the validation markers.
    void style(int slot, const QColor &color, const QColor &background);
    // Dense validation curves are plain lines (dashed, marked polylines of
    // thousands of points are QPainter's slowest path).
    void styleValidation(bool dense);

    // Every shown slot's graphs from the history, for the span of `keys` (the
    // history's steps or epochs) and `evalKeys` (its evaluations'); a hidden
    // slot's are emptied.
    void fill(const LossHistory &history, const std::vector<double> &keys, const std::vector<double> &evalKeys,
              const Span &span);

private:
    struct Slot {
        int series = 0;
        bool visible = true;  // setVisible's: fill() leaves a hidden slot empty
        QCPGraph *raw = nullptr, *rawLow = nullptr, *smooth = nullptr, *valLoss = nullptr, *valAcc = nullptr;
        QPen rawPen;
    };
    void fillSlot(Slot &slot, const LossHistory::Series &series, const std::vector<double> &keys,
                  const std::vector<double> &evalKeys, const Span &span);
    // Fills m_keysOut and m_valuesOut: every point of values[first, last) ...
    void copyPoints(const std::vector<double> &keys, const std::vector<double> &values, size_t first, size_t last);
    // ... or the mean of each pixel column, at the column's middle key ...
    void columnMeans(const std::vector<double> &keys, const std::vector<double> &values, const SeriesPyramid &blocks,
                     size_t first, size_t last, const Span &span);
    // ... or each column's maximum (and its minimum in m_lowOut).
    void columnBand(const std::vector<double> &keys, const std::vector<double> &values, const SeriesPyramid &blocks,
                    size_t first, size_t last, const Span &span);

    std::vector<Slot> m_slots;
    // Scratch space of fill(), kept to avoid reallocating on every redraw.
    std::vector<Column> m_columns;
    QVector<double> m_keysOut, m_valuesOut, m_lowOut;
};

} // namespace attnscope
