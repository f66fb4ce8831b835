#include "attentionpanel.h"

#include "viewexport.h"
#include "disagreementview.h"
#include "flowlayout.h"
#include "historyview.h"
#include "probeeditor.h"
#include "scores.h"
#include "selfattentionview.h"
#include "taskheatmap.h"
#include "tasknames.h"
#include "textview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace attnscope {

AttentionPanel::AttentionPanel(QWidget *parent) : QWidget(parent)
{
    qRegisterMetaType<AttentionSnapshot>();
    qRegisterMetaType<SnapshotPtr>();
    qRegisterMetaType<ProbeSet>();
    auto *layout = new QVBoxLayout(this);

    // Row 1: which sample, probe set editing, colour map, export; on more
    // lines when the window is narrow (flowlayout.h).
    auto *top = new FlowLayout(nullptr, 12, 4);
    m_sampleBox = new QComboBox(this);
    m_sampleBox->setObjectName(QStringLiteral("sampleBox"));
    // A sample's text is long: the box takes the room there is, and at least a few words' worth.
    m_sampleBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_sampleBox->setMinimumContentsLength(16);
    m_sampleBox->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_sampleBox->setToolTip(tr("The probe sample shown in every view"));
    m_pinBox = new QCheckBox(tr("Pin"), this);
    m_pinBox->setToolTip(tr("Keep this sample in the probe set when it is chosen again"));
    m_addButton = new QPushButton(tr("Add…"), this);
    m_addButton->setToolTip(tr("Add a validation sample to the probe set"));
    m_removeButton = new QPushButton(tr("Remove"), this);
    m_removeButton->setToolTip(tr("Remove this sample from the probe set"));
    m_colorBox = new QComboBox(this);
    m_colorBox->setObjectName(QStringLiteral("colorMap"));
    m_colorBox->addItems(colorMapNames());
    m_colorBox->setToolTip(tr("Colour map (viridis and cividis are colour-blind safe; greyscale prints)"));
    m_exportButton = new QPushButton(tr("Export"), this);
    m_exportButton->setObjectName(QStringLiteral("exportView"));
    m_scaleBox = new QComboBox(this);
    m_scaleBox->setObjectName(QStringLiteral("colorScale"));
    m_scaleBox->addItem(tr("0 – 1"));
    m_scaleBox->addItem(tr("0 – largest"));
    m_scaleBox->setToolTip(tr("Top colour at weight 1 (the colour means the same at every step; uniform attention "
                              "stays dark), or at the largest weight shown (for long inputs)"));
    // The one score chooser of every view (scores.h).
    m_scoreBox = new QComboBox(this);
    m_scoreBox->setObjectName(QStringLiteral("score"));
    m_scoreBox->addItems(scoreNames());
    m_scoreBox->setToolTip(tr("What every view shows: the pooling attention, or an explanation computed by the "
                              "training worker (rollout through the encoder, gradient × input, integrated "
                              "gradients, occlusion; purple-white-orange for the signed ones, centred on 0)"));
    // Play: the snapshots in turn, at a pace a class can follow.
    m_playButton = new QPushButton(tr("Play"), this);
    m_playButton->setObjectName(QStringLiteral("play"));
    m_playButton->setCheckable(true);
    m_playButton->setToolTip(tr("Replay the kept snapshots one after another, at the pace beside"));
    m_paceBox = new QComboBox(this);
    m_paceBox->setObjectName(QStringLiteral("playPace"));
    for (const double pace : {1.0, 2.0, 5.0, 10.0})
        m_paceBox->addItem(tr("%1/s").arg(pace), pace);
    m_paceBox->setCurrentIndex(2);
    m_paceBox->setToolTip(tr("Snapshots a second while playing"));
    m_playTimer = new QTimer(this);
    top->addGroup({new QLabel(tr("Sample"), this), m_sampleBox, m_pinBox, m_addButton, m_removeButton});
    m_explainBox = new QCheckBox(tr("Explain live"), this);
    m_explainBox->setObjectName(QStringLiteral("explainLive"));
    m_explainBox->setChecked(m_liveExplanations);
    m_explainBox->setToolTip(tr("Compute the explanations (rollout, gradient × input, integrated gradients, "
                                "occlusion) on the training worker with the attention snapshots, within a "
                                "budget of their own. Off, the worker spends no time on them; the attention "
                                "stays live."));
    top->addGroup({new QLabel(tr("Score"), this), m_scoreBox, m_explainBox});
    top->addGroup({new QLabel(tr("Colours"), this), m_colorBox});
    top->addGroup({new QLabel(tr("Scale"), this), m_scaleBox});
    top->addWidget(m_exportButton);
    top->addGroup({m_playButton, m_paceBox});  // the timeline's, on this row: the slider keeps its room
    layout->addLayout(top);

    // Row 2: the timeline.
    auto *timeline = new QHBoxLayout;
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName(QStringLiteral("timeline"));
    m_slider->setToolTip(tr("Scrub back through the attention snapshots kept during training"));
    m_stepLabel = new QLabel(this);
    m_stepLabel->setMinimumWidth(QFontMetrics(font()).horizontalAdvance(QStringLiteral("step 000000 (00/00)")));
    m_liveButton = new QPushButton(tr("Live"), this);
    m_liveButton->setObjectName(QStringLiteral("live"));
    m_liveButton->setCheckable(true);
    m_liveButton->setChecked(true);
    m_liveButton->setToolTip(tr("Follow the newest snapshot"));
    timeline->addWidget(new QLabel(tr("Timeline"), this));
    timeline->addWidget(m_slider, 1);
    timeline->addWidget(m_stepLabel);
    timeline->addWidget(m_liveButton);
    layout->addLayout(timeline);

    // Above the views, where a reader looks first: with encoder layers the
    // pooling weighs mixed positions, not words (docs/attention.md).
    m_encoderNote = new QLabel(this);
    m_encoderNote->setObjectName(QStringLiteral("encoderNote"));
    m_encoderNote->setWordWrap(true);
    m_encoderNote->setTextFormat(Qt::PlainText);
    m_encoderNote->setFrameShape(QFrame::StyledPanel);
    m_encoderNote->setMargin(4);
    m_encoderNote->hide();
    layout->addWidget(m_encoderNote);

    // The views.
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("attentionViews"));
    // Whole names, scrolled on a narrow window ("H…", "Self-at…" at 1024 px
    // said nothing), and as many as fit shown.
    m_tabs->setElideMode(Qt::ElideNone);
    m_tabs->setUsesScrollButtons(true);
    m_heatmapPage = new QWidget;
    auto *heatLayout = new QVBoxLayout(m_heatmapPage);
    auto *heatControls = new FlowLayout(nullptr, 12, 4);
    m_layoutBox = new QComboBox(m_heatmapPage);
    m_layoutBox->addItems({tr("Tasks of the selected sample"), tr("Probe samples for one task")});
    m_taskBox = new QComboBox(m_heatmapPage);
    m_taskBox->setEnabled(false);
    // As wide as a name of a few words, not as the longest of thousands of tasks (measuring them all takes long).
    m_taskBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_taskBox->setMinimumContentsLength(16);
    heatControls->addGroup({new QLabel(tr("Rows"), m_heatmapPage), m_layoutBox});
    auto *cellValues = new QCheckBox(tr("Values"), m_heatmapPage);
    cellValues->setObjectName(QStringLiteral("cellValues"));
    cellValues->setToolTip(tr("Print each cell's value where it fits (otherwise the probe rows print their tokens)"));
    heatControls->addGroup({new QLabel(tr("Task"), m_heatmapPage), m_taskBox, cellValues});
    heatLayout->addLayout(heatControls);
    m_heatmap = new TaskHeatmap(m_heatmapPage);
    connect(cellValues, &QCheckBox::toggled, m_heatmap, &TaskHeatmap::setCellValues);
    heatLayout->addWidget(m_heatmap, 1);
    m_tabs->addTab(m_heatmapPage, tr("Heatmap"));

    m_textView = new TextView;
    auto *textScroll = new QScrollArea;
    textScroll->setWidget(m_textView);
    textScroll->setWidgetResizable(true);
    m_textPage = textScroll;
    m_tabs->addTab(textScroll, tr("Text"));

    m_selfAttention = new SelfAttentionView;
    m_tabs->addTab(m_selfAttention, tr("Self-attention"));
    m_disagreement = new DisagreementView;
    m_tabs->addTab(m_disagreement, tr("Disagreement"));
    m_history = new HistoryView;
    m_tabs->addTab(m_history, tr("Over training"));
    m_probeEditor = new ProbeEditor;
    m_tabs->addTab(m_probeEditor, tr("Probe editor"));
    // Compare: the five scores of one task side by side (a text view in compare mode).
    m_comparePage = new QWidget;
    auto *compareLayout = new QVBoxLayout(m_comparePage);
    auto *compareControls = new FlowLayout(nullptr, 12, 4);
    m_compareTaskBox = new QComboBox(m_comparePage);
    m_compareTaskBox->setObjectName(QStringLiteral("compareTask"));
    m_compareTaskBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_compareTaskBox->setMinimumContentsLength(16);
    compareControls->addGroup({new QLabel(tr("Task"), m_comparePage), m_compareTaskBox});
    compareLayout->addLayout(compareControls);
    m_compare = new TextView;
    m_compare->setObjectName(QStringLiteral("compareView"));
    m_compare->setCompareTask(0);
    auto *compareScroll = new QScrollArea;
    compareScroll->setWidget(m_compare);
    compareScroll->setWidgetResizable(true);
    compareLayout->addWidget(compareScroll, 1);
    m_tabs->addTab(m_comparePage, tr("Compare"));
    layout->addWidget(m_tabs, 1);

    connect(m_sampleBox, &QComboBox::activated, this, &AttentionPanel::selectSample);
    connect(m_heatmap, &TaskHeatmap::sampleClicked, this, &AttentionPanel::selectSample);
    connect(m_colorBox, &QComboBox::activated, this, [this](int i) {
        setColorMap(ColorMap(i));
        emit colorMapChanged(colorMapName(ColorMap(i)));
    });
    connect(m_scaleBox, &QComboBox::activated, this, [this](int i) {
        setColorScale(ColorScale(i));
        emit colorScaleChanged(ColorScale(i));
    });
    connect(m_layoutBox, &QComboBox::activated, this, [this](int i) {
        m_heatmap->setLayout(i == 0 ? TaskHeatmap::Layout::TasksForSample : TaskHeatmap::Layout::SamplesForTask);
        m_taskBox->setEnabled(i == 1);
    });
    connect(m_taskBox, &QComboBox::activated, m_heatmap, &TaskHeatmap::setTask);
    connect(m_scoreBox, &QComboBox::activated, this, [this](int i) {
        setScore(Method(i));
        emit scoreChanged(Method(i));
    });
    connect(m_explainBox, &QCheckBox::clicked, this, &AttentionPanel::setLiveExplanations);
    connect(m_compareTaskBox, &QComboBox::activated, this, &AttentionPanel::setCompareTask);
    connect(m_heatmap, &TaskHeatmap::taskClicked, this, [this](int t) {
        m_taskBox->setCurrentIndex(t);
        m_heatmap->setTask(t);
    });
    connect(m_slider, &QSlider::valueChanged, this, [this](int i) {
        if (m_slider->isSliderDown() || i != m_slider->maximum() || !m_live)
            scrubTo(i);
    });
    connect(m_playButton, &QPushButton::toggled, this, &AttentionPanel::play);
    connect(m_paceBox, &QComboBox::activated, this, [this] { setPlayPace(playPace()); });
    connect(m_playTimer, &QTimer::timeout, this, [this] {
        const int next = m_slider->value() + 1;
        scrubTo(next);
        if (next >= m_timeline.size() - 1)
            play(false);  // at the newest: live again
    });
    connect(m_liveButton, &QPushButton::clicked, this, [this] {
        if (m_file.isEmpty())
            scrubTo(m_timeline.size() - 1);
        else
            emit liveRequested();
    });
    connect(m_pinBox, &QCheckBox::clicked, this, [this](bool pinned) {
        if (m_selected < 0 || m_selected >= int(m_shown->samples.size()))
            return;
        m_probes.setPinned(m_shown->samples[size_t(m_selected)].probe, pinned);
        emit probeSetChanged(m_probes);
    });
    connect(m_removeButton, &QPushButton::clicked, this, [this] { editProbes(false); });
    connect(m_addButton, &QPushButton::clicked, this, [this] { editProbes(true); });
    connect(m_exportButton, &QPushButton::clicked, this, &AttentionPanel::exportCurrent);
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
    m_live = true;
    if (m_model && m_validation) {
        if (!sameSplit)
            m_probes.choose(*m_validation, m_model->tasks);
        emit probeSetChanged(m_probes);
    }
    m_file.clear();
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
    m_file = name.isEmpty() ? tr("a file") : name;
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

QString AttentionPanel::fileNote() const
{
    if (m_file.isEmpty())
        return {};
    // Counts spelled out: tr()'s %n plural needs a translator.
    const auto count = [](size_t n, const QString &one, const QString &many) { return n == 1 ? one : many.arg(n); };
    const QString maps = m_shown->layers > 0
                             ? tr("%1 × %2 heads").arg(count(size_t(m_shown->layers), tr("1 layer"), tr("%1 layers")))
                                   .arg(m_shown->heads)
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
    if (!snapshot || !m_file.isEmpty())
        return;  // a file is shown: the run's snapshots wait for Live (the next one comes soon)
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
    updateProbeCoverage();
    m_live = true;
    showSnapshot(std::make_shared<const AttentionSnapshot>());
    updateTimelineControls();
}

void AttentionPanel::showSnapshot(SnapshotPtr snapshot)
{
    // Keep the same probe sample selected across snapshots.
    int probe = m_selected >= 0 && m_selected < int(m_shown->samples.size()) ? m_shown->samples[size_t(m_selected)].probe : -1;
    m_shown = snapshot ? std::move(snapshot) : std::make_shared<const AttentionSnapshot>();
    int index = probe >= 0 ? m_shown->findProbe(probe) : -1;
    m_selected = index >= 0 ? index : (m_selected < int(m_shown->samples.size()) ? m_selected : 0);
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
    // A line each (a small window has little height for them), what they mean in the tooltip.
    QStringList lines, details;
    for (const Note &note : {Note{fileNote(), {}}, encoder(), uniform()})
        if (!note.line.isEmpty()) {
            lines << note.line;
            if (!note.details.isEmpty())
                details << note.details;
        }
    m_encoderNote->setText(lines.join(QStringLiteral("\n")));
    m_encoderNote->setToolTip(details.join(QStringLiteral("\n\n")));
    m_encoderNote->setVisible(!lines.isEmpty());
    updateSampleBox();
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
    // At step 0 every run's attention is near uniform (its queries start
    // near 0, MODEL.md 8): said only once it has trained.
    if (m_shown->isNull() || m_shown->step <= 0 || m_shown->mode == AttentionMode::Uniform || !m_file.isEmpty())
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
    emit sampleSelected(m_shown->samples[size_t(index)].sampleIndex);
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
    m_liveButton->setToolTip(m_file.isEmpty() ? tr("Follow the newest snapshot") : tr("Back to the run's attention"));
    if (!m_file.isEmpty())
        m_stepLabel->setText(tr("from a file"));
    else
        m_stepLabel->setText(n == 0 ? tr("no snapshot")
                                    : tr("step %1 (%2/%3)").arg(m_shown->step).arg(current + 1).arg(n));
}

void AttentionPanel::updateSampleBox()
{
    QSignalBlocker block(m_sampleBox);
    m_sampleBox->clear();
    for (const AttentionSample &s : m_shown->samples) {
        // The first words and the labels of the first tasks, elided (a
        // file may have thousands of tasks, a token may be long).
        QString words;
        for (size_t j = 0; j < s.tokens.size() && words.size() < 40; ++j)
            words += (j ? QStringLiteral(" ") : QString()) + elidedName(s.shownToken(j));
        QStringList labels;
        for (size_t t = 0; t < s.labels.size() && t < m_shown->tasks.size() && labels.size() < MaxNamedTasks; ++t)
            if (s.labels[t] >= 0)
                labels << elidedName(m_shown->tasks[t].classes[size_t(s.labels[t])]);
        if (labels.size() == MaxNamedTasks && m_shown->tasks.size() > size_t(MaxNamedTasks))
            labels << QStringLiteral("…");
        m_sampleBox->addItem(labels.isEmpty() ? QStringLiteral("#%1 %2…").arg(s.sampleIndex).arg(words)  // a file's: no labels
                                              : QStringLiteral("#%1 [%2] %3…").arg(s.sampleIndex).arg(labels.join(QStringLiteral(", ")), words));
    }
    // Last, not selectable: the classes the probes leave out (the budget is
    // 16 samples; a task of 45 classes cannot have them all).
    if (const QString note = probeCoverageNote(); !note.isEmpty()) {
        m_sampleBox->addItem(note);
        const int last = m_sampleBox->count() - 1;
        m_sampleBox->setItemData(last, QVariant(0), Qt::UserRole - 1);  // Qt::ItemFlags: not enabled
        m_sampleBox->setItemData(last, note, Qt::ToolTipRole);
    }
    m_sampleBox->setCurrentIndex(m_selected);
    const bool has = m_selected >= 0 && m_selected < int(m_shown->samples.size()) && m_file.isEmpty();
    m_pinBox->setEnabled(has);
    m_removeButton->setEnabled(has && m_probes.size() > 1);
    m_addButton->setEnabled(bool(m_validation) && m_file.isEmpty());
    m_pinBox->setChecked(has && m_probes.isPinned(m_shown->samples[size_t(m_selected)].probe));
}

bool AttentionPanel::addProbe(int number, QString *error)
{
    QString problem;
    if (!m_validation || m_validation->samples.empty()) {
        problem = tr("There are no validation samples to take probes from");
    } else {
        const std::vector<EncodedSample> &samples = m_validation->samples;
        const auto it = std::find_if(samples.begin(), samples.end(),
                                     [number](const EncodedSample &s) { return s.index == number; });
        if (it == samples.end())
            problem = tr("#%1 is not a validation sample: probes are taken from the %2 validation samples")
                          .arg(number)
                          .arg(samples.size());
        else if (!m_probes.add(int(it - samples.begin())))
            problem = tr("#%1 is a probe already").arg(number);
    }
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return false;
    }
    updateProbeCoverage();
    emit probeSetChanged(m_probes);  // the worker sends a snapshot of the new set
    return true;
}

void AttentionPanel::updateProbeCoverage()
{
    m_probeCoverage = coverageNote();
}

QString AttentionPanel::coverageNote() const
{
    if (!m_model || !m_validation || !m_file.isEmpty())
        return {};
    const std::vector<std::vector<int>> missing = m_probes.classesWithoutProbe(*m_validation, m_model->tasks);
    QStringList tasks;
    int more = 0;
    for (size_t t = 0; t < missing.size() && t < m_model->tasks.size(); ++t) {
        if (missing[t].empty())
            continue;
        if (tasks.size() == MaxNamedTasks) {
            ++more;
            continue;
        }
        QStringList names;
        for (size_t k = 0; k < missing[t].size() && k < 3; ++k)
            names << elidedName(m_model->tasks[t].classes[size_t(missing[t][k])]);
        if (missing[t].size() > 3)
            names << QStringLiteral("…");
        // spelled out: tr()'s %n plural needs a translator to say "classes"
        const QString count = missing[t].size() == 1 ? tr("1 class") : tr("%1 classes").arg(missing[t].size());
        tasks << QStringLiteral("%1: %2 (%3)")
                     .arg(elidedName(m_model->tasks[t].name), count, names.join(QStringLiteral(", ")));
    }
    if (tasks.isEmpty())
        return {};
    if (more > 0)
        tasks << andMore(more, tr("tasks"));
    return tr("No probe for %1").arg(tasks.join(QStringLiteral("; ")));
}

void AttentionPanel::editProbes(bool add)
{
    if (add) {
        if (!m_validation || m_validation->samples.empty())
            return;
        // The numbers the list shows (#N, the sample's place in the dataset):
        // the dialog asked for a place in the validation split, and 100 added #533.
        int first = m_validation->samples.front().index, last = first, suggested = -1;
        for (size_t i = 0; i < m_validation->samples.size(); ++i) {
            const int number = m_validation->samples[i].index;
            first = std::min(first, number);
            last = std::max(last, number);
            if (suggested < 0 && !m_probes.contains(int(i)))
                suggested = number;
        }
        bool ok = false;
        const int number = QInputDialog::getInt(
            this, tr("Add a probe sample"),
            tr("Sample number, as the list shows it (#N; one of the %1 validation samples, #%2 – #%3):")
                .arg(m_validation->samples.size())
                .arg(first)
                .arg(last),
            suggested < 0 ? first : suggested, first, last, 1, &ok);
        QString error;
        if (ok && !addProbe(number, &error))
            QMessageBox::information(this, tr("Add a probe sample"), error);
        return;
    } else {
        if (m_selected < 0 || m_selected >= int(m_shown->samples.size()))
            return;
        m_probes.remove(m_shown->samples[size_t(m_selected)].probe);
        updateProbeCoverage();
        m_selected = 0;
    }
    emit probeSetChanged(m_probes);  // the worker sends a snapshot of the new set
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

QString AttentionPanel::csv(View view) const
{
    switch (view) {
    case View::Heatmap: return m_heatmap->csv();
    case View::Text: return m_textView->csv();
    case View::SelfAttention: return m_selfAttention->csv();
    case View::Disagreement: return m_disagreement->csv();
    case View::History: return m_history->csv();
    case View::ProbeEditor: return m_probeEditor->textView()->csv();
    case View::Compare: return m_compare->csv();
    }
    return {};
}

QByteArray AttentionPanel::json(View view) const
{
    // The schema of `attnscope-cli attention`.
    if (view == View::ProbeEditor)
        return QByteArray::fromStdString(snapshotJson(m_probeEditor->result()));
    if (view == View::History || (view == View::Heatmap && m_heatmap->layoutMode() == TaskHeatmap::Layout::SamplesForTask))
        return QByteArray::fromStdString(snapshotJson(*m_shown));
    if (m_selected < 0 || m_selected >= int(m_shown->samples.size()))
        return QByteArray::fromStdString(snapshotJson(AttentionSnapshot()));
    return QByteArray::fromStdString(snapshotJson(*m_shown, {m_selected}));
}

QString AttentionPanel::exportHeading(View which) const
{
    QStringList parts;
    if (!m_file.isEmpty()) {
        parts << tr("attention from %1").arg(m_file);
    } else {
        if (!m_source.isEmpty())
            parts << m_source;
        if (!m_shown->isNull())
            parts << tr("step %1").arg(m_shown->step);
    }
    parts << m_tabs->tabText(int(which)).remove(QLatin1Char('&'));
    if ((which == View::SelfAttention || which == View::Disagreement) && m_selected >= 0
        && m_selected < int(m_shown->samples.size()))
        parts << sampleName(*m_shown, m_shown->samples[size_t(m_selected)]);
    return parts.join(QStringLiteral(" · "));
}

bool AttentionPanel::exportImage(View which, const QString &path, QString *error)
{
    QWidget *w = which == View::Heatmap ? m_heatmap : which == View::Text ? m_textView : view(which);
    ImageOptions options;
    options.heading = exportHeading(which);
    options.title = options.heading;
    return exportViewImage(w, path, error, options);
}

bool AttentionPanel::exportCsv(View view, const QString &path, QString *error)
{
    return writeFileAtomically(path, csv(view).toUtf8(), error);
}

bool AttentionPanel::exportJson(View view, const QString &path, QString *error)
{
    return writeFileAtomically(path, json(view), error);
}

void AttentionPanel::exportCurrent()
{
    const View which = View(m_tabs->currentIndex());
    const QString name = m_tabs->tabText(m_tabs->currentIndex()).toLower().replace(QLatin1Char(' '), QLatin1Char('-'));
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export %1").arg(m_tabs->tabText(m_tabs->currentIndex())),
        QStringLiteral("attention-%1-step%2.png").arg(name).arg(m_shown->step),
        tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf);;CSV numbers (*.csv);;JSON (attnscope-cli attention schema) (*.json)"));
    if (path.isEmpty())
        return;
    QString error;
    const QString suffix = QFileInfo(path).suffix().toLower();
    bool ok = false;
    if (suffix == QLatin1String("csv"))
        ok = exportCsv(which, path, &error);
    else if (suffix == QLatin1String("json"))
        ok = exportJson(which, path, &error);
    else
        ok = exportImage(which, path, &error);
    if (!ok)
        QMessageBox::warning(this, tr("Export failed"), error);
}

} // namespace attnscope
