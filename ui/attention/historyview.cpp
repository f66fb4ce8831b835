#include "historyview.h"

#include "appearance.h"
#include "csvwriter.h"
#include "elidedlabel.h"
#include "roundticker.h"
#include "scores.h"
#include "tasknames.h"

#include <QVBoxLayout>
#include <QEvent>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <qcustomplot.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <initializer_list>
#include <utility>

namespace attnscope {

HistoryView::HistoryView(QWidget *parent) : AttentionView(parent)
{
    m_plot = addPlot();
    // The plot scrolls where the view is shorter than its axes need (a
    // projector at 150 %: squeezed, the axis titles were cut and the
    // legends covered the curves); the title, one line cut at its tail
    // where narrow (whole in its tooltip and in an exported picture; cut in
    // its middle it lost the score's name at 150 %: "Faithfulness of
    // attent…ement and loss by step"), scrolls with it.
    auto *title = new ElidedLabel(this, 2000);
    title->setElideMode(Qt::ElideRight);
    title->setObjectName(QStringLiteral("viewTitle"));
    title->setContentsMargins(0, 0, 0, 0);
    title->setFrameShape(QFrame::NoFrame);
    m_title = title;
    auto *box = static_cast<QBoxLayout *>(layout());
    auto *content = new QWidget;
    auto *inner = new QVBoxLayout(content);
    inner->setContentsMargins(0, 0, 0, 0);
    box->removeWidget(m_plot);
    inner->addWidget(m_title);
    inner->addWidget(m_plot, 1);
    m_scroll = new QScrollArea(this);
    m_scroll->setObjectName(QStringLiteral("historyScroll"));
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll->setWidget(content);
    box->addWidget(m_scroll, 1);
    rebuildWhenResized(m_scroll);  // the legends wrap to its width
    m_plot->plotLayout()->clear();
    m_gateRect = new QCPAxisRect(m_plot);
    m_rationaleRect = new QCPAxisRect(m_plot);
    m_faithRect = new QCPAxisRect(m_plot);
    m_lossRect = new QCPAxisRect(m_plot);
    m_comparedRect = new QCPAxisRect(m_plot);
    m_comparedRect->setVisible(false);  // a comparison's only
    // Steps a round number apart, and the loss: QCustomPlot's ticks gave a
    // 500-step run's axes 0 and 450 only (accept27 F6).
    for (QCPAxisRect *rect : {m_gateRect, m_rationaleRect, m_faithRect, m_lossRect, m_comparedRect})
        for (const QCPAxis::AxisType side : {QCPAxis::atBottom, QCPAxis::atLeft})
            rect->axis(side)->setTicker(QSharedPointer<QCPAxisTicker>(new RoundTicker));
    // Each legend in a row of its own above the axes, where it covers no
    // curve: the tasks' colours, then what the line styles mean; the axes
    // below them, in rows of as many as fit (fitAxisTitles).
    m_plot->legend = new QCPLegend;
    m_faithLegend = new QCPLegend;
    m_rects = new QCPLayoutGrid;
    m_legends = new QCPLayoutGrid;
    QCPLayoutGrid *grid = m_plot->plotLayout();
    grid->addElement(0, 0, m_legends);
    grid->addElement(1, 0, m_rects);
    grid->setRowStretchFactor(0, 0.001);  // the legends' row takes their entries' height, the axes the rest
    m_legends->addElement(0, 0, m_plot->legend);
    m_legends->addElement(1, 0, m_faithLegend);
    for (QCPLegend *legend : {m_plot->legend, m_faithLegend}) {
        legend->setLayer(QStringLiteral("legend"));
        legend->setVisible(true);
        legend->setRowSpacing(0);  // their rows are a projector's room for the curves
        legend->setMargins(QMargins(6, 2, 6, 2));
    }
    m_sides = new QCPMarginGroup(m_plot);
    m_rows = new QCPMarginGroup(m_plot);
    m_gateRect->setVisible(false);  // in gated mode only
    placeRects(shownRects(), 1);
    m_faithRect->axis(QCPAxis::atLeft)->setRange(-0.1, 1);
    m_comparedRect->axis(QCPAxis::atLeft)->setRange(-0.1, 1);
    m_lossRect->axis(QCPAxis::atLeft)->setLabel(tr("loss"));
    m_lossRect->axis(QCPAxis::atBottom)->setLabel(tr("step"));
    m_gateRect->axis(QCPAxis::atLeft)->setLabel(tr("gate σ(g_t)"));
    m_gateRect->axis(QCPAxis::atLeft)->setRange(0, 1);
    m_rationaleRect->axis(QCPAxis::atLeft)->setLabel(tr("rationale"));
    m_rationaleRect->axis(QCPAxis::atLeft)->setRange(0, 1);
    rebuild();
}

void HistoryView::Points::add(const AttentionSnapshot &snapshot)
{
    if (snapshot.step < 0)
        return;
    if (tasks != snapshot.tasks || (!steps.empty() && snapshot.step < steps.back()))
        clear();
    tasks = snapshot.tasks;
    gated = snapshot.mode == AttentionMode::Gated;
    if (!steps.empty() && snapshot.step == steps.back()) {
        // The same step again (a pause after a periodic refresh, which may
        // bring the round of explanations the refresh had no budget for): it replaces the point.
        steps.pop_back();
        gates.pop_back();
        mass.pop_back();
        auprc.pop_back();
        loss.pop_back();
        if (snapshot.explainedStep == snapshot.step) {
            comp.pop_back();
            suff.pop_back();
        }
    }
    const size_t T = snapshot.tasks.size();
    std::vector<double> g(T, std::nan("")), m(T, std::nan("")), a(T, std::nan("")), l(T, std::nan(""));
    // A round of explanations made with this snapshot (later ones carry it
    // on): its scores; a point without one keeps none (12 numbers a task).
    const bool round = snapshot.explainedStep == snapshot.step;
    std::array<double, MethodCount> none;
    none.fill(std::nan(""));
    std::vector<std::array<double, MethodCount>> roundComp(round ? T : 0, none), roundSuff(round ? T : 0, none);
    for (size_t t = 0; t < T; ++t) {
        if (t < snapshot.gates.size()) g[t] = snapshot.gates[t];
        if (t < snapshot.rationaleMass.size() && snapshot.rationaleMass[t]) m[t] = *snapshot.rationaleMass[t];
        if (t < snapshot.rationaleAuprc.size() && snapshot.rationaleAuprc[t]) a[t] = *snapshot.rationaleAuprc[t];
        if (t < snapshot.taskLoss.size()) l[t] = snapshot.taskLoss[t];
        if (round && t < snapshot.comprehensiveness.size()) roundComp[t] = snapshot.comprehensiveness[t];
        if (round && t < snapshot.sufficiency.size()) roundSuff[t] = snapshot.sufficiency[t];
    }
    steps.push_back(snapshot.step);
    gates.push_back(std::move(g));
    mass.push_back(std::move(m));
    auprc.push_back(std::move(a));
    loss.push_back(std::move(l));
    if (comp.size() < steps.size()) {  // a replaced point keeps its round unless this one has one
        comp.push_back(std::move(roundComp));
        suff.push_back(std::move(roundSuff));
    }
    // A long run: thin to every second point beyond 20,000 points, or
    // beyond 2,000,000 numbers when there are many tasks (three per task).
    if (steps.size() > std::min<size_t>(20000, std::max<size_t>(200, 2000000 / std::max<size_t>(1, 3 * T))))
        thin();
}

void HistoryView::Points::thin()
{
    size_t k = 0;
    for (size_t i = 0; i < steps.size(); i += 2, ++k) {
        steps[k] = steps[i];
        gates[k] = gates[i];
        mass[k] = mass[i];
        auprc[k] = auprc[i];
        loss[k] = loss[i];
        comp[k] = comp[i];
        suff[k] = suff[i];
    }
    steps.resize(k);
    gates.resize(k);
    mass.resize(k);
    auprc.resize(k);
    loss.resize(k);
    comp.resize(k);
    suff.resize(k);
}

void HistoryView::addSnapshot(const AttentionSnapshot &snapshot)
{
    if (snapshot.step < 0)
        return;
    m_p.add(snapshot);
    rebuild();
}

void HistoryView::clear()
{
    m_p.clear();
    rebuild();
}

HistoryView::Points HistoryView::takePoints()
{
    Points points = std::exchange(m_p, Points());
    rebuild();
    return points;
}

void HistoryView::restorePoints(Points points)
{
    m_p = std::move(points);
    rebuild();
}

size_t HistoryView::storedNumbers() const
{
    size_t n = 0;
    for (size_t i = 0; i < m_p.steps.size(); ++i)
        n += m_p.gates[i].size() + m_p.mass[i].size() + m_p.auprc[i].size() + m_p.loss[i].size()
             + (m_p.comp[i].size() + m_p.suff[i].size()) * MethodCount;
    return n;
}

int HistoryView::faithfulnessPoints() const
{
    int n = 0;
    for (const auto &point : m_p.comp)
        n += !point.empty() && std::isfinite(point.front()[size_t(Method::Random)]);
    return n;
}

QString wrappedWords(const QString &text, const QFontMetrics &metrics, int width)
{
    QStringList lines;
    QString line;
    for (const QString &word : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        const QString longer = line.isEmpty() ? word : line + QLatin1Char(' ') + word;
        if (!line.isEmpty() && metrics.horizontalAdvance(longer) > width) {
            lines << line;
            line = word;
        } else {
            line = longer;
        }
    }
    if (!line.isEmpty())
        lines << line;
    return lines.join(QLatin1Char('\n'));
}

QString HistoryView::title() const
{
    int64_t last = -1;
    for (size_t i = 0; i < m_p.steps.size(); ++i)
        if (!m_p.comp[i].empty() && std::isfinite(m_p.comp[i].front()[size_t(Method::Random)]))
            last = m_p.steps[i];
    const QString when = last >= 0 ? tr("last explained at step %1").arg(last) : tr("not explained yet");
    if (m_compared)
        return tr("Faithfulness of %1 and of %2 (%3) by step").arg(scoreName(score()), scoreName(*m_compared), when);
    // Solid, dashed and grey: its legend says which is which.
    return tr("Faithfulness of %1 (%2), rationale agreement and loss by step")
        .arg(scoreName(score()), when);
}

QString HistoryView::shortTitle() const
{
    if (m_compared)
        return tr("Faithfulness of %1 and of %2").arg(scoreName(score()), scoreName(*m_compared));
    return tr("Faithfulness of %1, rationale and loss").arg(scoreName(score()));
}

void HistoryView::setComparedScore(std::optional<Method> score)
{
    if (score == m_compared)
        return;
    m_compared = score;
    rebuild();
}

void HistoryView::setCurrentStep(int64_t step)
{
    m_current = step;
    rebuild();
}

void HistoryView::draw()
{
    // The title whole where it fits a line, else its short form (without
    // when the score was last explained, which the last point shows), in
    // as many lines as its words need: one line cut at its tail lost
    // "(last explained at step 450) by step" at 1024 x 768 and 150 %, and
    // the whole title wrapped took a line from the plots, which then
    // scrolled. Whole in the tooltip.
    const QString whole = title();
    const int room = m_scroll->width() - m_scroll->verticalScrollBar()->sizeHint().width();
    const QFontMetrics metrics = m_title->fontMetrics();
    const QString shown = metrics.horizontalAdvance(whole) <= room ? whole : wrappedWords(shortTitle(), metrics, room);
    static_cast<ElidedLabel *>(m_title)->setFullText(shown);
    m_title->setToolTip(whole);
    m_faithLegend->clearItems();  // before the graphs it names go
    m_plot->clearPlottables();
    m_plot->clearItems();
    const int T = int(m_p.tasks.size());
    QVector<double> steps;
    for (int64_t s : m_p.steps) steps << double(s);
    bool anyRationale = false;
    for (const std::vector<double> &mass : m_p.mass)
        for (double m : mass)
            anyRationale = anyRationale || std::isfinite(m);
    // The curves of the first MaxNamedTasks tasks (thousands of graphs and
    // legend entries take seconds to build and show nothing one could tell
    // apart); the CSV export has every task.
    m_anyRationale = anyRationale;
    for (int t = 0; t < std::min(T, MaxNamedTasks); ++t)
        addTaskCurves(t, steps);
    if (T > MaxNamedTasks) {
        // A legend entry (no data) for the tasks not drawn.
        auto *more = m_plot->addGraph(m_lossRect->axis(QCPAxis::atBottom), m_lossRect->axis(QCPAxis::atLeft));
        more->setName(andMore(T - MaxNamedTasks, tr("tasks (in the CSV export)")));
        more->setPen(Qt::NoPen);
    }
    addFaithfulnessCurves(steps);
    showRects();
    const double lo = steps.isEmpty() ? 0 : steps.front();
    const double hi = steps.isEmpty() ? 1 : std::max(steps.back(), lo + 1);
    double largestLoss = 0;
    for (const std::vector<double> &loss : m_p.loss)
        for (double l : loss)
            if (std::isfinite(l))
                largestLoss = std::max(largestLoss, l);
    m_lossRect->axis(QCPAxis::atLeft)->setRange(0, largestLoss > 0 ? largestLoss * 1.05 : 1);
    for (QCPAxisRect *rect : {m_gateRect, m_rationaleRect, m_faithRect, m_comparedRect, m_lossRect}) {
        rect->axis(QCPAxis::atBottom)->setRange(lo, hi);
        if (m_current >= 0 && rect->visible())  // a hidden one keeps an old place
            markCurrentStep(rect);
    }
    // Compared, each plot by its score, the step under both (the loss's plot, which has it, hidden).
    m_faithRect->axis(QCPAxis::atLeft)->setLabel(m_compared ? scoreName(score()) : tr("faithfulness"));
    m_faithRect->axis(QCPAxis::atBottom)->setLabel(m_compared ? tr("step") : QString());
    if (m_compared) {
        m_comparedRect->axis(QCPAxis::atLeft)->setLabel(scoreName(*m_compared));
        m_comparedRect->axis(QCPAxis::atBottom)->setLabel(tr("step"));
    }
    m_gateRect->axis(QCPAxis::atLeft)->setLabel(m_p.gated ? tr("gate σ(g_t)") : tr("gate (gated mode only)"));
    m_rationaleRect->axis(QCPAxis::atLeft)->setLabel(anyRationale ? tr("rationale") : tr("no rationales"));
    stylePlot(m_plot, palette());
    fitAxisTitles();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int HistoryView::fitLegends(int width)
{
    m_plot->legend->setVisible(m_plot->legend->itemCount() > 0);
    // The line styles by their whole names where they fit a row, else as
    // the Compare view does ("compr.", "suff."; 1024 x 768 at 150 %).
    const bool rationale = m_anyRationale && !m_compared;  // compared, no rationale plot
    const QStringList whole = {rationale ? tr("mass, comprehensiveness") : tr("comprehensiveness"),
                               rationale ? tr("AUPRC, sufficiency") : tr("sufficiency")};
    const QStringList shortNames = {rationale ? tr("mass, compr.") : tr("comprehensiveness"),
                                    rationale ? tr("AUPRC, suff.") : tr("sufficiency")};
    if (m_styles.first && m_styles.second) {
        m_styles.first->setName(whole[0]);
        m_styles.second->setName(whole[1]);
        int row = 0;
        for (int i = 0; i < m_faithLegend->itemCount(); ++i)
            row += m_faithLegend->item(i)->minimumOuterSizeHint().width() + m_faithLegend->columnSpacing();
        if (row + m_faithLegend->margins().left() + m_faithLegend->margins().right() > width) {
            m_styles.first->setName(shortNames[0]);
            m_styles.second->setName(shortNames[1]);
        }
    }
    std::vector<QCPLegend *> shown;
    for (QCPLegend *legend : {m_plot->legend, m_faithLegend})
        if (legend->visible() && legend->itemCount() > 0)
            shown.push_back(legend);
    const auto height = [](QCPLegend *legend) { return legend->minimumOuterSizeHint().height(); };
    // One above the other, each in as many columns as fit the width ...
    int stacked = 0;
    for (QCPLegend *legend : shown) {
        wrapLegend(legend, width);
        stacked += height(legend);
    }
    // ... or side by side, the line styles in a column, the tasks in the
    // rest (on a projector at 150 %: a row less than one above the other).
    int beside = INT_MAX;
    if (shown.size() == 2) {
        wrapLegend(m_faithLegend, 0);
        const int styles = m_faithLegend->minimumOuterSizeHint().width();
        wrapLegend(m_plot->legend, width - styles - m_legends->columnSpacing());
        if (m_plot->legend->minimumOuterSizeHint().width() + styles + m_legends->columnSpacing() <= width)
            beside = std::max(height(m_plot->legend), height(m_faithLegend));
    }
    const bool side = beside < stacked;
    if (side != (m_faithLegend->layout() == m_legends && m_legends->hasElement(0, 1))) {
        m_legends->take(m_faithLegend);
        m_legends->simplify();
        m_legends->addElement(side ? 0 : 1, side ? 1 : 0, m_faithLegend);
    }
    if (side) {
        m_legends->setColumnStretchFactors({double(m_plot->legend->minimumOuterSizeHint().width()),
                                            double(m_faithLegend->minimumOuterSizeHint().width())});
        return beside;
    }
    for (QCPLegend *legend : shown)
        wrapLegend(legend, width);  // again: the width was the tasks' share
    return stacked;
}

void HistoryView::placeRects(const std::vector<QCPAxisRect *> &rects, int columns)
{
    for (QCPAxisRect *rect : {m_gateRect, m_rationaleRect, m_faithRect, m_comparedRect, m_lossRect})
        if (rect->layout() == m_rects)
            m_rects->take(rect);
    m_rects->simplify();  // empty now
    for (size_t i = 0; i < rects.size(); ++i)
        m_rects->addElement(int(i) / columns, int(i) % columns, rects[i]);
    // Side by side, a row's axes start and end level; stacked, a rect
    // without the step's title keeps no room for it.
    for (QCPAxisRect *rect : rects) {
        rect->setMarginGroup(QCP::msLeft | QCP::msRight, columns == 1 ? m_sides : nullptr);
        rect->setMarginGroup(QCP::msTop | QCP::msBottom, columns > 1 ? m_rows : nullptr);
    }
    m_columns = columns;
}

// Each axis rect at least as tall as its axis title (written upwards) and
// a few ticks, the legends wrapped to the width, the axes in as few columns
// as show them all in the view's height; the plot's least height, which
// the scroll area keeps when the view is shorter still.
void HistoryView::fitAxisTitles()
{
    // As wide as the plot is with the scroll bar shown: the same whether it is
    // (the legends' rows set the height that shows it).
    const int width = m_scroll->width() - m_scroll->verticalScrollBar()->sizeHint().width();
    // The plot's height without scrolling: the view's, less the title's.
    const int spacing = m_scroll->widget()->layout()->spacing();
    const int height = m_scroll->height() - m_title->sizeHint().height() - spacing;
    const int legends = fitLegends(width);
    const std::vector<QCPAxisRect *> rects = shownRects();
    // Each rect's least height, and what its ticks, titles and padding add.
    std::vector<int> least;
    const QFontMetrics ticks(m_lossRect->axis(QCPAxis::atBottom)->tickLabelFont());
    for (QCPAxisRect *rect : rects) {
        const QCPAxis *left = rect->axis(QCPAxis::atLeft);
        const QFontMetrics label(left->labelFont());
        const int title = label.horizontalAdvance(left->label()) + 4;
        rect->setMinimumSize(0, std::max(title, 4 * ticks.height()));
        least.push_back(rect->minimumSize().height() + ticks.height() + 24);
    }
    // Side by side, every rect keeps room for the step's title (their
    // bottoms are level); stacked, the one that has it.
    const QFontMetrics stepTitle(m_lossRect->axis(QCPAxis::atBottom)->labelFont());
    // Stacked, in two rows of two (four rects), or in one row; each column
    // wide enough for its ticks and a curve.
    const int n = int(rects.size());
    const int narrowest = ticks.height() * 9 / 2;
    // A comparison's two plots side by side first: stacked they were
    // wide and short (519 x 94 px at 150 % on a projector).
    int columns = 1, need = 0;
    for (const int c : m_compared ? std::vector<int>{n} : std::vector<int>{1, 2, n}) {
        if (c < columns || (c == 2 && n != 4 && n != 2) || (c > 1 && width / c < narrowest))
            continue;
        int total = legends;
        for (int row = 0; row * c < n; ++row) {
            int tallest = 0;
            for (int i = row * c; i < std::min(n, (row + 1) * c); ++i)
                tallest = std::max(tallest, least[size_t(i)]
                                                + (c > 1 || !rects[size_t(i)]->axis(QCPAxis::atBottom)->label().isEmpty()
                                                       ? stepTitle.height() : 0));
            total += tallest;
        }
        columns = c;
        need = total;
        if (total <= height)
            break;
    }
    if (columns != m_columns)
        placeRects(rects, columns);
    // As many step ticks as their numbers fit side by side in a column.
    const int columnWidth = width / std::max(1, columns);
    const QString widest = QString::number(m_p.steps.empty() ? 0 : m_p.steps.back());
    const int perTick = ticks.horizontalAdvance(widest) + 2 * ticks.height();
    for (size_t i = 0; i < rects.size(); ++i) {
        QCPAxisRect *rect = rects[i];
        // The last step's number is centred on the rect's right edge, the
        // top value on its top: half of each beside the rect (the right
        // plot's "500" was cut off, the "1" cut by the legends); a rect
        // with another on its right has that one's room.
        const bool rightmost = int(i) % std::max(1, columns) == std::max(1, columns) - 1;
        rect->setMinimumMargins(
            QMargins(0, ticks.height() / 2 + 2, rightmost ? ticks.horizontalAdvance(widest) / 2 + 2 : 0, 0));
        const QSharedPointer<QCPAxisTicker> ticker = rect->axis(QCPAxis::atBottom)->ticker();
        const int count = std::clamp((columnWidth - 4 * ticks.height()) / perTick, 1, 5);
        ticker->setTickCount(count);  // RoundTicker: a round step, whatever the tick step strategy
        // Values a line and more apart: 0 to 1 in six labels touched in a
        // plot 110 px tall at 150 %.
        rect->axis(QCPAxis::atLeft)->ticker()->setTickCount(std::clamp(rect->height() / (2 * ticks.height()), 2, 5));
    }
    m_plot->setMinimumHeight(need);
}

void HistoryView::addTaskCurves(int t, const QVector<double> &steps)
{
    const QColor color = taskColor(t);
    const QString name = elidedName(m_p.tasks[size_t(t)].name);
    QVector<double> g, m, a;
    for (size_t i = 0; i < m_p.steps.size(); ++i) {
        g << m_p.gates[i][size_t(t)];
        m << m_p.mass[i][size_t(t)];
        a << m_p.auprc[i][size_t(t)];
    }
    if (m_p.gated) {
        auto *graph = m_plot->addGraph(m_gateRect->axis(QCPAxis::atBottom), m_gateRect->axis(QCPAxis::atLeft));
        graph->setData(steps, g, true);
        graph->setPen(QPen(color, 2.5));
        graph->removeFromLegend();
    }
    // Solid and dashed: the line styles' legend says which is which.
    auto *mass = m_plot->addGraph(m_rationaleRect->axis(QCPAxis::atBottom), m_rationaleRect->axis(QCPAxis::atLeft));
    mass->setData(steps, m, true);
    mass->setPen(QPen(color, 2.5));
    mass->setName(name + tr(" mass"));
    mass->removeFromLegend();
    auto *auprc = m_plot->addGraph(m_rationaleRect->axis(QCPAxis::atBottom), m_rationaleRect->axis(QCPAxis::atLeft));
    auprc->setData(steps, a, true);
    auprc->setPen(QPen(color, 2, Qt::DashLine));
    auprc->setName(name + tr(" AUPRC"));
    auprc->removeFromLegend();
    QVector<double> l;
    for (size_t i = 0; i < m_p.steps.size(); ++i)
        l << m_p.loss[i][size_t(t)];
    // The task's legend entry: its colour in every plot.
    auto *loss = m_plot->addGraph(m_lossRect->axis(QCPAxis::atBottom), m_lossRect->axis(QCPAxis::atLeft));
    loss->setData(steps, l, true);
    loss->setPen(QPen(color, 2.5));
    loss->setName(name);
}

void HistoryView::addFaithfulnessCurves(const QVector<double> &)
{
    // A point per round of explanations: the snapshots in between carry no new one.
    const auto curve = [&](QCPAxisRect *rect, size_t t, Method m, bool comprehensiveness, const QPen &pen) {
        QVector<double> x, y;
        for (size_t i = 0; i < m_p.steps.size(); ++i) {
            const auto &point = comprehensiveness ? m_p.comp[i] : m_p.suff[i];
            if (t < point.size() && std::isfinite(point[t][size_t(m)])) {
                x << double(m_p.steps[i]);
                y << point[t][size_t(m)];
            }
        }
        auto *graph = m_plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        graph->setData(x, y, true);
        graph->setPen(pen);
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
        graph->removeFromLegend();
        return graph;
    };
    const int T = std::min(int(m_p.tasks.size()), MaxNamedTasks);
    // The floor: the random ranking's, of the first task (the tasks' floors differ little).
    const QColor grey = palette().color(QPalette::Disabled, QPalette::WindowText);
    std::vector<std::pair<QCPAxisRect *, Method>> plots = {{m_faithRect, score()}};
    if (m_compared)
        plots.emplace_back(m_comparedRect, *m_compared);
    for (const auto &[rect, method] : plots) {
        for (int t = 0; t < T; ++t) {
            curve(rect, size_t(t), method, true, QPen(taskColor(t), 2.5));
            curve(rect, size_t(t), method, false, QPen(taskColor(t), 2, Qt::DashLine));
        }
        if (T > 0 && rect != m_faithRect) {
            curve(rect, 0, Method::Random, true, QPen(grey, 1.5))->removeFromLegend();
            curve(rect, 0, Method::Random, false, QPen(grey, 1.5, Qt::DashLine))->removeFromLegend();
        }
    }
    if (T > 0) {
        auto *c = curve(m_faithRect, 0, Method::Random, true, QPen(grey, 1.5));
        auto *s = curve(m_faithRect, 0, Method::Random, false, QPen(grey, 1.5, Qt::DashLine));
        auto *named = curve(m_faithRect, 0, score(), true, QPen(palette().color(QPalette::WindowText), 2));
        named->data()->clear();  // a legend entry only
        // Solid and dashed mean the same in the rationale's plot and the faithfulness'.
        named->addToLegend(m_faithLegend);
        auto *namedS = curve(m_faithRect, 0, score(), false, QPen(palette().color(QPalette::WindowText), 2, Qt::DashLine));
        namedS->data()->clear();
        namedS->addToLegend(m_faithLegend);
        c->setName(tr("random floor"));
        c->addToLegend(m_faithLegend);
        m_styles = {named, namedS};  // named by fitLegends
        s->removeFromLegend();
    }
    m_faithLegend->setVisible(T > 0);
    if (T == 0)
        m_styles = {};
}

void HistoryView::showRects()
{
    // The gate's in gated mode only (other modes have no gate); a
    // comparison's two faithfulness plots alone. In the layout, or out of
    // it: out of it, a rect keeps its last place, so it is hidden, or its
    // axes draw over another's. In it before the plot is styled;
    // fitAxisTitles places the rects again.
    const bool compared = m_compared.has_value();
    m_gateRect->setVisible(m_p.gated && !compared);
    m_rationaleRect->setVisible(!compared);
    m_lossRect->setVisible(!compared);
    m_comparedRect->setVisible(compared);
    bool placed = true;
    for (QCPAxisRect *rect : {m_gateRect, m_rationaleRect, m_faithRect, m_comparedRect, m_lossRect})
        placed = placed && rect->visible() == (rect->layout() == m_rects);
    if (!placed)
        placeRects(shownRects(), std::max(1, m_columns));
}

std::vector<QCPAxisRect *> HistoryView::shownRects() const
{
    std::vector<QCPAxisRect *> rects;
    for (QCPAxisRect *rect : {m_gateRect, m_rationaleRect, m_faithRect, m_comparedRect, m_lossRect})
        if (rect->visible())
            rects.push_back(rect);
    return rects;
}

void HistoryView::markCurrentStep(QCPAxisRect *rect)
{
    auto *line = new QCPItemStraightLine(m_plot);
    line->setClipAxisRect(rect);
    line->point1->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    line->point2->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    line->point1->setCoords(double(m_current), 0);
    line->point2->setCoords(double(m_current), 1);
    line->setPen(QPen(palette().color(QPalette::Highlight), 2));
}

QString HistoryView::csv() const
{
    // Then the loss and, at the rounds of explanations, every score's (and
    // the random floor's) comprehensiveness and sufficiency.
    QString out = QStringLiteral("step,task,gate,rationale_mass,rationale_auprc,loss");
    for (int m = 0; m < MethodCount; ++m)
        out += QStringLiteral(",comprehensiveness_%1,sufficiency_%1").arg(QString::fromLatin1(toString(Method(m))));
    out += QLatin1Char('\n');
    auto number = [](double v) { return std::isfinite(v) ? QString::number(v, 'g', 9) : QString(); };
    QStringList names;
    for (const TaskInfo &task : m_p.tasks)
        names << QString::fromStdString(csvQuote(task.name));
    for (size_t i = 0; i < m_p.steps.size(); ++i)
        for (size_t t = 0; t < m_p.tasks.size(); ++t) {
            QStringList faith;
            for (int m = 0; m < MethodCount; ++m)
                faith << (t < m_p.comp[i].size() ? number(m_p.comp[i][t][size_t(m)]) : QString())
                      << (t < m_p.suff[i].size() ? number(m_p.suff[i][t][size_t(m)]) : QString());
            out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7\n")
                       .arg(QString::number(m_p.steps[i]), names[qsizetype(t)], number(m_p.gates[i][t]),
                            number(m_p.mass[i][t]), number(m_p.auprc[i][t]), number(m_p.loss[i][t]),
                            faith.join(QLatin1Char(',')));
        }
    return out;
}

} // namespace attnscope
