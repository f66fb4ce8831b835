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

void ElidedLabel::paintWhole(QPainter *painter) const
{
    const QRect room = contentsRect();
    QFont font = this->font();
    int widest = 0;
    for (const QString &line : text().split(QLatin1Char('\n')))
        widest = std::max(widest, fontMetrics().horizontalAdvance(line));
    const double shrink = widest > room.width() ? std::max(0.5, double(room.width()) / widest) : 1.0;
    if (shrink < 1 && font.pointSizeF() > 0)
        font.setPointSizeF(font.pointSizeF() * shrink);
    else if (shrink < 1)
        font.setPixelSize(std::max(1, int(font.pixelSize() * shrink)));
    const QFontMetrics metrics(font);
    QStringList lines = text().split(QLatin1Char('\n'));
    for (QString &line : lines)
        line = metrics.elidedText(line, m_mode, room.width());
    painter->save();
    painter->setFont(font);
    painter->setPen(palette().color(isEnabled() ? QPalette::Active : QPalette::Disabled, foregroundRole()));
    painter->drawText(room, int(alignment()), lines.join(QLatin1Char('\n')));
    painter->restore();
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
