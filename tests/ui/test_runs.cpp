// The window keeps every run: the Runs tab lists them (the current one in
// bold) with their settings and figures, sorts by a column, renames, hides
// and deletes; the plot draws the shown earlier runs over the current one
// in line styles of their own, with a legend entry each; File > Open
// Session brings a file's runs in.
#include "lossplot.h"
#include "mainwindow.h"
#include "runspanel.h"
#include "sessionwriter.h"

#include <QHeaderView>
#include <QProcess>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include <qcustomplot.h>

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

QStringList names(const QTreeWidget *table)
{
    QStringList out;
    for (int i = 0; i < table->topLevelItemCount(); ++i)
        out << table->topLevelItem(i)->text(RunsPanel::Name);
    return out;
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
        QCOMPARE(overlay->pen().style(), Qt::DotLine);
        QCOMPARE(overlay->pen().color(), plot->graph(LossPlot::Curve::Smoothed, 1)->pen().color());
        QCOMPARE(overlay->data()->size(), 12);
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
        {
            SessionWriter writer;
            QString error;
            QVERIFY2(writer.open(file, &error), qPrintable(error));
            for (const char *name : {"task", "shared", "gated"}) {
                RunRecord r;
                r.name = QString::fromLatin1(name);
                parseAttentionMode(name, &r.model.mode);
                r.dataset = QStringLiteral("builtin:reviews");
                r.tasks = {QStringLiteral("sentiment"), QStringLiteral("topic"), QStringLiteral("urgency")};
                writer.addRun(&r);
                TrainingSnapshot s;
                for (int64_t i = 1; i <= 50; ++i)
                    s.steps.push_back({i, double(i) / 50, 2.0f / float(i), {0.7f / float(i), 1.0f / float(i), 0.3f}, 0.003f, 1.0f});
                s.evals.push_back({50, 1.0, 0.5, {0.1, 0.2, 0.3}, {0.9, 0.8, 0.7}, {}});
                writer.appendSnapshot(r.id, s);
            }
        }
        MainWindow window;
        QVERIFY(window.openSession(file));
        QCOMPARE(window.windowTitle(), QStringLiteral("cli.attnscope — AttnScope"));
        QCOMPARE(names(window.runs()->table()).mid(0, 3), (QStringList{"task", "shared", "gated"}));
        QCOMPARE(window.curves()->overlayCount(), 3);
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        window.curves()->redraw();
        QCPGraph *gated = window.curves()->overlayGraph(2, 1);
        QVERIFY(gated && gated->data()->size() == 50);
        QCOMPARE(gated->pen().style(), LossPlot::overlayStyle(2));
    }

    // attnscope --session FILE: Qt takes "-session" (and "--session") for
    // X11 session management; ours reaches the window all the same. A file
    // that is no session is pictured with its error, exit status 1; a new
    // one is made and the run trained is written to it.
    void sessionOption()
    {
        const auto run = [&](const QStringList &args) {
            QProcess app;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
            env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.path());  // its own settings
            app.setProcessEnvironment(env);
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
};

QTEST_MAIN(TestRuns)
#include "test_runs.moc"
