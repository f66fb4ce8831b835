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
                       ColorMap colorMap)
{
    m_images.assign(maps.size(), {});
    for (size_t l = 0; l < maps.size(); ++l) {
        for (const auto &map : maps[l]) {
            const int n = int(map.size());
            QImage image(std::max(n, 1), std::max(n, 1), QImage::Format_RGB32);
            image.fill(palette().color(QPalette::Base));
            // Each head scaled to its own maximum, as the enlarged map is.
            float top = 0;
            for (const auto &row : map)
                for (float v : row)
                    top = std::max(top, v);
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < n && j < int(map[size_t(i)].size()); ++j)
                    image.setPixel(j, i, colorAt(colorMap, top > 0 ? map[size_t(i)][size_t(j)] / top : 0).rgb());
            m_images[l].push_back(image);
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
