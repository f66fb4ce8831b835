#include "disagreementview.h"

#include "appearance.h"
#include "csvwriter.h"
#include "scores.h"
#include "tasknames.h"
#include "unknownmark.h"

#include <QLabel>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace attnscope {

DisagreementView::DisagreementView(QWidget *parent) : SnapshotView(parent)
{
    m_plot = addPlot();
    m_title = addTitle(m_plot);
    rebuildWhenResized(m_plot);  // token labels are spaced for the width
    m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    m_plot->xAxis->setSubTicks(false);
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->yAxis->setLabel(tr("attention"));
    // The legend in a row of its own above the axes: inset in the axis
    // rect, it hid the bars and dots under it.
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setVisible(true);
    setMinimumHeight(240);
    rebuild();
}

void DisagreementView::snapshotChanged(const AttentionSnapshot &, int)
{
    updateSpread();
    rebuild();
}

void DisagreementView::sampleChanged()
{
    updateSpread();
    rebuild();
}

void DisagreementView::scoreChanged()
{
    updateSpread();
    rebuild();
}

QString DisagreementView::title() const
{
    QString text = scoreName(score()) + QStringLiteral(" · ") + scoreSource(snapshot(), sample(), score());
    if (sample())
        text += QStringLiteral(" · ") + sampleName(snapshot(), *sample());
    return text;
}

double DisagreementView::spread(int token) const
{
    return token >= 0 && token < int(m_spread.size()) ? m_spread[size_t(token)] : std::nan("");
}

void DisagreementView::updateSpread()
{
    m_values.clear();
    m_spread.clear();
    m_top = m_bottom = 0;
    const AttentionSample *s = sample();
    if (!s)
        return;
    const int n = s->tokenCount();
    for (int t = 0; t < snapshot().taskCount(); ++t) {
        m_values.push_back(values(*s, t));  // empty where the score was not computed
        m_values.back().resize(size_t(n), std::nanf(""));
    }
    for (int j = 0; j < n; ++j) {
        double lo = HUGE_VAL, hi = -HUGE_VAL;
        for (const std::vector<float> &v : m_values)
            if (std::isfinite(v[size_t(j)])) {
                lo = std::min(lo, double(v[size_t(j)]));
                hi = std::max(hi, double(v[size_t(j)]));
            }
        const bool any = lo <= hi;
        m_spread.push_back(any ? hi - lo : std::nan(""));
        if (any) {
            m_top = std::max({m_top, hi, hi - lo});
            m_bottom = std::min(m_bottom, lo);
        }
    }
}

void DisagreementView::draw()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>()->clear();
    m_title->setText(title());
    m_plot->yAxis->setLabel(scoreName(score()));
    const AttentionSample *s = sample();
    setUnknownLegendShown(s && !unknownPositions(s->unknown).empty());
    if (!s) {
        stylePlot(m_plot, palette());
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const int n = s->tokenCount();
    const int T = int(m_values.size());
    QVector<double> keys(n), spread(n);
    for (int j = 0; j < n; ++j) {
        keys[j] = j;
        spread[j] = std::isfinite(m_spread[size_t(j)]) ? m_spread[size_t(j)] : 0;  // no bar where no score
    }
    auto *bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    bars->setName(tr("spread (max − min over tasks)"));
    QColor barColor = palette().color(QPalette::WindowText);
    barColor.setAlphaF(0.25);
    bars->setBrush(barColor);
    bars->setPen(Qt::NoPen);
    bars->setWidth(0.8);
    bars->setData(keys, spread, true);
    // Each task's weights as dots in its colour, for the first MaxNamedTasks
    // tasks (the spread bars cover them all): thousands of graphs and legend
    // entries take seconds to build and show nothing one could tell apart.
    for (int t = 0; t < std::min(T, MaxNamedTasks); ++t)
        addTaskDots(t, keys);
    if (T > MaxNamedTasks) {
        // A legend entry (no data) for the tasks not drawn.
        auto *more = m_plot->addGraph();
        more->setName(andMore(T - MaxNamedTasks, tr("tasks (in the spread)")));
        more->setPen(Qt::NoPen);
    }
    placeLabels();
    m_plot->xAxis->setRange(-0.6, n - 0.4);
    // From 0 (or the lowest signed score) to the top, with a margin.
    const double height = m_top - m_bottom;
    m_plot->yAxis->setRange(m_bottom < 0 ? m_bottom - 0.08 * height : 0, height > 0 ? m_top + 0.08 * height : 1);
    // An unknown word's place hatched under the bars and dots, its label in
    // italic and colour (unknownmark.h).
    const std::vector<int> unknown = unknownPositions(s->unknown);
    for (const int j : unknown) {
        const QCPRange y = m_plot->yAxis->range();
        hatchUnknownCells(m_plot, QRectF(QPointF(j - 0.45, y.upper), QPointF(j + 0.45, y.lower)))->setLayer(QStringLiteral("grid"));
    }
    markUnknownTicks(m_plot->xAxis, unknown);
    stylePlot(m_plot, palette());
    wrapLegend(m_plot->legend, m_plot->width());  // as many entries a row as fit
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void DisagreementView::addTaskDots(int t, const QVector<double> &keys)
{
    const int n = int(keys.size());
    auto *graph = m_plot->addGraph();
    graph->setName(elidedName(snapshot().tasks[size_t(t)].name));
    QVector<double> values(n);
    for (int j = 0; j < n; ++j)
        values[j] = m_values[size_t(t)][size_t(j)];
    graph->setData(keys, values, true);
    graph->setLineStyle(QCPGraph::lsNone);
    QCPScatterStyle dot(QCPScatterStyle::ssDisc, taskColor(t), taskColor(t), 9);
    if (n > 64) {
        // Hundreds of antialiased discs are slow to draw: stamp one pre-drawn disc.
        QPixmap pixmap(11, 11);
        pixmap.fill(Qt::transparent);
        QCPPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        dot.applyTo(&painter, QPen(taskColor(t)));
        dot.drawShape(&painter, 5.5, 5.5);
        painter.end();
        QCPScatterStyle stamp(pixmap);
        stamp.setBrush(taskColor(t));
        stamp.setPen(QPen(taskColor(t)));
        graph->setScatterStyle(stamp);
    } else {
        graph->setScatterStyle(dot);
    }
}

void DisagreementView::placeLabels()
{
    const AttentionSample &s = *sample();
    const int n = s.tokenCount();
    auto ticker = m_plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    const QFontMetrics fm(m_plot->xAxis->tickLabelFont());
    const int available = std::max(200, m_plot->width() - 120);
    const int every = labelStride(n, fm.height() + 2, available);
    // Cut to a quarter of the plot's height: upright, whole words took all
    // of it at 1024 x 768 and 150 % ("melodramatic" over a plot of a few px).
    const int longest = std::max(fm.horizontalAdvance(QStringLiteral("wwww")), m_plot->height() / 4);
    int widest = 0;
    for (int j = 0; j < n; j += every) {
        const QString label = fm.elidedText(elidedName(s.tokens[size_t(j)]), Qt::ElideRight, longest);  // <unk>: marked in draw()
        ticker->addTick(j, label);
        widest = std::max(widest, fm.horizontalAdvance(label));
    }
    // Horizontal labels when each fits in its place, else upright (rotated).
    const double cellWidth = double(available) / std::max(n, 1);
    m_plot->xAxis->setTickLabelRotation(widest + 6 > cellWidth * every ? -90 : 0);
}

QString DisagreementView::csv() const
{
    // A task's column is named by the task, "task:score" for a score other than attention.
    const std::string suffix = score() == Method::Attention ? std::string() : std::string(":") + toString(score());
    QString out = QStringLiteral("sample,token_index,token");
    for (const TaskInfo &t : snapshot().tasks)
        out += QLatin1Char(',') + QString::fromStdString(csvQuote(t.name + suffix));
    out += QStringLiteral(",spread\n");
    const AttentionSample *s = sample();
    if (!s)
        return out;
    for (int j = 0; j < s->tokenCount(); ++j) {
        out += QString::number(s->sampleIndex) + QLatin1Char(',') + QString::number(j) + QLatin1Char(',')
               + QString::fromStdString(csvQuote(s->tokens[size_t(j)]));
        for (const std::vector<float> &v : m_values)
            out += QLatin1Char(',') + (std::isfinite(v[size_t(j)]) ? QString::number(v[size_t(j)], 'g', 9) : QString());
        out += QLatin1Char(',') + (std::isfinite(spread(j)) ? QString::number(spread(j), 'g', 9) : QString())
               + QLatin1Char('\n');
    }
    return out;
}

} // namespace attnscope
