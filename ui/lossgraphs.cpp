#include "lossgraphs.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {

// The part of a series drawn for the visible key range [lo, hi]: one point
// before and after it, so that lines run to the edges.
void visibleSlice(const std::vector<double> &keys, double lo, double hi, size_t *from, size_t *to)
{
    const size_t first = size_t(std::lower_bound(keys.begin(), keys.end(), lo) - keys.begin());
    const size_t last = size_t(std::upper_bound(keys.begin(), keys.end(), hi) - keys.begin());
    *from = first > 0 ? first - 1 : 0;
    *to = std::min(keys.size(), last + 1);
}

} // namespace

LossGraphs::Span LossGraphs::span(const std::vector<double> &keys, const std::vector<double> &evalKeys, double lo,
                                  double hi, int columns)
{
    Span span;
    span.lo = lo;
    span.hi = hi;
    span.columns = columns;
    visibleSlice(keys, lo, hi, &span.from, &span.to);
    visibleSlice(evalKeys, lo, hi, &span.evalFrom, &span.evalTo);
    span.reduceSteps = span.to - span.from > size_t(columns);
    span.reduceEvals = span.evalTo - span.evalFrom > size_t(columns);
    return span;
}

void LossGraphs::build(QCustomPlot *plot, QCPAxisRect *loss, QCPAxisRect *accuracy, int count)
{
    m_slots.assign(size_t(count), {});
    QCPAxis *x = loss->axis(QCPAxis::atBottom), *y = loss->axis(QCPAxis::atLeft);
    QCPAxis *ax = accuracy->axis(QCPAxis::atBottom), *ay = accuracy->axis(QCPAxis::atLeft);
    for (size_t i = 0; i < m_slots.size(); ++i) {
        Slot &slot = m_slots[i];
        slot.raw = plot->addGraph(x, y);
        slot.raw->setAntialiased(false);  // faint and dense: antialiasing costs much and shows little
        slot.rawLow = plot->addGraph(x, y);
        slot.rawLow->setPen(Qt::NoPen);
        slot.rawLow->setChannelFillGraph(slot.raw);
        slot.rawLow->setAntialiasedFill(false);
        slot.smooth = plot->addGraph(x, y);
        slot.smooth->addToLegend();
        slot.valLoss = plot->addGraph(x, y);
        slot.valLoss->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
        if (i > 0) {
            slot.valAcc = plot->addGraph(ax, ay);
            slot.valAcc->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
        }
        for (QCPGraph *graph : {slot.raw, slot.rawLow, slot.smooth, slot.valLoss})
            graph->setAdaptiveSampling(false);  // decimated here already
    }
}

QCPGraph *LossGraphs::graph(Curve curve, int slot) const
{
    const Slot &s = m_slots[size_t(slot)];
    switch (curve) {
    case Curve::Raw: return s.raw;
    case Curve::RawLow: return s.rawLow;
    case Curve::Smoothed: return s.smooth;
    case Curve::ValidationLoss: return s.valLoss;
    case Curve::ValidationAccuracy: return s.valAcc;
    }
    return nullptr;
}

int LossGraphs::slotOf(int series) const
{
    for (size_t slot = 0; slot < m_slots.size(); ++slot)
        if (m_slots[slot].series == series)
            return int(slot);
    return -1;
}

void LossGraphs::setVisible(int slot, bool visible)
{
    Slot &s = m_slots[size_t(slot)];
    s.visible = visible;
    for (QCPGraph *graph : {s.raw, s.rawLow, s.smooth, s.valLoss, s.valAcc})
        if (graph)
            graph->setVisible(visible);
}

void LossGraphs::style(int slot, const QColor &color, const QColor &background)
{
    Slot &s = m_slots[size_t(slot)];
    const bool total = s.series == 0;
    QColor faint = color;
    faint.setAlpha(total ? 45 : 60);
    s.rawPen = QPen(faint, 1);
    s.raw->setPen(s.rawLow->data()->isEmpty() ? s.rawPen : QPen(Qt::NoPen));
    s.rawLow->setBrush(faint);
    s.smooth->setPen(QPen(color, total ? 2.4 : 2.0));
    // 1 px: QPainter's cosmetic stroker draws dashes several times
    // faster than its path stroker draws thicker ones.
    s.valLoss->setPen(QPen(color, 1, Qt::DashLine));
    QCPScatterStyle scatter = s.valLoss->scatterStyle();
    scatter.setPen(QPen(color, 1.5));
    scatter.setBrush(background);
    s.valLoss->setScatterStyle(scatter);
    if (s.valAcc) {
        s.valAcc->setPen(QPen(color, 1));  // cosmetic: see the validation loss
        QCPScatterStyle disc = s.valAcc->scatterStyle();
        disc.setPen(QPen(color));
        disc.setBrush(color);
        s.valAcc->setScatterStyle(disc);
    }
}

void LossGraphs::styleValidation(bool dense)
{
    for (Slot &s : m_slots) {
        QPen pen = s.valLoss->pen();
        pen.setStyle(dense ? Qt::SolidLine : Qt::DashLine);
        s.valLoss->setPen(pen);
        QCPScatterStyle scatter = s.valLoss->scatterStyle();
        scatter.setShape(dense ? QCPScatterStyle::ssNone : QCPScatterStyle::ssCircle);
        s.valLoss->setScatterStyle(scatter);
        if (s.valAcc) {
            QCPScatterStyle disc = s.valAcc->scatterStyle();
            disc.setShape(dense ? QCPScatterStyle::ssNone : QCPScatterStyle::ssDisc);
            s.valAcc->setScatterStyle(disc);
        }
    }
}

void LossGraphs::fill(const LossHistory &history, const std::vector<double> &keys,
                      const std::vector<double> &evalKeys, const Span &span)
{
    for (Slot &slot : m_slots) {
        if (slot.series < 0 || slot.series >= history.seriesCount())
            continue;
        if (slot.visible) {
            fillSlot(slot, history.series(slot.series), keys, evalKeys, span);
        } else {
            // A hidden series costs nothing until it is shown (the redraw
            // that shows it fills it): no points reduced, none kept.
            for (QCPGraph *graph : {slot.raw, slot.rawLow, slot.smooth, slot.valLoss, slot.valAcc})
                if (graph && !graph->data()->isEmpty())
                    graph->data()->clear();
        }
    }
}

void LossGraphs::fillSlot(Slot &slot, const LossHistory::Series &series, const std::vector<double> &keys,
                          const std::vector<double> &evalKeys, const Span &span)
{
    if (!span.reduceSteps) {
        copyPoints(keys, series.loss, span.from, span.to);
        slot.raw->setData(m_keysOut, m_valuesOut, true);
        slot.raw->setPen(slot.rawPen);
        slot.rawLow->data()->clear();
        copyPoints(keys, series.smoothed, span.from, span.to);
    } else {
        columnBand(keys, series.loss, series.lossBlocks, span.from, span.to, span);
        slot.raw->setData(m_keysOut, m_valuesOut, true);
        slot.raw->setPen(Qt::NoPen);
        slot.rawLow->setData(m_keysOut, m_lowOut, true);
        columnMeans(keys, series.smoothed, series.smoothedBlocks, span.from, span.to, span);
    }
    slot.smooth->setData(m_keysOut, m_valuesOut, true);
    if (span.reduceEvals)
        columnMeans(evalKeys, series.evalLoss, series.evalLossBlocks, span.evalFrom, span.evalTo, span);
    else
        copyPoints(evalKeys, series.evalLoss, span.evalFrom, span.evalTo);
    slot.valLoss->setData(m_keysOut, m_valuesOut, true);
    if (slot.valAcc) {
        if (span.reduceEvals)
            columnMeans(evalKeys, series.evalAccuracy, series.evalAccuracyBlocks, span.evalFrom, span.evalTo, span);
        else
            copyPoints(evalKeys, series.evalAccuracy, span.evalFrom, span.evalTo);
        slot.valAcc->setData(m_keysOut, m_valuesOut, true);
    }
}

void LossGraphs::copyPoints(const std::vector<double> &keys, const std::vector<double> &values, size_t first,
                            size_t last)
{
    m_keysOut.resize(qsizetype(last - first));
    m_valuesOut.resize(qsizetype(last - first));
    std::copy(keys.begin() + ptrdiff_t(first), keys.begin() + ptrdiff_t(last), m_keysOut.begin());
    std::copy(values.begin() + ptrdiff_t(first), values.begin() + ptrdiff_t(last), m_valuesOut.begin());
}

void LossGraphs::columnMeans(const std::vector<double> &keys, const std::vector<double> &values,
                             const SeriesPyramid &blocks, size_t first, size_t last, const Span &span)
{
    reduceToColumns(keys, values, blocks, first, last, span.lo, span.hi, span.columns, &m_columns);
    m_keysOut.resize(qsizetype(m_columns.size()));
    m_valuesOut.resize(qsizetype(m_columns.size()));
    for (size_t c = 0; c < m_columns.size(); ++c) {
        const Column &col = m_columns[c];
        m_keysOut[qsizetype(c)] = keys[(col.first + col.last) / 2];
        m_valuesOut[qsizetype(c)] = col.count ? col.sum / col.count : NAN;
    }
}

void LossGraphs::columnBand(const std::vector<double> &keys, const std::vector<double> &values,
                            const SeriesPyramid &blocks, size_t first, size_t last, const Span &span)
{
    reduceToColumns(keys, values, blocks, first, last, span.lo, span.hi, span.columns, &m_columns);
    m_keysOut.resize(qsizetype(m_columns.size()));
    m_valuesOut.resize(qsizetype(m_columns.size()));
    m_lowOut.resize(qsizetype(m_columns.size()));
    for (size_t c = 0; c < m_columns.size(); ++c) {
        const Column &col = m_columns[c];
        m_keysOut[qsizetype(c)] = keys[(col.first + col.last) / 2];
        m_valuesOut[qsizetype(c)] = col.count ? values[col.maxIndex] : NAN;
        m_lowOut[qsizetype(c)] = col.count ? values[col.minIndex] : NAN;
    }
}

} // namespace attnscope
