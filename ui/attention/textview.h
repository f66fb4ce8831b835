// The text view: the selected sample's tokens, each on a background shaded by
// its attention, one column per task side by side (in rows of as many
// columns as fit the width: thousands of tasks scroll down), with the task's
// gold label, prediction and probability above; rationale tokens are
// outlined. Painted by hand so that it exports as vector graphics (SVG, PDF).
// The tokens are shaded by the chosen score (scores.h), named in the title.
// Compare (setCompareTask): the columns are the five scores of one task
// instead, each on its own scale and with its comprehensiveness, sufficiency
// and AUPRC above it.
#pragma once

#include "attentionview.h"

#include <QStaticText>

#include <vector>

namespace attnscope {

class TextView : public SnapshotView {
    Q_OBJECT

public:
    explicit TextView(QWidget *parent = nullptr);

    // The value behind token j of column c (task c's, or in compare the
    // score Method(c)'s), NaN when none.
    double weight(int column, int token) const;
    // The colour a token of this value gets in column c (its scale's top: the
    // sample's largest over the tasks, or the column's own in compare).
    QColor shade(double weight, int column = 0) const;
    // Header line of a column: "gold x · predicted y (0.93)" (no gold where
    // the sample has none, as a file's attention: not "gold –"); in compare the
    // score's "comprehensiveness 0.55", "sufficiency 0.08", "AUPRC 0.76", a line each.
    QString header(int column) const;
    // The line above the columns: sample, score, when computed, colour scale;
    // wrapped in the width (whole: Compare's at 1024 x 768 was always cut).
    QString title() const;
    // The title's lines as painted in `width` (and the unknown words'
    // legend under them while the sample has one): their height.
    int titleHeight(int width) const;
    // Whether token j of the shown sample is drawn as an unknown word
    // (italic, outlined in unknownColor(); unknownmark.h).
    bool tokenMarkedUnknown(int j) const;
    // The line under a column whose task has rationales: "outlined:
    // rationale", or where a column is narrower (Compare's five at 1024 x
    // 768 cut it to "outlined: rationa") "rationale" after an outlined box
    // legendBoxWidth() wide.
    QString rationaleLegend(int columnWidth) const;
    int legendBoxWidth() const;
    // Compare: the five scores of task `task` side by side; -1: one column per task (the default).
    void setCompareTask(int task);
    int compareTask() const { return m_compareTask; }
    int columnCount() const;

    QSize sizeHint() const override;
    int heightForWidth(int width) const override;
    bool hasHeightForWidth() const override { return true; }
    QString csv() const override;
    // The tokens' font: a point above the views' labels, at the zoom.
    QFont tokenFont() const;

protected:
    void paintEvent(QPaintEvent *event) override;
    // A new font (the zoom): the height kept for a width was measured in the old one.
    void changeEvent(QEvent *event) override;
    void snapshotChanged(const AttentionSnapshot &previous, int previousSample) override;
    void sampleChanged() override;
    void colorsChanged() override;
    void draw() override { update(); }

private:
    // Where everything goes in a width: the columns in rows, each column's
    // header and its tokens' boxes (the same in every column).
    struct Geometry {
        QFont bold, small;  // the task's name; its header and the title
        int titleHeight = 0;  // the title's lines and the legend's
        int perRow = 1, columnWidth = 0, headerHeight = 0, tokensHeight = 0;
        int top = 0, rows = 0, rowHeight = 0, height = 0;
        std::vector<QRect> boxes;  // token j's, relative to a column's first token line
    };
    Geometry geometry(const AttentionSample &s, int width) const;
    void paintTitle(QPainter *painter, const Geometry &g, int width) const;
    // Task t's column (header and the tokens that meet `clip`) at its place.
    void paintColumn(QPainter *painter, const Geometry &g, const AttentionSample &s, int t, const QRect &clip) const;
    // The top of the colour scale: the sample's largest value over all tasks
    // (so that columns compare directly), or 1; in compare, each column's own.
    void updateScale();
    // Column c's top (m_tops'); another column: the task columns' shared one, or 1.
    double top(int column) const;
    QString taskHeader(int task) const;  // "gold x · predicted y (0.93) ✓"
    Method columnScore(int column) const { return m_compareTask >= 0 ? Method(column) : score(); }
    int columnTask(int column) const { return m_compareTask >= 0 ? m_compareTask : column; }
    // The sample's token texts and their widths, kept while the tokens stay
    // the same (a probe sample's do, from snapshot to snapshot).
    void updateTokenCache(const AttentionSample &s) const;
    bool sameTokens(const AttentionSample *a, const AttentionSample *b) const;

    int m_compareTask = -1;
    std::vector<double> m_tops;  // per column: the top of its colour scale (all the same but in compare)
    mutable int m_cacheWidth = -1, m_cacheHeight = 0;
    mutable int m_titleHeight = 0;  // at the last geometry()  // heightForWidth of the last width asked
    mutable std::vector<std::string> m_cachedTokens;
    mutable std::vector<uint8_t> m_cachedUnknown;
    mutable std::vector<float> m_cachedValues;
    mutable QFont m_cachedFont;
    mutable QStringList m_texts;      // per token: what is drawn
    mutable std::vector<QStaticText> m_static;  // the same, laid out once
    mutable std::vector<int> m_widths;  // per token: its advance in font()
};

} // namespace attnscope
