#include "disagreementview.h"

#include "appearance.h"
#include "csvwriter.h"
#include "tasknames.h"

#include <qcustomplot.h>

#include <cmath>

namespace attnscope {

DisagreementView::DisagreementView(QWidget *parent) : SnapshotView(parent)
{
    m_plot = addPlot();
    rebuildWhenResized(m_plot);  // token labels are spaced for the width
    m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    m_plot->xAxis->setSubTicks(false);
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->yAxis->setLabel(tr("attention"));
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
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

double DisagreementView::spread(int token) const
{
    return token >= 0 && token < int(m_spread.size()) ? m_spread[size_t(token)] : std::nan("");
}

void DisagreementView::updateSpread()
{
    m_spread.clear();
    m_top = 0;
    const AttentionSample *s = sample();
    const int n = s ? s->tokenCount() : 0;
    const int T = s ? int(s->weights.size()) : 0;
    for (int j = 0; j < n; ++j) {
        double lo = 1e30, hi = -1e30;
        for (int t = 0; t < T; ++t) {
            if (j >= int(s->weights[size_t(t)].size())) continue;
            lo = std::min(lo, double(s->weights[size_t(t)][size_t(j)]));
            hi = std::max(hi, double(s->weights[size_t(t)][size_t(j)]));
        }
        m_spread.push_back(T > 0 ? hi - lo : 0);
        m_top = std::max(m_top, hi);
    }
}

void DisagreementView::draw()
{
    m_plot->clearPlottables();
    m_plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>()->clear();
    const AttentionSample *s = sample();
    if (!s) {
        stylePlot(m_plot, palette());
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const int n = s->tokenCount();
    const int T = int(s->weights.size());
    QVector<double> keys(n), spread(n);
    for (int j = 0; j < n; ++j) {
        keys[j] = j;
        spread[j] = m_spread[size_t(j)];
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
    m_plot->yAxis->setRange(0, m_top > 0 ? m_top * 1.08 : 1);
    stylePlot(m_plot, palette());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void DisagreementView::addTaskDots(int t, const QVector<double> &keys)
{
    const AttentionSample &s = *sample();
    const int n = int(keys.size());
    auto *graph = m_plot->addGraph();
    graph->setName(elidedName(snapshot().tasks[size_t(t)].name));
    QVector<double> values(n);
    for (int j = 0; j < n; ++j)
        values[j] = j < int(s.weights[size_t(t)].size()) ? s.weights[size_t(t)][size_t(j)] : std::nan("");
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
    int widest = 0;
    for (int j = 0; j < n; j += every) {
        const QString label = elidedName(s.tokens[size_t(j)]);
        ticker->addTick(j, label);
        widest = std::max(widest, fm.horizontalAdvance(label));
    }
    // Horizontal labels when each fits in its place, else upright (rotated).
    const double cellWidth = double(available) / std::max(n, 1);
    m_plot->xAxis->setTickLabelRotation(widest + 6 > cellWidth * every ? -90 : 0);
}

QString DisagreementView::csv() const
{
    QString out = QStringLiteral("sample,token_index,token");
    for (const TaskInfo &t : snapshot().tasks)
        out += QLatin1Char(',') + QString::fromStdString(csvQuote(t.name));
    out += QStringLiteral(",spread\n");
    const AttentionSample *s = sample();
    if (!s)
        return out;
    for (int j = 0; j < s->tokenCount(); ++j) {
        out += QString::number(s->sampleIndex) + QLatin1Char(',') + QString::number(j) + QLatin1Char(',')
               + QString::fromStdString(csvQuote(s->tokens[size_t(j)]));
        for (const auto &w : s->weights)
            out += QLatin1Char(',') + (j < int(w.size()) ? QString::number(w[size_t(j)], 'g', 9) : QString());
        out += QLatin1Char(',') + QString::number(spread(j), 'g', 9) + QLatin1Char('\n');
    }
    return out;
}

} // namespace attnscope
