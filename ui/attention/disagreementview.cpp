#include "disagreementview.h"

#include "colormaps.h"
#include "tasknames.h"

#include <QEvent>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <cmath>

namespace attnscope {

DisagreementView::DisagreementView(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_plot = new QCustomPlot(this);
    layout->addWidget(m_plot);
    m_plot->installEventFilter(this);  // token labels are spaced for the width
    m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    m_plot->xAxis->setSubTicks(false);
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->yAxis->setLabel(tr("attention"));
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    setMinimumHeight(240);
    rebuild();
}

void DisagreementView::setSnapshot(const AttentionSnapshot &snapshot)
{
    setSnapshot(std::make_shared<const AttentionSnapshot>(snapshot));
}

void DisagreementView::setSnapshot(SnapshotPtr snapshot)
{
    m_snapshot = snapshot ? std::move(snapshot) : std::make_shared<const AttentionSnapshot>();
    if (m_sample >= int(m_snapshot->samples.size()))
        m_sample = 0;
    rebuild();
}

void DisagreementView::setSelectedSample(int index)
{
    m_sample = index;
    rebuild();
}

double DisagreementView::spread(int token) const
{
    return token >= 0 && token < int(m_spread.size()) ? m_spread[size_t(token)] : std::nan("");
}

void DisagreementView::rebuild()
{
    m_spread.clear();
    const AttentionSample *s = m_sample >= 0 && m_sample < int(m_snapshot->samples.size())
                                   ? &m_snapshot->samples[size_t(m_sample)]
                                   : nullptr;
    const int n = s ? s->tokenCount() : 0;
    const int T = s ? int(s->weights.size()) : 0;
    double top = 0;
    for (int j = 0; j < n; ++j) {
        double lo = 1e30, hi = -1e30;
        for (int t = 0; t < T; ++t) {
            if (j >= int(s->weights[size_t(t)].size())) continue;
            lo = std::min(lo, double(s->weights[size_t(t)][size_t(j)]));
            hi = std::max(hi, double(s->weights[size_t(t)][size_t(j)]));
        }
        m_spread.push_back(T > 0 ? hi - lo : 0);
        top = std::max(top, hi);
    }
    // The plot only when it is seen.
    if (!isVisible()) {
        m_plotDirty = true;
        return;
    }
    m_plotDirty = false;
    m_plot->clearPlottables();
    auto ticker = m_plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    ticker->clear();
    if (!s) {
        stylePlot(m_plot, palette());
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
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
    for (int t = 0; t < std::min(T, MaxNamedTasks); ++t) {
        auto *graph = m_plot->addGraph();
        graph->setName(elidedName(m_snapshot->tasks[size_t(t)].name));
        QVector<double> values(n);
        for (int j = 0; j < n; ++j)
            values[j] = j < int(s->weights[size_t(t)].size()) ? s->weights[size_t(t)][size_t(j)] : std::nan("");
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
    if (T > MaxNamedTasks) {
        // A legend entry (no data) for the tasks not drawn.
        auto *more = m_plot->addGraph();
        more->setName(andMore(T - MaxNamedTasks, tr("tasks (in the spread)")));
        more->setPen(Qt::NoPen);
    }
    const QFontMetrics fm(m_plot->xAxis->tickLabelFont());
    const int every = std::max(1, int(std::ceil(double(n) * (fm.height() + 2) / std::max(200, m_plot->width() - 120))));
    int widest = 0;
    for (int j = 0; j < n; j += every) {
        const QString label = elidedName(s->tokens[size_t(j)]);
        ticker->addTick(j, label);
        widest = std::max(widest, fm.horizontalAdvance(label));
    }
    const double cellWidth = double(std::max(200, m_plot->width() - 120)) / std::max(n, 1);
    m_plot->xAxis->setTickLabelRotation(widest + 6 > cellWidth * every ? -90 : 0);
    m_plot->xAxis->setRange(-0.6, n - 0.4);
    m_plot->yAxis->setRange(0, top > 0 ? top * 1.08 : 1);
    stylePlot(m_plot, palette());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void DisagreementView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_plotDirty)
        rebuild();
}

void DisagreementView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        rebuild();
    QWidget::changeEvent(event);
}

bool DisagreementView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_plot && event->type() == QEvent::Resize)
        QMetaObject::invokeMethod(this, [this] { rebuild(); }, Qt::QueuedConnection);
    return QWidget::eventFilter(watched, event);
}

QString DisagreementView::csv() const
{
    QString out = QStringLiteral("sample,token_index,token");
    for (const TaskInfo &t : m_snapshot->tasks)
        out += QStringLiteral(",\"%1\"").arg(QString::fromStdString(t.name));
    out += QStringLiteral(",spread\n");
    if (m_sample < 0 || m_sample >= int(m_snapshot->samples.size()))
        return out;
    const AttentionSample &s = m_snapshot->samples[size_t(m_sample)];
    for (int j = 0; j < s.tokenCount(); ++j) {
        QString token = QString::fromStdString(s.tokens[size_t(j)]);
        out += QStringLiteral("%1,%2,\"%3\"").arg(s.sampleIndex).arg(j).arg(token.replace(QLatin1Char('"'), QLatin1String("\"\"")));
        for (const auto &w : s.weights)
            out += QLatin1Char(',') + (j < int(w.size()) ? QString::number(w[size_t(j)], 'g', 9) : QString());
        out += QLatin1Char(',') + QString::number(spread(j), 'g', 9) + QLatin1Char('\n');
    }
    return out;
}

} // namespace attnscope
