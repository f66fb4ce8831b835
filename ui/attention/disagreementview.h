// Where the tasks disagree, for the selected sample: per token, the spread of
// the tasks' attention (max - min over tasks) as a bar, and each task's own
// weight as a dot in the task's colour (the first MaxNamedTasks tasks; the
// legend names the rest "in the spread"). Tall bars are tokens that one task
// looks at and another ignores; with `shared` attention every bar is zero.
#pragma once

#include "attentionsnapshot.h"

#include <QWidget>

class QCustomPlot;
class QCPBars;

namespace attnscope {

class DisagreementView : public QWidget {
    Q_OBJECT

public:
    explicit DisagreementView(QWidget *parent = nullptr);

    void setSnapshot(const AttentionSnapshot &snapshot);
    void setSnapshot(SnapshotPtr snapshot);  // shares it, no copy
    void setSelectedSample(int index);
    int selectedSample() const { return m_sample; }

    // Spread (max - min over tasks) of token j's attention, NaN when none.
    double spread(int token) const;
    QCustomPlot *plot() const { return m_plot; }
    QString csv() const;

protected:
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void rebuild();

    QCustomPlot *m_plot = nullptr;
    SnapshotPtr m_snapshot = std::make_shared<const AttentionSnapshot>();
    int m_sample = 0;
    std::vector<double> m_spread;
    bool m_plotDirty = true;
};

} // namespace attnscope
