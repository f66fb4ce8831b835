#include "attentionexport.h"

#include "fileutil.h"

#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QWidget>
#include <qcustomplot.h>

namespace attnscope {

namespace {

void renderTree(QWidget *widget, QCPPainter *painter, const QPoint &offset)
{
    if (auto *plot = qobject_cast<QCustomPlot *>(widget)) {
        painter->save();
        painter->translate(offset);
        painter->setClipRect(QRect(QPoint(0, 0), plot->size()));
        plot->toPainter(painter, plot->width(), plot->height());
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

} // namespace

void renderView(QWidget *view, QPainter *painter)
{
    auto *qcp = static_cast<QCPPainter *>(painter);
    renderTree(view, qcp, QPoint(0, 0));
}

bool exportViewImage(QWidget *view, const QString &path, QString *error)
{
    // The image writers open the path itself: a FIFO would block the window.
    if (const std::string problem = checkOutputFile(path.toStdString(), OutputMode::Replace); !problem.empty()) {
        if (error) *error = QString::fromStdString(problem);
        return false;
    }
    const QString suffix = QFileInfo(path).suffix().toLower();
    const QSize size = view->size();
    if (size.isEmpty()) {
        if (error) *error = QStringLiteral("%1: the view has no size (is it shown?)").arg(path);
        return false;
    }
    if (suffix == QLatin1String("png")) {
        QImage image((QSizeF(size) * PrintScale).toSize(), QImage::Format_ARGB32_Premultiplied);
        image.fill(view->palette().color(QPalette::Window));
        QCPPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setRenderHint(QPainter::TextAntialiasing);
        painter.scale(PrintScale, PrintScale);
        renderTree(view, &painter, QPoint(0, 0));
        painter.end();
        image.setDotsPerMeterX(int(300 / 0.0254));
        image.setDotsPerMeterY(int(300 / 0.0254));
        if (!image.save(path, "PNG")) {
            if (error) *error = QStringLiteral("%1: could not write the PNG").arg(path);
            return false;
        }
        return true;
    }
    if (suffix == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(view->windowTitle().isEmpty() ? QStringLiteral("AttnScope attention") : view->windowTitle());
        svg.setDescription(QStringLiteral("Exported by AttnScope"));
        QCPPainter painter;
        if (!painter.begin(&svg)) {
            if (error) *error = QStringLiteral("%1: could not write the SVG").arg(path);
            return false;
        }
        renderTree(view, &painter, QPoint(0, 0));
        painter.end();
        if (QFileInfo(path).size() <= 0) {
            if (error) *error = QStringLiteral("%1: could not write the SVG").arg(path);
            return false;
        }
        return true;
    }
    if (suffix == QLatin1String("pdf")) {
        QPdfWriter pdf(path);
        pdf.setResolution(300);
        // One page the size of the view (1 logical pixel = 1 point).
        pdf.setPageSize(QPageSize(QSizeF(size), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setCreator(QStringLiteral("AttnScope"));
        QCPPainter painter;
        if (!painter.begin(&pdf)) {
            if (error) *error = QStringLiteral("%1: could not write the PDF").arg(path);
            return false;
        }
        const double scale = double(pdf.width()) / size.width();
        painter.scale(scale, scale);
        renderTree(view, &painter, QPoint(0, 0));
        painter.end();
        return true;
    }
    if (error) *error = QStringLiteral("%1: unknown picture format '%2' (png, svg or pdf)").arg(path, suffix);
    return false;
}

bool writeFileAtomically(const QString &path, const QByteArray &bytes, QString *error)
{
    std::string problem;
    if (writeFileAtomically(path.toStdString(), bytes.toStdString(), &problem)) return true;
    if (error) *error = QString::fromStdString(problem);
    return false;
}

} // namespace attnscope
