// The attention panel's controls and views, made and wired: the
// constructor's job (attentionpanel.cpp), one function a part.
#include "attentionpanel.h"

#include "disagreementview.h"
#include "elidedlabel.h"
#include "flowlayout.h"
#include "historyview.h"
#include "probeeditor.h"
#include "scores.h"
#include "selfattentionview.h"
#include "taskheatmap.h"
#include "textview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace attnscope {

// Row 1: which sample, probe set editing, colour map, export; on more
// lines when the window is narrow (flowlayout.h).
QLayout *AttentionPanel::makeToolbar()
{
    auto *top = new FlowLayout(nullptr, 12, 4);
    top->setRoomForExpanding(true);  // the sample's text before a row's spare room
    m_sampleBox = new QComboBox(this);
    m_sampleBox->setObjectName(QStringLiteral("sampleBox"));
    // A sample's text is long: the box takes the room there is, and at least a few words' worth
    // (8 characters: with 12 its row, measured at the zoom shown, was wider than the Attention
    // tab at 1024 x 768 and 150 %; "#12 the fil…" still names the sample).
    m_sampleBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_sampleBox->setMinimumContentsLength(8);
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
    m_exportButton->setToolTip(tr("Export the view shown: a picture (PNG, SVG, PDF) or its numbers (CSV, JSON)"));
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
    // Export is at the views' tabs (it exports the one shown), Play on the
    // timeline's row: a row less at 1024 x 768 and 150 %, for the views.
    return top;
}

// Row 2: the timeline, and Play through it.
QLayout *AttentionPanel::makeTimelineRow()
{
    auto *timeline = new QHBoxLayout;
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName(QStringLiteral("timeline"));
    m_slider->setToolTip(tr("Scrub back through the attention snapshots kept during training"));
    m_stepLabel = new QLabel(this);
    m_stepLabel->setObjectName(QStringLiteral("stepLabel"));
    // No least width of its own: one computed from the font at the build
    // stayed at that zoom (from a 200 % build, the slider was a 20-px stub at
    // 100 % and a drag jumped to step 0); the label's text sets it, at the
    // zoom shown.
    m_liveButton = new QPushButton(tr("Live"), this);
    m_liveButton->setObjectName(QStringLiteral("live"));
    m_liveButton->setCheckable(true);
    m_liveButton->setChecked(true);
    m_liveButton->setToolTip(tr("Follow the newest snapshot"));
    timeline->addWidget(m_playButton);
    timeline->addWidget(m_paceBox);
    timeline->addWidget(m_slider, 1);
    timeline->addWidget(m_stepLabel);
    timeline->addWidget(m_liveButton);
    return timeline;
}

// Above the views, where a reader looks first: with encoder layers the
// pooling weighs mixed positions, not words (docs/attention.md). A line a
// note, cut at its tail where narrow (wrapped, at 1024 x 768 and 150 % it
// took the views' height; cut in the middle, the near-uniform line lost its
// entropy, "entropy …0"; the tooltip says it all).
QLabel *AttentionPanel::makeNoteLine()
{
    auto *note = new ElidedLabel(this, 2000);
    note->setElideMode(Qt::ElideRight);
    m_encoderNote = note;
    m_encoderNote->setObjectName(QStringLiteral("encoderNote"));
    m_encoderNote->setFrameShape(QFrame::StyledPanel);
    m_encoderNote->setContentsMargins(4, 4, 4, 4);
    m_encoderNote->hide();
    return m_encoderNote;
}

// The views, a tab each, in View's order.
QTabWidget *AttentionPanel::makeViews()
{
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("attentionViews"));
    // Whole names, scrolled on a narrow window ("H…", "Self-at…" at 1024 px
    // said nothing), and as many as fit shown.
    m_tabs->setElideMode(Qt::ElideNone);
    m_tabs->setUsesScrollButtons(true);
    m_tabs->setCornerWidget(m_exportButton, Qt::TopRightCorner);
    m_heatmapPage = new QWidget;
    auto *heatLayout = new QVBoxLayout(m_heatmapPage);
    heatLayout->setContentsMargins(0, 4, 0, 0);  // the tab's frame is margin enough
    auto *heatControls = new FlowLayout(nullptr, 12, 4);
    m_layoutBox = new QComboBox(m_heatmapPage);
    m_layoutBox->addItems({tr("Tasks of the sample"), tr("Samples for one task")});
    m_layoutBox->setToolTip(tr("A row per task of the selected sample, or a row per probe sample for one task"));
    m_taskBox = new QComboBox(m_heatmapPage);
    m_taskBox->setEnabled(false);
    // As wide as a name of a few words, not as the longest of thousands of
    // tasks (measuring them all takes long); on one line with the rest at
    // 1024 x 768 and 150 % (on two they took the heatmap's least height).
    m_taskBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_taskBox->setMinimumContentsLength(10);
    m_heatmap = new TaskHeatmap(m_heatmapPage);
    heatControls->addGroup({new QLabel(tr("Rows"), m_heatmapPage), m_layoutBox});
    // The unknown words' legend while the sample has one: after the rows'
    // box, where a 1024 x 768 window at 150 % has room for it on that line
    // (after Values it took a line of its own, and beside the title wrapped it).
    heatControls->addGroup({m_heatmap->takeUnknownLegend()});
    auto *cellValues = new QCheckBox(tr("Values"), m_heatmapPage);
    cellValues->setObjectName(QStringLiteral("cellValues"));
    cellValues->setToolTip(tr("Print each cell's value where it fits (otherwise the probe rows print their tokens)"));
    heatControls->addGroup({new QLabel(tr("Task"), m_heatmapPage), m_taskBox, cellValues});
    heatLayout->addLayout(heatControls);
    connect(cellValues, &QCheckBox::toggled, m_heatmap, &TaskHeatmap::setCellValues);
    // Why no value prints, when the cells are too small (also under the cells).
    connect(m_heatmap, &TaskHeatmap::valuesNoteChanged, cellValues, [cellValues](const QString &note) {
        const QString tip = AttentionPanel::tr("Print each cell's value where it fits (otherwise the probe rows print their tokens)");
        cellValues->setToolTip(note.isEmpty() ? tip : tip + QStringLiteral("\n\n") + note.left(1).toUpper() + note.mid(1));
    });
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
    return m_tabs;
}

void AttentionPanel::connectControls()
{
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
}

} // namespace attnscope
