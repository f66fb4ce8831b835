// The window keeps every run: the Runs tab lists them (the current one in
// bold) with their settings and figures, sorts by a column, renames, hides
// and deletes (with undo), highlights the settings that differ from the
// selected run and colours the figures against the reference run; the plot
// draws the shown earlier runs over the current one in line styles of their
// own, with a legend entry each; File > Open Session brings a file's runs
// in; Training > Compare trains the four modes from the same start, and
// Side by side shows one sample through them; a recovery file survives a
// killed window. Fork… starts a child run from a checkpoint; selecting an
// earlier run shows its attention timeline; the session keeps the layout.
#include "appenvironment.h"
#include "appearance.h"
#include "attention/attentionpanel.h"
#include "attention/taskheatmap.h"
#include "confusionpanel.h"
#include "lossplot.h"
#include "mainwindow.h"
#include "runplan.h"
#include "runspanel.h"
#include "runstesting.h"
#include "session.h"
#include "sessionfile.h"
#include "sessionwriter.h"
#include "sidebyside.h"
#include "trainingpanel.h"
#include "zoomactions.h"

#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMimeData>
#include <QUrl>
#include <QMessageBox>
#include <QPushButton>
#include <QFile>
#include <QPointer>
#include <QScrollBar>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include <qcustomplot.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <tuple>

using namespace attnscope;
using State = TrainingWorker::State;

namespace {

// Steps the current run `count` times, waiting for each.
bool step(MainWindow &window, int count)
{
    return stepWindow(window, count);
}

QStringList names(const QTreeWidget *table)
{
    QStringList out;
    for (int i = 0; i < table->topLevelItemCount(); ++i)
        out << table->topLevelItem(i)->text(RunsPanel::Name);
    return out;
}

// The Confusion tab's cell (gold g, predicted p) as it reads.
QString cellText(const ConfusionPanel *panel, int g, int p)
{
    return panel->matrix()->model()->index(g, p).data().toString();
}

// The names in the plot's legend, in order.
QStringList legend(QCustomPlot *plot)
{
    QStringList out;
    for (int i = 0; i < plot->legend->itemCount(); ++i)
        if (auto *item = qobject_cast<QCPPlottableLegendItem *>(plot->legend->item(i)))
            out << item->plottable()->name();
    return out;
}

} // namespace

class TestRuns : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QStandardPaths::setTestModeEnabled(true);
    }

    void listsAndOverlaysEveryRun()
    {
        MainWindow window;
        window.resize(1400, 860);
        window.show();
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QTRY_VERIFY(window.startAction()->isEnabled());
        QTreeWidget *table = window.runs()->table();
        QCOMPARE(table->topLevelItemCount(), 1);  // the current run, not trained yet
        const QString first = window.session()->currentRun()->name();
        QVERIFY(step(window, 12));
        window.resetAction()->trigger();
        QTRY_COMPARE(table->topLevelItemCount(), 2);
        QTRY_VERIFY(window.training()->currentStep() == 0 && window.training()->state() == State::Ready);
        QVERIFY(step(window, 5));
        QTRY_VERIFY(table->topLevelItem(1)->text(RunsPanel::Steps) == QLatin1String("5"));

        // Sorted by the order they began in: the kept run, then the current one (bold).
        QCOMPARE(names(table), (QStringList{first, window.session()->currentRun()->name()}));
        QTreeWidgetItem *kept = table->topLevelItem(0), *current = table->topLevelItem(1);
        QVERIFY(current->font(RunsPanel::Name).bold() && !kept->font(RunsPanel::Name).bold());
        QCOMPARE(kept->text(RunsPanel::Steps), QStringLiteral("12"));
        QCOMPARE(kept->text(RunsPanel::Mode), QStringLiteral("task"));
        QCOMPARE(kept->text(RunsPanel::Layers), QStringLiteral("0"));
        QCOMPARE(kept->text(RunsPanel::Dataset), QStringLiteral("builtin:reviews?n=200"));
        // 160 training samples in batches of 32: evaluated after step 5 and 10.
        QVERIFY2(kept->text(RunsPanel::LastAccuracy).contains(QStringLiteral("sentiment 0.")),
                 qPrintable(kept->text(RunsPanel::LastAccuracy)));
        QVERIFY(kept->text(RunsPanel::BestLoss) != QLatin1String("–"));
        // Sorting by steps, descending: the kept run (12) first.
        table->sortByColumn(RunsPanel::Steps, Qt::DescendingOrder);
        QCOMPARE(table->topLevelItem(0)->text(RunsPanel::Steps), QStringLiteral("12"));
        table->sortByColumn(RunsPanel::Steps, Qt::AscendingOrder);
        QCOMPARE(table->topLevelItem(0)->text(RunsPanel::Steps), QStringLiteral("5"));

        // The plot overlays the kept run, dotted, and names both runs.
        LossPlot *plot = window.curves();
        QCOMPARE(plot->overlayCount(), 1);
        plot->redraw();
        QCPGraph *overlay = plot->overlayGraph(0, 1);  // task 0 of the kept run
        QVERIFY(overlay && overlay->visible());
        QCOMPARE(overlay->pen().dashPattern(), QPen(Qt::DotLine).dashPattern());
        QCOMPARE(overlay->pen().color(), plot->graph(LossPlot::Curve::Smoothed, 1)->pen().color());
        QCOMPARE(overlay->data()->size(), 12);
        // Training the current run fills its row again, the overlays stay as
        // they are (they were all made again four times a second).
        const QPointer<QCPGraph> same(overlay);
        QVERIFY(step(window, 1));
        QTRY_COMPARE(window.runs()->row(window.session()->currentRun()->id())->text(RunsPanel::Steps), QStringLiteral("6"));
        QVERIFY(same);
        QCOMPARE(plot->overlayGraph(0, 1), overlay);
        const QStringList entries = legend(plot->plot());
        QVERIFY2(entries.contains(first) && entries.contains(window.session()->currentRun()->name()),
                 qPrintable(entries.join(QStringLiteral(", "))));

        // Unchecked: hidden from the plot; renamed in place; deleted.
        QTreeWidgetItem *row = window.runs()->row(window.session()->keptRuns()[0]->id);
        row->setCheckState(RunsPanel::Name, Qt::Unchecked);
        QTRY_COMPARE(plot->overlayCount(), 0);
        QVERIFY(!window.session()->keptRuns()[0]->shown);
        window.runs()->row(window.session()->keptRuns()[0]->id)->setText(RunsPanel::Name, QStringLiteral("baseline"));
        QTRY_COMPARE(window.session()->keptRuns()[0]->name, QStringLiteral("baseline"));
        table->setCurrentItem(window.runs()->row(window.session()->keptRuns()[0]->id));
        window.session()->deleteRun(window.session()->keptRuns()[0]->id);
        QCOMPARE(table->topLevelItemCount(), 1);
    }

    // --session: a file written elsewhere (the CLI) opens with its runs overlaid.
    void opensASession()
    {
        const QString file = m_dir.filePath(QStringLiteral("cli.attnscope"));
        QVERIFY(writeRunsSession(file, QStringLiteral("builtin:reviews?n=200"), {"task", "shared", "gated"}));
        MainWindow window;
        QVERIFY(window.openSession(file));
        QCOMPARE(window.windowTitle(), QStringLiteral("cli.attnscope — AttnScope"));
        QCOMPARE(names(window.runs()->table()).mid(0, 3), (QStringList{"task", "shared", "gated"}));
        QCOMPARE(window.curves()->overlayCount(), 3);
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        window.curves()->redraw();
        QCPGraph *gated = window.curves()->overlayGraph(2, 1);
        QVERIFY(gated && gated->data()->size() == 50);
        QCOMPARE(gated->pen().dashPattern(), LossPlot::overlayLook(2).dashes);
    }

    // A run keeps its line through deleting and undoing another (accept23
    // B12: by place in the list, the runs after a deleted one took the next
    // run's style); the Runs tab's Line column says the same as the plot.
    void runsKeepTheirLines()
    {
        const QString file = m_dir.filePath(QStringLiteral("looks.attnscope"));
        QVERIFY(writeRunsSession(file, QStringLiteral("builtin:reviews?n=200"), {"task", "shared", "gated"}));
        MainWindow window;
        QVERIFY(window.openSession(file));
        LossPlot *plot = window.curves();
        QCOMPARE(plot->overlayCount(), 3);
        const int gated = window.session()->keptRuns()[2]->id;
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));  // the tasks the overlays draw (their data)
        const auto look = [&window](int id) {
            return window.runs()->row(id)->data(RunsPanel::Line, RunsPanel::LookRole).toInt();
        };
        const auto dashes = [plot](int overlay) {
            plot->redraw();
            const QCPGraph *graph = plot->overlayGraph(overlay, 1);
            return graph ? graph->pen().dashPattern() : QVector<qreal>{-1};
        };
        QCOMPARE(look(gated), 2);
        QCOMPARE(dashes(2), LossPlot::overlayLook(2).dashes);
        window.session()->deleteRun(window.session()->keptRuns()[1]->id);
        QTRY_COMPARE(plot->overlayCount(), 2);
        QCOMPARE(look(gated), 2);
        QCOMPARE(dashes(1), LossPlot::overlayLook(2).dashes);
        QCOMPARE(dashes(0), LossPlot::overlayLook(0).dashes);
        QVERIFY(window.session()->undoDelete());
        QTRY_COMPARE(plot->overlayCount(), 3);
        QCOMPARE(look(gated), 2);
        QCOMPARE(look(window.session()->keptRuns()[1]->id), 1);
        QCOMPARE(dashes(1), LossPlot::overlayLook(1).dashes);
        QCOMPARE(dashes(2), LossPlot::overlayLook(2).dashes);
    }

    // An exported plot's heading names the runs it shows and their last step,
    // not the current run, empty at step 0 (accept23 B13).
    void exportedPlotNamesTheShownRuns()
    {
        const QString file = m_dir.filePath(QStringLiteral("heading.attnscope"));
        QVERIFY(writeRunsSession(file, QStringLiteral("builtin:reviews"), {"task", "shared", "gated"}));
        MainWindow window;
        QVERIFY(window.openSession(file));
        QCOMPARE(window.curves()->overlayCount(), 3);
        const QString svg = m_dir.filePath(QStringLiteral("heading.svg"));
        QVERIFY2(window.exportPlot(svg), qPrintable(window.lastError()));
        QFile in(svg);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(in.readAll());
        const qint64 last = qint64(window.session()->keptRuns()[0]->history.steps().back());
        QVERIFY2(text.contains(QStringLiteral("task, shared, gated · step %1").arg(last)),
                 qPrintable(QStringLiteral("no heading of the runs at step %1").arg(last)));
        QVERIFY(!text.contains(window.session()->currentRun()->name() + QStringLiteral(" · step 0")));
    }

    // Tabular data: the list of misses shows each row's features where the
    // text is (the "Text" column was blank for builtin:sensors, accept23 B18).
    void confusionListsTabularFeatures()
    {
        MainWindow window;
        window.resize(1400, 860);
        window.show();
        QVERIFY(window.openDataset(QStringLiteral("builtin:sensors?n=200")));
        QTRY_VERIFY(window.startAction()->isEnabled());
        ConfusionPanel *panel = window.confusion();
        window.views()->setCurrentWidget(panel);
        QVERIFY(step(window, 5));  // 160 training samples in batches of 32: evaluated after step 5
        QTRY_COMPARE(panel->evaluationBox()->count(), 2);
        QTRY_VERIFY(panel->misses()->topLevelItemCount() > 0);
        QCOMPARE(panel->misses()->headerItem()->text(3), QStringLiteral("Features"));
        const std::shared_ptr<const Dataset> data = window.session()->dataset();
        const QString first = QString::fromStdString(data->featureNames.at(0)) + QLatin1Char('=');
        for (int i = 0; i < panel->misses()->topLevelItemCount(); ++i) {
            const QTreeWidgetItem *item = panel->misses()->topLevelItem(i);
            if (item->text(0).isEmpty())
                continue;  // the note of a diagonal cell
            QVERIFY2(item->text(3).startsWith(first), qPrintable(item->text(0) + QStringLiteral(": ") + item->text(3)));
        }
    }

    // The Confusion tab: each task's matrix on the validation split at the
    // latest evaluation (followed as the run trains) or an earlier one, the
    // samples it got wrong, a cell's alone at a click, and a miss shown in
    // the Attention tab (a probe added when it was none).
    void confusionFollowsEvaluations()
    {
        MainWindow window;
        window.resize(1400, 860);
        window.show();
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QTRY_VERIFY(window.startAction()->isEnabled());
        ConfusionPanel *panel = window.confusion();
        QVERIFY(panel);
        window.views()->setCurrentWidget(panel);  // hidden, it waits for the tab (below)
        QCOMPARE(panel->matrix()->model()->rowCount(), 0);  // no evaluation yet
        QVERIFY(panel->note()->text().contains(QLatin1String("No evaluation yet")));
        const std::shared_ptr<const TrainingSetup> setup = window.training()->setup();
        QCOMPARE(panel->taskBox()->count(), int(setup->model.tasks.size()));
        // 160 training samples in batches of 32: evaluated after step 5 and 10.
        QVERIFY(step(window, 5));
        QTRY_COMPARE(panel->evaluationBox()->count(), 2);  // "latest" and step 5
        QVERIFY(step(window, 5));
        QTRY_COMPARE(panel->evaluationBox()->count(), 3);
        QCOMPARE(panel->evaluationBox()->currentIndex(), 0);  // following the latest

        const LossHistory &history = window.session()->currentRun()->history();
        const auto check = [&](int task, size_t evaluation) {
            const Confusion &c = history.confusion(evaluation)[size_t(task)];
            const int classes = int(setup->model.tasks[size_t(task)].classes.size());
            QCOMPARE(panel->matrix()->model()->rowCount(), classes);
            QCOMPARE(panel->matrix()->model()->columnCount(), classes);
            int total = 0, wrong = 0;
            for (int g = 0; g < classes; ++g)
                for (int p = 0; p < classes; ++p) {
                    QCOMPARE(cellText(panel, g, p).toInt(), c.count(g, p));
                    total += c.count(g, p);
                    wrong += g == p ? 0 : c.count(g, p);
                }
            int labelled = 0;
            for (const EncodedSample &s : setup->val.samples)
                labelled += s.labels[size_t(task)] >= 0;
            QCOMPARE(total, labelled);
            QCOMPARE(panel->misses()->topLevelItemCount(), wrong);
            QCOMPARE(int(c.misses.size()), wrong);  // 40 validation samples: all listed
        };
        for (int t = 0; t < panel->taskBox()->count(); ++t) {
            panel->taskBox()->setCurrentIndex(t);
            check(t, 1);
        }
        panel->evaluationBox()->setCurrentIndex(1);  // step 5
        QVERIFY(panel->note()->text().contains(QLatin1String("step 5")));
        check(panel->taskBox()->currentIndex(), 0);

        // A task and evaluation with a miss of a sample the Attention tab
        // does not show yet: its cell lists its samples only.
        const AttentionSnapshot &shown = window.attention()->shown();
        const auto inAttention = [&](int sample) {
            return std::any_of(shown.samples.begin(), shown.samples.end(),
                               [&](const auto &s) { return s.sampleIndex == sample; });
        };
        int task = -1;
        size_t evaluation = 0;
        Confusion::Miss miss;
        for (size_t e = 0; e < 2 && task < 0; ++e)
            for (int t = 0; t < panel->taskBox()->count() && task < 0; ++t)
                for (const Confusion::Miss &m : history.confusion(e)[size_t(t)].misses)
                    if (!inAttention(m.sample) && task < 0) {
                        task = t;
                        evaluation = e;
                        miss = m;
                    }
        QVERIFY2(task >= 0, "an untrained model got every validation sample but the probes right");
        window.views()->setCurrentWidget(panel);
        panel->taskBox()->setCurrentIndex(task);
        panel->evaluationBox()->setCurrentIndex(int(evaluation) + 1);
        const QRect cell = panel->matrix()->visualRect(panel->matrix()->model()->index(miss.gold, miss.predicted));
        QTest::mouseClick(panel->matrix()->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(panel->misses()->topLevelItemCount(),
                 history.confusion(evaluation)[size_t(task)].count(miss.gold, miss.predicted));
        const QList<QTreeWidgetItem *> found =
            panel->misses()->findItems(QStringLiteral("#%1").arg(miss.sample), Qt::MatchExactly, 0);
        QCOMPARE(found.size(), 1);
        QTreeWidgetItem *first = found.front();
        for (int i = 0; i < panel->misses()->topLevelItemCount(); ++i) {  // the cell's alone
            QCOMPARE(panel->misses()->topLevelItem(i)->text(1), first->text(1));
            QCOMPARE(panel->misses()->topLevelItem(i)->text(2), first->text(2));
        }

        // Activated: the Attention tab shows it, a probe from then on,
        // selected once the worker's snapshot of the new probes comes.
        emit panel->misses()->itemActivated(first, 0);
        QCOMPARE(window.views()->currentWidget(), static_cast<QWidget *>(window.attention()));
        QCOMPARE(window.sideBySide()->sample(), miss.sample);
        const ProbeSet &probes = window.attention()->probeSet();
        QVERIFY(std::any_of(probes.indices().begin(), probes.indices().end(),
                            [&](int i) { return setup->val.samples[size_t(i)].index == miss.sample; }));
        const auto selected = [&] {
            const AttentionSnapshot &shown = window.attention()->shown();
            const int i = window.attention()->selectedSample();
            return i >= 0 && i < int(shown.samples.size()) ? shown.samples[size_t(i)].sampleIndex : -1;
        };
        QTRY_COMPARE(selected(), miss.sample);
        QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("#%1").arg(miss.sample)),
                 qPrintable(window.statusBar()->currentMessage()));

        // A click on a validation point of the Curves tab: that evaluation's
        // misses in the Confusion tab.
        window.views()->setCurrentWidget(window.curves());
        panel->evaluationBox()->setCurrentIndex(0);  // following the latest again
        window.curves()->redraw();
        QCPAxisRect *rect = window.curves()->plot()->axisRect(0);
        const QPoint at(int(std::lround(rect->axis(QCPAxis::atBottom)->coordToPixel(history.evalSteps()[0]))),
                        int(std::lround(rect->axis(QCPAxis::atLeft)->coordToPixel(history.series(0).evalLoss[0]))));
        QCOMPARE(window.curves()->evaluationAt(at), 0);
        QCOMPARE(window.curves()->evaluationAt(at + QPoint(40, 40)), -1);  // off the points: nothing
        QSignalSpy clicked(window.curves(), &LossPlot::evaluationClicked);
        QTest::mouseClick(window.curves()->plot(), Qt::LeftButton, {}, at);
        QTRY_COMPARE(clicked.count(), 1);  // once no double-click follows
        QCOMPARE(window.views()->currentWidget(), static_cast<QWidget *>(panel));
        QCOMPARE(panel->shownEvaluation(), 0);
        QCOMPARE(panel->evaluationBox()->currentIndex(), 1);
        QCOMPARE(panel->misses()->topLevelItemCount(),
                 int(history.confusion(0)[size_t(panel->taskBox()->currentIndex())].misses.size()));
        // A right cell (the diagonal): every miss again, and a line saying that
        // the samples predicted right are not kept (it said nothing).
        const QRect right = panel->matrix()->visualRect(panel->matrix()->model()->index(0, 0));
        QTest::mouseClick(panel->matrix()->viewport(), Qt::LeftButton, {}, right.center());
        QCOMPARE(panel->misses()->topLevelItemCount(),
                 1 + int(history.confusion(0)[size_t(panel->taskBox()->currentIndex())].misses.size()));
        QVERIFY2(panel->misses()->topLevelItem(0)->text(3).contains(QLatin1String("not kept")),
                 qPrintable(panel->misses()->topLevelItem(0)->text(3)));

        // Behind another tab it follows nothing (a large matrix is costly to
        // build, review21 F7); shown again, it shows the latest evaluation.
        panel->evaluationBox()->setCurrentIndex(0);
        window.views()->setCurrentWidget(window.curves());
        QVERIFY(step(window, 5));
        QTRY_COMPARE(history.evalSteps().size(), size_t(3));
        QCOMPARE(panel->evaluationBox()->count(), 3);
        QVERIFY(!panel->note()->text().contains(QLatin1String("step 15")));
        window.views()->setCurrentWidget(panel);
        QCOMPARE(panel->evaluationBox()->count(), 4);
        QVERIFY2(panel->note()->text().contains(QLatin1String("step 15")), qPrintable(panel->note()->text()));
    }

    // The Confusion tab's Run box shows an earlier run's matrices at its last
    // evaluation, named above them; they come back from the session file
    // (a window that opens the session shows the same matrices and misses),
    // and choosing the current run shows its own again.
    void confusionOfAnEarlierRun()
    {
        const QString file = m_dir.filePath(QStringLiteral("confusion.attnscope"));
        std::vector<Confusion> expected;  // the kept run's at its last evaluation
        QString keptName;
        {
            MainWindow window;
            QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
            QVERIFY(window.saveSessionAs(file));
            QTRY_VERIFY(window.startAction()->isEnabled());
            QVERIFY(step(window, 10));  // evaluated after steps 5 and 10
            keptName = window.session()->currentRun()->name();
            window.resetAction()->trigger();
            QTRY_COMPARE(window.session()->keptRuns().size(), size_t(1));
            const KeptRun &kept = *window.session()->keptRuns()[0];
            QCOMPARE(kept.history.evalSteps().size(), size_t(2));
            expected = kept.history.confusion(1);
            QVERIFY(!expected.empty() && expected[0].hasMatrix());
            ConfusionPanel *panel = window.confusion();
            QCOMPARE(panel->runBox()->count(), 2);
            QCOMPARE(panel->runBox()->itemData(1).toInt(), kept.id);
            QString error;
            QVERIFY2(window.session()->flushSessionFile(&error), qPrintable(error));
        }
        MainWindow window;
        window.resize(1400, 860);
        window.show();
        QVERIFY(window.openSession(file));
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QTRY_VERIFY(window.startAction()->isEnabled());
        QCOMPARE(window.session()->keptRuns().size(), size_t(1));
        const KeptRun &kept = *window.session()->keptRuns()[0];
        QCOMPARE(kept.name, keptName);
        ConfusionPanel *panel = window.confusion();
        QCOMPARE(panel->runBox()->count(), 2);
        QCOMPARE(panel->matrix()->model()->rowCount(), 0);  // the current run: not trained
        window.views()->setCurrentWidget(panel);  // hidden, it waits for the tab (confusionWaitsForItsTab)
        panel->runBox()->setCurrentIndex(1);
        emit panel->runBox()->activated(1);
        QCOMPARE(panel->shownRun(), kept.id);
        QCOMPARE(panel->evaluationBox()->count(), 3);  // latest, step 5, step 10
        QCOMPARE(panel->shownEvaluation(), 1);
        QVERIFY2(panel->note()->text().startsWith(keptName + QStringLiteral(", an earlier run"))
                     && panel->note()->text().contains(QLatin1String("step 10")),
                 qPrintable(panel->note()->text()));
        const std::shared_ptr<const TrainingSetup> setup = window.training()->setup();
        for (int t = 0; t < panel->taskBox()->count(); ++t) {
            panel->taskBox()->setCurrentIndex(t);
            const Confusion &c = expected[size_t(t)];
            QCOMPARE(panel->matrix()->model()->rowCount(), c.classes);
            for (int g = 0; g < c.classes; ++g)
                for (int p = 0; p < c.classes; ++p)
                    QCOMPARE(cellText(panel, g, p).toInt(), c.count(g, p));
            QCOMPARE(panel->misses()->topLevelItemCount(), int(c.misses.size()));
            // The class names of the open data, its data's.
            QCOMPARE(panel->matrix()->model()->headerData(0, Qt::Vertical).toString(),
                     QString::fromStdString(setup->model.tasks[size_t(t)].classes[0]));
        }
        QVERIFY(step(window, 5));  // the current run's evaluation leaves the earlier run's view as it is
        QCOMPARE(panel->shownRun(), kept.id);
        QCOMPARE(panel->evaluationBox()->count(), 3);
        panel->runBox()->setCurrentIndex(0);
        emit panel->runBox()->activated(0);
        QCOMPARE(panel->shownRun(), 0);
        QTRY_COMPARE(panel->evaluationBox()->count(), 2);  // latest, step 5
        QVERIFY(!panel->note()->text().contains(keptName));
        QCOMPARE(panel->matrix()->model()->rowCount(),
                 int(setup->model.tasks[size_t(panel->taskBox()->currentIndex())].classes.size()));
        // A click on the Curves tab's validation point is the current run's, whatever run was shown.
        panel->showRun(kept.id);
        panel->showEvaluation(0);
        QCOMPARE(panel->shownRun(), 0);
        QCOMPARE(panel->shownEvaluation(), 0);
    }

    // The misses' columns show their titles whole before the first
    // evaluation, and again after a zoom: empty, they kept the tree's
    // default width, and at 150 % it cut "Predicted" ("Predictec").
    void confusionColumnTitlesFit()
    {
        const double zoom = currentZoom();
        const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
        MainWindow window;
        window.resize(1024, 700);
        window.show();
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QTRY_VERIFY(window.startAction()->isEnabled());
        ConfusionPanel *panel = window.confusion();
        window.views()->setCurrentWidget(panel);  // as the screenshot showed it: the tab open, no evaluation yet
        QTRY_VERIFY(panel->isVisible());
        const auto cut = [panel] {
            QStringList out;
            QHeaderView *header = panel->misses()->header();
            for (int column = 0; column < 3; ++column)
                if (header->sectionSize(column) < header->sectionSizeHint(column))
                    out << QStringLiteral("%1 %2 px for %3").arg(panel->misses()->headerItem()->text(column))
                               .arg(header->sectionSize(column)).arg(header->sectionSizeHint(column));
            return out.join(QStringLiteral("; "));
        };
        for (const double z : {1.0, 1.5, 2.0}) {
            applyZoom(z);
            QTRY_VERIFY2(cut().isEmpty(), qPrintable(QStringLiteral("at %1: %2").arg(z).arg(cut())));
        }
    }

    // Behind another tab, the Confusion tab builds nothing: a run chosen in
    // the Runs tab is shown when the tab is (a matrix of 256 classes took
    // 300 ms to build), and a click on a validation point of the Curves tab
    // shows that evaluation, though the evaluations came while it was hidden.
    void confusionWaitsForItsTab()
    {
        MainWindow window;
        window.resize(1400, 860);
        window.show();
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QTRY_VERIFY(window.startAction()->isEnabled());
        ConfusionPanel *panel = window.confusion();
        QVERIFY(!panel->isVisible());  // the Curves tab is shown
        QVERIFY(step(window, 10));     // evaluated after steps 5 and 10
        QCOMPARE(window.session()->currentRun()->history().evalSteps().size(), size_t(2));
        panel->showEvaluation(0);
        QCOMPARE(panel->shownEvaluation(), 0);
        QCOMPARE(panel->evaluationBox()->currentIndex(), 1);
        QVERIFY2(panel->note()->text().contains(QLatin1String("step 5")), qPrintable(panel->note()->text()));

        window.resetAction()->trigger();
        QTRY_COMPARE(window.session()->keptRuns().size(), size_t(1));
        const KeptRun &kept = *window.session()->keptRuns()[0];
        QSignalSpy rebuilt(panel->matrix()->model(), &QAbstractItemModel::modelReset);
        const QString before = panel->note()->text();
        panel->showRun(kept.id);  // as a selection in the Runs tab does
        QCOMPARE(panel->shownRun(), kept.id);
        QCOMPARE(panel->runBox()->currentData().toInt(), kept.id);
        QCOMPARE(rebuilt.count(), 0);
        QCOMPARE(panel->note()->text(), before);
        window.views()->setCurrentWidget(panel);
        QVERIFY(rebuilt.count() > 0);
        QVERIFY2(panel->note()->text().startsWith(kept.name + QStringLiteral(", an earlier run"))
                     && panel->note()->text().contains(QLatin1String("step 10")),
                 qPrintable(panel->note()->text()));
        const Confusion &c = kept.history.confusion(1)[size_t(panel->taskBox()->currentIndex())];
        QCOMPARE(panel->matrix()->model()->rowCount(), c.classes);
        QCOMPARE(cellText(panel, 0, 0).toInt(), c.count(0, 0));
    }

    // The current run's row shows its step when it pauses (the status
    // bar's), not the step of the table's last timed refresh: a screenshot
    // after --after-steps 150 read "Steps 125" beside a status bar of 150.
    void stepsFollowThePause()
    {
        MainWindow window;
        window.resize(1400, 860);
        window.show();
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=1000")));  // 250 steps
        QTRY_VERIFY(window.startAction()->isEnabled());
        RunsPanel *panel = window.runs();
        QStringList seen;  // the row's steps and the worker's, at each pause
        connect(window.training(), &TrainingController::stateChanged, this, [&](State state) {
            if (state != State::Paused)
                return;
            const QTreeWidgetItem *row = panel->row(window.session()->currentRun()->id());
            seen << QStringLiteral("%1/%2").arg(row ? row->text(RunsPanel::Steps) : QStringLiteral("none"))
                        .arg(window.training()->currentStep());
        });
        for (const int64_t until : {40, 75, 150}) {
            window.training()->startUntil(until);
            QTRY_VERIFY_WITH_TIMEOUT(window.training()->state() == State::Paused
                                         && window.training()->currentStep() == until, 30000);
        }
        QCOMPARE(seen, (QStringList{QStringLiteral("40/40"), QStringLiteral("75/75"), QStringLiteral("150/150")}));
    }

    // At 1024 x 768 and 150 %: the From column (a fork's parent and step)
    // is beside the run's name, where it was off-screen at the end of the
    // row even at 1600 x 1000; the best loss and the accuracies at it are
    // on screen without a scroll (the modes lesson asks a class to read
    // them: they were behind Steps, Last loss and two columns of "–",
    // accept24 C8); every column shown can be scrolled into view.
    void everyColumnIsReachable()
    {
        MainWindow window;
        window.zoom()->setZoom(150, /*persist=*/false);
        window.resize(1024, 768);
        window.show();
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QTRY_VERIFY(window.startAction()->isEnabled());
        QVERIFY(step(window, 5));
        window.views()->setCurrentWidget(window.runs());
        QTreeWidget *table = window.runs()->table();
        QTRY_COMPARE(table->topLevelItem(0)->text(RunsPanel::Steps), QStringLiteral("5"));
        QHeaderView *header = table->header();
        QCOMPARE(header->visualIndex(RunsPanel::From), header->visualIndex(RunsPanel::Name) + 1);
        // The Confusion tab's rows fit the zoomed font.
        window.views()->setCurrentWidget(window.confusion());
        QTableView *matrix = window.confusion()->matrix();
        QTRY_VERIFY(matrix->model()->rowCount() > 0);
        QVERIFY2(matrix->rowHeight(0) >= matrix->fontMetrics().height() + 4,
                 qPrintable(QStringLiteral("%1 px rows for a font of %2 px").arg(matrix->rowHeight(0)).arg(matrix->fontMetrics().height())));
        window.views()->setCurrentWidget(window.runs());
        QCOMPARE(table->headerItem()->text(RunsPanel::From), QStringLiteral("From"));
        QScrollBar *bar = table->horizontalScrollBar();
        QCOMPARE(bar->value(), 0);
        for (const int c : {RunsPanel::BestLoss, RunsPanel::BestAccuracy}) {
            const int left = header->sectionViewportPosition(c);
            QVERIFY2(!table->isColumnHidden(c) && left >= 0 && left < table->viewport()->width(),
                     qPrintable(QStringLiteral("column %1 at %2 of %3").arg(table->headerItem()->text(c)).arg(left).arg(table->viewport()->width())));
        }
        QVERIFY2(header->length() > table->viewport()->width(), "the window is wide enough for every column");
        QVERIFY(bar->maximum() > 0);
        for (int c = 0; c < RunsPanel::ColumnCount; ++c) {
            if (table->isColumnHidden(c))
                continue;  // From without a fork, the attention figures without a snapshot
            table->scrollToItem(table->topLevelItem(0));
            bar->setValue(c == RunsPanel::ColumnCount - 1 ? bar->maximum() : header->sectionPosition(c));
            const int left = header->sectionViewportPosition(c);
            QVERIFY2(left >= 0 && left < table->viewport()->width(),
                     qPrintable(QStringLiteral("column %1 at %2 of %3").arg(c).arg(left).arg(table->viewport()->width())));
        }
    }

    // Training > Compare > Attention modes: one action trains the four
    // modes one after another from the same seed and split, each a run of
    // the session named after its mode, the heads' initial weights the same.
    void comparesTheModes()
    {
        MainWindow window;
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QTRY_VERIFY(window.startAction()->isEnabled());
        TrainConfig config = window.trainingPanel()->config();
        config.epochs = 2;  // 160 training samples in batches of 32: 10 steps
        window.trainingPanel()->setConfig(config);
        QTRY_VERIFY(window.training()->setup() && window.training()->setup()->config.epochs == 2);
        QSignalSpy progress(window.session(), &Session::comparisonProgress);
        window.compareAction(Session::Comparison::Modes)->trigger();
        QVERIFY(window.session()->isComparing());
        QVERIFY(window.stopComparingAction()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!window.session()->isComparing(), 60000);
        QTRY_COMPARE(window.training()->state(), State::Finished);
        QCOMPARE(progress.size(), 5);  // runs 1 to 4 began, then the end
        QCOMPARE(progress.last().at(0).toInt(), 4);
        QVERIFY(!window.stopComparingAction()->isEnabled());

        const auto &kept = window.session()->keptRuns();
        QCOMPARE(kept.size(), size_t(3));
        QCOMPARE(kept[0]->name, QStringLiteral("task"));
        QCOMPARE(kept[1]->name, QStringLiteral("shared"));
        QCOMPARE(kept[2]->name, QStringLiteral("gated"));
        QCOMPARE(window.session()->currentRun()->name(), QStringLiteral("uniform"));
        QCOMPARE(window.training()->setup()->model.config.mode, AttentionMode::Uniform);
        for (const auto &run : kept) {
            QCOMPARE(run->history.steps().size(), size_t(10));
            QCOMPARE(run->train.seed, window.session()->currentRun()->settings().train.seed);
        }
        QCOMPARE(kept[1]->model.mode, AttentionMode::Shared);
        QCOMPARE(window.curves()->overlayCount(), 3);
        // The uniform run's heads started as the task run's did (a fresh
        // uniform model of the seed has others: no pooling drawn before them).
        ModelConfig task = window.training()->setup()->model.config;
        task.mode = AttentionMode::Task;
        TrainingSetup reference;
        std::string error;
        QVERIFY2(buildSetup(*window.session()->dataset(), task, window.training()->setup()->config,
                            Session::ValFraction, &reference, &error),
                 error.c_str());
        const Model &uniform = window.training()->setup()->model;
        const TensorSpec *mine = uniform.layout.find("heads.0.weight");
        const TensorSpec *theirs = reference.model.layout.find("heads.0.weight");
        QVERIFY(mine && theirs);
        QVERIFY(std::equal(uniform.params.begin() + std::ptrdiff_t(mine->offset),
                           uniform.params.begin() + std::ptrdiff_t(mine->offset + mine->size),
                           reference.model.params.begin() + std::ptrdiff_t(theirs->offset)));

        // Side by side: one validation sample through the four runs' last weights.
        SideBySide *side = window.sideBySide();
        const int sample = window.training()->setup()->val.samples[0].index;
        side->setSample(sample);
        side->refresh();
        QCOMPARE(side->runs().size(), size_t(4));
        for (int i = 0; i < 4; ++i) {
            const QString name = QStringList{"task", "shared", "gated", "uniform"}[i];
            QVERIFY2(side->title(i)->text().startsWith(name + QStringLiteral(" — step 10 — ")),
                     qPrintable(side->title(i)->text()));
            QCOMPARE(side->heatmap(i)->snapshot().samples.size(), size_t(1));
            QCOMPARE(side->heatmap(i)->snapshot().samples[0].sampleIndex, sample);
        }
        // Uniform pooling weighs every token alike; task attention has learnt otherwise.
        const AttentionSample &flat = side->heatmap(3)->snapshot().samples[0];
        const AttentionSample &learnt = side->heatmap(0)->snapshot().samples[0];
        const int n = int(std::count(flat.mask.begin(), flat.mask.end(), uint8_t(1)));
        QVERIFY(n > 1);
        QVERIFY(std::abs(flat.weights[0][0] - 1.0f / float(n)) < 1e-5f);
        QVERIFY(learnt.weights[0] != flat.weights[0]);
        QCOMPARE(side->heatmap(0)->snapshot().mode, AttentionMode::Task);
        QCOMPARE(side->heatmap(3)->snapshot().mode, AttentionMode::Uniform);
    }

    // Side by side shows the current run's weights as soon as it pauses
    // (attnscope --screenshot --after-steps 150 --tab side-by-side showed
    // step 96: it followed the run once a second).
    void sideBySideShowsWhereTheRunPaused()
    {
        MainWindow window;
        window.resize(1400, 860);
        window.show();
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QTRY_VERIFY_WITH_TIMEOUT(window.training()->setup() != nullptr, 20000);
        SideBySide *side = window.sideBySide();
        window.views()->setCurrentWidget(side);
        side->setSample(window.training()->setup()->val.samples[0].index);
        QString atPause;  // the current run's title when the pause is announced
        connect(window.training(), &TrainingController::stateChanged, &window, [&](State state) {
            if (state == State::Paused && atPause.isEmpty() && !side->runs().empty())
                atPause = side->title(int(side->runs().size()) - 1)->text();
        });
        window.training()->startUntil(40);
        QTRY_VERIFY_WITH_TIMEOUT(!atPause.isEmpty(), 20000);
        QVERIFY2(atPause.contains(QStringLiteral(" — step 40 — ")), qPrintable(atPause));
    }

    // Side by side at 1024 x 768 and 150 %: the runs scroll, so each
    // heatmap is as tall as its upright tokens need. Every heatmap had 200
    // px, which left the tokens 60 px: "expected" read "exp…" (accept27 F4).
    void sideBySideTokensAreWholeOnAProjector()
    {
        const double zoom = currentZoom();
        const auto restore = qScopeGuard([zoom] { applyZoom(zoom); });
        MainWindow window;  // applies the remembered zoom
        applyZoom(1.5);
        window.resize(921, 691);  // the window on a 1024 x 768 screen
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QTRY_VERIFY_WITH_TIMEOUT(window.training()->setup() != nullptr, 20000);
        // A validation sample with a word of eight to ten letters.
        const Dataset &data = *window.session()->dataset();
        int sample = -1;
        for (const EncodedSample &s : window.training()->setup()->val.samples) {
            for (const QString &word : QString::fromStdString(data.samples[size_t(s.index)].text)
                                           .split(QRegularExpression(QStringLiteral("\\W+"))))
                if (word.size() >= 8 && word.size() <= 10)
                    sample = s.index;
            if (sample >= 0)
                break;
        }
        QVERIFY(sample >= 0);
        // Four runs, one a heatmap, as the attention-modes lesson's last step shows them.
        TrainConfig config = window.trainingPanel()->config();
        config.epochs = 2;  // 10 steps a run
        window.trainingPanel()->setConfig(config);
        QTRY_VERIFY(window.training()->setup() && window.training()->setup()->config.epochs == 2);
        window.compareAction(Session::Comparison::Modes)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!window.session()->isComparing(), 60000);
        SideBySide *side = window.sideBySide();
        window.views()->setCurrentWidget(side);
        side->setSample(sample);
        side->refresh();
        QTRY_VERIFY(side->runs().size() == 4 && side->heatmap(0)->isVisible()
                    && side->heatmap(0)->snapshot().samples.size() == 1);
        TaskHeatmap *heatmap = side->heatmap(0);
        QCoreApplication::processEvents();  // the layout of the refreshed page
        heatmap->plot()->replot(QCustomPlot::rpImmediateRefresh);
        const AttentionSample &shown = heatmap->snapshot().samples[0];
        const auto ticks = heatmap->plot()->xAxis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
        int longest = 0;
        for (auto tick = ticks.cbegin(); tick != ticks.cend(); ++tick) {
            const QString token = QString::fromStdString(shown.tokens[size_t(tick.key())]);
            if (token.size() > 10 || shown.isUnknown(size_t(tick.key())))  // the mark: the attention tests
                continue;
            longest = std::max(longest, int(token.size()));
            QVERIFY2(tick.value() == token, qPrintable(QStringLiteral("'%1' drawn '%2' under a heatmap %3 px tall")
                                                           .arg(token, tick.value()).arg(heatmap->height())));
        }
        QVERIFY(longest >= 8);
    }

    // One sample in every view (issue 14): Side by side, shown before the
    // Attention tab had a snapshot (attnscope --tab side-by-side), took the
    // first validation sample (#2 of builtin:reviews) while the Attention
    // tab selects its first probe (#3); switching tabs changes neither.
    void sideBySideShowsTheAttentionTabsSample()
    {
        MainWindow window;
        window.resize(1400, 860);
        window.show();
        SideBySide *side = window.sideBySide();
        AttentionPanel *attention = window.attention();
        window.views()->setCurrentWidget(side);
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews")));
        QTRY_VERIFY_WITH_TIMEOUT(window.training()->setup() != nullptr && attention->probeSet().size() > 0, 20000);
        const std::shared_ptr<const TrainingSetup> setup = window.training()->setup();
        const int firstProbe = setup->val.samples[size_t(attention->probeSet().indices().front())].index;
        QVERIFY2(firstProbe != setup->val.samples.front().index, "the first probe is the first validation sample");
        window.training()->startUntil(20);
        QTRY_VERIFY_WITH_TIMEOUT(window.training()->state() == State::Paused && !attention->shown().samples.empty()
                                     && attention->shown().step == 20,
                                 20000);
        const auto attentionSample = [attention]() {
            const int i = attention->selectedSample();
            return i >= 0 && i < int(attention->shown().samples.size()) ? attention->shown().samples[size_t(i)].sampleIndex
                                                                        : -1;
        };
        // What each tab shows: the current run's heatmap in Side by side is the last.
        const auto sideSample = [side]() {
            if (side->runs().empty())
                return -1;
            const AttentionSnapshot &shown = side->heatmap(int(side->runs().size()) - 1)->snapshot();
            return shown.samples.empty() ? -1 : shown.samples[0].sampleIndex;
        };
        QCOMPARE(attentionSample(), firstProbe);
        QTRY_COMPARE_WITH_TIMEOUT(sideSample(), firstProbe, 5000);
        window.views()->setCurrentWidget(attention);
        QCOMPARE(attentionSample(), firstProbe);
        window.views()->setCurrentWidget(side);
        QCOMPARE(sideSample(), firstProbe);
        // Another chosen in the Attention tab is Side by side's, and stays the Attention tab's.
        attention->selectSample(2);
        const int chosen = attentionSample();
        QVERIFY(chosen != firstProbe);
        window.views()->setCurrentWidget(attention);
        window.views()->setCurrentWidget(side);
        QCOMPARE(sideSample(), chosen);
        window.views()->setCurrentWidget(attention);
        QCOMPARE(attentionSample(), chosen);
    }

    // Fork… in the Runs tab: the selected run's checkpoints in the session
    // file, one action each; the one chosen starts a child run there, which
    // the table shows with its parent and step and whose curve starts at
    // that step, drawn beside its parent's. The From column shows only
    // while a run is a fork: empty, it pushed the best loss (the winner's)
    // off the table at 1024 x 768 and 150 % (accept24 C8; failed before).
    void forksFromTheRunsPanel()
    {
        MainWindow window;
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QVERIFY(window.saveSessionAs(m_dir.filePath(QStringLiteral("fork.attnscope"))));
        QTRY_VERIFY(window.startAction()->isEnabled());
        QVERIFY(step(window, 4));  // each pause leaves the last checkpoint
        RunsPanel *panel = window.runs();
        QVERIFY(panel->table()->isColumnHidden(RunsPanel::From));  // no fork yet
        const int parent = window.session()->currentRun()->id();
        const QString parentName = window.session()->currentRun()->name();
        panel->table()->setCurrentItem(panel->row(parent));
        QVERIFY(panel->forkButton()->isEnabled());
        QMenu *menu = panel->forkButton()->menu();
        QVERIFY(menu);
        emit menu->aboutToShow();
        QCOMPARE(menu->actions().size(), 1);
        QAction *last = menu->actions()[0];
        QCOMPARE(last->text(), QStringLiteral("Step 4 (the last)"));
        last->trigger();

        QCOMPARE(window.session()->keptRuns().size(), size_t(1));
        const Run *child = window.session()->currentRun();
        QCOMPARE(child->fork().parent, parent);
        QCOMPARE(child->fork().step, int64_t(4));
        QTRY_VERIFY(window.training()->state() == State::Ready && window.training()->currentStep() == 4);
        QVERIFY(step(window, 2));
        QTRY_COMPARE(child->history().steps().size(), size_t(2));
        QCOMPARE(child->history().steps().front(), 5.0);
        QTreeWidgetItem *row = panel->row(child->id());
        QVERIFY(row);
        QCOMPARE(row->text(RunsPanel::From), QStringLiteral("%1 @ 4").arg(parentName));
        QVERIFY(!panel->table()->isColumnHidden(RunsPanel::From));
        QCOMPARE(panel->row(parent)->text(RunsPanel::From), QString());
        // The plot: the parent's curve (an overlay) to step 4, the child's from step 5.
        window.curves()->redraw();
        QCPGraph *overlay = window.curves()->overlayGraph(0, 1);
        QVERIFY(overlay && overlay->data()->size() == 4);
        QCPGraph *own = window.curves()->graph(LossPlot::Curve::Raw, 1);
        QVERIFY(own && own->data()->size() == 2);
        QCOMPARE(own->data()->constBegin()->key, 5.0);

        // A run without a checkpoint in the file: the menu says so.
        emit menu->aboutToShow();
        panel->fillForkMenu(menu, 12345);
        QCOMPARE(menu->actions().size(), 1);
        QVERIFY(!menu->actions()[0]->isEnabled());
        QCOMPARE(menu->actions()[0]->text(), QStringLiteral("No checkpoint of this run in the session file yet"));

        // A file that cannot be read (replaced on disk): the menu says why,
        // naming it, where it said there was no checkpoint yet.
        const QString file = window.session()->sessionPath();
        QVERIFY(QFile::remove(file));
        QFile garbage(file);
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write(QByteArray(4096, 'x'));
        garbage.close();
        panel->fillForkMenu(menu, parent);
        QCOMPARE(menu->actions().size(), 1);
        QVERIFY(!menu->actions()[0]->isEnabled());
        QVERIFY2(menu->actions()[0]->toolTip().contains(file), qPrintable(menu->actions()[0]->text()));
    }

    // A kept checkpoint and the last one at the same step are one entry of
    // the Fork menu, the last's (it listed "Step 500" and "Step 500 (the
    // last)", accept23 B15).
    void forkMenuHasAStepOnce()
    {
        std::vector<CheckpointRecord> points(4);
        points[0].id = 1, points[0].step = 100, points[0].kind = QStringLiteral("kept");
        points[1].id = 2, points[1].step = 200, points[1].kind = QStringLiteral("kept");
        points[2].id = 3, points[2].step = 500, points[2].kind = QStringLiteral("kept");
        points[3].id = 4, points[3].step = 500, points[3].kind = QStringLiteral("last");
        const auto entries = RunsPanel::forkEntries(points);
        QCOMPARE(entries.size(), size_t(3));
        QCOMPARE(entries[0].first, QStringLiteral("Step 100"));
        QCOMPARE(entries[1].first, QStringLiteral("Step 200"));
        QCOMPARE(entries[2].first, QStringLiteral("Step 500 (the last)"));
        QCOMPARE(entries[2].second, qint64(4));
    }

    // The session file keeps the window's layout: the docks (where the
    // Setup dock is) and the tab shown, written on Save session as and when
    // the window closes, restored by Open session in another window.
    void sessionKeepsTheLayout()
    {
        const QString file = m_dir.filePath(QStringLiteral("layout.attnscope"));
        {
            MainWindow window;
            window.resize(1400, 860);
            window.show();
            auto *setup = window.findChild<QDockWidget *>(QStringLiteral("setupDock"));
            QVERIFY(setup);
            QVERIFY(window.saveSessionAs(file));
            window.addDockWidget(Qt::RightDockWidgetArea, setup);  // after the save: the close writes it
            window.views()->setCurrentIndex(2);
            QVERIFY(window.close());
        }
        QSettings().remove(QStringLiteral("window/state"));  // the close wrote it there too: not what this checks
        MainWindow other;
        other.resize(1400, 860);
        other.show();
        auto *setup = other.findChild<QDockWidget *>(QStringLiteral("setupDock"));
        QCOMPARE(other.dockWidgetArea(setup), Qt::LeftDockWidgetArea);
        QCOMPARE(other.views()->currentIndex(), 0);
        QVERIFY(other.openSession(file));
        QCOMPARE(other.dockWidgetArea(setup), Qt::RightDockWidgetArea);
        QCOMPARE(other.views()->currentIndex(), 2);
        SessionFile f;
        QString error;
        QVERIFY2(f.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
        QVERIFY(!f.layout(QStringLiteral("window/state")).isEmpty());
        QCOMPARE(f.layout(QStringLiteral("window/tab")), QByteArray("2"));
    }

    // Selecting an earlier run in the Runs tab shows its attention timeline
    // in the Attention tab, named above the views (the current run's
    // snapshots wait meanwhile); selecting the current run, or deleting the
    // run shown, shows the current run's attention again.
    void showsAnEarlierRunsAttention()
    {
        MainWindow window;
        window.resize(1400, 860);
        window.show();
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QTRY_VERIFY(window.startAction()->isEnabled());
        window.training()->setAttentionRate(1, std::chrono::milliseconds(0));
        AttentionPanel *attention = window.attention();
        QVERIFY(step(window, 3));
        QTRY_VERIFY(attention->timeline().size() > 0 && attention->timeline().latest().step == 3);
        const QString first = window.session()->currentRun()->name();
        window.resetAction()->trigger();
        QTRY_COMPARE(window.session()->keptRuns().size(), size_t(1));
        QTRY_VERIFY(window.training()->currentStep() == 0 && window.training()->state() == State::Ready);
        const KeptRun &kept = *window.session()->keptRuns()[0];
        QVERIFY(!kept.timeline.empty());
        QCOMPARE(kept.timeline.back()->step, int64_t(3));
        QVERIFY(step(window, 1));
        QTRY_VERIFY(attention->timeline().size() > 0 && attention->timeline().latest().step == 1);

        RunsPanel *panel = window.runs();
        panel->table()->setCurrentItem(panel->row(kept.id));
        QCOMPARE(attention->shownRun(), first);
        QCOMPARE(window.confusion()->shownRun(), kept.id);  // the Confusion tab follows too
        QCOMPARE(attention->timeline().size(), int(kept.timeline.size()));
        QCOMPARE(attention->shown().step, int64_t(3));
        auto *note = attention->findChild<QLabel *>(QStringLiteral("encoderNote"));
        QVERIFY(note && note->text().contains(first + QStringLiteral(", an earlier run")));
        QVERIFY(step(window, 1));  // the current run's snapshot waits
        QCOMPARE(attention->shown().step, int64_t(3));
        attention->scrubTo(0);
        QCOMPARE(attention->shown().step, kept.timeline.front()->step);

        panel->table()->setCurrentItem(panel->row(window.session()->currentRun()->id()));
        QCOMPARE(attention->shownRun(), QString());
        QCOMPARE(window.confusion()->shownRun(), 0);
        QTRY_COMPARE(attention->shown().step, int64_t(2));
        QVERIFY(!note->text().contains(first));

        // The run shown deleted: the current run's attention again (it stayed, named).
        panel->table()->setCurrentItem(panel->row(kept.id));
        QCOMPARE(attention->shownRun(), first);
        window.session()->deleteRun(kept.id);
        QCOMPARE(attention->shownRun(), QString());
        QVERIFY(!note->text().contains(first));
    }

    // The settings in which a run differs from the selected one are
    // highlighted; the reference run's figures are what the others' are
    // coloured against; a deleted run comes back with Undo, and leaves the
    // file only when the session closes.
    void highlightsReferenceAndUndo()
    {
        const QString path = m_dir.filePath(QStringLiteral("compare.attnscope"));
        {
            SessionWriter writer;
            QString error;
            QVERIFY2(writer.open(path, &error), qPrintable(error));
            // name, mode, learning rate, validation loss, accuracy
            const std::tuple<const char *, const char *, float, double, double> runs[] = {
                {"task", "task", 0.003f, 0.5, 0.8}, {"shared", "shared", 0.003f, 0.4, 0.9},
                {"slow", "task", 0.001f, 0.7, 0.6}};
            for (const auto &[name, mode, lr, loss, accuracy] : runs) {
                RunRecord r;
                r.name = QString::fromLatin1(name);
                parseAttentionMode(mode, &r.model.mode);
                r.train.optimizer.lr = lr;
                r.dataset = QStringLiteral("builtin:reviews");
                r.tasks = {QStringLiteral("sentiment")};
                writer.addRun(&r);
                TrainingSnapshot s;
                s.steps.push_back({10, 0.5, 1.0f, {1.0f}, lr, 1.0f});
                s.evals.push_back({10, 0.5, loss, {loss}, {accuracy}, {accuracy}, {}});
                writer.appendSnapshot(r.id, s);
            }
        }
        auto window = std::make_unique<MainWindow>();
        QVERIFY(window->openSession(path));
        RunsPanel *panel = window->runs();
        Session *session = window->session();
        const auto rowOf = [&](const char *name) {
            for (const auto &run : session->keptRuns())
                if (run->name == QLatin1String(name))
                    return panel->row(run->id);
            return static_cast<QTreeWidgetItem *>(nullptr);
        };
        QVERIFY(rowOf("task") && rowOf("shared") && rowOf("slow"));

        // Nothing selected: nothing highlighted. "task" selected: shared's mode, slow's learning rate.
        QVERIFY(!RunsPanel::isHighlighted(rowOf("shared"), RunsPanel::Mode));
        panel->table()->setCurrentItem(rowOf("task"));
        QVERIFY(RunsPanel::isHighlighted(rowOf("shared"), RunsPanel::Mode));
        QVERIFY(!RunsPanel::isHighlighted(rowOf("shared"), RunsPanel::LearningRate));
        QVERIFY(RunsPanel::isHighlighted(rowOf("slow"), RunsPanel::LearningRate));
        QVERIFY(!RunsPanel::isHighlighted(rowOf("slow"), RunsPanel::Mode));
        QVERIFY(!RunsPanel::isHighlighted(rowOf("task"), RunsPanel::Mode));  // itself
        QVERIFY(!RunsPanel::isHighlighted(rowOf("shared"), RunsPanel::Layers));

        // "task" as the reference (a click on its cell): shared is better, slow worse.
        QCOMPARE(RunsPanel::comparison(rowOf("shared"), RunsPanel::BestLoss), 0);
        emit panel->table()->itemClicked(rowOf("task"), RunsPanel::Reference);
        QCOMPARE(session->referenceRun(), rowOf("task")->data(RunsPanel::Name, Qt::UserRole).toInt());
        QCOMPARE(rowOf("task")->text(RunsPanel::Reference), QStringLiteral("◆"));
        QCOMPARE(RunsPanel::comparison(rowOf("shared"), RunsPanel::BestLoss), 1);
        QCOMPARE(RunsPanel::comparison(rowOf("shared"), RunsPanel::BestAccuracy), 1);
        QCOMPARE(RunsPanel::comparison(rowOf("slow"), RunsPanel::BestLoss), -1);
        QCOMPARE(RunsPanel::comparison(rowOf("slow"), RunsPanel::LastAccuracy), -1);
        QCOMPARE(RunsPanel::comparison(rowOf("task"), RunsPanel::BestLoss), 0);
        QVERIFY2(rowOf("shared")->toolTip(RunsPanel::BestLoss).contains(QStringLiteral("-0.1000 against the reference")),
                 qPrintable(rowOf("shared")->toolTip(RunsPanel::BestLoss)));

        // Delete "shared", undo: back in its place, with its curves; the file kept it meanwhile.
        QVERIFY(!panel->undoButton()->isEnabled());
        panel->table()->setCurrentItem(rowOf("shared"));
        const int shared = rowOf("shared")->data(RunsPanel::Name, Qt::UserRole).toInt();
        session->deleteRun(shared);
        QVERIFY(!rowOf("shared"));
        QVERIFY(panel->undoButton()->isEnabled());
        panel->undoButton()->click();
        QVERIFY(rowOf("shared"));
        QCOMPARE(session->keptRuns()[1]->name, QStringLiteral("shared"));
        QCOMPARE(session->keptRuns()[1]->history.steps().size(), size_t(1));
        QVERIFY(!panel->undoButton()->isEnabled());
        // Deleted for good once the session closes.
        session->deleteRun(shared);
        QString flushed;
        QVERIFY2(session->flushSessionFile(&flushed), qPrintable(flushed));
        {
            SessionFile file;
            QString error;
            QVERIFY(file.open(path, SessionFile::Mode::ReadOnly, &error));
            QVERIFY(file.run(QStringLiteral("shared")).has_value());
        }
        window.reset();
        SessionFile file;
        QString error;
        QVERIFY(file.open(path, SessionFile::Mode::ReadOnly, &error));
        QVERIFY(!file.run(QStringLiteral("shared")).has_value());
        QVERIFY(file.run(QStringLiteral("task")).has_value());
    }

    // A window without a session file of the user's records into a
    // recovery file; killed (kill -9) while it trains, it leaves the file,
    // and the next window offers it back: restored, the run's curves are
    // there; saved as the user's file, the recovery file goes.
    void recoversAKilledWindow()
    {
        QTemporaryDir home;
        QVERIFY(home.isValid());
        const QString dir = home.filePath(QStringLiteral("AttnScope/AttnScope/recovery"));
        QProcess app;
        app.setProcessEnvironment(appEnvironment(home.path()));
        app.start(QStringLiteral(ATTNSCOPE_APP), {QStringLiteral("--data"), QStringLiteral("builtin:reviews?n=200"),
                                                  QStringLiteral("--start"), QStringLiteral("--speed"),
                                                  QStringLiteral("200")});
        QVERIFY(app.waitForStarted());
        // Committed steps in the recovery file (the writer commits every half second).
        const auto committed = [&]() -> int64_t {
            const QStringList files = QDir(dir).entryList({QStringLiteral("recovery-*.attnscope")}, QDir::Files);
            if (files.size() != 1)
                return 0;
            SessionFile file;
            QString error;
            if (!file.open(QDir(dir).filePath(files.first()), SessionFile::Mode::ReadOnly, &error))
                return 0;
            const std::vector<RunRecord> runs = file.runs();
            return runs.empty() ? 0 : file.lastStep(runs[0].id);
        };
        QTRY_VERIFY_WITH_TIMEOUT(committed() >= 20, 60000);
        QVERIFY(Session::recoverableSessions(dir).isEmpty());  // the running window holds it
        app.kill();  // SIGKILL
        QVERIFY(app.waitForFinished());
        const QStringList found = Session::recoverableSessions(dir);
        QCOMPARE(found.size(), 1);

        MainWindow window;
        window.startRecovery(dir);
        QVERIFY(!window.session()->isRecovery());  // asking first
        window.answerRecovery(QMessageBox::Yes);
        QVERIFY(window.session()->isRecovery());
        QCOMPARE(window.session()->recoveryPath(), found.first());
        QCOMPARE(window.session()->keptRuns().size(), size_t(1));
        QVERIFY(window.session()->keptRuns()[0]->history.steps().size() >= 20);
        QCOMPARE(window.curves()->overlayCount(), 1);
        QVERIFY(window.session()->hasUnsavedRuns());
        QCOMPARE(window.windowTitle(), QStringLiteral("AttnScope (restored, not saved)"));
        // Its data opens too, as Open session's does: without it the run was
        // its total curve only, with no word why.
        QTRY_COMPARE_WITH_TIMEOUT(window.dataSpec(), QStringLiteral("builtin:reviews?n=200"), 30000);

        const QString saved = home.filePath(QStringLiteral("saved.attnscope"));
        QVERIFY(window.saveSessionAs(saved));
        QVERIFY(!window.session()->isRecovery());
        QVERIFY(!QFileInfo::exists(found.first()));
        QVERIFY(Session::recoverableSessions(dir).isEmpty());
        QCOMPARE(window.windowTitle(), QStringLiteral("saved.attnscope — AttnScope"));
    }

    // A session file dropped on the window opened at once: the runs no file
    // of the user's had went, and their recovery file with them, without
    // the question File > Open session asks (stop 30). A drop asks too.
    void droppedSessionAsksFirst()
    {
        QTemporaryDir home;
        const QString other = home.filePath(QStringLiteral("other.attnscope"));
        {
            MainWindow window;
            QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
            QTRY_VERIFY(window.startAction()->isEnabled());
            QVERIFY(step(window, 2));
            QVERIFY(window.saveSessionAs(other));
        }
        MainWindow window;
        window.startRecovery(home.filePath(QStringLiteral("recovery")));
        QVERIFY(window.session()->isRecovery());
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QTRY_VERIFY(window.startAction()->isEnabled());
        QVERIFY(step(window, 3));
        QVERIFY(window.session()->hasUnsavedRuns());
        const QString recovery = window.session()->recoveryPath();
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const auto drop = [&window, &other]() {
            QMimeData data;
            data.setUrls({QUrl::fromLocalFile(other)});
            // As a drag delivers it: entered (and accepted), then dropped.
            const QPoint at = window.rect().center();
            QDragEnterEvent enter(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(&window, &enter);
            QVERIFY(enter.isAccepted());
            QDropEvent event(QPointF(at), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(&window, &event);
        };
        const auto question = [&window]() -> QMessageBox * {
            for (auto *box : window.findChildren<QMessageBox *>())
                if (box->isVisible() && box->text().contains(QStringLiteral("other.attnscope")))
                    return box;
            return nullptr;
        };
        drop();
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = question()));
        QCOMPARE(window.session()->recoveryPath(), recovery);  // nothing opened yet
        QVERIFY(QFileInfo::exists(recovery));
        QTest::mouseClick(box->button(QMessageBox::Cancel), Qt::LeftButton);
        QTRY_VERIFY(!question());
        QVERIFY(window.session()->isRecovery());
        QVERIFY(window.session()->hasUnsavedRuns());
        QCOMPARE(window.training()->currentStep(), int64_t(3));
        // Open: the file opens, as from the menu.
        drop();
        QTRY_VERIFY((box = question()));
        QTest::mouseClick(box->button(QMessageBox::Open), Qt::LeftButton);
        QTRY_COMPARE(window.session()->sessionPath(), other);
    }

    // A window that trained nothing leaves no recovery file; one whose runs
    // were not saved leaves it for the next start, which may discard it.
    void recoveryOfACleanClose()
    {
        QTemporaryDir home;
        const QString dir = home.filePath(QStringLiteral("recovery"));
        {
            MainWindow window;
            window.startRecovery(dir);
            QVERIFY(window.session()->isRecovery());
            QVERIFY(QFileInfo::exists(window.session()->recoveryPath()));
        }
        QVERIFY(QDir(dir).entryList({QStringLiteral("*.attnscope")}, QDir::Files).isEmpty());
        {
            MainWindow window;
            window.startRecovery(dir);
            QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
            QTRY_VERIFY(window.startAction()->isEnabled());
            QVERIFY(step(window, 3));
        }
        QCOMPARE(Session::recoverableSessions(dir).size(), 1);
        MainWindow window;
        window.startRecovery(dir);
        window.answerRecovery(QMessageBox::Discard);
        QVERIFY(window.session()->isRecovery());  // a new one
        QVERIFY(Session::recoverableSessions(dir).isEmpty());
        QCOMPARE(QDir(dir).entryList({QStringLiteral("*.attnscope")}, QDir::Files).size(), 1);  // this window's
    }

    // attnscope --session FILE: Qt takes "-session" (and "--session") for
    // X11 session management; ours reaches the window all the same. A file
    // that is no session is pictured with its error, exit status 1; a new
    // one is made and the run trained is written to it.
    void sessionOption()
    {
        const auto run = [&](const QStringList &args) {
            QProcess app;
            app.setProcessEnvironment(appEnvironment(m_dir.path()));
            app.start(QStringLiteral(ATTNSCOPE_APP), args);
            app.waitForFinished(120000);
            return std::make_pair(app.exitCode(), QString::fromUtf8(app.readAllStandardError()));
        };
        const QString notes = m_dir.filePath(QStringLiteral("notes.attnscope"));
        QFile f(notes);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a session");
        f.close();
        const QString png = m_dir.filePath(QStringLiteral("shot.png"));
        auto [code, err] = run({QStringLiteral("--session"), notes, QStringLiteral("--screenshot"), png});
        QCOMPARE(code, 1);
        QVERIFY2(err.contains(notes + QStringLiteral(": is not an SQLite database")), qPrintable(err));
        QVERIFY(!QImage(png).isNull());

        const QString made = m_dir.filePath(QStringLiteral("made.attnscope"));
        std::tie(code, err) = run({QStringLiteral("--session=") + made, QStringLiteral("--data"),
                                   QStringLiteral("builtin:reviews?n=200"), QStringLiteral("--screenshot"), png,
                                   QStringLiteral("--after-steps"), QStringLiteral("5")});
        QVERIFY2(code == 0, qPrintable(err));
        SessionFile file;
        QString error;
        QVERIFY2(file.open(made, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
        const std::vector<RunRecord> runs = file.runs();
        QCOMPARE(runs.size(), size_t(1));
        QVERIFY(file.lastStep(runs[0].id) >= 5);
        QVERIFY(file.latestCheckpoint(runs[0].id));  // the pause before the picture left the weights
    }

    // attnscope --session F --data X: X opens (not the data of F's newest
    // run), and the run trained on it has the settings of F's newest run on
    // X (1 layer, shared, seed 7, lr 0.007), as the Model and Training
    // panels show them after a plain reopen. Before, the session's data and
    // X both loaded and the panels took X's suggested depth (0 layers for
    // the reviews) and their defaults.
    void sessionWithDataShowsTheRunsSettings()
    {
        const QString file = m_dir.filePath(QStringLiteral("withdata.attnscope"));
        {
            SessionWriter writer;
            QString error;
            QVERIFY2(writer.open(file, &error), qPrintable(error));
            RunRecord r;
            r.name = QStringLiteral("shared one");
            r.dataset = QStringLiteral("builtin:reviews?n=200");
            r.tasks = {QStringLiteral("sentiment"), QStringLiteral("topic"), QStringLiteral("urgency")};
            r.model.layers = 1;
            r.model.mode = AttentionMode::Shared;
            r.train.optimizer.lr = 0.007f;
            r.train.seed = 7;
            r.train.epochs = 3;
            QVERIFY(writer.addRun(&r) > 0);
            QVERIFY(writer.flush());
            writer.close();
        }
        QProcess app;
        app.setProcessEnvironment(appEnvironment(m_dir.path()));
        app.start(QStringLiteral(ATTNSCOPE_APP),
                  {QStringLiteral("--session"), file, QStringLiteral("--data"), QStringLiteral("builtin:reviews?n=200"),
                   QStringLiteral("--screenshot"), m_dir.filePath(QStringLiteral("withdata.png")),
                   QStringLiteral("--after-steps"), QStringLiteral("3")});
        QVERIFY(app.waitForFinished(120000));
        QVERIFY2(app.exitCode() == 0, app.readAllStandardError().constData());
        SessionFile session;
        QString error;
        QVERIFY2(session.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
        const std::vector<RunRecord> runs = session.runs();
        QCOMPARE(runs.size(), size_t(2));
        const RunRecord &trained = runs[1];
        QCOMPARE(trained.dataset, QStringLiteral("builtin:reviews?n=200"));
        QCOMPARE(trained.model.layers, 1);
        QCOMPARE(trained.model.mode, AttentionMode::Shared);
        QCOMPARE(trained.train.seed, uint64_t(7));
        QCOMPARE(trained.train.optimizer.lr, 0.007f);
        QCOMPARE(trained.train.epochs, 3);
        QVERIFY(session.lastStep(trained.id) >= 3);
    }
};

QTEST_MAIN(TestRuns)
#include "test_runs.moc"
