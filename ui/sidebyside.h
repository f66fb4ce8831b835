// Side by side (the tab after Runs): one sample's task attention, or any
// score of the explanations (rollout, gradient x input, integrated
// gradients, occlusion: core/explain.h), in up to four runs at once at the
// same step (Session::runAttention): the runs checked in the Runs tab, in
// its order (the current one last), so that the four runs of Training >
// Compare > Attention modes show together. The sample is the one selected
// in the Attention tab. The step is by default the largest one every shown
// run reached (the shortest run's last), or the one chosen in "At step";
// a run that went further shows its last checkpoint in the session file at
// or before it. Each run's heatmap (tasks x tokens) is titled with its
// name, the step it is shown at (and its own last, when further) and what
// it predicts; a run whose weights are not here (a run of a file without
// checkpoint, none at or before the step) or that cannot read the open
// data says why instead. While the step follows the runs, the current
// run's heatmap follows its training once a second while the tab is seen,
// and shows its weights as soon as it pauses, finishes or stops. Every
// run's heatmap is on one colour scale, the largest value (a signed score's
// largest magnitude) over the runs shown, stated beside the controls: the
// same colour is the same value in each run (a signed score's, said under the controls).
#pragma once

#include <QTimer>
#include <QWidget>

#include <cstdint>
#include <functional>
#include <vector>

class QComboBox;
class QLabel;
class QPushButton;
class QScrollArea;
class QSpinBox;

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
    QScrollArea *scrollArea() const { return m_scroll; }
    // Every run's attention again (the tab does it when shown, and when the runs change).
    void refresh();
    // The score shown (Method::Attention by default) and the step: the
    // common one (the largest every shown run reached) until one is chosen.
    QComboBox *scoreBox() const { return m_score; }
    QSpinBox *stepBox() const { return m_step; }
    QPushButton *commonButton() const { return m_commonButton; }
    // "Colours: −0.25 to 0.25 in every run (…)": a signed score's one colour scale (hidden otherwise).
    QLabel *scaleNote() const { return m_scaleNote; }
    void setStep(int64_t step);       // a step of the user's
    void followCommonStep();          // back to the common step
    bool followsCommonStep() const { return m_common; }
    int64_t step() const;             // the step the runs are shown at
    // What the snapshot's first sample is predicted, for a run's title:
    // "sentiment: positive, topic: screen (gold sound)"; names elided (tasknames.h).
    static QString predictions(const AttentionSnapshot &snapshot);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    // The wheel over a heatmap (which has no use for it) scrolls the runs.
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    // Each heatmap's least height at the font of the moment: room for its
    // tasks' rows and for a token of about ten letters under them.
    void setLeastHeights();
    // Slot i: run m_runs[i]'s title and heatmap, hidden when there is none.
    void showRun(int i);
    // The largest step every shown run reached (0: none trained).
    int64_t commonStep() const;
    // The current run's heatmap again, if it is shown and has trained since.
    void followRun();

    Session *m_session;
    int m_sample = -1;
    std::function<int()> m_sampleSource;
    std::vector<int> m_runs;
    QLabel *m_header;
    QComboBox *m_score;
    QSpinBox *m_step;
    QPushButton *m_commonButton;
    QLabel *m_scaleNote;
    QScrollArea *m_scroll;
    bool m_common = true;  // the step follows the runs (commonStep)
    std::vector<QLabel *> m_titles;
    std::vector<TaskHeatmap *> m_heatmaps;
    QTimer m_follow;  // the current run's heatmap while it trains
    int64_t m_currentStep = -1;  // the current run's step when last refreshed
};

} // namespace attnscope
