// Encoder self-attention of the selected sample: an overview grid with one
// thumbnail per layer x head (left; click one to enlarge it) and the chosen
// head's L x L map with token labels (right, QCPColorMap, rows = queries,
// columns = keys).
#pragma once

#include "attentionsnapshot.h"
#include "colormaps.h"

#include <QWidget>

class QComboBox;
class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QLabel;

namespace attnscope {

class HeadGrid;

class SelfAttentionView : public QWidget {
    Q_OBJECT

public:
    explicit SelfAttentionView(QWidget *parent = nullptr);

    void setSnapshot(const AttentionSnapshot &snapshot);
    void setSnapshot(SnapshotPtr snapshot);  // shares it, no copy
    void setSelectedSample(int index);
    void setHead(int layer, int head);
    void setColorMap(ColorMap map);
    void setColorScale(ColorScale scale);

    int selectedSample() const { return m_sample; }
    int layer() const { return m_layer; }
    int head() const { return m_head; }
    // The enlarged map's cell (query row i, key column j), NaN when none.
    double cell(int i, int j) const;
    QCustomPlot *plot() const { return m_plot; }
    HeadGrid *grid() const { return m_grid; }
    QString csv() const;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void rebuild();
    void updateTicks();
    // The chosen layer and head's n x n map of the selected sample (n = 0: none).
    const float *currentMap(int *n) const;

    QComboBox *m_layerBox = nullptr;
    QComboBox *m_headBox = nullptr;
    QLabel *m_note = nullptr;
    HeadGrid *m_grid = nullptr;
    QCustomPlot *m_plot = nullptr;
    QCPColorMap *m_map = nullptr;
    QCPColorScale *m_scale = nullptr;
    SnapshotPtr m_snapshot = std::make_shared<const AttentionSnapshot>();
    ColorMap m_colorMap = ColorMap::Viridis;
    ColorScale m_colorScale = ColorScale::Fixed;
    int m_sample = 0, m_layer = 0, m_head = 0;
    bool m_dirty = true;      // hidden when the data changed: rebuilt when shown
    bool m_gridDirty = true;  // the thumbnails need making again
};

} // namespace attnscope
