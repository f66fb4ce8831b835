// Side by side (the tab after Runs): one sample's task attention in up to
// four runs at once, each through its latest weights (Session::runAttention):
// the runs checked in the Runs tab, in its order (the current one last), so
// that the four runs of Training > Compare > Attention modes show together.
// The sample is the one selected in the Attention tab. Each run's heatmap
// (tasks x tokens) is titled with its name, its step and what it predicts;
// a run whose weights are not here (a run of a file without checkpoint) or
// that cannot read the open data says why instead. The current run's
// heatmap follows its training once a second while the tab is seen, and
// shows its weights as soon as it pauses, finishes or stops.
#pragma once

#include <QTimer>
#include <QWidget>

#include <cstdint>
#include <functional>
#include <vector>

class QLabel;

namespace attnscope {

struct AttentionSnapshot;
class Session;
class TaskHeatmap;

class SideBySide : public QWidget {
    Q_OBJECT

public:
    static constexpr int MaxRuns = 4;

    explicit SideBySide(Session *session, QWidget *parent = nullptr);

    // The sample to show: an index into the open data's samples (-1: none).
    void setSample(int datasetIndex);
    int sample() const { return m_sample; }
    // Where the sample comes from until one is set (the Attention tab's selection).
    void setSampleSource(std::function<int()> source) { m_sampleSource = std::move(source); }
    // The runs shown (ids, at most MaxRuns) and, for each, its heatmap and title.
    const std::vector<int> &runs() const { return m_runs; }
    TaskHeatmap *heatmap(int i) const { return m_heatmaps[size_t(i)]; }
    QLabel *title(int i) const { return m_titles[size_t(i)]; }
    // Every run's attention again (the tab does it when shown, and when the runs change).
    void refresh();
    // What the snapshot's first sample is predicted, for a run's title:
    // "sentiment: positive, topic: screen (gold sound)"; names elided (tasknames.h).
    static QString predictions(const AttentionSnapshot &snapshot);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    // Slot i: run m_runs[i]'s title and heatmap, hidden when there is none.
    void showRun(int i);
    // The current run's heatmap again, if it is shown and has trained since.
    void followRun();

    Session *m_session;
    int m_sample = -1;
    std::function<int()> m_sampleSource;
    std::vector<int> m_runs;
    QLabel *m_header;
    std::vector<QLabel *> m_titles;
    std::vector<TaskHeatmap *> m_heatmaps;
    QTimer m_follow;  // the current run's heatmap while it trains
    int64_t m_currentStep = -1;  // the current run's step when last refreshed
};

} // namespace attnscope
