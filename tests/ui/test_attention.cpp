// The attention views of issue 5: the heatmap shows exactly the core's
// weights, a selection reaches every view, the timeline scrubs, the probe
// editor equals `attnscope-cli attention --text`, and exports are valid.
#include "../csvrecords.h"
#include "viewexport.h"
#include "attentionfeed.h"
#include "attentionpanel.h"
#include "attentiontimeline.h"
#include "checkpoint.h"
#include "colormaps.h"
#include "attentionfile.h"
#include "data/load.h"
#include "disagreementview.h"
#include "headgrid.h"
#include "historyview.h"
#include "liveexplainer.h"
#include "mainwindow.h"
#include "trainingcontroller.h"
#include "scores.h"
#include "probeeditor.h"
#include "probeset.h"
#include "selfattentionview.h"
#include "taskheatmap.h"
#include "tasknames.h"
#include "textview.h"
#include "unknownmark.h"
#include "trainer.h"

#include <QLineEdit>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QLabel>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QPushButton>
#include <QComboBox>
#include <QSignalSpy>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QStandardItemModel>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QThread>
#include <QScopeGuard>
#include <QScrollArea>
#include <QScrollBar>
#include <QTabBar>
#include <QLayout>
#include <QTabWidget>
#include <QTest>
#include <qcustomplot.h>

#include <QTabWidget>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <memory>

#include "appearance.h"
#include "elidedlabel.h"

#include "../specialfiles.h"

using namespace attnscope;

class TestAttention : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void probeSetCoversEveryClass();
    void sampleListNamesClassesWithoutProbe();
    void nearUniformAttentionIsSaid();
    void heatmapCellsEqualCoreWeights();
    void heatmapSamplesForTaskLayout();
    void probeRowsShowTheirTokens();
    void unknownWordsAreMarked();
    void colourScaleFixedOrLargest();
    void thumbnailsAreBlockMaxima();
    void clickingARowSelectsTheSample();
    void selectingASampleUpdatesEveryView();
    void timelineKeepsBoundedEvenlyThinned();
    void timelineKeepsItsMemoryBudget();
    void timelineScrubbingShowsSnapshotWeights();
    void playReplaysTheTimeline();
    void refreshFromAWorkerThread();
    void probeEditorEqualsCli();
    void workbenchFeedShowsTheWorkersWeights();
    void earlierRunKeepsTheCurrentRunsTimeline();
    void taskColoursAreTheWorkbenchs();
    void exportsWriteValidFiles_data();
    void exportsWriteValidFiles();
    void exportTitleLinesShareTheirMargin();
    void exportsNeverReplaceDevices();
    void exportsQuoteNamesFromTheData();
    void selfAttentionLabelsAreElided();
    void encoderLayersAreSaidAboveTheViews();
    void snapshotAgreesWithEvaluate();
    void scoreChooserSetsEveryView();
    void signedScoresUseADivergingMapCentredOnZero();
    void compareShowsTheFiveScores();
    void jsonExportCarriesTheExplanations();
    void jsonExportSummaryEqualsCli();
    void disagreementFollowsTheScore();
    void disagreementLegendCoversNothing();
    void historyLegendsFollowTheTheme();
    void historyKeepsOnlyWhatIsThere();
    void historyFitsAProjector();
    void nearUniformNoteOnlyForTrainedWeights();
    void checkpointWeightsAreTrained();
    void cellValuesFitOrSayWhy();
    void heatmapScaleTitleFits();
    void probeNumbersAndEditsSurviveANewRun();
    void textHeightFollowsTheZoom();
    void tabNamesAreWhole();
    void headLabelsFit();
    void everyControlIsLaidOut();
    void colourScaleTicksFit();
    void selfAttentionLabelsFit();  // with the zoom tests: the first zoom sets the font at least 11 pt
    void heatmapLabelsEveryTokenThatFits();
    void selfAttentionKeepsTheMostAttendedLabel();
    void uniformNoteKeepsItsEntropy();
    void probeRowsPrintWholeRowsOrNone();
    void heatmapRowsKeepALine();
    void selfAttentionMapUsesTheRoom();
    void heatmapNamesTheColumnMostRowsLookAt();
    void selfAttentionNamesTheRowTheTasksRead();
    void fileAttentionNamesNoStep();
    void exportedTitleIsWhole();
    void fileAttentionNamesNoStepInAnyView();
    void rationaleLegendFitsTheColumn();
    void selfAttentionNoteIsWhole();
    void historyComparesTwoScoresOnAProjector();
    void historyStepTicksAreRound();
    void unknownWordMarkSurvivesACutLabel();
    void selfAttentionMarksUnknownWords();
    void textViewMarksUnknownWords();
    void compareTitleIsWhole();
    void historyTitleIsWholeOnAProjector();
    void noGoldLabelSaysNothingOfGold();
    void selfAttentionLabelsEveryRowThatFits();
    void disagreementLabelsLeaveThePlotRoom();

private:
    // A snapshot of the probe set at `step` with every sample explained, as the worker sends it.
    AttentionSnapshot explainedSnapshot(int64_t step);
    LiveExplainer m_explainer;
    void trainSteps(int steps);

    std::shared_ptr<Dataset> m_data;
    std::shared_ptr<Model> m_model;
    std::shared_ptr<EncodedDataset> m_train, m_val;
    std::unique_ptr<AttentionPanel> m_panel;
    QTemporaryDir m_dir;
};

void TestAttention::initTestCase()
{
    m_data = std::make_shared<Dataset>();
    std::string error;
    QVERIFY2(loadDataset("builtin:reviews?n=400", m_data.get(), &error), error.c_str());
    const Split split = splitDataset(*m_data, 0.25, 1);
    ModelConfig config;
    config.dim = 32;
    config.heads = 2;
    config.ffn = 64;
    config.layers = 2;
    m_model = std::make_shared<Model>(createModel(*m_data, split.train, config, 7));
    const Vocabulary vocab(m_model->vocab);
    m_train = std::make_shared<EncodedDataset>(encodeDataset(*m_data, split.train, vocab, m_model->config.maxLen));
    m_val = std::make_shared<EncodedDataset>(encodeDataset(*m_data, split.val, vocab, m_model->config.maxLen));
    trainSteps(30);
    m_panel = std::make_unique<AttentionPanel>();
    m_panel->resize(1200, 800);
    m_panel->setModelAndData(modelInfo(*m_model), m_data, m_val);
    // The panel runs no model: the snapshot of step 30, as a worker would send it.
    m_panel->setSnapshot(m_panel->probeSet().refresh(*m_model, *m_val, 30, m_data.get()));
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
}

void TestAttention::trainSteps(int steps)
{
    TrainConfig tc;
    tc.steps = steps;
    tc.batchSize = 16;
    tc.seed = uint64_t(steps);
    Trainer trainer(*m_model, *m_train, tc);
    while (trainer.step()) {}
}

void TestAttention::probeSetCoversEveryClass()
{
    const ProbeSet &probes = m_panel->probeSet();
    QVERIFY(probes.size() > 0);
    for (size_t t = 0; t < m_model->tasks.size(); ++t)
        for (size_t c = 0; c < m_model->tasks[t].classes.size(); ++c) {
            bool inData = false, inProbes = false;
            for (const EncodedSample &s : m_val->samples)
                inData = inData || s.labels[t] == int(c);
            for (int i : probes.indices())
                inProbes = inProbes || m_val->samples[size_t(i)].labels[t] == int(c);
            QVERIFY2(!inData || inProbes, qPrintable(QStringLiteral("task %1 class %2").arg(t).arg(c)));
        }
    ProbeSet edited = probes;
    const int extra = m_val->samples.size() > 50 ? 50 : 0;
    edited.setPinned(extra, true);
    QVERIFY(edited.contains(extra) && edited.isPinned(extra));
    edited.choose(*m_val, m_model->tasks);
    QVERIFY(edited.contains(extra));  // pinned survives a re-choice
    QVERIFY(edited.remove(extra));
    QVERIFY(!edited.isPinned(extra));
}

// Issue 15: with a 45-class task the 16 probes cannot cover every class;
// the Sample list says which have none, in a last entry that is not a sample.
void TestAttention::sampleListNamesClassesWithoutProbe()
{
    QCOMPARE(m_panel->probeCoverageNote(), QString());  // reviews: every class has one
    ModelInfo info;
    info.maxLen = 8;
    info.tasks.resize(2);
    info.tasks[0].name = "lexname";
    for (int c = 0; c < 45; ++c)
        info.tasks[0].classes.push_back("field" + std::to_string(100 + c));
    info.tasks[1].name = "pos";
    info.tasks[1].classes = {"a", "n", "r", "s", "v"};
    auto val = std::make_shared<EncodedDataset>();
    val->tasks = 2;
    for (int c = 0; c < 45; ++c)
        for (int k = 0; k < 2 + c; ++k) {
            EncodedSample sample;
            sample.ids = {2, 3};
            sample.mask = {1, 1};
            sample.tokens = {Token{"a", 0, 1}, Token{"b", 2, 3}};
            sample.labels = {c, int(val->samples.size() % 5)};
            sample.index = int(val->samples.size());
            val->samples.push_back(sample);
        }
    AttentionPanel panel;
    panel.setModelAndData(info, nullptr, val);
    const QString note = panel.probeCoverageNote();
    QVERIFY2(note.startsWith(QStringLiteral("No probe for lexname: 29 classes (field100, field101, field102, …)")),
             qPrintable(note));
    QVERIFY2(!note.contains(QStringLiteral("pos")), qPrintable(note));
    auto *box = panel.findChild<QComboBox *>(QStringLiteral("sampleBox"));
    QVERIFY(box);
    QCOMPARE(box->itemText(box->count() - 1), note);
    const auto *items = qobject_cast<const QStandardItemModel *>(box->model());
    QVERIFY(items && !items->item(box->count() - 1)->isEnabled());
}

// Issue 15: real files with one encoder layer gave heatmaps of entropy
// 0.99-1.00 and the window said nothing; now a note above the views does,
// once the run has trained, and points at the explanations.
void TestAttention::nearUniformAttentionIsSaid()
{
    AttentionSnapshot snapshot;
    snapshot.step = 500;
    snapshot.tasks = {{"t", {"a", "b"}}};
    for (int i = 0; i < 3; ++i) {
        AttentionSample sample;
        sample.probe = i;
        sample.tokens = {"w", "x", "y", "z", "pad"};
        sample.mask = {1, 1, 1, 1, 0};
        sample.weights = {{0.25f, 0.25f, 0.25f, 0.249f, 0.0f}};
        sample.probs = {{0.5f, 0.5f}};
        sample.labels = {0};
        snapshot.samples.push_back(sample);
    }
    QVERIFY(meanNormalisedEntropy(snapshot) > 0.999);
    AttentionPanel panel;
    panel.setSnapshot(snapshot);
    QVERIFY2(panel.uniformNote().startsWith(QStringLiteral("Near-uniform attention (entropy 1.000)")),
             qPrintable(panel.uniformNote()));
    // It points at the window's Score chooser and Compare tab (it said
    // "attnscope-cli explain"); one line, what it means in the tooltip.
    QVERIFY(panel.uniformNote().contains(QStringLiteral("Score")) && panel.uniformNote().contains(QStringLiteral("Compare")));
    auto *note = panel.findChild<QLabel *>(QStringLiteral("encoderNote"));
    QVERIFY(note && note->text().contains(panel.uniformNote()) && !note->isHidden());
    QVERIFY2(note->toolTip().contains(QStringLiteral("The attention is near uniform (normalised entropy 1.000"))
                 && note->toolTip().contains(QStringLiteral("Compare tab")) && !note->toolTip().contains(QStringLiteral("cli")),
             qPrintable(note->toolTip()));

    for (AttentionSample &sample : snapshot.samples)
        sample.weights = {{0.7f, 0.1f, 0.1f, 0.1f, 0.0f}};  // entropy 0.68
    snapshot.step = 600;
    panel.setSnapshot(snapshot);
    QCOMPARE(panel.uniformNote(), QString());
    QVERIFY(note->isHidden());

    AttentionPanel fresh;  // step 0: every run starts near uniform
    snapshot.step = 0;
    for (AttentionSample &sample : snapshot.samples)
        sample.weights = {{0.25f, 0.25f, 0.25f, 0.25f, 0.0f}};
    fresh.setSnapshot(snapshot);
    QCOMPARE(fresh.uniformNote(), QString());
}

void TestAttention::heatmapCellsEqualCoreWeights()
{
    TaskHeatmap *heatmap = m_panel->heatmap();
    heatmap->setLayout(TaskHeatmap::Layout::TasksForSample);
    for (int k = 0; k < std::min(4, int(m_panel->shown().samples.size())); ++k) {
        m_panel->selectSample(k);
        const int probe = m_panel->shown().samples[size_t(k)].probe;
        // The core's own forward pass over the probe set, as the panel asked
        // for it (the same batch: padding changes float round-off, MODEL.md 2).
        const std::vector<SampleOutputs> all = inspect(*m_model, *m_val, m_panel->probeSet().indices());
        const std::vector<SampleOutputs> core = {all[size_t(k)]};
        QCOMPARE(heatmap->rows(), int(m_model->tasks.size()));
        QCOMPARE(heatmap->columns(), int(core[0].pool[0].size()));
        for (int t = 0; t < heatmap->rows(); ++t) {
            QCOMPARE(heatmap->rowLabel(t), QString::fromStdString(m_model->tasks[size_t(t)].name));
            for (int j = 0; j < heatmap->columns(); ++j) {
                QCOMPARE(heatmap->cell(t, j), double(core[0].pool[size_t(t)][size_t(j)]));
                QCOMPARE(heatmap->columnLabel(j),
                         QString::fromStdString(m_val->samples[size_t(probe)].tokens[size_t(j)].text));
            }
        }
        // And what the colour map draws is that value.
        QCPColorMap *map = qobject_cast<QCPColorMap *>(heatmap->plot()->plottable(0));
        QVERIFY(map);
        QCOMPARE(map->data()->cell(0, 0), double(core[0].pool[0][0]));
        QVERIFY(!map->interpolate());
    }
}

// The top colour sits at weight 1 by default (near-uniform attention stays
// dark) and at the sample's largest weight when asked.
void TestAttention::colourScaleFixedOrLargest()
{
    TaskHeatmap *heatmap = m_panel->heatmap();
    heatmap->setLayout(TaskHeatmap::Layout::TasksForSample);
    m_panel->selectSample(0);
    QCOMPARE(m_panel->colorScale(), ColorScale::Fixed);
    QCOMPARE(heatmap->colorScaleTop(), 1.0);
    m_panel->setColorScale(ColorScale::Largest);
    double largest = 0;
    for (int t = 0; t < heatmap->rows(); ++t)
        for (int j = 0; j < heatmap->columns(); ++j)
            largest = std::max(largest, heatmap->cell(t, j));
    QVERIFY(largest > 0 && largest < 1);
    QCOMPARE(heatmap->colorScaleTop(), largest);
    m_panel->setColorScale(ColorScale::Fixed);
    QCOMPARE(heatmap->colorScaleTop(), 1.0);
}

// The head grid's thumbnails (made on the worker with the snapshot): every
// pixel is the largest weight of its block of the full map, so one sharp
// weight stays visible at 300 tokens; short maps are kept whole.
void TestAttention::thumbnailsAreBlockMaxima()
{
    SelfAttentionMaps maps;
    maps.reset(1, 2, 300);
    uint32_t state = 12345;
    for (std::vector<float> &map : maps.maps)
        for (float &w : map) {
            state = state * 1664525u + 1013904223u;
            w = float(state >> 8) / float(1u << 24) * 0.01f;
        }
    maps.map(0, 1)[150 * 300 + 7] = 0.9f;
    const SelfAttentionMaps thumbs = blockMaxima(maps, 128);
    QCOMPARE(thumbs.layers, 1);
    QCOMPARE(thumbs.heads, 2);
    QCOMPARE(thumbs.n, 128);
    QCOMPARE(thumbs.floats(), size_t(2 * 128 * 128));
    for (int h = 0; h < 2; ++h) {
        // Every cell goes to pixel (i * 128 / 300, j * 128 / 300).
        std::vector<float> expected(128 * 128, -1.0f);
        for (int i = 0; i < 300; ++i)
            for (int j = 0; j < 300; ++j) {
                float &e = expected[size_t(i * 128 / 300) * 128 + size_t(j * 128 / 300)];
                e = std::max(e, maps.at(0, h, i, j));
            }
        for (int py = 0; py < 128; ++py)
            for (int px = 0; px < 128; ++px)
                QCOMPARE(thumbs.at(0, h, py, px), expected[size_t(py) * 128 + size_t(px)]);
    }
    QCOMPARE(thumbs.at(0, 1, 150 * 128 / 300, 7 * 128 / 300), 0.9f);
    QVERIFY(thumbs.at(0, 0, 150 * 128 / 300, 7 * 128 / 300) < 0.01f);

    SelfAttentionMaps small;
    small.reset(1, 2, 10);
    small.maps[1][57] = 0.5f;
    QCOMPARE(blockMaxima(small, 128).maps, small.maps);
    QVERIFY(blockMaxima(SelfAttentionMaps(), 128).empty());
}

void TestAttention::heatmapSamplesForTaskLayout()
{
    TaskHeatmap *heatmap = m_panel->heatmap();
    heatmap->setLayout(TaskHeatmap::Layout::SamplesForTask);
    heatmap->setTask(1);
    const AttentionSnapshot &shown = m_panel->shown();
    QCOMPARE(heatmap->rows(), int(shown.samples.size()));
    std::vector<int> probes;
    for (const AttentionSample &s : shown.samples) probes.push_back(s.probe);
    const std::vector<SampleOutputs> core = inspect(*m_model, *m_val, probes);
    for (int r = 0; r < heatmap->rows(); ++r)
        for (int j = 0; j < heatmap->columns(); ++j) {
            if (j < int(core[size_t(r)].pool[1].size()))
                QCOMPARE(heatmap->cell(r, j), double(core[size_t(r)].pool[1][size_t(j)]));
            else
                QVERIFY(std::isnan(heatmap->cell(r, j)));
        }
    heatmap->setLayout(TaskHeatmap::Layout::TasksForSample);
}

// "Probe samples for one task" numbered its columns only: each cell now
// holds its row's token where it fits (the rows' tokens differ), the hover
// names it, and an option prints the values instead; rows of the same
// tokens (a table's features) name the columns.
void TestAttention::probeRowsShowTheirTokens()
{
    TaskHeatmap *heatmap = m_panel->heatmap();
    heatmap->setLayout(TaskHeatmap::Layout::SamplesForTask);
    heatmap->setTask(0);
    const AttentionSnapshot &shown = m_panel->shown();
    QVERIFY(shown.samples.size() > 1);
    for (int r = 0; r < heatmap->rows(); ++r)
        for (int j = 0; j < heatmap->columns(); ++j) {
            const AttentionSample &s = shown.samples[size_t(r)];
            QCOMPARE(heatmap->cellText(r, j), j < s.tokenCount() ? elidedName(s.shownToken(size_t(j)), 24) : QString());
        }
    QCOMPARE(heatmap->columnLabel(2), QStringLiteral("2"));
    heatmap->setCellValues(true);
    QCOMPARE(heatmap->cellText(0, 0), QString::number(heatmap->cell(0, 0), 'f', heatmap->cell(0, 0) < 0.1 ? 3 : 2));
    heatmap->setCellValues(false);

    // Rows of one table: its features name the columns, the cells stay plain.
    AttentionSnapshot table;
    table.step = 1;
    table.input = InputKind::Tabular;
    table.tasks = {{"alarm", {"off", "on"}}};
    for (int i = 0; i < 3; ++i) {
        AttentionSample s;
        s.probe = s.sampleIndex = i;
        s.tokens = {"temperature", "pressure"};
        s.values = {float(i), 2.0f};
        s.mask = {1, 1};
        s.labels = {0};
        s.rationale.resize(1);
        s.weights = {{0.25f, 0.75f}};
        s.probs = {{0.5f, 0.5f}};
        table.samples.push_back(s);
    }
    TaskHeatmap features;
    features.setSnapshot(std::make_shared<const AttentionSnapshot>(table));
    features.setLayout(TaskHeatmap::Layout::SamplesForTask);
    QCOMPARE(features.rows(), 3);
    QCOMPARE(features.columnLabel(0), QStringLiteral("temperature"));
    QCOMPARE(features.columnLabel(1), QStringLiteral("pressure"));
    QCOMPARE(features.cellText(1, 1), QString());
    heatmap->setLayout(TaskHeatmap::Layout::TasksForSample);
}

// A word the model's vocabulary lacks went through as <unk> and was shown
// as the word: the snapshot says which, the hover says "word <unk>" and the
// views mark it at no cost in text (unknownWordMarkSurvivesACutLabel).
void TestAttention::unknownWordsAreMarked()
{
    ProbeInput input;
    input.text = "the qqzxv screen";
    const AttentionSnapshot snap = makeInputSnapshot(*m_model, input, 1);
    QCOMPARE(snap.samples.size(), size_t(1));
    const AttentionSample &s = snap.samples[0];
    QCOMPARE(s.unknown, (std::vector<uint8_t>{0, 1, 0}));
    QCOMPARE(s.shownToken(1), std::string("qqzxv <unk>"));
    QCOMPARE(s.shownToken(2), std::string("screen"));
    auto shared = std::make_shared<const AttentionSnapshot>(snap);
    TaskHeatmap heatmap;
    heatmap.setSnapshot(shared);
    QCOMPARE(heatmap.columnLabel(0), QStringLiteral("the"));
    QCOMPARE(heatmap.columnLabel(1), QStringLiteral("qqzxv"));
    QVERIFY(heatmap.columnUnknown(1) && !heatmap.columnUnknown(0) && heatmap.hasUnknown());
    // The validation samples' unknown words too (the snapshot the worker makes).
    const AttentionSnapshot &shown = m_panel->shown();
    for (const AttentionSample &p : shown.samples) {
        const EncodedSample &e = m_val->samples[size_t(p.probe)];
        QCOMPARE(p.unknown.size(), p.tokens.size());
        for (size_t j = 0; j < p.tokens.size(); ++j)
            QCOMPARE(bool(p.unknown[j]), e.ids[j] == Vocabulary::Unk);
    }
}

void TestAttention::clickingARowSelectsTheSample()
{
    m_panel->setCurrentView(AttentionPanel::View::Heatmap);
    TaskHeatmap *heatmap = m_panel->heatmap();
    heatmap->setLayout(TaskHeatmap::Layout::SamplesForTask);
    heatmap->plot()->replot();
    QSignalSpy spy(m_panel.get(), &AttentionPanel::sampleSelected);
    const int row = 2;
    const QPoint pos(int(heatmap->plot()->xAxis->coordToPixel(0)), int(heatmap->plot()->yAxis->coordToPixel(row)));
    QTest::mouseClick(heatmap->plot(), Qt::LeftButton, {}, pos);
    QCOMPARE(m_panel->selectedSample(), row);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toInt(), m_panel->shown().samples[row].sampleIndex);
    heatmap->setLayout(TaskHeatmap::Layout::TasksForSample);
}

void TestAttention::selectingASampleUpdatesEveryView()
{
    const int k = 3;
    m_panel->selectSample(k);
    const std::vector<SampleOutputs> all = inspect(*m_model, *m_val, m_panel->probeSet().indices());
    const std::vector<SampleOutputs> core = {all[size_t(k)]};
    QCOMPARE(m_panel->heatmap()->selectedSample(), k);
    QCOMPARE(m_panel->textView()->selectedSample(), k);
    QCOMPARE(m_panel->selfAttentionView()->selectedSample(), k);
    QCOMPARE(m_panel->disagreementView()->selectedSample(), k);
    for (size_t t = 0; t < core[0].pool.size(); ++t)
        for (size_t j = 0; j < core[0].pool[t].size(); ++j) {
            QCOMPARE(m_panel->heatmap()->cell(int(t), int(j)), double(core[0].pool[t][j]));
            QCOMPARE(m_panel->textView()->weight(int(t), int(j)), double(core[0].pool[t][j]));
        }
    for (size_t j = 0; j < core[0].pool[0].size(); ++j) {
        float lo = 1, hi = 0;
        for (const auto &w : core[0].pool) { lo = std::min(lo, w[j]); hi = std::max(hi, w[j]); }
        QCOMPARE(m_panel->disagreementView()->spread(int(j)), double(hi) - double(lo));
    }
    m_panel->selfAttentionView()->setHead(1, 1);
    const SelfAttentionMaps &maps = core[0].selfAttention;
    QVERIFY(maps.n > 0);
    for (int i = 0; i < maps.n; ++i)
        for (int j = 0; j < maps.n; ++j)
            QCOMPARE(m_panel->selfAttentionView()->cell(i, j), double(maps.at(1, 1, i, j)));
    QVERIFY(m_panel->textView()->header(0).contains(QStringLiteral("gold")));
}

// Play shows the kept snapshots one after another from the first, at the
// chosen pace, and stops at the newest, following the run again.
void TestAttention::playReplaysTheTimeline()
{
    AttentionPanel panel;
    panel.setModelAndData(modelInfo(*m_model), m_data, m_val);
    const AttentionSnapshot base = panel.probeSet().refresh(*m_model, *m_val, 10, m_data.get());
    for (int64_t step : {10, 20, 30, 40, 50}) {
        AttentionSnapshot s = base;
        s.step = step;
        panel.setSnapshot(s);
    }
    QVERIFY(panel.followsLive());
    QVERIFY(!panel.isPlaying());
    std::vector<int64_t> shown;
    QTimer watch;
    connect(&watch, &QTimer::timeout, this, [&] {
        if (shown.empty() || shown.back() != panel.shown().step)
            shown.push_back(panel.shown().step);
    });
    panel.setPlayPace(20);
    panel.play(true);
    QVERIFY(panel.isPlaying());
    QCOMPARE(panel.shown().step, int64_t(10));  // from the first
    QVERIFY(!panel.followsLive());
    shown.push_back(10);
    watch.start(5);
    QTRY_VERIFY_WITH_TIMEOUT(!panel.isPlaying(), 10000);
    QVERIFY(panel.followsLive());
    QCOMPARE(panel.shown().step, int64_t(50));
    QVERIFY2(shown.size() >= 3 && std::is_sorted(shown.begin(), shown.end()), "played in order");
    auto *button = panel.findChild<QPushButton *>(QStringLiteral("play"));
    QVERIFY(button && !button->isChecked());
}

void TestAttention::timelineKeepsBoundedEvenlyThinned()
{
    AttentionTimeline timeline(8);
    for (int step = 0; step < 1000; step += 10) {
        AttentionSnapshot s;
        s.step = step;
        timeline.add(s);
    }
    QVERIFY(timeline.size() <= 9);
    QVERIFY(timeline.size() >= 4);
    QCOMPARE(timeline.at(0).step, int64_t(0));
    QCOMPARE(timeline.latest().step, int64_t(990));
    QCOMPARE(timeline.at(timeline.size() - 1).step, int64_t(990));
    // The kept ones (all but the newest) are evenly spaced.
    const int64_t gap = timeline.at(1).step - timeline.at(0).step;
    for (int i = 1; i + 1 < timeline.size(); ++i)
        QCOMPARE(timeline.at(i).step - timeline.at(i - 1).step, gap);
}

// Over its byte budget the timeline drops the self-attention maps of its
// oldest snapshots (whichever of their samples hold maps), keeps every
// snapshot's task weights, and keeps the newest snapshot whole.
void TestAttention::timelineKeepsItsMemoryBudget()
{
    const size_t budget = size_t(4) << 20;
    AttentionTimeline timeline(64, budget);
    for (int k = 0; k < 10; ++k) {
        AttentionSnapshot s;
        s.step = 10 * k;
        s.samples.resize(2);
        for (AttentionSample &sample : s.samples)
            sample.weights = {std::vector<float>(300, 1.0f / 300)};
        // Only the second sample keeps maps (the focus sample, as makeSnapshot may leave it).
        s.samples[1].selfAttention.reset(1, 2, 300);
        s.samples[1].thumbnails = blockMaxima(s.samples[1].selfAttention, ThumbnailSide);
        QVERIFY(s.approximateBytes() > size_t(700) << 10);
        timeline.add(std::make_shared<const AttentionSnapshot>(std::move(s)));
    }
    QCOMPARE(timeline.size(), 10);
    QVERIFY2(timeline.bytes() <= budget, qPrintable(QString::number(timeline.bytes())));
    QVERIFY(timeline.at(0).samples[1].selfAttention.empty());
    QVERIFY(timeline.at(0).samples[1].thumbnails.empty());
    QCOMPARE(timeline.at(0).samples[1].weights[0].size(), size_t(300));
    QCOMPARE(timeline.at(0).step, int64_t(0));
    QVERIFY(!timeline.latest().samples[1].selfAttention.empty());
    QCOMPARE(timeline.latest().step, int64_t(90));
}

void TestAttention::timelineScrubbingShowsSnapshotWeights()
{
    m_panel->selectSample(0);
    const ProbeSet probes = m_panel->probeSet();
    std::vector<AttentionSnapshot> taken;
    for (int i = 0; i < 3; ++i) {
        trainSteps(10);
        taken.push_back(probes.refresh(*m_model, *m_val, 100 + 10 * i, m_data.get()));
        m_panel->setSnapshot(taken.back());
    }
    const int n = m_panel->timeline().size();
    QVERIFY(n >= 3);
    QVERIFY(m_panel->followsLive());
    for (int back = 0; back < 3; ++back) {
        const int index = n - 1 - back;
        m_panel->scrubTo(index);
        const AttentionSnapshot &expected = taken[size_t(2 - back)];
        QCOMPARE(m_panel->shown().step, expected.step);
        for (size_t t = 0; t < expected.samples[0].weights.size(); ++t)
            for (size_t j = 0; j < expected.samples[0].weights[t].size(); ++j) {
                QCOMPARE(m_panel->heatmap()->cell(int(t), int(j)), double(expected.samples[0].weights[t][j]));
                QCOMPARE(m_panel->textView()->weight(int(t), int(j)), double(expected.samples[0].weights[t][j]));
            }
    }
    QVERIFY(!m_panel->followsLive() || n == 1);
    // Scrubbed back, a new snapshot does not move the view; back at the end, it does.
    m_panel->scrubTo(n - 3);
    const int64_t before = m_panel->shown().step;
    m_panel->setSnapshot(probes.refresh(*m_model, *m_val, 200, m_data.get()));
    QCOMPARE(m_panel->shown().step, before);
    m_panel->scrubTo(m_panel->timeline().size() - 1);
    QCOMPARE(m_panel->shown().step, int64_t(200));
    QVERIFY(m_panel->historyView()->points() >= 4);
}

void TestAttention::refreshFromAWorkerThread()
{
    // As the workbench's worker does: refresh on its own thread with its own
    // model, hand the snapshot over through a queued call.
    const ProbeSet probes = m_panel->probeSet();
    const Model workerModel = *m_model;
    AttentionPanel *panel = m_panel.get();
    QThread *thread = QThread::create([probes, workerModel, panel, this]() {
        SnapshotPtr snap = std::make_shared<const AttentionSnapshot>(
            probes.refresh(workerModel, *m_val, 5000, m_data.get()));
        QMetaObject::invokeMethod(panel, [panel, snap]() { panel->setSnapshot(snap); }, Qt::QueuedConnection);
    });
    thread->start();
    QVERIFY(thread->wait(60000));
    delete thread;
    QTRY_COMPARE(m_panel->shown().step, int64_t(5000));
    const std::vector<SampleOutputs> core = inspect(*m_model, *m_val, probes.indices());
    const int k = m_panel->selectedSample();
    for (size_t t = 0; t < core[size_t(k)].pool.size(); ++t)
        for (size_t j = 0; j < core[size_t(k)].pool[t].size(); ++j)
            QCOMPARE(m_panel->heatmap()->cell(int(t), int(j)), double(core[size_t(k)].pool[t][j]));
}

void TestAttention::probeEditorEqualsCli()
{
    QVERIFY(m_dir.isValid());
    const QString checkpoint = m_dir.filePath(QStringLiteral("model.safetensors"));
    std::string error;
    QVERIFY2(saveCheckpoint(*m_model, checkpoint.toStdString(), &error), error.c_str());
    Model loaded;
    QVERIFY2(loadCheckpoint(checkpoint.toStdString(), &loaded, &error), error.c_str());
    const QString text = QStringLiteral("The battery is NOT great, please fix it asap! zyxxy");

    // The editor runs nothing itself: a worker with the checkpoint's weights
    // (the workbench's after Open checkpoint) runs the text.
    auto setup = std::make_shared<TrainingSetup>();
    setup->model = loaded;
    TrainingController runner;
    runner.configure(setup);
    ProbeEditor *editor = m_panel->probeEditor();
    connect(&runner, &TrainingController::probeInputReady, editor,
            [editor](SnapshotPtr r, int id, std::shared_ptr<const TrainingSetup>) { editor->setResult(*r, id); });
    editor->setRunner([&runner](const ProbeInput &input) { runner.setProbeInput(input); });
    editor->setModel(modelInfo(loaded));
    editor->setText(text);
    QTRY_VERIFY_WITH_TIMEOUT(!editor->result().samples.empty() && editor->result().samples[0].text == text.toStdString(), 20000);
    editor->setRunner({});  // the runner goes with this test; the result stays for the exports
    const AttentionSnapshot &result = editor->result();
    QCOMPARE(int(result.samples.size()), 1);

    QProcess cli;
    cli.start(QStringLiteral(ATTNSCOPE_CLI), {QStringLiteral("attention"), QStringLiteral("--checkpoint"), checkpoint,
                                              QStringLiteral("--text"), text});
    QVERIFY(cli.waitForFinished(60000));
    QCOMPARE(cli.exitCode(), 0);
    const QJsonDocument doc = QJsonDocument::fromJson(cli.readAllStandardOutput());
    const QJsonObject sample = doc.object().value(QStringLiteral("samples")).toArray().at(0).toObject();
    const AttentionSample &s = result.samples[0];
    const QJsonArray tokens = sample.value(QStringLiteral("tokens")).toArray();
    QCOMPARE(tokens.size(), qsizetype(s.tokens.size()));
    for (qsizetype j = 0; j < tokens.size(); ++j)
        QCOMPARE(tokens.at(j).toString(), QString::fromStdString(s.tokens[size_t(j)]));
    const QJsonObject tasks = sample.value(QStringLiteral("tasks")).toObject();
    const QJsonObject predictions = sample.value(QStringLiteral("predictions")).toObject();
    for (size_t t = 0; t < loaded.tasks.size(); ++t) {
        const QString name = QString::fromStdString(loaded.tasks[t].name);
        const QJsonArray weights = tasks.value(name).toArray();
        QCOMPARE(weights.size(), qsizetype(s.weights[t].size()));
        for (qsizetype j = 0; j < weights.size(); ++j)
            QCOMPARE(float(weights.at(j).toDouble()), s.weights[t][size_t(j)]);  // bit for bit
        const QJsonObject prediction = predictions.value(name).toObject();
        const QJsonArray probs = prediction.value(QStringLiteral("probabilities")).toArray();
        for (qsizetype c = 0; c < probs.size(); ++c)
            QCOMPARE(float(probs.at(c).toDouble()), s.probs[t][size_t(c)]);
        QCOMPARE(prediction.value(QStringLiteral("class")).toString(),
                 QString::fromStdString(loaded.tasks[t].classes[size_t(s.predicted(int(t)))]));
    }
    const QJsonArray layers = sample.value(QStringLiteral("layers")).toArray();
    QCOMPARE(layers.size(), qsizetype(s.selfAttention.layers));
    for (qsizetype l = 0; l < layers.size(); ++l)
        for (qsizetype h = 0; h < layers.at(l).toArray().size(); ++h) {
            const QJsonArray rows = layers.at(l).toArray().at(h).toArray();
            for (qsizetype i = 0; i < rows.size(); ++i)
                for (qsizetype j = 0; j < rows.at(i).toArray().size(); ++j)
                    QCOMPARE(float(rows.at(i).toArray().at(j).toDouble()), s.selfAttention.at(int(l), int(h), int(i), int(j)));
        }
    // The panel's JSON export of the editor is the CLI's document, and the
    // worker's explanation of the text beside it is what `attnscope-cli
    // explain` gives for it: the same names, the same numbers.
    QVERIFY(s.explanation);
    QJsonObject exported = QJsonDocument::fromJson(m_panel->json(AttentionPanel::View::ProbeEditor)).object();
    QJsonArray exportedSamples = exported.value(QStringLiteral("samples")).toArray();
    QJsonObject exportedSample = exportedSamples.at(0).toObject();
    QCOMPARE(exportedSample.value(QStringLiteral("explained_step")).toInteger(-1), s.explanation->step);
    const QJsonObject explanation = exportedSample.take(QStringLiteral("explanation")).toObject();
    exportedSample.remove(QStringLiteral("explained_step"));
    exportedSamples[0] = exportedSample;
    exported[QStringLiteral("samples")] = exportedSamples;
    const QJsonObject exportedFaithfulness = exported.take(QStringLiteral("faithfulness")).toObject();
    QCOMPARE(QJsonDocument(exported), doc);
    QProcess explain;
    explain.start(QStringLiteral(ATTNSCOPE_CLI), {QStringLiteral("explain"), QStringLiteral("--checkpoint"), checkpoint,
                                                  QStringLiteral("--text"), text});
    QVERIFY(explain.waitForFinished(60000));
    QCOMPARE(explain.exitCode(), 0);
    const QJsonObject cliExplained = QJsonDocument::fromJson(explain.readAllStandardOutput()).object();
    const QJsonObject cliExplanation = cliExplained.value(QStringLiteral("samples")).toArray().at(0).toObject();
    // The set's means over the one sample: the CLI's top-level faithfulness, to the bit.
    QCOMPARE(exportedFaithfulness.size(), qsizetype(loaded.tasks.size()));
    QCOMPARE(exportedFaithfulness, cliExplained.value(QStringLiteral("faithfulness")).toObject());
    QCOMPARE(explanation.keys(), cliExplanation.keys());
    QCOMPARE(explanation.value(QStringLiteral("tokens")), cliExplanation.value(QStringLiteral("tokens")));
    const QJsonObject explainedTasks = explanation.value(QStringLiteral("tasks")).toObject();
    const QJsonObject cliTasks = cliExplanation.value(QStringLiteral("tasks")).toObject();
    QCOMPARE(explainedTasks.keys(), cliTasks.keys());
    QCOMPARE(explainedTasks.size(), qsizetype(loaded.tasks.size()));
    for (const QString &task : cliTasks.keys())
        QCOMPARE(explainedTasks.value(task), cliTasks.value(task));
}

// Looking at an earlier run's attention keeps the current run's: back at
// Live, its timeline and Over training are as they were, with the snapshots
// that came meanwhile, and the step label is the run's again (review 21
// F18: they started over from the next snapshot; F11: the label read
// ": step 40 (1/1)" for the rest of the session).
void TestAttention::earlierRunKeepsTheCurrentRunsTimeline()
{
    ModelConfig config;
    config.dim = 16;
    config.heads = 2;
    config.ffn = 32;
    config.maxLen = 32;
    TrainConfig train;
    train.batchSize = 16;
    auto setup = std::make_shared<TrainingSetup>();
    std::string error;
    QVERIFY2(buildSetup(*m_data, config, train, 0.2, setup.get(), &error), error.c_str());
    TrainingController training;  // no run: the snapshots below stand for its worker's
    AttentionPanel panel;
    AttentionFeed feed(&training, &panel);
    feed.setRun(setup, m_data);
    const auto snapshotAt = [&](int64_t step) {
        return std::make_shared<const AttentionSnapshot>(
            panel.probeSet().refresh(setup->model, setup->val, step, m_data.get()));
    };
    for (const int64_t step : {10, 20, 30})
        panel.setSnapshot(snapshotAt(step));
    QCOMPARE(panel.timeline().size(), 3);
    QCOMPARE(panel.historyView()->points(), 3);
    auto *stepLabel = panel.findChild<QLabel *>(QStringLiteral("stepLabel"));
    QVERIFY(stepLabel);
    QCOMPARE(stepLabel->text(), QStringLiteral("step 30 (3/3)"));

    panel.showRun({snapshotAt(5)}, QStringLiteral("Run 1"));  // as the Runs tab does
    QCOMPARE(panel.shownRun(), QStringLiteral("Run 1"));
    QCOMPARE(panel.timeline().size(), 1);
    QCOMPARE(panel.historyView()->points(), 1);
    panel.setSnapshot(snapshotAt(40));  // the current run trains on meanwhile
    QCOMPARE(panel.shown().step, int64_t(5));

    feed.showRun();  // Live
    QVERIFY(panel.shownRun().isEmpty());
    QCOMPARE(panel.timeline().size(), 4);
    QCOMPARE(panel.timeline().at(0).step, int64_t(10));
    QCOMPARE(panel.shown().step, int64_t(40));
    QCOMPARE(panel.historyView()->points(), 4);
    QCOMPARE(stepLabel->text(), QStringLiteral("step 40 (4/4)"));
    panel.setSnapshot(snapshotAt(50));
    QCOMPARE(stepLabel->text(), QStringLiteral("step 50 (5/5)"));
    // A new run starts them over.
    feed.setRun(setup, m_data);
    QCOMPARE(panel.timeline().size(), 0);
    QCOMPARE(panel.historyView()->points(), 0);
}

// The workbench's wiring: the worker refreshes the probe set the panel chose
// and runs the probe editor's text; the panel never runs the model itself.
void TestAttention::workbenchFeedShowsTheWorkersWeights()
{
    ModelConfig config;
    config.dim = 16;
    config.heads = 2;
    config.ffn = 32;
    config.maxLen = 32;
    TrainConfig train;
    train.batchSize = 16;
    train.epochs = 50;
    auto setup = std::make_shared<TrainingSetup>();
    std::string error;
    QVERIFY2(buildSetup(*m_data, config, train, 0.2, setup.get(), &error), error.c_str());
    TrainingController training;
    AttentionPanel panel;
    panel.resize(1000, 700);
    panel.show();
    AttentionFeed feed(&training, &panel);
    QVERIFY(panel.probeEditor()->hasRunner());
    training.configure(setup);
    feed.setRun(setup, m_data);
    QVERIFY(panel.probeSet().size() > 0);
    // Step 0 arrives from the worker (the panel did not compute it).
    QTRY_COMPARE_WITH_TIMEOUT(panel.shown().samples.size(), size_t(panel.probeSet().size()), 20000);
    QCOMPARE(panel.shown().step, int64_t(0));
    training.setAttentionRate(1, std::chrono::milliseconds(0));
    training.start();
    QTRY_VERIFY_WITH_TIMEOUT(panel.timeline().size() >= 3 && panel.shown().step > 0, 20000);
    training.pause();
    QTRY_COMPARE_WITH_TIMEOUT(training.state(), TrainingWorker::State::Paused, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(panel.shown().step, training.currentStep(), 20000);
    const std::shared_ptr<Model> model = training.modelCopy();
    std::vector<int> probes;
    for (const AttentionSample &s : panel.shown().samples) probes.push_back(s.probe);
    QCOMPARE(probes, panel.probeSet().indices());
    const std::vector<SampleOutputs> core = inspect(*model, setup->val, probes);
    const int k = panel.selectedSample();
    for (int t = 0; t < panel.heatmap()->rows(); ++t)
        for (int j = 0; j < panel.heatmap()->columns(); ++j)
            QCOMPARE(panel.heatmap()->cell(t, j), double(core[size_t(k)].pool[size_t(t)][size_t(j)]));
    // Removing a probe: the worker sends the smaller set.
    panel.selectSample(0);
    const int removed = panel.shown().samples[0].probe;
    QPushButton *remove = nullptr;
    for (QPushButton *b : panel.findChildren<QPushButton *>())
        if (b->text() == QStringLiteral("Remove")) remove = b;
    QVERIFY(remove);
    remove->click();
    QTRY_VERIFY_WITH_TIMEOUT(panel.shown().findProbe(removed) < 0 && !panel.shown().samples.empty(), 20000);
    // The probe editor: the worker runs the text with the paused weights.
    const QString text = QStringLiteral("great screen, not bad at all");
    panel.probeEditor()->setText(text);
    const int id = panel.probeEditor()->pendingId();
    QTRY_COMPARE_WITH_TIMEOUT(panel.probeEditor()->result().samples.size(), size_t(1), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(panel.probeEditor()->result().samples[0].text, text.toStdString(), 20000);
    ProbeInput input;
    input.text = text.toStdString();
    const AttentionSnapshot want = makeInputSnapshot(*model, input, training.currentStep());
    QCOMPARE(panel.probeEditor()->pendingId(), id);
    QCOMPARE(panel.probeEditor()->result().samples[0].weights, want.samples[0].weights);
    QCOMPARE(panel.probeEditor()->result().samples[0].probs, want.samples[0].probs);
    QCOMPARE(panel.probeEditor()->result().step, training.currentStep());
    // Explain live off: the worker spends no time explaining and the views
    // say why there is no explanation; on again, the paused weights are
    // explained at once (the feed sends the probe set again).
    QVERIFY(panel.liveExplanations() && training.explanations());
    QTRY_VERIFY_WITH_TIMEOUT(panel.shown().explainedStep == panel.shown().step, 20000);
    auto *explainLive = panel.findChild<QCheckBox *>(QStringLiteral("explainLive"));
    QVERIFY(explainLive && explainLive->isChecked());
    explainLive->click();
    QVERIFY(!panel.liveExplanations());
    QVERIFY(!training.explanations());
    QTRY_VERIFY_WITH_TIMEOUT(panel.shown().explanationsOff, 20000);
    const double spent = training.explainSeconds();
    const int64_t pausedAt = panel.shown().step;
    training.step();
    QTRY_VERIFY_WITH_TIMEOUT(panel.shown().step == pausedAt + 1, 20000);
    QCOMPARE(training.explainSeconds(), spent);
    QVERIFY(panel.shown().explanationsOff);
    for (const AttentionSample &s : panel.shown().samples)
        QVERIFY(!s.explanation);
    panel.setScore(Method::Integrated);
    const QString off = QStringLiteral("live explanations are off");
    QVERIFY2(panel.heatmap()->title().contains(off), qPrintable(panel.heatmap()->title()));
    QVERIFY2(panel.disagreementView()->title().contains(off), qPrintable(panel.disagreementView()->title()));
    explainLive->click();
    QVERIFY(training.explanations());
    QTRY_VERIFY_WITH_TIMEOUT(!panel.shown().explanationsOff && panel.shown().explainedStep == pausedAt + 1, 20000);
    QVERIFY(training.explainSeconds() > spent);
    QVERIFY(panel.shown().samples[0].explanation);
    QVERIFY2(panel.heatmap()->title().contains(QStringLiteral("computed at step %1").arg(pausedAt + 1)),
             qPrintable(panel.heatmap()->title()));
    panel.setScore(Method::Attention);
    training.shutdown();
}

void TestAttention::taskColoursAreTheWorkbenchs()
{
    // One palette (taskColor, shared with the loss plot): the disagreement
    // view's dots and the history's curves carry each task's colour.
    m_panel->setCurrentView(AttentionPanel::View::Disagreement);
    QApplication::processEvents();
    QCustomPlot *plot = m_panel->disagreementView()->plot();
    QCOMPARE(plot->graphCount(), int(m_model->tasks.size()));
    for (int t = 0; t < plot->graphCount(); ++t)
        QCOMPARE(plot->graph(t)->scatterStyle().brush().color(), taskColor(t));
    QCOMPARE(taskColor(0), QColor(0x0072B2));  // Okabe-Ito blue, as the curves
    QCOMPARE(taskColor(7), taskColor(0));
}

void TestAttention::exportsWriteValidFiles_data()
{
    QTest::addColumn<int>("view");
    QTest::newRow("heatmap") << int(AttentionPanel::View::Heatmap);
    QTest::newRow("text") << int(AttentionPanel::View::Text);
    QTest::newRow("selfattention") << int(AttentionPanel::View::SelfAttention);
    QTest::newRow("disagreement") << int(AttentionPanel::View::Disagreement);
    QTest::newRow("history") << int(AttentionPanel::View::History);
    QTest::newRow("probeeditor") << int(AttentionPanel::View::ProbeEditor);
    QTest::newRow("compare") << int(AttentionPanel::View::Compare);
}

void TestAttention::exportsWriteValidFiles()
{
    QFETCH(int, view);
    const auto which = AttentionPanel::View(view);
    m_panel->setCurrentView(which);
    QApplication::processEvents();
    const QString base = m_dir.filePath(QStringLiteral("view%1").arg(view));
    QString error;
    // A heading above the picture says what it is of (pictures carried no title).
    m_panel->setSource(QStringLiteral("builtin:reviews?n=400 · run 3"));
    const QString heading = m_panel->exportHeading(which);
    QVERIFY2(heading.startsWith(QStringLiteral("builtin:reviews?n=400 · run 3 · step %1 · ").arg(m_panel->shown().step)),
             qPrintable(heading));
    const auto *tabs = m_panel->findChild<QTabWidget *>(QStringLiteral("attentionViews"));
    QVERIFY(tabs);
    QVERIFY2(heading.contains(tabs->tabText(view).remove(QLatin1Char('&'))), qPrintable(heading));
    QVERIFY2(m_panel->exportImage(which, base + ".png", &error), qPrintable(error));
    QImage png(base + ".png");
    QVERIFY(!png.isNull());
    QVERIFY(png.width() >= 3 * m_panel->view(which)->width() - 3);  // print resolution
    QVERIFY2(png.height() >= 3 * (m_panel->view(which)->height() + 12), "a band for the heading");
    QVERIFY2(m_panel->exportImage(which, base + ".svg", &error), qPrintable(error));
    QSvgRenderer svg(base + ".svg");
    QVERIFY(svg.isValid());
    QFile svgFile(base + ".svg");
    QVERIFY(svgFile.open(QIODevice::ReadOnly));
    QVERIFY(QString::fromUtf8(svgFile.readAll()).count(QStringLiteral("builtin:reviews?n=400")) >= 2);  // <title> and the drawn line
    QVERIFY2(m_panel->exportImage(which, base + ".pdf", &error), qPrintable(error));
    QFile pdf(base + ".pdf");
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    const QByteArray pdfBytes = pdf.readAll();
    QVERIFY(pdfBytes.startsWith("%PDF-"));
    QVERIFY(pdfBytes.trimmed().endsWith("%%EOF"));
    QVERIFY(!m_panel->exportImage(which, base + ".bmpx", &error));

    QVERIFY2(m_panel->exportCsv(which, base + ".csv", &error), qPrintable(error));
    QFile csv(base + ".csv");
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
    QVERIFY(lines.size() >= 2);
    const qsizetype columns = lines[0].count(',');
    QVERIFY(columns >= 2);
    QVERIFY2(m_panel->exportJson(which, base + ".json", &error), qPrintable(error));
    QFile json(base + ".json");
    QVERIFY(json.open(QIODevice::ReadOnly));
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(json.readAll(), &parse);
    QCOMPARE(parse.error, QJsonParseError::NoError);
    const QJsonArray samples = doc.object().value(QStringLiteral("samples")).toArray();
    QVERIFY(!samples.isEmpty());
    for (const char *key : {"tokens", "tasks", "predictions", "layers"})
        QVERIFY(samples.at(0).toObject().contains(QLatin1String(key)));
}

// An exported picture's heading and the view's own title line under it
// start at the same x, a margin from the edge: the title line started at
// x = 0 (accept26 E6, accept26-export-heatmap.png).
void TestAttention::exportTitleLinesShareTheirMargin()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    m_panel->setSource(QStringLiteral("builtin:reviews?n=400 · run 3"));
    int titled = 0;
    for (const auto which : {AttentionPanel::View::Heatmap, AttentionPanel::View::Text, AttentionPanel::View::SelfAttention,
                             AttentionPanel::View::Disagreement, AttentionPanel::View::History,
                             AttentionPanel::View::ProbeEditor, AttentionPanel::View::Compare}) {
        m_panel->setCurrentView(which);
        QApplication::processEvents();
        QWidget *view = m_panel->view(which);
        auto *title = view->findChild<QLabel *>(QStringLiteral("viewTitle"));
        if (!title || !title->isVisible() || title->text().isEmpty())
            continue;
        ++titled;
        const QString path = dir.filePath(QStringLiteral("view%1.png").arg(int(which)));
        QString error;
        QVERIFY2(m_panel->exportImage(which, path, &error), qPrintable(error));
        const QImage png(path);
        QVERIFY(!png.isNull());
        const double scale = PrintScale;
        const int band = qRound(png.height() / scale) - view->height();  // the heading's, in logical pixels
        QVERIFY2(band > 0, qPrintable(QString::number(band)));
        const QColor back = png.pixelColor(png.width() - 1, 0);
        // The first column with ink between logical rows top and bottom.
        const auto firstInk = [&](int top, int bottom) {
            for (int x = 0; x < png.width(); ++x)
                for (int y = int(top * scale); y < int(bottom * scale) && y < png.height(); ++y)
                    if (qAbs(png.pixelColor(x, y).lightness() - back.lightness()) > 100)
                        return x / scale;
            return -1.0;
        };
        const int titleTop = band + title->mapTo(view, QPoint(0, 0)).y();
        const double headingX = firstInk(0, band), titleX = firstInk(titleTop, titleTop + title->height());
        const QString where = QStringLiteral("%1: heading from x %2, title \"%3\" from x %4 (logical pixels)")
                                  .arg(int(which)).arg(headingX).arg(title->text()).arg(titleX);
        QVERIFY2(headingX >= 4 && titleX >= 4, qPrintable(where));
        QVERIFY2(qAbs(headingX - titleX) <= 2, qPrintable(where));
    }
    QVERIFY(titled >= 2);
}

// A device or FIFO is refused, whatever the export, and stays what it was.
void TestAttention::exportsNeverReplaceDevices()
{
    const auto which = AttentionPanel::View::Heatmap;
    m_panel->setCurrentView(which);
    QApplication::processEvents();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QStringList targets;
    const QString device = dir.filePath(QStringLiteral("device"));
    if (makeNullDevice(device))
        targets << device;
    const QString fifo = dir.filePath(QStringLiteral("fifo"));
    QVERIFY(makeFifo(fifo));
    targets << fifo;
    for (const QString &target : targets) {
        QString error;
        for (const char *suffix : {".png", ".svg", ".pdf"}) {
            const QString link = target + QLatin1String(suffix);  // the format comes from the suffix
            QVERIFY(QFile::link(target, link));
            QVERIFY(!m_panel->exportImage(which, link, &error));
            QVERIFY2(error.contains(QStringLiteral("not a regular file")), qPrintable(error));
        }
        QVERIFY(!m_panel->exportCsv(which, target, &error));
        QVERIFY2(error.contains(QStringLiteral("not a regular file")), qPrintable(error));
        QVERIFY(!m_panel->exportJson(which, target, &error));
        QVERIFY2(error.contains(QStringLiteral("not a regular file")), qPrintable(error));
    }
    QCOMPARE(fileType(fifo), unsigned(S_IFIFO));
    if (targets.size() == 1)
        QSKIP("mknod needs root: the device case did not run");
    QCOMPARE(fileType(device), unsigned(S_IFCHR));
}

namespace {

// One sample of the given tokens and tasks (two classes each), with
// self-attention, gates and rationale agreement: every view has something to show.
SnapshotPtr namedSnapshot(const std::vector<std::string> &tokens, const std::vector<TaskInfo> &tasks)
{
    auto snapshot = std::make_shared<AttentionSnapshot>();
    snapshot->step = 10;
    snapshot->mode = AttentionMode::Gated;
    snapshot->layers = snapshot->heads = 1;
    snapshot->tasks = tasks;
    AttentionSample sample;
    sample.tokens = tokens;
    const int n = int(tokens.size());
    for (size_t t = 0; t < tasks.size(); ++t) {
        sample.labels.push_back(0);
        sample.weights.push_back(std::vector<float>(size_t(n), 1.0f / float(n)));
        sample.probs.push_back({0.7f, 0.3f});
        snapshot->gates.push_back(0.5f);
        snapshot->rationaleMass.push_back(0.5);
        snapshot->rationaleAuprc.push_back(0.7);
    }
    sample.selfAttention.reset(1, 1, n);
    std::fill(sample.selfAttention.maps[0].begin(), sample.selfAttention.maps[0].end(), 1.0f / float(n));
    sample.thumbnails = sample.selfAttention;
    snapshot->samples.push_back(sample);
    return snapshot;
}

// True when some record of the CSV holds `field` whole.
bool hasField(const std::vector<std::vector<std::string>> &rows, const std::string &field)
{
    for (const auto &row : rows)
        if (std::find(row.begin(), row.end(), field) != row.end())
            return true;
    return false;
}

} // namespace

// Names from the data may hold commas, quotes and "%1": every view's CSV
// reads back (core's parser) with each record as wide as its header and the
// names whole. (The history wrote task names unquoted, the disagreement
// view's header did not double their quotes, and a name holding "%3" took
// the place of a later number in the rows.)
void TestAttention::exportsQuoteNamesFromTheData()
{
    const std::string task = "topic, \"main\" %3", other = "%1 urgency", token = "x,\"y\" %2", label = "a,%1";
    const SnapshotPtr snapshot = namedSnapshot({token, "plain"}, {{task, {label, "b"}}, {other, {"c", "d"}}});
    TaskHeatmap heatmap;
    TextView text;
    SelfAttentionView self;
    DisagreementView disagreement;
    HistoryView history;
    heatmap.setSnapshot(snapshot);
    text.setSnapshot(snapshot);
    self.setSnapshot(snapshot);
    disagreement.setSnapshot(snapshot);
    history.addSnapshot(*snapshot);
    TaskHeatmap byTask;
    byTask.setLayout(TaskHeatmap::Layout::SamplesForTask);
    byTask.setSnapshot(snapshot);
    const std::vector<std::pair<const char *, QString>> csvs = {
        {"heatmap", heatmap.csv()}, {"heatmap by task", byTask.csv()}, {"text", text.csv()},
        {"self-attention", self.csv()}, {"disagreement", disagreement.csv()}, {"history", history.csv()}};
    for (const auto &[name, csv] : csvs) {
        const auto rows = csvRecords(csv);
        QVERIFY2(rows.size() >= 2, name);
        for (const auto &row : rows)
            QVERIFY2(row.size() == rows[0].size(), qPrintable(QStringLiteral("%1: %2").arg(QLatin1String(name), csv)));
        if (std::string(name) != "self-attention")
            QVERIFY2(hasField(rows, task), qPrintable(csv));
        if (std::string(name) != "history")
            QVERIFY2(hasField(rows, token), qPrintable(csv));
    }
    QVERIFY(hasField(csvRecords(text.csv()), label));
    QVERIFY(hasField(csvRecords(disagreement.csv()), other));
    // The token's number: the self-attention rows name the query and key whole.
    const auto selfRows = csvRecords(self.csv());
    QCOMPARE(selfRows[1][4], token);
    QCOMPARE(selfRows[1][7], std::string("0.5"));
    // The text view's header line names the classes as they are.
    QCOMPARE(text.header(0), QStringLiteral("gold a,%1 · predicted a,%1 (0.70) ✓"));
}

// A feature named by a megabyte: the self-attention axes show it elided, as
// every view does (they laid out the whole name).
void TestAttention::selfAttentionLabelsAreElided()
{
    const std::string huge(size_t(1) << 20, 'f');
    SelfAttentionView view;
    view.resize(900, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setSnapshot(namedSnapshot({huge, "short"}, {{"task", {"a", "b"}}}));
    for (QCPAxis *axis : {view.plot()->xAxis, view.plot()->yAxis}) {
        const auto ticks = axis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
        QCOMPARE(ticks.size(), 2);
        QVERIFY2(ticks.value(0).size() <= elidedName(huge).size() && ticks.value(0).endsWith(QChar(0x2026)),
                 qPrintable(QString::number(ticks.value(0).size())));
        QCOMPARE(ticks.value(1), QStringLiteral("short"));
    }
}

// Self-attention at 1024 x 768 and 150 % (a view about 545 x 300): the
// selected map takes most of the width (the thumbnails took two fifths and
// left it 150 px a side), and its token labels are no closer than a line of
// text on either axis: every k-th where they do not all fit (they were
// spaced for a 200 px map, and overlapped on a smaller one).
void TestAttention::selfAttentionLabelsFit()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.5);
    std::vector<std::string> tokens;
    for (int i = 0; i < 30; ++i)
        tokens.push_back("word" + std::to_string(i));
    SelfAttentionView view;
    view.setSnapshot(namedSnapshot(tokens, {{"task", {"a", "b"}}}));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    for (const QSize size : {QSize(545, 300), QSize(1100, 640)}) {
        view.resize(size);
        QTRY_COMPARE(view.size(), size);
        QCoreApplication::processEvents();  // the redraw a resize asks for
        QCustomPlot *plot = view.plot();
        plot->replot(QCustomPlot::rpImmediateRefresh);
        QVERIFY2(plot->width() >= 2 * view.grid()->width(),
                 qPrintable(QStringLiteral("the map %1 px wide, the thumbnails %2").arg(plot->width())
                                .arg(view.grid()->width())));
        const QFontMetrics metrics(plot->xAxis->tickLabelFont());
        for (QCPAxis *axis : {plot->xAxis, plot->yAxis}) {
            const auto ticks = axis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
            QVERIFY(ticks.size() >= 2);
            double previous = std::nan("");
            for (auto tick = ticks.cbegin(); tick != ticks.cend(); ++tick) {
                const double at = axis->coordToPixel(tick.key());
                QVERIFY2(!(std::abs(at - previous) < metrics.height()),
                         qPrintable(QStringLiteral("%1 x %2: '%3' %4 px from the label before, %5 px tall")
                                        .arg(size.width()).arg(size.height()).arg(tick.value())
                                        .arg(std::abs(at - previous)).arg(metrics.height())));
                previous = at;
            }
        }
    }
}

// Rationale agreement has one implementation (plausibility(), MODEL.md 9):
// the live snapshot and evaluate() give the same mass and AUPRC for the same
// weights. Tabular data whose rationale features are missing in some samples
// made them differ: the snapshot counted a missing feature (weight 0) as a
// rationale token, and a sample with all of them missing as one with mass 0.
void TestAttention::snapshotAgreesWithEvaluate()
{
    Dataset data;
    data.source = "rationales.csv";
    data.input = InputKind::Tabular;
    data.featureNames = {"a", "b", "c", "d"};
    data.tasks = {{"alarm", {"off", "on"}}};
    const float nan = std::nanf("");
    const std::vector<std::vector<float>> rows = {
        {1.0f, 2.0f, 0.5f, -1.0f},  // a and b present
        {nan, 1.5f, 0.0f, 2.0f},    // a missing
        {nan, nan, 1.0f, 0.5f},     // a and b missing: no rationale token
        {0.2f, -0.4f, 1.2f, 0.3f},  // no rationale given
    };
    for (size_t i = 0; i < rows.size(); ++i) {
        Sample sample;
        sample.features = rows[i];
        sample.labels = {int(i % 2)};
        sample.rationales = {i < 3 ? std::vector<Span>{{0, 2}} : std::vector<Span>{}};
        data.samples.push_back(sample);
    }
    const std::vector<int> all = {0, 1, 2, 3};
    ModelConfig config;
    config.layers = 1;
    const Model model = createModel(data, all, config, 5);
    const EncodedDataset encoded = encodeDataset(data, all, Vocabulary(), config.maxLen);
    const EvalResult evaluated = evaluate(model, encoded);
    const AttentionSnapshot snapshot = makeSnapshot(model, encoded, all, 0, &data);
    QVERIFY(evaluated.tasks[0].rationaleMass && evaluated.tasks[0].rationaleAuprc);
    QVERIFY(snapshot.rationaleMass[0] && snapshot.rationaleAuprc[0]);
    qInfo("evaluate: mass %.4f AUPRC %.4f; snapshot: mass %.4f AUPRC %.4f", *evaluated.tasks[0].rationaleMass,
          *evaluated.tasks[0].rationaleAuprc, *snapshot.rationaleMass[0], *snapshot.rationaleAuprc[0]);
    QVERIFY(std::abs(*snapshot.rationaleMass[0] - *evaluated.tasks[0].rationaleMass) < 1e-6);
    QVERIFY(std::abs(*snapshot.rationaleAuprc[0] - *evaluated.tasks[0].rationaleAuprc) < 1e-6);
    // The sample whose rationale features are all missing has no rationale token.
    QVERIFY(snapshot.samples[0].hasRationale(0) && snapshot.samples[1].hasRationale(0));
    QVERIFY(!snapshot.samples[2].hasRationale(0) && !snapshot.samples[3].hasRationale(0));
}

// With encoder layers the pooling weighs mixed positions: the panel says so
// above every view, and says nothing at 0 layers.
void TestAttention::encoderLayersAreSaidAboveTheViews()
{
    AttentionPanel panel;
    panel.resize(1024, 700);
    panel.setModelAndData(modelInfo(*m_model), m_data, m_val);
    panel.show();
    auto *note = panel.findChild<QLabel *>(QStringLiteral("encoderNote"));
    QVERIFY(note);
    QVERIFY(note->isHidden());  // nothing shown yet
    auto snapshot = std::make_shared<AttentionSnapshot>(panel.probeSet().refresh(*m_model, *m_val, 30, m_data.get()));
    QCOMPARE(snapshot->layers, 2);
    panel.setSnapshot(SnapshotPtr(snapshot));
    QVERIFY(note->isVisible());
    QVERIFY2(note->text().startsWith(QStringLiteral("2 encoder layers")), qPrintable(note->text()));
    QVERIFY(note->toolTip().contains(QStringLiteral("attention weighs encoder outputs, which mix tokens")));
    QVERIFY(note->toolTip().contains(QStringLiteral("rollout and integrated gradients")));
    // In the window at 1024 x 768 the panel is about 520 px wide: the two
    // notes took nine lines there, they take a line each.
    panel.resize(520, 700);
    const int lines = note->text().count(QLatin1Char('\n')) + 1;
    const QMargins margins = note->contentsMargins();
    QTRY_VERIFY2(note->height() <= lines * note->fontMetrics().lineSpacing() + margins.top() + margins.bottom()
                                       + 2 * note->frameWidth() + 2,
                 qPrintable(QStringLiteral("%1 px for %2 lines").arg(note->height()).arg(lines)));
    for (auto view : {AttentionPanel::View::Heatmap, AttentionPanel::View::Text, AttentionPanel::View::History}) {
        panel.setCurrentView(view);
        QVERIFY(note->isVisible());  // above the tabs, whichever is open
    }

    auto flat = std::make_shared<AttentionSnapshot>(*snapshot);
    flat->layers = 0;
    flat->step = 40;
    panel.setSnapshot(SnapshotPtr(flat));
    // (an untrained model's attention is near uniform: that note may show)
    QVERIFY2(note->isHidden() || !note->text().contains(QStringLiteral("encoder layer")), qPrintable(note->text()));
    QVERIFY(panel.encoderNote().isEmpty());
}


AttentionSnapshot TestAttention::explainedSnapshot(int64_t step)
{
    AttentionSnapshot snap = m_panel->probeSet().refresh(*m_model, *m_val, step, m_data.get());
    m_explainer.explain(snap, *m_model, *m_val, m_panel->probeSet().focus(), true);
    return snap;
}

// One chooser sets the score of every view: each names it in its title and
// shows its values (the heatmap's tasks and probe rows, the text, the probe
// editor, the curves over training, the CSV export), also for a snapshot the
// timeline scrubs back to.
void TestAttention::scoreChooserSetsEveryView()
{
    m_panel->setCurrentView(AttentionPanel::View::Heatmap);
    const AttentionSnapshot first = explainedSnapshot(7000);
    m_panel->setSnapshot(first);
    trainSteps(10);
    const AttentionSnapshot second = explainedSnapshot(7010);
    m_panel->setSnapshot(second);
    m_panel->selectSample(0);
    QVERIFY(m_panel->historyView()->faithfulnessPoints() >= 2);
    // The probe editor's input, explained as the worker does.
    ProbeEditor *editor = m_panel->probeEditor();
    editor->setModel(modelInfo(*m_model));
    editor->setRunner([this, editor](const ProbeInput &input) {
        AttentionSnapshot result = makeInputSnapshot(*m_model, input, 7010);
        m_explainer.explainInput(result, *m_model, input);
        QMetaObject::invokeMethod(editor, [editor, result, id = input.id] { editor->setResult(result, id); },
                                  Qt::QueuedConnection);
    });
    editor->setText(QStringLiteral("the screen is not good, fix it asap"));
    QVERIFY(!editor->settled());  // its result is on its way (a lesson's --screenshot waits for it)
    // (Its own result: an earlier test's may be shown until it comes.)
    QTRY_VERIFY(editor->settled());
    QVERIFY(!editor->result().samples.empty() && editor->result().samples[0].explanation);
    // Typing: unsettled through the debounce and until its own result shows.
    auto *edit = editor->findChild<QLineEdit *>();
    QVERIFY(edit);
    edit->setText(QStringLiteral("the battery is great"));
    QVERIFY(!editor->settled());
    QTRY_VERIFY(editor->settled());
    QCOMPARE(editor->result().samples.at(0).text, std::string("the battery is great"));
    edit->setText(QStringLiteral("the screen is not good, fix it asap"));
    QTRY_VERIFY(editor->settled());
    editor->setRunner({});
    auto *box = m_panel->findChild<QComboBox *>(QStringLiteral("score"));
    QVERIFY(box);
    QCOMPARE(box->count(), ScoreCount);
    const AttentionSample &s = second.samples[0];
    const AttentionSample &typed = editor->result().samples[0];
    for (int m = ScoreCount - 1; m >= 0; --m) {
        const Method score = Method(m);
        emit box->activated(m);  // as a click on the item
        QCOMPARE(m_panel->score(), score);
        const QString name = scoreName(score);
        m_panel->heatmap()->setLayout(TaskHeatmap::Layout::TasksForSample);
        QVERIFY2(m_panel->heatmap()->title().startsWith(name), qPrintable(m_panel->heatmap()->title()));
        QVERIFY2(m_panel->textView()->title().contains(name), qPrintable(m_panel->textView()->title()));
        QVERIFY(editor->textView()->title().contains(name));
        QVERIFY(editor->heatmap()->title().startsWith(name));
        QVERIFY2(m_panel->historyView()->title().contains(name), qPrintable(m_panel->historyView()->title()));
        if (score != Method::Attention) {
            QVERIFY2(m_panel->textView()->title().contains(QStringLiteral("computed at step 7010")),
                     qPrintable(m_panel->textView()->title()));
            QVERIFY(m_panel->csv(AttentionPanel::View::Text).startsWith(
                QStringLiteral("sample,task,token_index,token,%1,").arg(QLatin1String(toString(score)))));
            QVERIFY(m_panel->csv(AttentionPanel::View::Heatmap).contains(QLatin1String(toString(score))));
        }
        for (int t = 0; t < second.taskCount(); ++t) {
            const std::vector<float> want = s.scores(t, score);
            QCOMPARE(want.size(), s.tokens.size());
            for (size_t j = 0; j < want.size(); ++j) {
                QCOMPARE(m_panel->heatmap()->cell(t, int(j)), double(want[j]));
                QCOMPARE(m_panel->textView()->weight(t, int(j)), double(want[j]));
            }
            const std::vector<float> wantTyped = typed.scores(t, score);
            for (size_t j = 0; j < wantTyped.size(); ++j)
                QCOMPARE(editor->textView()->weight(t, int(j)), double(wantTyped[j]));
        }
        // Probe rows: one row per probe sample, for task 1.
        m_panel->heatmap()->setLayout(TaskHeatmap::Layout::SamplesForTask);
        m_panel->heatmap()->setTask(1);
        for (int r = 0; r < int(second.samples.size()); ++r) {
            const std::vector<float> want = second.samples[size_t(r)].scores(1, score);
            for (size_t j = 0; j < want.size(); ++j)
                QCOMPARE(m_panel->heatmap()->cell(r, int(j)), double(want[j]));
        }
        // Scrubbed back: the earlier snapshot's explanation.
        m_panel->scrubTo(m_panel->timeline().indexOfStep(7000));
        QCOMPARE(m_panel->shown().step, int64_t(7000));
        const std::vector<float> back = first.samples[size_t(m_panel->selectedSample())].scores(1, score);
        QCOMPARE(m_panel->heatmap()->cell(m_panel->selectedSample(), 0), double(back[0]));
        m_panel->scrubTo(m_panel->timeline().size() - 1);
    }
    m_panel->heatmap()->setLayout(TaskHeatmap::Layout::TasksForSample);
    // The curves over training: the chosen score's faithfulness, every score in the export.
    QVERIFY(m_panel->csv(AttentionPanel::View::History).section(QLatin1Char('\n'), 0, 0)
                .contains(QStringLiteral("comprehensiveness_occlusion,sufficiency_occlusion")));
    QVERIFY(m_panel->csv(AttentionPanel::View::History)
                .contains(QString::number(second.comprehensiveness[0][size_t(Method::Integrated)], 'g', 9)));
}

// Signed scores (gradient x input, integrated gradients, occlusion) are
// drawn in the diverging map, white at 0 and symmetric about it; attention
// and rollout in the panel's map from 0.
// The views' JSON export carries each sample's explanation as
// `attnscope-cli explain` writes a sample (probeEditorEqualsCli holds the two
// side by side): the real tokens, per task the class, the scores the worker
// computed, integrated gradients' delta and the faithfulness, without
// comprehensiveness and sufficiency where they were not measured; a sample
// not explained has neither member.
void TestAttention::jsonExportCarriesTheExplanations()
{
    AttentionSnapshot snap = explainedSnapshot(7100);
    QVERIFY(snap.samples.size() >= 3);
    // As the worker explains a long input that is not the focus.
    ExplainWorkspace workspace;
    auto reduced = std::make_shared<LiveExplanation>();
    reduced->step = 7090;
    reduced->sample = explainSample(*m_model, *m_val, snap.samples[1].probe,
                                    LiveExplainer::options(LiveExplainer::AllScoresTokens + 1, false), workspace);
    reduced->reduced = true;
    snap.samples[1].explanation = reduced;
    snap.samples[2].explanation.reset();
    m_panel->setSnapshot(snap);
    const QJsonArray samples = QJsonDocument::fromJson(m_panel->json(AttentionPanel::View::History))
                                   .object().value(QStringLiteral("samples")).toArray();
    QCOMPARE(samples.size(), qsizetype(snap.samples.size()));
    int measured = 0, unmeasured = 0;
    for (size_t i = 0; i < snap.samples.size(); ++i) {
        const AttentionSample &s = snap.samples[i];
        const QJsonObject sample = samples.at(qsizetype(i)).toObject();
        if (!s.explanation) {
            QVERIFY(!sample.contains(QStringLiteral("explanation")) && !sample.contains(QStringLiteral("explained_step")));
            continue;
        }
        QCOMPARE(sample.value(QStringLiteral("explained_step")).toInteger(-1), s.explanation->step);
        const QJsonObject e = sample.value(QStringLiteral("explanation")).toObject();
        QCOMPARE(e.keys(), QStringList({QStringLiteral("tasks"), QStringLiteral("tokens")}));
        const SampleExplanation &want = s.explanation->sample;
        const QJsonArray tokens = e.value(QStringLiteral("tokens")).toArray();
        QCOMPARE(tokens.size(), qsizetype(want.real.size()));
        for (size_t k = 0; k < want.real.size(); ++k)
            QCOMPARE(tokens.at(qsizetype(k)).toString(), QString::fromStdString(s.tokens[size_t(want.real[k])]));
        const QJsonObject tasks = e.value(QStringLiteral("tasks")).toObject();
        QCOMPARE(tasks.size(), qsizetype(snap.taskCount()));
        for (int t = 0; t < snap.taskCount(); ++t) {
            const TaskExplanation &te = want.tasks[size_t(t)];
            const QJsonObject task = tasks.value(QString::fromStdString(snap.tasks[size_t(t)].name)).toObject();
            QCOMPARE(task.value(QStringLiteral("class")).toString(),
                     QString::fromStdString(snap.tasks[size_t(t)].classes[size_t(te.cls)]));
            const QJsonObject scores = task.value(QStringLiteral("scores")).toObject();
            QStringList names;
            for (int m = 0; m < ScoreCount; ++m) {
                if (te.scores[size_t(m)].empty())
                    continue;
                const QString name = QString::fromLatin1(toString(Method(m)));
                names << name;
                const QJsonArray values = scores.value(name).toArray();
                QCOMPARE(values.size(), qsizetype(te.scores[size_t(m)].size()));
                for (qsizetype k = 0; k < values.size(); ++k)
                    QCOMPARE(float(values.at(k).toDouble()), te.scores[size_t(m)][size_t(k)]);  // bit for bit
            }
            names.sort();
            QCOMPARE(scores.keys(), names);
            QCOMPARE(names.size(), s.explanation->reduced ? 3 : ScoreCount);
            QCOMPARE(task.contains(QStringLiteral("integrated_delta")), bool(te.integratedDelta));
            if (te.integratedDelta)
                QCOMPARE(task.value(QStringLiteral("integrated_delta")).toDouble(), *te.integratedDelta);
            const QJsonObject faithfulness = task.value(QStringLiteral("faithfulness")).toObject();
            for (int m = 0; m < MethodCount; ++m) {
                const std::optional<Faithfulness> &f = te.faithfulness[size_t(m)];
                const QString name = QString::fromLatin1(toString(Method(m)));
                QCOMPARE(faithfulness.contains(name), bool(f));
                if (!f)
                    continue;
                const QJsonObject figures = faithfulness.value(name).toObject();
                QCOMPARE(figures.contains(QStringLiteral("comprehensiveness")), f->measured);
                QCOMPARE(figures.contains(QStringLiteral("sufficiency")), f->measured);
                (f->measured ? measured : unmeasured)++;
                if (f->measured) {
                    QCOMPARE(figures.value(QStringLiteral("comprehensiveness")).toDouble(), f->comprehensiveness);
                    QCOMPARE(figures.value(QStringLiteral("sufficiency")).toDouble(), f->sufficiency);
                }
                QCOMPARE(figures.contains(QStringLiteral("auprc")), bool(f->auprc));
                if (f->auprc)
                    QCOMPARE(figures.value(QStringLiteral("auprc")).toDouble(), *f->auprc);
                QCOMPARE(figures.contains(QStringLiteral("mass")), f->auprc && isDistribution(Method(m)));
            }
        }
    }
    QVERIFY(measured > 0 && unmeasured > 0);
    // The selected sample's export (the heatmap of its tasks) carries its own.
    m_panel->heatmap()->setLayout(TaskHeatmap::Layout::TasksForSample);
    m_panel->selectSample(1);
    const QJsonArray selected = QJsonDocument::fromJson(m_panel->json(AttentionPanel::View::Heatmap))
                                    .object().value(QStringLiteral("samples")).toArray();
    QCOMPARE(selected.size(), qsizetype(1));
    QCOMPARE(selected.at(0).toObject().value(QStringLiteral("explained_step")).toInteger(), int64_t(7090));
    m_panel->selectSample(0);
}

// The window's JSON export of the probe set has the set's faithfulness as
// `attnscope-cli explain` writes its top level, made by the same code: on the
// same checkpoint and samples (every validation sample a probe, explained as
// the worker does) the same tasks, scores, figures and nulls, the figures
// equal up to the order the means add the samples in.
void TestAttention::jsonExportSummaryEqualsCli()
{
    const QString checkpoint = m_dir.filePath(QStringLiteral("summary.safetensors"));
    std::string error;
    QVERIFY2(saveCheckpoint(*m_model, checkpoint.toStdString(), &error), error.c_str());
    AttentionPanel panel;
    panel.setModelAndData(modelInfo(*m_model), m_data, m_val);
    for (const EncodedSample &s : m_val->samples)
        panel.addProbe(s.index);  // false for the probes chosen already
    QCOMPARE(panel.probeSet().size(), int(m_val->samples.size()));
    AttentionSnapshot snap = panel.probeSet().refresh(*m_model, *m_val, 40, m_data.get());
    LiveExplainer explainer;
    explainer.explain(snap, *m_model, *m_val, panel.probeSet().focus(), true);
    panel.setSnapshot(snap);
    const QJsonObject window = QJsonDocument::fromJson(panel.json(AttentionPanel::View::History))
                                   .object().value(QStringLiteral("faithfulness")).toObject();
    QProcess explain;
    explain.start(QStringLiteral(ATTNSCOPE_CLI),
                  {QStringLiteral("explain"), QStringLiteral("--checkpoint"), checkpoint, QStringLiteral("--data"),
                   QStringLiteral("builtin:reviews?n=400"), QStringLiteral("--split"), QStringLiteral("val"),
                   QStringLiteral("--val-fraction"), QStringLiteral("0.25"), QStringLiteral("--seed"),
                   QStringLiteral("1"), QStringLiteral("--summary")});
    QVERIFY(explain.waitForFinished(120000));
    QCOMPARE(explain.exitCode(), 0);
    const QJsonObject cli = QJsonDocument::fromJson(explain.readAllStandardOutput())
                                .object().value(QStringLiteral("faithfulness")).toObject();
    QCOMPARE(window.keys(), cli.keys());
    QCOMPARE(window.size(), qsizetype(m_model->tasks.size()));
    int nulls = 0;
    for (const QString &task : cli.keys()) {
        const QJsonObject byMethod = window.value(task).toObject(), cliByMethod = cli.value(task).toObject();
        QCOMPARE(byMethod.size(), qsizetype(MethodCount));  // the five scores and random
        QCOMPARE(byMethod.keys(), cliByMethod.keys());
        for (const QString &method : cliByMethod.keys()) {
            const QJsonObject figures = byMethod.value(method).toObject();
            const QJsonObject cliFigures = cliByMethod.value(method).toObject();
            QCOMPARE(figures.keys(), cliFigures.keys());
            for (const QString &name : cliFigures.keys()) {
                const QJsonValue a = figures.value(name), b = cliFigures.value(name);
                const QString where = task + QLatin1Char('/') + method + QLatin1Char('/') + name;
                QVERIFY2(a.isNull() == b.isNull(), qPrintable(where));
                nulls += b.isNull();
                if (!b.isNull())
                    QVERIFY2(std::abs(a.toDouble() - b.toDouble()) <= 1e-12 * std::max(1.0, std::abs(b.toDouble())),
                             qPrintable(where + QStringLiteral(": %1 against %2").arg(a.toDouble()).arg(b.toDouble())));
            }
        }
    }
    QVERIFY(nulls > 0);  // mass: only attention and rollout have one
}


// The disagreement view shows the chosen score: per token each task's score
// and their spread, named in its title and its CSV; a signed score's dots go
// below 0; a sample without the score has no bars.
void TestAttention::disagreementFollowsTheScore()
{
    AttentionSnapshot snap = explainedSnapshot(7200);
    snap.samples[1].explanation.reset();
    m_panel->setSnapshot(snap);
    m_panel->setCurrentView(AttentionPanel::View::Disagreement);
    m_panel->selectSample(0);
    DisagreementView *view = m_panel->disagreementView();
    const AttentionSample &s = snap.samples[0];
    for (int m = 0; m < ScoreCount; ++m) {
        const Method score = Method(m);
        m_panel->setScore(score);
        QVERIFY2(view->title().startsWith(scoreName(score)), qPrintable(view->title()));
        QCOMPARE(view->plot()->yAxis->label(), scoreName(score));
        double lowest = 0;
        for (int j = 0; j < s.tokenCount(); ++j) {
            double lo = HUGE_VAL, hi = -HUGE_VAL;
            for (int t = 0; t < snap.taskCount(); ++t) {
                const double v = s.scores(t, score)[size_t(j)];
                lo = std::min(lo, v);
                hi = std::max(hi, v);
                QCOMPARE(view->plot()->graph(t)->data()->at(j)->value, v);
            }
            QCOMPARE(view->spread(j), hi - lo);
            lowest = std::min(lowest, lo);
        }
        QCOMPARE(view->plot()->yAxis->range().lower < 0, lowest < 0);
        QVERIFY(view->plot()->yAxis->range().lower <= lowest);
        const auto rows = csvRecords(view->csv());
        const std::string first = snap.tasks[0].name;
        QCOMPARE(rows.at(0).at(3), score == Method::Attention ? first : first + ":" + toString(score));
        QCOMPARE(QString::fromStdString(rows.at(1).back()), QString::number(view->spread(0), 'g', 9));
    }
    // Gradient x input is signed: with these weights some token pulls away from a class.
    m_panel->setScore(Method::Gradient);
    QVERIFY(view->plot()->yAxis->range().lower < 0);
    // A sample the worker has not explained yet: the title says so, no spread.
    m_panel->selectSample(1);
    QVERIFY2(view->title().contains(QStringLiteral("not computed yet")), qPrintable(view->title()));
    QVERIFY(std::isnan(view->spread(0)));
    m_panel->setScore(Method::Attention);
    QVERIFY(!std::isnan(view->spread(0)));
    m_panel->selectSample(0);
    m_panel->setCurrentView(AttentionPanel::View::Heatmap);
}

// The Disagreement view's legend hides no bar: it has a row of its own above
// the axes (inset at their top right it covered the tallest bars), its
// entries wrapped to the width, at the window's small and large sizes and
// on a narrow panel.
void TestAttention::disagreementLegendCoversNothing()
{
    m_panel->setSnapshot(explainedSnapshot(7300));
    m_panel->setScore(Method::Attention);
    m_panel->setCurrentView(AttentionPanel::View::Disagreement);
    m_panel->selectSample(0);
    DisagreementView *view = m_panel->disagreementView();
    QCustomPlot *plot = view->plot();
    const QSize before = m_panel->size();
    const auto restore = qScopeGuard([&] { m_panel->resize(before); });
    for (const QSize size : {QSize(1024, 768), QSize(1600, 1000), QSize(560, 640)}) {
        m_panel->resize(size);
        QTRY_COMPARE(m_panel->size(), size);
        QTRY_VERIFY(plot->width() > 0 && plot->width() < size.width());
        m_panel->setScore(Method::Rollout);  // drawn again at this width
        m_panel->setScore(Method::Attention);
        plot->replot(QCustomPlot::rpImmediateRefresh);
        const QString at = QStringLiteral("%1 x %2").arg(size.width()).arg(size.height());
        const QCPLegend *legend = plot->legend;
        QVERIFY(legend->visible());
        const QList<QCPLayoutElement *> cells = legend->elements(false);
        QCOMPARE(int(cells.size() - cells.count(nullptr)), m_panel->shown().taskCount() + 1);  // the spread, each task
        const QRect box = legend->outerRect();
        QVERIFY2(plot->rect().contains(box), qPrintable(at));
        QVERIFY2(!box.intersects(plot->axisRect()->rect()), qPrintable(at));
        // Nor any bar's pixels, nor any entry outside the box.
        auto *bars = qobject_cast<QCPBars *>(plot->plottable(0));
        QVERIFY(bars && bars->dataCount() > 0);
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it) {
            const double x0 = plot->xAxis->coordToPixel(it->key - bars->width() / 2);
            const double x1 = plot->xAxis->coordToPixel(it->key + bars->width() / 2);
            const double y0 = plot->yAxis->coordToPixel(0), y1 = plot->yAxis->coordToPixel(it->value);
            const QRectF bar = QRectF(QPointF(x0, y0), QPointF(x1, y1)).normalized();
            QVERIFY2(!QRectF(box).intersects(bar), qPrintable(at));
        }
        for (QCPLayoutElement *item : cells)
            QVERIFY2(!item || box.contains(item->outerRect()), qPrintable(at));
    }
}


// Over training in the dark theme: each of its legends (the rationale
// agreement's and the faithfulness's, in their own axis rects) has the
// palette's background and text, so the white legend lines of the chosen
// score show; light again when the palette is.
void TestAttention::historyLegendsFollowTheTheme()
{
    HistoryView history;
    history.resize(900, 700);
    history.addSnapshot(explainedSnapshot(7300));
    history.addSnapshot(explainedSnapshot(7310));
    history.setScore(Method::Integrated);
    history.show();
    QVERIFY(QTest::qWaitForWindowExposed(&history));
    for (const QPalette &palette : {darkPalette(), lightPalette()}) {
        history.setPalette(palette);
        QApplication::processEvents();
        int legends = 0;
        for (QCPLayoutElement *element : history.plot()->plotLayout()->elements(true))
            if (auto *legend = qobject_cast<QCPLegend *>(element)) {
                ++legends;
                QCOMPARE(legend->brush().color(), palette.color(QPalette::Base));
                QCOMPARE(legend->textColor(), palette.color(QPalette::WindowText));
            }
        QCOMPARE(legends, 2);
    }
}

// Over training keeps what there is: four numbers a task a point (gate,
// rationale mass and AUPRC, loss), and the faithfulness scores (twelve a
// task) only at a round of explanations. It kept the twelve, NaN, at every
// other point too: five times its budget with many tasks. The CSV has the
// same columns at every point.
void TestAttention::historyKeepsOnlyWhatIsThere()
{
    std::vector<TaskInfo> tasks;
    for (int t = 0; t < 50; ++t)
        tasks.push_back({"task " + std::to_string(t), {"a", "b"}});
    AttentionSnapshot snapshot = *namedSnapshot({"x", "y"}, tasks);
    snapshot.taskLoss.assign(tasks.size(), 0.5f);
    HistoryView history;
    for (int64_t step = 10; step <= 100; step += 10) {
        snapshot.step = step;
        history.addSnapshot(snapshot);
    }
    QCOMPARE(history.points(), 10);
    QCOMPARE(history.faithfulnessPoints(), 0);
    QCOMPARE(history.storedNumbers(), size_t(10 * 50 * 4));
    // A round of explanations keeps its scores.
    snapshot.step = snapshot.explainedStep = 110;
    std::array<double, MethodCount> scores;
    scores.fill(0.25);
    snapshot.comprehensiveness.assign(tasks.size(), scores);
    snapshot.sufficiency.assign(tasks.size(), scores);
    history.addSnapshot(snapshot);
    QCOMPARE(history.faithfulnessPoints(), 1);
    QCOMPARE(history.storedNumbers(), size_t(11 * 50 * 4 + 2 * 50 * MethodCount));
    const auto rows = csvRecords(history.csv());
    QCOMPARE(rows.size(), size_t(1 + 11 * 50));
    for (const auto &row : rows)
        QCOMPARE(row.size(), rows[0].size());
    QCOMPARE(rows[1][6], std::string());  // step 10: no comprehensiveness
    QCOMPARE(rows[1 + 10 * 50][6], std::string("0.25"));
}

// Over training on a projector (150 %, a view 540 x 330): each legend sits in
// a row of its own, clear of every axis rect (inset in them, the legends
// covered the curves), and each axis rect is at least as tall as its axis
// title written upwards ("rationale agreement" was cut in a rect of 70
// px); where the view is shorter than that, the plot scrolls.
void TestAttention::historyFitsAProjector()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.5);
    HistoryView history;
    history.resize(540, 330);
    for (const int64_t step : {7400, 7410}) {
        AttentionSnapshot snap = explainedSnapshot(step);
        snap.mode = AttentionMode::Gated;  // every axis rect: the gates too
        snap.gates.assign(snap.tasks.size(), 0.5f);
        history.addSnapshot(snap);
    }
    history.show();
    QVERIFY(QTest::qWaitForWindowExposed(&history));
    QApplication::processEvents();  // the redraw a resize asks for
    QCustomPlot *plot = history.plot();
    plot->replot(QCustomPlot::rpImmediateRefresh);
    std::vector<QCPLegend *> legends;
    for (QCPLayoutElement *element : plot->plotLayout()->elements(true))
        if (auto *legend = qobject_cast<QCPLegend *>(element); legend && legend->visible())
            legends.push_back(legend);
    QCOMPARE(legends.size(), size_t(2));  // the rationale's and the faithfulness'
    QCOMPARE(plot->axisRects().size(), 4);
    for (const QCPAxisRect *rect : plot->axisRects()) {
        QVERIFY(rect->visible());
        const QCPAxis *left = rect->axis(QCPAxis::atLeft);
        const int title = QFontMetrics(left->labelFont()).horizontalAdvance(left->label());
        QVERIFY2(title <= rect->height(), qPrintable(QStringLiteral("'%1' (%2 px) in a rect %3 px tall")
                                                         .arg(left->label()).arg(title).arg(rect->height())));
        for (const QCPLegend *legend : legends)
            QVERIFY2(!legend->outerRect().intersects(rect->rect()),
                     qPrintable(QStringLiteral("a legend over the axes of '%1'").arg(left->label())));
    }
    // Here the plots stand side by side and fit; in a view shorter than
    // their least height they scroll to the rest.
    auto *scroll = history.findChild<QScrollArea *>();
    QVERIFY(scroll && scroll->isAncestorOf(plot));
    QVERIFY(!scroll->verticalScrollBar()->isVisible());
    history.resize(540, 200);
    QTRY_VERIFY(scroll->verticalScrollBar()->isVisible());
}

namespace {

// A snapshot of three samples whose one task's attention is uniform on four tokens.
AttentionSnapshot uniformSnapshot(int64_t step)
{
    AttentionSnapshot snapshot;
    snapshot.step = step;
    snapshot.tasks = {{"t", {"a", "b"}}};
    for (int i = 0; i < 3; ++i) {
        AttentionSample sample;
        sample.probe = i;
        sample.tokens = {"w", "x", "y", "z", "pad"};
        sample.mask = {1, 1, 1, 1, 0};
        sample.weights = {{0.25f, 0.25f, 0.25f, 0.25f, 0.0f}};
        sample.probs = {{0.5f, 0.5f}};
        sample.labels = {0};
        snapshot.samples.push_back(sample);
    }
    return snapshot;
}

} // namespace

// A5, A21 of stop 22's acceptance: the near-uniform note showed at step 1
// of every run, where attention is uniform by construction (MODEL.md 8), and
// not for a trained checkpoint opened from a file, whose snapshots start at
// step 0. It is said for trained weights: a run past its first
// UniformNoteSteps steps, or weights trained before the run (a checkpoint's).
void TestAttention::nearUniformNoteOnlyForTrainedWeights()
{
    AttentionPanel run;
    for (const int64_t step : {int64_t(0), int64_t(1), int64_t(10), AttentionPanel::UniformNoteSteps - 1}) {
        run.setSnapshot(uniformSnapshot(step));
        QVERIFY2(run.uniformNote().isEmpty(), qPrintable(QStringLiteral("step %1: %2").arg(step).arg(run.uniformNote())));
    }
    run.setSnapshot(uniformSnapshot(AttentionPanel::UniformNoteSteps));
    QVERIFY(run.uniformNote().startsWith(QStringLiteral("Near-uniform attention")));

    AttentionPanel opened;  // a checkpoint's weights: its run starts at step 0
    opened.setWeightsTrained(true);
    opened.setSnapshot(uniformSnapshot(0));
    QVERIFY(opened.uniformNote().startsWith(QStringLiteral("Near-uniform attention")));
    auto *note = opened.findChild<QLabel *>(QStringLiteral("encoderNote"));
    QVERIFY(note && !note->isHidden() && note->text().contains(opened.uniformNote()));
    opened.setWeightsTrained(false);  // a fresh run's at step 0
    QCOMPARE(opened.uniformNote(), QString());
    QVERIFY(note->isHidden());
}

// The window says which runs start from trained weights: one from a
// checkpoint opened from a file, not a fresh one.
void TestAttention::checkpointWeightsAreTrained()
{
    QCoreApplication::setOrganizationName(QStringLiteral("AttnScopeTest"));
    const QString path = m_dir.filePath(QStringLiteral("trained.safetensors"));
    MainWindow window;
    QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
    QTRY_VERIFY_WITH_TIMEOUT(window.startAction()->isEnabled() && window.training()->setup(), 20000);
    QVERIFY(!window.attention()->weightsTrained());
    window.training()->startUntil(5);
    QTRY_VERIFY_WITH_TIMEOUT(window.training()->currentStep() == 5
                                 && window.training()->state() == TrainingWorker::State::Paused, 20000);
    QVERIFY(window.saveCheckpoint(path));
    QVERIFY(window.openCheckpoint(path));
    QTRY_VERIFY_WITH_TIMEOUT(window.training()->setup() && window.training()->currentStep() == 0, 20000);
    QTRY_VERIFY(window.attention()->weightsTrained());
}

// A20 of stop 22's acceptance: at 1024 x 768 a sample's cells are narrower
// than "0.083", and Values printed nothing with nothing said. The values
// now print upright where the cells are tall enough (or shorter, ".083"),
// and where no form fits every cell the foot of the plot and the Values
// box's tooltip say so.
void TestAttention::cellValuesFitOrSayWhy()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.5);
    const auto snapshotOf = [](int tokens) {
        AttentionSnapshot snap;
        snap.step = 200;
        snap.tasks = {{"sentiment", {"neg", "pos"}}, {"topic", {"a", "b"}}, {"aspect", {"x", "y"}}};
        AttentionSample s;
        for (int j = 0; j < tokens; ++j) {
            s.tokens.push_back(QStringLiteral("w%1").arg(j).toStdString());
            s.mask.push_back(1);
        }
        s.weights.assign(3, std::vector<float>(size_t(tokens), 1.0f / float(tokens)));
        s.probs.assign(3, {0.5f, 0.5f});
        s.labels = {0, 0, 0};
        snap.samples.push_back(s);
        return snap;
    };
    // The values the plot prints, as its text items.
    const auto printed = [](const TaskHeatmap &heatmap) {
        QStringList texts;
        for (int i = 0; i < heatmap.plot()->itemCount(); ++i)
            if (const auto *text = qobject_cast<QCPItemText *>(heatmap.plot()->item(i)))
                texts << text->text();
        return texts;
    };
    TaskHeatmap heatmap;
    heatmap.resize(560, 380);
    heatmap.setCellValues(true);
    heatmap.setSnapshot(snapshotOf(12));
    heatmap.show();
    QVERIFY(QTest::qWaitForWindowExposed(&heatmap));
    QCoreApplication::processEvents();  // the redraw a resize asks for
    heatmap.plot()->replot(QCustomPlot::rpImmediateRefresh);
    const double cellWidth = double(heatmap.plot()->axisRect()->width()) / 12;
    const QFontMetrics metrics(heatmap.plot()->xAxis->tickLabelFont());
    QVERIFY2(metrics.horizontalAdvance(heatmap.cellText(0, 0)) + 4 > cellWidth,
             qPrintable(QStringLiteral("cells %1 px wide").arg(cellWidth)));  // too narrow to print level
    QTRY_VERIFY2(printed(heatmap).size() == 3 * 12, qPrintable(heatmap.valuesNote()));
    QVERIFY2(heatmap.printedText(0, 0) == heatmap.cellText(0, 0) || heatmap.printedText(0, 0) == QStringLiteral(".083"),
             qPrintable(heatmap.printedText(0, 0)));
    QCOMPARE(heatmap.valuesNote(), QString());

    // Too small for any form: said, under the cells and in the Values box's tooltip.
    AttentionPanel panel;
    panel.resize(560, 420);
    panel.setSnapshot(snapshotOf(60));
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    auto *values = panel.findChild<QCheckBox *>(QStringLiteral("cellValues"));
    QVERIFY(values);
    values->setChecked(true);
    QTRY_VERIFY(panel.heatmap()->valuesNote().contains(QStringLiteral("too small")));
    QVERIFY(printed(*panel.heatmap()).isEmpty());
    QVERIFY2(panel.heatmap()->plot()->xAxis->label().contains(panel.heatmap()->valuesNote()),
             qPrintable(panel.heatmap()->plot()->xAxis->label()));
    QVERIFY2(values->toolTip().contains(QStringLiteral("Cells too small for values: widen the window or zoom out")),
             qPrintable(values->toolTip()));
    values->setChecked(false);
    QTRY_COMPARE(panel.heatmap()->valuesNote(), QString());
    QVERIFY(!values->toolTip().contains(QStringLiteral("too small")));
}

// The heatmap's colour scale is titled with the score where it is as tall
// as the title written upwards, untitled where it is shorter (the heatmap
// of the Attention tab at 1024 x 768 and 150 % cut it: "ttention"); the
// title above the plot names the score either way.
void TestAttention::heatmapScaleTitleFits()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.5);
    TaskHeatmap heatmap;
    heatmap.setSnapshot(explainedSnapshot(7500));
    heatmap.show();
    QVERIFY(QTest::qWaitForWindowExposed(&heatmap));
    for (const QSize size : {QSize(500, 230), QSize(900, 600)}) {
        heatmap.resize(size);
        QTRY_COMPARE(heatmap.plot()->size().width(), size.width());
        QCoreApplication::processEvents();  // the redraw a resize asks for
        heatmap.plot()->replot(QCustomPlot::rpImmediateRefresh);
        const QCPAxis *scale = heatmap.plot()->plottable(0) ? qobject_cast<QCPColorMap *>(heatmap.plot()->plottable(0))
                                                                  ->colorScale()->axis()
                                                            : nullptr;
        QVERIFY(scale);
        const int title = QFontMetrics(scale->labelFont()).horizontalAdvance(scale->label());
        QVERIFY2(title <= scale->axisRect()->height(),
                 qPrintable(QStringLiteral("'%1' (%2 px) on a scale %3 px tall")
                                .arg(scale->label()).arg(title).arg(scale->axisRect()->height())));
        if (size.height() >= 600)
            QCOMPARE(scale->label(), scoreName(Method::Attention));
        QVERIFY(heatmap.title().startsWith(scoreName(Method::Attention)));
    }
}

void TestAttention::signedScoresUseADivergingMapCentredOnZero()
{
    m_panel->setSnapshot(explainedSnapshot(7100));
    m_panel->selectSample(0);
    m_panel->setCurrentView(AttentionPanel::View::Heatmap);
    const QColor white = divergingColorAt(0);
    QVERIFY(std::abs(white.red() - white.green()) < 8 && std::abs(white.green() - white.blue()) < 8);
    QVERIFY(white.lightness() > 240);
    const QColor low = divergingColorAt(-1), high = divergingColorAt(1);
    QVERIFY(low.blue() > low.red());    // purple below 0
    QVERIFY(high.red() > high.blue());  // orange above
    for (Method score : {Method::Gradient, Method::Integrated, Method::Occlusion}) {
        m_panel->setScore(score);
        QApplication::processEvents();
        const double top = m_panel->heatmap()->colorScaleTop();
        double largest = 0;
        for (int r = 0; r < m_panel->heatmap()->rows(); ++r)
            for (int c = 0; c < m_panel->heatmap()->columns(); ++c)
                if (std::isfinite(m_panel->heatmap()->cell(r, c)))
                    largest = std::max(largest, std::abs(m_panel->heatmap()->cell(r, c)));
        QVERIFY(largest > 0);
        QCOMPARE(top, largest);
        QCOMPARE(m_panel->heatmap()->colorScaleBottom(), -top);
        QCOMPARE(m_panel->textView()->shade(0), white);
        QCOMPARE(m_panel->textView()->shade(-1e9), low);
        QCOMPARE(m_panel->textView()->shade(1e9), high);
    }
    for (Method score : {Method::Attention, Method::Rollout}) {
        m_panel->setScore(score);
        QApplication::processEvents();
        QCOMPARE(m_panel->heatmap()->colorScaleBottom(), 0.0);
        QCOMPARE(m_panel->textView()->shade(0), colorAt(m_panel->colorMap(), 0));
    }
}

// Compare: the five scores of the selected sample for one task, side by
// side, each with its comprehensiveness, sufficiency and AUPRC.
void TestAttention::compareShowsTheFiveScores()
{
    const AttentionSnapshot snap = explainedSnapshot(7200);
    m_panel->setSnapshot(snap);
    m_panel->selectSample(1);
    m_panel->setCurrentView(AttentionPanel::View::Compare);
    m_panel->setCompareTask(2);
    TextView *compare = m_panel->compareView();
    QCOMPARE(compare->columnCount(), ScoreCount);
    QVERIFY(compare->isVisible());
    const AttentionSample &s = snap.samples[1];
    QVERIFY(compare->title().contains(QString::fromStdString(snap.tasks[2].name)));
    for (int m = 0; m < ScoreCount; ++m) {
        const std::vector<float> want = s.scores(2, Method(m));
        QVERIFY(!want.empty());
        for (size_t j = 0; j < want.size(); ++j)
            QCOMPARE(compare->weight(m, int(j)), double(want[j]));
        const Faithfulness *f = s.faithfulness(2, Method(m));
        QVERIFY(f);
        const QString header = compare->header(m);
        QVERIFY2(header.contains(QStringLiteral("comprehensiveness %1").arg(f->comprehensiveness, 0, 'f', 2)),
                 qPrintable(header));
        QVERIFY(header.contains(QStringLiteral("sufficiency %1").arg(f->sufficiency, 0, 'f', 2)));
        if (f->auprc)
            QVERIFY(header.contains(QStringLiteral("AUPRC %1").arg(*f->auprc, 0, 'f', 2)));
        // One figure a line: "sufficiency 0.80 · AUPRC 0.64" on one line was
        // cut to "suff. 0.80 · AUPR…" in a column at 1024 px.
        QCOMPARE(header.split(QLatin1Char('\n')).size(), f->auprc ? 3 : 2);
    }
    QVERIFY(s.hasRationale(2) == bool(s.faithfulness(2, Method::Attention)->auprc));
    QVERIFY(m_panel->csv(AttentionPanel::View::Compare)
                .startsWith(QStringLiteral("sample,task,token_index,token,attention,rollout,gradient,integrated,occlusion,")));
    m_panel->setCompareTask(0);
    m_panel->setCurrentView(AttentionPanel::View::Heatmap);
}

// Add… takes the number the list shows (#N, the sample's index in the
// dataset): it asked for a place in the validation split, and 100 added a
// row labelled #533. A new run of the same data and split (Reset) kept
// nothing of the user's edits: the probes were chosen again.
void TestAttention::probeNumbersAndEditsSurviveANewRun()
{
    AttentionPanel panel;
    panel.setModelAndData(modelInfo(*m_model), m_data, m_val);
    int added = -1;
    for (size_t i = 0; i < m_val->samples.size() && added < 0; ++i)
        if (!panel.probeSet().contains(int(i)) && m_val->samples[i].index != int(i))
            added = int(i);
    QVERIFY(added >= 0);
    const int number = m_val->samples[size_t(added)].index;
    QSignalSpy changed(&panel, &AttentionPanel::probeSetChanged);
    QVERIFY(panel.addProbe(number));
    QCOMPARE(changed.size(), 1);
    QVERIFY(panel.probeSet().contains(added));
    panel.setSnapshot(panel.probeSet().refresh(*m_model, *m_val, 1, m_data.get()));
    auto *box = panel.findChild<QComboBox *>(QStringLiteral("sampleBox"));
    QVERIFY(box);
    bool listed = false;
    for (int i = 0; i < box->count(); ++i)
        listed = listed || box->itemText(i).startsWith(QStringLiteral("#%1 ").arg(number));
    QVERIFY2(listed, qPrintable(QStringLiteral("no row #%1").arg(number)));
    QString error;
    QVERIFY(!panel.addProbe(number, &error));
    QVERIFY2(error.contains(QStringLiteral("a probe already")), qPrintable(error));
    int training = 0;  // a sample of the training split
    while (std::any_of(m_val->samples.begin(), m_val->samples.end(),
                       [training](const EncodedSample &s) { return s.index == training; }))
        ++training;
    QVERIFY(!panel.addProbe(training, &error));
    QVERIFY2(error.contains(QStringLiteral("#%1 is not a validation sample").arg(training)), qPrintable(error));

    // A new run (Reset) builds its own copy of the same split: the edits stay.
    const std::vector<int> edited = panel.probeSet().indices();
    panel.setModelAndData(modelInfo(*m_model), m_data, std::make_shared<EncodedDataset>(*m_val));
    QCOMPARE(panel.probeSet().indices(), edited);
    // Another split: chosen again.
    auto other = std::make_shared<EncodedDataset>(*m_val);
    other->samples.pop_back();
    panel.setModelAndData(modelInfo(*m_model), m_data, other);
    QVERIFY(!panel.probeSet().contains(added) || panel.probeSet().indices() != edited);
}

// A zoom (View > Zoom in: the application's font) makes the text view's
// tokens larger: at the same width it is as tall as the new font needs. (It
// kept the height measured for that width in the old font: the scroll area
// cut the last lines off.)
void TestAttention::textHeightFollowsTheZoom()
{
    std::vector<std::string> tokens;
    for (int j = 0; j < 60; ++j)
        tokens.push_back("token" + std::to_string(j));
    const SnapshotPtr snapshot = namedSnapshot(tokens, {{"topic", {"a", "b"}}, {"mood", {"c", "d"}}});
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.0);
    TextView text;
    text.setSnapshot(snapshot);
    const int before = text.heightForWidth(500);
    applyZoom(2.0);
    QCoreApplication::processEvents();  // the application's font reaches the widgets by a posted event
    TextView fresh;
    fresh.setSnapshot(snapshot);
    const int zoomed = fresh.heightForWidth(500);
    QVERIFY2(zoomed > before, qPrintable(QStringLiteral("%1 %2").arg(before).arg(zoomed)));
    QCOMPARE(text.heightForWidth(500), zoomed);
    applyZoom(1.0);
    QCoreApplication::processEvents();
    QCOMPARE(text.heightForWidth(500), before);
}

// In the window at 1024 x 768 the panel is about 520 px wide: its tabs read
// "H…", "Self-at…". Every name is whole (the bar scrolls), at 150 % too.
void TestAttention::tabNamesAreWhole()
{
    AttentionPanel panel;
    panel.resize(520, 700);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    auto *tabs = panel.findChild<QTabWidget *>(QStringLiteral("attentionViews"));
    QVERIFY(tabs);
    QTabBar *bar = tabs->tabBar();
    const double size = panel.font().pointSizeF();
    for (double zoom : {1.0, 1.5}) {
        QFont font = panel.font();
        font.setPointSizeF(size * zoom);
        panel.setFont(font);
        for (int i = 0; i < bar->count(); ++i)
            QTRY_VERIFY2(bar->tabRect(i).width() > bar->fontMetrics().horizontalAdvance(bar->tabText(i)),
                         qPrintable(QStringLiteral("%1 at %2: %3 px for %4 px of text")
                                        .arg(bar->tabText(i))
                                        .arg(zoom)
                                        .arg(bar->tabRect(i).width())
                                        .arg(bar->fontMetrics().horizontalAdvance(bar->tabText(i)))));
    }
}

// The heads' labels above the grid of all heads do not run into each other:
// "head 2" where the column has room, "H2" where it has not (a projector's
// width with 4 heads: "head 0head 1" overlapped).
void TestAttention::headLabelsFit()
{
    SelfAttentionMaps maps;
    maps.reset(2, 4, 8);
    HeadGrid grid;
    grid.setMaps(maps, ColorMap::Viridis);
    const QFontMetrics metrics(labelFont(grid.font()));
    for (const int width : {180, 240, 320, 900}) {
        grid.resize(width, 160);
        for (int h = 0; h + 1 < grid.heads(); ++h) {
            // Centred on their columns: apart by the columns' distance at least.
            const int room = grid.thumbnailRect(0, h + 1).center().x() - grid.thumbnailRect(0, h).center().x();
            const int need = (metrics.horizontalAdvance(grid.headLabel(h)) + metrics.horizontalAdvance(grid.headLabel(h + 1))) / 2;
            QVERIFY2(need <= room, qPrintable(QStringLiteral("%1 px: '%2' and '%3' need %4 px, have %5")
                                                  .arg(width).arg(grid.headLabel(h), grid.headLabel(h + 1))
                                                  .arg(need).arg(room)));
        }
    }
    QCOMPARE(grid.headLabel(3), QStringLiteral("head 3"));  // 900 px: room for the word
    grid.resize(180, 160);
    QCOMPARE(grid.headLabel(3), QStringLiteral("H3"));
}

// The colour scale's tick labels stand apart (half a line between them at
// least) on a short heatmap (1024 x 768 at 150 %: 0, 0.2, ..., 1 ran into
// each other); a tall one has them all.
void TestAttention::colourScaleTicksFit()
{
    QCustomPlot plot;
    QCPColorMap *map = addWeightMap(&plot);
    map->setDataRange(QCPRange(0, 1));
    QCPAxis *axis = map->colorScale()->axis();
    plot.show();
    const int label = QFontMetrics(axis->tickLabelFont()).height();
    for (const int height : {100, 150, 250, 600}) {
        plot.resize(400, height);
        plot.replot();
        const QVector<double> ticks = axis->tickVector();
        QVERIFY2(ticks.size() >= 2, qPrintable(QString::number(height)));
        for (int i = 0; i + 1 < ticks.size(); ++i) {
            const double apart = std::abs(axis->coordToPixel(ticks[i + 1]) - axis->coordToPixel(ticks[i]));
            QVERIFY2(apart >= 1.5 * label, qPrintable(QStringLiteral("%1 px high: ticks %2 and %3 %4 px apart, labels %5 px")
                                                    .arg(height).arg(ticks[i]).arg(ticks[i + 1]).arg(apart).arg(label)));
        }
        if (height == 600)
            QCOMPARE(ticks.size(), 6);  // 0, 0.2, ..., 1
    }
}

// Every control the panel makes sits in its layout: the split of
// attentionpanel.cpp (8cb069d) made Play and its pace box but placed them
// nowhere, so the pace box was drawn at the panel's top left over "Sample"
// and Play was never seen; no test noticed.
static bool laidOut(const QLayout *layout, const QWidget *widget)
{
    for (int i = 0; layout && i < layout->count(); ++i) {
        QLayoutItem *item = layout->itemAt(i);
        if (item->widget() == widget || (item->layout() && laidOut(item->layout(), widget)))
            return true;
    }
    return false;
}

void TestAttention::everyControlIsLaidOut()
{
    m_panel->resize(1000, 700);
    QVERIFY(m_panel->layout());
    int checked = 0;
    for (QWidget *child : m_panel->findChildren<QWidget *>(Qt::FindDirectChildrenOnly)) {
        if (child->isWindow() || child->isHidden())
            continue;
        ++checked;
        QVERIFY2(laidOut(m_panel->layout(), child),
                 qPrintable(QStringLiteral("%1 (%2) is in no layout").arg(child->objectName(),
                                                                         child->metaObject()->className())));
    }
    QVERIFY(checked >= 4);  // the control rows' groups, the timeline's widgets, the tabs
    // And the two that were lost are on screen, inside the panel.
    for (const char *name : {"play", "playPace"}) {
        const QWidget *w = m_panel->findChild<QWidget *>(QLatin1String(name));
        QVERIFY2(w && w->isVisible(), name);
        QVERIFY(m_panel->rect().contains(QRect(w->mapTo(m_panel.get(), QPoint(0, 0)), w->size())));
    }
}


namespace {

// The x axis's labelled columns and the closest two of them, in pixels.
std::vector<int> labelledColumns(const QCustomPlot *plot, double *closest)
{
    std::vector<int> columns;
    *closest = 1e9;
    const auto ticks = plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
    for (auto tick = ticks.cbegin(); tick != ticks.cend(); ++tick) {
        if (!columns.empty())
            *closest = std::min(*closest, plot->xAxis->coordToPixel(tick.key()) - plot->xAxis->coordToPixel(columns.back()));
        columns.push_back(int(tick.key()));
    }
    return columns;
}

// A 20-token review as in B11 (accept23), its sentiment reading "not" (token 11: every
// other, third or fourth token was labelled).
SnapshotPtr reviewSnapshot()
{
    const std::vector<std::string> words = {"really", "sometimes", "the", "screen", "and", "the", "battery",
                                            "looks", "fine", "but", "is", "not", "awful", "i", "had", "it",
                                            "for", "a", "week", "."};
    auto snap = std::make_shared<AttentionSnapshot>(*namedSnapshot(words, {{"sentiment", {"neg", "pos"}},
                                                                           {"topic", {"a", "b"}},
                                                                           {"urgency", {"x", "y"}}}));
    snap->step = 300;
    AttentionSample &s = snap->samples[0];
    s.mask.assign(words.size(), 1);
    s.weights[0].assign(words.size(), 0.001f);
    s.weights[0][11] = 1.0f - 0.001f * float(words.size() - 1);
    std::vector<float> &map = s.selfAttention.maps[0];
    std::fill(map.begin(), map.end(), 0.01f);
    for (size_t i = 0; i < words.size(); ++i)
        map[i * words.size() + 11] = 0.81f;  // every query reads "not"
    s.thumbnails = s.selfAttention;
    return snap;
}

} // namespace

// B11 (accept23): at 1024 x 768 a 20-token review was labelled every other
// token though each upright label (a line of text across) fit its cell, and
// the dropped one was the cue word "not". Every label that fits is drawn;
// where they do not all fit, the most-attended token keeps its label, and no
// two labels are closer than a line.
void TestAttention::heatmapLabelsEveryTokenThatFits()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    for (const double z : {1.0, 1.5}) {  // the finding's 100 %, and a projector's 150 %
        applyZoom(z);
        TaskHeatmap heatmap;
        heatmap.setSnapshot(reviewSnapshot());
        heatmap.show();
        QVERIFY(QTest::qWaitForWindowExposed(&heatmap));
        const QFontMetrics metrics(heatmap.plot()->xAxis->tickLabelFont());
        const int line = metrics.height();
        // Sized so that a cell is `cellWidth` wide; returns the cells' width.
        const auto layOut = [&](int cellWidth) {
            int width = 600;
            for (int k = 0; k < 3; ++k) {
                heatmap.resize(width, 300);
                if (!QTest::qWaitFor([&] { return heatmap.plot()->width() == width; }))
                    return -1.0;
                QCoreApplication::processEvents();  // the redraw a resize asks for
                heatmap.plot()->replot(QCustomPlot::rpImmediateRefresh);
                width += 20 * cellWidth - heatmap.plot()->axisRect()->width();
            }
            return double(heatmap.plot()->axisRect()->width()) / 20;
        };
        // A cell a little wider than a line: all 20 fit.
        double closest = 0;
        double cell = layOut(line + 1);
        QVERIFY2(cell >= line && cell < 2 * line, qPrintable(QStringLiteral("cells %1 px, a line %2").arg(cell).arg(line)));
        std::vector<int> shown = labelledColumns(heatmap.plot(), &closest);
        QVERIFY2(shown.size() == 20, qPrintable(QStringLiteral("zoom %1: %2 of 20 labels on cells %3 px wide, a line %4 px")
                                                    .arg(z).arg(shown.size()).arg(cell).arg(line)));
        QCOMPARE(heatmap.plot()->xAxis->tickLabelRotation(), -90.0);

        // Narrower: thinned, "not" (the sentiment row's peak) labelled still.
        cell = layOut(line * 2 / 3);
        QVERIFY2(cell > 0 && cell < line, qPrintable(QStringLiteral("cells %1 px, a line %2").arg(cell).arg(line)));
        shown = labelledColumns(heatmap.plot(), &closest);
        QVERIFY2(std::find(shown.begin(), shown.end(), 11) != shown.end(),
                 qPrintable(QStringLiteral("zoom %1: %2 labels, not 'not'").arg(z).arg(shown.size())));
        QVERIFY2(shown.size() >= 6 && closest >= line,
                 qPrintable(QStringLiteral("%1 labels, %2 px apart at the closest, a line %3")
                                .arg(shown.size()).arg(closest).arg(line)));
    }
}

// B11's self-attention half: in the negation lesson at 150 % "not" was
// labelled on neither axis. Thinned labels keep the most-attended key.
void TestAttention::selfAttentionKeepsTheMostAttendedLabel()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.5);
    SelfAttentionView view;
    view.setSnapshot(reviewSnapshot());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.resize(545, 300);
    QTRY_COMPARE(view.size(), QSize(545, 300));
    QCoreApplication::processEvents();  // the redraw a resize asks for
    QCustomPlot *plot = view.plot();
    plot->replot(QCustomPlot::rpImmediateRefresh);
    const int line = QFontMetrics(plot->xAxis->tickLabelFont()).height();
    for (QCPAxis *axis : {plot->xAxis, plot->yAxis}) {
        const auto ticks = axis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
        QVERIFY2(ticks.size() < 20, qPrintable(QString::number(ticks.size())));  // thinned here
        QVERIFY2(ticks.contains(11) && ticks.value(11) == QStringLiteral("not"),
                 qPrintable(QStringList(ticks.values()).join(QLatin1Char(' '))));
        double previous = std::nan("");
        for (auto tick = ticks.cbegin(); tick != ticks.cend(); ++tick) {
            const double at = axis->coordToPixel(tick.key());
            QVERIFY2(!(std::abs(at - previous) < line), qPrintable(tick.value()));
            previous = at;
        }
    }
}

// B6 (accept23): the near-uniform note was cut in its middle, where its
// entropy is ("entropy …0"): it is cut at its tail, the number kept; the
// tooltip has the whole line.
void TestAttention::uniformNoteKeepsItsEntropy()
{
    AttentionSnapshot snapshot;
    snapshot.step = 500;
    snapshot.tasks = {{"t", {"a", "b"}}};
    for (int i = 0; i < 3; ++i) {
        AttentionSample sample;
        sample.probe = i;
        sample.tokens = {"w", "x", "y", "z"};
        sample.mask = {1, 1, 1, 1};
        sample.weights = {{0.25f, 0.25f, 0.25f, 0.25f}};
        sample.probs = {{0.5f, 0.5f}};
        sample.labels = {0};
        snapshot.samples.push_back(sample);
    }
    AttentionPanel panel;
    panel.setSnapshot(snapshot);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    auto *note = dynamic_cast<ElidedLabel *>(panel.findChild<QLabel *>(QStringLiteral("encoderNote")));
    QVERIFY(note && !note->isHidden());
    const QString line = panel.uniformNote();
    QVERIFY2(line.contains(QStringLiteral("(entropy 1.000)")), qPrintable(line));
    // Two thirds of the line's width: too narrow for all of it.
    const QMargins m = note->contentsMargins();
    note->setFixedWidth(note->fontMetrics().horizontalAdvance(line) * 2 / 3 + m.left() + m.right() + 2 * note->frameWidth());
    QTRY_VERIFY(note->width() < note->fontMetrics().horizontalAdvance(line));
    const QString shown = note->shownText();
    QVERIFY2(shown.contains(QStringLiteral("(entropy 1.000)")) && shown.endsWith(QChar(0x2026)) && shown != line,
             qPrintable(shown));
    QVERIFY(note->toolTip().contains(line));
}

// B16 (accept23): "Samples for one task" printed in its cells only the
// tokens of one character ("i", "."), which read as noise. A row prints
// all its tokens where each fits its cell, none where one does not (the
// hover names them), and the axis says so.
void TestAttention::probeRowsPrintWholeRowsOrNone()
{
    AttentionSnapshot snap;
    snap.step = 300;
    snap.tasks = {{"topic", {"a", "b"}}};
    const std::vector<std::vector<std::string>> rows = {
        {"i", "really", "disliked", "it", ".", "the", "battery", "died"},
        {"a", "b", "c", "d", "e", "f", "g", "h"},
        {"i", "returned", "it", ".", "awful", "screen", "and", "case"}};
    for (size_t r = 0; r < rows.size(); ++r) {
        AttentionSample s;
        s.probe = s.sampleIndex = int(r);
        s.tokens = rows[r];
        s.mask.assign(rows[r].size(), 1);
        s.weights = {std::vector<float>(rows[r].size(), 0.125f)};
        s.probs = {{0.5f, 0.5f}};
        s.labels = {0};
        snap.samples.push_back(s);
    }
    TaskHeatmap heatmap;
    heatmap.setLayout(TaskHeatmap::Layout::SamplesForTask);
    heatmap.setSnapshot(std::make_shared<const AttentionSnapshot>(snap));
    heatmap.resize(380, 300);
    heatmap.show();
    QVERIFY(QTest::qWaitForWindowExposed(&heatmap));
    QCoreApplication::processEvents();  // the redraw a resize asks for
    heatmap.plot()->replot(QCustomPlot::rpImmediateRefresh);
    const QFontMetrics metrics(heatmap.plot()->xAxis->tickLabelFont());
    const double cellWidth = double(heatmap.plot()->axisRect()->width()) / 8;
    QVERIFY2(metrics.horizontalAdvance(QStringLiteral("i")) + 4 <= cellWidth
                 && metrics.horizontalAdvance(QStringLiteral("disliked")) + 4 > cellWidth,
             qPrintable(QStringLiteral("cells %1 px wide").arg(cellWidth)));
    for (const int r : {0, 2})
        for (int c = 0; c < 8; ++c)
            QVERIFY2(heatmap.printedText(r, c).isEmpty(),
                     qPrintable(QStringLiteral("row %1 prints '%2' alone").arg(r).arg(heatmap.printedText(r, c))));
    for (int c = 0; c < 8; ++c)
        QCOMPARE(heatmap.printedText(1, c), heatmap.cellText(1, c));  // every token of the row fits
    QVERIFY2(heatmap.plot()->xAxis->label().contains(QStringLiteral("hover")),
             qPrintable(heatmap.plot()->xAxis->label()));
}

// B3 (accept23): at 1280 x 720 and 150 % the heatmap got its least height
// (200 px), the upright tokens ("eventually", a table's "temperature") took
// most of it, and the three task rows had 30 px: "sentiment", "topic" and
// "urgency" printed over each other. Each row keeps at least a line, and no
// two row names overlap, however short the view and long the tokens.
void TestAttention::heatmapRowsKeepALine()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.5);
    const std::vector<TaskInfo> tasks = {{"sentiment", {"neg", "pos"}}, {"topic", {"a", "b"}}, {"urgency", {"x", "y"}}};
    const std::vector<std::vector<std::string>> samples = {
        {"it", "was", "a", "gift", "eventually", "not", "awful", "screen", "really", "."},
        {"temperature", "humidity", "pressure", "vibration", "voltage", "current", "rpm", "noise_db", "light", "co2",
         "dust", "flow", "torque", "load", "battery", "signal"}};
    for (const auto &tokens : samples)
        for (const QSize size : {QSize(745, 200), QSize(560, 200), QSize(745, 260)}) {
            TaskHeatmap heatmap;
            heatmap.setSnapshot(namedSnapshot(tokens, tasks));
            heatmap.resize(size);
            heatmap.show();
            QVERIFY(QTest::qWaitForWindowExposed(&heatmap));
            QTRY_COMPARE(heatmap.size(), size);
            QCoreApplication::processEvents();  // the redraw a resize asks for
            QCustomPlot *plot = heatmap.plot();
            plot->replot(QCustomPlot::rpImmediateRefresh);
            const QFontMetrics metrics(plot->yAxis->tickLabelFont());
            const QString where = QStringLiteral("%1 tokens, %2x%3: ").arg(tokens.size()).arg(size.width()).arg(size.height());
            const double row = std::abs(plot->yAxis->coordToPixel(1) - plot->yAxis->coordToPixel(0));
            QVERIFY2(row >= metrics.height(),
                     qPrintable(where + QStringLiteral("rows %1 px, a line %2 px (cells %3 px high)")
                                            .arg(row).arg(metrics.height()).arg(plot->axisRect()->height())));
            const auto ticks = plot->yAxis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
            QVERIFY2(!ticks.isEmpty(), qPrintable(where + QStringLiteral("no row named")));
            QRectF previous;
            for (auto tick = ticks.cbegin(); tick != ticks.cend(); ++tick) {
                const double y = plot->yAxis->coordToPixel(tick.key());
                const QRectF label(0, y - metrics.height() / 2.0, metrics.horizontalAdvance(tick.value()), metrics.height());
                QVERIFY2(previous.isNull() || !label.intersects(previous),
                         qPrintable(where + QStringLiteral("'%1' at %2 over the row above (%3..%4)")
                                                .arg(tick.value()).arg(y).arg(previous.top()).arg(previous.bottom())));
                previous = label;
            }
            QCOMPARE(ticks.size(), 3);  // three rows of a line each: every one named
        }
    // Where there is room, no token is cut (the widest was, at its own width: "expect…").
    applyZoom(1.0);
    const std::vector<std::string> review = {"as", "expected", "fix", "it", "someday", "not", "great", "display", "i", "."};
    TaskHeatmap heatmap;
    heatmap.setSnapshot(namedSnapshot(review, tasks));
    heatmap.resize(515, 320);
    heatmap.show();
    QVERIFY(QTest::qWaitForWindowExposed(&heatmap));
    QTRY_COMPARE(heatmap.size(), QSize(515, 320));
    QCoreApplication::processEvents();  // the redraw a resize asks for
    heatmap.plot()->replot(QCustomPlot::rpImmediateRefresh);
    const auto ticks = heatmap.plot()->xAxis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
    for (auto tick = ticks.cbegin(); tick != ticks.cend(); ++tick)
        QCOMPARE(tick.value(), QString::fromStdString(review[size_t(tick.key())]));
}

// At 1024 x 768 and 150 % the self-attention view is about 515 x 290 px
// beside the Setup column, and its map was 157 x 170 px in a plot of 362 x
// 290: the axes' titles took a line on two of its sides. The map gets most
// of the plot, near square; on a small plot the note names the axes
// instead of their titles.
void TestAttention::selfAttentionMapUsesTheRoom()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.5);
    std::vector<std::string> tokens = {"as", "i", "expected", "it", "is", "not", "disappointing", "."};
    SelfAttentionView view;
    view.setSnapshot(namedSnapshot(tokens, {{"sentiment", {"neg", "pos"}}}));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    for (const QSize size : {QSize(515, 290), QSize(1100, 640)}) {
        view.resize(size);
        QTRY_COMPARE(view.size(), size);
        QCoreApplication::processEvents();  // the redraw a resize asks for
        QCustomPlot *plot = view.plot();
        plot->replot(QCustomPlot::rpImmediateRefresh);
        const QRect map = plot->axisRect()->rect();
        const QString what = QStringLiteral("%1x%2: a map of %3 x %4 in a plot of %5 x %6 (a line %7 px)")
                                 .arg(size.width()).arg(size.height()).arg(map.width()).arg(map.height())
                                 .arg(plot->width()).arg(plot->height())
                                 .arg(QFontMetrics(plot->xAxis->tickLabelFont()).height());
        qInfo("%s", qPrintable(what));
        // Two thirds of the plot's height (the side that bounds it) and
        // over half its width, no side more than 1.5 times the other.
        QVERIFY2(map.height() >= 0.65 * plot->height() && map.width() >= 0.5 * plot->width(), qPrintable(what));
        QVERIFY2(std::max(map.width(), map.height()) <= 1.5 * std::min(map.width(), map.height()), qPrintable(what));
        // Half the tokens labelled at least, on both axes.
        for (QCPAxis *axis : {plot->xAxis, plot->yAxis})
            QVERIFY2(2 * axis->ticker().dynamicCast<QCPAxisTickerText>()->ticks().size() >= int(tokens.size()), qPrintable(what));
        const bool small = size.width() < 600;
        QCOMPARE(plot->xAxis->label().isEmpty(), small);
        QCOMPARE(plot->yAxis->label().isEmpty(), small);
        bool named = false;
        for (const QLabel *label : view.findChildren<QLabel *>())
            named = named || label->text().startsWith(QStringLiteral("rows: query, columns: key"));
        QCOMPARE(named, small);
    }
}

// accept25 D14: on the sensors' air task at 150 % "Samples for one task"
// named 7 of 16 features, and "dust", the peak of two rows of three, had no
// name: "co2" beside it, the third row's brighter peak, kept its own. Where
// two rows' peaks are side by side, the one most rows look at is named.
void TestAttention::heatmapNamesTheColumnMostRowsLookAt()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.5);
    std::vector<std::string> features;
    for (int j = 0; j < 16; ++j)
        features.push_back("feature" + std::to_string(j));
    auto snap = std::make_shared<AttentionSnapshot>(*namedSnapshot(features, {{"air", {"good", "poor"}}}));
    snap->input = InputKind::Tabular;
    const std::vector<std::pair<int, float>> peaks = {{8, 0.95f}, {9, 0.45f}, {9, 0.6f}};  // co2, dust, dust
    const AttentionSample first = snap->samples[0];
    snap->samples.clear();
    for (size_t r = 0; r < peaks.size(); ++r) {
        AttentionSample s = first;
        s.sampleIndex = int(r) + 1;
        s.mask.assign(features.size(), 1);
        s.weights[0].assign(features.size(), (1.0f - peaks[r].second) / 15);
        s.weights[0][size_t(peaks[r].first)] = peaks[r].second;
        snap->samples.push_back(s);
    }
    TaskHeatmap heatmap;
    heatmap.setLayout(TaskHeatmap::Layout::SamplesForTask);
    heatmap.setTask(0);
    heatmap.setSnapshot(snap);
    heatmap.show();
    QVERIFY(QTest::qWaitForWindowExposed(&heatmap));
    const int line = QFontMetrics(heatmap.plot()->xAxis->tickLabelFont()).height();
    // Cells a little narrower than a line (20 px for 24 at 150 % in the finding): thinned to every other.
    int width = 600;
    for (int k = 0; k < 3; ++k) {
        heatmap.resize(width, 400);
        QTRY_COMPARE(heatmap.plot()->width(), width);
        QCoreApplication::processEvents();  // the redraw a resize asks for
        heatmap.plot()->replot(QCustomPlot::rpImmediateRefresh);
        width += 16 * line * 5 / 6 - heatmap.plot()->axisRect()->width();
    }
    double closest = 0;
    const std::vector<int> shown = labelledColumns(heatmap.plot(), &closest);
    const auto names = [&] {
        QStringList out;
        for (const int c : shown)
            out << QString::number(c);
        return out.join(QLatin1Char(' '));
    };
    QVERIFY2(shown.size() < 16 && closest >= line, qPrintable(names()));
    QVERIFY2(std::find(shown.begin(), shown.end(), 9) != shown.end(), qPrintable(names()));
}

// accept25 D10: in the negation lesson's step 3 at 150 % the self-attention
// map's rows were thinned and the sentiment word's row (the one the step asks
// about, bright on "not") had no name: the rows the tasks read keep theirs,
// the keys attended most keep theirs across.
void TestAttention::selfAttentionNamesTheRowTheTasksRead()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.5);
    auto snap = std::make_shared<AttentionSnapshot>(*reviewSnapshot());
    AttentionSample &s = snap->samples[0];
    // Sentiment reads "awful" (12), whose row is bright on "not" (11), as every row is.
    s.weights[0].assign(s.tokens.size(), 0.001f);
    s.weights[0][12] = 1.0f - 0.001f * float(s.tokens.size() - 1);
    SelfAttentionView view;
    view.setSnapshot(snap);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.resize(545, 300);
    QTRY_COMPARE(view.size(), QSize(545, 300));
    QCoreApplication::processEvents();  // the redraw a resize asks for
    QCustomPlot *plot = view.plot();
    plot->replot(QCustomPlot::rpImmediateRefresh);
    const auto rows = plot->yAxis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
    const auto keys = plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
    QVERIFY2(rows.size() < 20 && rows.value(12) == QStringLiteral("awful"),
             qPrintable(QStringList(rows.values()).join(QLatin1Char(' '))));
    QVERIFY2(keys.size() < 20 && keys.value(11) == QStringLiteral("not"),
             qPrintable(QStringList(keys.values()).join(QLatin1Char(' '))));
}

// accept25 D17: a file's heatmap read "attention · step 0 · sample #0",
// its self-attention "sample #0 · step 0": a file has no step.
void TestAttention::fileAttentionNamesNoStep()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bert.json"));
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(R"({"tokens": ["the", "screen", "broke"],
                  "attention": [[[[0.5, 0.25, 0.25], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8]]]],
                  "pooling": {"sentiment": [0.2, 0.3, 0.5]}})");
    out.close();
    AttentionFile file;
    std::string error;
    QVERIFY2(readAttentionFile(path.toStdString(), &file, &error), error.c_str());
    const auto snap = std::make_shared<const AttentionSnapshot>(fileSnapshot(std::move(file)));
    TaskHeatmap heatmap;
    heatmap.setSnapshot(snap);
    QVERIFY2(!heatmap.title().contains(QStringLiteral("step")), qPrintable(heatmap.title()));
    SelfAttentionView self;
    self.setSnapshot(snap);
    self.show();
    QVERIFY(QTest::qWaitForWindowExposed(&self));
    QStringList notes;
    for (const QLabel *label : self.findChildren<QLabel *>())
        if (label->text().contains(QStringLiteral("sample #0")))
            notes << label->text();
    QVERIFY(!notes.isEmpty());
    QVERIFY2(!notes.join(QLatin1Char('|')).contains(QStringLiteral("step")), qPrintable(notes.join(QLatin1Char('|'))));
}

// accept25 D17: the exported Over training figure kept the screen's cut
// title ("Faithfulness of attention …agreement and loss by step"): the
// picture has it whole. On screen (D11) it was cut in its middle, the
// score's name with it ("Faithfulness of attent…"), then at its tail: where
// it does not fit a line its short form is shown, wrapped into whole lines
// (historyTitleIsWholeOnAProjector), and the picture has each of them.
void TestAttention::exportedTitleIsWhole()
{
    HistoryView history;
    history.addSnapshot(*reviewSnapshot());
    history.resize(300, 400);
    history.show();
    QVERIFY(QTest::qWaitForWindowExposed(&history));
    const QString title = history.title();
    auto *label = history.findChild<ElidedLabel *>(QStringLiteral("viewTitle"));
    QVERIFY(label);
    QTRY_VERIFY(label->text().contains(QLatin1Char('\n')));  // wrapped on screen, nothing cut
    QCOMPARE(label->shownText(), label->text());
    QCOMPARE(label->toolTip(), title);
    QVERIFY2(label->shownText().startsWith(QStringLiteral("Faithfulness of attention")), qPrintable(label->shownText()));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("over-training.svg"));
    QString error;
    QVERIFY2(exportViewImage(&history, path, &error), qPrintable(error));
    QFile svg(path);
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(svg.readAll());
    for (const QString &line : label->text().split(QLatin1Char('\n')))
        QVERIFY2(text.contains(line.toHtmlEscaped()), qPrintable(line));
}

// Attention read from a file in the schema of `attnscope-cli attention` (it
// has no step) names none in any view: the Compare tab said "attention at
// step 0" (issue 14), as the heatmap did before (fileAttentionNamesNoStep);
// nor do the headings of the exported pictures, nor the picture itself. An
// earlier run's picture names the run and its step (it said "attention from
// run 1", no step).
void TestAttention::fileAttentionNamesNoStepInAnyView()
{
    const SnapshotPtr run = m_panel->timeline().latestPtr();  // the run's, for an earlier run's below
    const QString path = m_dir.filePath(QStringLiteral("cli-attention.json"));
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(QByteArray::fromStdString(snapshotJson(m_panel->shown())));  // the CLI's writer
    out.close();
    AttentionFile file;
    std::string error;
    QVERIFY2(readAttentionFile(path.toStdString(), &file, &error), error.c_str());
    m_panel->showFile(std::make_shared<const AttentionSnapshot>(fileSnapshot(std::move(file))),
                      QStringLiteral("cli-attention.json"));
    const auto back = qScopeGuard([this]() { m_panel->showLive(); });
    QVERIFY(m_panel->shown().fromFile);
    m_panel->setCompareTask(0);
    m_panel->setCurrentView(AttentionPanel::View::Compare);
    TextView *compare = m_panel->compareView();
    QVERIFY2(compare->title().contains(QStringLiteral("from a file")), qPrintable(compare->title()));
    QStringList lines{m_panel->heatmap()->title(), m_panel->textView()->title(), compare->title(),
                      m_panel->disagreementView()->title()};
    // The other scores' columns: none in a file (no model here to compute them), not "not computed yet".
    for (int c = 1; c < compare->columnCount(); ++c) {
        QVERIFY2(!compare->header(c).contains(QStringLiteral("not computed yet")), qPrintable(compare->header(c)));
        lines << compare->header(c);
    }
    using View = AttentionPanel::View;
    for (View v : {View::Heatmap, View::Text, View::SelfAttention, View::Disagreement, View::Compare})
        lines << m_panel->exportHeading(v);
    const QString all = lines.join(QLatin1Char('\n'));
    QVERIFY2(!all.contains(QStringLiteral("step")), qPrintable(all));
    // The picture: its heading and the view's own title, as drawn.
    const QString svgPath = m_dir.filePath(QStringLiteral("file-compare.svg"));
    QString exportError;
    QVERIFY2(m_panel->exportImage(View::Compare, svgPath, &exportError), qPrintable(exportError));
    QFile svg(svgPath);
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(svg.readAll());
    QVERIFY(text.contains(QStringLiteral("from a file")));
    QVERIFY2(!text.contains(QStringLiteral("step")), "the exported Compare picture names a step");
    // An earlier run's attention has its steps: the heading names the run and the step shown.
    m_panel->showRun({run}, QStringLiteral("run 1"));
    const QString heading = m_panel->exportHeading(View::Compare);
    QVERIFY2(heading.startsWith(QStringLiteral("run 1 · step %1 · ").arg(run->step)), qPrintable(heading));
}

// The legend under a column with rationales fits the column: Compare's five
// columns at 1024 x 768 (about 124 px each) cut "outlined: rationale" to
// "outlined: rationa" (the is-attention-explanation lesson, steps 1 and 2).
void TestAttention::rationaleLegendFitsTheColumn()
{
    const TextView *compare = m_panel->compareView();
    const QFontMetrics fm(labelFont(compare->font()));
    const QString whole = QStringLiteral("outlined: rationale");
    QCOMPARE(compare->rationaleLegend(fm.horizontalAdvance(whole) + 10), whole);
    // Narrower than the words: "rationale" after an outlined box, within the width.
    for (int width : {90, 100, fm.horizontalAdvance(whole) - 1}) {
        const QString legend = compare->rationaleLegend(width);
        const int used = fm.horizontalAdvance(legend) + compare->legendBoxWidth();
        QVERIFY2(legend.startsWith(QStringLiteral("ration")) && used <= width,
                 qPrintable(QStringLiteral("%1 px: \"%2\" takes %3").arg(width).arg(legend).arg(used)));
    }
}

// The negation lesson's step 3 at 1024 x 768 and 150 % (the Self-attention
// view about 510 x 295): the note beside the map, "rows: query, columns:
// key (attended to) · sample #3 · step 500", was cut after "(attended", the
// thumbnails above it keeping room they did not draw in. It is whole.
void TestAttention::selfAttentionNoteIsWhole()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.5);
    auto snap = std::make_shared<AttentionSnapshot>(
        *namedSnapshot({"as", "expected", "fix", "it", "someday", "not", "great", "display", "i", "."},
                       {{"sentiment", {"negative", "positive"}}}));
    snap->step = 500;
    snap->samples[0].sampleIndex = 3;
    SelfAttentionView view;
    view.setSnapshot(snap);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    for (const QSize size : {QSize(510, 295), QSize(545, 300), QSize(480, 260)}) {
        view.resize(size);
        QTRY_COMPARE(view.size(), size);
        QCoreApplication::processEvents();  // the layout a resize asks for
        QCoreApplication::processEvents();
        const QLabel *note = nullptr;
        for (const QLabel *label : view.findChildren<QLabel *>())
            if (label->text().startsWith(QStringLiteral("rows: query")))
                note = label;
        QVERIFY(note && note->isVisible());
        QVERIFY(note->text().endsWith(QStringLiteral("sample #3 · step 500")));
        const QRect room = note->contentsRect();
        const QRect need = note->fontMetrics().boundingRect(QRect(0, 0, room.width(), 100000),
                                                            Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, note->text());
        QVERIFY2(need.height() <= room.height() && need.width() <= room.width(),
                 qPrintable(QStringLiteral("%1 x %2: the note needs %3 x %4, has %5 x %6")
                                .arg(size.width()).arg(size.height()).arg(need.width()).arg(need.height())
                                .arg(room.width()).arg(room.height())));
    }
}

// accept25 D11: the is-attention-explanation lesson's step 3 at 1024 x 768
// and 150 % (Over training about 630 x 375) drew three plots of about 110
// x 130 px and one score, while the step asks to compare attention with
// rollout. With a compared score (the step's "compare_score") the view
// draws the two scores' faithfulness side by side, and only them, each
// plot large enough to read.
void TestAttention::historyComparesTwoScoresOnAProjector()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.5);
    HistoryView history;
    for (const int64_t step : {100, 200, 300, 400, 500})
        history.addSnapshot(explainedSnapshot(step));
    history.resize(630, 375);
    history.show();
    QVERIFY(QTest::qWaitForWindowExposed(&history));
    QCustomPlot *plot = history.plot();
    const auto settle = [&] {
        QCoreApplication::processEvents();  // the redraw a resize asks for
        QCoreApplication::processEvents();
        plot->replot(QCustomPlot::rpImmediateRefresh);
    };
    settle();
    const QRect alone = history.faithfulnessRect()->rect();
    qInfo("every plot: faithfulness %d x %d", alone.width(), alone.height());
    QVERIFY(!history.comparedRect());

    history.setComparedScore(Method::Rollout);
    settle();
    QVERIFY2(history.title().startsWith(QStringLiteral("Faithfulness of attention and of rollout")),
             qPrintable(history.title()));
    QCPAxisRect *left = history.faithfulnessRect(), *right = history.comparedRect();
    QVERIFY(left && right && left->visible() && right->visible());
    int shown = 0;
    for (const QCPAxisRect *rect : plot->axisRects())
        shown += rect->visible();
    QCOMPARE(shown, 2);
    for (const QCPAxisRect *rect : {left, right}) {
        const QRect r = rect->rect();
        qInfo("compared: %s %d x %d", qPrintable(rect->axis(QCPAxis::atLeft)->label()), r.width(), r.height());
        QVERIFY2(r.width() >= 200 && r.height() >= 150,
                 qPrintable(QStringLiteral("%1: %2 x %3").arg(rect->axis(QCPAxis::atLeft)->label()).arg(r.width()).arg(r.height())));
        QVERIFY(!r.intersects(rect == left ? right->rect() : left->rect()));
        int points = 0;
        for (const QCPGraph *graph : rect->graphs())
            points += graph->data()->size();
        QVERIFY2(points >= 5, qPrintable(rect->axis(QCPAxis::atLeft)->label()));
    }
    QCOMPARE(left->axis(QCPAxis::atLeft)->label(), QStringLiteral("attention"));
    QCOMPARE(right->axis(QCPAxis::atLeft)->label(), QStringLiteral("rollout"));
    QVERIFY(!history.findChild<QScrollArea *>()->verticalScrollBar()->isVisible());

    history.setComparedScore(std::nullopt);  // every plot again
    settle();
    QVERIFY(!history.comparedRect());
    QVERIFY(history.faithfulnessRect()->rect().height() <= alone.height() + 1);
}

// Over training's step axes tick at round steps: two plots side by side at
// 1024 x 768 and 150 % read "0" and "450" under a 500-step run, the curves
// going on past the last number (accept27 F6).
void TestAttention::historyStepTicksAreRound()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.5);
    HistoryView history;
    for (const int64_t step : {0, 50, 100, 150, 200, 250, 300, 350, 400, 450, 500})
        history.addSnapshot(explainedSnapshot(step));
    history.resize(630, 375);
    history.show();
    QVERIFY(QTest::qWaitForWindowExposed(&history));
    QCustomPlot *plot = history.plot();
    for (const bool compared : {true, false}) {
        history.setComparedScore(compared ? std::optional<Method>(Method::Rollout) : std::nullopt);
        QCoreApplication::processEvents();  // the redraw a resize asks for
        QCoreApplication::processEvents();
        plot->replot(QCustomPlot::rpImmediateRefresh);
        for (const QCPAxisRect *rect : plot->axisRects()) {
            if (!rect->visible())
                continue;
            const QCPAxis *axis = rect->axis(QCPAxis::atBottom);
            const QVector<double> ticks = axis->tickVector();
            QVERIFY2(ticks.size() >= 2, qPrintable(rect->axis(QCPAxis::atLeft)->label()));
            const double step = ticks[1] - ticks[0];
            const double magnitude = std::pow(10.0, std::floor(std::log10(step)));
            const double mantissa = step / magnitude;
            bool round = false;
            for (const double r : {1.0, 2.0, 2.5, 5.0, 10.0})
                round = round || std::abs(mantissa - r) < 1e-9;
            QVERIFY2(round && axis->range().upper - ticks.last() < step,
                     qPrintable(QStringLiteral("%1: ticks %2 to %3 a step of %4 apart on %5 to %6")
                                    .arg(rect->axis(QCPAxis::atLeft)->label()).arg(ticks.first()).arg(ticks.last())
                                    .arg(step).arg(axis->range().lower).arg(axis->range().upper)));
        }
    }
}

namespace {

// The plot's token labels drawn again over the axis's plain ones as an
// unknown word's mark (unknownmark.h): italic text items, by their text.
QStringList italicLabels(QCustomPlot *plot)
{
    QStringList texts;
    for (int i = 0; i < plot->itemCount(); ++i)
        if (auto *text = qobject_cast<QCPItemText *>(plot->item(i)); text && text->visible() && text->font().italic())
            texts << text->text();
    return texts;
}

// The hatched rectangles of the plot (a pattern brush): their x spans in plot coordinates.
std::vector<std::pair<double, double>> hatchedSpans(QCustomPlot *plot)
{
    std::vector<std::pair<double, double>> spans;
    for (int i = 0; i < plot->itemCount(); ++i)
        if (auto *rect = qobject_cast<QCPItemRect *>(plot->item(i));
            rect && rect->brush().style() >= Qt::HorPattern && rect->brush().style() <= Qt::DiagCrossPattern)
            spans.emplace_back(rect->topLeft->coords().x(), rect->bottomRight->coords().x());
    return spans;
}

} // namespace

// E4 (accept26): at 1024 x 768 and 150 % a column label cut to its cells'
// room lost the <unk> mark first ("definiti…" for "definitive <unk>"): the
// mark was a text suffix. It costs no text now: the cut label is drawn in
// italic and colour over the plain one, the column hatched, a legend beside
// the title; the rows keep their line (an earlier attempt shrank them).
void TestAttention::unknownWordMarkSurvivesACutLabel()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.5);
    const std::vector<std::string> words = {"conforming", "to", "definitive", "criteria", "and", "standards"};
    auto snap = std::make_shared<AttentionSnapshot>(*namedSnapshot(words, {{"pos", {"a", "b"}}, {"lexfile", {"x", "y"}}}));
    AttentionSample &s = snap->samples[0];
    s.mask.assign(words.size(), 1);
    s.unknown = {0, 0, 1, 1, 0, 0};
    TaskHeatmap heatmap;
    heatmap.setSnapshot(snap);
    heatmap.resize(560, 200);  // two rows under the labels, as in the finding: the labels are cut
    heatmap.show();
    QVERIFY(QTest::qWaitForWindowExposed(&heatmap));
    QTRY_COMPARE(heatmap.plot()->width(), 560);
    QCoreApplication::processEvents();  // the redraw a resize asks for
    QCoreApplication::processEvents();
    heatmap.plot()->replot(QCustomPlot::rpImmediateRefresh);
    const auto ticks = heatmap.plot()->xAxis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
    const QStringList marked = italicLabels(heatmap.plot());
    const auto spans = hatchedSpans(heatmap.plot());
    QStringList all;
    for (auto tick = ticks.cbegin(); tick != ticks.cend(); ++tick)
        all << tick.value();
    const QString said = all.join(QStringLiteral(" | ")) + QStringLiteral(" / marked: ") + marked.join(QStringLiteral(" | "));
    QVERIFY2(ticks.contains(2) && ticks.contains(3), qPrintable(said));
    QVERIFY2(ticks.value(2).contains(QChar(0x2026)) || ticks.value(3).contains(QChar(0x2026)),
             qPrintable(QStringLiteral("nothing cut: ") + said));
    for (auto tick = ticks.cbegin(); tick != ticks.cend(); ++tick) {
        const int c = int(tick.key());
        QVERIFY2(!tick.value().contains(QStringLiteral("<unk>")), qPrintable(said));  // no text spent on it
        QCOMPARE(marked.count(tick.value()) > 0, bool(s.unknown[size_t(c)]));
        const bool hatched = std::any_of(spans.begin(), spans.end(), [c](const auto &x) {
            return std::abs(x.first - (c - 0.5)) < 1e-9 && std::abs(x.second - (c + 0.5)) < 1e-9;
        });
        QCOMPARE(hatched, bool(s.unknown[size_t(c)]));
    }
    auto *legend = heatmap.findChild<QLabel *>(QStringLiteral("unknownLegend"));
    QVERIFY(legend && legend->isVisible() && legend->text().contains(QStringLiteral("unknown word")));
    // The rows keep a line each.
    const QFontMetrics metrics(heatmap.plot()->yAxis->tickLabelFont());
    QVERIFY2(heatmap.plot()->axisRect()->height() / 2 >= metrics.height(),
             qPrintable(QStringLiteral("rows of %1 px").arg(heatmap.plot()->axisRect()->height() / 2)));
    // No unknown word, no mark and no legend.
    s.unknown.assign(words.size(), 0);
    heatmap.setSnapshot(snap);
    heatmap.plot()->replot(QCustomPlot::rpImmediateRefresh);
    QVERIFY(italicLabels(heatmap.plot()).isEmpty() && hatchedSpans(heatmap.plot()).empty());
    QVERIFY(!legend->isVisible());
}

// The same mark on the self-attention map, both axes, at a projector's
// size: the unknown word's row and column hatched, its labels in italic.
void TestAttention::selfAttentionMarksUnknownWords()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.5);
    const std::vector<std::string> words = {"conforming", "to", "definitive", "criteria", "and", "standards"};
    auto snap = std::make_shared<AttentionSnapshot>(*namedSnapshot(words, {{"pos", {"a", "b"}}}));
    snap->samples[0].mask.assign(words.size(), 1);
    snap->samples[0].unknown = {0, 0, 1, 0, 0, 0};
    SelfAttentionView view;
    view.resize(545, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setSnapshot(snap);
    QCoreApplication::processEvents();
    QCoreApplication::processEvents();
    view.plot()->replot(QCustomPlot::rpImmediateRefresh);
    const QStringList marked = italicLabels(view.plot());
    for (QCPAxis *axis : {view.plot()->xAxis, view.plot()->yAxis}) {
        const auto ticks = axis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
        for (auto tick = ticks.cbegin(); tick != ticks.cend(); ++tick)
            QVERIFY2(!tick.value().contains(QStringLiteral("<unk>")), qPrintable(tick.value()));
        if (ticks.contains(2))
            QVERIFY2(marked.contains(ticks.value(2)), qPrintable(marked.join(QStringLiteral(" | "))));
    }
    QCOMPARE(int(hatchedSpans(view.plot()).size()), 2);  // its column and its row
    auto *legend = view.findChild<QLabel *>(QStringLiteral("unknownLegend"));
    QVERIFY(legend && legend->isVisible());
}

// The text view draws an unknown word as the word, outlined in the mark's
// colour (no " <unk>" to cut in a narrow column), the legend under the title.
void TestAttention::textViewMarksUnknownWords()
{
    auto snap = std::make_shared<AttentionSnapshot>(*namedSnapshot({"the", "qqzxv", "screen"}, {{"pos", {"a", "b"}}}));
    snap->samples[0].mask.assign(3, 1);
    snap->samples[0].unknown = {0, 1, 0};
    TextView view;
    view.setSnapshot(snap);
    view.resize(500, view.heightForWidth(500));
    const QColor mark = unknownColor(view.palette());
    const auto markPixels = [&] {
        const QImage image = view.grab().toImage();
        int n = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x) {
                const QColor c = image.pixelColor(x, y);
                n += std::abs(c.red() - mark.red()) + std::abs(c.green() - mark.green()) + std::abs(c.blue() - mark.blue()) < 30;
            }
        return n;
    };
    QVERIFY2(markPixels() > 40, qPrintable(QString::number(markPixels())));
    snap->samples[0].unknown = {0, 0, 0};
    view.setSnapshot(snap);
    QCOMPARE(markPixels(), 0);
}

// The Compare tab's title ("sample #3 · sentiment (gold … · predicted …) ·
// the five scores · attention at step …, the others … · each column its own
// scale") was cut after the task at 1024 x 768, at 100 % and 150 %: it
// wraps, whole, and the columns start below it.
void TestAttention::compareTitleIsWhole()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    for (const double z : {1.0, 1.5}) {
        applyZoom(z);
        TextView view;
        view.setCompareTask(0);
        view.setSnapshot(reviewSnapshot());
        const int width = 520;  // the Compare tab's at 1024 x 768
        view.resize(width, view.heightForWidth(width));
        const QString title = view.title();
        QVERIFY2(title.contains(QStringLiteral("each column its own scale")), qPrintable(title));
        const QFontMetrics metrics(labelFont(view.font()));
        const int needed = metrics.boundingRect(QRect(0, 0, width - 24, 100000), Qt::TextWordWrap, title).height();
        QVERIFY2(needed > metrics.height(), "the title fits one line: the test shows nothing");
        // The columns start under the title: the first one's bar in the task's colour.
        const QImage image = view.grab().toImage();
        int bar = -1;
        for (int y = 0; y < image.height() && bar < 0; ++y)
            if (image.pixelColor(14, y) == taskColor(0))
                bar = y;
        QVERIFY(bar > 0);
        QVERIFY2(bar - 12 - 8 >= needed,
                 qPrintable(QStringLiteral("zoom %1: %2 px above the columns for a title of %3").arg(z).arg(bar - 20).arg(needed)));
    }
}

// Over training's title at 1024 x 768 and 150 % was one line cut at its
// tail ("Faithfulness of attention and of rollout (last e…"): nothing is
// cut now (the short form where the whole does not fit, wrapped where that
// does not either), and the whole title is the tooltip.
void TestAttention::historyTitleIsWholeOnAProjector()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.5);
    HistoryView history;
    for (const int64_t step : {100, 200, 300})
        history.addSnapshot(explainedSnapshot(step));
    history.resize(525, 375);  // the view at 1024 x 768 and 150 %
    history.show();
    QVERIFY(QTest::qWaitForWindowExposed(&history));
    auto *label = history.findChild<ElidedLabel *>(QStringLiteral("viewTitle"));
    QVERIFY(label);
    for (const std::optional<Method> compared : {std::optional<Method>(Method::Rollout), std::optional<Method>()}) {
        history.setComparedScore(compared);
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
        const QString title = history.title();
        QTRY_COMPARE(label->toolTip(), title);
        QVERIFY2(!label->shownText().contains(QChar(0x2026)), qPrintable(label->shownText()));
        QCOMPARE(label->shownText(), label->text());
        QVERIFY2(label->text().startsWith(QStringLiteral("Faithfulness of attention")), qPrintable(label->text()));
        if (compared)  // a line: the plots keep their height
            QVERIFY2(!label->text().contains(QLatin1Char('\n')), qPrintable(label->text()));
    }
}

// Attention from a file has no gold label: the text and Compare views said
// "gold –" (a dash read as a missing value); they say nothing of gold.
void TestAttention::noGoldLabelSaysNothingOfGold()
{
    auto snap = std::make_shared<AttentionSnapshot>(*namedSnapshot({"not", "good"}, {{"sentiment", {"neg", "pos"}}}));
    snap->fromFile = true;
    snap->samples[0].labels.clear();
    TextView text;
    text.setSnapshot(snap);
    QCOMPARE(text.header(0), QStringLiteral("predicted neg (0.70)"));
    TextView compare;
    compare.setCompareTask(0);
    compare.setSnapshot(snap);
    QVERIFY2(!compare.title().contains(QStringLiteral("gold")), qPrintable(compare.title()));
    // A label given is said as before.
    snap->samples[0].labels = {1};
    text.setSnapshot(snap);
    QCOMPARE(text.header(0), QStringLiteral("gold pos · predicted neg (0.70) ✗"));
}

// At 1024 x 768 and 150 % the negation lesson's self-attention map (one
// layer, 9 tokens) had rows of 22 px under keys' labels cut to a quarter of
// the plot, a line 23 px: 4 of its 9 rows were labelled. The labels are cut
// shorter where that gives every row its line; each cell's hover names its
// query and key where they still do not fit.
void TestAttention::selfAttentionLabelsEveryRowThatFits()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    const std::vector<std::string> words = {"as", "it", "is", "the", "displaying", "is", "not", "greatest", "."};
    for (const double z : {1.0, 1.5}) {
        applyZoom(z);
        // Heights where the rows fit once the keys' labels are cut shorter (measured).
        for (const int height : z == 1.0 ? std::vector<int>{240, 270} : std::vector<int>{330, 360}) {
            SelfAttentionView view;
            view.resize(545, height);
            view.show();
            QVERIFY(QTest::qWaitForWindowExposed(&view));
            view.setSnapshot(namedSnapshot(words, {{"sentiment", {"neg", "pos"}}}));
            QCoreApplication::processEvents();  // the redraw a resize asks for
            QCoreApplication::processEvents();
            QCustomPlot *plot = view.plot();
            plot->replot(QCustomPlot::rpImmediateRefresh);
            const QFontMetrics metrics(plot->yAxis->tickLabelFont());
            const auto rows = plot->yAxis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
            const QString said = QStringLiteral("zoom %1, %2 px: a map %3 px high, %4 of %5 rows labelled, a line %6 px")
                                     .arg(z).arg(height).arg(plot->axisRect()->height()).arg(rows.size())
                                     .arg(words.size()).arg(metrics.height());
            QVERIFY2(rows.size() == int(words.size()), qPrintable(said));
            QVERIFY2(plot->axisRect()->height() >= int(words.size()) * metrics.height(), qPrintable(said));
        }
    }
}

// The disagreement view at 1024 x 768 and 150 % (seen on the way to E4):
// upright whole words ("melodramatic", "unremarkable") took the plot's
// height, the bars a few pixels. The labels are cut to a quarter of it.
void TestAttention::disagreementLabelsLeaveThePlotRoom()
{
    const double zoom = currentZoom();
    const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
    applyZoom(1.5);
    const std::vector<std::string> words = {"poor", "melodramatic", "unremarkable", "and", "music", "acting"};
    DisagreementView view;
    view.resize(525, 290);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setSnapshot(namedSnapshot(words, {{"sentiment", {"neg", "pos"}}, {"topic", {"a", "b"}}}));
    QCoreApplication::processEvents();  // the redraw a resize asks for
    QCoreApplication::processEvents();
    QCustomPlot *plot = view.plot();
    plot->replot(QCustomPlot::rpImmediateRefresh);
    const QFontMetrics metrics(plot->xAxis->tickLabelFont());
    const auto ticks = plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
    QVERIFY(!ticks.isEmpty());
    for (const QString &label : ticks)
        QVERIFY2(metrics.horizontalAdvance(label) <= std::max(metrics.horizontalAdvance(QStringLiteral("wwww")), plot->height() / 4),
                 qPrintable(label));
    QVERIFY2(plot->axisRect()->height() >= 2 * metrics.height(),
             qPrintable(QStringLiteral("bars %1 px high").arg(plot->axisRect()->height())));
}

QTEST_MAIN(TestAttention)
#include "test_attention.moc"
