// The session keeps every run (attnscope_live alone, no widget): Reset, a
// changed setting and a new start after the end begin a new run and keep
// the one that trained, with its curves; the kept runs are renamed, hidden
// and deleted; a session file records them while they train, Save Session
// As writes the runs trained before it, and Open Session brings a file's
// runs back (a file that is no session is refused and changes nothing).
#include "../wholefile.h"
#include "checkpoint.h"
#include "session.h"
#include "smallsetup.h"

#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace attnscope;
using State = TrainingWorker::State;

namespace {

// Steps the current run `count` times and waits for it to pause after each.
bool step(Session &session, int count)
{
    TrainingController *c = session.currentRun()->controller();
    for (int i = 0; i < count; ++i) {
        const int64_t before = c->currentStep();
        QSignalSpy paused(c, &TrainingController::stateChanged);
        c->step();
        if (!QTest::qWaitFor([&] { return c->currentStep() == before + 1 && c->state() == State::Paused; }, 10000))
            return false;
    }
    // Its history has the points (they arrive before the state).
    return QTest::qWaitFor([&] { return int64_t(session.currentRun()->history().steps().size()) == c->currentStep(); }, 10000);
}

// Reset, then waits until the worker is back at step 0 with an empty history.
bool reset(Session &session)
{
    session.reset();
    const Run *run = session.currentRun();
    return QTest::qWaitFor([&] { return run->controller()->currentStep() == 0 && run->history().steps().empty(); }, 10000);
}

std::vector<int64_t> fileSteps(const QString &path, const QString &run)
{
    SessionFile file;
    QString error;
    if (!file.open(path, SessionFile::Mode::ReadOnly, &error))
        return {};
    const std::optional<RunRecord> r = file.run(run);
    std::vector<int64_t> steps;
    if (r)
        for (const StepPoint &p : file.steps(r->id))
            steps.push_back(p.step);
    return steps;
}

QStringList fileRuns(const QString &path)
{
    SessionFile file;
    QString error;
    QStringList names;
    if (file.open(path, SessionFile::Mode::ReadOnly, &error))
        for (const RunRecord &r : file.runs())
            names << r.name + (r.hidden ? QStringLiteral(" (hidden)") : QString());
    return names;
}

// From now on, the file counts the "last" checkpoints written into it (a
// trigger of its own, which the session's connection runs too).
bool countLastCheckpoints(const QString &path)
{
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("count"));
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
        QSqlQuery q(db);
        ok = db.open() && q.exec(QStringLiteral("CREATE TABLE written (n INTEGER)"))
             && q.exec(QStringLiteral("INSERT INTO written VALUES (0)"))
             && q.exec(QStringLiteral("CREATE TRIGGER count_last AFTER INSERT ON checkpoints WHEN NEW.kind = 'last'"
                                      " BEGIN UPDATE written SET n = n + 1; END"));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("count"));
    return ok;
}

int lastCheckpointsWritten(const QString &path)
{
    int n = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("count"));
        db.setDatabaseName(path);
        QSqlQuery q(db);
        if (db.open() && q.exec(QStringLiteral("SELECT n FROM written")) && q.next())
            n = q.value(0).toInt();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("count"));
    return n;
}

} // namespace

class TestSessionRuns : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // A run's name where others are taken: the one wanted, or the first
    // numbered one that is free (Session, SessionRecorder).
    void freeRunNames()
    {
        const QStringList names{QStringLiteral("Run 1"), QStringLiteral("Run 1 (2)"), QStringLiteral("lr 0.01")};
        const auto taken = [&](const QString &name) { return names.contains(name); };
        QCOMPARE(freeRunName(QStringLiteral("Run 2"), taken), QStringLiteral("Run 2"));
        QCOMPARE(freeRunName(QStringLiteral("Run 1"), taken), QStringLiteral("Run 1 (3)"));
        QCOMPARE(freeRunName(QStringLiteral("lr 0.01"), taken), QStringLiteral("lr 0.01 (2)"));
    }

    // After a reopen, a new run's default name is the next "Run N" after
    // the highest of the file's (and "run N" of attnscope-cli's), not
    // "Run 1 (2)" beside the window's own Run 1, nor the session's next id
    // ("Run 4" beside two runs). Before: "Run 1 (2)", then "Run 4".
    void reopenedRunsNumberOn()
    {
        const QString file = path(QStringLiteral("numbers.attnscope"));
        RunSettings settings = smallRunSettings();
        {
            Session first;
            first.setSettingsSource([&] { return settings; });
            QVERIFY(first.openDataset(QStringLiteral("builtin:reviews?n=200")));
            QVERIFY(first.saveSessionAs(file));
            QVERIFY(step(first, 1));
            QVERIFY(reset(first));
            QVERIFY(step(first, 1));
            first.shutdown();
        }
        QCOMPARE(fileRuns(file), (QStringList{QStringLiteral("Run 1"), QStringLiteral("Run 2")}));
        Session session;
        session.setSettingsSource([&] { return settings; });
        QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QCOMPARE(session.currentRun()->name(), QStringLiteral("Run 1"));
        QVERIFY(session.openSessionFile(file));
        QCOMPARE(session.currentRun()->name(), QStringLiteral("Run 3"));
        QVERIFY(step(session, 1));
        QVERIFY(reset(session));
        QCOMPARE(session.currentRun()->name(), QStringLiteral("Run 4"));
        QStringList kept;
        for (const auto &run : session.keptRuns())
            kept << run->name;
        QCOMPARE(kept, (QStringList{QStringLiteral("Run 1"), QStringLiteral("Run 2"), QStringLiteral("Run 3")}));
        session.shutdown();

        // attnscope-cli's "run 7" counts; a name of the user's is left as it is.
        const QString cli = path(QStringLiteral("cli-numbers.attnscope"));
        {
            SessionWriter writer;
            QString error;
            QVERIFY2(writer.open(cli, &error), qPrintable(error));
            for (const char *name : {"run 7", "Run 2"}) {
                RunRecord record;
                record.name = QString::fromLatin1(name);
                record.dataset = QStringLiteral("builtin:reviews?n=200");
                record.tasks = {QStringLiteral("sentiment"), QStringLiteral("topic"), QStringLiteral("urgency")};
                QVERIFY(writer.addRun(&record) > 0);
            }
            QVERIFY(writer.flush());
            writer.close();
        }
        Session other;
        other.setSettingsSource([&] { return settings; });
        QVERIFY(other.openSessionFile(cli));
        QCOMPARE(other.currentRun()->name(), QStringLiteral("Run 8"));
        other.shutdown();
        QVERIFY(!Session::hasDefaultName(QStringLiteral("lr 0.01")));
        QVERIFY(Session::hasDefaultName(QStringLiteral("Run 1 (2)")));
    }

    // Reset, a new setting and a start after the end each keep the run that trained.
    void keepsEveryRun()
    {
        Session session;
        RunSettings settings = smallRunSettings();
        session.setSettingsSource([&] { return settings; });
        QSignalSpy changed(&session, &Session::runsChanged);
        QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QVERIFY(session.keptRuns().empty());  // nothing trained: nothing kept
        const QString first = session.currentRun()->name();
        QVERIFY(step(session, 3));

        QVERIFY(reset(session));
        QCOMPARE(session.keptRuns().size(), size_t(1));
        const KeptRun &kept = *session.keptRuns()[0];
        QCOMPARE(kept.name, first);
        QCOMPARE(kept.history.steps().size(), size_t(3));
        QCOMPARE(kept.dataset, QStringLiteral("builtin:reviews?n=200"));
        QCOMPARE(kept.model.layers, 0);
        QCOMPARE(kept.model.dim, 16);
        QVERIFY(session.currentRun()->name() != first);
        QVERIFY(session.currentRun()->id() != kept.id);

        // A setting that needs a new run, after training: asked, then taken by newRun.
        QVERIFY(step(session, 2));
        settings = smallRunSettings(0.01f);
        QVERIFY(session.settingsChanged());
        QVERIFY(session.newRun());
        QCOMPARE(session.keptRuns().size(), size_t(2));
        QCOMPARE(session.keptRuns()[1]->history.steps().size(), size_t(2));
        QCOMPARE(session.keptRuns()[1]->train.optimizer.lr, 0.003f);

        // Untrained, nothing is kept again.
        QTRY_VERIFY(session.currentRun()->controller()->state() == State::Ready);
        QVERIFY(reset(session));
        QCOMPARE(session.keptRuns().size(), size_t(2));

        // After a stop, Start trains a new run and keeps the stopped one.
        QVERIFY(step(session, 1));
        TrainingController *c = session.currentRun()->controller();
        c->stop();
        QTRY_COMPARE(c->state(), State::Stopped);
        session.start();
        QCOMPARE(session.keptRuns().size(), size_t(3));
        QTRY_COMPARE(c->state(), State::Finished);  // 2 epochs of 10 steps
        QCOMPARE(session.currentRun()->history().steps().size(), size_t(20));
        QVERIFY(changed.count() >= 3);

        // Names are unique; rename, hide and delete.
        QVERIFY(!session.renameRun(session.keptRuns()[0]->id, session.keptRuns()[1]->name));
        QVERIFY(session.renameRun(session.keptRuns()[0]->id, QStringLiteral("baseline")));
        QCOMPARE(session.keptRuns()[0]->name, QStringLiteral("baseline"));
        session.setRunShown(session.keptRuns()[1]->id, false);
        QVERIFY(!session.keptRuns()[1]->shown);
        session.deleteRun(session.keptRuns()[2]->id);
        QCOMPARE(session.keptRuns().size(), size_t(2));
        session.shutdown();
    }

    // Save Session As writes the runs trained before it; then the file
    // follows: new steps, a new run, a rename, a hidden and a deleted run.
    void recordsIntoTheFile()
    {
        const QString file = path(QStringLiteral("window.attnscope"));
        Session session;
        session.setSettingsSource([] { return smallRunSettings(); });
        QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QVERIFY(step(session, 3));
        QVERIFY(reset(session));
        QVERIFY(step(session, 2));
        QVERIFY(session.hasUnsavedRuns());
        QVERIFY2(session.saveSessionAs(file), qPrintable(session.sessionPath()));
        QCOMPARE(session.sessionPath(), file);
        QVERIFY(!session.hasUnsavedRuns());
        const QString kept = session.keptRuns()[0]->name, live = session.currentRun()->name();
        QCOMPARE(fileRuns(file), (QStringList{kept, live}));
        QCOMPARE(fileSteps(file, kept), (std::vector<int64_t>{1, 2, 3}));

        // Training goes on into the file, committed within half a second.
        QVERIFY(step(session, 2));
        QTRY_COMPARE(fileSteps(file, live), (std::vector<int64_t>{1, 2, 3, 4}));
        // A new run gets its row with its first steps.
        QVERIFY(reset(session));
        const QString third = session.currentRun()->name();
        QVERIFY(step(session, 1));
        QTRY_COMPARE(fileSteps(file, third), (std::vector<int64_t>{1}));
        QVERIFY(session.renameRun(session.keptRuns()[0]->id, QStringLiteral("renamed")));
        session.setRunShown(session.keptRuns()[1]->id, false);
        QTRY_COMPARE(fileRuns(file), (QStringList{QStringLiteral("renamed"), live + QStringLiteral(" (hidden)"), third}));
        // A deleted run stays in the file while Undo delete can bring it
        // back: until the session closes or goes to another file.
        session.deleteRun(session.keptRuns()[0]->id);
        QString flushed;
        QVERIFY2(session.flushSessionFile(&flushed), qPrintable(flushed));
        QCOMPARE(fileRuns(file), (QStringList{QStringLiteral("renamed"), live + QStringLiteral(" (hidden)"), third}));

        // The pause left the last checkpoint with the trainer's state: the run can resume.
        {
            SessionFile f;
            QString error;
            QVERIFY2(f.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
            const std::optional<CheckpointRecord> c = f.latestCheckpoint(f.run(third)->id);
            QVERIFY(c);
            QCOMPARE(c->step, int64_t(1));
            QCOMPARE(c->trainer.step, int64_t(1));
            QVERIFY(!c->trainer.optimizer.m.empty());
        }

        // Save As again (the session has a file): a copy, where it goes on.
        const QString copy = path(QStringLiteral("copy.attnscope"));
        QVERIFY(spit(copy, QByteArray("an old file in the way")));
        QVERIFY(session.saveSessionAs(copy));
        QCOMPARE(fileRuns(copy), (QStringList{live + QStringLiteral(" (hidden)"), third}));
        QCOMPARE(fileRuns(file), fileRuns(copy));  // the deleted run left the old file too
        QVERIFY(step(session, 1));
        QTRY_COMPARE(fileSteps(copy, third), (std::vector<int64_t>{1, 2}));
        QCOMPARE(fileSteps(file, third), (std::vector<int64_t>{1}));
        session.shutdown();
    }

    // Closing the session writes the run's last weights only where the
    // file lacks them: after a pause, which wrote them, not again (each copy
    // serialises the whole model and its optimiser state); after steps since,
    // once more, of the step reached.
    void closeWritesTheLastCheckpointOnce_data()
    {
        QTest::addColumn<int>("stepsAfter");
        QTest::addColumn<int>("written");
        QTest::newRow("paused, nothing since") << 0 << 0;
        QTest::newRow("stepped and paused again") << 1 << 1;
    }

    void closeWritesTheLastCheckpointOnce()
    {
        QFETCH(int, stepsAfter);
        QFETCH(int, written);
        const QString file = path(QStringLiteral("once-%1.attnscope").arg(stepsAfter));
        Session session;
        session.setSettingsSource([] { return smallRunSettings(); });
        QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QVERIFY(session.saveSessionAs(file));
        QVERIFY(step(session, 2));  // each pause writes the last checkpoint
        QString error;
        QVERIFY2(session.flushSessionFile(&error), qPrintable(error));
        QVERIFY(countLastCheckpoints(file));
        QVERIFY(step(session, stepsAfter));
        QVERIFY2(session.flushSessionFile(&error), qPrintable(error));
        QCOMPARE(lastCheckpointsWritten(file), written);
        session.shutdown();
        QCOMPARE(lastCheckpointsWritten(file), written);
        SessionFile f;
        QVERIFY2(f.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
        const std::optional<CheckpointRecord> last = f.latestCheckpoint(f.run(session.currentRun()->name())->id);
        QVERIFY(last);
        QCOMPARE(last->step, int64_t(2 + stepsAfter));
        QCOMPARE(last->kind, QStringLiteral("last"));
    }

    // Restore best weights reaches the session file: its last checkpoint
    // holds the weights of the best evaluation (at the step the run is at),
    // and the restore is among the run's settings events.
    void restoredBestWeightsAreTheLastCheckpoint()
    {
        const QString file = path(QStringLiteral("best.attnscope"));
        Session session;
        session.setSettingsSource([] { return smallRunSettings(); });
        QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QVERIFY(session.saveSessionAs(file));
        TrainingController *c = session.currentRun()->controller();
        QVERIFY(step(session, 10));  // one epoch of 160 samples: its evaluation, the best so far
        const std::shared_ptr<Model> best = c->modelCopy();
        QVERIFY(step(session, 2));
        QSignalSpy restored(c, &TrainingController::bestRestored);
        c->restoreBest();
        QTRY_COMPARE(restored.size(), 1);
        QCOMPARE(restored[0].at(0).toLongLong(), int64_t(10));
        QString error;
        QVERIFY2(session.flushSessionFile(&error), qPrintable(error));
        SessionFile f;
        QVERIFY2(f.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
        const int64_t run = f.run(session.currentRun()->name())->id;
        const std::optional<CheckpointRecord> last = f.latestCheckpoint(run);
        QVERIFY(last);
        QCOMPARE(last->step, int64_t(12));
        QCOMPARE(last->kind, QStringLiteral("last"));
        QVERIFY(last->weights == QByteArray::fromStdString(serializeCheckpoint(*best)));
        bool marked = false;
        for (const RunEvent &e : f.events(run))
            marked = marked || (e.kind == QStringLiteral("setting") && e.what == QStringLiteral("weights of step 10 (best)"));
        QVERIFY(marked);
        session.shutdown();
    }

    // The session file keeps a run's attention timeline (the probe set's
    // snapshots) and its probe set, pinned and focus included; reopening it
    // gives them back with the kept run.
    void keepsTimelineAndProbes()
    {
        const QString file = path(QStringLiteral("timeline.attnscope"));
        Session session;
        session.setSettingsSource([] { return smallRunSettings(); });
        QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=200")));
        TrainingController *c = session.currentRun()->controller();
        const std::shared_ptr<const TrainingSetup> setup = session.currentRun()->setup();
        ProbeSet probes;
        probes.choose(setup->val, setup->model.tasks);
        QVERIFY(probes.size() >= 2);
        probes.setPinned(probes.indices()[1], true);
        probes.setFocus(probes.indices()[1]);
        c->setAttentionRate(1, std::chrono::milliseconds(0));
        c->setProbes(probes, setup, session.dataset());
        QSignalSpy attention(c, &TrainingController::attentionReady);
        QVERIFY(step(session, 3));
        QTRY_VERIFY(!attention.isEmpty() && attention.last()[0].value<SnapshotPtr>()->step == 3);
        std::vector<int64_t> steps;
        for (const QList<QVariant> &a : attention)
            steps.push_back(a[0].value<SnapshotPtr>()->step);
        steps.erase(std::unique(steps.begin(), steps.end()), steps.end());  // a pause refreshes again; the file keeps one a step
        QVERIFY2(session.saveSessionAs(file), qPrintable(session.sessionPath()));
        const QString live = session.currentRun()->name();
        session.shutdown();  // closes the file with the run's last checkpoint

        // In the file, as docs/session.md says: the timeline table and the probes table.
        {
            SessionFile f;
            QString error;
            QVERIFY2(f.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
            const std::optional<RunRecord> r = f.run(live);
            QVERIFY(r);
            std::vector<int64_t> fileSteps;
            for (const AttentionSnapshot &s : f.timeline(r->id))
                fileSteps.push_back(s.step);
            QCOMPARE(fileSteps, steps);
            const std::optional<ProbeSet> p = f.probes(r->id);
            QVERIFY(p);
            QCOMPARE(p->indices(), probes.indices());
        }

        // Reopened: the kept run has them.
        Session reopened;
        reopened.setSettingsSource([] { return smallRunSettings(); });
        QVERIFY(reopened.openSessionFile(file));
        QCOMPARE(reopened.keptRuns().size(), size_t(1));
        const KeptRun &run = *reopened.keptRuns()[0];
        QCOMPARE(run.name, live);
        QCOMPARE(int64_t(run.timeline.size()), int64_t(steps.size()));
        QCOMPARE(run.timeline.back()->step, int64_t(3));
        QCOMPARE(run.timeline.back()->samples.size(), size_t(probes.size()));
        QCOMPARE(run.probes.indices(), probes.indices());
        QCOMPARE(run.probes.pinned(), probes.pinned());
        QCOMPARE(run.probes.focus(), probes.focus());
        reopened.shutdown();
    }

    // Fork: a child run from a kept checkpoint of a run, with its weights
    // and trainer state. With the settings unchanged it repeats the parent's
    // steps bit for bit; with another learning rate it takes it. Its curves
    // start at the fork step; the file keeps its parent and fork step, and
    // a reopened session gives them back. The parent's data must be open.
    void forksFromAKeptCheckpoint()
    {
        const QString file = path(QStringLiteral("fork.attnscope"));
        Session session;
        RunSettings settings = smallRunSettings();
        settings.train.epochs = 30;  // 300 steps: a kept checkpoint every 100
        session.setSettingsSource([&] { return settings; });
        QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QVERIFY(session.saveSessionAs(file));
        TrainingController *c = session.currentRun()->controller();
        const auto trainTo = [&](int64_t step) {
            c->startUntil(step);
            return QTest::qWaitFor([&] { return c->currentStep() == step && c->state() == State::Paused; }, 60000);
        };
        QVERIFY(trainTo(100));  // a pause there: the kept checkpoint is of step 100 (not of a later snapshot's)
        QVERIFY(trainTo(150));
        const std::string parentAt150 = serializeCheckpoint(*c->modelCopy());
        const int parent = session.currentRun()->id();
        const std::vector<CheckpointRecord> points = session.forkPoints(parent);
        QVERIFY(points.size() >= 2);
        const CheckpointRecord kept = points.front();
        QCOMPARE(kept.kind, QStringLiteral("kept"));
        QCOMPARE(kept.step, int64_t(100));
        QCOMPARE(points.back().kind, QStringLiteral("last"));
        QCOMPARE(points.back().step, int64_t(150));

        // Unchanged settings: the same steps from the checkpoint on.
        QVERIFY(session.forkRun(parent, kept.id));
        QCOMPARE(session.keptRuns().size(), size_t(1));
        QCOMPARE(session.keptRuns()[0]->id, parent);
        const Run *child = session.currentRun();
        QCOMPARE(child->fork().parent, parent);
        QCOMPARE(child->fork().step, kept.step);
        QTRY_COMPARE(c->state(), State::Ready);
        QCOMPARE(c->currentStep(), kept.step);  // where the parent stood
        QVERIFY(trainTo(150));
        QVERIFY(serializeCheckpoint(*c->modelCopy()) == parentAt150);
        QTRY_COMPARE(child->history().steps().size(), size_t(150 - kept.step));
        QCOMPARE(child->history().steps().front(), double(kept.step + 1));
        const QString sameName = child->name();

        // Another learning rate: the child takes it (the parent's model and seed stay).
        settings.train.optimizer.lr = 0.03f;
        settings.train.seed = 99;
        QVERIFY(session.forkRun(parent, kept.id));
        QCOMPARE(session.keptRuns().size(), size_t(2));
        QCOMPARE(session.currentRun()->settings().train.optimizer.lr, 0.03f);
        QCOMPARE(session.currentRun()->settings().train.seed, uint64_t(1));
        QTRY_COMPARE(c->state(), State::Ready);
        QVERIFY(trainTo(150));
        QVERIFY(serializeCheckpoint(*c->modelCopy()) != parentAt150);
        const QString fasterName = session.currentRun()->name();
        QString error;
        QVERIFY2(session.flushSessionFile(&error), qPrintable(error));
        session.shutdown();

        // In the file: each child's parent row and fork step.
        {
            SessionFile f;
            QVERIFY2(f.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
            const std::vector<RunRecord> runs = f.runs();
            QCOMPARE(runs.size(), size_t(3));
            QCOMPARE(runs[0].parent, int64_t(0));
            QCOMPARE(runs[1].name, sameName);
            QCOMPARE(runs[2].name, fasterName);
            for (const RunRecord &r : {runs[1], runs[2]}) {
                QCOMPARE(r.parent, runs[0].id);
                QCOMPARE(r.forkStep, kept.step);
                QCOMPARE(f.steps(r.id).front().step, kept.step + 1);
            }
        }
        // Reopened: the kept runs know their parent and step.
        Session reopened;
        reopened.setSettingsSource([&] { return settings; });
        QVERIFY(reopened.openSessionFile(file));
        QCOMPARE(reopened.keptRuns().size(), size_t(3));
        const KeptRun &root = *reopened.keptRuns()[0];
        QVERIFY(!root.fork.isFork());
        for (size_t i : {1, 2}) {
            QCOMPARE(reopened.keptRuns()[i]->fork.parent, root.id);
            QCOMPARE(reopened.keptRuns()[i]->fork.step, kept.step);
        }
        // No data open: refused, with the reason.
        QSignalSpy failed(&reopened, &Session::failed);
        QVERIFY(!reopened.forkRun(root.id, kept.id));
        QCOMPARE(failed.size(), 1);
        QVERIFY2(failed[0][0].toString().contains(QStringLiteral("open that dataset first")),
                 qPrintable(failed[0][0].toString()));
        // Open, it forks from the file's checkpoint.
        QVERIFY(reopened.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QVERIFY(reopened.forkRun(root.id, kept.id));
        QCOMPARE(reopened.currentRun()->fork().parent, root.id);
        reopened.shutdown();
    }

    // A fork asked for while a run is being built (large data builds on a
    // thread, and a request meanwhile waits for that build to end) is built
    // after it: before, the build that followed took the panels' settings
    // and the fork was lost (a run from step 0, no parent).
    void forkWaitsForABuildInFlight()
    {
        const QString file = path(QStringLiteral("forklater.attnscope"));
        Session session;
        RunSettings settings = smallRunSettings();
        session.setSettingsSource([&] { return settings; });
        const size_t samples = Session::AsyncSetupSamples + 1000;
        QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=%1").arg(samples)));
        QVERIFY(session.saveSessionAs(file));
        QVERIFY(step(session, 2));  // the pause leaves the last checkpoint, of step 2
        const int parent = session.currentRun()->id();
        const std::vector<CheckpointRecord> points = session.forkPoints(parent);
        QVERIFY(!points.empty());
        QCOMPARE(points.back().step, int64_t(2));

        settings.train.optimizer.lr = 0.01f;
        QVERIFY(session.newRun());  // on a thread: the data is large
        QVERIFY(session.isPreparingRun());
        QVERIFY(session.forkRun(parent, points.back().id));
        QTRY_VERIFY_WITH_TIMEOUT(!session.isPreparingRun(), 60000);
        TrainingController *c = session.currentRun()->controller();
        QTRY_COMPARE(c->state(), State::Ready);
        QCOMPARE(session.currentRun()->fork().parent, parent);
        QCOMPARE(session.currentRun()->fork().step, int64_t(2));
        QCOMPARE(c->currentStep(), int64_t(2));
        session.shutdown();
    }

    // A fork not trained yet takes a changed training setting (more epochs
    // to train it longer) as a fork again, from its checkpoint: before, any
    // change replaced it by a run from step 0 with no parent. Another model
    // is a new run (the checkpoint's weights cannot take it).
    void forkTakesATrainingSetting()
    {
        const QString file = path(QStringLiteral("forksetting.attnscope"));
        Session session;
        RunSettings settings = smallRunSettings();
        session.setSettingsSource([&] { return settings; });
        QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QVERIFY(session.saveSessionAs(file));
        QVERIFY(step(session, 4));
        const int parent = session.currentRun()->id();
        const std::vector<CheckpointRecord> points = session.forkPoints(parent);
        QVERIFY(!points.empty());
        QVERIFY(session.forkRun(parent, points.back().id));
        TrainingController *c = session.currentRun()->controller();
        QTRY_COMPARE(c->state(), State::Ready);
        QCOMPARE(c->currentStep(), int64_t(4));

        settings.train.epochs = 7;
        QVERIFY(!session.settingsChanged());  // nothing trained: taken at once
        QTRY_COMPARE(c->state(), State::Ready);
        QCOMPARE(session.currentRun()->fork().parent, parent);
        QCOMPARE(session.currentRun()->fork().step, int64_t(4));
        QCOMPARE(session.currentRun()->settings().train.epochs, 7);
        QCOMPARE(c->currentStep(), int64_t(4));
        QCOMPARE(session.keptRuns().size(), size_t(1));  // the parent; the untrained fork is no run to keep

        settings.model.dim = 32;
        QVERIFY(!session.settingsChanged());
        QTRY_COMPARE(c->state(), State::Ready);
        QVERIFY(!session.currentRun()->fork().isFork());
        QTRY_COMPARE(c->currentStep(), int64_t(0));
        QCOMPARE(session.currentRun()->settings().model.dim, 32);
        session.shutdown();
    }

    // Forks that cannot train are refused, saying why: one whose Training
    // panel ends before the checkpoint's step (it was finished at once,
    // Start training nothing, no word), and one whose checkpoint is damaged
    // (the message names the session file it is in).
    void forkRefusals()
    {
        const QString file = path(QStringLiteral("forkrefused.attnscope"));
        RunSettings settings = smallRunSettings();  // 10 steps an epoch
        int parentFile = 0;
        int64_t checkpointId = 0;
        {
            Session session;
            session.setSettingsSource([&] { return settings; });
            QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=200")));
            QVERIFY(session.saveSessionAs(file));
            QVERIFY(step(session, 4));
            const int parent = session.currentRun()->id();
            const std::vector<CheckpointRecord> points = session.forkPoints(parent);
            QVERIFY(!points.empty());
            checkpointId = points.back().id;
            parentFile = int(points.back().run);
            settings.train.steps = 3;
            QSignalSpy failed(&session, &Session::failed);
            QVERIFY(!session.forkRun(parent, checkpointId));
            QCOMPARE(failed.size(), 1);
            QVERIFY2(failed[0][0].toString().contains(QLatin1String("steps end at step 3, before the checkpoint's 4")),
                     qPrintable(failed[0][0].toString()));
            QVERIFY(!session.currentRun()->fork().isFork());
            session.shutdown();
        }
        settings.train.steps = 0;
        {
            const QString name = QStringLiteral("damage");
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(file);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("UPDATE checkpoints SET weights = X'00010203' WHERE id = %1").arg(checkpointId)));
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("damage"));
        Session reopened;
        reopened.setSettingsSource([&] { return settings; });
        QVERIFY(reopened.openSessionFile(file));
        QVERIFY(reopened.openDataset(QStringLiteral("builtin:reviews?n=200")));
        const auto &kept = reopened.keptRuns();
        const auto it = std::find_if(kept.begin(), kept.end(), [&](const auto &k) { return k->fileId == parentFile; });
        QVERIFY(it != kept.end());
        QSignalSpy failed(&reopened, &Session::failed);
        QVERIFY(!reopened.forkRun((*it)->id, checkpointId));
        QCOMPARE(failed.size(), 1);
        QVERIFY2(failed[0][0].toString().contains(file), qPrintable(failed[0][0].toString()));
        reopened.shutdown();
    }

    // Open Session: the file's runs become the kept runs, with their curves;
    // the current run joins the file. A file that is no session changes nothing.
    void opensAFile()
    {
        const QString file = path(QStringLiteral("cli.attnscope"));
        {
            SessionWriter writer;
            QString error;
            QVERIFY2(writer.open(file, &error), qPrintable(error));
            for (const char *name : {"task", "shared"}) {
                RunRecord r;
                r.name = QString::fromLatin1(name);
                r.dataset = QStringLiteral("builtin:reviews?n=200");
                r.tasks = {QStringLiteral("sentiment"), QStringLiteral("topic"), QStringLiteral("urgency")};
                r.hidden = r.name == QLatin1String("shared");
                writer.addRun(&r);
                TrainingSnapshot s;
                for (int64_t i = 1; i <= 30; ++i)
                    s.steps.push_back({i, double(i) / 10, 1.0f / float(i), {0.1f, 0.2f, 0.3f}, 0.003f, 1.0f});
                s.evals.push_back({10, 1.0, 0.5, {0.1, 0.2, 0.3}, {0.9, 0.8, 0.7}, {}, {}});
                s.changes.push_back({5, 0.5, QStringLiteral("lr 0.001")});
                writer.appendSnapshot(r.id, s);
            }
            QVERIFY(writer.flush());
        }
        Session session;
        session.setSettingsSource([] { return smallRunSettings(); });
        QVERIFY(session.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QVERIFY(step(session, 2));

        const QString notes = path(QStringLiteral("notes.attnscope"));
        QVERIFY(spit(notes, QByteArray("not a session")));
        QSignalSpy failed(&session, &Session::failed);
        QVERIFY(!session.openSessionFile(notes));
        QCOMPARE(failed.count(), 1);
        QVERIFY2(failed[0][0].toString().startsWith(notes + QStringLiteral(": is not an SQLite database")),
                 qPrintable(failed[0][0].toString()));
        QVERIFY(session.sessionPath().isEmpty());
        QVERIFY(session.keptRuns().empty());
        QCOMPARE(slurp(notes), QByteArray("not a session"));

        QVERIFY(session.openSessionFile(file));
        QCOMPARE(session.keptRuns().size(), size_t(2));
        const KeptRun &task = *session.keptRuns()[0];
        QCOMPARE(task.name, QStringLiteral("task"));
        QCOMPARE(task.history.steps().size(), size_t(30));
        QCOMPARE(task.history.evalSteps(), std::vector<double>{10});
        QCOMPARE(task.history.changes().size(), size_t(1));
        QCOMPARE(task.history.tasks().size(), qsizetype(3));
        QVERIFY(task.shown);
        QVERIFY(!session.keptRuns()[1]->shown);
        // The current run joined the file with its two steps, and goes on there.
        const QString live = session.currentRun()->name();
        QTRY_COMPARE(fileSteps(file, live), (std::vector<int64_t>{1, 2}));
        QVERIFY(step(session, 1));
        QTRY_COMPARE(fileSteps(file, live), (std::vector<int64_t>{1, 2, 3}));
        session.shutdown();
    }
};

QTEST_GUILESS_MAIN(TestSessionRuns)
#include "test_sessionruns.moc"
