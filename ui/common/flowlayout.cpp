#include "flowlayout.h"

#include <QHBoxLayout>
#include <QWidget>

#include <algorithm>
#include <vector>

namespace attnscope {

FlowLayout::FlowLayout(QWidget *parent, int hSpacing, int vSpacing)
    : QLayout(parent), m_hSpacing(hSpacing), m_vSpacing(vSpacing)
{
    setContentsMargins(0, 0, 0, 0);
}

FlowLayout::~FlowLayout()
{
    while (QLayoutItem *item = takeAt(0))
        delete item;
}

void FlowLayout::addGroup(const QList<QWidget *> &widgets)
{
    auto *group = new QWidget;
    auto *row = new QHBoxLayout(group);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(6);
    bool expands = false;
    for (QWidget *widget : widgets) {
        const bool grows = widget->sizePolicy().horizontalPolicy() & QSizePolicy::ExpandFlag;
        row->addWidget(widget, grows ? 1 : 0);
        expands = expands || grows;
    }
    group->setSizePolicy(expands ? QSizePolicy::Expanding : QSizePolicy::Preferred, QSizePolicy::Fixed);
    addWidget(group);
}

void FlowLayout::addItem(QLayoutItem *item)
{
    m_items.append(item);
}

QLayoutItem *FlowLayout::takeAt(int index)
{
    return index >= 0 && index < m_items.size() ? m_items.takeAt(index) : nullptr;
}

QSize FlowLayout::sizeHint() const
{
    int width = 0, height = 0, shown = 0;
    for (const QLayoutItem *item : m_items)
        if (!item->isEmpty()) {
            width += item->sizeHint().width();
            height = std::max(height, item->sizeHint().height());
            ++shown;
        }
    const QMargins m = contentsMargins();
    return QSize(width + std::max(0, shown - 1) * m_hSpacing + m.left() + m.right(), height + m.top() + m.bottom());
}

QSize FlowLayout::minimumSize() const
{
    QSize least;
    for (const QLayoutItem *item : m_items)
        if (!item->isEmpty())
            least = least.expandedTo(item->minimumSize());
    const QMargins m = contentsMargins();
    return least + QSize(m.left() + m.right(), m.top() + m.bottom());
}

void FlowLayout::setGeometry(const QRect &rect)
{
    QLayout::setGeometry(rect);
    arrange(rect, true);
}

int FlowLayout::arrange(const QRect &rect, bool apply) const
{
    const QRect area = rect.marginsRemoved(contentsMargins());
    struct Placed {
        QLayoutItem *item;
        int width;
    };
    const auto expands = [](const Placed &p) { return bool(p.item->expandingDirections() & Qt::Horizontal); };
    // The lines as words wrap: each item on the line it first fits.
    std::vector<std::vector<Placed>> lines;
    int lineWidth = 0;
    for (QLayoutItem *item : m_items) {
        if (item->isEmpty())
            continue;
        // Its size hint, no wider than the line, no narrower than its minimum.
        const int width = std::max(item->minimumSize().width(), std::min(item->sizeHint().width(), area.width()));
        if (lines.empty() || lineWidth + m_hSpacing + width > area.width()) {
            lines.emplace_back();
            lineWidth = width;
        } else {
            lineWidth += m_hSpacing + width;
        }
        lines.back().push_back({item, width});
    }
    const auto widthOf = [&](const std::vector<Placed> &line) {
        int w = 0;
        for (const Placed &p : line)
            w += p.width;
        return w + std::max(0, int(line.size()) - 1) * m_hSpacing;
    };
    if (m_roomForExpanding)
        for (size_t k = lines.size() >= 2 ? lines.size() - 1 : 0; k-- > 0;) {  // from the last pair up
            std::vector<Placed> &line = lines[k], &next = lines[k + 1];
            if (std::none_of(line.begin(), line.end(), expands) || std::any_of(next.begin(), next.end(), expands))
                continue;
            while (line.size() > 1 && !expands(line.back())
                   && widthOf(next) + m_hSpacing + line.back().width <= area.width()) {
                next.insert(next.begin(), line.back());
                line.pop_back();
            }
        }
    int y = area.y();
    for (std::vector<Placed> &line : lines) {
        int height = 0, expanding = 0;
        for (const Placed &p : line) {
            height = std::max(height, p.item->sizeHint().height());
            expanding += expands(p) ? 1 : 0;
        }
        // The room left on the line, shared by the items that expand.
        int spare = std::max(0, area.width() - widthOf(line));
        int x = area.x();
        for (Placed &p : line) {
            if (expanding > 0 && expands(p)) {
                const int share = spare / expanding--;
                const int grown = std::min(p.width + share, std::max(p.width, p.item->maximumSize().width()));
                spare -= grown - p.width;
                p.width = grown;
            }
            if (apply) {
                const int h = std::min(height, std::max(p.item->sizeHint().height(), p.item->minimumSize().height()));
                p.item->setGeometry(QRect(x, y + (height - h) / 2, p.width, h));
            }
            x += p.width + m_hSpacing;
        }
        y += height + m_vSpacing;
    }
    if (apply)
        m_lines = int(lines.size());
    const int used = lines.empty() ? 0 : y - m_vSpacing - area.y();
    return used + contentsMargins().top() + contentsMargins().bottom();
}

} // namespace attnscope
