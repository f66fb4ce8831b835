#include "historyview.h"

#include "appearance.h"
#include "csvwriter.h"
#include "tasknames.h"

#include <QEvent>
#include <qcustomplot.h>

#include <cmath>

namespace attnscope {

HistoryView::HistoryView(QWidget *parent) : AttentionView(parent)
{
    m_plot = addPlot();
    m_plot->plotLayout()->clear();
    m_gateRect = new QCPAxisRect(m_plot);
    m_rationaleRect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(0, 0, m_gateRect);
    m_plot->plotLayout()->addElement(1, 0, m_rationaleRect);
    auto *group = new QCPMarginGroup(m_plot);
    m_gateRect->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    m_rationaleRect->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    m_gateRect->axis(QCPAxis::atLeft)->setLabel(tr("gate σ(g_t)"));
    m_gateRect->axis(QCPAxis::atLeft)->setRange(0, 1);
    m_rationaleRect->axis(QCPAxis::atLeft)->setLabel(tr("rationale agreement"));
    m_rationaleRect->axis(QCPAxis::atLeft)->setRange(0, 1);
    m_rationaleRect->axis(QCPAxis::atBottom)->setLabel(tr("step"));
    m_plot->legend = new QCPLegend;
    m_rationaleRect->insetLayout()->addElement(m_plot->legend, Qt::AlignTop | Qt::AlignLeft);
    m_plot->legend->setLayer(QStringLiteral("legend"));
    m_plot->legend->setVisible(true);
    setMinimumHeight(320);
    rebuild();
}

void HistoryView::addSnapshot(const AttentionSnapshot &snapshot)
{
    if (snapshot.step < 0)
        return;
    if (m_tasks != snapshot.tasks || (!m_steps.empty() && snapshot.step < m_steps.back()))
        clear();
    m_tasks = snapshot.tasks;
    m_gated = snapshot.mode == AttentionMode::Gated;
    if (!m_steps.empty() && snapshot.step == m_steps.back())
        return;
    const size_t T = snapshot.tasks.size();
    std::vector<double> g(T, std::nan("")), m(T, std::nan("")), a(T, std::nan(""));
    for (size_t t = 0; t < T; ++t) {
        if (t < snapshot.gates.size()) g[t] = snapshot.gates[t];
        if (t < snapshot.rationaleMass.size() && snapshot.rationaleMass[t]) m[t] = *snapshot.rationaleMass[t];
        if (t < snapshot.rationaleAuprc.size() && snapshot.rationaleAuprc[t]) a[t] = *snapshot.rationaleAuprc[t];
    }
    m_steps.push_back(snapshot.step);
    m_gates.push_back(std::move(g));
    m_mass.push_back(std::move(m));
    m_auprc.push_back(std::move(a));
    // A long run: thin to every second point beyond 20,000 points, or
    // beyond 2,000,000 numbers when there are many tasks (three per task).
    if (m_steps.size() > std::min<size_t>(20000, std::max<size_t>(200, 2000000 / std::max<size_t>(1, 3 * T))))
        thin();
    rebuild();
}

void HistoryView::thin()
{
    size_t k = 0;
    for (size_t i = 0; i < m_steps.size(); i += 2, ++k) {
        m_steps[k] = m_steps[i];
        m_gates[k] = m_gates[i];
        m_mass[k] = m_mass[i];
        m_auprc[k] = m_auprc[i];
    }
    m_steps.resize(k);
    m_gates.resize(k);
    m_mass.resize(k);
    m_auprc.resize(k);
}

void HistoryView::clear()
{
    m_steps.clear();
    m_gates.clear();
    m_mass.clear();
    m_auprc.clear();
    rebuild();
}

void HistoryView::setCurrentStep(int64_t step)
{
    m_current = step;
    rebuild();
}

void HistoryView::draw()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    const int T = int(m_tasks.size());
    QVector<double> steps;
    for (int64_t s : m_steps) steps << double(s);
    bool anyRationale = false;
    for (const std::vector<double> &mass : m_mass)
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
    showGateRect(m_gated);
    const double lo = steps.isEmpty() ? 0 : steps.front();
    const double hi = steps.isEmpty() ? 1 : std::max(steps.back(), lo + 1);
    for (QCPAxisRect *rect : {m_gateRect, m_rationaleRect}) {
        rect->axis(QCPAxis::atBottom)->setRange(lo, hi);
        if (m_current >= 0 && (m_gated || rect != m_gateRect))
            markCurrentStep(rect);
    }
    m_gateRect->axis(QCPAxis::atLeft)->setLabel(m_gated ? tr("gate σ(g_t)") : tr("gate (gated mode only)"));
    m_rationaleRect->axis(QCPAxis::atLeft)->setLabel(anyRationale ? tr("rationale agreement")
                                                                  : tr("rationale (none in data)"));
    stylePlot(m_plot, palette());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HistoryView::addTaskCurves(int t, const QVector<double> &steps)
{
    const QColor color = taskColor(t);
    const QString name = elidedName(m_tasks[size_t(t)].name);
    QVector<double> g, m, a;
    bool hasRationale = false;
    for (size_t i = 0; i < m_steps.size(); ++i) {
        hasRationale = hasRationale || std::isfinite(m_mass[i][size_t(t)]);
        g << m_gates[i][size_t(t)];
        m << m_mass[i][size_t(t)];
        a << m_auprc[i][size_t(t)];
    }
    if (m_gated) {
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
    QString out = QStringLiteral("step,task,gate,rationale_mass,rationale_auprc\n");
    auto number = [](double v) { return std::isfinite(v) ? QString::number(v, 'g', 9) : QString(); };
    QStringList names;
    for (const TaskInfo &task : m_tasks)
        names << QString::fromStdString(csvQuote(task.name));
    for (size_t i = 0; i < m_steps.size(); ++i)
        for (size_t t = 0; t < m_tasks.size(); ++t)
            out += QStringLiteral("%1,%2,%3,%4,%5\n")
                       .arg(QString::number(m_steps[i]), names[qsizetype(t)], number(m_gates[i][t]),
                            number(m_mass[i][t]), number(m_auprc[i][t]));
    return out;
}

} // namespace attnscope
