// The Runs tab (after Curves and Attention): every run of the session, one row each, what it was (name,
// the run and step it was forked from, dataset, attention mode, layers,
// learning rate, mu, seed) and what it reached (steps, best and last
// validation loss, best and last accuracy: each task's in the cell, their
// mean for sorting; the rationale mass and faithfulness of its attention at
// its last snapshot, "–" where it has none), sortable by any column. The
// Line column draws the run's line as the plot's legend does (the current
// run solid, each shown earlier run in LossPlot::overlayLook's style). The current run's row follows
// it as it trains (at most four times a second, and at once when it pauses
// or ends).
// The current run (the one that trains) is in bold. A kept run's checkbox
// shows or hides it on the plot, where it is drawn over the current run in
// a line style of its own (LossPlot::setOverlays); a name is edited in place
// (double-click, F2); Delete removes a kept run (from the session file too),
// Undo (Ctrl+Z) brings it back. The settings in which a run differs
// from the selected one are highlighted; Reference picks the run
// whose figures the others are measured against: a better best validation
// loss or accuracy than the reference's is green, a worse one red, the
// difference in the tooltip; the best figure of each column is bold and
// underlined. Fork… (or the row's context menu) starts a
// child run from one of the selected run's checkpoints in the session file
// (Session::forkRun); the From column, beside the name, names a forked
// run's parent and step. Resume (or the row's context menu) continues a
// run that ended, one of a reopened session file above all, as the same
// run from its last checkpoint (Session::resumeRun).
#pragma once

#include "run.h"
#include "sessionfile.h"

#include <QWidget>
#include <QTimer>

class QHBoxLayout;
class QMenu;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace attnscope {

class LossPlot;
class Session;

class RunsPanel : public QWidget {
    Q_OBJECT

public:
    // The run, then what it reached (on screen beside its name at 1024 x 768: the best loss and the
    // accuracies at it first, what the modes lesson asks a class to read), then how long and with
    // what settings it trained. The attention figures show only while some run has them.
    enum Column { Name, From, Line, Reference, BestLoss, BestAccuracy, LastLoss, LastAccuracy, RationaleMass,
                  Faithfulness, Steps, Dataset, Mode, Layers, LearningRate, Mu, Seed, ColumnCount };
    // The Line cell's LookRole: LossPlot::overlayLook's index, -1 for the
    // current run (solid), none for a hidden run (not drawn).
    static constexpr int LookRole = Qt::UserRole + 5;

    RunsPanel(Session *session, LossPlot *plot, QWidget *parent = nullptr);

    QTreeWidget *table() const { return m_table; }
    // The row of a run (by Run::id / KeptRun::id), nullptr when none.
    QTreeWidgetItem *row(int id) const;
    // The table and the plot's overlays again from the session (runsChanged
    // does it; the window after a new setup, once the plot has its tasks).
    void refresh();
    QPushButton *undoButton() const { return m_undo; }
    QPushButton *referenceButton() const { return m_reference; }
    QPushButton *forkButton() const { return m_fork; }
    QPushButton *resumeButton() const { return m_resume; }
    // The selected run goes on training, the same run (Session::resumeRun).
    void resumeSelected();
    // The checkpoints of run `id` to fork from, one action each ("Step 200
    // (kept)", the step in its data), filled into menu; none: a disabled line
    // that says why.
    void fillForkMenu(QMenu *menu, int id);
    // The fork menu's entries: a label and a checkpoint id each, one a step
    // (a kept checkpoint and the last one at the same step are one entry,
    // the last's; the menu listed "Step 500" and "Step 500 (the last)").
    static std::vector<std::pair<QString, qint64>> forkEntries(const std::vector<CheckpointRecord> &points);
    // Whether the cell is highlighted as a setting that differs from the selected run's.
    static bool isHighlighted(const QTreeWidgetItem *item, int column);
    // -1: the cell's figure is worse than the reference run's, 1: better, 0: the same or no reference.
    static int comparison(const QTreeWidgetItem *item, int column);
    // Whether the cell's figure is the best of the runs' (bold and underlined; two runs or more have one).
    static bool isBest(const QTreeWidgetItem *item, int column);

signals:
    // The selected run changed (its id; 0: none).
    void selectedRunChanged(int id);

private:
    // The constructor's parts: the table, the buttons under it, and what
    // fills the table again (the session's runs, the current run's points and state).
    void makeTable();
    QHBoxLayout *makeButtons();
    void followSession();
    void onSelectionChanged();
    // Delete, Reference, Fork and Resume for the selected run.
    void updateButtons();
    void fillRow(QTreeWidgetItem *item, int id, const QString &name, const QString &dataset, const ModelConfig &model,
                 const TrainConfig &train, const LossHistory &history, bool current, bool shown, const ForkPoint &fork);
    // The run's line (look: LossPlot::overlayLook's; -1: solid; -2: not drawn).
    void setLine(QTreeWidgetItem *item, int look);
    // The rationale mass and faithfulness of the newest snapshots of a run that have them (null: none).
    void setAttentionFigures(QTreeWidgetItem *item, const AttentionSnapshot *mass, const AttentionSnapshot *explained);
    // The rows from the session (the current run's figures as it trains).
    void fillTable();
    // The columns' widths: their cells' or their titles' (the sort arrow's room in the sorted one only).
    void fitColumns();
    void updateOverlays();
    std::vector<int> keptLooks() const;
    // True when the run trained on other data than the open one: its losses
    // are not overlaid on the open data's (another validation set).
    bool onOtherData(const KeptRun &run) const;
    // The open data's spec, absolute (the current run's Dataset cell).
    QString openDataSpec() const;
    void onItemChanged(QTreeWidgetItem *item, int column);
    void deleteSelected();
    int selectedId() const;
    // The highlights and the comparison with the reference, for the rows as filled.
    void markRows();

    Session *m_session;
    LossPlot *m_plot;
    QTreeWidget *m_table;
    QPushButton *m_delete;
    QPushButton *m_undo;
    QPushButton *m_reference;
    QPushButton *m_fork;
    QPushButton *m_resume;
    QTimer m_currentTimer;  // the current run's row, at most four times a second
    // The current run's newest attention snapshot and newest one with live
    // explanations (their rationale mass and faithfulness), since it began.
    SnapshotPtr m_currentAttention, m_currentExplained;
    bool m_filling = false; // itemChanged while the table is being filled is not the user's
};

} // namespace attnscope
