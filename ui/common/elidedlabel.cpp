#include "elidedlabel.h"

#include <QPainter>
#include <QStyle>

#include <algorithm>

namespace attnscope {

ElidedLabel::ElidedLabel(QWidget *parent, int widest)
    : QLabel(parent), m_widest(widest)
{
    setTextFormat(Qt::PlainText);
}

void ElidedLabel::setFullText(const QString &text)
{
    setText(text);
    setToolTip(text);
}

QString ElidedLabel::shownText() const
{
    return fontMetrics().elidedText(text(), Qt::ElideMiddle, contentsRect().width());
}

QSize ElidedLabel::sizeHint() const
{
    return QSize(std::min(QLabel::sizeHint().width(), m_widest), QLabel::sizeHint().height());
}

QSize ElidedLabel::minimumSizeHint() const
{
    const QMargins m = contentsMargins();
    const int few = fontMetrics().horizontalAdvance(QStringLiteral("Dataset: …")) + m.left() + m.right();
    return QSize(std::min(few, sizeHint().width()), QLabel::minimumSizeHint().height());
}

void ElidedLabel::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    style()->drawItemText(&painter, contentsRect(), int(alignment()), palette(), isEnabled(), shownText(),
                          foregroundRole());
}

} // namespace attnscope
