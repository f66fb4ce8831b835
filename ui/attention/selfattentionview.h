// Encoder self-attention of the selected sample: an overview grid with one
// thumbnail per layer x head (left; click one to enlarge it) and the chosen
// head's L x L map with token labels (right, QCPColorMap, rows = queries,
// columns = keys).
#pragma once

#include "attentionview.h"

class QComboBox;
class QCustomPlot;
class QCPColorMap;
class QLabel;
class QMouseEvent;
class QSplitter;

namespace attnscope {

class HeadGrid;

class SelfAttentionView : public SnapshotView {
    Q_OBJECT

public:
    explicit SelfAttentionView(QWidget *parent = nullptr);

    void setHead(int layer, int head);

    int layer() const { return m_layer; }
    int head() const { return m_head; }
    // The enlarged map's cell (query row i, key column j), NaN when none.
    double cell(int i, int j) const;
    QCustomPlot *plot() const { return m_plot; }
    HeadGrid *grid() const { return m_grid; }
    QString csv() const override;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void snapshotChanged(const AttentionSnapshot &previous, int previousSample) override;
    void sampleChanged() override;
    void colorsChanged() override;
    // Images of every head cost time for long samples: only when seen.
    void draw() override;

private:
    // The thumbnails' height capped where the note's lines need the rest of the column.
    void fitNote();
    // The layer and head boxes and the note follow the sample's maps.
    void updateControls();
    void fillMap();
    void updateTicks();
    // The labels kept whatever the thinning, the weightiest first: the keys
    // (columns) attended more than an even share (their column's sum above
    // 1), and the queries (rows) the tasks read more than an even share
    // (their largest pooling weight above 1/n).
    std::vector<int> weightiestKeys() const;
    std::vector<int> weightiestQueries() const;
    void showTooltip(const QMouseEvent *mouse);
    // The chosen layer and head's n x n map of the selected sample (n = 0: none).
    const float *currentMap(int *n) const;

    QComboBox *m_layerBox = nullptr;
    QComboBox *m_headBox = nullptr;
    QLabel *m_note = nullptr;
    HeadGrid *m_grid = nullptr;
    QSplitter *m_splitter = nullptr;  // the thumbnails | the selected map
    bool m_splitterMoved = false;     // by the user: the sizes are theirs from then on
    QCustomPlot *m_plot = nullptr;
    QCPColorMap *m_map = nullptr;
    int m_layer = 0, m_head = 0;
    bool m_gridDirty = true;  // the thumbnails need making again
    bool m_axesNamed = true;  // the axes' titles shown (a large plot), else the note names them
};

} // namespace attnscope
