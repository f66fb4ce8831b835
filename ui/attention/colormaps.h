// Colour maps for attention weights and the styling the attention plots share.
// viridis and cividis are perceptually uniform and colour-blind safe
// (cividis is built for deuteranopia and protanopia); greyscale is for print.
#pragma once

#include "taskcolors.h"  // taskColor(t): one colour per task, the whole application's

#include <QColor>
#include <QString>
#include <QStringList>

class QCustomPlot;
class QCPColorGradient;
class QPalette;

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
// Black or white, whichever reads better on `background`.
QColor textColorOn(const QColor &background);

// Fonts, colours and pens of an attention plot for the widget's palette
// (light or dark), with fonts readable on a projector.
void stylePlot(QCustomPlot *plot, const QPalette &palette);
// The font size (pt) the views use for labels.
constexpr int LabelPointSize = 11;

} // namespace attnscope
