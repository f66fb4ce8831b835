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
// It follows the latest evaluation as the run trains; the Evaluation box
// picks an earlier one, as does a click on a validation point of the Curves
// tab (showEvaluation). The misses are those among 5,000 validation samples
// spread evenly over the split (Confusion::MaxMissSamples, all of a smaller
// split); the matrix counts every sample. A task of more than
// Confusion::MaxClasses classes has its misses listed, no matrix. An
// evaluation whose matrices were not kept (LossHistory::ConfusionBudget, a
// session file of before version 2) says so.
#pragma once

#include <QWidget>

#include <cstddef>

class QComboBox;
class QLabel;
class QTableWidget;
class QTreeWidget;

namespace attnscope {

class Session;
struct Confusion;

class ConfusionPanel : public QWidget {
    Q_OBJECT

public:
    explicit ConfusionPanel(Session *session, QWidget *parent = nullptr);

    QComboBox *taskBox() const { return m_task; }
    // Item 0 follows the latest evaluation; item 1 + i is evaluation i.
    QComboBox *evaluationBox() const { return m_evaluation; }
    QTableWidget *matrix() const { return m_matrix; }
    QTreeWidget *misses() const { return m_misses; }
    QLabel *note() const { return m_note; }
    // Lists only the samples of gold class `gold` predicted as `predicted` (-1, -1: every miss).
    void selectCell(int gold, int predicted);
    // Shows evaluation i (LossHistory's index) and every sample it got wrong:
    // a click on a validation point of the Curves tab.
    void showEvaluation(int evaluation);
    // The evaluation shown (-1: none yet).
    int shownEvaluation() const;
    // The tasks, the evaluations and the view again from the current run.
    void refresh();

signals:
    // A listed sample was activated: its index in the dataset.
    void sampleActivated(int datasetIndex);

protected:
    void changeEvent(QEvent *event) override;  // the cells' colours follow the theme

private:
    void onHistoryAppended();
    const Confusion *shown() const;  // the task's at the evaluation shown; nullptr: none kept
    void showConfusion();
    void listMisses();

    Session *m_session;
    QComboBox *m_task;
    QComboBox *m_evaluation;
    QLabel *m_note;
    QTableWidget *m_matrix;
    QTreeWidget *m_misses;
    size_t m_evals = 0;          // evaluations in the box
    int m_gold = -1, m_predicted = -1;  // the cell whose misses are listed; -1: all
};

} // namespace attnscope
