// Colour maps for attention weights. viridis and cividis are perceptually
// uniform and colour-blind safe (cividis is built for deuteranopia and
// protanopia); greyscale is for print. (The task colours and the plots'
// styling are the application's: ui/common/appearance.h.)
#pragma once

#include <QColor>
#include <QString>
#include <QStringList>

class QCPColorGradient;
class QCPColorMap;
class QCustomPlot;

namespace attnscope {

enum class ColorMap { Viridis, Cividis, Greyscale };

// Where the top colour of the attention views sits. Fixed: at weight 1, so
// near-uniform attention stays dark and the colour means the same at every
// step (the default: while training, the cue words light up as attention
// concentrates). Largest: at the largest weight shown, for long inputs where
// every weight is small.
enum class ColorScale { Fixed, Largest };
// The weight drawn in the top colour: 1, or `largest` (1 when it is not positive).
double scaleTop(ColorScale scale, double largest);

QStringList colorMapNames();                  // "viridis", "cividis", "greyscale"
QString colorMapName(ColorMap map);
ColorMap colorMapFromName(const QString &name);  // viridis for unknown names

// The map as QCPColorGradient stops (RGB interpolation between them).
QCPColorGradient colorGradient(ColorMap map);
// Colour of position t in [0, 1].
QColor colorAt(ColorMap map, double t);
// Signed scores (gradient x input, integrated gradients, occlusion: a token
// can speak for the class or against it) in a diverging map centred on 0:
// purple below, white at 0, orange above (ColorBrewer's PuOr, colour-blind
// safe), over [-top, top] with top the largest magnitude shown.
QCPColorGradient divergingGradient();
// Colour of t in [-1, 1] (white at 0).
QColor divergingColorAt(double t);
// Black or white, whichever reads better on `background`.
QColor textColorOn(const QColor &background);

// A map of attention weights in `plot`: one flat cell per entry (no
// interpolation), its colour scale ("attention") at the right as tall as the
// map, text labels on both axes (set by the view), no grid, the first row on
// top.
QCPColorMap *addWeightMap(QCustomPlot *plot);
// Lays addWeightMap's plot out now (the cells' size, for the labels' next
// fit), its colour scale's margins cleared first: the scale shares the
// map's top and bottom margins and offers its last one as its own, so the
// margin of the longest labels ever shown stayed when they were cut.
void layOutWeightMap(QCustomPlot *plot, QCPColorMap *map);

} // namespace attnscope
