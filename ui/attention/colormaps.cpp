#include "colormaps.h"

#include <QCoreApplication>
#include <qcustomplot.h>

#include <algorithm>
#include <array>

namespace attnscope {

namespace {

// Nine evenly spaced samples (positions 0, 1/8, ..., 1) of matplotlib's maps.
constexpr std::array<const char *, 9> Viridis = {
    "#440154", "#472c7a", "#3b518b", "#2c718e", "#21908d", "#27ad81", "#5cc863", "#aadc32", "#fde725"};
constexpr std::array<const char *, 9> Cividis = {
    "#00224e", "#123570", "#3b496c", "#575d6d", "#707173", "#8a8779", "#a69d75", "#c4b56c", "#fee838"};

// ColorBrewer's PuOr (9 classes), purple (negative) to orange (positive).
constexpr std::array<const char *, 9> PuOr = {
    "#542788", "#8073ac", "#b2abd2", "#d8daeb", "#f7f7f7", "#fee0b6", "#fdb863", "#e08214", "#b35806"};

// The colour scale's ticks, as many as its bar has room for: on a short
// heatmap at a projector's zoom (1024 x 768 at 150 %) the six labels 0, 0.2,
// ..., 1 ran into each other. QCustomPlot takes the count as a hint and keeps
// round steps (0, 0.5, 1; 0, 1).
class RoomyTicker : public QCPAxisTicker {
public:
    explicit RoomyTicker(const QCPAxis *axis) : m_axis(axis) {}

protected:
    double getTickStep(const QCPRange &range) override
    {
        const int room = m_axis->axisRect() ? m_axis->axisRect()->height() : 0;
        const int label = QFontMetrics(m_axis->tickLabelFont()).height();
        setTickCount(std::clamp(room / std::max(2 * label, 1), 1, 5));
        return QCPAxisTicker::getTickStep(range);
    }

private:
    const QCPAxis *m_axis;  // its owner's, which owns this
};

} // namespace

QStringList colorMapNames()
{
    return {QStringLiteral("viridis"), QStringLiteral("cividis"), QStringLiteral("greyscale")};
}

QString colorMapName(ColorMap map)
{
    return colorMapNames().at(int(map));
}

ColorMap colorMapFromName(const QString &name)
{
    const int i = colorMapNames().indexOf(name.toLower());
    return i < 0 ? ColorMap::Viridis : ColorMap(i);
}

QCPColorGradient colorGradient(ColorMap map)
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setLevelCount(256);
    g.setNanHandling(QCPColorGradient::nhTransparent);
    switch (map) {
    case ColorMap::Viridis:
        for (size_t i = 0; i < Viridis.size(); ++i)
            g.setColorStopAt(double(i) / 8.0, QColor(Viridis[i]));
        break;
    case ColorMap::Cividis:
        for (size_t i = 0; i < Cividis.size(); ++i)
            g.setColorStopAt(double(i) / 8.0, QColor(Cividis[i]));
        break;
    case ColorMap::Greyscale:
        // White (no attention) to black (all of it): prints on white paper.
        g.setColorStopAt(0.0, QColor(255, 255, 255));
        g.setColorStopAt(1.0, QColor(0, 0, 0));
        break;
    }
    return g;
}

QCPColorGradient divergingGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setLevelCount(257);  // odd: one level sits on 0
    g.setNanHandling(QCPColorGradient::nhTransparent);
    for (size_t i = 0; i < PuOr.size(); ++i)
        g.setColorStopAt(double(i) / 8.0, QColor(PuOr[i]));
    return g;
}

QColor divergingColorAt(double t)
{
    static const QCPColorGradient gradient = divergingGradient();
    return QColor::fromRgb(const_cast<QCPColorGradient &>(gradient).color(std::clamp(t, -1.0, 1.0), QCPRange(-1, 1)));
}

double scaleTop(ColorScale scale, double largest)
{
    return scale == ColorScale::Fixed || !(largest > 0) ? 1.0 : largest;
}

QColor colorAt(ColorMap map, double t)
{
    static const QCPColorGradient gradients[3] = {colorGradient(ColorMap::Viridis),
                                                  colorGradient(ColorMap::Cividis),
                                                  colorGradient(ColorMap::Greyscale)};
    QCPColorGradient &g = const_cast<QCPColorGradient &>(gradients[int(map)]);
    return QColor::fromRgb(g.color(std::clamp(t, 0.0, 1.0), QCPRange(0, 1)));
}

QColor textColorOn(const QColor &background)
{
    const double luminance = 0.2126 * background.redF() + 0.7152 * background.greenF()
                             + 0.0722 * background.blueF();
    return luminance > 0.5 ? QColor(Qt::black) : QColor(Qt::white);
}

void layOutWeightMap(QCustomPlot *plot, QCPColorMap *map)
{
    map->colorScale()->setMargins(QMargins());
    for (const auto phase : {QCPLayoutElement::upPreparation, QCPLayoutElement::upMargins, QCPLayoutElement::upLayout})
        plot->plotLayout()->update(phase);
}

QCPColorMap *addWeightMap(QCustomPlot *plot)
{
    auto *map = new QCPColorMap(plot->xAxis, plot->yAxis);
    map->setInterpolate(false);
    auto *scale = new QCPColorScale(plot);
    plot->plotLayout()->addElement(0, 1, scale);
    scale->setType(QCPAxis::atRight);
    scale->setBarWidth(14);
    scale->axis()->setLabel(QCoreApplication::translate("attnscope", "attention"));
    scale->axis()->setTicker(QSharedPointer<RoomyTicker>::create(scale->axis()));
    map->setColorScale(scale);
    auto *group = new QCPMarginGroup(plot);
    plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    for (QCPAxis *axis : {plot->xAxis, plot->yAxis}) {
        axis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
        axis->grid()->setVisible(false);
        axis->setSubTicks(false);
    }
    plot->yAxis->setRangeReversed(true);
    return map;
}

} // namespace attnscope
