#include "lossplot.h"

#include "appearance.h"
#include "flowlayout.h"
#include "roundticker.h"
#include "tasknames.h"
#include "viewexport.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QToolTip>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace attnscope {

LossPlot::LossPlot(QWidget *parent)
    : QWidget(parent)
{
    buildPlot();
    buildControls();
    m_redrawTimer.setSingleShot(true);
    m_redrawTimer.setInterval(33);
    connect(&m_redrawTimer, &QTimer::timeout, this, [this]() { redraw(); });
    setTasks({});
}

void LossPlot::buildPlot()
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

    // The legend in a row of its own above two stacked axis rects: loss
    // (tall) and validation accuracy (short). Inset in the loss rect, the
    // legend covered the curves (at 150 % on a projector, most of them).
    m_plot->plotLayout()->clear();
    m_lossRect = new QCPAxisRect(m_plot);
    m_accRect = new QCPAxisRect(m_plot);
    m_plot->legend = new QCPLegend;
    m_plot->plotLayout()->addElement(0, 0, m_plot->legend);
    m_plot->plotLayout()->addElement(1, 0, m_lossRect);
    m_plot->plotLayout()->addElement(2, 0, m_accRect);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);
    m_plot->plotLayout()->setRowStretchFactor(1, 2.6);
    m_plot->plotLayout()->setRowStretchFactor(2, 1);
    auto *group = new QCPMarginGroup(m_plot);
    m_lossRect->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    m_accRect->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    for (QCPAxisRect *rect : {m_lossRect, m_accRect}) {
        rect->setRangeDrag(Qt::Horizontal | Qt::Vertical);
        rect->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    }
    m_lossRect->axis(QCPAxis::atLeft)->setTicker(QSharedPointer<QCPAxisTicker>(new RoundTicker));
    m_lossRect->axis(QCPAxis::atLeft)->setLabel(tr("loss"));
    m_accRect->axis(QCPAxis::atLeft)->setLabel(tr("val. accuracy"));
    m_accRect->axis(QCPAxis::atBottom)->setLabel(tr("step"));
    // The steps are read under the accuracy, right below: the loss keeps their height.
    m_lossRect->axis(QCPAxis::atBottom)->setTickLabels(false);
    m_accRect->axis(QCPAxis::atLeft)->setRange(0, 1.02);
    // 0, 0.5 and 1: the short rect holds them at any zoom.
    QSharedPointer<QCPAxisTickerFixed> halves(new QCPAxisTickerFixed);
    halves->setTickStep(0.5);
    halves->setScaleStrategy(QCPAxisTickerFixed::ssNone);
    m_accRect->axis(QCPAxis::atLeft)->setTicker(halves);
    // Zooming or dragging the x of one rect moves the other's.
    connect(m_lossRect->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::rangeChanged),
            m_accRect->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::setRange));
    connect(m_accRect->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::rangeChanged),
            m_lossRect->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::setRange));

    m_plot->legend->setLayer(QStringLiteral("legend"));
    m_plot->legend->setVisible(true);
    m_plot->legend->setSelectableParts(QCPLegend::spItems);
    connectInteractions();
}

void LossPlot::connectInteractions()
{
    // The user takes over the ranges by zooming or panning; the plot redraws
    // from the full data for the new range.
    // A plain click leaves the view following the run (a click froze it,
    // with nothing on screen to say so); a drag or the wheel freezes it.
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent *event) { m_pressAt = event->pos(); });
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this]() {
        setFollow(false);
        scheduleRedraw();
    });
    // A left click on a validation point opens its evaluation once the
    // double-click interval has passed without a second click: a right
    // click, and the clicks of a double-click (which resets the view),
    // took the window to the Confusion tab.
    m_clickTimer.setSingleShot(true);
    connect(&m_clickTimer, &QTimer::timeout, this, [this]() { emit evaluationClicked(m_clickedEvaluation); });
    connect(m_plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent *event) {
        scheduleRedraw();
        if (event->button() != Qt::LeftButton || std::exchange(m_doubleClicked, false))
            return;
        if ((event->pos() - m_pressAt).manhattanLength() < QApplication::startDragDistance())
            if (const int e = evaluationAt(event->pos()); e >= 0) {
                m_clickedEvaluation = e;
                m_clickTimer.start(QApplication::doubleClickInterval());
            }
    });
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent *event) {
        if (event->buttons() == Qt::NoButton) {
            showHover(event);
            return;
        }
        if ((event->pos() - m_pressAt).manhattanLength() >= QApplication::startDragDistance())
            setFollow(false);
        scheduleRedraw();
    });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this]() {
        m_clickTimer.stop();
        m_doubleClicked = true;  // its release opens nothing
        resetView();
    });
    connect(m_plot, &QCustomPlot::legendClick, this, [this](QCPLegend *, QCPAbstractLegendItem *item, QMouseEvent *) {
        auto *plottableItem = qobject_cast<QCPPlottableLegendItem *>(item);
        if (!plottableItem)
            return;
        if (m_moreEntry && plottableItem->plottable() == m_moreEntry) {
            showNextTasks();
            return;
        }
        for (int slot = 0; slot < m_graphs.slotCount(); ++slot)
            if (m_graphs.graph(Curve::Smoothed, slot) == plottableItem->plottable())
                setSeriesVisible(m_graphs.series(slot), !m_visible[size_t(m_graphs.series(slot))]);
    });
}

void LossPlot::buildControls()
{
    m_smoothSlider = new QSlider(Qt::Horizontal, this);
    m_smoothSlider->setObjectName(QStringLiteral("smoothing"));
    m_smoothSlider->setRange(0, 99);
    m_smoothSlider->setValue(90);
    m_smoothSlider->setMinimumWidth(120);
    m_smoothSlider->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
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
    // Says whether the view follows the run; when it is frozen, one click follows again.
    m_followButton = new QPushButton(this);
    m_followButton->setObjectName(QStringLiteral("follow"));
    connect(m_followButton, &QPushButton::clicked, this, &LossPlot::resetView);

    // One line on a wide screen, more on a narrow one (flowlayout.h).
    auto *controls = new FlowLayout(nullptr, 16, 4);
    controls->addGroup({new QLabel(tr("Smoothing"), this), m_smoothSlider, m_smoothLabel});
    controls->addWidget(m_logBox);
    controls->addGroup({new QLabel(tr("x axis"), this), m_xBox});
    controls->addWidget(m_followButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);
    layout->addLayout(controls);
    layout->addWidget(m_plot, 1);

    m_smoothLabel->setText(QString::number(m_smoothing, 'f', 2));
    setFollow(true);
}

void LossPlot::setFollow(bool follow)
{
    if (!follow && m_follow)
        m_frozenAt = m_history->steps().empty() ? 0 : int64_t(m_history->steps().back());
    m_follow = follow;
    // Following is a state, read in the window's text colour (flat, on the
    // window's background), not a disabled button: that one read 2.8:1 in
    // the dark theme, as if it did not work (accept27 F7). Frozen, a button
    // that follows again; following, a click fits the whole run again.
    m_followButton->setFlat(follow);
    m_followButton->setText(follow ? tr("Following the run") : tr("Frozen at step %1: follow").arg(m_frozenAt));
    m_followButton->setToolTip(follow ? tr("The plot shows the whole run as it trains; drag or use the wheel to look closer")
                                      : tr("The plot stays where you dragged or zoomed it; click (or double-click the "
                                           "plot) to show the whole run again and follow it"));
}

void LossPlot::setHistory(LossHistory *history)
{
    m_history = history ? history : &m_own;
    if (m_history->smoothing() != m_smoothing)
        m_history->setSmoothing(m_smoothing);
    m_visible.assign(size_t(m_history->seriesCount()), true);
    buildGraphs();
    historyCleared();
    historyAppended();  // the markers of what it holds already
}

void LossPlot::setTasks(const QStringList &tasks)
{
    m_history->setTasks(tasks);
    setHistory(m_history);
}

void LossPlot::clear()
{
    m_history->clear();
    historyCleared();
}

void LossPlot::historyCleared()
{
    for (Marker &m : m_markers) {
        m_plot->removeItem(m.line);
        m_plot->removeItem(m.label);
    }
    m_markers.clear();
    m_seenPoints = m_seenEvals = 0;
    m_redraws = 0;
    m_redrawTotalMs = m_redrawWorstMs = 0;
    setFollow(true);
    scheduleRedraw();
}

void LossPlot::append(const TrainingSnapshot &snapshot)
{
    m_history->append(snapshot);
    historyAppended();
}

void LossPlot::historyAppended()
{
    const size_t points = m_history->steps().size(), evals = m_history->evalSteps().size();
    const bool changed = m_markers.size() < m_history->changes().size();
    if (changed)
        addMarkers(m_markers.size());
    if (changed || points != m_seenPoints || evals != m_seenEvals)
        scheduleRedraw();
    m_seenPoints = points;
    m_seenEvals = evals;
}

void LossPlot::setSmoothing(double beta)
{
    beta = std::clamp(beta, 0.0, 0.999);
    if (beta == m_smoothing)
        return;
    m_smoothing = beta;
    m_history->setSmoothing(beta);
    for (const Overlay &o : m_overlayRuns)
        o.history->setSmoothing(beta);
    const QSignalBlocker block(m_smoothSlider);
    m_smoothSlider->setValue(int(std::lround(beta * 100)));
    m_smoothLabel->setText(QString::number(beta, 'f', 2));
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
        y->setTicker(QSharedPointer<QCPAxisTicker>(new RoundTicker));
    }
    setFollow(true);
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
    setFollow(true);
    placeMarkers();
    scheduleRedraw();
    emit optionsChanged();
}

void LossPlot::setSeriesVisible(int series, bool visible)
{
    if (series < 0 || series >= int(m_visible.size()))
        return;
    m_visible[size_t(series)] = visible;
    if (const int slot = m_graphs.slotOf(series); slot >= 0) {
        m_graphs.setVisible(slot, visible);
        bindOverlaySeries();
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
    setFollow(true);
    scheduleRedraw();
}

void LossPlot::zoomTo(double lo, double hi)
{
    setFollow(false);
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
    return m_xAxis == XAxis::Epoch ? m_history->epochs() : m_history->steps();
}

const std::vector<double> &LossPlot::evalKeys() const
{
    return m_xAxis == XAxis::Epoch ? m_history->evalEpochs() : m_history->evalSteps();
}

int LossPlot::evaluationAt(const QPoint &pos) const
{
    const double reach = 8;  // pixels: a marker's radius and a little
    const std::vector<double> &k = evalKeys();
    int nearest = -1;
    double best = reach * reach;
    for (QCPAxisRect *rect : {m_lossRect, m_accRect}) {
        if (!rect->rect().contains(pos))
            continue;
        QCPAxis *x = rect->axis(QCPAxis::atBottom), *y = rect->axis(QCPAxis::atLeft);
        const double a = x->pixelToCoord(pos.x() - reach), b = x->pixelToCoord(pos.x() + reach);
        const auto first = std::lower_bound(k.begin(), k.end(), std::min(a, b));
        const auto last = std::upper_bound(k.begin(), k.end(), std::max(a, b));
        for (int slot = 0; slot < m_graphs.slotCount(); ++slot) {
            const int s = m_graphs.series(slot);
            if (s < 0 || !m_visible[size_t(s)])
                continue;
            const std::vector<double> &values =
                rect == m_lossRect ? m_history->series(s).evalLoss : m_history->series(s).evalAccuracy;
            for (auto it = first; it != last; ++it) {
                const size_t i = size_t(it - k.begin());
                if (i >= values.size() || !std::isfinite(values[i]))
                    continue;
                const double dx = x->coordToPixel(*it) - pos.x(), dy = y->coordToPixel(values[i]) - pos.y();
                if (dx * dx + dy * dy <= best) {
                    best = dx * dx + dy * dy;
                    nearest = int(i);
                }
            }
        }
    }
    return nearest;
}

QCPGraph *LossPlot::graph(Curve curve, int series) const
{
    const int slot = m_graphs.slotOf(series);
    return slot >= 0 ? m_graphs.graph(curve, slot) : nullptr;
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
    fitXRange();
    const QCPRange range = m_lossRect->axis(QCPAxis::atBottom)->range();
    m_columnsDrawn = std::max(50, m_lossRect->width());
    const LossGraphs::Span span = LossGraphs::span(keys(), evalKeys(), range.lower, range.upper, m_columnsDrawn);
    // Validation points carry markers and dashes while they are few.
    m_graphs.styleValidation(span.evalTo - span.evalFrom > 120);
    // Only the series the legend names are drawn.
    m_graphs.fill(*m_history, keys(), evalKeys(), span);
    placeBestMark();
    for (OverlayGraphs &o : m_overlays) {
        const LossHistory &h = *o.run.history;
        const bool epochs = m_xAxis == XAxis::Epoch;
        const std::vector<double> &k = epochs ? h.epochs() : h.steps(), &ek = epochs ? h.evalEpochs() : h.evalSteps();
        o.graphs.fill(h, k, ek, LossGraphs::span(k, ek, range.lower, range.upper, m_columnsDrawn));
    }
    fitYRange();
    wrapLegend(m_plot->legend, m_plot->width());  // the best evaluation's entry may be longer now
    m_plot->replot();
    // The rects' heights are the layout's, known once drawn; a rect's least
    // height changes them again.
    for (int pass = 0; pass < 3 && fitYAxes(); ++pass)
        m_plot->replot();
    if (placeMarkerLabels())
        m_plot->replot();
}

// At 200 % on a projector's 1024 x 768 the loss rect is ~100 px tall and the
// accuracy rect ~50: the rotated titles, each centred on its rect, printed
// over each other ("val. accuracyloss") and the ticks 2.5, 2, 1.5 touched.
// Each rect keeps two tick lines at least; a title shows while it is no
// longer than its rect is tall (a shorter one, then none: the legend names
// the validation curves); the ticks keep a line between two.
bool LossPlot::fitYAxes()
{
    bool changed = false;
    QCPAxis *loss = m_lossRect->axis(QCPAxis::atLeft), *accuracy = m_accRect->axis(QCPAxis::atLeft);
    const int line = QFontMetrics(loss->tickLabelFont()).height();
    for (const auto &[rect, least] : {std::pair{m_lossRect, 3 * line}, std::pair{m_accRect, 2 * line}})
        if (rect->minimumSize().height() != least) {
            rect->setMinimumSize(0, least);
            changed = true;
        }
    const std::pair<QCPAxis *, QStringList> titles[] = {
        {loss, {tr("loss")}},
        {accuracy, {tr("val. accuracy"), tr("accuracy"), tr("acc.")}},
    };
    for (const auto &[axis, names] : titles) {
        const QFontMetrics metrics(axis->labelFont());
        const int room = axis->axisRect()->height();
        QString shown;
        for (const QString &name : names)
            if (metrics.horizontalAdvance(name) <= room) {
                shown = name;
                break;
            }
        if (axis->label() != shown) {
            axis->setLabel(shown);
            changed = true;
        }
    }
    // The loss: as many ticks as keep a line between two (QCustomPlot's 5 where tall).
    const int count = std::clamp(m_lossRect->height() / (2 * line), 1, 5);
    const QSharedPointer<QCPAxisTicker> ticker = loss->ticker();
    if (ticker->tickCount() != count) {
        ticker->setTickCount(count);
        changed = true;
    }
    // The accuracy: 0, 0.5 and 1 while a line fits between two, else 0 and
    // 1, else 0 alone (a plot too short for its least heights).
    if (const auto halves = accuracy->ticker().dynamicCast<QCPAxisTickerFixed>()) {
        const int height = m_accRect->height();
        const double step = height / 2.0 >= 1.5 * line ? 0.5 : height >= 1.1 * line ? 1.0 : 2.0;
        if (halves->tickStep() != step) {
            halves->setTickStep(step);
            changed = true;
        }
    }
    return changed;
}

void LossPlot::fitXRange()
{
    if (!m_follow)
        return;
    const std::vector<double> &k = keys();
    double hi = k.empty() ? 1.0 : std::max(k.back(), k.front() + 1e-9);
    for (const Overlay &o : m_overlayRuns) {
        const std::vector<double> &ok = m_xAxis == XAxis::Epoch ? o.history->epochs() : o.history->steps();
        if (!ok.empty())
            hi = std::max(hi, ok.back());
    }
    m_lossRect->axis(QCPAxis::atBottom)->setRange(0.0, hi * 1.02);
}

void LossPlot::fitYRange()
{
    if (!m_follow)
        return;
    double lo = INFINITY, hi = -INFINITY;
    for (int slot = 0; slot < m_graphs.slotCount(); ++slot) {
        if (!m_visible[size_t(m_graphs.series(slot))])
            continue;
        std::vector<QCPGraph *> drawn;
        for (Curve curve : {Curve::Raw, Curve::RawLow, Curve::ValidationLoss})
            drawn.push_back(m_graphs.graph(curve, slot));
        for (const OverlayGraphs &o : m_overlays)
            if (o.graphs.series(slot) >= 0)
                drawn.push_back(o.graphs.graph(Curve::Smoothed, slot));
        for (QCPGraph *graph : drawn)
            for (const QCPGraphData &point : *graph->data())
                if (std::isfinite(point.value) && (!m_log || point.value > 0)) {
                    lo = std::min(lo, point.value);
                    hi = std::max(hi, point.value);
                }
    }
    if (!std::isfinite(lo)) {
        lo = m_log ? 0.01 : 0.0;
        hi = 1.5;
    }
    QCPAxis *y = m_lossRect->axis(QCPAxis::atLeft);
    if (m_log)
        y->setRange(lo / 1.3, hi * 1.3);
    else
        y->setRange(std::min(0.0, lo), hi * 1.05 + 1e-9);
    m_accRect->axis(QCPAxis::atLeft)->setRange(0, 1.02);
}

void LossPlot::showHover(QMouseEvent *event)
{
    const QString text = m_lossRect->rect().contains(event->pos())
                             ? hoverText(m_lossRect->axis(QCPAxis::atBottom)->pixelToCoord(event->pos().x()),
                                         m_lossRect->axis(QCPAxis::atLeft)->pixelToCoord(event->pos().y()))
                             : QString();
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
}

QString LossPlot::hoverText(double xv, double yv) const
{
    // The runs that could be meant: the shown one (-1) and each overlay, by
    // its own keys; for each, its point nearest x and the drawn series there.
    struct Candidate {
        int overlay;
        const LossHistory *history;
        size_t index;
        double off;                   // how far x is outside the run's keys (0: within)
        std::vector<std::pair<int, int>> series;  // (shown run's series, the run's own)
    };
    std::vector<Candidate> candidates;
    const auto consider = [&](int overlay, const LossHistory *history, const LossGraphs &graphs) {
        const std::vector<double> &k = m_xAxis == XAxis::Epoch ? history->epochs() : history->steps();
        if (k.empty())
            return;
        size_t i = size_t(std::lower_bound(k.begin(), k.end(), xv) - k.begin());
        if (i >= k.size())
            i = k.size() - 1;
        else if (i > 0 && xv - k[i - 1] < k[i] - xv)
            i = i - 1;
        Candidate c{overlay, history, i, std::max({0.0, k.front() - xv, xv - k.back()}), {}};
        for (int slot = 0; slot < m_graphs.slotCount(); ++slot) {
            const int s = m_graphs.series(slot), own = graphs.series(slot);
            if (m_visible[size_t(s)] && own >= 0)
                c.series.push_back({s, own});
        }
        candidates.push_back(std::move(c));
    };
    consider(-1, m_history, m_graphs);
    for (size_t o = 0; o < m_overlays.size(); ++o)
        if (m_overlays[o].run.history)
            consider(int(o), m_overlays[o].run.history, m_overlays[o].graphs);
    if (candidates.empty())
        return {};
    const double off = std::min_element(candidates.begin(), candidates.end(), [](const Candidate &a, const Candidate &b) {
                           return a.off < b.off;
                       })->off;
    // Among those nearest along x: the one whose curve is nearest y (on the axis' scale), else the shown run.
    const auto distance = [&](const Candidate &c) {
        double best = std::numeric_limits<double>::infinity();
        for (const auto &[s, own] : c.series) {
            const double v = c.history->series(own).smoothed[c.index];
            best = std::min(best, m_log ? std::abs(std::log10(std::max(v, 1e-12)) - std::log10(std::max(yv, 1e-12)))
                                        : std::abs(v - yv));
        }
        return best;
    };
    const Candidate *pick = nullptr;
    for (const Candidate &c : candidates)
        if (c.off <= off && (!pick || (!std::isnan(yv) && distance(c) < distance(*pick))))
            pick = &c;
    const LossHistory *h = pick->history;
    const size_t i = pick->index;
    QString text = tr("step %1  epoch %2  lr %3")
                       .arg(qint64(h->steps()[i]))
                       .arg(h->epochs()[i], 0, 'f', 2)
                       .arg(h->learningRates()[i], 0, 'g', 3);
    if (!m_overlays.empty())  // which run's, where several are drawn
        text = (pick->overlay < 0 ? elidedName(m_shownName) : elidedName(m_overlays[size_t(pick->overlay)].run.name))
               + QLatin1Char('\n') + text;
    for (const auto &[s, own] : pick->series) {
        const LossHistory::Series &series = h->series(own);
        // One arg() of strings: a name holding "%2" stays as it is.
        // 'g': a fixed 4 decimals read 0.0000 for 1e-5, where a log axis reaches.
        text += QStringLiteral("\n%1: %2 (smoothed %3)")
                    .arg(elidedName(seriesName(s)), QString::number(series.loss[i], 'g', 4),
                         QString::number(series.smoothed[i], 'g', 4));
    }
    if (const int more = m_history->seriesCount() - m_graphs.slotCount(); more > 0)
        text += QLatin1Char('\n') + andMore(more, tr("tasks"));
    return text;
}

bool LossPlot::exportImage(const QString &path, QString *error, const QString &heading)
{
    if (m_dirty)
        redraw();
    // At least 800 x 500, the PNG at twice that.
    ImageOptions options;
    options.size = QSize(std::max(m_plot->width(), 800), std::max(m_plot->height(), 500));
    options.pngScale = 2.0;
    options.title = tr("AttnScope training curves");
    options.heading = heading;
    return exportViewImage(m_plot, path, error, options);
}

} // namespace attnscope
