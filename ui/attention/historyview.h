// Attention over training: for gated mode each task's gate value
// sigmoid(gate[t]) (how task-specific its attention is), and, where the data
// has rationales, each task's attention mass on the rationale (solid) and
// AUPRC of attention against it (dashed). One point per snapshot taken (a
// few numbers per task; thinned to every second one in a long run or with
// many tasks); a vertical line marks the step the timeline shows. The curves
// of the first MaxNamedTasks tasks are drawn (tasknames.h), the CSV export
// has them all.
#pragma once

#include "attentionsnapshot.h"

#include <QWidget>

class QCustomPlot;
class QCPAxisRect;
class QCPItemStraightLine;

namespace attnscope {

class HistoryView : public QWidget {
    Q_OBJECT

public:
    explicit HistoryView(QWidget *parent = nullptr);

    // Records the snapshot's step, gates and rationale agreement.
    void addSnapshot(const AttentionSnapshot &snapshot);
    void clear();
    void setCurrentStep(int64_t step);

    int points() const { return int(m_steps.size()); }
    QCustomPlot *plot() const { return m_plot; }
    QString csv() const;

protected:
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void rebuild();

    QCustomPlot *m_plot = nullptr;
    QCPAxisRect *m_gateRect = nullptr;
    QCPAxisRect *m_rationaleRect = nullptr;
    std::vector<TaskInfo> m_tasks;
    bool m_gated = false;
    std::vector<int64_t> m_steps;
    std::vector<std::vector<double>> m_gates, m_mass, m_auprc;  // [point][task], NaN = none
    int64_t m_current = -1;
    bool m_plotDirty = true;
};

} // namespace attnscope
