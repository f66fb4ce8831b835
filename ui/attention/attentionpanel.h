// The attention panel: every attention view of issue 5 in tabs, above a
// shared bar with the probe sample, the colour map, the timeline slider and
// the exports. It takes plain values and never runs the model:
//
//   GUI thread                          worker thread (through its TrainingController)
//   setModelAndData(info, data, val)    (owns its own Model and val set)
//   probeSet() / probeSetChanged  --->  keeps a ProbeSet copy
//                                       every N steps: snap = probes.refresh(model, val, step)
//   setSnapshot(snap)  <--- queued ---  attentionReady(snap)   (AttentionSnapshot is a value)
//   probe editor input  ---  runner -->  runs it between two steps with its weights
//   probeEditor()->setResult <-- queued  probeInputReady(result, id)
// (ui/attentionfeed.h wires the workbench's controller this way.)
#pragma once

#include "attentionsnapshot.h"
#include "attentiontimeline.h"
#include "colormaps.h"
#include "historyview.h"
#include "probeeditor.h"
#include "probeset.h"

#include <QWidget>

#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLayout;
class QPushButton;
class QSlider;
class QTabWidget;
class QTimer;

namespace attnscope {

class DisagreementView;
class HistoryView;
class SelfAttentionView;
class TaskHeatmap;
class TextView;

class AttentionPanel : public QWidget {
    Q_OBJECT

public:
    // In tab order.
    enum class View { Heatmap, Text, SelfAttention, Disagreement, History, ProbeEditor, Compare };

    explicit AttentionPanel(QWidget *parent = nullptr);

    // A new model and data (new run, opened checkpoint): chooses the probe
    // set among `validation` (keeping pinned samples) and emits
    // probeSetChanged (a new run of the same data and split, as Reset
    // makes, keeps the probes as the user edited them), clears the timeline and shows nothing until the
    // worker's first snapshot. `dataset` supplies the original texts (optional).
    void setModelAndData(std::optional<ModelInfo> model, std::shared_ptr<const Dataset> dataset,
                         std::shared_ptr<const EncodedDataset> validation);
    // What runs the probe editor's inputs (the worker, through the feed).
    void setRunner(ProbeEditor::Runner runner);
    // A snapshot from the worker: kept in the timeline and the history, and
    // shown at once unless the user is scrubbing back.
    void setSnapshot(const AttentionSnapshot &snapshot);
    void setSnapshot(SnapshotPtr snapshot);  // shares it, no copy
    void clear();
    // Attention read from a file (File > Open Attention, fileSnapshot()):
    // shown alone, for inspection, until the run's views come back (Live,
    // a new run, clear()); the run's snapshots meanwhile are not shown and
    // its probe set is kept. name: the file's, for the note above the views.
    void showFile(SnapshotPtr snapshot, const QString &name);
    // The file shown, empty while the run's attention is.
    QString shownFile() const { return m_file; }
    // An earlier run's attention timeline (a kept run's: read from the
    // session file, or as it trained in this window), shown as a file is:
    // the current run's snapshots wait and its probe set stays, the slider
    // and Play go through the earlier run's snapshots, the line above the
    // views names it, and Live (liveRequested) comes back to the current run.
    void showRun(const std::vector<SnapshotPtr> &timeline, const QString &name);
    // The earlier run shown ("": the current run's attention, or a file's).
    QString shownRun() const { return m_fileIsRun ? m_file : QString(); }
    // Back from a file or an earlier run to the current run's attention as
    // it was left, with the snapshots that came meanwhile (its timeline and
    // Over training were started over, from the next snapshot: F18 of review
    // 21); false when there is none to go back to (AttentionFeed then sets
    // the run again).
    bool showLive();

    const ProbeSet &probeSet() const { return m_probes; }
    // Add… : the validation sample the list labels #number (its index in
    // the dataset); false and *error when it is not a validation sample or
    // is a probe already.
    bool addProbe(int number, QString *error = nullptr);
    const AttentionTimeline &timeline() const { return m_timeline; }
    // What the views show now (the live snapshot or the one scrubbed to).
    const AttentionSnapshot &shown() const { return *m_shown; }

    // Index of the selected sample in shown().samples.
    int selectedSample() const { return m_selected; }
    void selectSample(int index);
    // The chosen sample, the one every view of the run shows (Side by side
    // too), as an index into Dataset::samples (-1: none): the selected one
    // while the run's attention is shown, else (before its first snapshot,
    // while a file or an earlier run is shown) the probe the run's
    // attention selects when it comes: the one last selected, or the first.
    // sampleSelected says when it changes.
    int chosenSample() const;
    // Shows the timeline's i-th kept snapshot (the slider does this); the
    // last index follows live snapshots again.
    void scrubTo(int index);
    bool followsLive() const { return m_live; }
    // Play: the kept snapshots one after another from the first (or from the
    // one shown when scrubbed back), `pace` a second, until the newest.
    void play(bool on);
    bool isPlaying() const;
    void setPlayPace(double perSecond);
    double playPace() const;

    void setColorMap(ColorMap map);
    ColorMap colorMap() const { return m_colorMap; }
    void setColorScale(ColorScale scale);
    ColorScale colorScale() const { return m_colorScale; }
    // The score every attention view shows (scores.h): the heatmap and its
    // probe rows, the text, the probe editor, the curves over training, the
    // exports, whatever the timeline shows. Attention by default.
    void setScore(Method score);
    Method score() const { return m_score; }
    // Whether the training worker explains the probe samples with its
    // snapshots ("Explain live", on by default; off, it spends no time on
    // them and the views say so). Emits liveExplanationsChanged on a change.
    void setLiveExplanations(bool on);
    bool liveExplanations() const { return m_liveExplanations; }
    void setCurrentView(View view);
    QWidget *view(View view) const;
    View currentView() const;  // the tab shown

    // Exports of a view: picture by suffix (png, svg, pdf), numbers as CSV
    // or JSON (the schema of `attnscope-cli attention`).
    bool exportImage(View view, const QString &path, QString *error = nullptr);
    bool exportCsv(View view, const QString &path, QString *error = nullptr);
    bool exportJson(View view, const QString &path, QString *error = nullptr);
    QString csv(View view) const;
    QByteArray json(View view) const;
    // What a picture of the view carries above it: the data and run
    // (setSource) or the earlier run shown, and the step; or the file (its
    // attention has no step); the view, and the sample where the
    // view's own title does not name it (the heatmap's and the text's name
    // the score, task and sample; the colour scale is in each picture).
    QString exportHeading(View view) const;
    // "builtin:reviews · run 2": the data and run of the snapshots (the window sets it).
    void setSource(const QString &source) { m_source = source; }

    // The line above the views for a run with encoder layers (empty at 0
    // layers or with nothing shown); its tooltip says what it means.
    QString encoderNote() const { return encoder().line; }
    // Another, for trained weights only: the task attention of the shown
    // snapshot is near uniform (meanNormalisedEntropy >= 0.99). A fresh
    // model's attention starts uniform (its queries start near 0, MODEL.md 8),
    // so a run's first UniformNoteSteps steps say nothing, unless its
    // weights trained before its step 0 (setWeightsTrained).
    QString uniformNote() const { return uniform().line; }
    static constexpr int64_t UniformNoteSteps = 100;
    // The run's weights were trained before its first step: a checkpoint
    // opened from a file (its snapshots start at step 0) or a fork. The
    // window says so for every run it shows; false until then.
    void setWeightsTrained(bool trained);
    bool weightsTrained() const { return m_weightsTrained; }
    // The classes no probe is labelled with, per task (the Sample list's
    // last, unselectable entry); empty when every class has one.
    QString probeCoverageNote() const { return m_probeCoverage; }

    TaskHeatmap *heatmap() const { return m_heatmap; }
    TextView *textView() const { return m_textView; }
    SelfAttentionView *selfAttentionView() const { return m_selfAttention; }
    DisagreementView *disagreementView() const { return m_disagreement; }
    HistoryView *historyView() const { return m_history; }
    ProbeEditor *probeEditor() const { return m_probeEditor; }
    // Compare: the five scores of the selected sample for one task, side by side.
    TextView *compareView() const { return m_compare; }
    void setCompareTask(int task);

signals:
    // The user edited the probe set: hand this copy to the worker.
    void probeSetChanged(const attnscope::ProbeSet &probes);
    // A sample was selected, or the chosen one changed (chosenSample(): its index in Dataset::samples).
    void sampleSelected(int datasetIndex);
    void colorMapChanged(const QString &name);
    void colorScaleChanged(attnscope::ColorScale scale);
    void scoreChanged(attnscope::Method score);
    void liveExplanationsChanged(bool on);
    // Live, clicked while a file is shown: the run's attention again.
    void liveRequested();

private:
    // A note above the views: one line, and what it means (the tooltip).
    struct Note {
        QString line, details;
    };
    // The constructor's parts (attentionpanelbuild.cpp): the rows of
    // controls, the note line above the views, the views, their wiring.
    QLayout *makeToolbar();
    QLayout *makeTimelineRow();
    QLabel *makeNoteLine();
    QTabWidget *makeViews();
    void connectControls();
    Note encoder() const;
    Note uniform() const;
    void showSnapshot(SnapshotPtr snapshot);
    // The probe the run's attention selects: the one last selected (the
    // probe set's focus) while it is a probe, else the first (-1: none).
    int chosenProbe() const;
    // sampleSelected(chosenSample()) when it is not the one last said.
    void announceChosen();
    // The lines above the views (the file's, encoder(), uniform()) for what is shown.
    void updateNotes();
    void updateSampleBox();
    void setTaskBoxes(const std::vector<TaskInfo> &tasks);
    QString fileNote() const;
    void updateTimelineControls();
    void exportCurrent();
    void editProbes(bool add);
    // The probes, or the model and data they come from, changed: the
    // coverage note is made again (it walks every class of every task: a
    // file may have thousands of tasks, or 100,000 classes; not for each
    // snapshot).
    void updateProbeCoverage();
    QString coverageNote() const;

    std::optional<ModelInfo> m_model;
    std::shared_ptr<const Dataset> m_dataset;
    std::shared_ptr<const EncodedDataset> m_validation;
    ProbeSet m_probes;
    QString m_probeCoverage;  // probeCoverageNote()
    AttentionTimeline m_timeline;
    bool m_fileIsRun = false;  // m_file names an earlier run (showRun), not a file
    // The current run's timeline and Over training's points while a file or
    // an earlier run is shown; the run's snapshots go on into them.
    struct LiveStash {
        AttentionTimeline timeline;
        HistoryView::Points history;
    };
    std::optional<LiveStash> m_stash;
    // Before a file or an earlier run is shown: the current run's views aside.
    void stashLive();
    SnapshotPtr m_shown = std::make_shared<const AttentionSnapshot>();
    int m_selected = 0;
    int m_chosen = -1;  // the chosen sample last announced (sampleSelected)
    bool m_live = true;
    ColorMap m_colorMap = ColorMap::Viridis;
    ColorScale m_colorScale = ColorScale::Fixed;
    Method m_score = Method::Attention;
    bool m_liveExplanations = true;
    bool m_weightsTrained = false;  // setWeightsTrained
    QString m_file;  // showFile's name; empty: the run's attention
    QString m_source;  // setSource's

    QComboBox *m_sampleBox = nullptr;
    QCheckBox *m_pinBox = nullptr;
    QPushButton *m_removeButton = nullptr;
    QPushButton *m_addButton = nullptr;
    QComboBox *m_colorBox = nullptr;
    QComboBox *m_scaleBox = nullptr;
    QComboBox *m_scoreBox = nullptr;
    QCheckBox *m_explainBox = nullptr;
    QComboBox *m_compareTaskBox = nullptr;
    QComboBox *m_layoutBox = nullptr;
    QComboBox *m_taskBox = nullptr;
    QSlider *m_slider = nullptr;
    QLabel *m_stepLabel = nullptr;
    QLabel *m_encoderNote = nullptr;    // above the views while the run has encoder layers
    QPushButton *m_liveButton = nullptr;
    QPushButton *m_playButton = nullptr;
    QComboBox *m_paceBox = nullptr;     // snapshots a second while playing
    QTimer *m_playTimer = nullptr;
    QPushButton *m_exportButton = nullptr;
    QTabWidget *m_tabs = nullptr;
    TaskHeatmap *m_heatmap = nullptr;
    TextView *m_textView = nullptr;
    SelfAttentionView *m_selfAttention = nullptr;
    DisagreementView *m_disagreement = nullptr;
    HistoryView *m_history = nullptr;
    ProbeEditor *m_probeEditor = nullptr;
    TextView *m_compare = nullptr;
    QWidget *m_comparePage = nullptr;
    QWidget *m_heatmapPage = nullptr;
    QWidget *m_textPage = nullptr;
};

} // namespace attnscope
