// The application's look, in one place for every widget and view:
//   - the theme: the Fusion style with the system's, a light or a dark
//     palette (View > Theme), kept in QSettings ("view/theme"); widgets
//     follow through QEvent::PaletteChange;
//   - one colour per task, used by every view (loss curves, attention
//     heatmaps, text shading, the dataset summary), so that a task is
//     recognised by its colour everywhere, the same in both palettes. The
//     colours are Okabe & Ito's, which stay distinct for the common forms of
//     colour blindness;
//   - the axes, grid, fonts and legend of a plot for a palette;
//   - the zoom: every font at a factor of its base size (View > Zoom).
#pragma once

#include <QColor>
#include <QFont>
#include <QPalette>
#include <QString>

class QCPAxis;
class QWidget;
class QCPLegend;
class QCustomPlot;

namespace attnscope {

enum class Theme { System, Light, Dark };

QString toString(Theme theme);            // "system", "light", "dark"
Theme themeFromString(const QString &s);  // System for anything else

QPalette lightPalette();
QPalette darkPalette();

// The Fusion style, where a combo box too narrow for its text shows it cut
// with "…" (once; applyTheme calls it).
void applyStyle();

// Sets the Fusion style (once) and the palette of the theme on the whole
// application; System restores the palette the application started with.
void applyTheme(Theme theme);
Theme currentTheme();

// The theme saved in the settings, and saving one.
Theme savedTheme();
void saveTheme(Theme theme);

// True when the palette is a dark theme (window darker than its text).
bool isDarkPalette(const QPalette &palette);

// A problem's colour (a failed load, roles that cannot load, a field's
// invalid value): vermillion, dark enough on a light `palette` and light
// enough on a dark one.
QColor problemColor(const QPalette &palette);
// Sets the label's WindowText to problemColor (again at each QEvent::PaletteChange).
void setProblemColor(QWidget *label, const QPalette &palette);

// The border of a check box's or radio button's indicator: at least 3:1
// against the window colour (WCAG's least for a control's outline) in either
// theme. Fusion draws it in the window colour darkened, which on the dark
// palette is the window colour nearly (an unchecked box was not seen).
QColor indicatorBorderColor(const QPalette &palette);

// A figure better (green) or worse (red) than the one it is measured against
// (the Runs tab's, against the reference run's): the same on the light and
// the dark palette, readable on both.
QColor betterColor();
QColor worseColor();

// The colour of task t (0-based); repeats after the palette's seven colours.
QColor taskColor(int task);
// The colour of the total (weighted sum over tasks): the palette's text colour,
// so it is black on a light theme and white on a dark one.
QColor totalColor(const QPalette &palette);

// The font size (pt) of the attention views' labels at 100 %: readable on a projector.
constexpr int LabelPointSize = 11;

// Presentation: the application's font at `zoom` times its base size (the
// system's font, at least LabelPointSize: readable on a projector), zoom
// clamped to [MinZoom, MaxZoom]. Widgets follow through QEvent::FontChange,
// the plots take labelPointSize() when they restyle. Kept in the settings
// ("view/zoom").
constexpr double MinZoom = 0.8, MaxZoom = 2.5;
void applyZoom(double zoom);
double currentZoom();
double savedZoom();
void saveZoom(double zoom);
// LabelPointSize at the current zoom.
double labelPointSize();
// `font` at the views' label size (plus extraPoints at 100 %), at the current zoom.
QFont labelFont(QFont font, double extraPoints = 0);

// An axis drawn in `text` (line, ticks, labels) over a dotted `grid`.
void styleAxis(QCPAxis *axis, const QColor &text, const QColor &grid, const QFont &tickFont, const QFont &labelFont);
// A legend in `text` on `background`, framed in `border`.
void styleLegend(QCPLegend *legend, const QColor &text, const QColor &background, const QColor &border,
                 const QFont &font);
// A legend in a row of its own (above its axes, where it covers no data):
// its entries in as many columns as fit `width` pixels (each column as wide
// as its widest entry; the fonts must be set first), then on more rows.
// Returns the number of columns.
int wrapLegend(QCPLegend *legend, int width);
// Fonts, colours and pens of an attention plot for the widget's palette
// (light or dark): every axis rect, colour scale and the legend, in
// labelPointSize().
void stylePlot(QCustomPlot *plot, const QPalette &palette);

} // namespace attnscope
