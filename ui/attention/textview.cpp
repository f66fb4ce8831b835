#include "textview.h"

#include "appearance.h"
#include "csvwriter.h"
#include "scores.h"
#include "tasknames.h"
#include "unknownmark.h"

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
    // A title of more or fewer lines (a wrapped step, the legend) moves the columns too.
    if (!sameTokens(old, sample()) || previous.taskCount() != snapshot().taskCount()
        || titleHeight(width()) != m_titleHeight) {
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
    const AttentionSample *s = sample();
    const int columns = columnCount();
    m_tops.assign(size_t(columns), 1.0);
    if (m_compareTask >= 0) {
        for (int c = 0; c < columns && s; ++c)
            m_tops[size_t(c)] = scoreTop(Method(c), colorScale(), largestValue(Method(c), s->scores(m_compareTask, Method(c))));
        return;
    }
    double largest = 0;
    for (int t = 0; t < columns && s; ++t)
        largest = std::max(largest, largestValue(score(), values(*s, t)));
    std::fill(m_tops.begin(), m_tops.end(), scoreTop(score(), colorScale(), largest));
}

double TextView::top(int column) const
{
    if (column >= 0 && column < int(m_tops.size()))
        return m_tops[size_t(column)];
    // No such column: the task columns' shared top (1 when there are none, and in compare).
    return m_compareTask < 0 && !m_tops.empty() ? m_tops.front() : 1.0;
}

int TextView::columnCount() const
{
    return m_compareTask >= 0 ? ScoreCount : snapshot().taskCount();
}

void TextView::setCompareTask(int task)
{
    if (task == m_compareTask)
        return;
    m_compareTask = task;
    m_cacheWidth = -1;
    updateGeometry();
    updateScale();
    rebuild();
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
    const bool same = m_cachedFont == tokenFont() && m_cachedTokens == s.tokens && m_cachedUnknown == s.unknown
                      && m_cachedValues.size() == s.values.size()
                      && std::equal(s.values.begin(), s.values.end(), m_cachedValues.begin(),
                                    [](float x, float y) { return x == y || (std::isnan(x) && std::isnan(y)); });
    if (same && m_widths.size() == s.tokens.size())
        return;
    const QFontMetrics fm(tokenFont());
    m_cachedFont = tokenFont();
    m_cachedTokens = s.tokens;
    m_cachedUnknown = s.unknown;
    m_cachedValues = s.values;
    m_texts.clear();
    m_widths.clear();
    m_static.clear();
    const QFontMetrics fmUnknown(unknownFont(tokenFont()));
    for (size_t j = 0; j < s.tokens.size(); ++j) {
        // The word alone: an unknown one is drawn in italic and outlined (unknownmark.h).
        QString text = elidedName(s.tokens[j]);  // a token may be long (a feature is named by its column)
        if (snapshot().input == InputKind::Tabular && j < s.values.size())
            text += std::isnan(s.values[j]) ? QStringLiteral("=–") : QStringLiteral("=%1").arg(s.values[j], 0, 'g', 4);
        m_widths.push_back((s.isUnknown(j) ? fmUnknown : fm).horizontalAdvance(text));
        m_texts << text;
        QStaticText st(text);
        st.setTextFormat(Qt::PlainText);
        st.setPerformanceHint(QStaticText::AggressiveCaching);
        m_static.push_back(std::move(st));
    }
}

double TextView::weight(int column, int token) const
{
    const AttentionSample *s = sample();
    if (!s || column < 0 || column >= columnCount() || token < 0)
        return std::nan("");
    const std::vector<float> v = s->scores(columnTask(column), columnScore(column));
    return token < int(v.size()) ? v[size_t(token)] : std::nan("");
}

QColor TextView::shade(double weight, int column) const
{
    return scoreColor(colorMap(), columnScore(column), weight, top(column));
}

QString TextView::header(int column) const
{
    const AttentionSample *s = sample();
    if (m_compareTask >= 0) {
        if (!s || column < 0 || column >= ScoreCount)
            return {};
        const Faithfulness *f = s->faithfulness(m_compareTask, Method(column));
        if (!f)
            return scoreSource(snapshot(), s, Method(column));
        QString text = tr("comprehensiveness %1\nsufficiency %2")
                           .arg(f->comprehensiveness, 0, 'f', 2)
                           .arg(f->sufficiency, 0, 'f', 2);
        if (f->auprc)
            text += tr("\nAUPRC %1").arg(*f->auprc, 0, 'f', 2);  // its own line: at 1024 px a column is ~140 px
        return text;
    }
    return taskHeader(column);
}

QString TextView::taskHeader(int task) const
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
    // Nothing said of a gold label the sample has not (a file's attention
    // carries none: "gold –" read as a missing value).
    const bool hasGold = gold >= 0 && gold < int(info.classes.size());
    const QString predicted = pred >= 0 ? tr("predicted %1 (%2)").arg(className(pred), QString::number(p, 'f', 2))
                                        : QString();
    if (!hasGold)
        return predicted;
    if (predicted.isEmpty())
        return tr("gold %1").arg(className(gold));
    return tr("gold %1 · %2").arg(className(gold), predicted) + (gold == pred ? QStringLiteral(" ✓") : QStringLiteral(" ✗"));
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
        m_cacheHeight = s && columnCount() > 0 ? geometry(*s, width).height : EmptyHeight;
        m_cacheWidth = width;
    }
    return m_cacheHeight;
}

void TextView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange)
        m_cacheWidth = -1;
    SnapshotView::changeEvent(event);  // updateGeometry(): the layout asks again
}

void TextView::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const AttentionSample *s = sample();
    if (!s || columnCount() == 0) {
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(QRect(0, 0, width(), EmptyHeight), Qt::AlignCenter, tr("No attention snapshot yet"));
        return;
    }
    const Geometry g = geometry(*s, width());
    paintTitle(&painter, g, width());
    // Only the rows of columns that meet the exposed area are painted.
    const QRect clip = event->rect();
    const int T = columnCount();
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
    const int T = columnCount();
    g.perRow = std::clamp((width - 2 * Margin + ColumnGap) / (MinColumnWidth + ColumnGap), 1, T);
    g.columnWidth = std::max(MinColumnWidth, (width - 2 * Margin - (g.perRow - 1) * ColumnGap) / g.perRow);
    const int lineHeight = fm.height() + 2 * TokenPadY + TokenGap;
    g.headerHeight = 6 + QFontMetrics(g.bold).height() + (m_compareTask >= 0 ? 3 : 1) * fmSmall.height() + 8;
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
    g.titleHeight = titleHeight(width);
    m_titleHeight = g.titleHeight;
    g.top = Margin + g.titleHeight + 8;  // below the title
    g.rows = (T + g.perRow - 1) / g.perRow;
    g.rowHeight = columnHeight + ColumnGap;
    g.height = g.top + g.rows * g.rowHeight - ColumnGap + Margin;
    return g;
}

int TextView::titleHeight(int width) const
{
    const QFontMetrics fm(labelFont(font()));
    const int lines = fm.boundingRect(QRect(0, 0, std::max(1, width - 2 * Margin), 100000), Qt::TextWordWrap, title()).height();
    const AttentionSample *s = sample();
    const bool unknown = s && std::find(s->unknown.begin(), s->unknown.end(), uint8_t(1)) != s->unknown.end();
    return std::max(lines, fm.height()) + (unknown ? fm.height() : 0);
}

bool TextView::tokenMarkedUnknown(int j) const
{
    const AttentionSample *s = sample();
    return s && s->isUnknown(size_t(j));
}

void TextView::paintTitle(QPainter *painter, const Geometry &g, int width) const
{
    // Wrapped, whole: Compare's title ("sample #3 · sentiment (gold … ·
    // predicted …) · the five scores · …") was cut after its task at 1024 px.
    const QFontMetrics fm(g.small);
    painter->setPen(palette().color(QPalette::WindowText));
    painter->setFont(g.small);
    const QRect room(Margin, Margin, width - 2 * Margin, g.titleHeight);
    painter->drawText(room, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, title());
    // The unknown words' legend under it, a line of its own: a token's
    // dashed outline, then what it means.
    const AttentionSample *s = sample();
    if (s && std::find(s->unknown.begin(), s->unknown.end(), uint8_t(1)) != s->unknown.end()) {
        const QRect line(Margin, Margin + g.titleHeight - fm.height(), width - 2 * Margin, fm.height());
        const int side = fm.ascent() - 2;
        painter->setBrush(Qt::NoBrush);
        painter->setPen(QPen(unknownColor(palette()), 1.5, Qt::DashLine));
        painter->drawRoundedRect(QRectF(line.left() + 1.5, line.center().y() - side / 2.0, 1.6 * side, side), 2, 2);
        const int indent = int(1.6 * side) + 9;
        painter->setPen(unknownColor(palette()));
        painter->setFont(unknownFont(g.small));
        painter->drawText(line.adjusted(indent, 0, 0, 0), Qt::AlignLeft,
                          QFontMetrics(painter->font()).elidedText(tr("unknown word (<unk>)"), Qt::ElideRight, line.width() - indent));
    }
}

QString TextView::title() const
{
    const AttentionSample *s = sample();
    if (!s)
        return {};
    const QString which = sampleName(snapshot(), *s);
    if (m_compareTask >= 0) {
        QString task = m_compareTask < snapshot().taskCount()
                           ? elidedName(snapshot().tasks[size_t(m_compareTask)].name) : QString();
        // The compared task's gold label and prediction, as a task column's
        // header says them. A file's attention has no step (as the heatmap's
        // title says) and no other score (no model here to compute them).
        if (const QString header = taskHeader(m_compareTask); !header.isEmpty())
            task += QStringLiteral(" (%1)").arg(header);
        if (snapshot().fromFile)
            return tr("%1 · %2 · attention from a file, the other scores not in it").arg(which, task);
        // One step said once where the explanations are of the attention's step.
        if (s->explanation && s->explanation->step == snapshot().step)
            return tr("%1 · %2 · the five scores at step %3 · each column its own scale")
                .arg(which, task)
                .arg(snapshot().step);
        return tr("%1 · %2 · the five scores · attention at step %3, the others %4 · each column its own scale")
            .arg(which, task)
            .arg(snapshot().step)
            .arg(scoreSource(snapshot(), s, Method::Rollout));
    }
    const QString range = isSigned(score()) ? tr("−%1 (purple) – %1 (orange), white at 0").arg(top(0), 0, 'g', 3)
                                            : tr("0 – %1 (%2)").arg(top(0), 0, 'g', 3).arg(colorMapName(colorMap()));
    return tr("%1 · %2 · %3 · colour: %4")
        .arg(which, scoreName(score()), scoreSource(snapshot(), s, score()), range);
}

void TextView::paintColumn(QPainter *painter, const Geometry &g, const AttentionSample &s, int t,
                           const QRect &clip) const
{
    const QFontMetrics fm(tokenFont()), fmBold(g.bold), fmSmall(g.small);
    const QColor fg = palette().color(QPalette::WindowText);
    const int x0 = Margin + (t % g.perRow) * (g.columnWidth + ColumnGap);
    const int y0 = g.top + (t / g.perRow) * g.rowHeight;
    // Column header: task colour bar, name, gold / prediction.
    const int task = columnTask(t);
    painter->fillRect(QRect(x0, y0, g.columnWidth, 4), taskColor(task));
    painter->setFont(g.bold);
    painter->setPen(fg);
    const QString name = m_compareTask >= 0 ? scoreName(Method(t)) : elidedName(snapshot().tasks[size_t(t)].name);
    painter->drawText(QRect(x0, y0 + 6, g.columnWidth, fmBold.height()), Qt::AlignLeft,
                      fmBold.elidedText(name, Qt::ElideRight, g.columnWidth));
    painter->setFont(g.small);
    const QStringList lines = header(t).split(QLatin1Char('\n'));  // compare: up to three lines
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QString line = lines[i];
        if (fmSmall.horizontalAdvance(line) > g.columnWidth)  // a narrow column keeps the figures, not the words
            line.replace(tr("comprehensiveness"), tr("compr.")).replace(tr("sufficiency"), tr("suff."));
        painter->drawText(QRect(x0, y0 + 6 + fmBold.height() + int(i) * fmSmall.height(), g.columnWidth, fmSmall.height()),
                          Qt::AlignLeft, fmSmall.elidedText(line, Qt::ElideRight, g.columnWidth));
    }
    // Tokens, wrapped within the column.
    const QPoint origin(x0, y0 + g.headerHeight);
    const bool rationale = s.hasRationale(task);
    const std::vector<float> values = s.scores(task, columnScore(t));  // weight(t, j) of every j, made once
    painter->setFont(tokenFont());
    for (int j = 0; j < s.tokenCount(); ++j) {
        const QRect box0 = g.boxes[size_t(j)].translated(origin);
        // Only what is exposed is painted (a 512-token sample is long).
        if (!clip.intersects(box0.adjusted(-4, -4, 4, 4 + TokenGap)))
            continue;
        const double a = j < int(values.size()) ? values[size_t(j)] : std::nan("");
        const QColor bg = std::isfinite(a) ? shade(a, t) : palette().color(QPalette::AlternateBase);
        const QRectF box(box0);
        painter->setPen(Qt::NoPen);
        painter->setBrush(bg);
        painter->drawRoundedRect(box, 3, 3);
        if (rationale && j < int(s.rationale[size_t(task)].size()) && s.rationale[size_t(task)][size_t(j)]) {
            // Rationale: a thick outline in the task's colour over a thin contrasting one.
            painter->setBrush(Qt::NoBrush);
            painter->setPen(QPen(fg, 1));
            painter->drawRoundedRect(box.adjusted(-2.5, -2.5, 2.5, 2.5), 4, 4);
            painter->setPen(QPen(taskColor(task), 2.5));
            painter->drawRoundedRect(box.adjusted(-1, -1, 1, 1), 3, 3);
        }
        const bool unknown = s.isUnknown(size_t(j));
        if (unknown) {
            // An unknown word (<unk>): outlined in its colour, in italic (unknownmark.h).
            painter->setBrush(Qt::NoBrush);
            painter->setPen(QPen(unknownColor(palette()), 1.5, Qt::DashLine));
            painter->drawRoundedRect(box.adjusted(-1, -1, 1, 1), 3, 3);
            painter->setFont(unknownFont(tokenFont()));
        }
        painter->setPen(textColorOn(bg));
        if (unknown) {
            const QFontMetrics fmUnknown(painter->font());
            painter->drawText(box, Qt::AlignCenter | Qt::TextDontClip,
                              fmUnknown.elidedText(m_texts[j], Qt::ElideRight, box0.width() - 2 * TokenPadX));
            painter->setFont(tokenFont());
        } else if (box0.width() < g.columnWidth) {
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
        // The legend in the column's width: a Compare column at 1024 x 768
        // cut "outlined: rationale" mid-word; there an outlined box says it.
        painter->setFont(g.small);
        const QRect line(x0, origin.y() + g.tokensHeight, g.columnWidth, fmSmall.height());
        const QString legend = rationaleLegend(g.columnWidth);
        int indent = 0;
        if (legend != tr("outlined: rationale")) {
            const int side = fmSmall.ascent() - 2;
            const QRectF box(line.left() + 2.5, line.center().y() - side / 2.0, side, side);
            painter->setBrush(Qt::NoBrush);
            painter->setPen(QPen(taskColor(task), 2.5));
            painter->drawRoundedRect(box, 2, 2);
            indent = legendBoxWidth();
        }
        painter->setPen(fg);
        painter->drawText(line.adjusted(indent, 0, 0, 0), Qt::AlignLeft, legend);
    }
}

int TextView::legendBoxWidth() const
{
    return QFontMetrics(labelFont(font())).ascent() + 6;
}

QString TextView::rationaleLegend(int columnWidth) const
{
    const QFontMetrics fm(labelFont(font()));
    const QString words = tr("outlined: rationale");
    if (fm.horizontalAdvance(words) <= columnWidth)
        return words;
    return fm.elidedText(tr("rationale"), Qt::ElideRight, columnWidth - legendBoxWidth());
}

QString TextView::csv() const
{
    // One value column named by the score (scoreColumnName), or in compare
    // one per score, for the compared task only.
    std::vector<Method> scores;
    QStringList columns;
    if (m_compareTask >= 0) {
        for (int m = 0; m < ScoreCount; ++m) {
            scores.push_back(Method(m));
            columns << QString::fromLatin1(toString(Method(m)));
        }
    } else {
        scores.push_back(score());
        columns << scoreColumnName(score());
    }
    QString out = QStringLiteral("sample,task,token_index,token,%1,rationale,gold,predicted,probability\n")
                      .arg(columns.join(QLatin1Char(',')));
    const AttentionSample *s = sample();
    if (!s)
        return out;
    const auto quoted = [](const std::string &text) { return QString::fromStdString(csvQuote(text)); };
    QStringList tokens;
    for (const std::string &token : s->tokens)
        tokens << quoted(token);
    for (int t = 0; t < snapshot().taskCount(); ++t) {
        if (m_compareTask >= 0 && t != m_compareTask)
            continue;
        const TaskInfo &info = snapshot().tasks[size_t(t)];
        const QString name = quoted(info.name);
        const int gold = t < int(s->labels.size()) ? s->labels[size_t(t)] : -1;
        const int pred = s->predicted(t);
        std::vector<std::vector<float>> values;
        for (Method m : scores)
            values.push_back(s->scores(t, m));
        for (int j = 0; j < s->tokenCount(); ++j) {
            const bool r = s->hasRationale(t) && j < int(s->rationale[size_t(t)].size())
                           && s->rationale[size_t(t)][size_t(j)];
            QStringList numbers;
            for (const std::vector<float> &v : values)
                numbers << (j < int(v.size()) && std::isfinite(v[size_t(j)]) ? QString::number(v[size_t(j)], 'g', 9)
                                                                               : QString());
            // One arg() of strings: a name holding "%3" stays as it is.
            out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9\n")
                       .arg(QString::number(s->sampleIndex), name, QString::number(j), tokens[j],
                            numbers.join(QLatin1Char(',')),
                            s->hasRationale(t) ? QString::number(int(r)) : QString(),
                            gold >= 0 ? quoted(info.classes[size_t(gold)]) : QString(),
                            pred >= 0 ? quoted(info.classes[size_t(pred)]) : QString(),
                            pred >= 0 ? QString::number(s->probs[size_t(t)][size_t(pred)], 'g', 9) : QString());
        }
    }
    return out;
}

} // namespace attnscope
