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
    QStringList lines = text().split(QLatin1Char('\n'));
    for (QString &line : lines)
        line = fontMetrics().elidedText(line, m_mode, contentsRect().width());
    return lines.join(QLatin1Char('\n'));
}

void ElidedLabel::setElideMode(Qt::TextElideMode mode)
{
    m_mode = mode;
    update();
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
    drawFrame(&painter);
    style()->drawItemText(&painter, contentsRect(), int(alignment()), palette(), isEnabled(), shownText(),
                          foregroundRole());
}

} // namespace attnscope
