#include "lossplot.h"

#include "appearance.h"
#include "csvwriter.h"
#include "tasknames.h"
#include "viewexport.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSaveFile>
#include <QSlider>
#include <QTextStream>
#include <QToolTip>
#include <QVBoxLayout>

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

QString csvField(const QString &text)
{
    return QString::fromStdString(csvQuote(text.toStdString(), CsvQuoting::WhenNeeded));
}

} // namespace

LossPlot::LossPlot(QWidget *parent)
    : QWidget(parent)
{
    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("lossPlot"));
    m_plot->setMinimumSize(320, 240);
    m_plot->setNoAntialiasingOnDrag(true);
    // Thick antialiased polylines with thousands of joins are QPainter's slow
    // path; plain polylines keep a 200,000-step redraw within a frame.
    m_plot->setPlottingHint(QCP::phFastPolylines, true);
    m_plot->setPlottingHint(QCP::phCacheLabels, true);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    // Nothing draws on the overlay layer (hover is a tool tip): one paint
    // buffer instead of two to clear and compose on every redraw.
    if (QCPLayer *overlay = m_plot->layer(QStringLiteral("overlay")))
        overlay->setMode(QCPLayer::lmLogical);

    // Two stacked axis rects: loss (tall) and validation accuracy (short).
    m_plot->plotLayout()->clear();
    m_lossRect = new QCPAxisRect(m_plot);
    m_accRect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(0, 0, m_lossRect);
    m_plot->plotLayout()->addElement(1, 0, m_accRect);
    m_plot->plotLayout()->setRowStretchFactor(0, 2.6);
    m_plot->plotLayout()->setRowStretchFactor(1, 1);
    auto *group = new QCPMarginGroup(m_plot);
    m_lossRect->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    m_accRect->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    for (QCPAxisRect *rect : {m_lossRect, m_accRect}) {
        rect->setRangeDrag(Qt::Horizontal | Qt::Vertical);
        rect->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    }
    m_lossRect->axis(QCPAxis::atLeft)->setLabel(tr("loss"));
    m_accRect->axis(QCPAxis::atLeft)->setLabel(tr("val. accuracy"));
    m_accRect->axis(QCPAxis::atBottom)->setLabel(tr("step"));
    m_accRect->axis(QCPAxis::atLeft)->setRange(0, 1.02);
    // Zooming or dragging the x of one rect moves the other's.
    connect(m_lossRect->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::rangeChanged),
            m_accRect->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::setRange));
    connect(m_accRect->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::rangeChanged),
            m_lossRect->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::setRange));

    // clear() took the default legend with the default axis rect: a new one in the loss rect.
    m_plot->legend = new QCPLegend;
    m_lossRect->insetLayout()->addElement(m_plot->legend, Qt::AlignTop | Qt::AlignRight);
    m_plot->legend->setLayer(QStringLiteral("legend"));
    m_plot->legend->setVisible(true);
    m_plot->legend->setSelectableParts(QCPLegend::spItems);

    // The user takes over the ranges by zooming or panning; the plot redraws
    // from the full data for the new range.
    connect(m_plot, &QCustomPlot::mousePress, this, [this]() { m_follow = false; });
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this]() {
        m_follow = false;
        scheduleRedraw();
    });
    connect(m_plot, &QCustomPlot::mouseRelease, this, [this]() { scheduleRedraw(); });
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent *event) {
        if (event->buttons() != Qt::NoButton)
            scheduleRedraw();
        else
            showHover(event);
    });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this]() { resetView(); });
    connect(m_plot, &QCustomPlot::legendClick, this, [this](QCPLegend *, QCPAbstractLegendItem *item, QMouseEvent *) {
        auto *plottableItem = qobject_cast<QCPPlottableLegendItem *>(item);
        if (!plottableItem)
            return;
        if (m_moreEntry && plottableItem->plottable() == m_moreEntry) {
            showNextTasks();
            return;
        }
        for (size_t slot = 0; slot < m_smooth.size(); ++slot)
            if (m_smooth[slot] == plottableItem->plottable())
                setSeriesVisible(m_slotSeries[slot], !m_visible[size_t(m_slotSeries[slot])]);
    });

    // The controls above the plot.
    m_smoothSlider = new QSlider(Qt::Horizontal, this);
    m_smoothSlider->setObjectName(QStringLiteral("smoothing"));
    m_smoothSlider->setRange(0, 99);
    m_smoothSlider->setValue(90);
    m_smoothSlider->setMinimumWidth(120);
    m_smoothSlider->setToolTip(tr("Smoothing: debiased exponential moving average; the raw curve stays faint behind"));
    m_smoothLabel = new QLabel(this);
    m_smoothLabel->setMinimumWidth(m_smoothLabel->fontMetrics().horizontalAdvance(QStringLiteral("0.00")) + 4);
    connect(m_smoothSlider, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 100.0); });
    m_logBox = new QCheckBox(tr("Log scale"), this);
    m_logBox->setObjectName(QStringLiteral("logScale"));
    connect(m_logBox, &QCheckBox::toggled, this, &LossPlot::setLogScale);
    m_xBox = new QComboBox(this);
    m_xBox->setObjectName(QStringLiteral("xAxis"));
    m_xBox->addItem(tr("by step"));
    m_xBox->addItem(tr("by epoch"));
    connect(m_xBox, &QComboBox::currentIndexChanged, this,
            [this](int i) { setXAxis(i == 1 ? XAxis::Epoch : XAxis::Step); });
    auto *resetButton = new QPushButton(tr("Reset view"), this);
    resetButton->setToolTip(tr("Show the whole run again and follow it (or double-click the plot)"));
    connect(resetButton, &QPushButton::clicked, this, &LossPlot::resetView);

    auto *controls = new QHBoxLayout;
    controls->setSpacing(8);
    controls->addWidget(new QLabel(tr("Smoothing"), this));
    controls->addWidget(m_smoothSlider, 1);
    controls->addWidget(m_smoothLabel);
    controls->addSpacing(12);
    controls->addWidget(m_logBox);
    controls->addSpacing(12);
    controls->addWidget(new QLabel(tr("x axis"), this));
    controls->addWidget(m_xBox);
    controls->addSpacing(12);
    controls->addWidget(resetButton);
    controls->addStretch(0);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);
    layout->addLayout(controls);
    layout->addWidget(m_plot, 1);

    m_redrawTimer.setSingleShot(true);
    m_redrawTimer.setInterval(33);
    connect(&m_redrawTimer, &QTimer::timeout, this, [this]() { redraw(); });

    m_smoothLabel->setText(QString::number(m_beta, 'f', 2));
    setTasks({});
}

void LossPlot::setTasks(const QStringList &tasks)
{
    m_names = QStringList{tr("total")} + tasks;
    m_visible.assign(size_t(m_names.size()), true);
    buildGraphs();
    clear();
}

void LossPlot::buildGraphs()
{
    // Graphs join the legend only where they are named there (adding every
    // graph and taking most out again costs a legend rearrangement each).
    m_plot->setAutoAddPlottableToLegend(false);
    m_plot->clearGraphs();
    m_plot->legend->clearItems();
    m_raw.clear();
    m_rawLow.clear();
    m_smooth.clear();
    m_valLoss.clear();
    m_valAcc.clear();
    m_moreEntry = m_validationKey = nullptr;
    QCPAxis *x = m_lossRect->axis(QCPAxis::atBottom), *y = m_lossRect->axis(QCPAxis::atLeft);
    QCPAxis *ax = m_accRect->axis(QCPAxis::atBottom), *ay = m_accRect->axis(QCPAxis::atLeft);
    const int tasks = int(m_names.size()) - 1;
    const int slotCount = 1 + std::min(tasks, MaxNamedTasks);
    for (int slot = 0; slot < slotCount; ++slot) {
        QCPGraph *raw = m_plot->addGraph(x, y);
        raw->setAntialiased(false);  // faint and dense: antialiasing costs much and shows little
        QCPGraph *rawLow = m_plot->addGraph(x, y);
        rawLow->setPen(Qt::NoPen);
        rawLow->setChannelFillGraph(raw);
        rawLow->setAntialiasedFill(false);
        QCPGraph *smooth = m_plot->addGraph(x, y);
        smooth->addToLegend();
        QCPGraph *val = m_plot->addGraph(x, y);
        val->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
        QCPGraph *acc = nullptr;
        if (slot > 0) {
            acc = m_plot->addGraph(ax, ay);
            acc->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
        }
        m_raw.push_back(raw);
        m_rawLow.push_back(rawLow);
        m_smooth.push_back(smooth);
        m_valLoss.push_back(val);
        m_valAcc.push_back(acc);
        for (QCPGraph *graph : {raw, rawLow, smooth, val})
            graph->setAdaptiveSampling(false);  // decimated here already
    }
    if (tasks > MaxNamedTasks) {
        // Named by bindSeries; clicking it shows the next tasks.
        m_moreEntry = m_plot->addGraph(x, y);
        m_moreEntry->setPen(Qt::NoPen);
        m_moreEntry->addToLegend();
    }
    if (tasks > 0) {
        // One legend entry explaining the dashed validation curves.
        m_validationKey = m_plot->addGraph(x, y);
        m_validationKey->setName(tr("validation (dashed)"));
        m_validationKey->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
        m_validationKey->addToLegend();
    }
    m_firstTask = 0;
    bindSeries();
}

void LossPlot::bindSeries()
{
    const int tasks = int(m_names.size()) - 1;
    m_slotSeries.assign(m_smooth.size(), 0);
    for (size_t slot = 1; slot < m_slotSeries.size(); ++slot)
        m_slotSeries[slot] = m_firstTask + int(slot);
    for (size_t slot = 0; slot < m_slotSeries.size(); ++slot) {
        const size_t s = size_t(m_slotSeries[slot]);
        m_smooth[slot]->setName(elidedName(m_names[int(s)]));
        for (QCPGraph *graph : {m_raw[slot], m_rawLow[slot], m_smooth[slot], m_valLoss[slot], m_valAcc[slot]})
            if (graph)
                graph->setVisible(m_visible[s]);
    }
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
    task = std::clamp(task, 0, int(m_names.size()) - 1 - namedTaskCount());
    if (task == m_firstTask)
        return;
    m_firstTask = task;
    bindSeries();
    m_follow = true;  // the y range fits the curves now drawn
    scheduleRedraw();
    emit optionsChanged();
}

void LossPlot::showNextTasks()
{
    const int next = m_firstTask + namedTaskCount();
    setFirstNamedTask(next < int(m_names.size()) - 1 ? next : 0);  // after the last ones, the first again
}

int LossPlot::slotOf(size_t series) const
{
    for (size_t slot = 0; slot < m_slotSeries.size(); ++slot)
        if (size_t(m_slotSeries[slot]) == series)
            return int(slot);
    return -1;
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
    m_rawPen.resize(m_smooth.size());
    for (size_t slot = 0; slot < m_smooth.size(); ++slot) {
        const int s = m_slotSeries[slot];
        const QColor color = s == 0 ? totalColor(pal) : taskColor(s - 1);
        QColor faint = color;
        faint.setAlpha(s == 0 ? 45 : 60);
        const double width = s == 0 ? 2.4 : 2.0;
        m_rawPen[slot] = QPen(faint, 1);
        m_raw[slot]->setPen(m_rawLow[slot]->data()->isEmpty() ? m_rawPen[slot] : QPen(Qt::NoPen));
        m_rawLow[slot]->setBrush(faint);
        m_smooth[slot]->setPen(QPen(color, width));
        // 1 px: QPainter's cosmetic stroker draws dashes several times
        // faster than its path stroker draws thicker ones.
        m_valLoss[slot]->setPen(QPen(color, 1, Qt::DashLine));
        QCPScatterStyle scatter = m_valLoss[slot]->scatterStyle();
        scatter.setPen(QPen(color, 1.5));
        scatter.setBrush(base);
        m_valLoss[slot]->setScatterStyle(scatter);
        if (QCPGraph *acc = m_valAcc[slot]) {
            acc->setPen(QPen(color, 1));  // cosmetic: see the validation loss
            QCPScatterStyle disc = acc->scatterStyle();
            disc.setPen(QPen(color));
            disc.setBrush(color);
            acc->setScatterStyle(disc);
        }
        // A hidden series keeps its entry, greyed out, so it can be clicked back.
        if (QCPAbstractLegendItem *item = m_plot->legend->itemWithPlottable(m_smooth[slot])) {
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
}

void LossPlot::clear()
{
    m_steps.clear();
    m_epochs.clear();
    m_lr.clear();
    m_loss.assign(size_t(m_names.size()), {});
    m_smoothed.assign(size_t(m_names.size()), {});
    m_emaState.assign(size_t(m_names.size()), 0.0);
    m_evalSteps.clear();
    m_evalEpochs.clear();
    m_evalLoss.assign(size_t(m_names.size()), {});
    m_evalAcc.assign(size_t(m_names.size()), {});
    m_lossPyramid.assign(size_t(m_names.size()), {});
    m_smoothPyramid.assign(size_t(m_names.size()), {});
    m_evalLossPyramid.assign(size_t(m_names.size()), {});
    m_evalAccPyramid.assign(size_t(m_names.size()), {});
    for (Marker &m : m_markers) {
        m_plot->removeItem(m.line);
        m_plot->removeItem(m.label);
    }
    m_markers.clear();
    m_changes.clear();
    m_redraws = 0;
    m_redrawTotalMs = m_redrawWorstMs = 0;
    m_follow = true;
    scheduleRedraw();
}

void LossPlot::append(const TrainingSnapshot &snapshot)
{
    const size_t first = m_steps.size();
    const size_t series = size_t(m_names.size());
    for (const StepPoint &p : snapshot.steps) {
        m_steps.push_back(double(p.step));
        m_epochs.push_back(p.epoch);
        m_lr.push_back(double(p.learningRate));
        m_loss[0].push_back(double(p.loss));
        for (size_t s = 1; s < series; ++s)
            m_loss[s].push_back(s - 1 < p.taskLoss.size() ? double(p.taskLoss[s - 1]) : NAN);
    }
    smoothFrom(first);
    for (const EvalPoint &e : snapshot.evals) {
        m_evalSteps.push_back(double(e.step));
        m_evalEpochs.push_back(e.epoch);
        m_evalLoss[0].push_back(e.loss);
        for (size_t s = 1; s < series; ++s) {
            m_evalLoss[s].push_back(s - 1 < e.taskLoss.size() ? e.taskLoss[s - 1] : NAN);
            m_evalAcc[s].push_back(s - 1 < e.taskAccuracy.size() ? e.taskAccuracy[s - 1] : NAN);
        }
    }
    // Only the blocks the new points fall in change.
    for (size_t s = 0; s < series; ++s) {
        m_lossPyramid[s].update(m_loss[s]);
        m_smoothPyramid[s].update(m_smoothed[s]);
        m_evalLossPyramid[s].update(m_evalLoss[s]);
        m_evalAccPyramid[s].update(m_evalAcc[s]);
    }
    for (const SettingChange &change : snapshot.changes) {
        m_changes.push_back(change);
        Marker m{change.step, change.epoch, change.what, new QCPItemStraightLine(m_plot), new QCPItemText(m_plot)};
        m.line->setClipAxisRect(m_lossRect);
        m.line->point1->setAxes(m_lossRect->axis(QCPAxis::atBottom), m_lossRect->axis(QCPAxis::atLeft));
        m.line->point2->setAxes(m_lossRect->axis(QCPAxis::atBottom), m_lossRect->axis(QCPAxis::atLeft));
        m.label->setClipAxisRect(m_lossRect);
        m.label->setText(elidedName(change.what, 80));  // a change names a task, which may be long
        m.label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        m.label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        m.label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        m.label->position->setAxes(m_lossRect->axis(QCPAxis::atBottom), m_lossRect->axis(QCPAxis::atLeft));
        m.label->position->setAxisRect(m_lossRect);
        m.label->setPadding(QMargins(4, 2, 4, 2));
        m_markers.push_back(m);
    }
    if (!snapshot.changes.empty()) {
        applyPalette();
        placeMarkers();
    }
    if (!snapshot.steps.empty() || !snapshot.evals.empty() || !snapshot.changes.empty())
        scheduleRedraw();
}

void LossPlot::smoothFrom(size_t first)
{
    // Debiased: divide by the weight the zero start still lacks, 1 - beta^(i+1)
    // (the same for every series: computed once, not once per task).
    const size_t n = m_steps.size();
    m_correction.resize(std::max(n, first) - first);
    for (size_t i = first; i < n; ++i)
        m_correction[i - first] = 1.0 - std::pow(m_beta, double(i + 1));
    for (size_t s = 0; s < m_loss.size(); ++s) {
        std::vector<double> &out = m_smoothed[s];
        out.resize(m_loss[s].size());
        double ema = first == 0 ? 0.0 : m_emaState[s];
        for (size_t i = first; i < m_loss[s].size(); ++i) {
            const double x = m_loss[s][i];
            if (std::isfinite(x))
                ema = m_beta * ema + (1.0 - m_beta) * x;
            const double correction = m_correction[i - first];
            out[i] = correction > 0 ? ema / correction : x;
        }
        m_emaState[s] = ema;
    }
}

void LossPlot::recomputeSmoothing()
{
    smoothFrom(0);
    for (size_t s = 0; s < m_smoothed.size(); ++s)
        m_smoothPyramid[s].rebuild(m_smoothed[s]);
}

void LossPlot::setSmoothing(double beta)
{
    beta = std::clamp(beta, 0.0, 0.999);
    if (beta == m_beta)
        return;
    m_beta = beta;
    const QSignalBlocker block(m_smoothSlider);
    m_smoothSlider->setValue(int(std::lround(beta * 100)));
    m_smoothLabel->setText(QString::number(beta, 'f', 2));
    recomputeSmoothing();
    scheduleRedraw();
    emit optionsChanged();
}

void LossPlot::setLogScale(bool log)
{
    if (log == m_log)
        return;
    m_log = log;
    const QSignalBlocker block(m_logBox);
    m_logBox->setChecked(log);
    QCPAxis *y = m_lossRect->axis(QCPAxis::atLeft);
    if (log) {
        y->setScaleType(QCPAxis::stLogarithmic);
        y->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    } else {
        y->setScaleType(QCPAxis::stLinear);
        y->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    m_follow = true;
    scheduleRedraw();
    emit optionsChanged();
}

void LossPlot::setXAxis(XAxis axis)
{
    if (axis == m_xAxis)
        return;
    m_xAxis = axis;
    const QSignalBlocker block(m_xBox);
    m_xBox->setCurrentIndex(axis == XAxis::Epoch ? 1 : 0);
    m_accRect->axis(QCPAxis::atBottom)->setLabel(axis == XAxis::Epoch ? tr("epoch") : tr("step"));
    m_follow = true;
    placeMarkers();
    scheduleRedraw();
    emit optionsChanged();
}

void LossPlot::setSeriesVisible(int series, bool visible)
{
    if (series < 0 || series >= int(m_visible.size()))
        return;
    m_visible[size_t(series)] = visible;
    if (const int slot = slotOf(size_t(series)); slot >= 0) {
        for (QCPGraph *graph : {m_raw[size_t(slot)], m_rawLow[size_t(slot)], m_smooth[size_t(slot)],
                                m_valLoss[size_t(slot)], m_valAcc[size_t(slot)]})
            if (graph)
                graph->setVisible(visible);
        applyPalette();  // greys its legend entry out, or back
    }
    scheduleRedraw();
    emit optionsChanged();
}

bool LossPlot::seriesVisible(int series) const
{
    return series >= 0 && series < int(m_visible.size()) && m_visible[size_t(series)];
}

void LossPlot::resetView()
{
    m_follow = true;
    scheduleRedraw();
}

void LossPlot::zoomTo(double lo, double hi)
{
    m_follow = false;
    m_lossRect->axis(QCPAxis::atBottom)->setRange(lo, hi);
    scheduleRedraw();
}

void LossPlot::scheduleRedraw()
{
    m_dirty = true;
    if (!m_redrawTimer.isActive())
        m_redrawTimer.start();
}

const std::vector<double> &LossPlot::keys() const
{
    return m_xAxis == XAxis::Epoch ? m_epochs : m_steps;
}

void LossPlot::placeMarkers()
{
    for (Marker &m : m_markers) {
        const double x = m_xAxis == XAxis::Epoch ? m.epoch : double(m.step);
        m.line->point1->setCoords(x, 0);
        m.line->point2->setCoords(x, 1);
        m.label->position->setCoords(x, 0.02);
    }
}

QCPGraph *LossPlot::graph(Curve curve, int series) const
{
    const int slot = series >= 0 ? slotOf(size_t(series)) : -1;
    if (slot < 0)
        return nullptr;
    const size_t i = size_t(slot);
    switch (curve) {
    case Curve::Raw: return m_raw[i];
    case Curve::RawLow: return m_rawLow[i];
    case Curve::Smoothed: return m_smooth[i];
    case Curve::ValidationLoss: return m_valLoss[i];
    case Curve::ValidationAccuracy: return m_valAcc[i];
    }
    return nullptr;
}

int LossPlot::drawnPoints(int series) const
{
    const QCPGraph *smooth = graph(Curve::Smoothed, series);
    return smooth ? smooth->data()->size() : 0;
}

double LossPlot::redraw()
{
    QElapsedTimer timer;
    timer.start();
    m_dirty = false;
    draw();
    // The first draw after a resize laid the plot out anew: reduce again for the real width.
    if (std::max(50, m_lossRect->width()) != m_columnsDrawn)
        draw();
    const double ms = double(timer.nsecsElapsed()) / 1e6;
    ++m_redraws;
    m_redrawTotalMs += ms;
    m_redrawWorstMs = std::max(m_redrawWorstMs, ms);
    // At most ~30 redraws a second, and never more than a quarter of the GUI thread.
    m_redrawTimer.setInterval(std::clamp(int(4 * ms), 33, 250));
    return ms;
}

void LossPlot::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    scheduleRedraw();  // as many columns as the new width
}

void LossPlot::draw()
{
    const std::vector<double> &k = keys();
    const std::vector<double> &evalKeys = m_xAxis == XAxis::Epoch ? m_evalEpochs : m_evalSteps;
    QCPAxis *x = m_lossRect->axis(QCPAxis::atBottom);
    QCPAxis *y = m_lossRect->axis(QCPAxis::atLeft);

    if (m_follow) {
        const double hi = k.empty() ? 1.0 : std::max(k.back(), k.front() + 1e-9);
        x->setRange(0.0, hi * 1.02);
    }
    const QCPRange range = x->range();
    const int columns = std::max(50, m_lossRect->width());
    m_columnsDrawn = columns;
    size_t from = 0, to = 0, evalFrom = 0, evalTo = 0;
    visibleSlice(k, range.lower, range.upper, &from, &to);
    visibleSlice(evalKeys, range.lower, range.upper, &evalFrom, &evalTo);
    // More points than pixel columns: draw columns, not points.
    const bool reduceSteps = to - from > size_t(columns);
    // More than one evaluation per column: draw their mean per column.
    const bool reduceEvals = evalTo - evalFrom > size_t(columns);
    // Validation points carry markers and dashes while they are few; dense
    // ones (long runs) are plain lines (dashed, marked polylines of thousands
    // of points are QPainter's slowest path).
    const bool denseEvals = evalTo - evalFrom > 120;
    for (size_t slot = 0; slot < m_valLoss.size(); ++slot) {
        QPen pen = m_valLoss[slot]->pen();
        pen.setStyle(denseEvals ? Qt::SolidLine : Qt::DashLine);
        m_valLoss[slot]->setPen(pen);
        QCPScatterStyle scatter = m_valLoss[slot]->scatterStyle();
        scatter.setShape(denseEvals ? QCPScatterStyle::ssNone : QCPScatterStyle::ssCircle);
        m_valLoss[slot]->setScatterStyle(scatter);
        if (QCPGraph *acc = m_valAcc[slot]) {
            QCPScatterStyle disc = acc->scatterStyle();
            disc.setShape(denseEvals ? QCPScatterStyle::ssNone : QCPScatterStyle::ssDisc);
            acc->setScatterStyle(disc);
        }
    }

    double ymin = INFINITY, ymax = -INFINITY;
    const auto extend = [&](size_t s, const QVector<double> &values) {
        if (!m_visible[s] || !m_follow)
            return;
        for (double v : values)
            if (std::isfinite(v) && (!m_log || v > 0)) {
                ymin = std::min(ymin, v);
                ymax = std::max(ymax, v);
            }
    };
    // Every point of [first, last) of values.
    const auto points = [&](const std::vector<double> &kk, const std::vector<double> &values, size_t first,
                            size_t last) {
        m_keysOut.resize(qsizetype(last - first));
        m_valuesOut.resize(qsizetype(last - first));
        std::copy(kk.begin() + ptrdiff_t(first), kk.begin() + ptrdiff_t(last), m_keysOut.begin());
        std::copy(values.begin() + ptrdiff_t(first), values.begin() + ptrdiff_t(last), m_valuesOut.begin());
    };
    // The mean of each column of [first, last) of values, at the column's middle key.
    const auto means = [&](const std::vector<double> &kk, const std::vector<double> &values,
                           const SeriesPyramid &pyramid, size_t first, size_t last) {
        reduceToColumns(kk, values, pyramid, first, last, range.lower, range.upper, columns, &m_columns);
        m_keysOut.resize(qsizetype(m_columns.size()));
        m_valuesOut.resize(qsizetype(m_columns.size()));
        for (size_t c = 0; c < m_columns.size(); ++c) {
            const Column &col = m_columns[c];
            m_keysOut[qsizetype(c)] = kk[(col.first + col.last) / 2];
            m_valuesOut[qsizetype(c)] = col.count ? col.sum / col.count : NAN;
        }
    };
    // Only the series the legend names are drawn.
    for (size_t slot = 0; slot < m_slotSeries.size(); ++slot) {
        const size_t s = size_t(m_slotSeries[slot]);
        if (!reduceSteps) {
            points(k, m_loss[s], from, to);
            m_raw[slot]->setData(m_keysOut, m_valuesOut, true);
            m_raw[slot]->setPen(m_rawPen[slot]);
            m_rawLow[slot]->data()->clear();
            extend(s, m_valuesOut);
            points(k, m_smoothed[s], from, to);
        } else {
            // The raw loss as a band from each column's minimum to its maximum.
            reduceToColumns(k, m_loss[s], m_lossPyramid[s], from, to, range.lower, range.upper, columns,
                            &m_columns);
            m_keysOut.resize(qsizetype(m_columns.size()));
            m_valuesOut.resize(qsizetype(m_columns.size()));
            m_lowOut.resize(qsizetype(m_columns.size()));
            for (size_t c = 0; c < m_columns.size(); ++c) {
                const Column &col = m_columns[c];
                m_keysOut[qsizetype(c)] = k[(col.first + col.last) / 2];
                m_valuesOut[qsizetype(c)] = col.count ? m_loss[s][col.maxIndex] : NAN;
                m_lowOut[qsizetype(c)] = col.count ? m_loss[s][col.minIndex] : NAN;
            }
            m_raw[slot]->setData(m_keysOut, m_valuesOut, true);
            m_raw[slot]->setPen(Qt::NoPen);
            m_rawLow[slot]->setData(m_keysOut, m_lowOut, true);
            extend(s, m_valuesOut);
            extend(s, m_lowOut);
            means(k, m_smoothed[s], m_smoothPyramid[s], from, to);
        }
        m_smooth[slot]->setData(m_keysOut, m_valuesOut, true);

        if (reduceEvals)
            means(evalKeys, m_evalLoss[s], m_evalLossPyramid[s], evalFrom, evalTo);
        else
            points(evalKeys, m_evalLoss[s], evalFrom, evalTo);
        m_valLoss[slot]->setData(m_keysOut, m_valuesOut, true);
        extend(s, m_valuesOut);
        if (QCPGraph *acc = m_valAcc[slot]) {
            if (reduceEvals)
                means(evalKeys, m_evalAcc[s], m_evalAccPyramid[s], evalFrom, evalTo);
            else
                points(evalKeys, m_evalAcc[s], evalFrom, evalTo);
            acc->setData(m_keysOut, m_valuesOut, true);
        }
    }
    if (m_follow) {
        if (!std::isfinite(ymin)) {
            ymin = m_log ? 0.01 : 0.0;
            ymax = 1.5;
        }
        if (m_log)
            y->setRange(ymin / 1.3, ymax * 1.3);
        else
            y->setRange(std::min(0.0, ymin), ymax * 1.05 + 1e-9);
        m_accRect->axis(QCPAxis::atLeft)->setRange(0, 1.02);
    }
    m_plot->replot();
}

void LossPlot::showHover(QMouseEvent *event)
{
    const std::vector<double> &k = keys();
    if (k.empty() || !m_lossRect->rect().contains(event->pos())) {
        QToolTip::hideText();
        return;
    }
    const double xv = m_lossRect->axis(QCPAxis::atBottom)->pixelToCoord(event->pos().x());
    size_t i = size_t(std::lower_bound(k.begin(), k.end(), xv) - k.begin());
    if (i >= k.size())
        i = k.size() - 1;
    QString text = tr("step %1  epoch %2  lr %3")
                       .arg(qint64(m_steps[i]))
                       .arg(m_epochs[i], 0, 'f', 2)
                       .arg(m_lr[i], 0, 'g', 3);
    for (const int s : m_slotSeries)
        if (m_visible[size_t(s)])
            // One arg() of strings: a name holding "%2" stays as it is.
            text += QStringLiteral("\n%1: %2 (smoothed %3)")
                        .arg(elidedName(m_names[s]), QString::number(m_loss[size_t(s)][i], 'f', 4),
                             QString::number(m_smoothed[size_t(s)][i], 'f', 4));
    if (const int more = int(m_names.size()) - int(m_slotSeries.size()); more > 0)
        text += QLatin1Char('\n') + andMore(more, tr("tasks"));
    QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
}

bool LossPlot::exportCsv(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    QTextStream out(&file);
    QStringList header{QStringLiteral("step"), QStringLiteral("epoch"), QStringLiteral("lr"), QStringLiteral("loss")};
    for (int s = 1; s < m_names.size(); ++s)
        header << csvField(QStringLiteral("loss_") + m_names[s]);
    for (int s = 0; s < m_names.size(); ++s)
        header << csvField(QStringLiteral("smoothed_") + (s == 0 ? QStringLiteral("loss") : QStringLiteral("loss_") + m_names[s]));
    header << QStringLiteral("val_loss");
    for (int s = 1; s < m_names.size(); ++s)
        header << csvField(QStringLiteral("val_loss_") + m_names[s]);
    for (int s = 1; s < m_names.size(); ++s)
        header << csvField(QStringLiteral("val_accuracy_") + m_names[s]);
    header << QStringLiteral("change");
    out << header.join(QLatin1Char(',')) << '\n';
    size_t e = 0, c = 0;
    const auto num = [](double v) { return std::isfinite(v) ? QString::number(v, 'g', 9) : QString(); };
    for (size_t i = 0; i < m_steps.size(); ++i) {
        QStringList row{QString::number(qint64(m_steps[i])), num(m_epochs[i]), num(m_lr[i])};
        for (size_t s = 0; s < m_loss.size(); ++s)
            row << num(m_loss[s][i]);
        for (size_t s = 0; s < m_smoothed.size(); ++s)
            row << num(m_smoothed[s][i]);
        while (e < m_evalSteps.size() && m_evalSteps[e] < m_steps[i])
            ++e;
        const bool eval = e < m_evalSteps.size() && m_evalSteps[e] == m_steps[i];
        for (size_t s = 0; s < m_evalLoss.size(); ++s)
            row << (eval ? num(m_evalLoss[s][e]) : QString());
        for (size_t s = 1; s < m_evalAcc.size(); ++s)
            row << (eval ? num(m_evalAcc[s][e]) : QString());
        QStringList changes;
        // A change recorded at step k applied before step k + 1.
        while (c < m_changes.size() && m_changes[c].step + 1 <= int64_t(m_steps[i])) {
            if (m_changes[c].step + 1 == int64_t(m_steps[i]))
                changes << m_changes[c].what;
            ++c;
        }
        row << csvField(changes.join(QStringLiteral("; ")));
        out << row.join(QLatin1Char(',')) << '\n';
    }
    out.flush();
    if (!file.commit()) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool LossPlot::exportImage(const QString &path, QString *error)
{
    if (m_dirty)
        redraw();
    // At least 800 x 500, the PNG at twice that.
    ImageOptions options;
    options.size = QSize(std::max(m_plot->width(), 800), std::max(m_plot->height(), 500));
    options.pngScale = 2.0;
    options.title = tr("AttnScope training curves");
    return exportViewImage(m_plot, path, error, options);
}

} // namespace attnscope
