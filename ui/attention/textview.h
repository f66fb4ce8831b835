// The text view: the selected sample's tokens, each on a background shaded by
// its attention, one column per task side by side (in rows of as many
// columns as fit the width: thousands of tasks scroll down), with the task's
// gold label, prediction and probability above; rationale tokens are
// outlined. Painted by hand so that it exports as vector graphics (SVG, PDF).
#pragma once

#include "attentionsnapshot.h"
#include "colormaps.h"

#include <QStaticText>
#include <QWidget>

#include <vector>

namespace attnscope {

class TextView : public QWidget {
    Q_OBJECT

public:
    explicit TextView(QWidget *parent = nullptr);

    void setSnapshot(const AttentionSnapshot &snapshot);
    void setSnapshot(SnapshotPtr snapshot);  // shares it, no copy
    void setSelectedSample(int index);
    void setColorMap(ColorMap map);
    void setColorScale(ColorScale scale);
    int selectedSample() const { return m_sample; }

    // Weight behind token j of task t's column (for tests), NaN when none.
    double weight(int task, int token) const;
    // The colour a token of this weight gets (relative to the sample's maximum).
    QColor shade(double weight) const;
    // Header line of a task's column: "gold: x · predicted: y (0.93)".
    QString header(int task) const;

    QSize sizeHint() const override;
    int heightForWidth(int width) const override;
    bool hasHeightForWidth() const override { return true; }
    QString csv() const;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    // Lays out (or paints, when painter is set, the tokens that meet `clip`)
    // into a width; returns the height used.
    int layoutAndPaint(QPainter *painter, int width, const QRect &clip = {}) const;
    const AttentionSample *sample() const;
    // The sample's token texts and their widths, kept while the tokens stay
    // the same (a probe sample's do, from snapshot to snapshot).
    void updateTokenCache(const AttentionSample &s) const;
    bool sameTokens(const AttentionSample *a, const AttentionSample *b) const;

    SnapshotPtr m_snapshot = std::make_shared<const AttentionSnapshot>();
    int m_sample = 0;
    ColorMap m_colorMap = ColorMap::Viridis;
    ColorScale m_colorScale = ColorScale::Fixed;
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
