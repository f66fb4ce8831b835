#include "attentionpanel.h"

#include "disagreementview.h"
#include "historyview.h"
#include "probeeditor.h"
#include "scores.h"
#include "selfattentionview.h"
#include "taskheatmap.h"
#include "tasknames.h"
#include "textview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace attnscope {

// The controls and views are made in attentionpanelbuild.cpp, the probe
// set's editing is in attentionpanelprobes.cpp, the exports in
// attentionpanelexport.cpp.
AttentionPanel::AttentionPanel(QWidget *parent) : QWidget(parent)
{
    qRegisterMetaType<AttentionSnapshot>();
    qRegisterMetaType<SnapshotPtr>();
    qRegisterMetaType<ProbeSet>();
    auto *layout = new QVBoxLayout(this);
    // Thin above and below (the tab bar and the status bar are edges
    // enough): the views' height on a projector.
    const QMargins margins = layout->contentsMargins();
    layout->setContentsMargins(margins.left(), 4, margins.right(), 2);
    layout->addLayout(makeToolbar());
    layout->addLayout(makeTimelineRow());
    layout->addWidget(makeNoteLine());
    layout->addWidget(makeViews(), 1);
    connectControls();
    updateTimelineControls();
    updateSampleBox();
}

namespace {

// The same validation samples, in the same order: a probe set's indices mean the same samples.
bool sameSamples(const EncodedDataset *a, const EncodedDataset *b)
{
    if (!a || !b || a->samples.size() != b->samples.size())
        return false;
    for (size_t i = 0; i < a->samples.size(); ++i)
        if (a->samples[i].index != b->samples[i].index)
            return false;
    return true;
}

} // namespace

void AttentionPanel::setModelAndData(std::optional<ModelInfo> model, std::shared_ptr<const Dataset> dataset,
                                     std::shared_ptr<const EncodedDataset> validation)
{
    const bool sameSplit = m_model && model && dataset && dataset == m_dataset
                           && sameSamples(validation.get(), m_validation.get());
    m_model = std::move(model);
    m_dataset = std::move(dataset);
    m_validation = std::move(validation);
    m_timeline.clear();
    m_history->clear();
    m_stash.reset();
    m_live = true;
    if (m_model && m_validation) {
        if (!sameSplit) {
            m_probes.choose(*m_validation, m_model->tasks);
            m_probes.setFocus(-1);  // an index of the other split's: the first probe is chosen
        }
        emit probeSetChanged(m_probes);
    }
    m_file.clear();
    m_fileIsRun = false;
    updateProbeCoverage();
    setTaskBoxes(m_model ? m_model->tasks : std::vector<TaskInfo>());
    m_probeEditor->setModel(m_model);
    if (m_model && m_probeEditor->text().isEmpty() && m_model->input == InputKind::Text)
        m_probeEditor->setText(QStringLiteral("the battery is not great, please fix it asap"));
    showSnapshot(std::make_shared<const AttentionSnapshot>());  // until the worker's first one
    updateTimelineControls();
}

void AttentionPanel::setTaskBoxes(const std::vector<TaskInfo> &tasks)
{
    m_taskBox->clear();
    m_compareTaskBox->clear();
    for (const TaskInfo &t : tasks) {
        m_taskBox->addItem(elidedName(t.name));
        m_compareTaskBox->addItem(elidedName(t.name));
    }
    setCompareTask(0);
}

void AttentionPanel::showFile(SnapshotPtr snapshot, const QString &name)
{
    if (!snapshot)
        return;
    // The run's model, data and probe set stay: Live shows its attention again.
    stashLive();
    m_file = name.isEmpty() ? tr("a file") : name;
    m_fileIsRun = false;
    updateProbeCoverage();
    m_timeline.clear();
    m_history->clear();
    m_live = true;
    m_timeline.add(snapshot);
    setTaskBoxes(snapshot->tasks);
    m_probeEditor->setModel(std::nullopt);  // no model here to run a typed text
    m_selected = 0;
    showSnapshot(std::move(snapshot));
    updateTimelineControls();
}

void AttentionPanel::showRun(const std::vector<SnapshotPtr> &timeline, const QString &name)
{
    if (timeline.empty() || !timeline.back())
        return;
    // As showFile: the current run's model, data and probe set stay for Live.
    stashLive();
    m_file = name;
    m_fileIsRun = true;
    updateProbeCoverage();
    m_timeline.clear();
    m_history->clear();
    for (const SnapshotPtr &snapshot : timeline)
        if (snapshot) {
            m_timeline.add(snapshot);
            m_history->addSnapshot(*snapshot);
        }
    m_live = true;
    setTaskBoxes(timeline.back()->tasks);
    m_probeEditor->setModel(std::nullopt);  // its weights are not here to run a typed text
    showSnapshot(m_timeline.latestPtr());
    updateTimelineControls();
}

void AttentionPanel::stashLive()
{
    if (!m_file.isEmpty() || !m_model)
        return;  // a file or an earlier run is shown: the current run's are aside already
    m_stash = LiveStash{std::exchange(m_timeline, AttentionTimeline()), m_history->takePoints()};
}

bool AttentionPanel::showLive()
{
    if (m_file.isEmpty() || !m_stash)
        return false;
    m_file.clear();
    m_fileIsRun = false;
    m_timeline = std::move(m_stash->timeline);
    m_history->restorePoints(std::move(m_stash->history));
    m_stash.reset();
    m_live = true;
    updateProbeCoverage();
    setTaskBoxes(m_model ? m_model->tasks : std::vector<TaskInfo>());
    m_probeEditor->setModel(m_model);
    showSnapshot(m_timeline.size() > 0 ? m_timeline.latestPtr() : std::make_shared<const AttentionSnapshot>());
    updateTimelineControls();
    return true;
}

QString AttentionPanel::fileNote() const
{
    if (m_file.isEmpty())
        return {};
    if (m_fileIsRun)
        return tr("%1, an earlier run: its attention timeline (%2 snapshots, steps %3–%4). Live: the current run.")
            .arg(m_file)
            .arg(m_timeline.size())
            .arg(m_timeline.size() ? m_timeline.at(0).step : 0)
            .arg(m_timeline.size() ? m_timeline.latest().step : 0);
    // Counts spelled out: tr()'s %n plural needs a translator.
    const auto count = [](size_t n, const QString &one, const QString &many) { return n == 1 ? one : many.arg(n); };
    const QString maps = m_shown->layers > 0
                             ? tr("%1 × %2").arg(count(size_t(m_shown->layers), tr("1 layer"), tr("%1 layers")),
                                                 count(size_t(m_shown->heads), tr("1 head"), tr("%1 heads")))
                             : tr("no self-attention");
    const QString tasks = m_shown->tasks.empty() ? tr("no pooling") : count(m_shown->tasks.size(), tr("1 task"), tr("%1 tasks"));
    return tr("From %1 (%2, %3, %4), for inspection. Live: the run's attention.")
        .arg(m_file, count(m_shown->samples.size(), tr("1 sample"), tr("%1 samples")), maps, tasks);
}

void AttentionPanel::setRunner(ProbeEditor::Runner runner)
{
    m_probeEditor->setRunner(std::move(runner));
}

void AttentionPanel::setSnapshot(const AttentionSnapshot &snapshot)
{
    setSnapshot(std::make_shared<const AttentionSnapshot>(snapshot));
}

void AttentionPanel::setSnapshot(SnapshotPtr snapshot)
{
    if (!snapshot)
        return;
    if (!m_file.isEmpty()) {
        // A file or an earlier run is shown: the run's snapshots go aside for Live.
        if (m_stash) {
            if (m_stash->timeline.size() > 0 && snapshot->step < m_stash->timeline.latest().step)
                m_stash->timeline.clear();  // a new run (Points::add starts over too)
            m_stash->timeline.add(snapshot);
            m_stash->history.add(*snapshot);
        }
        return;
    }
    if (m_timeline.size() > 0 && snapshot->step < m_timeline.latest().step) {
        // A new run started (the step went back): start the timeline over.
        m_timeline.clear();
        m_history->clear();
    }
    m_timeline.add(snapshot);
    m_history->addSnapshot(*snapshot);
    if (m_live)
        showSnapshot(m_timeline.latestPtr());
    updateTimelineControls();
}

void AttentionPanel::clear()
{
    m_timeline.clear();
    m_history->clear();
    m_model.reset();
    m_validation.reset();
    m_dataset.reset();
    m_file.clear();
    m_fileIsRun = false;
    m_stash.reset();
    updateProbeCoverage();
    m_live = true;
    showSnapshot(std::make_shared<const AttentionSnapshot>());
    updateTimelineControls();
}

void AttentionPanel::showSnapshot(SnapshotPtr snapshot)
{
    // The run's attention: the chosen probe (the one last selected, else
    // the first), also after a file, an earlier run or a new run of the
    // same probes (the Side by side tab shows the same sample). A file's or
    // an earlier run's: the same probe sample across its snapshots.
    int probe = m_selected >= 0 && m_selected < int(m_shown->samples.size()) ? m_shown->samples[size_t(m_selected)].probe : -1;
    m_shown = snapshot ? std::move(snapshot) : std::make_shared<const AttentionSnapshot>();
    if (m_file.isEmpty())
        probe = chosenProbe();
    int index = probe >= 0 ? m_shown->findProbe(probe) : -1;
    m_selected = index >= 0 ? index : (m_selected >= 0 && m_selected < int(m_shown->samples.size()) ? m_selected : 0);
    m_heatmap->setSnapshot(m_shown);
    m_heatmap->setSelectedSample(m_selected);
    m_textView->setSnapshot(m_shown);
    m_textView->setSelectedSample(m_selected);
    m_selfAttention->setSnapshot(m_shown);
    m_selfAttention->setSelectedSample(m_selected);
    m_disagreement->setSnapshot(m_shown);
    m_disagreement->setSelectedSample(m_selected);
    m_compare->setSnapshot(m_shown);
    m_compare->setSelectedSample(m_selected);
    m_history->setCurrentStep(m_live ? -1 : m_shown->step);
    updateNotes();
    updateSampleBox();
    announceChosen();
}

int AttentionPanel::chosenProbe() const
{
    if (m_probes.size() == 0)
        return -1;
    return m_probes.contains(m_probes.focus()) ? m_probes.focus() : m_probes.indices().front();
}

int AttentionPanel::chosenSample() const
{
    if (m_file.isEmpty() && m_selected >= 0 && m_selected < int(m_shown->samples.size()))
        return m_shown->samples[size_t(m_selected)].sampleIndex;
    const int probe = chosenProbe();
    return m_validation && probe >= 0 && probe < int(m_validation->samples.size())
               ? m_validation->samples[size_t(probe)].index
               : -1;
}

void AttentionPanel::announceChosen()
{
    const int chosen = chosenSample();
    if (chosen == m_chosen)
        return;
    m_chosen = chosen;
    if (chosen >= 0)
        emit sampleSelected(chosen);
}

void AttentionPanel::updateNotes()
{
    // A line each (a small window has little height for them), what they mean in the tooltip.
    QStringList lines, details;
    for (const Note &note : {Note{fileNote(), {}}, encoder(), uniform()})
        if (!note.line.isEmpty()) {
            lines << note.line;
            if (!note.details.isEmpty())
                details << note.details;
        }
    m_encoderNote->setText(lines.join(QStringLiteral("\n")));
    // The lines whole (a narrow window cuts them), then what they mean.
    m_encoderNote->setToolTip((QStringList{lines.join(QStringLiteral("\n"))} + details).join(QStringLiteral("\n\n")));
    m_encoderNote->setVisible(!lines.isEmpty());
}

AttentionPanel::Note AttentionPanel::encoder() const
{
    if (m_shown->isNull() || m_shown->layers <= 0 || m_shown->mode == AttentionMode::Uniform || !m_file.isEmpty())
        return {};
    const QString layers = m_shown->layers == 1 ? tr("one encoder layer") : tr("%1 encoder layers").arg(m_shown->layers);
    return {m_shown->layers == 1 ? tr("One encoder layer: weights are on mixed tokens (hover for more)")
                                 : tr("%1 encoder layers: weights are on mixed tokens (hover for more)").arg(m_shown->layers),
            tr("This run has %1: attention weighs encoder outputs, which mix tokens, so a token's weight is not "
               "that token's share of the decision. Compare rollout and integrated gradients (Score, or the "
               "Compare tab; their faithfulness is under Over training).")
                .arg(layers)};
}

AttentionPanel::Note AttentionPanel::uniform() const
{
    // A fresh model's attention is near uniform by construction (its queries
    // start near 0, MODEL.md 8) and leaves it over the first steps: said for
    // trained weights only, a checkpoint's from its step 0 on.
    if (m_shown->isNull() || m_shown->step < 0 || m_shown->mode == AttentionMode::Uniform || !m_file.isEmpty())
        return {};
    if (!m_weightsTrained && m_shown->step < UniformNoteSteps)
        return {};
    const double entropy = meanNormalisedEntropy(*m_shown);
    if (entropy < 0.99)
        return {};
    return {tr("Near-uniform attention (entropy %1): try another Score or Compare").arg(entropy, 0, 'f', 3),
            tr("The attention is near uniform (normalised entropy %1 over these samples and tasks): a dark "
               "heatmap here means every token weighs about the same, and says little about what decides "
               "a prediction. Choose another Score above (rollout, gradient × input, integrated gradients, "
               "occlusion), or open the Compare tab for the five side by side.")
                .arg(entropy, 0, 'f', 3)};
}

void AttentionPanel::setWeightsTrained(bool trained)
{
    if (trained == m_weightsTrained)
        return;
    m_weightsTrained = trained;
    updateNotes();
}

void AttentionPanel::selectSample(int index)
{
    if (index < 0 || index >= int(m_shown->samples.size()))
        return;
    m_selected = index;
    m_heatmap->setSelectedSample(index);
    m_textView->setSelectedSample(index);
    m_selfAttention->setSelectedSample(index);
    m_disagreement->setSelectedSample(index);
    m_compare->setSelectedSample(index);
    updateSampleBox();
    if (!m_file.isEmpty())
        return;  // a file's sample: neither a probe nor a sample of the data
    // The selected sample keeps its self-attention in the next refreshes.
    const int probe = m_shown->samples[size_t(index)].probe;
    if (m_probes.focus() != probe) {
        m_probes.setFocus(probe);
        emit probeSetChanged(m_probes);
    }
    m_chosen = m_shown->samples[size_t(index)].sampleIndex;
    emit sampleSelected(m_chosen);
}

void AttentionPanel::scrubTo(int index)
{
    if (m_timeline.size() == 0)
        return;
    index = std::clamp(index, 0, m_timeline.size() - 1);
    m_live = index == m_timeline.size() - 1;
    showSnapshot(m_timeline.ptr(index));
    updateTimelineControls();
}

void AttentionPanel::play(bool on)
{
    on = on && m_timeline.size() > 1;
    if (on && !m_playTimer->isActive()) {
        if (m_live)
            scrubTo(0);  // from the start; scrubbed back: from there
        m_playTimer->start(int(1000 / playPace()));
    } else if (!on) {
        m_playTimer->stop();
    }
    const QSignalBlocker block(m_playButton);
    m_playButton->setChecked(on);
    m_playButton->setText(on ? tr("Pause") : tr("Play"));
}

bool AttentionPanel::isPlaying() const
{
    return m_playTimer->isActive();
}

void AttentionPanel::setPlayPace(double perSecond)
{
    int index = m_paceBox->findData(perSecond);
    if (index < 0) {
        m_paceBox->addItem(tr("%1/s").arg(perSecond), perSecond);
        index = m_paceBox->count() - 1;
    }
    m_paceBox->setCurrentIndex(index);
    if (m_playTimer->isActive())
        m_playTimer->setInterval(int(1000 / perSecond));
}

double AttentionPanel::playPace() const
{
    return std::max(0.1, m_paceBox->currentData().toDouble());
}

void AttentionPanel::updateTimelineControls()
{
    const int n = m_timeline.size();
    QSignalBlocker block(m_slider);
    m_slider->setEnabled(n > 1);
    m_playButton->setEnabled(n > 1);
    if (n <= 1 && m_playTimer->isActive()) {  // a new run: nothing to play
        m_playTimer->stop();
        const QSignalBlocker blockPlay(m_playButton);
        m_playButton->setChecked(false);
        m_playButton->setText(tr("Play"));
    }
    m_slider->setRange(0, std::max(0, n - 1));
    int current = n - 1;
    if (!m_live)
        for (int i = 0; i < n; ++i)
            if (m_timeline.at(i).step == m_shown->step)
                current = i;
    m_slider->setValue(std::max(0, current));
    m_liveButton->setChecked(m_live && m_file.isEmpty());
    m_liveButton->setToolTip(m_file.isEmpty() ? tr("Follow the newest snapshot") : tr("Back to the current run's attention"));
    if (!m_file.isEmpty() && !m_fileIsRun)
        m_stepLabel->setText(tr("from a file"));
    else if (m_fileIsRun)
        m_stepLabel->setText(tr("%1: step %2 (%3/%4)").arg(m_file).arg(m_shown->step).arg(current + 1).arg(n));
    else
        m_stepLabel->setText(n == 0 ? tr("no snapshot")
                                    : tr("step %1 (%2/%3)").arg(m_shown->step).arg(current + 1).arg(n));
}

void AttentionPanel::setColorMap(ColorMap map)
{
    m_colorMap = map;
    m_colorBox->setCurrentIndex(int(map));
    m_heatmap->setColorMap(map);
    m_textView->setColorMap(map);
    m_selfAttention->setColorMap(map);
    m_probeEditor->setColorMap(map);
    m_compare->setColorMap(map);
}

void AttentionPanel::setScore(Method score)
{
    if (score == Method::Random)
        return;  // a ranking, not a score
    m_score = score;
    m_scoreBox->setCurrentIndex(int(score));
    m_heatmap->setScore(score);
    m_textView->setScore(score);
    m_disagreement->setScore(score);
    m_probeEditor->setScore(score);
    m_history->setScore(score);
}

void AttentionPanel::setLiveExplanations(bool on)
{
    m_explainBox->setChecked(on);
    if (on == m_liveExplanations)
        return;
    m_liveExplanations = on;
    emit liveExplanationsChanged(on);
}

void AttentionPanel::setCompareTask(int task)
{
    if (task < 0 || task >= m_compareTaskBox->count())
        task = 0;
    m_compareTaskBox->setCurrentIndex(task);
    m_compare->setCompareTask(task);
}

void AttentionPanel::setColorScale(ColorScale scale)
{
    m_colorScale = scale;
    m_scaleBox->setCurrentIndex(int(scale));
    m_heatmap->setColorScale(scale);
    m_textView->setColorScale(scale);
    m_selfAttention->setColorScale(scale);
    m_probeEditor->setColorScale(scale);
    m_compare->setColorScale(scale);
}

void AttentionPanel::setCurrentView(View view)
{
    m_tabs->setCurrentIndex(int(view));
}

AttentionPanel::View AttentionPanel::currentView() const
{
    return View(m_tabs->currentIndex());  // the tabs are in View's order
}

QWidget *AttentionPanel::view(View view) const
{
    switch (view) {
    case View::Heatmap: return m_heatmap;
    case View::Text: return m_textView;
    case View::SelfAttention: return m_selfAttention;
    case View::Disagreement: return m_disagreement;
    case View::History: return m_history;
    case View::ProbeEditor: return m_probeEditor;
    case View::Compare: return m_compare;
    }
    return nullptr;
}

} // namespace attnscope
