// How the attention views mark a token the model read as <unk> (a word not
// in its vocabulary), at no cost in text: a " <unk>" suffix on the label was
// the first thing cut where labels are cut (accept26 E4: "definiti…" at
// 1024 x 768 and 150 %). The mark:
//   - the token's label in italic and in unknownColor(), however it is cut;
//   - its cells hatched and outlined in that colour (a heatmap's column, a
//     self-attention map's row and column, the text view's token box);
//   - a legend beside the view's title (unknownLegendHtml()) while the
//     sample shown has such a token.
// Tooltips and exports keep the whole "word <unk>".
#pragma once

#include <QColor>
#include <QFont>
#include <QString>

#include <cstdint>
#include <vector>

class QCPAxis;
class QCPItemRect;
class QCustomPlot;
class QPalette;
class QRectF;

namespace attnscope {

// Magenta: a colour no colour map of the views uses (viridis, cividis,
// greyscale, PuOr), readable on the window in either theme.
QColor unknownColor(const QPalette &palette);
// `font` in italic.
QFont unknownFont(QFont font);
// "▨ unknown word", in unknownColor and italic, as rich text; its tooltip
// says what it means (unknownLegendTip()).
QString unknownLegendHtml(const QPalette &palette);
QString unknownLegendTip();

// Draws again, in italic and unknownColor(), over the plain one, each tick
// label of `axis` (a QCPAxisTickerText's, a bottom axis turned upright or
// level, or a left one) whose tick is at one of `positions`; the label's
// text is the ticker's, so it is cut as the others. Items on the plot's
// "legend" layer (above the axes), cleared with the plot's items.
void markUnknownTicks(QCPAxis *axis, const std::vector<int> &positions);
// Hatches and outlines `cells` (plot coordinates of the plot's x and y
// axes) in unknownColor(); an item of the plot, below the axes.
QCPItemRect *hatchUnknownCells(QCustomPlot *plot, const QRectF &cells);

// The positions of `unknown` (an AttentionSample's flags) that are set.
std::vector<int> unknownPositions(const std::vector<uint8_t> &unknown);

} // namespace attnscope
