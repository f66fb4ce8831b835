#include "headgrid.h"

#include "appearance.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

namespace attnscope {

namespace {
constexpr int Gap = 6;
} // namespace

HeadGrid::HeadGrid(QWidget *parent) : QWidget(parent)
{
    setToolTip(tr("Every layer (rows) and head (columns); click one to enlarge it"));
}

void HeadGrid::setMaps(const SelfAttentionMaps &thumbnails, ColorMap colorMap, ColorScale colorScale)
{
    QRgb lut[256];
    for (int i = 0; i < 256; ++i)
        lut[i] = colorAt(colorMap, i / 255.0).rgb();
    const int size = std::max(thumbnails.n, 1);
    m_images.assign(thumbnails.empty() ? 0 : size_t(thumbnails.layers), {});
    for (int l = 0; l < int(m_images.size()); ++l)
        for (int h = 0; h < thumbnails.heads; ++h) {
            const float *map = thumbnails.map(l, h);
            const float top = *std::max_element(map, map + thumbnails.mapSize());
            // The colour scale of the enlarged map: weight 1, or each head's own maximum
            // (a thumbnail pixel is its block's maximum, so the map's maximum is among them).
            const float scale = float(255.0 / scaleTop(colorScale, top));
            QImage image(size, size, QImage::Format_RGB32);
            for (int y = 0; y < size; ++y) {
                auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
                const float *row = map + size_t(y) * size_t(size);
                for (int x = 0; x < size; ++x)
                    line[x] = lut[std::clamp(int(row[x] * scale + 0.5f), 0, 255)];
            }
            m_images[size_t(l)].push_back(std::move(image));
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

// The layers' labels' column and the heads' labels' row, for the labels' font at the zoom.
int HeadGrid::labelWidth() const
{
    return QFontMetrics(labelFont(font())).horizontalAdvance(QStringLiteral("L00")) + 8;
}

int HeadGrid::headerHeight() const
{
    return QFontMetrics(labelFont(font())).height() + 8;
}

int HeadGrid::thumbnailSize() const
{
    const int h = std::max(heads(), 1), l = std::max(layers(), 1);
    const int byWidth = (width() - labelWidth() - Gap * h) / h;
    const int byHeight = (height() - headerHeight() - Gap * l) / l;
    return std::clamp(std::min(byWidth, byHeight), leastThumbnail(), std::max(160, leastThumbnail()));
}

// As wide as the last head's short label ("H3"), so that the labels never touch.
int HeadGrid::leastThumbnail() const
{
    const QString last = tr("H%1").arg(std::max(heads() - 1, 0));
    return std::max(24, QFontMetrics(labelFont(font())).horizontalAdvance(last) + 4);
}

QRect HeadGrid::thumbnailRect(int layer, int head) const
{
    const int s = thumbnailSize();
    return QRect(labelWidth() + head * (s + Gap), headerHeight() + layer * (s + Gap), s, s);
}

QString HeadGrid::headLabel(int head) const
{
    const QString label = tr("head %1").arg(head);
    const int room = thumbnailSize() + Gap;
    return QFontMetrics(labelFont(font())).horizontalAdvance(label) <= room ? label : tr("H%1").arg(head);
}

QSize HeadGrid::sizeHint() const
{
    return QSize(labelWidth() + std::max(heads(), 1) * (96 + Gap), headerHeight() + std::max(layers(), 1) * (96 + Gap));
}

QSize HeadGrid::minimumSizeHint() const
{
    // The smallest thumbnails drawn (thumbnailSize()): the selected map beside takes the rest.
    const int least = leastThumbnail();
    return QSize(labelWidth() + std::max(heads(), 1) * (least + Gap),
                 headerHeight() + std::max(layers(), 1) * (least + Gap));
}

void HeadGrid::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setFont(labelFont(font()));
    p.fillRect(rect(), palette().color(QPalette::Base));
    const QColor fg = palette().color(QPalette::WindowText);
    p.setPen(fg);
    for (int h = 0; h < heads(); ++h) {
        const QRect r = thumbnailRect(0, h);
        p.drawText(QRect(r.left(), 0, r.width(), headerHeight()), Qt::AlignCenter, headLabel(h));
    }
    for (int l = 0; l < layers(); ++l) {
        const QRect r = thumbnailRect(l, 0);
        p.drawText(QRect(0, r.top(), labelWidth() - 4, r.height()), Qt::AlignRight | Qt::AlignVCenter,
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
