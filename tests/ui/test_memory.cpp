// Wide files in the window (issue 10): a 6-row CSV of 20,000 numeric columns
// and a JSONL of 10,000 features asked for a probes x heads x L x L buffer of
// tens of gigabytes, std::bad_alloc escaped an event handler and the window
// aborted. Now the run is refused with a message that names the file and
// the size, the window stays, and a model without encoder layers trains on
// the same file. An exception thrown by any event handler is reported and
// the window goes on (Application::notify). The files are made at test time;
// the memory budget is 2 GB (ATTNSCOPE_MEMORY_BUDGET, set in main before
// anything reads it), so the results do not depend on the machine.
#include "application.h"
#include "mainwindow.h"
#include "memorybudget.h"
#include "modelpanel.h"
#include "selfattentionview.h"
#include "sessionmemory.h"
#include "trainingcontroller.h"

#include <QAction>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

#include <new>

using namespace attnscope;
using State = TrainingWorker::State;

namespace {

constexpr int Timeout = 60000;

// rows x columns numbers in [0, 1) and a label column (a, b, a, ...).
void writeWideCsv(const QString &path, int rows, int columns)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QByteArray out;
    for (int j = 0; j < columns; ++j)
        out += 'f' + QByteArray::number(j) + ',';
    out += "label\n";
    for (int i = 0; i < rows; ++i) {
        for (int j = 0; j < columns; ++j)
            out += QByteArray::number(((i * 7919 + j * 104729) % 1000) / 1000.0) + ',';
        out += (i % 2 ? "a\n" : "b\n");
    }
    QCOMPARE(f.write(out), out.size());
}

void writeWideJsonl(const QString &path, int rows, int features)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QByteArray out;
    for (int i = 0; i < rows; ++i) {
        out += "{\"features\": {";
        for (int j = 0; j < features; ++j)
            out += (j ? ", \"f" : "\"f") + QByteArray::number(j) + "\": "
                   + QByteArray::number(((i * 7919 + j * 104729) % 1000) / 1000.0);
        out += QByteArray("}, \"labels\": {\"t\": \"") + (i % 2 ? "a" : "b") + "\"}}\n";
    }
    QCOMPARE(f.write(out), out.size());
}

// Throws from its event handler, as a slot whose buffer is sized by a file did.
class Thrower : public QObject {
public:
    bool event(QEvent *e) override
    {
        if (e->type() == QEvent::User)
            throw std::bad_alloc();
        return QObject::event(e);
    }
};

} // namespace

class TestMemory : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("AttnScopeTest"));
        QSettings().clear();
        QCOMPARE(memoryBudget(), size_t(2000000000));
        QVERIFY(m_dir.isValid());
    }

    void wideFileIsRefusedAndTrainsWithoutLayers_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("features");
        QTest::addColumn<bool>("async");
        QTest::newRow("CSV, 20000 columns") << "wide.csv" << 20000 << false;
        QTest::newRow("JSONL, 10000 features") << "wide.jsonl" << 10000 << true;
    }
    void wideFileIsRefusedAndTrainsWithoutLayers()
    {
        QFETCH(QString, name);
        QFETCH(int, features);
        QFETCH(bool, async);
        const QString path = m_dir.filePath(name);
        if (name.endsWith(QLatin1String(".csv")))
            writeWideCsv(path, 6, features);
        else
            writeWideJsonl(path, 6, features);

        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        // A small run first, with the Model panel's default of one encoder layer.
        ModelConfig config;
        QCOMPARE(config.layers, 1);
        w.modelPanel()->setConfig(config, 1);
        QVERIFY(w.openDataset(QStringLiteral("builtin:order?n=200")));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);

        // The wide file: its data opens, its run is refused with the file and the size.
        if (async) {
            QSignalSpy finished(&w, &MainWindow::datasetLoadFinished);
            w.openDatasetAsync(path);
            QVERIFY(finished.wait(Timeout));
            QCOMPARE(finished.first().at(1).toBool(), false);
        } else {
            QVERIFY(!w.openDataset(path));
        }
        const QString expected = QStringLiteral("%1: %2 features need ").arg(path).arg(features);
        QVERIFY2(w.lastError().startsWith(expected), qPrintable(w.lastError()));
        QVERIFY2(w.lastError().contains(QStringLiteral("GB for the encoder's self-attention at batch 5")),
                 qPrintable(w.lastError()));
        QVERIFY2(w.lastError().contains(QStringLiteral("budget 2 GB): use 0 encoder layers")), qPrintable(w.lastError()));
        QVERIFY(w.statusMessage().contains(name));
        QVERIFY(w.isVisible());
        QVERIFY(w.dataset() && w.dataset()->featureNames.size() == size_t(features));
        // The previous run was the other data's: there is none to start.
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Empty, Timeout);
        QVERIFY(!w.startAction()->isEnabled());

        // As the message says: without encoder layers the same file trains.
        config.layers = 0;
        w.modelPanel()->setConfig(config, 1);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QVERIFY(w.training()->setup());
        QCOMPARE(w.training()->setup()->model.config.features, features);
        // The live attention follows as many probes as the timeline has room
        // for: a sixteenth of the budget over 67 snapshots of 45 bytes a position.
        const int probes = int(2e9 / 16 / (features * 45.0 * 67));
        QCOMPARE(w.training()->setup()->maxProbes, probes);
        QVERIFY2(w.statusMessage().contains(QStringLiteral("the live attention follows %1 samples").arg(probes)),
                 qPrintable(w.statusMessage()));
        QTRY_VERIFY_WITH_TIMEOUT(w.startAction()->isEnabled(), Timeout);
        w.startAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(w.training()->currentStep() >= 3, Timeout);
        w.pauseAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Paused, Timeout);

        // One layer again: refused, and the 0-layer run (this data's) stays.
        config.layers = 1;
        w.modelPanel()->setConfig(config, 1);
        w.resetAction()->trigger();  // the window asks about a new run; Reset builds it
        QTRY_VERIFY_WITH_TIMEOUT(w.lastError().contains(QStringLiteral("use 0 encoder layers")), Timeout);
        QVERIFY(w.training()->setup());
        QCOMPARE(w.training()->setup()->model.config.layers, 0);
        QVERIFY(w.isVisible());
    }

    // The live attention keeps a sample's self-attention maps only up to the
    // run's limit, the selected (focus) sample's too; the view says why a
    // map is missing.
    void mapsBeyondTheLimitAreNotKept()
    {
        const QString path = m_dir.filePath(QStringLiteral("300.csv"));
        writeWideCsv(path, 12, 300);
        Dataset data;
        std::string error;
        QVERIFY2(loadDataset(path.toStdString(), &data, &error), error.c_str());
        ModelConfig config;
        config.dim = 16;
        config.ffn = 16;
        TrainConfig train;
        TrainingSetup setup;
        QVERIFY2(buildSetup(data, config, train, 0.2, &setup, &error), error.c_str());
        QVERIFY(setup.memoryNote.empty());
        const double maps = 4.0 * 300 * 300 * sizeof(float);  // one layer, four heads: 1.44 MB a sample
        SnapshotLimits limits;
        limits.focus = 0;
        limits.keepLimit = maps - 1;
        const AttentionSnapshot cut = makeSnapshot(setup.model, setup.val, {0, 1}, 7, nullptr, limits);
        QCOMPARE(cut.samples.size(), size_t(2));
        QVERIFY(cut.samples[0].selfAttention.empty() && cut.samples[1].selfAttention.empty());
        QCOMPARE(cut.selfAttentionLimit, maps - 1);
        limits.keepLimit = maps;
        const AttentionSnapshot kept = makeSnapshot(setup.model, setup.val, {0, 1}, 7, nullptr, limits);
        QVERIFY(!kept.samples[0].selfAttention.empty());  // the focus
        QVERIFY(kept.samples[1].selfAttention.empty());   // no room left beside it
        QCOMPARE(cut.samples[0].weights, kept.samples[0].weights);

        SelfAttentionView view;
        view.show();
        view.setSnapshot(cut);
        view.setSelectedSample(0);
        const auto note = [&view]() {
            QStringList texts;
            for (const QLabel *label : view.findChildren<QLabel *>())
                texts << label->text();
            return texts.join(QLatin1Char('|'));
        };
        QTRY_VERIFY2(note().contains(QStringLiteral("Self-attention not kept: the maps of 300 positions take 1.4 MB")),
                     qPrintable(note()));

        // A run that fits only without the maps keeps none, and says so.
        const int L = 300;
        const auto need = [&](bool keepMaps) {
            return runMemory(setup.model.config, setup.config, int(setup.train.samples.size()), L,
                             int(setup.val.samples.size()), L, WindowWeightCopies, WindowPasses, keepMaps).total();
        };
        QVERIFY(need(true) > need(false));
        setMemoryBudget(size_t((need(true) + need(false)) / 2));
        QVERIFY2(fitMemory(&setup, &error), error.c_str());
        QCOMPARE(setup.selfAttentionLimit, 0.0);
        QVERIFY2(setup.memoryNote.find("the self-attention maps are not kept") != std::string::npos, setup.memoryNote.c_str());
        setMemoryBudget(size_t(need(false) - 1));
        QVERIFY(!fitMemory(&setup, &error));
        QVERIFY2(error.find(path.toStdString() + ": 300 features need ") == 0, error.c_str());
        setMemoryBudget(0);
        view.setSnapshot(makeSnapshot(setup.model, setup.val, {0}, 8, nullptr, [] {
            SnapshotLimits none;
            none.keepLimit = 0;
            return none;
        }()));
        QTRY_VERIFY2(note().contains(QStringLiteral("this run needs the whole memory budget")), qPrintable(note()));
    }

    // The last boundary: what an event handler throws is reported in the
    // window, which goes on.
    void exceptionInAnEventHandlerIsReported()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        Thrower thrower;
        thrower.setObjectName(QStringLiteral("thrower"));
        QCoreApplication::postEvent(&thrower, new QEvent(QEvent::User));
        QTRY_VERIFY_WITH_TIMEOUT(w.lastError().startsWith(QStringLiteral("out of memory in QObject (thrower)")), Timeout);
        QVERIFY(w.isVisible());
        QVERIFY(w.openDataset(QStringLiteral("builtin:order?n=200")));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
    }

private:
    QTemporaryDir m_dir;
};

int main(int argc, char **argv)
{
    qputenv("ATTNSCOPE_MEMORY_BUDGET", "2G");
    Application app(argc, argv);
    TestMemory test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "test_memory.moc"
