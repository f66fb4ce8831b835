#include "headgrid.h"

#include "appearance.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

namespace attnscope {

namespace {
constexpr int Gap = 6;       // between thumbnails where they have room
constexpr int TightGap = 2;  // between small ones (12 x 12 heads at 1024 x 768)
constexpr int LeastSide = 6; // the smallest thumbnail: still a target to click
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

// The side that fits `gap` apart in the widget, however small.
int HeadGrid::fittingSize(int gap) const
{
    const int h = std::max(heads(), 1), l = std::max(layers(), 1);
    const int byWidth = (width() - labelWidth() - gap * h) / h;
    const int byHeight = (height() - headerHeight() - gap * l) / l;
    return std::min(byWidth, byHeight);
}

int HeadGrid::gap() const
{
    return fittingSize(Gap) >= leastThumbnail() ? Gap : TightGap;
}

// Thumbnails shrink with the widget down to LeastSide, rather than setting the
// view's least size: a 12 x 12-head file (BERT) made the window 1171 x 851 on
// a 1024 x 768 screen. Where the labels do not fit every column or row, every
// k-th is labelled (labelStep()).
int HeadGrid::thumbnailSize() const
{
    return std::clamp(fittingSize(gap()), LeastSide, std::max(160, leastThumbnail()));
}

// As wide as the last head's short label ("H3"), so that the labels never touch.
int HeadGrid::leastThumbnail() const
{
    const QString last = tr("H%1").arg(std::max(heads() - 1, 0));
    return std::max(24, QFontMetrics(labelFont(font())).horizontalAdvance(last) + 4);
}

// Every how many columns a head is labelled, and rows a layer: 1 where the
// labels fit, else as many as one label needs.
int HeadGrid::headLabelStep() const
{
    const int pitch = thumbnailSize() + gap();
    return std::max(1, (leastThumbnail() + pitch - 1) / pitch);
}

int HeadGrid::layerLabelStep() const
{
    const int pitch = thumbnailSize() + gap();
    const int line = QFontMetrics(labelFont(font())).height();
    return std::max(1, (line + pitch - 1) / pitch);
}

QRect HeadGrid::thumbnailRect(int layer, int head) const
{
    const int s = thumbnailSize(), g = gap();
    return QRect(labelWidth() + head * (s + g), headerHeight() + layer * (s + g), s, s);
}

QString HeadGrid::headLabel(int head) const
{
    const int step = headLabelStep();
    if (step > 1)
        return head % step == 0 ? tr("H%1").arg(head) : QString();
    const QString label = tr("head %1").arg(head);
    const int room = thumbnailSize() + gap();
    return QFontMetrics(labelFont(font())).horizontalAdvance(label) <= room ? label : tr("H%1").arg(head);
}

QString HeadGrid::layerLabel(int layer) const
{
    return layer % layerLabelStep() == 0 ? tr("L%1").arg(layer) : QString();
}

QSize HeadGrid::sizeHint() const
{
    return QSize(labelWidth() + std::max(heads(), 1) * (96 + Gap), headerHeight() + std::max(layers(), 1) * (96 + Gap));
}

QSize HeadGrid::minimumSizeHint() const
{
    // The smallest thumbnails drawn (thumbnailSize()): the selected map beside takes the rest.
    return QSize(labelWidth() + std::max(heads(), 1) * (LeastSide + TightGap),
                 headerHeight() + std::max(layers(), 1) * (LeastSide + TightGap));
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
        const int room = std::max(r.width(), leastThumbnail());
        p.drawText(QRect(r.center().x() - room / 2, 0, room, headerHeight()), Qt::AlignCenter, headLabel(h));
    }
    for (int l = 0; l < layers(); ++l) {
        const QRect r = thumbnailRect(l, 0);
        const int line = std::max(r.height(), QFontMetrics(labelFont(font())).height());
        p.drawText(QRect(0, r.center().y() - line / 2, labelWidth() - 4, line), Qt::AlignRight | Qt::AlignVCenter,
                   layerLabel(l));
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
