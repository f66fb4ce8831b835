// The live training curves: per-task and total training loss per step (raw,
// faint, behind a debiased exponential moving average), validation loss and
// accuracy per evaluation, and markers where a setting changed during
// training, drawn from a LossHistory (live/losshistory.h: every step, kept
// for export and hover): the shown run's (Run::history(), which the run
// records) or, for a plot without a run, its own. What is drawn is reduced to the visible range's pixel
// columns once there are more points than columns (decimation.h): the raw
// loss as a faint band from each column's minimum to its maximum, the
// smoothed loss and dense validation curves as each column's mean. Redraws
// are coalesced by a timer (at most ~30 a second), never one per step.
//
// Many tasks (a CSV may have 10,000 label columns): the legend names the
// total and at most MaxNamedTasks tasks (tasknames.h), then an entry "N more
// tasks" that shows the next ones when clicked; only the series the legend
// names are drawn, so the graphs and the legend are built once per task list
// and their number does not grow with the tasks. Every series is kept for
// export either way.
//
// Its files: lossplot.cpp (the controls, the view's ranges and following,
// drawing, hover and export), lossplotlegend.cpp (the graphs and the legend,
// the overlays, the colours) and lossplotmarkers.cpp (the change markers and
// the best evaluation's star).
#pragma once

#include "lossgraphs.h"
#include "losshistory.h"

#include <QString>
#include <QStringList>
#include <QTimer>
#include <QVector>
#include <QWidget>

#include <qcustomplot.h>  // QCPScatterStyle's shapes (OverlayLook)

#include <limits>
#include <map>
#include <vector>

class QCheckBox;
class QComboBox;
class QCPAxisRect;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;
class QLabel;
class QPushButton;
class QSlider;

namespace attnscope {

class LossPlot : public QWidget {
    Q_OBJECT

public:
    enum class XAxis { Step, Epoch };

    explicit LossPlot(QWidget *parent = nullptr);

    // Draws `history` (not owned; it must outlive the plot or be replaced,
    // nullptr: the plot's own): graphs and legend for its tasks, every series
    // shown, markers for its changes. Call again when its tasks change.
    void setHistory(LossHistory *history);
    // The shown history was emptied (markers and redraw timing go too) or
    // gained points (markers for new changes; redraw follows on the
    // coalescing timer).
    void historyCleared();
    void historyAppended();
    // What is drawn: the run's numbers, kept whole.
    const LossHistory &history() const { return *m_history; }

    // The shown history changed here, then drawn as above: named series
    // (one per task plus the total), emptied, a snapshot's points added.
    void setTasks(const QStringList &tasks);
    void clear();
    void append(const TrainingSnapshot &snapshot);

    // Earlier runs drawn over the shown one (the session's kept runs): each
    // task in its colour, each run in a line style of its own (overlayLook),
    // its smoothed loss and validation accuracy; the legend names the runs,
    // the shown one (solid) first. A task an earlier run does not have is
    // not drawn for it. The histories are not owned: set the overlays again
    // before one goes. Their smoothing follows the slider.
    struct Overlay {
        QString name;
        LossHistory *history = nullptr;
        int look = -1;  // overlayLook's index (runLooks: the run's own); -1: its place in the list
    };
    void setOverlays(const std::vector<Overlay> &overlays, const QString &shownName);
    // The legend names the first MaxNamedRuns overlays; more are one entry,
    // "+12 more runs" (the Runs tab's Line column shows each one's line):
    // 16 runs took eight legend rows at 1024 x 768, 150 %, and left the
    // loss plot 40 px (C5 of accept24).
    static constexpr int MaxNamedRuns = 4;
    QCPGraph *moreRunsEntry() const { return m_moreRunsEntry; }  // nullptr when every run is named
    int overlayCount() const { return int(m_overlays.size()); }
    // The smoothed loss of overlay i's series (nullptr: not drawn), for tests.
    QCPGraph *overlayGraph(int overlay, int series) const;
    // How overlay i is told apart: eight dash patterns, then the same again
    // with a marker every few dozen pixels (square, triangle, diamond,
    // cross, plus, inverted triangle, crossed square; never the validation
    // key's circle or the best mark's star): 64 runs before a look repeats.
    struct OverlayLook {
        QVector<qreal> dashes;                 // QPen::setDashPattern's, in pen widths
        QCPScatterStyle::ScatterShape marker;  // ssNone for the first eight
    };
    static OverlayLook overlayLook(int overlay);
    // What the plot shows, for an exported figure's heading: "Run 2 · step 40"
    // for the shown run alone (`shownName` and `step`); with overlays, the runs
    // drawn (the shown one only if it has points) and their last step:
    // "task, shared · step 500", "7 runs · steps 120–500". The heading named the
    // shown run, empty at step 0, over seven 500-step overlays (accept23 B13).
    QString shownRunsHeading(const QString &shownName, qint64 step) const;
    // The kept runs' looks (overlayLook's index), by run id: each given the
    // next look when first seen and keeping it through deleting and undoing
    // other runs (by place in the list, the runs after a deleted one changed
    // theirs). A list of none seen before (another session) starts again at 0.
    std::vector<int> runLooks(const std::vector<int> &runIds);
    static constexpr int OverlayLooks = 64;

    // 0 = raw, up to 0.999.
    void setSmoothing(double beta);
    double smoothing() const { return m_smoothing; }
    void setLogScale(bool log);
    bool logScale() const { return m_log; }
    void setXAxis(XAxis axis);
    XAxis xAxis() const { return m_xAxis; }
    // Shows or hides a series (0 = total, 1 + t = task t), as a legend click does.
    void setSeriesVisible(int series, bool visible);
    bool seriesVisible(int series) const;
    // The tasks the legend names (and the plot draws): MaxNamedTasks of them
    // from firstNamedTask(), the next ones at a click on "N more tasks"
    // (showNextTasks; after the last, the first again).
    int firstNamedTask() const { return m_firstTask; }
    int namedTaskCount() const { return m_graphs.slotCount() - 1; }
    void setFirstNamedTask(int task);
    void showNextTasks();
    // The legend's "N more tasks" entry (nullptr when every task is named).
    QCPGraph *moreTasksEntry() const { return m_moreEntry; }
    // Back to following the whole run.
    void resetView();
    // The view follows the run (its x range to the newest step); a drag or
    // the wheel freezes it, at the step that was newest then (the control
    // above the plot says which, and follows again at a click).
    bool following() const { return m_follow; }
    int64_t frozenAt() const { return m_frozenAt; }
    QPushButton *followButton() const { return m_followButton; }
    // Shows [lo, hi] of the x axis (steps or epochs) and stops following the
    // run, as a zoom with the mouse does.
    void zoomTo(double lo, double hi);

    // Draws now (the timer calls this); returns the time it took in ms.
    double redraw();
    int64_t pointCount() const { return int64_t(m_history->steps().size()); }
    int64_t evalCount() const { return int64_t(m_history->evalSteps().size()); }
    int changeCount() const { return int(m_history->changes().size()); }
    // Points drawn by the loss graph of a series at the last redraw (0 for a
    // series the legend does not name).
    int drawnPoints(int series) const;
    // Redraw timing since the last clear.
    int redrawCount() const { return m_redraws; }
    double meanRedrawMs() const { return m_redraws ? m_redrawTotalMs / m_redraws : 0.0; }
    double worstRedrawMs() const { return m_redrawWorstMs; }

    // The mark of the best evaluation (LossHistory::bestEvaluation, the rule
    // of attnscope-cli's --keep-best): a star on the total's validation
    // loss, its step in the legend; nullptr before the first evaluation of
    // the shown run (for tests).
    QCPGraph *bestMark() const;

    // Every series, one row per step (validation columns on evaluation steps).
    bool exportCsv(const QString &path, QString *error) const { return m_history->exportCsv(path, error); }
    // PNG, SVG or PDF by the file's suffix.
    // heading: a line above the plot in the picture (the window's: data, run, step).
    bool exportImage(const QString &path, QString *error, const QString &heading = {});

    QCustomPlot *plot() const { return m_plot; }
    // The graphs of a series as drawn at the last redraw (for tests): the raw
    // line or the top of the raw band, the band's bottom (empty when every
    // point is drawn), the smoothed curve, the validation loss and accuracy
    // (accuracy: tasks only, nullptr for the total); nullptr for a series the
    // legend does not name.
    using Curve = LossGraphs::Curve;
    QCPGraph *graph(Curve curve, int series) const;
    // What hovering at x (steps or epochs, as the axis) shows: the step's
    // learning rate and each shown series' loss, to 4 significant digits
    // (a log axis reaches 1e-5). Empty without points. With overlaid runs, of
    // the run (named) whose drawn curve at x is nearest the loss y (NaN:
    // the shown run where it reaches x), among those that reach x (the
    // nearest run along x where none does): over 500-step runs at step 450
    // it said "step 3" of the 3-step shown run (accept23 B14).
    QString hoverText(double x, double y = std::numeric_limits<double>::quiet_NaN()) const;

    // The evaluation whose validation point (loss or accuracy of a series
    // drawn) is nearest `pos` in the plot's pixels, within a few; -1 none.
    int evaluationAt(const QPoint &pos) const;
    // A left click on a validation point waits the double-click interval
    // before evaluationClicked (a double-click resets the view instead).
    bool clickPending() const { return m_clickTimer.isActive(); }

signals:
    void optionsChanged();
    // A left click (no drag, no double-click) on a validation point: its
    // evaluation's index (into LossHistory::evalSteps()), for the Confusion tab.
    void evaluationClicked(int evaluation);

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Marker {
        int64_t step;
        double epoch;
        QCPItemStraightLine *line;
        QCPItemText *label;
    };

    void buildPlot();
    void connectInteractions();
    void buildControls();
    void setFollow(bool follow);
    void buildGraphs();
    void buildOverlays();
    void bindOverlaySeries();
    void styleOverlays(const QColor &text, const QColor &base);
    // Puts the series from m_firstTask on in the graphs and the legend.
    void bindSeries();
    QString seriesName(int series) const;
    void applyPalette();
    void addMarkers(size_t firstChange);
    void scheduleRedraw();
    void placeMarkers();
    void placeBestMark();
    bool placeMarkerLabels();
    // The y titles and ticks to the rects' heights; true when it changed them.
    bool fitYAxes();
    void showHover(QMouseEvent *event);
    const std::vector<double> &keys() const;
    const std::vector<double> &evalKeys() const;
    void draw();
    // While the view follows the run: the x range to its end, the y range to
    // the raw and validation loss drawn of the series shown.
    void fitXRange();
    void fitYRange();

    QCustomPlot *m_plot = nullptr;
    QCPAxisRect *m_lossRect = nullptr, *m_accRect = nullptr;
    QSlider *m_smoothSlider = nullptr;
    QLabel *m_smoothLabel = nullptr;
    QCheckBox *m_logBox = nullptr;
    QComboBox *m_xBox = nullptr;
    QTimer m_redrawTimer;

    LossHistory m_own;                     // shown when no run's is
    LossHistory *m_history = &m_own;
    double m_smoothing = 0.9;              // the slider's, given to the history shown
    size_t m_seenPoints = 0, m_seenEvals = 0;  // of the history, at the last historyAppended
    // Its graphs: slot 0 draws the total, slot i > 0 task m_firstTask + i - 1.
    LossGraphs m_graphs;
    std::vector<bool> m_visible;           // per series
    QCPGraph *m_moreEntry = nullptr;       // the legend's "N more tasks" (no data)
    QCPGraph *m_validationKey = nullptr;   // the legend's "validation" (no data)
    QCPGraph *m_bestMark = nullptr;        // the best evaluation's star (one point)
    struct OverlayGraphs {
        Overlay run;
        LossGraphs graphs;                 // its slots draw the series of m_graphs' slots, by task name
        QCPGraph *key = nullptr;           // its legend entry (no data)
    };
    std::vector<Overlay> m_overlayRuns;
    std::map<int, int> m_runLooks;  // run id -> look (runLooks)
    int m_nextRunLook = 0;
    std::vector<OverlayGraphs> m_overlays;
    QString m_shownName;
    QCPGraph *m_shownKey = nullptr;        // the shown run's legend entry while there are overlays
    QCPGraph *m_moreRunsEntry = nullptr;   // the legend's "N more runs" (no data)
    int m_firstTask = 0;
    std::vector<Marker> m_markers;         // one per change of the history

    bool m_log = false;
    XAxis m_xAxis = XAxis::Step;
    bool m_follow = true;      // ranges follow the data until the user zooms or pans
    int64_t m_frozenAt = 0;    // the newest step when they stopped following
    QPoint m_pressAt;          // where the mouse went down: a drag from there freezes the view
    QTimer m_clickTimer;       // a click on a validation point, until no double-click follows
    int m_clickedEvaluation = -1;
    bool m_doubleClicked = false;  // the release that ends a double-click opens nothing
    QPushButton *m_followButton = nullptr;
    bool m_dirty = false;
    int m_columnsDrawn = 0;    // pixel columns the last draw reduced to
    int m_redraws = 0;
    double m_redrawTotalMs = 0, m_redrawWorstMs = 0;
};

} // namespace attnscope
