#include "historyview.h"

#include "appearance.h"
#include "csvwriter.h"
#include "scores.h"
#include "tasknames.h"

#include <QVBoxLayout>
#include <QEvent>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <qcustomplot.h>

#include <cmath>
#include <initializer_list>
#include <utility>

namespace attnscope {

HistoryView::HistoryView(QWidget *parent) : AttentionView(parent)
{
    m_plot = addPlot();
    m_title = addTitle(m_plot);
    // The plot scrolls where the view is shorter than its axes need (a
    // projector at 150 %: squeezed, the axis titles were cut and the
    // legends covered the curves).
    // The title scrolls with it: four lines at 150 %.
    auto *box = static_cast<QBoxLayout *>(layout());
    auto *content = new QWidget;
    auto *inner = new QVBoxLayout(content);
    inner->setContentsMargins(0, 0, 0, 0);
    box->removeWidget(m_title);
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
    // Each legend in a row of its own above its axes, where it covers no curve.
    m_plot->legend = new QCPLegend;
    m_faithLegend = new QCPLegend;
    QCPLayoutGrid *grid = m_plot->plotLayout();
    int row = 0;
    for (QCPLayoutElement *element : std::initializer_list<QCPLayoutElement *>{
             m_gateRect, m_plot->legend, m_rationaleRect, m_faithLegend, m_faithRect, m_lossRect})
        grid->addElement(row++, 0, element);
    for (QCPLegend *legend : {m_plot->legend, m_faithLegend}) {
        legend->setLayer(QStringLiteral("legend"));
        legend->setVisible(true);
    }
    auto *group = new QCPMarginGroup(m_plot);
    for (QCPAxisRect *rect : {m_gateRect, m_rationaleRect, m_faithRect, m_lossRect})
        rect->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    m_faithRect->axis(QCPAxis::atLeft)->setRange(-0.1, 1);
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

QString HistoryView::title() const
{
    int64_t last = -1;
    for (size_t i = 0; i < m_p.steps.size(); ++i)
        if (!m_p.comp[i].empty() && std::isfinite(m_p.comp[i].front()[size_t(Method::Random)]))
            last = m_p.steps[i];
    const QString when = last >= 0 ? tr("last explained at step %1").arg(last) : tr("not explained yet");
    // Solid, dashed and grey: its legend says which is which.
    return tr("Faithfulness of %1 (%2); above, attention on the rationales; below, the loss")
        .arg(scoreName(score()), when);
}

void HistoryView::setCurrentStep(int64_t step)
{
    m_current = step;
    rebuild();
}

void HistoryView::draw()
{
    m_title->setText(title());
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
    for (int t = 0; t < std::min(T, MaxNamedTasks); ++t)
        addTaskCurves(t, steps);
    if (T > MaxNamedTasks && anyRationale) {
        // A legend entry (no data) for the tasks not drawn.
        auto *more = m_plot->addGraph(m_rationaleRect->axis(QCPAxis::atBottom), m_rationaleRect->axis(QCPAxis::atLeft));
        more->setName(andMore(T - MaxNamedTasks, tr("tasks (in the CSV export)")));
        more->setPen(Qt::NoPen);
    }
    addFaithfulnessCurves(steps);
    showGateRect(m_p.gated);
    const double lo = steps.isEmpty() ? 0 : steps.front();
    const double hi = steps.isEmpty() ? 1 : std::max(steps.back(), lo + 1);
    double largestLoss = 0;
    for (const std::vector<double> &loss : m_p.loss)
        for (double l : loss)
            if (std::isfinite(l))
                largestLoss = std::max(largestLoss, l);
    m_lossRect->axis(QCPAxis::atLeft)->setRange(0, largestLoss > 0 ? largestLoss * 1.05 : 1);
    for (QCPAxisRect *rect : {m_gateRect, m_rationaleRect, m_faithRect, m_lossRect}) {
        rect->axis(QCPAxis::atBottom)->setRange(lo, hi);
        if (m_current >= 0 && (m_p.gated || rect != m_gateRect))
            markCurrentStep(rect);
    }
    m_faithRect->axis(QCPAxis::atLeft)->setLabel(tr("faithfulness"));
    m_gateRect->axis(QCPAxis::atLeft)->setLabel(m_p.gated ? tr("gate σ(g_t)") : tr("gate (gated mode only)"));
    m_rationaleRect->axis(QCPAxis::atLeft)->setLabel(anyRationale ? tr("rationale") : tr("no rationales"));
    stylePlot(m_plot, palette());
    fitAxisTitles();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

// Each axis rect at least as tall as its axis title (written upwards) and
// a few ticks, the legends wrapped to the width: the plot's least height,
// which the scroll area keeps when the view is shorter.
void HistoryView::fitAxisTitles()
{
    // As wide as the plot is with the scroll bar shown: the same whether it is
    // (the legends' rows set the height that shows it).
    const int width = m_scroll->width() - m_scroll->verticalScrollBar()->sizeHint().width();
    // The legends' rows take their entries' height, the axes the rest.
    QCPLayoutGrid *grid = m_plot->plotLayout();
    for (int row = 0; row < grid->rowCount(); ++row)
        grid->setRowStretchFactor(row, qobject_cast<QCPLegend *>(grid->element(row, 0)) ? 0.001 : 1);
    m_plot->legend->setVisible(m_plot->legend->itemCount() > 0);
    int least = 0;
    for (QCPLegend *legend : {m_plot->legend, m_faithLegend}) {
        if (!legend->visible() || legend->itemCount() == 0)
            continue;
        wrapLegend(legend, width);
        least += legend->minimumOuterSizeHint().height();
    }
    for (QCPAxisRect *rect : {m_gateRect, m_rationaleRect, m_faithRect, m_lossRect}) {
        if (!rect->visible())
            continue;
        const QCPAxis *left = rect->axis(QCPAxis::atLeft), *bottom = rect->axis(QCPAxis::atBottom);
        const QFontMetrics label(left->labelFont()), ticks(bottom->tickLabelFont());
        const int title = label.horizontalAdvance(left->label()) + 2 * label.height();
        rect->setMinimumSize(0, std::max(title, 4 * ticks.height()));
        // The rect, its bottom axis' tick labels (and title) and the padding around.
        least += rect->minimumSize().height() + 2 * ticks.height() + (bottom->label().isEmpty() ? 0 : label.height())
                 + 16;
    }
    m_plot->setMinimumHeight(least);
}

void HistoryView::addTaskCurves(int t, const QVector<double> &steps)
{
    const QColor color = taskColor(t);
    const QString name = elidedName(m_p.tasks[size_t(t)].name);
    QVector<double> g, m, a;
    bool hasRationale = false;
    for (size_t i = 0; i < m_p.steps.size(); ++i) {
        hasRationale = hasRationale || std::isfinite(m_p.mass[i][size_t(t)]);
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
    auto *mass = m_plot->addGraph(m_rationaleRect->axis(QCPAxis::atBottom), m_rationaleRect->axis(QCPAxis::atLeft));
    mass->setData(steps, m, true);
    mass->setPen(QPen(color, 2.5));
    mass->setName(name + tr(" mass"));
    auto *auprc = m_plot->addGraph(m_rationaleRect->axis(QCPAxis::atBottom), m_rationaleRect->axis(QCPAxis::atLeft));
    auprc->setData(steps, a, true);
    auprc->setPen(QPen(color, 2, Qt::DashLine));
    auprc->setName(name + tr(" AUPRC"));
    if (!hasRationale) {
        mass->removeFromLegend();
        auprc->removeFromLegend();
    }
    QVector<double> l;
    for (size_t i = 0; i < m_p.steps.size(); ++i)
        l << m_p.loss[i][size_t(t)];
    auto *loss = m_plot->addGraph(m_lossRect->axis(QCPAxis::atBottom), m_lossRect->axis(QCPAxis::atLeft));
    loss->setData(steps, l, true);
    loss->setPen(QPen(color, 2));
    loss->removeFromLegend();
}

void HistoryView::addFaithfulnessCurves(const QVector<double> &)
{
    // A point per round of explanations: the snapshots in between carry no new one.
    const auto curve = [&](size_t t, Method m, bool comprehensiveness, const QPen &pen) {
        QVector<double> x, y;
        for (size_t i = 0; i < m_p.steps.size(); ++i) {
            const auto &point = comprehensiveness ? m_p.comp[i] : m_p.suff[i];
            if (t < point.size() && std::isfinite(point[t][size_t(m)])) {
                x << double(m_p.steps[i]);
                y << point[t][size_t(m)];
            }
        }
        auto *graph = m_plot->addGraph(m_faithRect->axis(QCPAxis::atBottom), m_faithRect->axis(QCPAxis::atLeft));
        graph->setData(x, y, true);
        graph->setPen(pen);
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
        graph->removeFromLegend();
        return graph;
    };
    const int T = std::min(int(m_p.tasks.size()), MaxNamedTasks);
    for (int t = 0; t < T; ++t) {
        curve(size_t(t), score(), true, QPen(taskColor(t), 2.5));
        curve(size_t(t), score(), false, QPen(taskColor(t), 2, Qt::DashLine));
    }
    // The floor: the random ranking's, of the first task (the tasks' floors differ little).
    const QColor grey = palette().color(QPalette::Disabled, QPalette::WindowText);
    if (T > 0) {
        auto *c = curve(0, Method::Random, true, QPen(grey, 1.5));
        auto *s = curve(0, Method::Random, false, QPen(grey, 1.5, Qt::DashLine));
        auto *named = curve(0, score(), true, QPen(palette().color(QPalette::WindowText), 2));
        named->data()->clear();  // a legend entry only
        named->setName(tr("%1: comprehensiveness").arg(scoreName(score())));
        named->addToLegend(m_faithLegend);
        auto *namedS = curve(0, score(), false, QPen(palette().color(QPalette::WindowText), 2, Qt::DashLine));
        namedS->data()->clear();
        namedS->setName(tr("sufficiency"));
        namedS->addToLegend(m_faithLegend);
        c->setName(tr("random floor"));
        c->addToLegend(m_faithLegend);
        s->removeFromLegend();
    }
    m_faithLegend->setVisible(T > 0);
}

void HistoryView::showGateRect(bool shown)
{
    QCPLayoutGrid *grid = m_plot->plotLayout();
    const bool gateShown = grid->hasElement(0, 0) && grid->element(0, 0) == m_gateRect;
    if (shown && !gateShown) {
        grid->insertRow(0);
        grid->addElement(0, 0, m_gateRect);
    } else if (!shown && gateShown) {
        grid->take(m_gateRect);
        grid->simplify();
    }
    // Out of the layout it keeps its last place: hidden, or its axes draw over the rationale's.
    m_gateRect->setVisible(shown);
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
