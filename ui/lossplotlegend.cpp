// LossPlot's graphs and legend: the graphs of the series the legend names
// (which tasks, hidden ones greyed out), the earlier runs drawn over the
// shown one (overlays, each in a look of its own), and the colours of it all
// for the palette. Apart from lossplot.cpp, which draws and follows the run.
#include "lossplot.h"

#include "appearance.h"
#include "tasknames.h"

#include <QEvent>
#include <QLocale>

#include <qcustomplot.h>

#include <algorithm>
#include <utility>

namespace attnscope {

QString LossPlot::seriesName(int series) const
{
    return series == 0 ? tr("total") : m_history->tasks()[series - 1];
}

void LossPlot::buildGraphs()
{
    // Graphs join the legend only where they are named there (adding every
    // graph and taking most out again costs a legend rearrangement each).
    m_plot->setAutoAddPlottableToLegend(false);
    m_plot->clearGraphs();
    m_plot->legend->clearItems();
    m_moreEntry = m_validationKey = m_shownKey = m_moreRunsEntry = m_bestMark = nullptr;
    m_overlays.clear();  // their graphs went with the others
    const int tasks = int(m_history->tasks().size());
    m_graphs.build(m_plot, m_lossRect, m_accRect, 1 + std::min(tasks, MaxNamedTasks));
    QCPAxis *x = m_lossRect->axis(QCPAxis::atBottom), *y = m_lossRect->axis(QCPAxis::atLeft);
    if (tasks > MaxNamedTasks) {
        // Named by bindSeries; clicking it shows the next tasks.
        m_moreEntry = m_plot->addGraph(x, y);
        m_moreEntry->setPen(Qt::NoPen);
        m_moreEntry->addToLegend();
    }
    if (tasks > 0) {
        // One legend entry explaining the dashed validation curves.
        m_validationKey = m_plot->addGraph(x, y);
        m_validationKey->setName(tr("validation"));  // its sample is dashed, with a dot
        m_validationKey->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
        m_validationKey->addToLegend();
    }
    // In the legend once there is a best evaluation (placeBestMark).
    m_bestMark = m_plot->addGraph(x, y);
    m_bestMark->setLineStyle(QCPGraph::lsNone);
    m_bestMark->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssStar, 14));
    m_bestMark->setVisible(false);
    m_firstTask = 0;
    buildOverlays();
    bindSeries();
}

void LossPlot::setOverlays(const std::vector<Overlay> &overlays, const QString &shownName)
{
    for (OverlayGraphs &o : m_overlays) {
        for (int slot = 0; slot < o.graphs.slotCount(); ++slot)
            for (Curve curve : {Curve::Raw, Curve::RawLow, Curve::Smoothed, Curve::ValidationLoss, Curve::ValidationAccuracy})
                if (QCPGraph *graph = o.graphs.graph(curve, slot))
                    m_plot->removeGraph(graph);
        m_plot->removeGraph(o.key);
    }
    m_overlays.clear();
    if (m_shownKey)
        m_plot->removeGraph(std::exchange(m_shownKey, nullptr));
    if (m_moreRunsEntry)
        m_plot->removeGraph(std::exchange(m_moreRunsEntry, nullptr));
    m_overlayRuns = overlays;
    m_shownName = shownName;
    for (const Overlay &o : m_overlayRuns)
        if (o.history && o.history->smoothing() != m_smoothing)
            o.history->setSmoothing(m_smoothing);
    buildOverlays();
    bindSeries();
}

LossPlot::OverlayLook LossPlot::overlayLook(int overlay)
{
    // Qt's four dashed styles (what the first four runs had), then four
    // more; each eight again with a marker, none of the validation key's
    // circle nor the best evaluation's star (from the ninth run on, a run
    // read as a validation curve: C5 of accept24).
    static const QVector<qreal> dashes[] = {{1, 2}, {4, 2, 1, 2}, {4, 2}, {4, 2, 1, 2, 1, 2},
                                            {9, 3}, {9, 3, 2, 3}, {1, 5}, {9, 3, 2, 3, 2, 3}};
    static const QCPScatterStyle::ScatterShape markers[] = {
        QCPScatterStyle::ssNone,     QCPScatterStyle::ssSquare,          QCPScatterStyle::ssTriangle,
        QCPScatterStyle::ssDiamond,  QCPScatterStyle::ssCross,           QCPScatterStyle::ssPlus,
        QCPScatterStyle::ssTriangleInverted, QCPScatterStyle::ssCrossSquare};
    const int look = overlay % OverlayLooks;
    return {dashes[look % 8], markers[look / 8]};
}

QString LossPlot::shownRunsHeading(const QString &shownName, qint64 step) const
{
    if (m_overlays.empty())
        return tr("%1 · step %2").arg(shownName).arg(step);
    QStringList names;
    std::vector<double> lasts;
    if (!m_history->steps().empty()) {
        names << shownName;
        lasts.push_back(m_history->steps().back());
    }
    for (const OverlayGraphs &o : m_overlays)
        if (o.run.history && !o.run.history->steps().empty()) {
            names << o.run.name;
            lasts.push_back(o.run.history->steps().back());
        }
    if (names.isEmpty())
        return tr("%1 · step %2").arg(shownName).arg(step);
    const auto [lo, hi] = std::minmax_element(lasts.begin(), lasts.end());
    const QString steps = *lo == *hi ? tr("step %1").arg(qint64(*hi))
                                     : tr("steps %1–%2").arg(qint64(*lo)).arg(qint64(*hi));
    const QString runs = names.size() <= 4 ? names.join(QStringLiteral(", ")) : tr("%1 runs").arg(names.size());
    return runs + QStringLiteral(" · ") + steps;
}

std::vector<int> LossPlot::runLooks(const std::vector<int> &runIds)
{
    // None left (all deleted: Undo may bring them back) keeps them.
    if (!runIds.empty() && std::none_of(runIds.begin(), runIds.end(), [this](int id) { return m_runLooks.count(id) > 0; })) {
        m_runLooks.clear();
        m_nextRunLook = 0;
    }
    std::vector<int> looks;
    for (const int id : runIds) {
        const auto [it, added] = m_runLooks.try_emplace(id, m_nextRunLook);
        if (added)
            m_nextRunLook = (m_nextRunLook + 1) % OverlayLooks;
        looks.push_back(it->second);
    }
    return looks;
}

QCPGraph *LossPlot::overlayGraph(int overlay, int series) const
{
    if (overlay < 0 || overlay >= int(m_overlays.size()))
        return nullptr;
    const int slot = m_graphs.slotOf(series);
    const LossGraphs &g = m_overlays[size_t(overlay)].graphs;
    return slot >= 0 && slot < g.slotCount() && g.series(slot) >= 0 ? g.graph(Curve::Smoothed, slot) : nullptr;
}

// The overlays' graphs, as many slots as the shown run's; the legend names
// each run after the shown one.
void LossPlot::buildOverlays()
{
    if (m_overlayRuns.empty())
        return;
    QCPAxis *x = m_lossRect->axis(QCPAxis::atBottom), *y = m_lossRect->axis(QCPAxis::atLeft);
    m_shownKey = m_plot->addGraph(x, y);
    m_shownKey->setName(elidedName(m_shownName));
    m_shownKey->addToLegend();
    m_overlays.resize(m_overlayRuns.size());
    for (size_t i = 0; i < m_overlays.size(); ++i) {
        OverlayGraphs &o = m_overlays[i];
        o.run = m_overlayRuns[i];
        o.graphs.build(m_plot, m_lossRect, m_accRect, m_graphs.slotCount());
        for (int slot = 0; slot < o.graphs.slotCount(); ++slot)
            o.graphs.graph(Curve::Smoothed, slot)->removeFromLegend();
        o.key = m_plot->addGraph(x, y);
        o.key->setName(elidedName(o.run.name));
        if (int(i) < MaxNamedRuns)
            o.key->addToLegend();
    }
    // The others in one entry, as short as the others (a long one made the
    // legend one column wide): the Runs tab's Line column draws each run's line.
    if (int(m_overlays.size()) > MaxNamedRuns) {
        m_moreRunsEntry = m_plot->addGraph(x, y);
        m_moreRunsEntry->setPen(Qt::NoPen);
        m_moreRunsEntry->setName(tr("+%1 more runs").arg(int(m_overlays.size()) - MaxNamedRuns));
        m_moreRunsEntry->addToLegend();
    }
}

// Each overlay slot draws the series of the shown run's slot with the same
// task name (the total is the total), only what the shown run draws.
void LossPlot::bindOverlaySeries()
{
    for (OverlayGraphs &o : m_overlays) {
        const QStringList &tasks = o.run.history->tasks();
        for (int slot = 0; slot < o.graphs.slotCount(); ++slot) {
            const int s = m_graphs.series(slot);
            const int mapped = s == 0 ? 0 : int(tasks.indexOf(m_history->tasks()[s - 1])) + 1;
            o.graphs.setSeries(slot, mapped > 0 || s == 0 ? mapped : -1);
            o.graphs.setVisible(slot, m_visible[size_t(s)] && o.graphs.series(slot) >= 0);
            // The smoothed loss and the accuracy; the raw band and the validation loss would bury the shown run.
            for (Curve curve : {Curve::Raw, Curve::RawLow, Curve::ValidationLoss})
                o.graphs.graph(curve, slot)->setVisible(false);
        }
    }
}

void LossPlot::styleOverlays(const QColor &text, const QColor &base)
{
    if (m_shownKey)
        m_shownKey->setPen(QPen(text, 2));
    const auto pen = [](const QColor &color, double width, const OverlayLook &look) {
        QPen p(color, width);
        p.setDashPattern(look.dashes);
        return p;
    };
    // A marker every MarkerSpacing points of the drawn columns (about as many pixels).
    constexpr int MarkerSpacing = 40;
    for (size_t i = 0; i < m_overlays.size(); ++i) {
        OverlayGraphs &o = m_overlays[i];
        const OverlayLook look = overlayLook(o.run.look >= 0 ? o.run.look : int(i));
        o.key->setPen(pen(text, 2, look));
        o.key->setScatterStyle(QCPScatterStyle(look.marker, text, base, 7));
        for (int slot = 0; slot < o.graphs.slotCount(); ++slot) {
            const int s = m_graphs.series(slot);
            const QColor color = s == 0 ? totalColor(palette()) : taskColor(s - 1);
            o.graphs.style(slot, color, base);
            QCPGraph *smoothed = o.graphs.graph(Curve::Smoothed, slot);
            smoothed->setPen(pen(color, 2.0, look));
            smoothed->setScatterStyle(QCPScatterStyle(look.marker, color, base, 7));
            smoothed->setScatterSkip(MarkerSpacing);
            if (QCPGraph *acc = o.graphs.graph(Curve::ValidationAccuracy, slot)) {
                acc->setPen(pen(color, 1.5, look));
                acc->setScatterStyle(QCPScatterStyle(look.marker, color, base, 6));
            }
        }
    }
}

void LossPlot::bindSeries()
{
    const int tasks = int(m_history->tasks().size());
    for (int slot = 0; slot < m_graphs.slotCount(); ++slot) {
        const int s = slot == 0 ? 0 : m_firstTask + slot;
        m_graphs.setSeries(slot, s);
        m_graphs.graph(Curve::Smoothed, slot)->setName(elidedName(seriesName(s)));
        m_graphs.setVisible(slot, m_visible[size_t(s)]);
    }
    bindOverlaySeries();
    if (m_moreEntry) {
        const int named = namedTaskCount();
        const int next = m_firstTask + named < tasks ? std::min(m_firstTask + named, tasks - named) : 0;
        m_moreEntry->setName(tr("%1 more tasks: click for %2–%3")
                                 .arg(QLocale().toString(tasks - named))
                                 .arg(next + 1)
                                 .arg(next + named));
    }
    applyPalette();
}

void LossPlot::setFirstNamedTask(int task)
{
    // The last ones fill the legend too: it names namedTaskCount() tasks whatever the start.
    task = std::clamp(task, 0, int(m_history->tasks().size()) - namedTaskCount());
    if (task == m_firstTask)
        return;
    m_firstTask = task;
    bindSeries();
    setFollow(true);  // the y range fits the curves now drawn
    scheduleRedraw();
    emit optionsChanged();
}

void LossPlot::showNextTasks()
{
    const int next = m_firstTask + namedTaskCount();
    setFirstNamedTask(next < int(m_history->tasks().size()) ? next : 0);  // after the last ones, the first again
}

void LossPlot::applyPalette()
{
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::WindowText);
    const QColor base = pal.color(QPalette::Base);
    QColor grid = text;
    grid.setAlpha(40);
    m_plot->setBackground(base);
    const QFont axisFont = font();
    QFont labelFont = font();
    labelFont.setPointSizeF(font().pointSizeF() * 1.05);
    for (QCPAxisRect *rect : {m_lossRect, m_accRect})
        for (QCPAxis *axis : rect->axes())
            styleAxis(axis, text, grid, axisFont, labelFont);
    QColor legendBg = base;
    legendBg.setAlpha(220);
    styleLegend(m_plot->legend, text, legendBg, grid, axisFont);
    for (int slot = 0; slot < m_graphs.slotCount(); ++slot) {
        const int s = m_graphs.series(slot);
        m_graphs.style(slot, s == 0 ? totalColor(pal) : taskColor(s - 1), base);
        // A hidden series keeps its entry, greyed out, so it can be clicked back.
        if (QCPAbstractLegendItem *item = m_plot->legend->itemWithPlottable(m_graphs.graph(Curve::Smoothed, slot))) {
            QColor itemText = text;
            if (!m_visible[size_t(s)])
                itemText.setAlpha(90);
            item->setTextColor(itemText);
        }
    }
    if (m_validationKey) {
        m_validationKey->setPen(QPen(text, 1, Qt::DashLine));
        QCPScatterStyle scatter = m_validationKey->scatterStyle();
        scatter.setPen(QPen(text, 1.5));
        scatter.setBrush(base);
        m_validationKey->setScatterStyle(scatter);
    }
    styleOverlays(text, base);
    if (m_bestMark) {
        QCPScatterStyle star = m_bestMark->scatterStyle();
        star.setPen(QPen(totalColor(pal), 2.5));
        m_bestMark->setScatterStyle(star);
    }
    for (Marker &m : m_markers) {
        m.line->setPen(QPen(text, 1, Qt::DashDotLine));
        m.label->setColor(text);
        m.label->setFont(axisFont);
    }
    scheduleRedraw();
}

void LossPlot::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange)
        applyPalette();
    if (event->type() == QEvent::FontChange && m_smoothLabel)  // the zoom: "0.90" whole at its size
        m_smoothLabel->setMinimumWidth(m_smoothLabel->fontMetrics().horizontalAdvance(QStringLiteral("0.00")) + 4);
}

} // namespace attnscope
