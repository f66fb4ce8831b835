// A row of controls that wraps onto more lines when the window is too narrow
// for it (a projector's 1024 x 768), as words wrap in a paragraph: each item
// takes its size hint, no less than its minimum and no more than the line;
// the room left on a line goes to the items that expand horizontally (a
// combo box of long names), so that on a wide screen the row is the one line
// it always was. The layout is height-for-width: the box layout above it
// gives it as many lines as it needs at the width it has.
#pragma once

#include <QLayout>
#include <QList>

namespace attnscope {

class FlowLayout : public QLayout {
public:
    explicit FlowLayout(QWidget *parent = nullptr, int hSpacing = 8, int vSpacing = 4);
    ~FlowLayout() override;

    // A widget, or widgets kept together on one line (a label and its
    // field): the group expands as its widgets that expand do.
    void addWidget(QWidget *widget) { QLayout::addWidget(widget); }
    void addGroup(const QList<QWidget *> &widgets);

    void addItem(QLayoutItem *item) override;
    int count() const override { return int(m_items.size()); }
    QLayoutItem *itemAt(int index) const override { return m_items.value(index); }
    QLayoutItem *takeAt(int index) override;
    Qt::Orientations expandingDirections() const override { return Qt::Horizontal; }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override { return arrange(QRect(0, 0, width, 0), false); }
    // One line of every item; its least: the widest item alone on its line.
    QSize sizeHint() const override;
    QSize minimumSize() const override;
    void setGeometry(const QRect &rect) override;

    // The lines the items took at the last setGeometry.
    int lineCount() const { return m_lines; }

    // Room first for what expands: where a line has an item that expands
    // and the next line has none, the items at the end of the first go to
    // the start of the next while they fit there. The same lines, the same
    // order; the item that expands gets their width (the attention panel's
    // sample box, "#3 [negative, s…" beside a wrapped row's lone last group).
    void setRoomForExpanding(bool on) { m_roomForExpanding = on; }

private:
    // Places the items in rect's width (apply: moves them); returns the height used.
    int arrange(const QRect &rect, bool apply) const;

    QList<QLayoutItem *> m_items;
    int m_hSpacing, m_vSpacing;
    mutable int m_lines = 0;
    bool m_roomForExpanding = false;
};

} // namespace attnscope
