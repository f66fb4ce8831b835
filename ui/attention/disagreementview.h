// Where the tasks disagree, for the selected sample: per token, the spread of
// the tasks' scores (max - min over tasks) as a bar, and each task's own
// score as a dot in the task's colour (the first MaxNamedTasks tasks; the
// legend names the rest "in the spread"). The score is the panel's chooser's
// (attention by default; a signed one's dots go below 0), named with its
// step in the title. Tall bars are tokens that one task looks at and another
// ignores; with `shared` attention every attention bar is zero, while an
// explanation through the task's own head may still differ.
#pragma once

#include "attentionview.h"

class QCustomPlot;

namespace attnscope {

class DisagreementView : public SnapshotView {
    Q_OBJECT

public:
    explicit DisagreementView(QWidget *parent = nullptr);

    // Spread (max - min over tasks) of token j's score, NaN when none.
    double spread(int token) const;
    // What the view shows and from when: "attention · step 1200 · sample #12".
    QString title() const;
    QCustomPlot *plot() const { return m_plot; }
    QString csv() const override;

protected:
    void snapshotChanged(const AttentionSnapshot &previous, int previousSample) override;
    void sampleChanged() override;
    void scoreChanged() override;
    void draw() override;

private:
    // Every task's scores, their spread per token and the range to show
    // (kept whether shown or not).
    void updateSpread();
    // Task t's scores as dots in its colour.
    void addTaskDots(int t, const QVector<double> &keys);
    void placeLabels();

    QCustomPlot *m_plot = nullptr;
    QLabel *m_title = nullptr;
    std::vector<std::vector<float>> m_values;  // [task][token] the score, NaN where none
    std::vector<double> m_spread;
    double m_top = 0, m_bottom = 0;  // the largest and the smallest value shown (the bottom at most 0)
};

} // namespace attnscope
