// The Runs tab's figures and what reopening a session brings back: each
// run's line as the plot draws it, its rationale mass and faithfulness;
// a reopened session's dataset opened again (or named where it is missing).
#include "appenvironment.h"
#include "attention/attentionpanel.h"
#include "lossplot.h"
#include "modelpanel.h"
#include "mainwindow.h"
#include "runspanel.h"
#include "session.h"
#include "sessionwriter.h"
#include "datasetpanel.h"

#include <QFile>
#include <QMessageBox>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QPushButton>
#include <QTabWidget>
#include <QTreeWidget>
#include <QtTest>

#include <qcustomplot.h>

#include <cmath>

using namespace attnscope;
using State = TrainingWorker::State;

namespace {

// Steps the current run `count` times, waiting for each.
bool step(MainWindow &window, int count)
{
    for (int i = 0; i < count; ++i) {
        const int64_t before = window.training()->currentStep();
        window.stepAction()->trigger();
        if (!QTest::qWaitFor([&] { return window.training()->currentStep() == before + 1
                                          && window.training()->state() == State::Paused; }, 10000))
            return false;
    }
    return true;
}

double number(const QTreeWidgetItem *item, int column)
{
    bool ok = false;
    const double value = item->text(column).toDouble(&ok);
    return ok ? value : NAN;
}

} // namespace

class TestRunsFigures : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    // Issue 13's list: a line-style swatch as in the legend, the rationale
    // mass and faithfulness of the run's last attention snapshot ("–"
    // without one), kept when the run is; sortable like the others.
    void showsLineMassAndFaithfulness()
    {
        MainWindow window;
        window.resize(1400, 860);
        window.show();
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QTRY_VERIFY(window.startAction()->isEnabled());
        QTreeWidget *table = window.runs()->table();
        QCOMPARE(table->headerItem()->text(RunsPanel::Line), QStringLiteral("Line"));
        QCOMPARE(table->headerItem()->text(RunsPanel::RationaleMass), QStringLiteral("Rationale mass"));
        QCOMPARE(table->headerItem()->text(RunsPanel::Faithfulness), QStringLiteral("Faithfulness"));
        const int current = window.session()->currentRun()->id();
        QTRY_VERIFY(window.runs()->row(current));
        QCOMPARE(window.runs()->row(current)->text(RunsPanel::RationaleMass), QStringLiteral("–"));  // no snapshot yet
        QCOMPARE(window.runs()->row(current)->text(RunsPanel::Faithfulness), QStringLiteral("–"));
        // Its attention (the Attention tab shown, live explanations on by default).
        window.views()->setCurrentWidget(window.attention());
        QVERIFY(step(window, 12));
        QTRY_VERIFY_WITH_TIMEOUT(std::isfinite(number(window.runs()->row(current), RunsPanel::RationaleMass))
                                     && std::isfinite(number(window.runs()->row(current), RunsPanel::Faithfulness)),
                                 30000);
        const double mass = number(window.runs()->row(current), RunsPanel::RationaleMass);
        const double faithfulness = number(window.runs()->row(current), RunsPanel::Faithfulness);
        QVERIFY2(mass > 0 && mass <= 1, qPrintable(QString::number(mass)));
        QVERIFY(window.runs()->row(current)->toolTip(RunsPanel::RationaleMass).contains(QStringLiteral("sentiment")));
        QVERIFY(window.runs()->row(current)->toolTip(RunsPanel::Faithfulness).contains(QStringLiteral("comprehensiveness")));
        QCOMPARE(window.runs()->row(current)->data(RunsPanel::Line, RunsPanel::LookRole).toInt(), -1);  // solid

        // Reset keeps the run: its row keeps its figures and takes the first earlier run's line.
        window.resetAction()->trigger();
        QTRY_COMPARE(table->topLevelItemCount(), 2);
        QTreeWidgetItem *kept = window.runs()->row(current);
        QVERIFY(kept);
        QCOMPARE(number(kept, RunsPanel::RationaleMass), mass);
        QCOMPARE(number(kept, RunsPanel::Faithfulness), faithfulness);
        QCOMPARE(kept->data(RunsPanel::Line, RunsPanel::LookRole).toInt(), 0);
        QVERIFY(!kept->icon(RunsPanel::Line).isNull());
        QCOMPARE(LossPlot::overlayLook(0).dashes, QPen(Qt::DotLine).dashPattern());
        // Sorted by mass (the new run's is of its step 0, or "–", sorted last).
        table->sortByColumn(RunsPanel::RationaleMass, Qt::AscendingOrder);
        const double a = number(table->topLevelItem(0), RunsPanel::RationaleMass);
        const double b = number(table->topLevelItem(1), RunsPanel::RationaleMass);
        QVERIFY2(!std::isfinite(b) || a <= b, qPrintable(QStringLiteral("%1 before %2").arg(a).arg(b)));
        table->sortByColumn(RunsPanel::RationaleMass, Qt::DescendingOrder);
        QVERIFY(!std::isfinite(b) || number(table->topLevelItem(0), RunsPanel::RationaleMass) == b);
        // Hidden: not drawn, no line.
        kept->setCheckState(RunsPanel::Name, Qt::Unchecked);
        QTRY_VERIFY(!window.session()->keptRuns()[0]->shown);
        QTRY_VERIFY(!window.runs()->row(current)->data(RunsPanel::Line, RunsPanel::LookRole).isValid());
    }

    // A setting that needs a new model, changed after steps: the question
    // says what Yes does (the run is kept), not that its progress is lost.
    void resetQuestionSaysTheRunIsKept()
    {
        MainWindow window;
        window.show();
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QTRY_VERIFY(window.startAction()->isEnabled());
        QVERIFY(step(window, 1));
        const int first = window.session()->currentRun()->id();
        ModelConfig config = window.modelPanel()->config();
        config.layers += 1;
        window.modelPanel()->setConfig(config, window.modelPanel()->seed());
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = window.findChild<QMessageBox *>()) && box->isVisible());
        QCOMPARE(box->windowTitle(), QStringLiteral("Start a new run?"));
        QVERIFY2(!box->text().contains(QStringLiteral("lose")), qPrintable(box->text()));
        QVERIFY2(box->text().contains(QStringLiteral("stays in the Runs tab")), qPrintable(box->text()));
        box->button(QMessageBox::Yes)->click();
        // As it says: the run is kept, a new one is current.
        QTRY_VERIFY(window.session()->currentRun()->id() != first);
        QTRY_VERIFY(window.runs()->row(first));
        QCOMPARE(window.runs()->row(first)->text(RunsPanel::Steps), QStringLiteral("1"));
    }

    // Reopening a session opens its runs' data: a built-in, or its file
    // (absolute, or relative to the session file); a missing file is named.
    void reopeningOpensTheRunsData()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString builtin = writeSession(dir.filePath(QStringLiteral("b.attnscope")), QStringLiteral("builtin:reviews?n=200"));
        {
            MainWindow window;
            QSignalSpy loaded(&window, &MainWindow::datasetLoadFinished);
            QVERIFY(window.openSession(builtin));
            QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 30000);
            QCOMPARE(loaded[0][1].toBool(), true);
            QCOMPARE(window.session()->dataSpec(), QStringLiteral("builtin:reviews?n=200"));
            QTRY_VERIFY(window.startAction()->isEnabled());
            // Its tasks' curves: the runs' sentiment, drawn.
            window.curves()->redraw();
            QCPGraph *task = window.curves()->overlayGraph(0, 1);
            QVERIFY(task && task->data()->size() == 50);
        }
        // A CSV beside the session, named relative to it, opened from another directory.
        QFile csv(dir.filePath(QStringLiteral("notes.csv")));
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write("text,label\n");
        for (int i = 0; i < 40; ++i)
            csv.write(QByteArray(i % 2 ? "good fine nice " : "bad awful poor ") + QByteArray::number(i) + (i % 2 ? ",pos\n" : ",neg\n"));
        csv.close();
        const QString relative = writeSession(dir.filePath(QStringLiteral("r.attnscope")), QStringLiteral("notes.csv"));
        {
            MainWindow window;
            QSignalSpy loaded(&window, &MainWindow::datasetLoadFinished);
            QVERIFY(window.openSession(relative));
            QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 30000);
            QCOMPARE(window.session()->dataSpec(), dir.filePath(QStringLiteral("notes.csv")));
        }
        // A file that is not there: named in the status and the Dataset panel, nothing opened.
        const QString gone = dir.filePath(QStringLiteral("gone/data.csv"));
        const QString missing = writeSession(dir.filePath(QStringLiteral("m.attnscope")), gone);
        MainWindow window;
        QVERIFY(window.openSession(missing));
        QVERIFY(window.session()->dataSpec().isEmpty());
        QVERIFY2(window.datasetPanel()->loadError().contains(gone), qPrintable(window.datasetPanel()->loadError()));
        QVERIFY2(window.statusMessage().contains(gone), qPrintable(window.statusMessage()));
    }

private:
    // A session file of two runs on `dataset`, 50 steps each, as the CLI writes one.
    static QString writeSession(const QString &file, const QString &dataset)
    {
        SessionWriter writer;
        QString error;
        if (!writer.open(file, &error))
            qFatal("%s", qPrintable(error));
        for (const char *name : {"task", "shared"}) {
            RunRecord r;
            r.name = QString::fromLatin1(name);
            parseAttentionMode(name, &r.model.mode);
            r.dataset = dataset;
            r.tasks = {QStringLiteral("sentiment"), QStringLiteral("topic"), QStringLiteral("urgency")};
            writer.addRun(&r);
            TrainingSnapshot s;
            for (int64_t i = 1; i <= 50; ++i)
                s.steps.push_back({i, double(i) / 50, 2.0f / float(i), {0.7f / float(i), 1.0f / float(i), 0.3f}, 0.003f, 1.0f});
            s.evals.push_back({50, 1.0, 0.5, {0.1, 0.2, 0.3}, {0.9, 0.8, 0.7}, {}, {}});
            writer.appendSnapshot(r.id, s);
        }
        return file;
    }
};

QTEST_MAIN(TestRunsFigures)
#include "test_runsfigures.moc"
