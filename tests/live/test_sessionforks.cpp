// Forks of the session's runs (attnscope_live alone, no widget), beyond
// test_sessionruns' forksFromAKeptCheckpoint: what a fork keeps of its
// parent (its batch order, its link in the file while the parent is deleted
// but can come back), the forks that cannot work refused with the reason (a
// split of another validation fraction, another optimiser, a state over the
// memory budget), and a CSV file the window opened by a relative path being
// the file attnscope-cli recorded by its absolute one.
#include "checkpoint.h"
#include "memorybudget.h"
#include "session.h"
#include "sessionmemory.h"
#include "smallsetup.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace attnscope;
using State = TrainingWorker::State;

namespace {

// Waits for the current run (a new one, a fork) to be ready at `step`.
bool readyAt(Session &session, int64_t step)
{
    TrainingController *c = session.currentRun()->controller();
    return QTest::qWaitFor([&] { return c->state() == State::Ready && c->currentStep() == step; }, 10000);
}

// Steps the current run `count` times and waits for it to pause after each.
bool step(Session &session, int count)
{
    TrainingController *c = session.currentRun()->controller();
    for (int i = 0; i < count; ++i) {
        const int64_t before = c->currentStep();
        c->step();
        if (!QTest::qWaitFor([&] { return c->currentStep() == before + 1 && c->state() == State::Paused; }, 10000))
            return false;
    }
    return true;
}

// The session opened on builtin:reviews?n=200 with a file, its run trained
// 4 steps (the pause leaves the last checkpoint); that checkpoint, or none.
std::optional<CheckpointRecord> trainedParent(Session &session, const QString &file)
{
    if (!session.openDataset(QStringLiteral("builtin:reviews?n=200")) || !session.saveSessionAs(file)
        || !readyAt(session, 0) || !step(session, 4))
        return std::nullopt;
    const std::vector<CheckpointRecord> points = session.forkPoints(session.currentRun()->id());
    return points.empty() ? std::nullopt : std::optional<CheckpointRecord>(points.back());
}

std::string weightsOf(Session &session)
{
    return serializeCheckpoint(*session.currentRun()->controller()->modelCopy());
}

// A session file with one run of builtin:reviews?n=200 and no checkpoint,
// as attnscope-cli train would have begun it with `record`'s settings.
bool writeCliRun(const QString &path, RunRecord record)
{
    SessionWriter writer;
    QString error;
    if (!writer.open(path, &error))
        return false;
    record.name = QStringLiteral("cli");
    record.dataset = QStringLiteral("builtin:reviews?n=200");
    record.tasks = {QStringLiteral("sentiment"), QStringLiteral("topic"), QStringLiteral("urgency")};
    const bool ok = writer.addRun(&record) > 0 && writer.flush();
    writer.close();
    return ok;
}

// The learning rate of every step of run `name` in the session file, and
// its setting events ("lr 0.01 at 2"), for the checks of what a run trained
// with against what the file says.
struct FileRun {
    std::optional<RunRecord> record;
    std::vector<float> lr;  // of steps 1, 2, ...
    QStringList settingEvents;
};

FileRun fileRun(Session &session, const QString &name)
{
    FileRun out;
    QString error;
    if (!session.flushSessionFile(&error))
        return out;
    SessionFile f;
    if (!f.open(session.sessionPath(), SessionFile::Mode::ReadOnly, &error))
        return out;
    out.record = f.run(name);
    if (!out.record)
        return out;
    for (const StepPoint &p : f.steps(out.record->id))
        out.lr.push_back(p.learningRate);
    for (const RunEvent &e : f.events(out.record->id))
        if (e.kind == QLatin1String("setting"))
            out.settingEvents << QStringLiteral("%1 at %2").arg(e.what).arg(e.step);
    return out;
}

std::vector<float> repeated(float lr, int count)
{
    return std::vector<float>(size_t(count), lr);
}

} // namespace

class TestSessionForks : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void cleanup() { setMemoryBudget(0); }

    // A parent trained without shuffling (attnscope-cli train --no-shuffle)
    // is forked in its own order, whatever the panel says: its child's steps
    // are those of a run trained straight on. Before, the child shuffled.
    void forkKeepsItsParentsOrder()
    {
        Session session;
        RunSettings settings = smallRunSettings();
        settings.train.shuffle = false;
        session.setSettingsSource([&] { return settings; });
        const int parent = session.currentRun()->id();
        const std::optional<CheckpointRecord> last = trainedParent(session, path(QStringLiteral("order.attnscope")));
        QVERIFY(last);
        settings.train.shuffle = true;  // the panel's
        QVERIFY(session.forkRun(parent, last->id));
        QVERIFY(!session.currentRun()->settings().train.shuffle);
        QVERIFY(readyAt(session, 4));
        QVERIFY(step(session, 4));
        const std::string child = weightsOf(session);

        settings.train.shuffle = false;
        QVERIFY(session.newRun());  // the same run straight to step 8
        QVERIFY(!session.currentRun()->fork().isFork());
        QVERIFY(readyAt(session, 0));
        QVERIFY(step(session, 8));
        QVERIFY(weightsOf(session) == child);
        session.shutdown();
    }

    // Forks that cannot work are refused with the reason: a run split with
    // another validation fraction (its checkpoint's place in the epoch is
    // one of other samples), and a panel with another optimiser than the
    // one whose state the checkpoint holds. Before, the first failed on
    // the sample count or the checkpoint, the second on the worker.
    void refusesForksThatCannotWork()
    {
        RunSettings settings = smallRunSettings();
        const QString split = path(QStringLiteral("split.attnscope"));
        RunRecord record;
        record.valFraction = 0.1;
        QVERIFY(writeCliRun(split, record));
        const QString optimizer = path(QStringLiteral("optimizer.attnscope"));
        record = RunRecord();
        record.train.optimizer.kind = OptimizerKind::SGD;
        QVERIFY(writeCliRun(optimizer, record));
        for (const auto &[file, expected] : {std::pair{split, QStringLiteral("--val-fraction")},
                                             std::pair{optimizer, QStringLiteral("it trained with sgd")}}) {
            Session session;
            session.setSettingsSource([&] { return settings; });
            QVERIFY(session.openSessionFile(file));
            QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=200")));
            QCOMPARE(session.keptRuns().size(), size_t(1));
            QSignalSpy failed(&session, &Session::failed);
            QVERIFY(!session.forkRun(session.keptRuns()[0]->id, 0));
            QCOMPARE(failed.size(), 1);
            QVERIFY2(failed[0][0].toString().contains(expected), qPrintable(failed[0][0].toString()));
            session.shutdown();
        }
    }

    // A fork keeps its checkpoint's trainer state for the life of the run
    // (Reset goes back to it): the memory budget counts it. At a budget
    // that a run from step 0 fits and the fork with its state does not,
    // the fork is refused, saying what needs the memory.
    void forkStateCountsInTheBudget()
    {
        Session session;
        RunSettings settings = smallRunSettings();
        settings.model.dim = 128;  // the weights' copies are most of the need
        settings.model.ffn = 256;
        session.setSettingsSource([&] { return settings; });
        const int parent = session.currentRun()->id();
        const std::optional<CheckpointRecord> last = trainedParent(session, path(QStringLiteral("budget.attnscope")));
        QVERIFY(last);
        const TrainingSetup setup = *session.currentRun()->setup();
        const auto need = [&](int copies) {
            return runMemory(setup.model.config, setup.config, int(setup.train.samples.size()),
                             longestSample(setup.train), std::max<int>(int(setup.val.samples.size()), 1),
                             longestSample(setup.val), copies, WindowPasses, false)
                .total();
        };
        // Between the two (the budget moves them a little, by the evaluation's
        // batch: settled in a few rounds).
        for (int i = 0; i < 4; ++i)
            setMemoryBudget(size_t((need(WindowWeightCopies) + need(WindowWeightCopies + ForkStateCopies)) / 2));
        QVERIFY(need(WindowWeightCopies) <= double(memoryBudget()));
        QVERIFY(need(WindowWeightCopies + ForkStateCopies) > double(memoryBudget()));

        QSignalSpy failed(&session, &Session::failed);
        QVERIFY(!session.forkRun(parent, last->id));
        QCOMPARE(failed.size(), 1);
        QVERIFY2(failed[0][0].toString().contains(QLatin1String("in all; budget")),
                 qPrintable(failed[0][0].toString()));
        QVERIFY(!session.currentRun()->fork().isFork());
        QVERIFY(session.newRun());  // from step 0, it fits
        session.shutdown();
    }

    // A fork whose first steps come while its parent is deleted (Undo can
    // bring it back) keeps its parent in the file: before, its row got no
    // parent, and a reopened session named it "a deleted run".
    void forkOfADeletedParentKeepsItsLink()
    {
        const QString file = path(QStringLiteral("deleted.attnscope"));
        Session session;
        const RunSettings settings = smallRunSettings();
        session.setSettingsSource([&] { return settings; });
        const int parent = session.currentRun()->id();
        const std::optional<CheckpointRecord> last = trainedParent(session, file);
        QVERIFY(last);
        const int64_t parentRow = last->run;
        QVERIFY(session.forkRun(parent, last->id));
        QVERIFY(readyAt(session, 4));
        session.deleteRun(parent);
        QVERIFY(session.keptRuns().empty());
        QVERIFY(step(session, 2));  // the child's row, its parent deleted
        QVERIFY(session.undoDelete());
        QString error;
        QVERIFY2(session.flushSessionFile(&error), qPrintable(error));
        const QString child = session.currentRun()->name();
        session.shutdown();

        SessionFile f;
        QVERIFY2(f.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
        const std::optional<RunRecord> row = f.run(child);
        QVERIFY(row);
        QCOMPARE(row->parent, parentRow);
        QCOMPARE(row->forkStep, int64_t(4));
    }

    // A CSV file is recorded by its absolute path: attnscope-cli recorded
    // that, the window the path typed, so that a run on a file opened by a
    // relative path could not be forked ("open that dataset first"). Old
    // files' relative paths are taken from the current directory.
    void aFileIsTheSameByAnyPath()
    {
        const QDir dir(path(QStringLiteral("data")));
        QVERIFY(dir.mkpath(QStringLiteral(".")));
        const QString csv = dir.filePath(QStringLiteral("reviews.csv"));
        QVERIFY(QFile::copy(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/resources/datasets/reviews.csv"), csv));
        const QString file = path(QStringLiteral("paths.attnscope"));
        const RunSettings settings = smallRunSettings();
        {
            Session session;  // as attnscope-cli records it: the absolute path
            session.setSettingsSource([&] { return settings; });
            QVERIFY(session.openDataset(csv));
            QVERIFY(session.saveSessionAs(file));
            QVERIFY(readyAt(session, 0));
            QVERIFY(step(session, 4));
            session.shutdown();
        }
        const QString before = QDir::currentPath();
        QVERIFY(QDir::setCurrent(dir.path()));
        const auto back = qScopeGuard([&] { QDir::setCurrent(before); });
        QString child;
        {
            Session session;
            session.setSettingsSource([&] { return settings; });
            QVERIFY(session.openSessionFile(file));
            QVERIFY(session.openDataset(QStringLiteral("reviews.csv")));  // the path typed
            QCOMPARE(session.keptRuns().size(), size_t(1));
            QSignalSpy failed(&session, &Session::failed);
            QVERIFY2(session.forkRun(session.keptRuns()[0]->id, 0),
                     qPrintable(failed.isEmpty() ? QString() : failed[0][0].toString()));
            QVERIFY(readyAt(session, 4));
            QVERIFY(step(session, 1));
            child = session.currentRun()->name();
            QString error;
            QVERIFY2(session.flushSessionFile(&error), qPrintable(error));
            session.shutdown();
        }
        {
            SessionFile f;
            QString error;
            QVERIFY2(f.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
            QCOMPARE(f.run(child)->dataset, csv);  // the child's record: absolute too
        }
        {
            // An older window's record: the path as typed, from here.
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("relative"));
            db.setDatabaseName(file);
            QVERIFY(db.open());
            QVERIFY(QSqlQuery(db).exec(QStringLiteral("UPDATE runs SET dataset = 'reviews.csv'")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("relative"));
        Session session;
        QVERIFY(session.openSessionFile(file));
        QCOMPARE(session.keptRuns().size(), size_t(2));
        for (const auto &run : session.keptRuns())
            QCOMPARE(run->dataset, csv);
        session.shutdown();
    }

    // Resume: a run of a reopened session file goes on as the same run
    // (its id, name, row in the file, curves), from its last checkpoint
    // with the trainer's state there: 4 steps, the window closed, the
    // file reopened and 4 more give the weights of 8 steps straight, bit
    // for bit, and the file has one run of 8 steps. Before, there was no
    // resume in the window (a fork from the checkpoint was a new run).
    void resumeGoesOnWithTheSameRun()
    {
        const QString file = path(QStringLiteral("resume.attnscope"));
        RunSettings settings = smallRunSettings();
        QString name;
        {
            Session first;
            first.setSettingsSource([&] { return settings; });
            QVERIFY(trainedParent(first, file));
            name = first.currentRun()->name();
            first.shutdown();  // the window quits: its last checkpoint is written
        }
        Session session;
        session.setSettingsSource([&] { return settings; });
        QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QVERIFY(session.openSessionFile(file));
        QCOMPARE(session.keptRuns().size(), size_t(1));
        const int id = session.keptRuns()[0]->id;
        QVERIFY2(session.cannotResume(id).isEmpty(), qPrintable(session.cannotResume(id)));
        QVERIFY(session.cannotResume(session.currentRun()->id()).contains(QLatin1String("Start")));
        QSignalSpy runsChanged(&session, &Session::runsChanged);
        QVERIFY(session.resumeRun(id));
        QVERIFY(readyAt(session, 4));
        Run *run = session.currentRun();
        QCOMPARE(run->id(), id);
        QCOMPARE(run->name(), name);
        QVERIFY(!run->fork().isFork());
        QVERIFY(session.keptRuns().empty());  // it is the current run now, not a copy beside it
        QVERIFY(runsChanged.size() > 0);
        QCOMPARE(run->history().steps().size(), size_t(4));  // its curves so far
        QVERIFY(step(session, 4));
        const std::string resumed = weightsOf(session);
        std::vector<double> steps = run->history().steps();
        QCOMPARE(steps, (std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8}));  // appended after its last step
        QString error;
        QVERIFY2(session.flushSessionFile(&error), qPrintable(error));
        {
            SessionFile f;
            QVERIFY2(f.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
            QCOMPARE(f.runCount(), 1);
            const std::optional<RunRecord> record = f.run(name);
            QVERIFY(record);
            QCOMPARE(f.steps(record->id).size(), size_t(8));
            QCOMPARE(f.latestCheckpoint(record->id)->step, int64_t(8));
            const std::vector<RunEvent> events = f.events(record->id);
            QVERIFY(std::any_of(events.begin(), events.end(), [](const RunEvent &e) {
                return e.kind == QLatin1String("resume") && e.step == 4;
            }));
        }

        QVERIFY(session.newRun());  // the same settings straight to step 8
        QCOMPARE(session.keptRuns().size(), size_t(1));
        QCOMPARE(session.keptRuns()[0]->id, id);  // the resumed run, kept as it is
        QVERIFY(readyAt(session, 0));
        QVERIFY(step(session, 8));
        QVERIFY(weightsOf(session) == resumed);
        session.shutdown();
    }

    // Kept checkpoints are at the multiples of keepEvery exactly, however the
    // snapshots fall: a run of 300 steps (keepEvery(300) = 100) paced at 500
    // steps a second, whose snapshots (every 30 ms) carry some 15 steps each,
    // keeps steps 100, 200 and 300. The one of step 200 holds the weights of
    // a run trained straight to 200, and a child forked from it and trained
    // to 300 ends with its parent's weights, bit for bit. Before, a kept
    // checkpoint was the worker's weights when the snapshot crossing the
    // mark arrived (steps like 105, 210, 300).
    void keptCheckpointsAtMultiplesOfK()
    {
        RunSettings settings = smallRunSettings();
        settings.train.epochs = 30;  // 10 steps an epoch: 300 steps
        Session session;
        session.setSettingsSource([&] { return settings; });
        QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QVERIFY(session.saveSessionAs(path(QStringLiteral("kept.attnscope"))));
        QVERIFY(readyAt(session, 0));
        TrainingController *c = session.currentRun()->controller();
        c->setStepRateLimit(500);
        c->start();
        QVERIFY(QTest::qWaitFor([&] { return c->state() == State::Finished; }, 60000));
        c->setStepRateLimit(0);
        const int parent = session.currentRun()->id();
        std::vector<int64_t> kept;
        std::optional<CheckpointRecord> at200, last;
        for (const CheckpointRecord &point : session.forkPoints(parent)) {
            if (point.kind == QLatin1String("kept"))
                kept.push_back(point.step);
            if (point.kind == QLatin1String("kept") && point.step == 200)
                at200 = point;
            if (point.kind == QLatin1String("last"))
                last = point;
        }
        QCOMPARE(kept, (std::vector<int64_t>{100, 200, 300}));
        QVERIFY(at200 && last && last->step == 300);
        QString error;
        QVERIFY2(session.flushSessionFile(&error), qPrintable(error));
        QByteArray weights200, weights300;
        {
            SessionFile f;
            QVERIFY2(f.open(session.sessionPath(), SessionFile::Mode::ReadOnly, &error), qPrintable(error));
            weights200 = f.checkpoint(at200->id)->weights;
            weights300 = f.checkpoint(last->id)->weights;
        }

        QVERIFY(session.newRun());  // the same run straight to step 200
        QVERIFY(readyAt(session, 0));
        session.currentRun()->controller()->startUntil(200);
        QVERIFY(QTest::qWaitFor([&] {
            TrainingController *straight = session.currentRun()->controller();
            return straight->currentStep() == 200 && straight->state() == State::Paused;
        }, 60000));
        QVERIFY(weightsOf(session) == weights200.toStdString());

        QVERIFY(session.forkRun(parent, at200->id));
        QVERIFY(readyAt(session, 200));
        session.currentRun()->controller()->start();
        QVERIFY(QTest::qWaitFor([&] { return session.currentRun()->controller()->state() == State::Finished; }, 60000));
        QCOMPARE(session.currentRun()->controller()->currentStep(), int64_t(300));
        QVERIFY(weightsOf(session) == weights300.toStdString());
        session.shutdown();
    }

    // A learning rate set before Training > Compare > Learning rates (the
    // Training panel's 0.03, handed to the worker as a change for the run
    // there was) is none of the variants': each run trains at the rate it
    // is named and recorded with, and "lr 0.01" and "lr 0.03" end with
    // other weights. Before, the rate waiting in the worker went into the
    // first variant's settings: "lr 0.01" trained at 0.03, unmarked, its
    // weights those of "lr 0.03".
    void comparedRatesAreTheirOwn()
    {
        RunSettings settings = smallRunSettings(0.03f);  // the panel, 0.03 typed
        Session session;
        session.setSettingsSource([&] { return settings; });
        QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QVERIFY(session.saveSessionAs(path(QStringLiteral("rates.attnscope"))));
        QVERIFY(readyAt(session, 0));
        session.currentRun()->controller()->setLearningRate(0.03f);  // TrainingPanel::learningRateChanged
        QVERIFY(session.compareRuns(QStringLiteral("learning rates"),
                                    Session::variants(Session::Comparison::LearningRates, settings)));
        Run *run = session.currentRun();
        QVERIFY(QTest::qWaitFor([&] {
            return !session.isComparing() && run->controller()->state() == State::Finished
                   && run->history().steps().size() == 20;
        }, 60000));
        const auto &kept = session.keptRuns();
        QCOMPARE(kept.size(), size_t(2));
        QCOMPARE(kept[0]->name, QStringLiteral("lr 0.01"));
        QCOMPARE(kept[1]->name, QStringLiteral("lr 0.03"));
        QCOMPARE(run->name(), QStringLiteral("lr 0.09"));
        for (const QString &name : {QStringLiteral("lr 0.01"), QStringLiteral("lr 0.03"), QStringLiteral("lr 0.09")}) {
            const FileRun f = fileRun(session, name);
            QVERIFY2(f.record, qPrintable(name));
            const float lr = f.record->train.optimizer.lr;
            QCOMPARE(QStringLiteral("lr %1").arg(double(lr), 0, 'g', 3), name);
            QCOMPARE(f.lr, repeated(lr, 20));  // what it trained with
            QVERIFY2(f.settingEvents.isEmpty(), qPrintable(name + QLatin1String(": ") + f.settingEvents.join(", ")));
        }
        QVERIFY(kept[0]->weights && kept[1]->weights);
        QVERIFY(serializeCheckpoint(*kept[0]->weights) != serializeCheckpoint(*kept[1]->weights));
        session.shutdown();
    }

    // Resume goes on with the run's own settings: a learning rate, task
    // weights and mu set before it (the Training panel's, handed to the
    // worker as changes for the run there was) do not apply. Steps 5 to 8
    // train at the run's rate, as its record says, the file marks no
    // change, and the weights are those of the run trained straight on.
    // Before, steps 5 to 8 trained at the rate set before Resume (and with
    // those task weights and mu) while the file said the run's, unmarked.
    void resumeTakesNoChangeSetBefore()
    {
        const QString file = path(QStringLiteral("resumeset.attnscope"));
        RunSettings settings = smallRunSettings();
        settings.train.rationaleWeight = 0.25f;
        QString name;
        {
            Session first;
            first.setSettingsSource([&] { return settings; });
            QVERIFY(trainedParent(first, file));
            name = first.currentRun()->name();
            first.shutdown();
        }
        Session session;
        session.setSettingsSource([&] { return settings; });
        QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QVERIFY(session.openSessionFile(file));
        const int id = session.keptRuns()[0]->id;
        TrainingController *c = session.currentRun()->controller();
        QVERIFY(readyAt(session, 0));
        c->setLearningRate(0.03f);
        c->setTaskWeights({1.0f, 0.5f, 2.0f});
        c->setRationaleWeight(1.0f);
        QVERIFY(session.resumeRun(id));
        QVERIFY(readyAt(session, 4));
        QVERIFY(step(session, 4));
        const std::string resumed = weightsOf(session);
        const FileRun f = fileRun(session, name);
        QVERIFY(f.record);
        QCOMPARE(f.record->train.optimizer.lr, 0.003f);
        QCOMPARE(f.lr, repeated(0.003f, 8));
        QVERIFY2(f.settingEvents.isEmpty(), qPrintable(f.settingEvents.join(", ")));

        QVERIFY(session.newRun());  // the same settings straight to step 8
        QVERIFY(readyAt(session, 0));
        QVERIFY(step(session, 8));
        QVERIFY(weightsOf(session) == resumed);
        session.shutdown();
    }

    // A resumed run goes on with the changes it made before its checkpoint
    // (the trainer's state there has them, as attnscope-cli train --resume
    // takes them), and one made once it resumed applies from its next step,
    // marked there: 2 steps at 0.003, 0.01 from step 3, the window closed
    // at 4, reopened, resumed, 2 steps, 0.02, 2 steps give the weights of
    // the same run straight on, and the file's steps and events say so.
    // Reset then begins a child at the checkpoint with the rate it had
    // there, and says so in its settings. Before, the resumed run went back
    // to the 0.003 it began with, and the file marked no change.
    void resumeGoesOnWithItsChanges()
    {
        const QString file = path(QStringLiteral("resumechanged.attnscope"));
        const RunSettings settings = smallRunSettings();
        QString name;
        {
            Session first;
            first.setSettingsSource([&] { return settings; });
            QVERIFY(first.openDataset(QStringLiteral("builtin:reviews?n=200")));
            QVERIFY(first.saveSessionAs(file));
            QVERIFY(readyAt(first, 0));
            QVERIFY(step(first, 2));
            first.currentRun()->controller()->setLearningRate(0.01f);
            QVERIFY(step(first, 2));
            name = first.currentRun()->name();
            first.shutdown();
        }
        Session session;
        session.setSettingsSource([&] { return settings; });
        QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QVERIFY(session.openSessionFile(file));
        QVERIFY(session.resumeRun(session.keptRuns()[0]->id));
        QVERIFY(readyAt(session, 4));
        Run *run = session.currentRun();
        QCOMPARE(run->settings().train.optimizer.lr, 0.003f);  // what it began with, as recorded
        QCOMPARE(run->setup()->config.optimizer.lr, 0.01f);    // what it goes on with
        QVERIFY(step(session, 2));
        run->controller()->setLearningRate(0.02f);
        QVERIFY(step(session, 2));
        const std::string resumed = weightsOf(session);
        const FileRun f = fileRun(session, name);
        QVERIFY(f.record);
        QCOMPARE(f.record->train.optimizer.lr, 0.003f);
        QCOMPARE(f.lr, (std::vector<float>{0.003f, 0.003f, 0.01f, 0.01f, 0.01f, 0.01f, 0.02f, 0.02f}));
        QCOMPARE(f.settingEvents, (QStringList{QStringLiteral("lr 0.01 at 2"), QStringLiteral("lr 0.02 at 6")}));

        session.reset();  // a child of the run at its checkpoint
        QVERIFY(readyAt(session, 4));
        QVERIFY(run->fork().isFork());
        QCOMPARE(run->settings().train.optimizer.lr, 0.01f);
        QVERIFY(step(session, 1));
        QCOMPARE(float(run->history().learningRates().back()), 0.01f);

        QVERIFY(session.newRun());  // the same run straight on
        QVERIFY(readyAt(session, 0));
        QVERIFY(step(session, 2));
        run->controller()->setLearningRate(0.01f);
        QVERIFY(step(session, 4));
        run->controller()->setLearningRate(0.02f);
        QVERIFY(step(session, 2));
        QVERIFY(weightsOf(session) == resumed);
        session.shutdown();
    }

    // What cannot be resumed says why: a run whose data is not the open one.
    void resumeNeedsTheRunsData()
    {
        const QString file = path(QStringLiteral("resumedata.attnscope"));
        RunSettings settings = smallRunSettings();
        {
            Session first;
            first.setSettingsSource([&] { return settings; });
            QVERIFY(trainedParent(first, file));
            first.shutdown();
        }
        Session session;
        session.setSettingsSource([&] { return settings; });
        QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=300")));
        QVERIFY(session.openSessionFile(file));
        const int id = session.keptRuns()[0]->id;
        QVERIFY(session.cannotResume(id).contains(QLatin1String("open that dataset first")));
        QSignalSpy failed(&session, &Session::failed);
        QVERIFY(!session.resumeRun(id));
        QCOMPARE(failed.size(), 1);
        QVERIFY(failed[0][0].toString().startsWith(QLatin1String("Cannot resume")));
        QCOMPARE(session.keptRuns().size(), size_t(1));
        session.shutdown();
    }
};

QTEST_GUILESS_MAIN(TestSessionForks)
#include "test_sessionforks.moc"
