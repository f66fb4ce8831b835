// LossPlot's marks: a line and a label where a setting changed during
// training (the label placed clear of the plot's edge and of the legend),
// and the star on the best evaluation. Apart from lossplot.cpp, which draws.
#include "lossplot.h"

#include "tasknames.h"

#include <QFontMetrics>

#include <qcustomplot.h>

namespace attnscope {

// A marker (a line and its label) for each change of the history from firstChange on.
void LossPlot::addMarkers(size_t firstChange)
{
    QCPAxis *x = m_lossRect->axis(QCPAxis::atBottom), *y = m_lossRect->axis(QCPAxis::atLeft);
    for (size_t c = firstChange; c < m_history->changes().size(); ++c) {
        const SettingChange &change = m_history->changes()[c];
        Marker m{change.step, change.epoch, new QCPItemStraightLine(m_plot), new QCPItemText(m_plot)};
        m.line->setClipAxisRect(m_lossRect);
        m.line->point1->setAxes(x, y);
        m.line->point2->setAxes(x, y);
        m.label->setClipAxisRect(m_lossRect);
        m.label->setText(elidedName(change.what, 80));  // a change names a task, which may be long
        m.label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        m.label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        m.label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        m.label->position->setAxes(x, y);
        m.label->position->setAxisRect(m_lossRect);
        m.label->setPadding(QMargins(4, 2, 4, 2));
        m.label->position->setCoords(0, 0.02);
        m_markers.push_back(m);
    }
    applyPalette();
    placeMarkers();
}

// The star on the total's validation loss at the best evaluation and its
// legend entry, which names the step; hidden while the shown run has no evaluation.
void LossPlot::placeBestMark()
{
    if (!m_bestMark)
        return;
    const int best = m_history->bestEvaluation();
    const bool shown = best >= 0;
    if (shown != m_bestMark->visible()) {
        m_bestMark->setVisible(shown);
        if (shown)
            m_bestMark->addToLegend();
        else
            m_bestMark->removeFromLegend();
    }
    if (!shown)
        return;
    const double key = evalKeys()[size_t(best)], loss = m_history->series(0).evalLoss[size_t(best)];
    m_bestMark->data()->clear();
    m_bestMark->addData(key, loss);
    // Short: the legend is a row above the plot, which a projector's 150 % makes narrow.
    m_bestMark->setName(tr("best val. loss: step %1").arg(qint64(m_history->evalSteps()[size_t(best)])));
}

QCPGraph *LossPlot::bestMark() const
{
    return m_bestMark && m_bestMark->visible() ? m_bestMark : nullptr;
}

void LossPlot::placeMarkers()
{
    for (Marker &m : m_markers) {
        const double x = m_xAxis == XAxis::Epoch ? m.epoch : double(m.step);
        m.line->point1->setCoords(x, 0);
        m.line->point2->setCoords(x, 1);
        m.label->position->setCoords(x, m.label->position->coords().y());  // placeMarkerLabels' height
    }
}

// A change's label hangs from the top of its line, right of it, or left of
// it where it would leave the plot, and below the legend where the legend
// would cover it: while the plot follows the run a change is drawn at the
// right edge, under the legend. Labels of changes at the same or nearby
// steps stack, each below the one it would cover (the divergence guard's
// "weights of step 0" and the lower learning rate a class then sets were
// printed over each other). Needs the layout of a replot; true when a
// label moved (another replot shows it).
bool LossPlot::placeMarkerLabels()
{
    const QRect area = m_lossRect->rect();
    if (area.height() <= 0)
        return false;
    const QRect legend = m_plot->legend->visible() ? m_plot->legend->outerRect() : QRect();
    const QCPAxis *x = m_lossRect->axis(QCPAxis::atBottom);
    bool moved = false;
    std::vector<QRect> placed;  // the labels placed so far
    for (Marker &m : m_markers) {
        const double px = x->coordToPixel(m.line->point1->coords().x());
        const QFontMetrics metrics(m.label->font());
        const QMargins pad = m.label->padding();
        const int w = metrics.horizontalAdvance(m.label->text()) + pad.left() + pad.right();
        const int h = metrics.height() + pad.top() + pad.bottom();
        const bool left = px + w > area.right() && px - w >= area.left();
        QRect label(int(left ? px - w : px), area.top() + int(0.02 * area.height()), w, h);
        // Each move goes below what the label covered, so it ends.
        for (bool clear = false; !clear;) {
            clear = true;
            if (label.intersects(legend)) {
                label.moveTop(legend.bottom() + 4);
                clear = false;
            }
            for (const QRect &other : placed)
                if (label.intersects(other)) {
                    label.moveTop(other.bottom() + 2);
                    clear = false;
                }
        }
        placed.push_back(label);
        const int top = label.top();
        const double ratio = double(top - area.top()) / area.height();
        const Qt::Alignment align = (left ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop;
        if (align != m.label->positionAlignment() || ratio != m.label->position->coords().y()) {
            m.label->setPositionAlignment(align);
            m.label->position->setCoords(m.label->position->coords().x(), ratio);
            moved = true;
        }
    }
    return moved;
}

} // namespace attnscope
