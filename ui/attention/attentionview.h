// What the attention views share.
//
// AttentionView: a view drawn from numbers it keeps. rebuild() draws at once
// while the view is seen and only marks it stale while it is hidden (a
// hidden tab costs nothing per snapshot and catches up when it is shown);
// a new palette (the theme), a new font (the zoom) or, for views whose
// labels are spaced for the width, a resize draws it again. csv() is its numbers, what the panel's
// Export writes (names and tokens quoted with core's csvQuote).
//
// SnapshotView: an AttentionView of one snapshot's selected sample, in the
// panel's colour map and scale (the heatmap, the text, self-attention and
// disagreement views). The history gathers many snapshots instead: an
// AttentionView, not a SnapshotView.
#pragma once

#include "attentionsnapshot.h"
#include "colormaps.h"

#include <QWidget>

class QCustomPlot;
class QBoxLayout;
class QLabel;

namespace attnscope {

class AttentionView : public QWidget {
    Q_OBJECT

public:
    // The unknown words' legend, out of the title's row, for the caller to
    // place (the heatmap's in the panel's row of controls, where there is
    // room: beside the title it wrapped the title at 1024 x 768 and 150 %);
    // the view still shows and hides it.
    QLabel *takeUnknownLegend();
    // Never shows the legend: the probe editor's heatmap, whose text view
    // below says it (its line cost the task rows their names at 150 %).
    void hideUnknownLegend();
    // The view's numbers as CSV, one header line first.
    virtual QString csv() const = 0;
    // The score the view shows (scores.h; the panel's chooser): attention by default.
    void setScore(Method score);
    Method score() const { return m_score; }

protected:
    explicit AttentionView(QWidget *parent = nullptr);

    // A new score: rebuild() unless overridden.
    virtual void scoreChanged();

    // What the view shows changed: draw() now when the view is visible,
    // otherwise when it is next shown.
    void rebuild();
    // Draws what the view keeps; called only while it is visible.
    virtual void draw() = 0;
    // A plot that fills the view.
    QCustomPlot *addPlot();
    // A line of text above the plot addPlot() made (the view's title: what it shows, from when).
    QLabel *addTitle(QCustomPlot *plot);
    // The legend of the unknown words' mark (unknownmark.h), made at its
    // first call: beside the title addTitle() made, else where the view puts it.
    QLabel *unknownLegend();
    // Shows it (in the palette's colour) while the sample shown has an unknown word, hides it otherwise.
    void setUnknownLegendShown(bool shown);
    // A resize of `child` (a plot whose labels are spaced for its size)
    // rebuilds the view, once the layout has settled.
    void rebuildWhenResized(QWidget *child);

    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    bool m_stale = true;
    QWidget *m_resizeWatched = nullptr;
    QLabel *m_unknownLegend = nullptr;
    QBoxLayout *m_titleRow = nullptr;
    bool m_unknownLegendHidden = false;
    Method m_score = Method::Attention;
};

class SnapshotView : public AttentionView {
    Q_OBJECT

public:
    void setSnapshot(const AttentionSnapshot &snapshot);
    void setSnapshot(SnapshotPtr snapshot);  // shares it, no copy
    const AttentionSnapshot &snapshot() const { return *m_snapshot; }
    void setSelectedSample(int index);  // index into snapshot().samples
    int selectedSample() const { return m_sample; }
    void setColorMap(ColorMap map);
    void setColorScale(ColorScale scale);
    ColorMap colorMap() const { return m_colorMap; }
    ColorScale colorScale() const { return m_colorScale; }
    // What the view shows for task t of sample s: the score at every
    // position, NaN where there is none (empty: none at all).
    std::vector<float> values(const AttentionSample &s, int task) const { return s.scores(task, score()); }

protected:
    explicit SnapshotView(QWidget *parent = nullptr);

    // The selected sample of the snapshot, nullptr when there is none.
    const AttentionSample *sample() const;
    // What changed (the snapshot: `previous` was shown, its sample
    // `previousSample`); each rebuilds the view unless overridden.
    virtual void snapshotChanged(const AttentionSnapshot &previous, int previousSample);
    virtual void sampleChanged();
    virtual void colorsChanged();
    void scoreChanged() override;  // colorsChanged() unless overridden

private:
    SnapshotPtr m_snapshot = std::make_shared<const AttentionSnapshot>();
    int m_sample = 0;
    ColorMap m_colorMap = ColorMap::Viridis;
    ColorScale m_colorScale = ColorScale::Fixed;
};

// Every how many of `count` labels of `perLabel` pixels one is drawn so that
// they fit `available` pixels (1: every one).
int labelStride(int count, int perLabel, int available);

// Which of `count` labels to draw, in order, where only every `every`-th
// fits: the `keep` ones first (the most-attended tokens, most important
// first; one that would crowd an earlier kept one is left out), then every
// `every`-th that is at least `every` from each one drawn. All of them when
// `every` is 1.
std::vector<int> thinnedLabels(int count, int every, const std::vector<int> &keep);

} // namespace attnscope
