// The all-heads overview of SelfAttentionView: one small L x L image per
// layer (row) x head (column), the chosen one framed; a click picks a head.
#pragma once

#include "colormaps.h"
#include "types.h"

#include <QImage>
#include <QWidget>

#include <vector>

namespace attnscope {

class HeadGrid : public QWidget {
    Q_OBJECT

public:
    explicit HeadGrid(QWidget *parent = nullptr);

    // One picture per map of `thumbnails` (AttentionSample::thumbnails: each
    // map already reduced to at most ThumbnailSide a side), one pixel per cell.
    void setMaps(const SelfAttentionMaps &thumbnails, ColorMap colorMap, ColorScale colorScale = ColorScale::Fixed);
    void setCurrent(int layer, int head);
    int layers() const { return int(m_images.size()); }
    int heads() const { return m_images.empty() ? 0 : int(m_images.front().size()); }
    QRect thumbnailRect(int layer, int head) const;
    // A head's label above its column: "head 2", or "H2" where that is wider
    // than the column (a projector's width, many heads: the labels overlapped).
    // Empty for the heads between labelled ones where the columns are narrower
    // than "HN" (many heads), as layerLabel() for the rows.
    QString headLabel(int head) const;
    QString layerLabel(int layer) const;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void headClicked(int layer, int head);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    int labelWidth() const;
    int headerHeight() const;
    int thumbnailSize() const;
    int leastThumbnail() const;
    int fittingSize(int gap) const;
    int gap() const;
    int headLabelStep() const;
    int layerLabelStep() const;

    std::vector<std::vector<QImage>> m_images;  // [layer][head]
    int m_layer = 0, m_head = 0;
};

} // namespace attnscope
