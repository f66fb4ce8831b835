// The training workbench: the control state machine, the toolbar driving the
// real worker on builtin:reviews?n=200, closing mid-training, the plot
// receiving every point, exports writing valid files, invalid model fields
// refused at the field, and a checkpoint restoring the model.
#include "controlstate.h"
#include "datasetpanel.h"
#include "lossplot.h"
#include "mainwindow.h"
#include "modelpanel.h"
#include "trainingpanel.h"

#include <QAction>
#include <QDoubleSpinBox>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include <qcustomplot.h>

using namespace attnscope;
using State = TrainingWorker::State;

namespace {

constexpr int Timeout = 20000;
const QString Data = QStringLiteral("builtin:reviews?n=200");

void smallModel(MainWindow &w)
{
    ModelConfig c;
    c.dim = 16;
    c.heads = 2;
    c.ffn = 32;
    c.maxLen = 32;
    w.modelPanel()->setConfig(c, 1);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestWorkbench : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("AttnScopeTest"));
        QSettings().clear();
    }

    void controlStateMachine_data()
    {
        QTest::addColumn<int>("state");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("enabled");  // s t a r t, p ause, R esume, S tep, o stop, x reset
        QTest::newRow("empty") << int(State::Empty) << true << QString();
        QTest::newRow("ready") << int(State::Ready) << true << QStringLiteral("sS");
        QTest::newRow("ready, invalid fields") << int(State::Ready) << false << QString();
        QTest::newRow("running") << int(State::Running) << true << QStringLiteral("pox");
        QTest::newRow("paused") << int(State::Paused) << true << QStringLiteral("pRSox");
        QTest::newRow("stopped") << int(State::Stopped) << true << QStringLiteral("sx");
        QTest::newRow("finished") << int(State::Finished) << true << QStringLiteral("sx");
    }
    void controlStateMachine()
    {
        QFETCH(int, state);
        QFETCH(bool, valid);
        QFETCH(QString, enabled);
        const ControlState c = controlState(State(state), valid);
        QString got;
        if (c.start) got += QLatin1Char('s');
        if (c.pause) got += QLatin1Char('p');
        if (c.resume) got += QLatin1Char('R');
        if (c.step) got += QLatin1Char('S');
        if (c.stop) got += QLatin1Char('o');
        if (c.reset) got += QLatin1Char('x');
        QCOMPARE(got, enabled);
    }

    void toolbarDrivesTheWorker()
    {
        MainWindow w;
        smallModel(w);
        QVERIFY(!w.startAction()->isEnabled());  // no data yet
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QVERIFY(w.startAction()->isEnabled());
        QVERIFY(!w.pauseAction()->isEnabled());

        w.stepAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->pointCount(), int64_t(1), Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Paused, Timeout);
        QCOMPARE(w.pauseAction()->text().remove(QLatin1Char('&')), QStringLiteral("Resume"));

        w.pauseAction()->trigger();  // resume
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Running, Timeout);
        QVERIFY(!w.startAction()->isEnabled());
        QVERIFY(w.stopAction()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(w.curves()->pointCount() >= 25, Timeout);
        w.pauseAction()->trigger();  // pause
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Paused, Timeout);
        // The plot got every step, and a validation point per epoch (5 steps of 32 from 160).
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->pointCount(), w.training()->currentStep(), Timeout);
        QVERIFY(w.curves()->evalCount() >= 5);
        QVERIFY(w.curves()->redrawCount() > 0);
        QTRY_VERIFY_WITH_TIMEOUT(w.curves()->drawnPoints(0) > 0, Timeout);

        // A learning-rate change while paused is marked at the next step.
        w.trainingPanel()->learningRateField()->setValue(0.001);
        w.stepAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->changeCount(), 1, Timeout);

        w.stopAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Stopped, Timeout);
        QVERIFY(w.startAction()->isEnabled());
        QVERIFY(!w.stepAction()->isEnabled());

        w.resetAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->pointCount(), int64_t(0), Timeout);
    }

    void closingMidTraining()
    {
        for (int i = 0; i < 2; ++i) {
            auto w = std::make_unique<MainWindow>();
            smallModel(*w);
            w->show();
            QVERIFY(w->openDataset(Data));
            QTRY_COMPARE_WITH_TIMEOUT(w->training()->state(), State::Ready, Timeout);
            w->startAction()->trigger();
            QTRY_VERIFY_WITH_TIMEOUT(w->curves()->pointCount() >= 3, Timeout);
            QVERIFY(w->close());
            w.reset();
        }
    }

    void newDatasetWhileTraining()
    {
        MainWindow w;
        smallModel(w);
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        w.startAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(w.curves()->pointCount() >= 3, Timeout);
        QVERIFY(w.openDataset(QStringLiteral("builtin:reviews?n=100&seed=3")));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->pointCount(), int64_t(0), Timeout);
        QVERIFY(w.datasetPanel()->summaryText().contains(QStringLiteral("<b>100</b>")));
    }

    void exportsWriteValidFiles()
    {
        MainWindow w;
        w.resize(1200, 800);
        w.show();
        smallModel(w);
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        for (int i = 0; i < 12; ++i)
            w.training()->step();
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->pointCount(), int64_t(12), Timeout);
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("curves.csv"));
        QVERIFY(w.exportCurves(csv));
        const QList<QByteArray> rows = readAll(csv).trimmed().split('\n');
        QCOMPARE(rows.size(), 13);  // header + one row per step
        QVERIFY(rows[0].startsWith("step,epoch,lr,loss,loss_sentiment,loss_topic,loss_urgency"));
        QVERIFY(rows[0].contains("val_accuracy_topic"));
        QCOMPARE(rows[0].count(','), rows[5].count(','));
        QVERIFY(rows[5].split(',')[0] == "5");
        // Validation columns filled on the epoch's last step (5 steps of 32 samples).
        QVERIFY(!rows[5].split(',').at(11).isEmpty());

        const QString png = dir.filePath(QStringLiteral("curves.png"));
        QVERIFY(w.exportPlot(png));
        QVERIFY(readAll(png).startsWith("\x89PNG\r\n\x1a\n"));
        const QString svg = dir.filePath(QStringLiteral("curves.svg"));
        QVERIFY(w.exportPlot(svg));
        const QByteArray svgText = readAll(svg);
        QVERIFY(svgText.startsWith("<?xml"));
        QVERIFY(svgText.contains("<svg"));
        QVERIFY(svgText.trimmed().endsWith("</svg>"));
        const QString pdf = dir.filePath(QStringLiteral("curves.pdf"));
        QVERIFY(w.exportPlot(pdf));
        QVERIFY(readAll(pdf).startsWith("%PDF"));
        QVERIFY(!w.exportPlot(dir.filePath(QStringLiteral("curves.bmpx"))));
        QVERIFY(w.lastError().contains(QStringLiteral("unknown image type")));
    }

    void invalidFieldsAreRefused()
    {
        MainWindow w;
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QVERIFY(w.startAction()->isEnabled());
        w.modelPanel()->headsField()->setValue(3);  // 64 is not a multiple of 3
        QVERIFY(!w.modelPanel()->isValid());
        QVERIFY2(w.modelPanel()->problem().contains(QStringLiteral("not a multiple of 3")),
                 qPrintable(w.modelPanel()->problem()));
        QVERIFY(!w.startAction()->isEnabled());
        QVERIFY(!w.stepAction()->isEnabled());
        QVERIFY(!w.modelPanel()->widthField()->styleSheet().isEmpty());
        w.modelPanel()->widthField()->setValue(48);
        QVERIFY(w.modelPanel()->isValid());
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QVERIFY(w.startAction()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->setup()->model.config.dim, 48, Timeout);
        QCOMPARE(w.training()->setup()->model.config.heads, 3);
    }

    void checkpointRestoresTheModel()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("model.safetensors"));
        std::vector<float> trained;
        {
            MainWindow w;
            smallModel(w);
            QVERIFY(w.openDataset(Data));
            QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
            for (int i = 0; i < 10; ++i)
                w.training()->step();
            QTRY_COMPARE_WITH_TIMEOUT(w.training()->currentStep(), int64_t(10), Timeout);
            QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Paused, Timeout);
            QVERIFY(w.saveCheckpoint(path));
            trained = w.training()->modelCopy()->params;
        }
        MainWindow w;  // default fields: dim 64, heads 4
        QVERIFY(w.openDataset(Data));
        QVERIFY(w.openCheckpoint(path));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(w.training()->modelCopy() && w.training()->modelCopy()->params == trained, Timeout);
        QCOMPARE(w.modelPanel()->config().dim, 16);
        QCOMPARE(w.modelPanel()->config().heads, 2);
        QCOMPARE(w.training()->setup()->model.vocab.size(), size_t(w.training()->setup()->model.config.vocabSize));
        const EvalResult r = w.evaluateNow();
        QCOMPARE(r.samples, 40);
        QCOMPARE(r.tasks.size(), size_t(3));
        QVERIFY(r.tasks[0].accuracy > 0);
        QVERIFY(!w.openCheckpoint(dir.filePath(QStringLiteral("missing.safetensors"))));
    }

    void plotOptions()
    {
        LossPlot plot;
        plot.resize(900, 600);
        plot.setTasks({QStringLiteral("a"), QStringLiteral("b")});
        TrainingSnapshot s;
        for (int i = 1; i <= 5000; ++i)
            s.steps.push_back({i, i / 100.0, float(2.0 / i + 0.01), {1.0f / i, 1.0f / i}, 0.003f, 1.0f});
        plot.append(s);
        plot.redraw();
        // Decimated to about two points per pixel column, not 5000.
        QVERIFY(plot.drawnPoints(0) > 50);
        QVERIFY(plot.drawnPoints(0) < 2 * 900 + 10);
        plot.setLogScale(true);
        QCOMPARE(plot.plot()->axisRects().first()->axis(QCPAxis::atLeft)->scaleType(), QCPAxis::stLogarithmic);
        plot.setXAxis(LossPlot::XAxis::Epoch);
        plot.redraw();
        QVERIFY(plot.plot()->axisRects().first()->axis(QCPAxis::atBottom)->range().upper < 60);
        plot.setSeriesVisible(1, false);
        QVERIFY(!plot.seriesVisible(1));
        plot.setSmoothing(0.0);  // raw: the smoothed curve is the data
        plot.redraw();
        QVERIFY(plot.drawnPoints(0) > 0);
    }
};

QTEST_MAIN(TestWorkbench)
#include "test_workbench.moc"
