#include "viewexport.h"

#include "elidedlabel.h"
#include "fileutil.h"

#include <QFileInfo>
#include <QFontMetrics>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QWidget>
#include <qcustomplot.h>

namespace attnscope {

namespace {

// Paints widget at offset; a plot at `size` (its own when empty).
void renderTree(QWidget *widget, QCPPainter *painter, const QPoint &offset, QSize size = {})
{
    if (auto *plot = qobject_cast<QCustomPlot *>(widget)) {
        if (size.isEmpty())
            size = plot->size();
        painter->save();
        painter->translate(offset);
        painter->setClipRect(QRect(QPoint(0, 0), size));
        plot->toPainter(painter, size.width(), size.height());
        painter->restore();
        return;
    }
    // A line cut on screen ("Faithfulness of attent…ement and loss by
    // step"), whole in the picture.
    if (auto *label = dynamic_cast<ElidedLabel *>(widget); label && label->shownText() != label->text()) {
        painter->save();
        painter->translate(offset);
        label->paintWhole(painter);
        painter->restore();
        return;
    }
    // The widget itself without its children, then each visible child.
    widget->render(static_cast<QPainter *>(painter), offset, QRegion(), QWidget::DrawWindowBackground);
    for (QObject *object : widget->children()) {
        auto *child = qobject_cast<QWidget *>(object);
        if (!child || !child->isVisible() || child->isWindow())
            continue;
        renderTree(child, painter, offset + child->pos());
    }
}

// The left (and right) margin of a picture with a heading: the heading's
// line and the view's own title under it start at the same x (the view's
// title, at its left edge on screen, touched the picture's edge).
constexpr int Margin = 6;

// The heading's band: a line of the view's font, bold, with a margin; 0 without a heading.
int headingHeight(const QWidget *view, const QString &heading)
{
    if (heading.isEmpty())
        return 0;
    QFont bold = view->font();
    bold.setBold(true);
    return QFontMetrics(bold).height() + 8;
}

// The picture's size: the view's, and with a heading its band and the margins.
QSize pictureSize(const QWidget *view, const QSize &size, const QString &heading)
{
    if (heading.isEmpty())
        return size;
    return QSize(size.width() + 2 * Margin, size.height() + headingHeight(view, heading));
}

// The heading (if any) in its band, then the view under it; `size` is the view's.
void paintPicture(QWidget *view, QCPPainter *painter, const QSize &size, const QString &heading)
{
    const int band = headingHeight(view, heading);
    if (band > 0) {
        QFont bold = view->font();
        bold.setBold(true);
        painter->save();
        painter->setFont(bold);
        painter->setPen(view->palette().color(QPalette::WindowText));
        const QRect room(Margin, 0, size.width(), band);
        painter->drawText(room, Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetrics(bold).elidedText(heading, Qt::ElideRight, room.width()));
        painter->restore();
    }
    renderTree(view, painter, band > 0 ? QPoint(Margin, band) : QPoint(0, 0), size);
}

bool writePng(QWidget *view, const QString &path, const QSize &size, double scale, const QString &heading)
{
    const QSize whole = pictureSize(view, size, heading);
    QImage image((QSizeF(whole) * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.fill(view->palette().color(QPalette::Window));
    QCPPainter painter(&image);
    // Hairlines (cosmetic pens) scale with the picture too, as in
    // QCustomPlot's own savePng: a 300 dpi frame is as thick as on screen.
    if (scale > 1)
        painter.setMode(QCPPainter::pmNonCosmetic);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.scale(scale, scale);
    paintPicture(view, &painter, size, heading);
    painter.end();
    const int dotsPerMeter = int(96 * scale / 0.0254);
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    return image.save(path, "PNG");
}

bool writeSvg(QWidget *view, const QString &path, const QSize &size, const QString &title, const QString &heading)
{
    const QSize whole = pictureSize(view, size, heading);
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(whole);
    svg.setViewBox(QRect(QPoint(0, 0), whole));
    svg.setTitle(!title.isEmpty() ? title
                 : view->windowTitle().isEmpty() ? QStringLiteral("AttnScope attention") : view->windowTitle());
    svg.setDescription(QStringLiteral("Exported by AttnScope"));
    QCPPainter painter;
    if (!painter.begin(&svg))
        return false;
    paintPicture(view, &painter, size, heading);
    painter.end();
    return QFileInfo(path).size() > 0;
}

bool writePdf(QWidget *view, const QString &path, const QSize &size, const QString &heading)
{
    const QSize whole = pictureSize(view, size, heading);
    QPdfWriter pdf(path);
    pdf.setResolution(300);
    // One page the size of the view (1 logical pixel = 1 point).
    pdf.setPageSize(QPageSize(QSizeF(whole), QPageSize::Point));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    pdf.setCreator(QStringLiteral("AttnScope"));
    QCPPainter painter;
    if (!painter.begin(&pdf))
        return false;
    const double scale = double(pdf.width()) / whole.width();
    painter.scale(scale, scale);
    paintPicture(view, &painter, size, heading);
    return painter.end();
}

} // namespace

void renderView(QWidget *view, QPainter *painter)
{
    auto *qcp = static_cast<QCPPainter *>(painter);
    renderTree(view, qcp, QPoint(0, 0));
}

bool exportViewImage(QWidget *view, const QString &path, QString *error, const ImageOptions &options)
{
    // The image writers open the path itself: a FIFO would block the window.
    if (const std::string problem = checkOutputFile(path.toStdString(), OutputMode::Replace); !problem.empty()) {
        if (error) *error = QString::fromStdString(problem);
        return false;
    }
    const QString suffix = QFileInfo(path).suffix().toLower();
    const QSize size = options.size.isEmpty() ? view->size() : options.size;
    if (size.isEmpty()) {
        if (error) *error = QStringLiteral("%1: the view has no size (is it shown?)").arg(path);
        return false;
    }
    QString format;
    bool ok = false;
    if (suffix == QLatin1String("png")) {
        format = QStringLiteral("PNG");
        ok = writePng(view, path, size, options.pngScale, options.heading);
    } else if (suffix == QLatin1String("svg")) {
        format = QStringLiteral("SVG");
        ok = writeSvg(view, path, size, options.title, options.heading);
    } else if (suffix == QLatin1String("pdf")) {
        format = QStringLiteral("PDF");
        ok = writePdf(view, path, size, options.heading);
    } else {
        if (error) *error = QStringLiteral("%1: unknown image type '%2' (use .png, .svg or .pdf)").arg(path, suffix);
        return false;
    }
    if (!ok && error)
        *error = QStringLiteral("%1: could not write the %2").arg(path, format);
    return ok;
}

bool writeFileAtomically(const QString &path, const QByteArray &bytes, QString *error)
{
    std::string problem;
    if (writeFileAtomically(path.toStdString(), bytes.toStdString(), &problem)) return true;
    if (error) *error = QString::fromStdString(problem);
    return false;
}

} // namespace attnscope
