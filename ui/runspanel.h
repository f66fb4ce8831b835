// The Runs tab (after Curves and Attention): every run of the session, one row each, what it was (name,
// dataset, attention mode, layers, learning rate, mu, seed) and what it
// reached (steps, best and last validation loss, best and last accuracy:
// each task's in the cell, their mean for sorting), sortable by any column.
// The current run (the one that trains) is in bold. A kept run's checkbox
// shows or hides it on the plot, where it is drawn over the current run in
// a line style of its own (LossPlot::setOverlays); a name is edited in place
// (double-click, F2); Delete removes a kept run (from the session file too).
#pragma once

#include "run.h"

#include <QWidget>
#include <QTimer>

class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace attnscope {

class LossPlot;
class Session;

class RunsPanel : public QWidget {
    Q_OBJECT

public:
    enum Column { Name, Dataset, Mode, Layers, LearningRate, Mu, Seed, Steps, BestLoss, LastLoss, BestAccuracy,
                  LastAccuracy, ColumnCount };

    RunsPanel(Session *session, LossPlot *plot, QWidget *parent = nullptr);

    QTreeWidget *table() const { return m_table; }
    // The row of a run (by Run::id / KeptRun::id), nullptr when none.
    QTreeWidgetItem *row(int id) const;
    // The table and the plot's overlays again from the session (runsChanged
    // does it; the window after a new setup, once the plot has its tasks).
    void refresh();

private:
    void fillRow(QTreeWidgetItem *item, int id, const QString &name, const QString &dataset, const ModelConfig &model,
                 const TrainConfig &train, const LossHistory &history, bool current, bool shown);
    void updateOverlays();
    void onItemChanged(QTreeWidgetItem *item, int column);
    void deleteSelected();

    Session *m_session;
    LossPlot *m_plot;
    QTreeWidget *m_table;
    QPushButton *m_delete;
    QTimer m_currentTimer;  // the current run's figures, at most four times a second
    bool m_filling = false; // itemChanged while the table is being filled is not the user's
};

} // namespace attnscope
