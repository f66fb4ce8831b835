#include "unknownmark.h"

#include "appearance.h"

#include <QCoreApplication>
#include <QPalette>
#include <qcustomplot.h>

#include <algorithm>

namespace attnscope {

QColor unknownColor(const QPalette &palette)
{
    // Light: 5.6:1 on white; dark: 6.9:1 on the dark theme's base.
    return isDarkPalette(palette) ? QColor(0xFF, 0x7A, 0xD9) : QColor(0xB5, 0x17, 0x9E);
}

QFont unknownFont(QFont font)
{
    font.setItalic(true);
    return font;
}

QString unknownLegendHtml(const QPalette &palette)
{
    return QStringLiteral("<span style=\"color:%1\">\u25A8 <i>%2</i></span>")
        .arg(unknownColor(palette).name(), QCoreApplication::translate("attnscope", "unknown word").toHtmlEscaped());
}

QString unknownLegendTip()
{
    return QCoreApplication::translate("attnscope",
                                       "Hatched cells and italic labels in this colour: words that are not in the "
                                       "model's vocabulary, which it reads as <unk> (the same vector for every such "
                                       "word). The hover names them \"word <unk>\".");
}

void markUnknownTicks(QCPAxis *axis, const std::vector<int> &positions)
{
    const auto ticker = axis->ticker().dynamicCast<QCPAxisTickerText>();
    if (!ticker || positions.empty())
        return;
    QCustomPlot *plot = axis->parentPlot();
    QCPAxisRect *rect = axis->axisRect();
    const bool bottom = axis->axisType() == QCPAxis::atBottom;
    if (!bottom && axis->axisType() != QCPAxis::atLeft)
        return;  // the views label no other side with tokens
    QCPAxis *across = bottom ? rect->axis(QCPAxis::atLeft) : rect->axis(QCPAxis::atBottom);
    // The edge of the axis rect the labels hang from; the labels' distance
    // from it as QCPAxisPainterPrivate places them (the axis's offset, the
    // outward ticks, the padding).
    auto *edge = new QCPItemText(plot);
    edge->setVisible(false);
    edge->position->setType(QCPItemPosition::ptAxisRectRatio);
    edge->position->setAxisRect(rect);
    edge->position->setCoords(0, bottom ? 1 : 0);
    const int distance = axis->offset() + (axis->ticks() ? std::max({0, axis->tickLengthOut(), axis->subTickLengthOut()}) : 0)
                         + axis->tickLabelPadding();
    const QColor color = unknownColor(plot->palette());
    const QColor background = plot->palette().color(QPalette::Base);  // stylePlot's
    const double rotation = axis->tickLabelRotation();
    for (const int p : positions) {
        const auto tick = ticker->ticks().constFind(p);
        if (tick == ticker->ticks().constEnd() || tick.value().isEmpty())
            continue;  // not labelled (thinned out)
        auto *label = new QCPItemText(plot);
        label->setLayer(QStringLiteral("legend"));  // over the axes' plain label
        label->setClipToAxisRect(false);
        label->setText(tick.value());
        label->setFont(unknownFont(axis->tickLabelFont()));
        label->setColor(color);
        label->setBrush(background);  // the plain label under it is covered
        label->setPen(Qt::NoPen);
        label->setPadding(QMargins(1, 0, 1, 0));
        label->setRotation(rotation);
        if (bottom) {
            label->position->setTypeX(QCPItemPosition::ptPlotCoords);
            label->position->setAxes(axis, across);
            label->position->setTypeY(QCPItemPosition::ptAbsolute);
            label->position->setParentAnchorY(edge->position);
            label->position->setCoords(p, distance);
            label->setPositionAlignment(rotation < 0 ? Qt::AlignRight | Qt::AlignVCenter : Qt::AlignHCenter | Qt::AlignTop);
        } else {
            label->position->setTypeY(QCPItemPosition::ptPlotCoords);
            label->position->setAxes(across, axis);
            label->position->setTypeX(QCPItemPosition::ptAbsolute);
            label->position->setParentAnchorX(edge->position);
            label->position->setCoords(-distance, p);
            label->setPositionAlignment(Qt::AlignRight | Qt::AlignVCenter);
        }
    }
}

QCPItemRect *hatchUnknownCells(QCustomPlot *plot, const QRectF &cells)
{
    const QColor color = unknownColor(plot->palette());
    auto *rect = new QCPItemRect(plot);
    rect->topLeft->setCoords(cells.left(), cells.top());
    rect->bottomRight->setCoords(cells.right(), cells.bottom());
    rect->setBrush(QBrush(color, Qt::BDiagPattern));
    rect->setPen(QPen(color, 1.5, Qt::DashLine));
    return rect;
}

std::vector<int> unknownPositions(const std::vector<uint8_t> &unknown)
{
    std::vector<int> positions;
    for (size_t j = 0; j < unknown.size(); ++j)
        if (unknown[j])
            positions.push_back(int(j));
    return positions;
}

} // namespace attnscope
