#include "textview.h"

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
} // namespace

TextView::TextView(QWidget *parent) : QWidget(parent)
{
    QFont f = font();
    f.setPointSize(LabelPointSize + 1);
    setFont(f);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
}

void TextView::setSnapshot(const AttentionSnapshot &snapshot)
{
    setSnapshot(std::make_shared<const AttentionSnapshot>(snapshot));
}

void TextView::setSnapshot(SnapshotPtr snapshot)
{
    const SnapshotPtr before = m_snapshot;  // keeps `old` alive
    const AttentionSample *old = sample();
    const int oldTasks = m_snapshot->taskCount();
    m_snapshot = snapshot ? std::move(snapshot) : std::make_shared<const AttentionSnapshot>();
    if (m_sample >= int(m_snapshot->samples.size()))
        m_sample = 0;
    // The same tokens (the next refresh of the same probe): the layout stands,
    // only the shades change.
    if (!sameTokens(old, sample()) || oldTasks != m_snapshot->taskCount()) {
        m_cacheWidth = -1;
        updateGeometry();
    }
    update();
}

bool TextView::sameTokens(const AttentionSample *a, const AttentionSample *b) const
{
    if (!a || !b)
        return a == b;
    return a->tokens == b->tokens && a->values.size() == b->values.size()
           && std::equal(a->values.begin(), a->values.end(), b->values.begin(),
                         [](float x, float y) { return x == y || (std::isnan(x) && std::isnan(y)); });
}

void TextView::updateTokenCache(const AttentionSample &s) const
{
    const bool same = m_cachedFont == font() && m_cachedTokens == s.tokens && m_cachedValues.size() == s.values.size()
                      && std::equal(s.values.begin(), s.values.end(), m_cachedValues.begin(),
                                    [](float x, float y) { return x == y || (std::isnan(x) && std::isnan(y)); });
    if (same && m_widths.size() == s.tokens.size())
        return;
    const QFontMetrics fm(font());
    m_cachedFont = font();
    m_cachedTokens = s.tokens;
    m_cachedValues = s.values;
    m_texts.clear();
    m_widths.clear();
    m_static.clear();
    for (size_t j = 0; j < s.tokens.size(); ++j) {
        QString text = elidedName(s.tokens[j]);  // a token may be long (a feature is named by its column)
        if (m_snapshot->input == InputKind::Tabular && j < s.values.size())
            text += std::isnan(s.values[j]) ? QStringLiteral("=–") : QStringLiteral("=%1").arg(s.values[j], 0, 'g', 4);
        m_widths.push_back(fm.horizontalAdvance(text));
        m_texts << text;
        QStaticText st(text);
        st.setTextFormat(Qt::PlainText);
        st.setPerformanceHint(QStaticText::AggressiveCaching);
        m_static.push_back(std::move(st));
    }
}

void TextView::setSelectedSample(int index)
{
    m_sample = index;
    m_cacheWidth = -1;
    updateGeometry();
    update();
}

void TextView::setColorMap(ColorMap map)
{
    m_colorMap = map;
    update();
}

void TextView::setColorScale(ColorScale scale)
{
    m_colorScale = scale;
    update();
}

const AttentionSample *TextView::sample() const
{
    if (m_sample < 0 || m_sample >= int(m_snapshot->samples.size()))
        return nullptr;
    return &m_snapshot->samples[size_t(m_sample)];
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
    return colorAt(m_colorMap, m_maxWeight > 0 ? weight / m_maxWeight : 0);
}

QString TextView::header(int task) const
{
    const AttentionSample *s = sample();
    if (!s || task < 0 || task >= m_snapshot->taskCount())
        return {};
    const TaskInfo &info = m_snapshot->tasks[size_t(task)];
    auto className = [&](int c) {
        return c >= 0 && c < int(info.classes.size()) ? elidedName(info.classes[size_t(c)])
                                                       : QStringLiteral("–");
    };
    const int gold = task < int(s->labels.size()) ? s->labels[size_t(task)] : -1;
    const int pred = s->predicted(task);
    const double p = pred >= 0 ? s->probs[size_t(task)][size_t(pred)] : 0.0;
    QString text = tr("gold %1 · predicted %2 (%3)").arg(className(gold), className(pred)).arg(p, 0, 'f', 2);
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
        m_cacheHeight = layoutAndPaint(nullptr, width);
        m_cacheWidth = width;
    }
    return m_cacheHeight;
}

void TextView::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    layoutAndPaint(&painter, width(), event->rect());
}

int TextView::layoutAndPaint(QPainter *painter, int width, const QRect &clip) const
{
    const AttentionSample *s = sample();
    const QFontMetrics fm(font());
    QFont bold = font();
    bold.setBold(true);
    const QFontMetrics fmBold(bold);
    QFont small = font();
    small.setPointSize(LabelPointSize);
    const QFontMetrics fmSmall(small);
    const QColor fg = palette().color(QPalette::WindowText);
    if (!s || m_snapshot->taskCount() == 0) {
        if (painter) {
            painter->setPen(fg);
            painter->drawText(QRect(0, 0, width, 60), Qt::AlignCenter, tr("No attention snapshot yet"));
        }
        return 60;
    }
    // The sample's largest weight over all tasks sets the top of the scale,
    // so that columns compare directly.
    double maxWeight = 0;
    for (const auto &w : s->weights)
        for (float x : w)
            maxWeight = std::max(maxWeight, double(x));
    const_cast<TextView *>(this)->m_maxWeight = scaleTop(m_colorScale, maxWeight);

    updateTokenCache(*s);
    // The columns in rows of as many as fit side by side at MinColumnWidth
    // (a file may have thousands of tasks: they wrap, and only the rows in
    // view are painted). Every column holds the same tokens in the same
    // width, so they share one layout and one height.
    const int T = m_snapshot->taskCount();
    const int perRow = std::clamp((width - 2 * Margin + ColumnGap) / (MinColumnWidth + ColumnGap), 1, T);
    const int columnWidth = std::max(MinColumnWidth, (width - 2 * Margin - (perRow - 1) * ColumnGap) / perRow);
    const int lineHeight = fm.height() + 2 * TokenPadY + TokenGap;
    const int headerHeight = 6 + fmBold.height() + fmSmall.height() + 8;
    // Token j's box, relative to the column's first token line.
    std::vector<QRect> boxes(size_t(s->tokenCount()));
    int x = 0, y = 0;
    for (int j = 0; j < s->tokenCount(); ++j) {
        // A few pixels of slack: integer advances round down, and a
        // token that fits must never be elided.
        const int w = std::min(columnWidth, m_widths[size_t(j)] + 2 * TokenPadX + 4);
        if (x > 0 && x + w > columnWidth) {
            x = 0;
            y += lineHeight;
        }
        boxes[size_t(j)] = QRect(x, y, w, fm.height() + 2 * TokenPadY);
        x += w + TokenGap + 2;
    }
    const int tokensHeight = y + lineHeight;
    const int columnHeight = headerHeight + tokensHeight + fmSmall.height();
    int top = Margin;
    if (painter) {
        painter->setPen(fg);
        painter->setFont(small);
        QString title = tr("%1 · step %2 · colour: attention 0 – %3 (%4)")
                            .arg(s->sampleIndex >= 0 ? tr("sample #%1").arg(s->sampleIndex)
                                                 : m_snapshot->input == InputKind::Tabular ? tr("edited row") : tr("typed text"))
                            .arg(m_snapshot->step)
                            .arg(m_maxWeight, 0, 'f', 3)
                            .arg(colorMapName(m_colorMap));
        painter->drawText(QRect(Margin, top, width - 2 * Margin, fmSmall.height()), Qt::AlignLeft, title);
    }
    top += fmSmall.height() + 8;
    const int rows = (T + perRow - 1) / perRow;
    const int rowHeight = columnHeight + ColumnGap;
    if (!painter)
        return top + rows * rowHeight - ColumnGap + Margin;

    // Only the rows of columns that meet the exposed area are painted.
    const int firstRow = clip.isNull() ? 0 : std::clamp((clip.top() - top) / rowHeight, 0, rows);
    const int lastRow = clip.isNull() ? rows : std::clamp((clip.bottom() - top) / rowHeight + 1, 0, rows);
    for (int t = firstRow * perRow; t < std::min(T, lastRow * perRow); ++t) {
        const int x0 = Margin + (t % perRow) * (columnWidth + ColumnGap);
        const int y0 = top + (t / perRow) * rowHeight;
        // Column header: task colour bar, name, gold / prediction.
        painter->fillRect(QRect(x0, y0, columnWidth, 4), taskColor(t));
        painter->setFont(bold);
        painter->setPen(fg);
        painter->drawText(QRect(x0, y0 + 6, columnWidth, fmBold.height()), Qt::AlignLeft,
                          fmBold.elidedText(elidedName(m_snapshot->tasks[size_t(t)].name), Qt::ElideRight, columnWidth));
        painter->setFont(small);
        painter->drawText(QRect(x0, y0 + 6 + fmBold.height(), columnWidth, fmSmall.height()),
                          Qt::AlignLeft, fmSmall.elidedText(header(t), Qt::ElideRight, columnWidth));
        // Tokens, wrapped within the column.
        const QPoint origin(x0, y0 + headerHeight);
        const bool rationale = s->hasRationale(t);
        painter->setFont(font());
        for (int j = 0; j < s->tokenCount(); ++j) {
            const QRect box0 = boxes[size_t(j)].translated(origin);
            // Only what is exposed is painted (a 512-token sample is long).
            if (!clip.isNull() && !clip.intersects(box0.adjusted(-4, -4, 4, 4 + TokenGap)))
                continue;
            const double a = weight(t, j);
            const QColor bg = shade(std::isfinite(a) ? a : 0);
            const QRectF box(box0);
            painter->setPen(Qt::NoPen);
            painter->setBrush(bg);
            painter->drawRoundedRect(box, 3, 3);
            if (rationale && j < int(s->rationale[size_t(t)].size()) && s->rationale[size_t(t)][size_t(j)]) {
                // Rationale: a thick outline in the task's colour over a thin contrasting one.
                painter->setBrush(Qt::NoBrush);
                painter->setPen(QPen(fg, 1));
                painter->drawRoundedRect(box.adjusted(-2.5, -2.5, 2.5, 2.5), 4, 4);
                painter->setPen(QPen(taskColor(t), 2.5));
                painter->drawRoundedRect(box.adjusted(-1, -1, 1, 1), 3, 3);
            }
            painter->setPen(textColorOn(bg));
            if (box0.width() < columnWidth) {
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
            painter->setFont(small);
            painter->setPen(fg);
            painter->drawText(QRect(x0, origin.y() + tokensHeight, columnWidth, fmSmall.height()), Qt::AlignLeft,
                              tr("outlined: rationale"));
        }
    }
    return top + rows * rowHeight - ColumnGap + Margin;
}

QString TextView::csv() const
{
    QString out = QStringLiteral("sample,task,token_index,token,weight,rationale,gold,predicted,probability\n");
    const AttentionSample *s = sample();
    if (!s)
        return out;
    auto quote = [](QString v) {
        return QLatin1Char('"') + v.replace(QLatin1Char('"'), QLatin1String("\"\"")) + QLatin1Char('"');
    };
    for (int t = 0; t < m_snapshot->taskCount(); ++t) {
        const TaskInfo &info = m_snapshot->tasks[size_t(t)];
        const int gold = t < int(s->labels.size()) ? s->labels[size_t(t)] : -1;
        const int pred = s->predicted(t);
        for (int j = 0; j < s->tokenCount(); ++j) {
            const bool r = s->hasRationale(t) && j < int(s->rationale[size_t(t)].size())
                           && s->rationale[size_t(t)][size_t(j)];
            out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9\n")
                       .arg(s->sampleIndex)
                       .arg(quote(QString::fromStdString(info.name)))
                       .arg(j)
                       .arg(quote(QString::fromStdString(s->tokens[size_t(j)])))
                       .arg(QString::number(weight(t, j), 'g', 9))
                       .arg(s->hasRationale(t) ? QString::number(int(r)) : QString())
                       .arg(gold >= 0 ? quote(QString::fromStdString(info.classes[size_t(gold)])) : QString())
                       .arg(pred >= 0 ? quote(QString::fromStdString(info.classes[size_t(pred)])) : QString())
                       .arg(pred >= 0 ? QString::number(s->probs[size_t(t)][size_t(pred)], 'g', 9) : QString());
        }
    }
    return out;
}

} // namespace attnscope
