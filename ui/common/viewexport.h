// Exports of what a window shows: pictures of a plot or of any widget (PNG,
// SVG, PDF), the one way both the attention views and the loss plot are
// exported; and files written atomically (the views' CSV and JSON). Plots
// (QCustomPlot) are drawn as vectors in SVG and PDF (toPainter), other
// widgets through their own paint code, children included.
#pragma once

#include <QByteArray>
#include <QSize>
#include <QString>

class QPainter;
class QWidget;

namespace attnscope {

// Print resolution: PNG pixels per logical pixel (96 dpi -> 300 dpi).
constexpr double PrintScale = 300.0 / 96.0;

struct ImageOptions {
    // The picture's logical size: the view's own when empty. Only a plot
    // (QCustomPlot) is laid out anew at another size.
    QSize size;
    double pngScale = PrintScale;  // PNG pixels per logical pixel (dpi: 96 x this)
    QString title;                 // the SVG's; the window title or "AttnScope attention" when empty
    // A line above the view in the picture (what it shows: data, run, step,
    // task, score), which then grows by its height, and by a margin on the
    // left and right: the heading and the view's own title line under it
    // start at the same x. None when empty.
    QString heading;
};

// Writes `view` (with its children) to path; the format comes from the
// suffix (.png, .svg, .pdf). Never replaces a device or FIFO. False and
// *error (naming the path) when it cannot.
bool exportViewImage(QWidget *view, const QString &path, QString *error, const ImageOptions &options = {});
// Paints `view` and its visible children into painter at logical size.
void renderView(QWidget *view, QPainter *painter);
// Writes bytes to path atomically (core's writeFileAtomically: never over a
// device or FIFO). False and *error on failure.
bool writeFileAtomically(const QString &path, const QByteArray &bytes, QString *error);

} // namespace attnscope
