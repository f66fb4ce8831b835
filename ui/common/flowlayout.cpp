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
    std::vector<Placed> line;
    int lineWidth = 0, y = area.y(), lines = 0;
    const auto endLine = [&]() {
        if (line.empty())
            return;
        int height = 0, expanding = 0;
        for (const Placed &p : line) {
            height = std::max(height, p.item->sizeHint().height());
            expanding += (p.item->expandingDirections() & Qt::Horizontal) ? 1 : 0;
        }
        // The room left on the line, shared by the items that expand.
        int spare = std::max(0, area.width() - lineWidth);
        int x = area.x();
        for (Placed &p : line) {
            if (expanding > 0 && (p.item->expandingDirections() & Qt::Horizontal)) {
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
        ++lines;
        line.clear();
        lineWidth = 0;
    };
    for (QLayoutItem *item : m_items) {
        if (item->isEmpty())
            continue;
        // Its size hint, no wider than the line, no narrower than its minimum.
        const int width = std::max(item->minimumSize().width(), std::min(item->sizeHint().width(), area.width()));
        const int needed = line.empty() ? width : lineWidth + m_hSpacing + width;
        if (!line.empty() && needed > area.width())
            endLine();
        lineWidth = line.empty() ? width : lineWidth + m_hSpacing + width;
        line.push_back({item, width});
    }
    endLine();
    if (apply)
        m_lines = lines;
    const int used = lines > 0 ? y - m_vSpacing - area.y() : 0;
    return used + contentsMargins().top() + contentsMargins().bottom();
}

} // namespace attnscope
