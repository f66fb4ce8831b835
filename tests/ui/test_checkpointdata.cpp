// A checkpoint opened on data in the window reads the data as
// `attnscope-cli eval` does (issue 15, accept25 D2 and D3): with the column
// roles the checkpoint remembers, unless the user chose the file's roles in
// the column table; a held-out file whose classes are a subset of the
// checkpoint's is relabelled to its classes; a class it does not know is
// refused by name, and the reason stays in the Dataset panel.
#include "datasetpanel.h"
#include "fruitdata.h"
#include "mainwindow.h"
#include "modelpanel.h"
#include "session.h"
#include "trainer.h"
#include "trainingworker.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace attnscope;
using State = TrainingWorker::State;

namespace {

constexpr int Timeout = 20000;

QStringList taskNames(const Dataset &data)
{
    QStringList names;
    for (const TaskInfo &task : data.tasks)
        names << QString::fromStdString(task.name);
    return names;
}

// The role the Dataset panel's column table gives `column`.
ColumnRole roleIn(const DatasetPanel *panel, const std::string &column)
{
    for (const CsvColumn &c : panel->columns())
        if (c.name == column)
            return c.role;
    return ColumnRole::Ignored;
}

} // namespace

class TestCheckpointData : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_train, m_checkpoint;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_train = writeFruit(m_dir.filePath(QStringLiteral("fruit_train.csv")), 120, QStringLiteral("abc"));
        m_checkpoint = m_dir.filePath(QStringLiteral("fl.safetensors"));
        QVERIFY(writeCheckpoint(m_train, m_checkpoint));
    }

    // D2: the guess makes `kind` a second task; the checkpoint opened over
    // the file reads it again with its own roles (label the only task, kind
    // ignored in the column table), and its run is ready to train.
    void checkpointOverGuessedRoles()
    {
        MainWindow w;
        QVERIFY(w.openDataset(m_train));
        const QStringList guessed = taskNames(*w.session()->dataset());
        QVERIFY2(guessed.size() == 2 && guessed.contains(QStringLiteral("kind")), qPrintable(guessed.join(u',')));
        QVERIFY(w.openCheckpoint(m_checkpoint));
        QVERIFY(w.session()->dataset());
        QCOMPARE(taskNames(*w.session()->dataset()), QStringList({"label"}));
        QVERIFY(w.session()->checkpoint());
        QCOMPARE(roleIn(w.datasetPanel(), "label"), ColumnRole::Task);
        QVERIFY(roleIn(w.datasetPanel(), "kind") != ColumnRole::Task);
        QCOMPARE(roleIn(w.datasetPanel(), "text"), ColumnRole::Text);
        QVERIFY2(w.datasetPanel()->loadError().isEmpty(), qPrintable(w.datasetPanel()->loadError()));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QVERIFY(w.startAction()->isEnabled());
        QCOMPARE(w.session()->dataOptions().taskColumns, std::vector<std::string>({"label"}));
    }

    // The other order: data opened for an open checkpoint is read with its roles.
    void dataForAnOpenCheckpoint()
    {
        MainWindow w;
        QVERIFY(w.openCheckpoint(m_checkpoint));
        QVERIFY(w.openDataset(m_train));
        QCOMPARE(taskNames(*w.session()->dataset()), QStringList({"label"}));
        QVERIFY(w.session()->checkpoint());
        QVERIFY(roleIn(w.datasetPanel(), "kind") != ColumnRole::Task);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
    }

    // Roles the user chose in the column table win: the checkpoint does not
    // fit them, the data closes, and the panel says why (the tasks).
    void chosenRolesWin()
    {
        MainWindow w;
        LoadOptions chosen;
        chosen.textColumn = "text";
        chosen.taskColumns = {"label", "kind"};
        QVERIFY(w.openDataset(m_train, chosen));
        QVERIFY(w.openCheckpoint(m_checkpoint));
        QVERIFY(!w.session()->dataset());
        const QString why = w.datasetPanel()->loadError();
        QVERIFY2(why.contains(QStringLiteral("kind")) && why.contains(QStringLiteral("was trained on [label]")),
                 qPrintable(why));
    }

    // D3: a held-out file of classes a and b (the checkpoint has a, b, c)
    // is scored with the checkpoint, its labels the checkpoint's class ids.
    void subsetOfTheClasses()
    {
        const QString sub = writeFruit(m_dir.filePath(QStringLiteral("fruit_sub.csv")), 40, QStringLiteral("ab"));
        MainWindow w;
        QVERIFY(w.openDataset(sub));
        QVERIFY(w.openCheckpoint(m_checkpoint));
        QVERIFY(w.session()->dataset());
        QVERIFY(w.session()->checkpoint());
        const Dataset &data = *w.session()->dataset();
        QCOMPARE(taskNames(data), QStringList({"label"}));
        QCOMPARE(data.tasks[0].classes, std::vector<std::string>({"a", "b", "c"}));
        QVERIFY2(w.datasetPanel()->loadError().isEmpty(), qPrintable(w.datasetPanel()->loadError()));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        // The worker holds the checkpoint's weights (the run built on the first, guessed roles had two tasks).
        QTRY_VERIFY_WITH_TIMEOUT(w.training()->modelCopy() && w.training()->modelCopy()->tasks.size() == 1, Timeout);
        const EvalResult r = w.evaluateNow();
        QVERIFY(r.samples > 0);
        QCOMPARE(r.tasks.size(), size_t(1));
    }

    // A class the checkpoint does not know is refused by name, and the
    // reason stays shown (the panel, the status bar), not a generic line.
    void unknownClassIsNamed()
    {
        const QString unk = writeFruit(m_dir.filePath(QStringLiteral("fruit_unk.csv")), 40, QStringLiteral("az"));
        MainWindow w;
        QVERIFY(w.openDataset(unk));
        QVERIFY(w.openCheckpoint(m_checkpoint));
        QVERIFY(!w.session()->dataset());
        const QString why = w.datasetPanel()->loadError();
        QVERIFY2(why.contains(QStringLiteral("class 'z' is not one of the 3 classes")), qPrintable(why));
        QVERIFY2(w.statusMessage().contains(QStringLiteral("class 'z'")), qPrintable(w.statusMessage()));
    }
};

QTEST_MAIN(TestCheckpointData)
#include "test_checkpointdata.moc"
