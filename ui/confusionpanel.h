// The Confusion tab (after Side by side): the current run's predictions on
// the validation split at one evaluation, for one classification task:
//   - the confusion matrix, a row per gold class and a column per predicted
//     class, each cell's count shaded by its share of the row (the diagonal
//     green, the errors red), so that a small class's errors stand out as
//     much as a large one's;
//   - the validation samples predicted wrong (#N as the Attention tab's
//     sample list numbers them, gold, predicted, the text): all of them, or
//     those of the cell clicked. Activating one (double-click, Enter) shows
//     it in the Attention tab (sampleActivated).
// It follows the latest evaluation as the run trains (while the tab is
// shown: the evaluations that came while it was hidden when it is shown
// again, so that a large matrix costs nothing behind another tab); the Evaluation box
// picks an earlier one, as does a click on a validation point of the Curves
// tab (showEvaluation). The Run box picks an earlier run of the session (a
// kept run, one read from the session file too): its matrices at its last
// evaluation or an earlier one, the line above them naming it, as the
// Attention tab shows an earlier run's attention; its misses' texts when
// the open data is its data. The misses are those among 5,000 validation samples
// spread evenly over the split (Confusion::MaxMissSamples, all of a smaller
// split); the matrix counts every sample. A task of more than
// Confusion::MaxClasses classes has its misses listed, no matrix. An
// evaluation whose matrices were not kept (LossHistory::ConfusionBudget, a
// session file of before version 2) says so.
#pragma once

#include "types.h"

#include <QWidget>

#include <cstddef>
#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QTableView;
class QTreeWidget;
class QVBoxLayout;

namespace attnscope {

class ConfusionModel;
class LossHistory;
class Session;
struct Confusion;
struct Dataset;

class ConfusionPanel : public QWidget {
    Q_OBJECT

public:
    explicit ConfusionPanel(Session *session, QWidget *parent = nullptr);

    // Item 0 is the current run (id 0), then the kept runs in the order they began (their ids).
    QComboBox *runBox() const { return m_runBox; }
    QComboBox *taskBox() const { return m_task; }
    // Item 0 follows the latest evaluation; item 1 + i is evaluation i.
    QComboBox *evaluationBox() const { return m_evaluation; }
    // The matrix: a view of a ConfusionModel (its cells' text is the count).
    QTableView *matrix() const { return m_matrix; }
    QTreeWidget *misses() const { return m_misses; }
    // The list's last column of a sample: its text, or a tabular row's
    // features ("name=value  ..."; the column is "Features" then).
    static QString sampleText(const Dataset &data, size_t sample);
    QLabel *note() const { return m_note; }
    // Lists only the samples of gold class `gold` predicted as `predicted` (-1, -1: every miss).
    void selectCell(int gold, int predicted);
    // Shows evaluation i (LossHistory's index) and every sample it got wrong:
    // a click on a validation point of the Curves tab.
    void showEvaluation(int evaluation);
    // The evaluation shown (-1: none yet).
    int shownEvaluation() const;
    // The run shown: a kept run's id (KeptRun::id); 0, the current run's
    // id or a run that is gone: the current run.
    void showRun(int id);
    int shownRun() const { return m_runId; }
    // The runs, the tasks, the evaluations and the view again from the session.
    void refresh();
    // The same now when the panel is shown; otherwise when it is next
    // (showRun, a new run, Reset: a matrix built behind another tab is work
    // for nothing).
    void refreshWhenShown();

signals:
    // A listed sample was activated: its index in the dataset.
    void sampleActivated(int datasetIndex);

protected:
    void changeEvent(QEvent *event) override;  // the cells' colours follow the theme
    void showEvent(QShowEvent *event) override;  // the evaluations that came while it was hidden

private:
    // What the view shows: the current run's or a kept run's history, the
    // tasks with their classes' names, and the data its misses index (null:
    // not the open data, no texts and nothing to show in the Attention tab).
    struct Source {
        const LossHistory *history = nullptr;
        std::vector<TaskInfo> tasks;
        std::shared_ptr<const Dataset> data;
        size_t validation = 0;  // the validation split's samples; 0: not known
        QString earlier;        // a kept run's name; empty: the current run
    };
    Source source() const;
    // The constructor's parts: the boxes above the view (into layout), the matrix, the misses.
    void makeBoxes(QVBoxLayout *layout);
    QTableView *makeMatrix();
    QTreeWidget *makeMisses();
    void fillRuns();
    void onHistoryAppended();
    const Confusion *shown() const;  // the task's at the evaluation shown; nullptr: none kept
    void showConfusion();
    // The matrix of c; the commonest errors named for the note when its columns are numbers.
    QString fillMatrix(const Confusion &c, const TaskInfo &task);
    void listMisses();
    void fitMissColumns();  // Sample, Gold, Predicted to their contents and titles

    Session *m_session;
    QComboBox *m_runBox;
    QComboBox *m_task;
    QComboBox *m_evaluation;
    QLabel *m_note;
    QTableView *m_matrix;
    ConfusionModel *m_model;
    QTreeWidget *m_misses;
    int m_runId = 0;             // the kept run shown; 0: the current run
    bool m_stale = false;        // the current run's evaluations came while hidden
    bool m_refresh = false;      // refresh() is due when shown (refreshWhenShown)
    size_t m_evals = 0;          // evaluations in the box
    int m_gold = -1, m_predicted = -1;  // the cell whose misses are listed; -1: all
    int m_right = -1;            // the diagonal cell clicked (its class), said in the list; -1: none
};

} // namespace attnscope
