// The task attention heatmap: a QCPColorMap with one cell per token (no
// interpolation) and the token text on the axis. Two layouts:
//   TasksForSample  one row per task for the selected sample;
//   SamplesForTask  one row per probe sample for a chosen task (shorter
//                   samples leave their cells beyond their length empty).
// The cells hold the chosen score (scores.h), named in the title above the
// plot; a signed score is drawn in the diverging map centred on 0.
// Cells print their token (SamplesForTask) or value (an option) where they
// are large enough. Hover shows token, value and task; clicking a row in SamplesForTask
// selects that sample (sampleClicked). Rows and columns keep one cell each
// however many; their labels are thinned to what fits (every k-th).
#pragma once

#include "attentionview.h"

class QCustomPlot;
class QLabel;
class QMouseEvent;
class QCPColorMap;

namespace attnscope {

class TaskHeatmap : public SnapshotView {
    Q_OBJECT

public:
    enum class Layout { TasksForSample, SamplesForTask };

    explicit TaskHeatmap(QWidget *parent = nullptr);

    void setTask(int task);             // for SamplesForTask
    void setLayout(Layout layout);
    double colorScaleTop() const;      // the value drawn in the top colour
    double colorScaleBottom() const;   // 0, or -top for a signed score (centred on 0)
    // The largest of the cells as the colour scale reads them (scores.h
    // largestValue: a signed score's largest magnitude).
    double largest() const;
    // Several heatmaps on one colour scale (Side by side's runs): the
    // largest over all of them, which the scale reaches whatever the
    // cells' own; 0 (the default): the cells' own.
    void setCommonLargest(double largest);
    double commonLargest() const { return m_commonLargest; }
    // "integrated gradients · computed at step 1190 · sample #12": what the cells hold.
    QString title() const;

    Layout layoutMode() const { return m_layout; }
    int task() const { return m_task; }

    // What the cells hold: rows x columns, NaN where a row has no token.
    int rows() const;
    int columns() const;
    double cell(int row, int column) const;
    QString rowLabel(int row) const;
    // A column's token (the word alone: an unknown word's mark costs no text, below).
    QString columnLabel(int column) const;
    // Where the model read <unk> (a word not in its vocabulary): a column
    // of the same token in every row, or one cell (SamplesForTask, rows of
    // different tokens). Such cells are hatched and such columns' labels
    // drawn in italic and colour (unknownmark.h), the legend beside the title.
    bool columnUnknown(int column) const;
    bool cellUnknown(int row, int column) const;
    bool hasUnknown() const;
    // What a cell prints where it is large enough to hold it: its value
    // (setCellValues), else in SamplesForTask the row's token at that
    // position when the rows' tokens differ (the axis can only number the
    // positions then); empty otherwise. Rows of the same tokens (a table's
    // features) label the axis instead.
    QString cellText(int row, int column) const;
    void setCellValues(bool on);
    bool cellValues() const { return m_cellValues; }
    // Values on, how they are printed at the last drawing: as cellText()
    // says, or shorter (".25" for 0.25), turned upright in a narrow cell
    // where that fits every cell; where nothing fits, none, and
    // valuesNote() says why ("" otherwise), at the plot's foot and in
    // valuesNoteChanged (the Values box's tooltip).
    QString valuesNote() const { return m_valuesNote; }
    // The text a cell printed at the last drawing ("" for none).
    QString printedText(int row, int column) const;

    QCustomPlot *plot() const { return m_plot; }
    // The title's line above the plot (shown by default): a view that says
    // what the cells hold elsewhere gives its line to the rows.
    void setTitleShown(bool shown);
    QString csv() const override;

signals:
    void sampleClicked(int index);
    void taskClicked(int task);
    void valuesNoteChanged(const QString &note);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void snapshotChanged(const AttentionSnapshot &previous, int previousSample) override;
    void sampleChanged() override;
    void scoreChanged() override;
    void draw() override;

private:
    // The cells and labels of the layout (kept whether shown or not), then the plot.
    void updateCells();
    void fillMap();
    // Token and row labels, as many as fit; returns every how many rows one is labelled.
    int placeLabels();
    // The columns of the rows' largest values, those of the most rows first: labelled whatever the thinning.
    std::vector<int> mostAttended() const;
    void placeItems(int rowStride);
    // The values in the cells, in the longest form that fits every cell; the note when none does.
    void placeValues();
    void setValuesNote(const QString &note);
    bool cellAt(const QPoint &pos, int *row, int *column) const;
    void showTooltip(const QMouseEvent *mouse);

    QLabel *m_title = nullptr;
    QCustomPlot *m_plot = nullptr;
    QCPColorMap *m_map = nullptr;
    Layout m_layout = Layout::TasksForSample;
    int m_task = 0;
    std::vector<std::vector<double>> m_cells;  // [row][column]
    QStringList m_rowLabels, m_columnLabels;
    std::vector<QStringList> m_cellTokens;     // [row][column]: SamplesForTask's tokens when rows differ
    std::vector<int> m_unknownColumns;         // columns of an unknown word (the same token in every row)
    std::vector<std::pair<int, int>> m_unknownCells;  // (row, column) of one, where rows' tokens differ
    bool m_cellValues = false;
    double m_commonLargest = 0;
    QString m_valuesNote;
    std::vector<QStringList> m_printed;  // [row][column]: printedText()
};

} // namespace attnscope
