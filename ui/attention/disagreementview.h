// Where the tasks disagree, for the selected sample: per token, the spread of
// the tasks' attention (max - min over tasks) as a bar, and each task's own
// weight as a dot in the task's colour (the first MaxNamedTasks tasks; the
// legend names the rest "in the spread"). Tall bars are tokens that one task
// looks at and another ignores; with `shared` attention every bar is zero.
#pragma once

#include "attentionview.h"

class QCustomPlot;

namespace attnscope {

class DisagreementView : public SnapshotView {
    Q_OBJECT

public:
    explicit DisagreementView(QWidget *parent = nullptr);

    // Spread (max - min over tasks) of token j's attention, NaN when none.
    double spread(int token) const;
    QCustomPlot *plot() const { return m_plot; }
    QString csv() const override;

protected:
    void snapshotChanged(const AttentionSnapshot &previous, int previousSample) override;
    void sampleChanged() override;
    void draw() override;

private:
    // The spread of every token and the largest weight (kept whether shown or not).
    void updateSpread();
    // Task t's weights as dots in its colour.
    void addTaskDots(int t, const QVector<double> &keys);
    void placeLabels();

    QCustomPlot *m_plot = nullptr;
    std::vector<double> m_spread;
    double m_top = 0;  // the largest weight of the sample
};

} // namespace attnscope
