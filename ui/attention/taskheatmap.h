// The task attention heatmap: a QCPColorMap with one cell per token (no
// interpolation) and the token text on the axis. Two layouts:
//   TasksForSample  one row per task for the selected sample;
//   SamplesForTask  one row per probe sample for a chosen task (shorter
//                   samples leave their cells beyond their length empty).
// Hover shows token, weight and task; clicking a row in SamplesForTask
// selects that sample (sampleClicked). Rows and columns keep one cell each
// however many; their labels are thinned to what fits (every k-th).
#pragma once

#include "attentionsnapshot.h"
#include "colormaps.h"

#include <QWidget>

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;

namespace attnscope {

class TaskHeatmap : public QWidget {
    Q_OBJECT

public:
    enum class Layout { TasksForSample, SamplesForTask };

    explicit TaskHeatmap(QWidget *parent = nullptr);

    void setSnapshot(const AttentionSnapshot &snapshot);
    void setSnapshot(SnapshotPtr snapshot);  // shares it, no copy
    void setSelectedSample(int index);  // index into snapshot.samples
    void setTask(int task);             // for SamplesForTask
    void setLayout(Layout layout);
    void setColorMap(ColorMap map);
    void setColorScale(ColorScale scale);
    double colorScaleTop() const;      // the weight drawn in the top colour

    Layout layoutMode() const { return m_layout; }
    int selectedSample() const { return m_sample; }
    int task() const { return m_task; }

    // What the cells hold: rows x columns, NaN where a row has no token.
    int rows() const;
    int columns() const;
    double cell(int row, int column) const;
    QString rowLabel(int row) const;
    QString columnLabel(int column) const;

    QCustomPlot *plot() const { return m_plot; }
    QString csv() const;

signals:
    void sampleClicked(int index);
    void taskClicked(int task);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void rebuild();
    bool cellAt(const QPoint &pos, int *row, int *column) const;

    QCustomPlot *m_plot = nullptr;
    QCPColorMap *m_map = nullptr;
    QCPColorScale *m_scale = nullptr;
    SnapshotPtr m_snapshot = std::make_shared<const AttentionSnapshot>();
    Layout m_layout = Layout::TasksForSample;
    ColorMap m_colorMap = ColorMap::Viridis;
    ColorScale m_colorScale = ColorScale::Fixed;
    int m_sample = 0;
    int m_task = 0;
    std::vector<std::vector<double>> m_cells;  // [row][column]
    QStringList m_rowLabels, m_columnLabels;
    bool m_plotDirty = true;  // hidden when the cells changed: the plot catches up when shown
};

} // namespace attnscope
