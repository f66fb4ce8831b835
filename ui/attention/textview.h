// The text view: the selected sample's tokens, each on a background shaded by
// its attention, one column per task side by side (in rows of as many
// columns as fit the width: thousands of tasks scroll down), with the task's
// gold label, prediction and probability above; rationale tokens are
// outlined. Painted by hand so that it exports as vector graphics (SVG, PDF).
#pragma once

#include "attentionview.h"

#include <QStaticText>

#include <vector>

namespace attnscope {

class TextView : public SnapshotView {
    Q_OBJECT

public:
    explicit TextView(QWidget *parent = nullptr);

    // Weight behind token j of task t's column (for tests), NaN when none.
    double weight(int task, int token) const;
    // The colour a token of this weight gets (relative to the sample's maximum).
    QColor shade(double weight) const;
    // Header line of a task's column: "gold: x · predicted: y (0.93)".
    QString header(int task) const;

    QSize sizeHint() const override;
    int heightForWidth(int width) const override;
    bool hasHeightForWidth() const override { return true; }
    QString csv() const override;
    // The tokens' font: a point above the views' labels, at the zoom.
    QFont tokenFont() const;

protected:
    void paintEvent(QPaintEvent *event) override;
    void snapshotChanged(const AttentionSnapshot &previous, int previousSample) override;
    void sampleChanged() override;
    void colorsChanged() override;
    void draw() override { update(); }

private:
    // Where everything goes in a width: the columns in rows, each column's
    // header and its tokens' boxes (the same in every column).
    struct Geometry {
        QFont bold, small;  // the task's name; its header and the title
        int perRow = 1, columnWidth = 0, headerHeight = 0, tokensHeight = 0;
        int top = 0, rows = 0, rowHeight = 0, height = 0;
        std::vector<QRect> boxes;  // token j's, relative to a column's first token line
    };
    Geometry geometry(const AttentionSample &s, int width) const;
    void paintTitle(QPainter *painter, const Geometry &g, const AttentionSample &s, int width) const;
    // Task t's column (header and the tokens that meet `clip`) at its place.
    void paintColumn(QPainter *painter, const Geometry &g, const AttentionSample &s, int t, const QRect &clip) const;
    // The top of the colour scale: the sample's largest weight over all tasks
    // (so that columns compare directly), or 1.
    void updateScale();
    // The sample's token texts and their widths, kept while the tokens stay
    // the same (a probe sample's do, from snapshot to snapshot).
    void updateTokenCache(const AttentionSample &s) const;
    bool sameTokens(const AttentionSample *a, const AttentionSample *b) const;

    double m_maxWeight = 1;
    mutable int m_cacheWidth = -1, m_cacheHeight = 0;  // heightForWidth of the last width asked
    mutable std::vector<std::string> m_cachedTokens;
    mutable std::vector<float> m_cachedValues;
    mutable QFont m_cachedFont;
    mutable QStringList m_texts;      // per token: what is drawn
    mutable std::vector<QStaticText> m_static;  // the same, laid out once
    mutable std::vector<int> m_widths;  // per token: its advance in font()
};

} // namespace attnscope
