// A label that gives up room before anything else does: on a narrow window
// each line of its text is drawn cut in the middle with "…" (text() and the
// tooltip keep all of it) instead of making the window wider or the line
// wrapping; it asks for at most `widest` pixels, and needs only a few
// characters' worth. Its frame is drawn; its room is its contents margins.
#pragma once

#include <QLabel>

namespace attnscope {

class ElidedLabel : public QLabel {
public:
    explicit ElidedLabel(QWidget *parent = nullptr, int widest = 360);

    // Sets the text and its tooltip.
    void setFullText(const QString &text);
    // The text as drawn at the current width.
    QString shownText() const;
    // Draws the whole text into its contents rect (at the painter's origin,
    // the label's top left): in a smaller font where it is cut on screen, down
    // to half the size, and cut only where even that is too wide. For
    // exported pictures: a figure's title is not cut at its middle ("…").
    void paintWhole(QPainter *painter) const;
    // Where a line too long is cut: the middle (the default), or its tail
    // for a line whose start says what matters.
    void setElideMode(Qt::TextElideMode mode);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    int m_widest;
    Qt::TextElideMode m_mode = Qt::ElideMiddle;
};

} // namespace attnscope
