#include "headgrid.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

namespace attnscope {

namespace {
constexpr int LabelWidth = 34;
constexpr int HeaderHeight = 24;
constexpr int Gap = 6;
} // namespace

HeadGrid::HeadGrid(QWidget *parent) : QWidget(parent)
{
    QFont f = font();
    f.setPointSize(LabelPointSize);
    setFont(f);
    setToolTip(tr("Every layer (rows) and head (columns); click one to enlarge it"));
}

void HeadGrid::setMaps(const std::vector<std::vector<std::vector<std::vector<float>>>> &maps,
                       ColorMap colorMap, ColorScale colorScale)
{
    // The colour map as a table, and thumbnails of at most MaxThumb pixels a
    // side: a long sample's map is reduced by the maximum over each block,
    // so a sharp peak stays visible.
    constexpr int MaxThumb = 128;
    QRgb lut[256];
    for (int i = 0; i < 256; ++i)
        lut[i] = colorAt(colorMap, i / 255.0).rgb();
    m_images.assign(maps.size(), {});
    std::vector<float> acc;
    std::vector<int> firstColumn;  // block px covers columns [firstColumn[px], firstColumn[px + 1])
    for (size_t l = 0; l < maps.size(); ++l) {
        for (const auto &map : maps[l]) {
            const int n = int(map.size());
            const int size = std::clamp(n, 1, MaxThumb);
            firstColumn.assign(size_t(size) + 1, n);
            for (int px = 0; px <= size; ++px)
                firstColumn[size_t(px)] = int((int64_t(px) * n + size - 1) / size);  // first j with j * size / n >= px
            acc.assign(size_t(size) * size, 0.0f);
            float top = 0;
            for (int i = 0; i < n; ++i) {
                const int py = int(int64_t(i) * size / n);
                const std::vector<float> &row = map[size_t(i)];
                const int m = std::min(n, int(row.size()));
                float *out = acc.data() + size_t(py) * size;
                for (int px = 0; px < size; ++px) {
                    // The maximum over the block's columns: contiguous, so it vectorises.
                    const int j0 = std::min(firstColumn[size_t(px)], m), j1 = std::min(firstColumn[size_t(px) + 1], m);
                    float v = out[px];
                    for (int j = j0; j < j1; ++j)
                        v = std::max(v, row[size_t(j)]);
                    out[px] = v;
                }
            }
            for (float v : acc)
                top = std::max(top, v);
            // The colour scale of the enlarged map: weight 1, or each head's own maximum.
            const float scale = float(255.0 / scaleTop(colorScale, top));
            QImage image(size, size, QImage::Format_RGB32);
            for (int y = 0; y < size; ++y) {
                auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
                for (int x = 0; x < size; ++x)
                    line[x] = lut[std::clamp(int(acc[size_t(y) * size + x] * scale + 0.5f), 0, 255)];
            }
            m_images[l].push_back(std::move(image));
        }
    }
    updateGeometry();
    update();
}

void HeadGrid::setCurrent(int layer, int head)
{
    m_layer = layer;
    m_head = head;
    update();
}

int HeadGrid::thumbnailSize() const
{
    const int h = std::max(heads(), 1), l = std::max(layers(), 1);
    const int byWidth = (width() - LabelWidth - Gap * h) / h;
    const int byHeight = (height() - HeaderHeight - Gap * l) / l;
    return std::clamp(std::min(byWidth, byHeight), 24, 160);
}

QRect HeadGrid::thumbnailRect(int layer, int head) const
{
    const int s = thumbnailSize();
    return QRect(LabelWidth + head * (s + Gap), HeaderHeight + layer * (s + Gap), s, s);
}

QSize HeadGrid::sizeHint() const
{
    return QSize(LabelWidth + std::max(heads(), 1) * (96 + Gap), HeaderHeight + std::max(layers(), 1) * (96 + Gap));
}

QSize HeadGrid::minimumSizeHint() const
{
    return QSize(LabelWidth + std::max(heads(), 1) * (32 + Gap), HeaderHeight + std::max(layers(), 1) * (32 + Gap));
}

void HeadGrid::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Base));
    const QColor fg = palette().color(QPalette::WindowText);
    p.setPen(fg);
    for (int h = 0; h < heads(); ++h) {
        const QRect r = thumbnailRect(0, h);
        p.drawText(QRect(r.left(), 0, r.width(), HeaderHeight), Qt::AlignCenter, tr("head %1").arg(h));
    }
    for (int l = 0; l < layers(); ++l) {
        const QRect r = thumbnailRect(l, 0);
        p.drawText(QRect(0, r.top(), LabelWidth - 4, r.height()), Qt::AlignRight | Qt::AlignVCenter,
                   tr("L%1").arg(l));
        for (int h = 0; h < int(m_images[size_t(l)].size()); ++h) {
            const QRect t = thumbnailRect(l, h);
            p.drawImage(t, m_images[size_t(l)][size_t(h)]);  // nearest: one block per cell
            if (l == m_layer && h == m_head) {
                p.setPen(QPen(palette().color(QPalette::Highlight), 3));
                p.setBrush(Qt::NoBrush);
                p.drawRect(t.adjusted(-2, -2, 1, 1));
                p.setPen(fg);
            }
        }
    }
}

void HeadGrid::mousePressEvent(QMouseEvent *event)
{
    for (int l = 0; l < layers(); ++l)
        for (int h = 0; h < int(m_images[size_t(l)].size()); ++h)
            if (thumbnailRect(l, h).contains(event->position().toPoint())) {
                setCurrent(l, h);
                emit headClicked(l, h);
                return;
            }
    QWidget::mousePressEvent(event);
}

} // namespace attnscope
