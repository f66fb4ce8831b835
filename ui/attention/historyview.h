// Attention over training: for gated mode each task's gate value
// sigmoid(gate[t]) (how task-specific its attention is), and, where the data
// has rationales, each task's attention mass on the rationale (solid) and
// AUPRC of attention against it (dashed); the faithfulness of the chosen
// score (scores.h) per task, comprehensiveness (solid) and sufficiency
// (dashed), with the random ranking's, the floor (grey), at each round of
// live explanations (live/liveexplainer.h); and each task's training loss.
// One point per snapshot taken (a
// few numbers per task; thinned to every second one in a long run or with
// many tasks); a vertical line marks the step the timeline shows. The curves
// of the first MaxNamedTasks tasks are drawn (tasknames.h), the CSV export
// has them all.
#pragma once

#include "attentionview.h"

#include <optional>
#include <utility>

class QCustomPlot;
class QFontMetrics;
class QCPAxisRect;
class QCPLegend;
class QCPGraph;
class QCPLayoutGrid;
class QCPMarginGroup;
class QLabel;
class QCPItemStraightLine;
class QScrollArea;

namespace attnscope {

// `text` broken into lines at its spaces, each at most `width` pixels
// wide in `metrics` (a word wider stays whole on its own line).
QString wrappedWords(const QString &text, const QFontMetrics &metrics, int width);

class HistoryView : public AttentionView {
    Q_OBJECT

public:
    // What the curves are drawn from: a few numbers a task a point.
    struct Points {
        std::vector<TaskInfo> tasks;
        bool gated = false;
        std::vector<int64_t> steps;
        std::vector<std::vector<double>> gates, mass, auprc, loss;  // [point][task], NaN = none
        // [point][task][Method] at a round of explanations; [point] empty at the other points.
        std::vector<std::vector<std::array<double, MethodCount>>> comp, suff;
        // Records the snapshot's step, gates and rationale agreement (of
        // other tasks, or of a step before the last: it starts over).
        void add(const AttentionSnapshot &snapshot);
        void clear() { *this = Points(); }

    private:
        // A long run: thins the points to every second one.
        void thin();
    };

    explicit HistoryView(QWidget *parent = nullptr);

    // Records the snapshot's step, gates and rationale agreement.
    void addSnapshot(const AttentionSnapshot &snapshot);
    void clear();
    // Its points taken out (the view empty), and put back: the Attention
    // panel keeps the current run's while it shows an earlier run's.
    Points takePoints();
    void restorePoints(Points points);
    void setCurrentStep(int64_t step);
    // score(): the score whose faithfulness is drawn (the panel's chooser).
    // "Over training · faithfulness of rollout (last explained at step 1190) ...".
    QString title() const;
    // The title without when the score was last explained ("Faithfulness of
    // attention and of rollout"): shown where the whole one does not fit a
    // line, in as many lines as it needs; the whole in the tooltip.
    QString shortTitle() const;
    // A second score whose faithfulness is drawn beside the chooser's, and
    // only those two plots (a lesson's step, "compare_score": on a
    // projector at 150 % the four plots were 110 x 130 px and showed one
    // score where the step asks to compare two); none: every plot, as before.
    void setComparedScore(std::optional<Method> score);
    std::optional<Method> comparedScore() const { return m_compared; }
    // The faithfulness plots: the chooser's score's, and the compared one's (null when none).
    QCPAxisRect *faithfulnessRect() const { return m_faithRect; }
    QCPAxisRect *comparedRect() const { return m_compared ? m_comparedRect : nullptr; }
    // The faithfulness points (rounds of explanations) kept.
    int faithfulnessPoints() const;
    // The numbers kept for the curves: four a task a point, and the scores
    // of a round of explanations only at its points.
    size_t storedNumbers() const;

    int points() const { return int(m_p.steps.size()); }
    QCustomPlot *plot() const { return m_plot; }

    QString csv() const override;

protected:
    // The plot (the numbers are kept whether shown or not).
    void draw() override;

private:
    // Task t's curves: its gate, and its rationale mass and AUPRC.
    void addTaskCurves(int t, const QVector<double> &steps);
    // A vertical line at the step the timeline shows.
    void markCurrentStep(QCPAxisRect *rect);
    // The legends wrapped to the width, the axes in as few columns as let
    // them all show in the view's height (stacked on a tall view; side by
    // side on a projector at 150 %, where stacked they needed scrolling),
    // each at least as tall as its axis title, and the plot's least height
    // (the scroll area keeps it when even one row is too tall).
    void fitAxisTitles();
    // The legends wrapped to `width`, one above the other or side by side,
    // whichever is shorter; returns their height.
    int fitLegends(int width);
    // The axis rects shown (the gate's in gated mode only), in rows of `columns`.
    std::vector<QCPAxisRect *> shownRects() const;
    void placeRects(const std::vector<QCPAxisRect *> &rects, int columns);

    QCustomPlot *m_plot = nullptr;
    QScrollArea *m_scroll = nullptr;
    QCPAxisRect *m_gateRect = nullptr;
    QCPAxisRect *m_rationaleRect = nullptr;
    QCPAxisRect *m_faithRect = nullptr;
    QCPAxisRect *m_lossRect = nullptr;
    QCPAxisRect *m_comparedRect = nullptr;  // the compared score's faithfulness
    std::optional<Method> m_compared;
    QCPLegend *m_faithLegend = nullptr;
    QCPLayoutGrid *m_rects = nullptr;      // the axis rects, below the legends
    QCPLayoutGrid *m_legends = nullptr;    // the legends, above the axes
    QCPMarginGroup *m_sides = nullptr;     // the rects' left and right margins, aligned
    QCPMarginGroup *m_rows = nullptr;      // and their top and bottom ones, side by side
    int m_columns = 0;                     // of m_rects, as placed last
    bool m_anyRationale = false;           // some point has a rationale's mass
    // The legend entries of the solid and the dashed line (comprehensiveness, sufficiency).
    std::pair<QCPGraph *, QCPGraph *> m_styles{nullptr, nullptr};
    QLabel *m_title = nullptr;
    Points m_p;
    // The score's faithfulness curves (and the floor's) for the first tasks.
    void addFaithfulnessCurves(const QVector<double> &steps);
    // Method m's curves (comprehensiveness, sufficiency) for the first tasks in rect.
    void addScoreCurves(QCPAxisRect *rect, Method m);
    // Which plots show: every one, or the two faithfulness plots of a comparison.
    void showRects();
    int64_t m_current = -1;
};

} // namespace attnscope
