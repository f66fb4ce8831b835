#include "appearance.h"

#include <QApplication>
#include <QComboBox>
#include <QPainter>
#include <QProxyStyle>
#include <QStyleOption>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>
#include <QTabBar>
#include <qcustomplot.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <vector>

namespace attnscope {

namespace {

std::optional<QPalette> g_systemPalette;  // the palette before the first theme was applied
Theme g_theme = Theme::System;
std::optional<QFont> g_baseFont;  // the application's font at 100 %
double g_zoom = 1.0;

const QString Key = QStringLiteral("view/theme");
const QString ZoomKey = QStringLiteral("view/zoom");

// Okabe–Ito, in an order where neighbouring tasks differ most; the yellow,
// which is faint on white, comes last.
constexpr std::array<QRgb, 7> TaskPalette = {
    0x0072B2, // blue
    0xD55E00, // vermillion
    0x009E73, // bluish green
    0xCC79A7, // reddish purple
    0xE69F00, // orange
    0x56B4E9, // sky blue
    0xF0E442, // yellow
};

// Fusion, where a combo box's text is cut with "…" to the room it has (Qt
// draws it clipped: "task: one attention per" of "... per task").
class ElidingStyle : public QProxyStyle {
public:
    ElidingStyle() : QProxyStyle(QStyleFactory::create(QStringLiteral("Fusion"))) {}

    void drawControl(ControlElement element, const QStyleOption *option, QPainter *painter,
                     const QWidget *widget) const override
    {
        const auto *box = qstyleoption_cast<const QStyleOptionComboBox *>(option);
        if (element != CE_ComboBoxLabel || !box || box->editable) {
            QProxyStyle::drawControl(element, option, painter, widget);
            return;
        }
        QStyleOptionComboBox elided = *box;
        int room = subControlRect(CC_ComboBox, box, SC_ComboBoxEditField, widget).width() - 2;
        if (!box->currentIcon.isNull())
            room -= box->iconSize.width() + 4;
        elided.currentText = box->fontMetrics.elidedText(box->currentText, Qt::ElideRight, std::max(0, room));
        QProxyStyle::drawControl(element, &elided, painter, widget);
    }

    // A tab bar's scroll buttons as wide as its text is tall (Fusion's are
    // 16 px at any zoom: at 150 % two slivers beside a cut tab).
    int pixelMetric(PixelMetric metric, const QStyleOption *option, const QWidget *widget) const override
    {
        const int base = QProxyStyle::pixelMetric(metric, option, widget);
        if (metric == PM_TabBarScrollButtonWidth && widget)
            return std::max(base, widget->fontMetrics().height() + 6);
        return base;
    }

    // A check box's (and an item view's check's) and a radio button's
    // indicator framed in indicatorBorderColor over Fusion's own frame; a
    // tab bar's scroll arrows at the size of its text (Fusion draws them 8 px).
    void drawPrimitive(PrimitiveElement element, const QStyleOption *option, QPainter *painter,
                       const QWidget *widget) const override
    {
        if ((element == PE_IndicatorArrowLeft || element == PE_IndicatorArrowRight) && widget
            && qobject_cast<const QTabBar *>(widget->parentWidget())) {
            drawScrollArrow(element == PE_IndicatorArrowLeft, option, painter, widget);
            return;
        }
        QProxyStyle::drawPrimitive(element, option, painter, widget);
        if (element != PE_IndicatorCheckBox && element != PE_IndicatorRadioButton)
            return;
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing, true);
        QPen pen(indicatorBorderColor(option->palette), 1);
        painter->setPen(pen);
        painter->setBrush(Qt::NoBrush);
        const QRectF r = QRectF(option->rect).adjusted(0.5, 0.5, -0.5, -0.5);
        if (element == PE_IndicatorRadioButton)
            painter->drawEllipse(r.adjusted(0.5, 0.5, -0.5, -0.5));
        else
            painter->drawRoundedRect(r, 1.5, 1.5);
        painter->restore();
    }

private:
    // A filled triangle half as tall as the text, centred in the button, in
    // its text colour (dimmed where it cannot scroll further).
    static void drawScrollArrow(bool left, const QStyleOption *option, QPainter *painter, const QWidget *widget)
    {
        const QRectF r = option->rect;
        const double h = std::max(8, widget->fontMetrics().height() / 2), w = h * 0.6;
        const QPointF c = r.center();
        const double tip = left ? c.x() - w / 2 : c.x() + w / 2, back = left ? c.x() + w / 2 : c.x() - w / 2;
        const QPolygonF arrow({QPointF(tip, c.y()), QPointF(back, c.y() - h / 2), QPointF(back, c.y() + h / 2)});
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing, true);
        painter->setPen(Qt::NoPen);
        painter->setBrush(option->palette.color(option->state & State_Enabled ? QPalette::Active : QPalette::Disabled,
                                                QPalette::ButtonText));
        painter->drawPolygon(arrow);
        painter->restore();
    }
};

} // namespace

QString toString(Theme theme)
{
    switch (theme) {
    case Theme::Light: return QStringLiteral("light");
    case Theme::Dark: return QStringLiteral("dark");
    case Theme::System: break;
    }
    return QStringLiteral("system");
}

Theme themeFromString(const QString &s)
{
    if (s == QLatin1String("light")) return Theme::Light;
    if (s == QLatin1String("dark")) return Theme::Dark;
    return Theme::System;
}

QPalette lightPalette()
{
    QStyle *fusion = QStyleFactory::create(QStringLiteral("Fusion"));
    QPalette p = fusion ? fusion->standardPalette() : QPalette();
    delete fusion;
    p.setColor(QPalette::PlaceholderText, QColor(0x5F, 0x63, 0x68));  // secondary text, 6:1 on the window colour
    return p;
}

// A dark palette with text at least 7:1 against its backgrounds (a projector
// washes contrast out), the disabled state clearly dimmer, and a blue
// highlight that is not one of the task colours' exact shades.
QPalette darkPalette()
{
    const QColor window(0x2B, 0x2D, 0x30), base(0x1E, 0x1F, 0x22), alternate(0x26, 0x28, 0x2B);
    const QColor text(0xE8, 0xE8, 0xE8), dim(0x8A, 0x8D, 0x91), button(0x3A, 0x3D, 0x41);
    QPalette p;
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, alternate);
    p.setColor(QPalette::ToolTipBase, QColor(0x3A, 0x3D, 0x41));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0xA8, 0xAB, 0xB0));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, button);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xFF, 0x6B, 0x6B));
    p.setColor(QPalette::Light, QColor(0x4A, 0x4D, 0x52));
    p.setColor(QPalette::Midlight, QColor(0x42, 0x45, 0x49));
    p.setColor(QPalette::Mid, QColor(0x33, 0x35, 0x38));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1B));
    p.setColor(QPalette::Shadow, QColor(0x0C, 0x0C, 0x0D));
    p.setColor(QPalette::Highlight, QColor(0x3D, 0x7E, 0xC6));
    p.setColor(QPalette::HighlightedText, QColor(0xFF, 0xFF, 0xFF));
    p.setColor(QPalette::Link, QColor(0x7F, 0xB8, 0xF0));
    p.setColor(QPalette::LinkVisited, QColor(0xC3, 0x9B, 0xE6));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, dim);
    p.setColor(QPalette::Disabled, QPalette::Base, window);
    p.setColor(QPalette::Disabled, QPalette::Button, QColor(0x33, 0x35, 0x38));
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x50, 0x53, 0x57));
    return p;
}

void applyStyle()
{
    if (!dynamic_cast<ElidingStyle *>(QApplication::style()))
        QApplication::setStyle(new ElidingStyle);
}

void applyTheme(Theme theme)
{
    if (!g_systemPalette) {
        applyStyle();
        g_systemPalette = QApplication::palette();
    }
    g_theme = theme;
    switch (theme) {
    case Theme::System: QApplication::setPalette(*g_systemPalette); break;
    case Theme::Light: QApplication::setPalette(lightPalette()); break;
    case Theme::Dark: QApplication::setPalette(darkPalette()); break;
    }
}

Theme currentTheme()
{
    return g_theme;
}

Theme savedTheme()
{
    return themeFromString(QSettings().value(Key).toString());
}

void saveTheme(Theme theme)
{
    QSettings().setValue(Key, toString(theme));
}

void applyZoom(double zoom)
{
    if (!g_baseFont) {
        g_baseFont = QApplication::font();
        if (g_baseFont->pointSizeF() < LabelPointSize)  // also a font sized in pixels (-1)
            g_baseFont->setPointSizeF(LabelPointSize);
    }
    g_zoom = std::isfinite(zoom) ? std::clamp(zoom, MinZoom, MaxZoom) : 1.0;
    QFont font = *g_baseFont;
    font.setPointSizeF(g_baseFont->pointSizeF() * g_zoom);
    QApplication::setFont(font);
    // A QComboBox drops its size hint on a font change but keeps its least
    // size (Qt 6.4): after Ctrl+0 from 200 % the boxes kept their 200 %
    // height and width, the Model panel its labels above the fields and the
    // Attention tab's row squeezed its slider. A style change drops both,
    // once the widgets have the font (it reaches them by a posted event).
    QCoreApplication::sendPostedEvents(nullptr, QEvent::ApplicationFontChange);
    for (QWidget *widget : QApplication::allWidgets())
        if (auto *box = qobject_cast<QComboBox *>(widget)) {
            QEvent changed(QEvent::StyleChange);
            QCoreApplication::sendEvent(box, &changed);
            box->updateGeometry();
        }
}

double currentZoom()
{
    return g_zoom;
}

double savedZoom()
{
    return QSettings().value(ZoomKey, 1.0).toDouble();
}

void saveZoom(double zoom)
{
    QSettings().setValue(ZoomKey, zoom);
}

double labelPointSize()
{
    return LabelPointSize * g_zoom;
}

QFont labelFont(QFont font, double extraPoints)
{
    font.setPointSizeF((LabelPointSize + extraPoints) * g_zoom);
    return font;
}

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < palette.color(QPalette::WindowText).lightness();
}

QColor problemColor(const QPalette &palette)
{
    return isDarkPalette(palette) ? QColor(0xFF, 0x9E, 0x5E) : QColor(0xB0, 0x4A, 0x00);
}

void setProblemColor(QWidget *label, const QPalette &palette)
{
    QPalette pal = label->palette();
    pal.setColor(QPalette::WindowText, problemColor(palette));
    label->setPalette(pal);
}

QColor indicatorBorderColor(const QPalette &palette)
{
    // Dark: 4.3:1 on the dark window colour; light: 4.5:1 on Fusion's #EFEFEF.
    return isDarkPalette(palette) ? QColor(0x9A, 0x9D, 0xA2) : QColor(0x76, 0x76, 0x76);
}

QColor betterColor()
{
    return QColor(0x2e, 0xa0, 0x43);
}

QColor worseColor()
{
    return QColor(0xd9, 0x48, 0x3b);
}

QColor taskColor(int task)
{
    const int n = int(TaskPalette.size());
    return QColor(TaskPalette[size_t(((task % n) + n) % n)]);
}

QColor totalColor(const QPalette &palette)
{
    return palette.color(QPalette::WindowText);
}

void styleAxis(QCPAxis *axis, const QColor &text, const QColor &grid, const QFont &tickFont, const QFont &labelFont)
{
    axis->setBasePen(QPen(text, 1));
    axis->setTickPen(QPen(text, 1));
    axis->setSubTickPen(QPen(text, 1));
    axis->setTickLabelColor(text);
    axis->setLabelColor(text);
    axis->setTickLabelFont(tickFont);
    axis->setLabelFont(labelFont);
    axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
}

void styleLegend(QCPLegend *legend, const QColor &text, const QColor &background, const QColor &border,
                 const QFont &font)
{
    legend->setFont(font);
    legend->setTextColor(text);
    legend->setBrush(background);
    legend->setBorderPen(QPen(border, 1));
}

int wrapLegend(QCPLegend *legend, int width)
{
    // The cells row by row; an entry taken out of the legend leaves an empty one.
    const QList<QCPLayoutElement *> cells = legend->elements(false);
    std::vector<int> widths;  // of the entries, in order
    bool gaps = false;        // an empty cell before an entry
    for (qsizetype i = 0; i < cells.size(); ++i) {
        if (!cells[i])
            continue;
        gaps = gaps || qsizetype(widths.size()) != i;
        widths.push_back(cells[i]->minimumOuterSizeHint().width());
    }
    const QMargins margins = legend->margins();
    const int available = width - margins.left() - margins.right();
    // The most columns whose widest entries, side by side, fit (entry i in column i % n).
    int columns = std::max<int>(1, int(widths.size()));
    for (; columns > 1; --columns) {
        std::vector<int> column(size_t(columns), 0);
        for (size_t i = 0; i < widths.size(); ++i)
            column[i % size_t(columns)] = std::max(column[i % size_t(columns)], widths[i]);
        int total = (columns - 1) * legend->columnSpacing();
        for (int w : column)
            total += w;
        if (total <= available)
            break;
    }
    // Placed again only when that changes (the loss plot wraps at every redraw).
    if (columns != legend->wrap() || gaps || legend->fillOrder() != QCPLayoutGrid::foColumnsFirst) {
        legend->setWrap(columns);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);  // the entries again, in rows of that many
    }
    return columns;
}

void stylePlot(QCustomPlot *plot, const QPalette &palette)
{
    const QColor fg = palette.color(QPalette::WindowText);
    const QColor bg = palette.color(QPalette::Base);
    QColor grid = fg;
    grid.setAlphaF(0.15);
    const QFont font = labelFont(plot->font());
    plot->setBackground(bg);
    for (QCPAxisRect *rect : plot->axisRects()) {
        rect->setBackground(bg);
        for (QCPAxis *axis : rect->axes())
            styleAxis(axis, fg, grid, font, font);
    }
    // A colour scale's axis is not among the axis rects', and a plot may
    // have legends besides plot->legend (Over training's faithfulness legend
    // sat white in the dark theme, its white sample lines unseen).
    for (QCPLayoutElement *element : plot->plotLayout()->elements(true)) {
        if (auto *scale = qobject_cast<QCPColorScale *>(element))
            styleAxis(scale->axis(), fg, grid, font, font);
        if (auto *legend = qobject_cast<QCPLegend *>(element); legend && legend != plot->legend)
            styleLegend(legend, fg, bg, grid, font);
    }
    if (plot->legend)
        styleLegend(plot->legend, fg, bg, grid, font);
}

} // namespace attnscope
