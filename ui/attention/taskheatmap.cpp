#include "taskheatmap.h"

#include "tasknames.h"

#include <QEvent>
#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <cmath>

namespace attnscope {

TaskHeatmap::TaskHeatmap(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_plot = new QCustomPlot(this);
    m_plot->setMouseTracking(true);
    m_plot->installEventFilter(this);
    layout->addWidget(m_plot);

    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setInterpolate(false);   // one flat cell per token
    m_map->setTightBoundary(false);
    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setBarWidth(14);
    m_scale->axis()->setLabel(tr("attention"));
    m_map->setColorScale(m_scale);
    // Keep the scale as tall as the map.
    auto *group = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);

    m_plot->xAxis->grid()->setVisible(false);
    m_plot->yAxis->grid()->setVisible(false);
    m_plot->yAxis->setRangeReversed(true);  // first row on top
    m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    m_plot->xAxis->setSubTicks(false);
    m_plot->yAxis->setSubTicks(false);
    m_plot->xAxis->setTickLength(0, 3);
    m_plot->yAxis->setTickLength(0, 3);
    setMinimumHeight(220);
    setColorMap(m_colorMap);
    rebuild();
}

void TaskHeatmap::setSnapshot(const AttentionSnapshot &snapshot)
{
    setSnapshot(std::make_shared<const AttentionSnapshot>(snapshot));
}

void TaskHeatmap::setSnapshot(SnapshotPtr snapshot)
{
    m_snapshot = snapshot ? std::move(snapshot) : std::make_shared<const AttentionSnapshot>();
    if (m_sample >= int(m_snapshot->samples.size()))
        m_sample = 0;
    if (m_task >= m_snapshot->taskCount())
        m_task = 0;
    rebuild();
}

void TaskHeatmap::setSelectedSample(int index)
{
    if (index == m_sample)
        return;
    m_sample = index;
    rebuild();
}

void TaskHeatmap::setTask(int task)
{
    if (task == m_task)
        return;
    m_task = task;
    rebuild();
}

void TaskHeatmap::setLayout(Layout layout)
{
    if (layout == m_layout)
        return;
    m_layout = layout;
    rebuild();
}

void TaskHeatmap::setColorMap(ColorMap map)
{
    m_colorMap = map;
    m_map->setGradient(colorGradient(map));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void TaskHeatmap::setColorScale(ColorScale scale)
{
    m_colorScale = scale;
    rebuild();
}

double TaskHeatmap::colorScaleTop() const
{
    return m_map->dataRange().upper;
}

int TaskHeatmap::rows() const
{
    return int(m_cells.size());
}

int TaskHeatmap::columns() const
{
    return m_cells.empty() ? 0 : int(m_cells.front().size());
}

double TaskHeatmap::cell(int row, int column) const
{
    if (row < 0 || row >= rows() || column < 0 || column >= columns())
        return std::nan("");
    return m_cells[size_t(row)][size_t(column)];
}

QString TaskHeatmap::rowLabel(int row) const
{
    return m_rowLabels.value(row);
}

QString TaskHeatmap::columnLabel(int column) const
{
    return m_columnLabels.value(column);
}

void TaskHeatmap::rebuild()
{
    m_cells.clear();
    m_rowLabels.clear();
    m_columnLabels.clear();
    const auto &samples = m_snapshot->samples;
    if (m_layout == Layout::TasksForSample) {
        if (m_sample >= 0 && m_sample < int(samples.size())) {
            const AttentionSample &s = samples[size_t(m_sample)];
            for (int t = 0; t < m_snapshot->taskCount() && t < int(s.weights.size()); ++t) {
                m_cells.emplace_back(s.weights[size_t(t)].begin(), s.weights[size_t(t)].end());
                m_cells.back().resize(s.tokens.size(), std::nan(""));
                m_rowLabels << elidedName(m_snapshot->tasks[size_t(t)].name);
            }
            for (const std::string &token : s.tokens)
                m_columnLabels << elidedName(token);
        }
    } else if (m_task >= 0 && m_task < m_snapshot->taskCount()) {
        size_t width = 0;
        for (const AttentionSample &s : samples)
            width = std::max(width, s.tokens.size());
        const TaskInfo &task = m_snapshot->tasks[size_t(m_task)];
        for (const AttentionSample &s : samples) {
            std::vector<double> row(width, std::nan(""));
            if (size_t(m_task) < s.weights.size())
                for (size_t j = 0; j < s.weights[size_t(m_task)].size() && j < width; ++j)
                    row[j] = s.weights[size_t(m_task)][j];
            m_cells.push_back(std::move(row));
            const int gold = m_task < int(s.labels.size()) ? s.labels[size_t(m_task)] : -1;
            QString label = QStringLiteral("#%1").arg(s.sampleIndex);
            if (gold >= 0 && gold < int(task.classes.size()))
                label += QStringLiteral(" ") + elidedName(task.classes[size_t(gold)]);
            m_rowLabels << label;
        }
        // Positions: tokens differ from row to row (the tooltip names them).
        const bool sameTokens = samples.size() == 1;
        for (size_t j = 0; j < width; ++j)
            m_columnLabels << (sameTokens ? elidedName(samples[0].tokens[j]) : QString::number(j));
    }

    // The plot only when it is seen (a hidden tab costs nothing per snapshot).
    if (!isVisible()) {
        m_plotDirty = true;
        return;
    }
    m_plotDirty = false;
    const int nRows = rows(), nCols = columns();
    double maxWeight = 0;
    for (const auto &row : m_cells)
        for (double v : row)
            if (std::isfinite(v))
                maxWeight = std::max(maxWeight, v);

    QCPColorMapData *data = m_map->data();
    data->setSize(std::max(nCols, 1), std::max(nRows, 1));
    // Cell centres on integer coordinates; a single cell gets a unit range.
    data->setRange(QCPRange(0, std::max(nCols - 1, 1)), QCPRange(0, std::max(nRows - 1, 1)));
    data->fill(std::nan(""));
    for (int r = 0; r < nRows; ++r)
        for (int c = 0; c < nCols; ++c)
            data->setCell(c, r, m_cells[size_t(r)][size_t(c)]);
    if (nCols == 1 || nRows == 1) {
        // setRange needs a span: grow the grid by an empty cell where it is one wide.
        data->setSize(std::max(nCols, 2), std::max(nRows, 2));
        data->fill(std::nan(""));
        for (int r = 0; r < nRows; ++r)
            for (int c = 0; c < nCols; ++c)
                data->setCell(c, r, m_cells[size_t(r)][size_t(c)]);
    }
    m_map->setDataRange(QCPRange(0, scaleTop(m_colorScale, maxWeight)));

    // Token and row labels: every one when they fit, otherwise every k-th
    // (a file may have thousands of tasks, a sample hundreds of tokens).
    auto xTicker = m_plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    auto yTicker = m_plot->yAxis->ticker().dynamicCast<QCPAxisTickerText>();
    xTicker->clear();
    yTicker->clear();
    const QFontMetrics metrics(m_plot->xAxis->tickLabelFont());
    const int available = std::max(200, m_plot->width() - 200);
    const int perLabel = metrics.height() + 2;
    const int every = std::max(1, int(std::ceil(double(nCols) * perLabel / available)));
    for (int c = 0; c < nCols; c += every)
        xTicker->addTick(c, m_columnLabels[c]);
    const int availableHeight = std::max(100, m_plot->height() - 80);
    const int rowEvery = std::max(1, int(std::ceil(double(nRows) * perLabel / availableHeight)));
    for (int r = 0; r < nRows; r += rowEvery)
        yTicker->addTick(r, m_rowLabels[r]);
    // Horizontal labels when each fits in its cell, else upright (rotated).
    int widest = 0;
    for (int c = 0; c < nCols; c += every)
        widest = std::max(widest, metrics.horizontalAdvance(m_columnLabels[c]));
    const double cellWidth = double(std::max(1, m_plot->axisRect()->width())) / std::max(nCols, 1);
    m_plot->xAxis->setTickLabelRotation(widest + 6 > cellWidth * every ? -90 : 0);
    m_plot->xAxis->setRange(-0.5, std::max(nCols, 1) - 0.5);
    m_plot->yAxis->setRange(-0.5, std::max(nRows, 1) - 0.5);
    m_plot->xAxis->setLabel(m_layout == Layout::TasksForSample || samples.size() == 1 ? QString()
                                                                                        : tr("token position"));

    // Outline the selected sample's row when rows are samples.
    m_plot->clearItems();
    if (m_layout == Layout::SamplesForTask && m_sample >= 0 && m_sample < nRows) {
        auto *rect = new QCPItemRect(m_plot);
        rect->topLeft->setCoords(-0.5, m_sample - 0.5);
        rect->bottomRight->setCoords(nCols - 0.5, m_sample + 0.5);
        rect->setPen(QPen(palette().color(QPalette::Highlight), 3));
        rect->setBrush(Qt::NoBrush);
    }
    // Each task's colour (the application's palette) as a strip beside its
    // name, while every row has its name (thousands of rows have none).
    const int rectWidth = std::max(1, m_plot->axisRect()->width());
    if (m_layout == Layout::TasksForSample && rowEvery == 1) {
        for (int r = 0; r < nRows; ++r) {
            auto *strip = new QCPItemRect(m_plot);
            strip->setClipToAxisRect(false);
            strip->topLeft->setTypeX(QCPItemPosition::ptAxisRectRatio);
            strip->bottomRight->setTypeX(QCPItemPosition::ptAxisRectRatio);
            strip->topLeft->setCoords(-9.0 / rectWidth, r - 0.45);
            strip->bottomRight->setCoords(-3.0 / rectWidth, r + 0.45);
            strip->setPen(Qt::NoPen);
            strip->setBrush(taskColor(r));
        }
    }
    m_plot->yAxis->setTickLabelPadding(m_layout == Layout::TasksForSample && rowEvery == 1 ? 14 : 5);
    stylePlot(m_plot, palette());
    m_scale->axis()->setTickLabelColor(palette().color(QPalette::WindowText));
    m_scale->axis()->setLabelColor(palette().color(QPalette::WindowText));
    m_scale->axis()->setBasePen(QPen(palette().color(QPalette::WindowText)));
    m_scale->axis()->setTickPen(QPen(palette().color(QPalette::WindowText)));
    m_scale->axis()->setSubTickPen(QPen(palette().color(QPalette::WindowText)));
    QFont font = m_scale->axis()->tickLabelFont();
    font.setPointSize(LabelPointSize);
    m_scale->axis()->setTickLabelFont(font);
    m_scale->axis()->setLabelFont(font);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

bool TaskHeatmap::cellAt(const QPoint &pos, int *row, int *column) const
{
    if (!m_plot->axisRect()->rect().contains(pos))
        return false;
    const int c = int(std::floor(m_plot->xAxis->pixelToCoord(pos.x()) + 0.5));
    const int r = int(std::floor(m_plot->yAxis->pixelToCoord(pos.y()) + 0.5));
    if (r < 0 || r >= rows() || c < 0 || c >= columns())
        return false;
    *row = r;
    *column = c;
    return true;
}

bool TaskHeatmap::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_plot && event->type() == QEvent::MouseMove) {
        const auto *mouse = static_cast<QMouseEvent *>(event);
        int r = 0, c = 0;
        if (cellAt(mouse->position().toPoint(), &r, &c) && std::isfinite(cell(r, c))) {
            // Longer names than the axis shows, bounded still.
            QString token, task;
            if (m_layout == Layout::SamplesForTask) {
                const AttentionSample &s = m_snapshot->samples[size_t(r)];
                token = elidedName(s.tokens[size_t(c)], MaxTooltipNameChars);
                task = elidedName(m_snapshot->tasks[size_t(m_task)].name, MaxTooltipNameChars)
                       + tr(" (sample #%1)").arg(s.sampleIndex);
            } else {
                token = elidedName(m_snapshot->samples[size_t(m_sample)].tokens[size_t(c)], MaxTooltipNameChars);
                task = elidedName(m_snapshot->tasks[size_t(r)].name, MaxTooltipNameChars);
            }
            QToolTip::showText(mouse->globalPosition().toPoint(),
                               tr("token %1: <b>%2</b><br>task: %3<br>weight: %4")
                                   .arg(c).arg(token.toHtmlEscaped(), task.toHtmlEscaped())
                                   .arg(cell(r, c), 0, 'f', 4),
                               m_plot);
        } else {
            QToolTip::hideText();
        }
    } else if (watched == m_plot && event->type() == QEvent::MouseButtonPress) {
        const auto *mouse = static_cast<QMouseEvent *>(event);
        int r = 0, c = 0;
        if (mouse->button() == Qt::LeftButton && cellAt(mouse->position().toPoint(), &r, &c)) {
            if (m_layout == Layout::SamplesForTask)
                emit sampleClicked(r);
            else
                emit taskClicked(r);
        }
    } else if (watched == m_plot && event->type() == QEvent::Resize) {
        QMetaObject::invokeMethod(this, [this] { rebuild(); }, Qt::QueuedConnection);
    }
    return QWidget::eventFilter(watched, event);
}

void TaskHeatmap::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_plotDirty)
        rebuild();
}

void TaskHeatmap::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        rebuild();
    QWidget::changeEvent(event);
}

QString TaskHeatmap::csv() const
{
    QString out = QStringLiteral("sample,task,token_index,token,weight\n");
    auto quote = [](QString s) {
        return QLatin1Char('"') + s.replace(QLatin1Char('"'), QLatin1String("\"\"")) + QLatin1Char('"');
    };
    for (int r = 0; r < rows(); ++r) {
        for (int c = 0; c < columns(); ++c) {
            if (!std::isfinite(cell(r, c)))
                continue;
            const AttentionSample &s = m_layout == Layout::TasksForSample
                                           ? m_snapshot->samples[size_t(m_sample)]
                                           : m_snapshot->samples[size_t(r)];
            const int task = m_layout == Layout::TasksForSample ? r : m_task;
            out += QStringLiteral("%1,%2,%3,%4,%5\n")
                       .arg(s.sampleIndex)
                       .arg(quote(QString::fromStdString(m_snapshot->tasks[size_t(task)].name)))
                       .arg(c)
                       .arg(quote(QString::fromStdString(s.tokens[size_t(c)])))
                       .arg(QString::number(cell(r, c), 'g', 9));
        }
    }
    return out;
}

} // namespace attnscope
