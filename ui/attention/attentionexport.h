// Exports of the attention views: pictures (PNG, SVG, PDF at print
// resolution) and numbers (CSV, JSON). Plots are drawn as vectors in SVG and
// PDF (QCustomPlot::toPainter), hand-painted views through their own paint code.
#pragma once

#include <QByteArray>
#include <QString>

class QPainter;
class QWidget;

namespace attnscope {

// Print resolution: PNG pixels per logical pixel (96 dpi -> 300 dpi).
constexpr double PrintScale = 300.0 / 96.0;

// Writes `view` (with its children) to path; the format comes from the
// suffix (.png, .svg, .pdf). False and *error when it cannot.
bool exportViewImage(QWidget *view, const QString &path, QString *error);
// Paints `view` and its visible children into painter at logical size.
void renderView(QWidget *view, QPainter *painter);
// Writes bytes to path atomically (core's writeFileAtomically: never over a
// device or FIFO). False and *error on failure.
bool writeFileAtomically(const QString &path, const QByteArray &bytes, QString *error);

} // namespace attnscope
