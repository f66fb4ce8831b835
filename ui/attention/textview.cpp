#include "textview.h"

#include "appearance.h"
#include "csvwriter.h"
#include "tasknames.h"

#include <QPaintEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {
constexpr int Margin = 12;
constexpr int ColumnGap = 18;
constexpr int MinColumnWidth = 120;
constexpr int TokenPadX = 5;
constexpr int TokenPadY = 3;
constexpr int TokenGap = 4;
constexpr int EmptyHeight = 60;  // "No attention snapshot yet"
} // namespace

TextView::TextView(QWidget *parent) : SnapshotView(parent)
{
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
}

void TextView::snapshotChanged(const AttentionSnapshot &previous, int previousSample)
{
    const AttentionSample *old = previousSample >= 0 && previousSample < int(previous.samples.size())
                                     ? &previous.samples[size_t(previousSample)]
                                     : nullptr;
    // The same tokens (the next refresh of the same probe): the layout stands,
    // only the shades change.
    if (!sameTokens(old, sample()) || previous.taskCount() != snapshot().taskCount()) {
        m_cacheWidth = -1;
        updateGeometry();
    }
    updateScale();
    rebuild();
}

void TextView::sampleChanged()
{
    m_cacheWidth = -1;
    updateGeometry();
    updateScale();
    rebuild();
}

void TextView::colorsChanged()
{
    updateScale();
    rebuild();
}

void TextView::updateScale()
{
    double largest = 0;
    if (const AttentionSample *s = sample())
        for (const auto &w : s->weights)
            for (float x : w)
                largest = std::max(largest, double(x));
    m_maxWeight = scaleTop(colorScale(), largest);
}

bool TextView::sameTokens(const AttentionSample *a, const AttentionSample *b) const
{
    if (!a || !b)
        return a == b;
    return a->tokens == b->tokens && a->values.size() == b->values.size()
           && std::equal(a->values.begin(), a->values.end(), b->values.begin(),
                         [](float x, float y) { return x == y || (std::isnan(x) && std::isnan(y)); });
}

QFont TextView::tokenFont() const
{
    return labelFont(font(), 1);
}

void TextView::updateTokenCache(const AttentionSample &s) const
{
    const bool same = m_cachedFont == tokenFont() && m_cachedTokens == s.tokens && m_cachedValues.size() == s.values.size()
                      && std::equal(s.values.begin(), s.values.end(), m_cachedValues.begin(),
                                    [](float x, float y) { return x == y || (std::isnan(x) && std::isnan(y)); });
    if (same && m_widths.size() == s.tokens.size())
        return;
    const QFontMetrics fm(tokenFont());
    m_cachedFont = tokenFont();
    m_cachedTokens = s.tokens;
    m_cachedValues = s.values;
    m_texts.clear();
    m_widths.clear();
    m_static.clear();
    for (size_t j = 0; j < s.tokens.size(); ++j) {
        QString text = elidedName(s.tokens[j]);  // a token may be long (a feature is named by its column)
        if (snapshot().input == InputKind::Tabular && j < s.values.size())
            text += std::isnan(s.values[j]) ? QStringLiteral("=–") : QStringLiteral("=%1").arg(s.values[j], 0, 'g', 4);
        m_widths.push_back(fm.horizontalAdvance(text));
        m_texts << text;
        QStaticText st(text);
        st.setTextFormat(Qt::PlainText);
        st.setPerformanceHint(QStaticText::AggressiveCaching);
        m_static.push_back(std::move(st));
    }
}

double TextView::weight(int task, int token) const
{
    const AttentionSample *s = sample();
    if (!s || task < 0 || task >= int(s->weights.size()) || token < 0
        || token >= int(s->weights[size_t(task)].size()))
        return std::nan("");
    return s->weights[size_t(task)][size_t(token)];
}

QColor TextView::shade(double weight) const
{
    return colorAt(colorMap(), m_maxWeight > 0 ? weight / m_maxWeight : 0);
}

QString TextView::header(int task) const
{
    const AttentionSample *s = sample();
    if (!s || task < 0 || task >= snapshot().taskCount())
        return {};
    const TaskInfo &info = snapshot().tasks[size_t(task)];
    auto className = [&](int c) {
        return c >= 0 && c < int(info.classes.size()) ? elidedName(info.classes[size_t(c)])
                                                       : QStringLiteral("–");
    };
    const int gold = task < int(s->labels.size()) ? s->labels[size_t(task)] : -1;
    const int pred = s->predicted(task);
    const double p = pred >= 0 ? s->probs[size_t(task)][size_t(pred)] : 0.0;
    QString text = tr("gold %1 · predicted %2 (%3)").arg(className(gold), className(pred), QString::number(p, 'f', 2));
    if (gold >= 0 && pred >= 0)
        text += gold == pred ? QStringLiteral(" ✓") : QStringLiteral(" ✗");
    return text;
}

QSize TextView::sizeHint() const
{
    return QSize(900, heightForWidth(900));
}

int TextView::heightForWidth(int width) const
{
    // Layouts ask often; a 512-token sample takes a while to lay out.
    if (width != m_cacheWidth) {
        const AttentionSample *s = sample();
        m_cacheHeight = s && snapshot().taskCount() > 0 ? geometry(*s, width).height : EmptyHeight;
        m_cacheWidth = width;
    }
    return m_cacheHeight;
}

void TextView::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const AttentionSample *s = sample();
    if (!s || snapshot().taskCount() == 0) {
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(QRect(0, 0, width(), EmptyHeight), Qt::AlignCenter, tr("No attention snapshot yet"));
        return;
    }
    const Geometry g = geometry(*s, width());
    paintTitle(&painter, g, *s, width());
    // Only the rows of columns that meet the exposed area are painted.
    const QRect clip = event->rect();
    const int T = snapshot().taskCount();
    const int firstRow = std::clamp((clip.top() - g.top) / g.rowHeight, 0, g.rows);
    const int lastRow = std::clamp((clip.bottom() - g.top) / g.rowHeight + 1, 0, g.rows);
    for (int t = firstRow * g.perRow; t < std::min(T, lastRow * g.perRow); ++t)
        paintColumn(&painter, g, *s, t, clip);
}

TextView::Geometry TextView::geometry(const AttentionSample &s, int width) const
{
    updateTokenCache(s);
    Geometry g;
    g.bold = tokenFont();
    g.bold.setBold(true);
    g.small = labelFont(font());
    const QFontMetrics fm(tokenFont()), fmSmall(g.small);
    // The columns in rows of as many as fit side by side at MinColumnWidth
    // (a file may have thousands of tasks: they wrap, and only the rows in
    // view are painted). Every column holds the same tokens in the same
    // width, so they share one layout and one height.
    const int T = snapshot().taskCount();
    g.perRow = std::clamp((width - 2 * Margin + ColumnGap) / (MinColumnWidth + ColumnGap), 1, T);
    g.columnWidth = std::max(MinColumnWidth, (width - 2 * Margin - (g.perRow - 1) * ColumnGap) / g.perRow);
    const int lineHeight = fm.height() + 2 * TokenPadY + TokenGap;
    g.headerHeight = 6 + QFontMetrics(g.bold).height() + fmSmall.height() + 8;
    g.boxes.resize(size_t(s.tokenCount()));
    int x = 0, y = 0;
    for (int j = 0; j < s.tokenCount(); ++j) {
        // A few pixels of slack: integer advances round down, and a
        // token that fits must never be elided.
        const int w = std::min(g.columnWidth, m_widths[size_t(j)] + 2 * TokenPadX + 4);
        if (x > 0 && x + w > g.columnWidth) {
            x = 0;
            y += lineHeight;
        }
        g.boxes[size_t(j)] = QRect(x, y, w, fm.height() + 2 * TokenPadY);
        x += w + TokenGap + 2;
    }
    g.tokensHeight = y + lineHeight;
    const int columnHeight = g.headerHeight + g.tokensHeight + fmSmall.height();
    g.top = Margin + fmSmall.height() + 8;  // below the title
    g.rows = (T + g.perRow - 1) / g.perRow;
    g.rowHeight = columnHeight + ColumnGap;
    g.height = g.top + g.rows * g.rowHeight - ColumnGap + Margin;
    return g;
}

void TextView::paintTitle(QPainter *painter, const Geometry &g, const AttentionSample &s, int width) const
{
    painter->setPen(palette().color(QPalette::WindowText));
    painter->setFont(g.small);
    const QString title = tr("%1 · step %2 · colour: attention 0 – %3 (%4)")
                              .arg(s.sampleIndex >= 0 ? tr("sample #%1").arg(s.sampleIndex)
                                   : snapshot().input == InputKind::Tabular ? tr("edited row") : tr("typed text"))
                              .arg(snapshot().step)
                              .arg(m_maxWeight, 0, 'f', 3)
                              .arg(colorMapName(colorMap()));
    painter->drawText(QRect(Margin, Margin, width - 2 * Margin, QFontMetrics(g.small).height()), Qt::AlignLeft, title);
}

void TextView::paintColumn(QPainter *painter, const Geometry &g, const AttentionSample &s, int t,
                           const QRect &clip) const
{
    const QFontMetrics fm(tokenFont()), fmBold(g.bold), fmSmall(g.small);
    const QColor fg = palette().color(QPalette::WindowText);
    const int x0 = Margin + (t % g.perRow) * (g.columnWidth + ColumnGap);
    const int y0 = g.top + (t / g.perRow) * g.rowHeight;
    // Column header: task colour bar, name, gold / prediction.
    painter->fillRect(QRect(x0, y0, g.columnWidth, 4), taskColor(t));
    painter->setFont(g.bold);
    painter->setPen(fg);
    painter->drawText(QRect(x0, y0 + 6, g.columnWidth, fmBold.height()), Qt::AlignLeft,
                      fmBold.elidedText(elidedName(snapshot().tasks[size_t(t)].name), Qt::ElideRight, g.columnWidth));
    painter->setFont(g.small);
    painter->drawText(QRect(x0, y0 + 6 + fmBold.height(), g.columnWidth, fmSmall.height()),
                      Qt::AlignLeft, fmSmall.elidedText(header(t), Qt::ElideRight, g.columnWidth));
    // Tokens, wrapped within the column.
    const QPoint origin(x0, y0 + g.headerHeight);
    const bool rationale = s.hasRationale(t);
    painter->setFont(tokenFont());
    for (int j = 0; j < s.tokenCount(); ++j) {
        const QRect box0 = g.boxes[size_t(j)].translated(origin);
        // Only what is exposed is painted (a 512-token sample is long).
        if (!clip.intersects(box0.adjusted(-4, -4, 4, 4 + TokenGap)))
            continue;
        const double a = weight(t, j);
        const QColor bg = shade(std::isfinite(a) ? a : 0);
        const QRectF box(box0);
        painter->setPen(Qt::NoPen);
        painter->setBrush(bg);
        painter->drawRoundedRect(box, 3, 3);
        if (rationale && j < int(s.rationale[size_t(t)].size()) && s.rationale[size_t(t)][size_t(j)]) {
            // Rationale: a thick outline in the task's colour over a thin contrasting one.
            painter->setBrush(Qt::NoBrush);
            painter->setPen(QPen(fg, 1));
            painter->drawRoundedRect(box.adjusted(-2.5, -2.5, 2.5, 2.5), 4, 4);
            painter->setPen(QPen(taskColor(t), 2.5));
            painter->drawRoundedRect(box.adjusted(-1, -1, 1, 1), 3, 3);
        }
        painter->setPen(textColorOn(bg));
        if (box0.width() < g.columnWidth) {
            // Laid out once per token (QStaticText), centred in its box.
            const QSizeF size = m_static[size_t(j)].size();
            painter->drawStaticText(QPointF(box.center().x() - size.width() / 2,
                                            box.center().y() - size.height() / 2),
                                    m_static[size_t(j)]);
        } else {
            painter->drawText(box, Qt::AlignCenter | Qt::TextDontClip,
                              fm.elidedText(m_texts[j], Qt::ElideRight, box0.width() - 2 * TokenPadX));
        }
    }
    if (rationale) {
        painter->setFont(g.small);
        painter->setPen(fg);
        painter->drawText(QRect(x0, origin.y() + g.tokensHeight, g.columnWidth, fmSmall.height()), Qt::AlignLeft,
                          tr("outlined: rationale"));
    }
}

QString TextView::csv() const
{
    QString out = QStringLiteral("sample,task,token_index,token,weight,rationale,gold,predicted,probability\n");
    const AttentionSample *s = sample();
    if (!s)
        return out;
    const auto quoted = [](const std::string &text) { return QString::fromStdString(csvQuote(text)); };
    QStringList tokens;
    for (const std::string &token : s->tokens)
        tokens << quoted(token);
    for (int t = 0; t < snapshot().taskCount(); ++t) {
        const TaskInfo &info = snapshot().tasks[size_t(t)];
        const QString name = quoted(info.name);
        const int gold = t < int(s->labels.size()) ? s->labels[size_t(t)] : -1;
        const int pred = s->predicted(t);
        for (int j = 0; j < s->tokenCount(); ++j) {
            const bool r = s->hasRationale(t) && j < int(s->rationale[size_t(t)].size())
                           && s->rationale[size_t(t)][size_t(j)];
            // One arg() of strings: a name holding "%3" stays as it is.
            out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9\n")
                       .arg(QString::number(s->sampleIndex), name, QString::number(j), tokens[j],
                            QString::number(weight(t, j), 'g', 9),
                            s->hasRationale(t) ? QString::number(int(r)) : QString(),
                            gold >= 0 ? quoted(info.classes[size_t(gold)]) : QString(),
                            pred >= 0 ? quoted(info.classes[size_t(pred)]) : QString(),
                            pred >= 0 ? QString::number(s->probs[size_t(t)][size_t(pred)], 'g', 9) : QString());
        }
    }
    return out;
}

} // namespace attnscope
