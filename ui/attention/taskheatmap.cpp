#include "taskheatmap.h"

#include "appearance.h"
#include "csvwriter.h"
#include "scores.h"
#include "tasknames.h"
#include "unknownmark.h"

#include <QEvent>
#include <QFontMetrics>
#include <QLabel>
#include <QMouseEvent>
#include <QToolTip>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

namespace attnscope {

TaskHeatmap::TaskHeatmap(QWidget *parent) : SnapshotView(parent)
{
    m_plot = addPlot();
    m_title = addTitle(m_plot);
    m_plot->setMouseTracking(true);
    m_plot->installEventFilter(this);
    rebuildWhenResized(m_plot);  // the labels are spaced for the plot's size

    m_map = addWeightMap(m_plot);  // one flat cell per token
    m_map->setTightBoundary(false);
    m_plot->xAxis->setTickLength(0, 3);
    m_plot->yAxis->setTickLength(0, 3);
    setMinimumHeight(200);  // three tasks and their tokens at 150 %, below the Attention tab's controls
    m_map->setGradient(colorGradient(colorMap()));
    rebuild();
}

void TaskHeatmap::snapshotChanged(const AttentionSnapshot &, int)
{
    if (m_task >= snapshot().taskCount())
        m_task = 0;
    updateCells();
    rebuild();
}

void TaskHeatmap::sampleChanged()
{
    updateCells();
    rebuild();
}

void TaskHeatmap::scoreChanged()
{
    updateCells();
    rebuild();
}

void TaskHeatmap::setTask(int task)
{
    if (task == m_task)
        return;
    m_task = task;
    updateCells();
    rebuild();
}

void TaskHeatmap::setLayout(Layout layout)
{
    if (layout == m_layout)
        return;
    m_layout = layout;
    updateCells();
    rebuild();
}

double TaskHeatmap::colorScaleTop() const
{
    return m_map->dataRange().upper;
}

double TaskHeatmap::colorScaleBottom() const
{
    return m_map->dataRange().lower;
}

double TaskHeatmap::largest() const
{
    double largest = 0;
    for (const std::vector<double> &row : m_cells)
        largest = std::max(largest, largestValue(score(), row));
    return largest;
}

void TaskHeatmap::setCommonLargest(double largest)
{
    if (largest == m_commonLargest)
        return;
    m_commonLargest = largest;
    rebuild();
}

void TaskHeatmap::setTitleShown(bool shown)
{
    m_title->setVisible(shown);
}

QString TaskHeatmap::title() const
{
    QString text = scoreName(score()) + QStringLiteral(" · ") + scoreSource(snapshot(), sample(), score());
    if (m_layout == Layout::TasksForSample && sample())
        text += QStringLiteral(" · ") + sampleName(snapshot(), *sample());
    else if (m_layout == Layout::SamplesForTask && m_task < snapshot().taskCount())
        text += tr(" · probe samples for %1").arg(elidedName(snapshot().tasks[size_t(m_task)].name));
    return text;
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

bool TaskHeatmap::columnUnknown(int column) const
{
    return std::find(m_unknownColumns.begin(), m_unknownColumns.end(), column) != m_unknownColumns.end();
}

bool TaskHeatmap::cellUnknown(int row, int column) const
{
    if (row < 0 || row >= rows() || !std::isfinite(cell(row, column)))
        return false;
    return columnUnknown(column)
           || std::find(m_unknownCells.begin(), m_unknownCells.end(), std::pair(row, column)) != m_unknownCells.end();
}

bool TaskHeatmap::hasUnknown() const
{
    return !m_unknownColumns.empty() || !m_unknownCells.empty();
}

QString TaskHeatmap::cellText(int row, int column) const
{
    const double v = cell(row, column);
    if (!std::isfinite(v))
        return {};
    if (m_cellValues)
        return QString::number(v, 'f', std::abs(v) < 0.1 && v != 0 ? 3 : 2);
    return row < int(m_cellTokens.size()) ? m_cellTokens[size_t(row)].value(column) : QString();
}

void TaskHeatmap::setCellValues(bool on)
{
    if (on == m_cellValues)
        return;
    m_cellValues = on;
    rebuild();
}

void TaskHeatmap::updateCells()
{
    m_cells.clear();
    m_rowLabels.clear();
    m_columnLabels.clear();
    m_cellTokens.clear();
    m_unknownColumns.clear();
    m_unknownCells.clear();
    const AttentionSnapshot &snap = snapshot();
    if (m_layout == Layout::TasksForSample) {
        if (const AttentionSample *s = sample()) {
            for (int t = 0; t < snap.taskCount() && t < int(s->weights.size()); ++t) {
                const std::vector<float> v = values(*s, t);
                m_cells.emplace_back(v.begin(), v.end());
                m_cells.back().resize(s->tokens.size(), std::nan(""));
                m_rowLabels << elidedName(snap.tasks[size_t(t)].name);
            }
            // The words alone: an unknown one is marked in italic and
            // colour, its column hatched (unknownmark.h), at no cost in text.
            for (size_t j = 0; j < s->tokens.size(); ++j)
                m_columnLabels << elidedName(s->tokens[j]);
            m_unknownColumns = unknownPositions(s->unknown);
        }
    } else if (m_task >= 0 && m_task < snap.taskCount()) {
        size_t width = 0;
        for (const AttentionSample &s : snap.samples)
            width = std::max(width, s.tokens.size());
        const TaskInfo &task = snap.tasks[size_t(m_task)];
        for (const AttentionSample &s : snap.samples) {
            std::vector<double> row(width, std::nan(""));
            const std::vector<float> v = values(s, m_task);
            for (size_t j = 0; j < v.size() && j < width; ++j)
                row[j] = v[j];
            m_cells.push_back(std::move(row));
            const int gold = m_task < int(s.labels.size()) ? s.labels[size_t(m_task)] : -1;
            QString label = QStringLiteral("#%1").arg(s.sampleIndex);
            if (gold >= 0 && gold < int(task.classes.size()))
                label += QStringLiteral(" ") + elidedName(task.classes[size_t(gold)]);
            m_rowLabels << label;
        }
        // The same tokens in every row (one sample, a table's features) name
        // the columns; otherwise the columns are positions and each cell
        // holds its row's token (the tooltip names it too).
        const bool sameTokens = std::all_of(snap.samples.begin(), snap.samples.end(), [&](const AttentionSample &s) {
            return s.tokens == snap.samples[0].tokens && s.unknown == snap.samples[0].unknown;
        });
        for (size_t j = 0; j < width; ++j)
            m_columnLabels << (sameTokens ? elidedName(snap.samples[0].tokens[j]) : QString::number(j));
        if (sameTokens && !snap.samples.empty())
            m_unknownColumns = unknownPositions(snap.samples[0].unknown);
        if (!sameTokens)
            for (const AttentionSample &s : snap.samples) {
                m_cellTokens.emplace_back();
                for (size_t j = 0; j < s.tokens.size(); ++j)
                    m_cellTokens.back() << elidedName(s.tokens[j], 24);
                for (const int j : unknownPositions(s.unknown))
                    m_unknownCells.emplace_back(int(m_cellTokens.size()) - 1, j);
            }
    }
}

void TaskHeatmap::draw()
{
    m_title->setText(title());
    setUnknownLegendShown(hasUnknown());
    fillMap();
    stylePlot(m_plot, palette());
    // The colour scale's title, written upwards, where the scale (as tall as
    // the cells at the last layout) holds it: a short heatmap at 150 % cut
    // it ("ttention"); the title above the plot names the score anyway.
    QCPAxis *scale = m_map->colorScale()->axis();
    const QString name = scoreName(score());
    scale->setLabel(QFontMetrics(scale->labelFont()).horizontalAdvance(name) <= m_plot->axisRect()->height() ? name
                                                                                                            : QString());
    const int rowStride = placeLabels();
    placeItems(rowStride);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void TaskHeatmap::fillMap()
{
    const int nRows = rows(), nCols = columns();
    const double top = scoreTop(score(), colorScale(), std::max(largest(), m_commonLargest));
    const bool centred = isSigned(score());
    m_map->setGradient(centred ? divergingGradient() : colorGradient(colorMap()));
    QCPColorMapData *data = m_map->data();
    // Cell centres on integer coordinates; setRange needs a span, so a grid
    // one cell wide or high grows by an empty cell.
    const int gridCols = nCols == 1 || nRows == 1 ? std::max(nCols, 2) : std::max(nCols, 1);
    const int gridRows = nCols == 1 || nRows == 1 ? std::max(nRows, 2) : std::max(nRows, 1);
    data->setSize(gridCols, gridRows);
    data->setRange(QCPRange(0, std::max(nCols - 1, 1)), QCPRange(0, std::max(nRows - 1, 1)));
    data->fill(std::nan(""));
    for (int r = 0; r < nRows; ++r)
        for (int c = 0; c < nCols; ++c)
            data->setCell(c, r, m_cells[size_t(r)][size_t(c)]);
    m_map->setDataRange(QCPRange(centred ? -top : 0, top));
    m_plot->xAxis->setRange(-0.5, std::max(nCols, 1) - 0.5);
    m_plot->yAxis->setRange(-0.5, std::max(nRows, 1) - 0.5);
}

int TaskHeatmap::placeLabels()
{
    // Token and row labels: every one when they fit, otherwise every k-th
    // (a file may have thousands of tasks, a sample hundreds of tokens).
    const int nRows = rows(), nCols = columns();
    auto xTicker = m_plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    auto yTicker = m_plot->yAxis->ticker().dynamicCast<QCPAxisTickerText>();
    xTicker->clear();
    yTicker->clear();
    const QFontMetrics metrics(m_plot->xAxis->tickLabelFont());
    const int perRow = metrics.height() + 1;  // a row's name, a line, and a pixel between two
    const auto layOut = [this] { layOutWeightMap(m_plot, m_map); };
    // Every row named while the token labels are placed (the names' width
    // sets the cells'); thinned below to the height the cells get.
    const auto placeRows = [&](int every) {
        yTicker->clear();
        for (int r = 0; r < nRows; r += every)
            yTicker->addTick(r, m_rowLabels[r]);
        m_plot->yAxis->setTickLabelPadding(m_layout == Layout::TasksForSample && every == 1 ? 14 : 5);
    };
    placeRows(1);
    layOut();
    const double cellWidth = double(std::max(1, m_plot->axisRect()->width())) / std::max(nCols, 1);
    // Token labels level when each fits its cell, else upright, a line of
    // text across: every one while a line is no taller than a cell is wide
    // (at 1024 x 768 a review's 20 tokens fit, and every other one was
    // dropped, the cue word "not" with them), else every k-th, and never the
    // most-attended token of a row.
    int widestAll = 0;
    for (int c = 0; c < nCols; ++c)
        widestAll = std::max(widestAll, metrics.horizontalAdvance(m_columnLabels[c]));
    const int every = widestAll + 6 <= cellWidth ? 1 : std::max(1, int(std::ceil(metrics.height() / cellWidth)));
    const std::vector<int> shown = thinnedLabels(nCols, every, every > 1 ? mostAttended() : std::vector<int>());
    int widest = 0;
    for (const int c : shown)
        widest = std::max(widest, metrics.horizontalAdvance(m_columnLabels[c]));
    const bool upright = widest + 6 > cellWidth * every;
    // The shown tokens cut to `longest` px; returns the widest as placed.
    const auto placeColumns = [&](int longest) {
        xTicker->clear();
        int placed = 0;
        for (const int c : shown) {
            // Cut only when longer: elidedText cut the widest token at its own width ("expect…").
            const QString &token = m_columnLabels[c];
            const QString label = metrics.horizontalAdvance(token) <= longest ? token
                                                                              : metrics.elidedText(token, Qt::ElideRight, longest);
            xTicker->addTick(c, label);
            placed = std::max(placed, metrics.horizontalAdvance(label));
        }
        return placed;
    };
    placeColumns(widest);
    m_plot->xAxis->setTickLabelRotation(upright ? -90 : 0);
    m_plot->xAxis->setLabel(m_layout == Layout::TasksForSample || m_cellTokens.empty() ? QString()
                                                                                     : tr("token position"));
    // Upright tokens take the cells' height: at 1280 x 720 and 150 % a
    // sample's three task rows got 30 px under "eventually", and their names
    // printed over each other. Each row keeps a line (half the plot at
    // most, where rows are many and thin out): the tokens are cut to what
    // is left, whole in the hover.
    layOut();
    const int wanted = std::min(nRows * perRow, m_plot->height() / 2);
    const int least = metrics.horizontalAdvance(QStringLiteral("abc") + QChar(0x2026));  // a token's start, at least
    for (int placed = widest; upright && m_plot->axisRect()->height() < wanted && placed > least;) {
        placed = placeColumns(std::max(least, placed - (wanted - m_plot->axisRect()->height())));
        layOut();
    }
    // The rows' names where each has a line: never over each other.
    const int rowEvery = labelStride(nRows, perRow, m_plot->axisRect()->height());
    if (rowEvery > 1) {
        placeRows(rowEvery);
        layOut();
    }
    return rowEvery;
}

std::vector<int> TaskHeatmap::mostAttended() const
{
    // The columns that are some row's largest value (in magnitude: a signed
    // score's strongest), those of the most rows first, then the brighter.
    // Two such columns side by side cannot both be named where the labels
    // are thinned: the one most rows look at keeps its name (the sensors'
    // air task at 150 %: "dust", the peak of two rows of three, lost its
    // label to "co2", the peak of the third, which was brighter).
    std::map<int, std::pair<int, double>> votes;  // column -> rows, brightest
    for (const std::vector<double> &row : m_cells) {
        int at = -1;
        for (int c = 0; c < int(row.size()); ++c)
            if (std::isfinite(row[size_t(c)]) && (at < 0 || std::abs(row[size_t(c)]) > std::abs(row[size_t(at)])))
                at = c;
        if (at < 0)
            continue;
        auto &[rows, brightest] = votes[at];
        ++rows;
        brightest = std::max(brightest, std::abs(row[size_t(at)]));
    }
    std::vector<std::pair<int, std::pair<int, double>>> ranked(votes.begin(), votes.end());
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
    std::vector<int> columns;
    for (const auto &r : ranked)
        columns.push_back(r.first);
    return columns;
}

void TaskHeatmap::placeItems(int rowStride)
{
    const int nRows = rows(), nCols = columns();
    const int selected = selectedSample();
    m_plot->clearItems();
    // Outline the selected sample's row when rows are samples.
    if (m_layout == Layout::SamplesForTask && selected >= 0 && selected < nRows) {
        auto *rect = new QCPItemRect(m_plot);
        rect->topLeft->setCoords(-0.5, selected - 0.5);
        rect->bottomRight->setCoords(nCols - 0.5, selected + 0.5);
        rect->setPen(QPen(palette().color(QPalette::Highlight), 3));
        rect->setBrush(Qt::NoBrush);
    }
    // Unknown words (<unk>): their cells hatched, their labels in italic
    // and colour over the plain ones, however the labels are cut.
    for (const int c : m_unknownColumns)
        hatchUnknownCells(m_plot, QRectF(QPointF(c - 0.5, -0.5), QPointF(c + 0.5, nRows - 0.5)));
    for (const auto &[r, c] : m_unknownCells)
        hatchUnknownCells(m_plot, QRectF(QPointF(c - 0.5, r - 0.5), QPointF(c + 0.5, r + 0.5)));
    markUnknownTicks(m_plot->xAxis, m_unknownColumns);
    placeValues();
    // Each task's colour (the application's palette) as a strip beside its
    // name, while every row has its name (thousands of rows have none).
    const int rectWidth = std::max(1, m_plot->axisRect()->width());
    if (m_layout == Layout::TasksForSample && rowStride == 1) {
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
}

namespace {

// A value in fewer characters: no leading zero, two significant digits
// (0.25 -> ".25", 0.031 -> ".031" -> ".03", -0.5 -> "-.5", 1.234 -> "1.2").
QString shortValue(double v)
{
    QString text = QString::number(v, 'g', 2);
    if (text.startsWith(QLatin1String("0.")))
        text.remove(0, 1);
    else if (text.startsWith(QLatin1String("-0.")))
        text.remove(1, 1);
    return text;
}

} // namespace

QString TaskHeatmap::printedText(int row, int column) const
{
    return row >= 0 && row < int(m_printed.size()) ? m_printed[size_t(row)].value(column) : QString();
}

void TaskHeatmap::setValuesNote(const QString &note)
{
    if (note == m_valuesNote)
        return;
    m_valuesNote = note;
    emit valuesNoteChanged(note);
}

void TaskHeatmap::placeValues()
{
    // Tokens or values in the cells, where a cell holds its text (a
    // thousand cells at most: more would not be read). Values: the longest
    // form that fits every cell, level or upright (at 1024 x 768 a sample's
    // cells are narrower than "0.25" and taller than it: nothing was printed,
    // and nothing said why).
    const int nRows = rows(), nCols = columns();
    m_printed.assign(size_t(nRows), QStringList());
    const QFont font = m_plot->xAxis->tickLabelFont();
    const QFontMetrics metrics(font);
    const double cellW = double(std::max(1, m_plot->axisRect()->width())) / std::max(nCols, 1);
    const double cellH = double(std::max(1, m_plot->axisRect()->height())) / std::max(nRows, 1);
    const auto fits = [&](const QString &text, bool upright) {
        const int along = metrics.horizontalAdvance(text) + 4, across = metrics.height();
        return upright ? across <= cellW && along <= cellH : along <= cellW && across <= cellH;
    };
    bool upright = false;
    std::function<QString(int, int)> textOf;
    QString note, tokenNote;
    if (m_cellValues) {
        const std::function<QString(int, int)> forms[] = {
            [this](int r, int c) { return cellText(r, c); },
            [this](int r, int c) {
                const double v = cell(r, c);
                return std::isfinite(v) ? shortValue(v) : QString();
            }};
        for (int k = 0; k < 4 && !textOf && nRows * nCols <= 1000; ++k) {
            const auto &form = forms[k / 2];
            bool all = true;
            for (int r = 0; r < nRows && all; ++r)
                for (int c = 0; c < nCols && all; ++c)
                    all = fits(form(r, c), k % 2 == 1) || form(r, c).isEmpty();
            if (all) {
                textOf = form;
                upright = k % 2 == 1;
            }
        }
        if (!textOf && nRows * nCols > 0)
            note = nRows * nCols > 1000 ? tr("too many cells for values: hover a cell for its value")
                                        : tr("cells too small for values: widen the window or zoom out");
    } else if (!m_cellTokens.empty() && cellH >= metrics.height() && nRows * nCols <= 1000) {
        // A row's tokens where every one of them fits its cell, none where
        // one does not: at 1024 x 768 only "i" and "." were printed, which
        // read as noise. The hover names each cell's token.
        std::vector<char> whole(size_t(nRows), 1);
        for (int r = 0; r < nRows; ++r)
            for (int c = 0; c < nCols && whole[size_t(r)]; ++c)
                whole[size_t(r)] = fits(cellText(r, c), false) || cellText(r, c).isEmpty();
        if (std::find(whole.begin(), whole.end(), 0) != whole.end())
            tokenNote = tr("hover a cell for its token");
        textOf = [this, whole](int r, int c) { return whole[size_t(r)] ? cellText(r, c) : QString(); };
    }
    const QCPRange range = m_map->dataRange();
    for (int r = 0; r < nRows && textOf; ++r)
        for (int c = 0; c < nCols; ++c) {
            const QString text = textOf(r, c);
            m_printed[size_t(r)] << text;
            if (text.isEmpty())
                continue;
            auto *label = new QCPItemText(m_plot);
            label->setClipToAxisRect(true);
            label->position->setCoords(c, r);
            label->setText(text);
            label->setFont(font);
            label->setRotation(upright ? -90 : 0);
            // Dark text on a light cell, light on a dark one.
            const QColor fill = QColor::fromRgb(m_map->gradient().color(cell(r, c), range));
            label->setColor(fill.lightnessF() > 0.55 ? Qt::black : Qt::white);
        }
    // Said under the cells, where the values were asked for, and in the Values box's tooltip.
    QString axisLabel = m_plot->xAxis->label();
    for (const QString &said : {note, tokenNote})
        if (!said.isEmpty())
            axisLabel = axisLabel.isEmpty() ? said : axisLabel + QStringLiteral(" · ") + said;
    m_plot->xAxis->setLabel(axisLabel);
    setValuesNote(note);
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

void TaskHeatmap::showTooltip(const QMouseEvent *mouse)
{
    int r = 0, c = 0;
    if (!cellAt(mouse->position().toPoint(), &r, &c) || !std::isfinite(cell(r, c))) {
        QToolTip::hideText();
        return;
    }
    // Longer names than the axis shows, bounded still.
    const AttentionSnapshot &snap = snapshot();
    QString token, task;
    if (m_layout == Layout::SamplesForTask) {
        const AttentionSample &s = snap.samples[size_t(r)];
        token = elidedName(s.shownToken(size_t(c)), MaxTooltipNameChars);
        task = elidedName(snap.tasks[size_t(m_task)].name, MaxTooltipNameChars)
               + tr(" (sample #%1)").arg(s.sampleIndex);
    } else {
        token = elidedName(snap.samples[size_t(selectedSample())].shownToken(size_t(c)), MaxTooltipNameChars);
        task = elidedName(snap.tasks[size_t(r)].name, MaxTooltipNameChars);
    }
    QToolTip::showText(mouse->globalPosition().toPoint(),
                       tr("token %1: <b>%2</b><br>task: %3<br>%4: %5")
                           .arg(QString::number(c), token.toHtmlEscaped(), task.toHtmlEscaped(),
                                scoreName(score()).toHtmlEscaped(), QString::number(cell(r, c), 'g', 4)),
                       m_plot);
}

bool TaskHeatmap::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_plot && event->type() == QEvent::MouseMove) {
        showTooltip(static_cast<QMouseEvent *>(event));
    } else if (watched == m_plot && event->type() == QEvent::MouseButtonPress) {
        const auto *mouse = static_cast<QMouseEvent *>(event);
        int r = 0, c = 0;
        if (mouse->button() == Qt::LeftButton && cellAt(mouse->position().toPoint(), &r, &c)) {
            if (m_layout == Layout::SamplesForTask)
                emit sampleClicked(r);
            else
                emit taskClicked(r);
        }
    }
    return SnapshotView::eventFilter(watched, event);
}

QString TaskHeatmap::csv() const
{
    QString out = QStringLiteral("sample,task,token_index,token,%1\n").arg(scoreColumnName(score()));
    const AttentionSnapshot &snap = snapshot();
    for (int r = 0; r < rows(); ++r) {
        const AttentionSample &s = m_layout == Layout::TasksForSample ? *sample() : snap.samples[size_t(r)];
        const int task = m_layout == Layout::TasksForSample ? r : m_task;
        const QString taskName = QString::fromStdString(csvQuote(snap.tasks[size_t(task)].name));
        for (int c = 0; c < columns(); ++c) {
            if (!std::isfinite(cell(r, c)))
                continue;
            // One arg() of strings: a name holding "%3" stays as it is.
            out += QStringLiteral("%1,%2,%3,%4,%5\n")
                       .arg(QString::number(s.sampleIndex), taskName, QString::number(c),
                            QString::fromStdString(csvQuote(s.tokens[size_t(c)])),
                            QString::number(cell(r, c), 'g', 9));
        }
    }
    return out;
}

} // namespace attnscope
