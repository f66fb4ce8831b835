// The session file (attnscope_live alone: Qt Core and Qt Sql, no widget):
// everything written through the writer reads back the same after the file
// is closed and opened again; kept checkpoints stay bounded and spread; a
// reader on another connection sees commits while the writer goes on; a
// trainer restored from a checkpoint in the file continues bit for bit; and
// files that are not sessions of this version are refused with a message
// that names them, unchanged.
#include "../specialfiles.h"
#include "../wholefile.h"
#include "checkpoint.h"
#include "sessionwriter.h"
#include "smallsetup.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>

using namespace attnscope;

namespace {

std::shared_ptr<TrainingSetup> makeSetup(int batchSize = 24, int64_t steps = 0)
{
    TrainConfig train;
    train.batchSize = batchSize;
    train.steps = steps;
    return smallSetup(train);
}

RunRecord runRecord(const QString &name)
{
    RunRecord r;
    r.name = name;
    r.dataset = QStringLiteral("builtin:reviews?n=200");
    r.options.textColumn = "review";
    r.options.taskColumns = {"topic", "sentiment"};
    r.options.separator = '\t';
    r.valFraction = 0.25;
    r.model.layers = 0;
    r.model.mode = AttentionMode::Gated;
    r.model.dim = 32;
    r.train.optimizer.lr = 0.0123f;
    r.train.optimizer.schedule = Schedule::Cosine;
    r.train.optimizer.warmup = 7;
    r.train.seed = 0xFEDCBA9876543210ull;  // beyond 2^63: kept exactly
    r.train.steps = 300;
    r.train.taskWeights = {1.0f, 0.5f};
    r.train.rationaleWeight = 0.25f;
    r.tasks = {QStringLiteral("topic"), QStringLiteral("sentiment, \"quoted\"")};
    return r;
}

TrainingSnapshot points(int64_t first, int64_t count)
{
    TrainingSnapshot s;
    for (int64_t i = first; i < first + count; ++i) {
        const float a = 1.0f / float(i), b = i % 5 == 0 ? NAN : 2.0f - a;
        s.steps.push_back({i, double(i) / 7.0, a + b, {a, b}, 0.001f * float(i), 0.5f + a});
        if (i % 10 == 0)
            s.evals.push_back({i, double(i) / 7.0, 0.5 + a, {0.25, 0.75}, {0.9, double(a)}, {0.8, 0.5}, {}});
    }
    if (first == 1)
        s.changes.push_back({3, 3.0 / 7.0, QStringLiteral("lr 0.001")});
    return s;
}

// An evaluation at `step` with a confusion matrix per task: a 3-class task
// (counts by gold row, two misses) and one of 300 classes (no matrix past
// Confusion::MaxClasses, its misses only).
EvalPoint confusedEval(int64_t step)
{
    EvalPoint e{step, double(step) / 7.0, 0.5, {0.25, 0.75}, {0.9, 0.5}, {0.8, 0.5}, {}};
    Confusion small;
    small.classes = 3;
    small.counts = {5, 1, 0, 0, 7, int(step), 2, 0, 9};
    small.misses = {{11, 0, 1}, {int(step), 1, 2}};
    Confusion large;
    large.classes = 300;
    large.misses = {{4, 299, 0}, {40000, 17, 250}};
    e.confusion = {small, large};
    return e;
}

// Runs sql on path through a connection of its own (for files the tests make or damage).
void rawSql(const QString &path, const QStringList &statements)
{
    const QString name = QStringLiteral("raw-") + path;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        for (const QString &sql : statements) {
            QSqlQuery q(db);
            QVERIFY2(q.exec(sql), qPrintable(sql));
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

// The first column of sql's first row on path (through a connection of its own).
QVariant scalar(const QString &path, const QString &sql)
{
    const QString name = QStringLiteral("scalar-") + path;
    QVariant value;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QSqlQuery q(db);
        if (db.open() && q.exec(sql) && q.next())
            value = q.value(0);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return value;
}

// A trainer on setup, from its initial weights, `steps` steps: its weights and state.
std::pair<Model, TrainerState> train(const TrainingSetup &setup, int64_t steps)
{
    Model model = setup.model;
    Trainer trainer(model, setup.train, setup.config);
    for (int64_t i = 0; i < steps; ++i)
        trainer.step();
    return {model, trainer.state()};
}

} // namespace

class TestSessionFile : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

    // A whole session with one run, written through the writer and closed.
    QString writeSession(const QString &name)
    {
        const QString file = path(name);
        SessionWriter writer;
        QString error;
        if (!writer.open(file, &error))
            qFatal("%s", qPrintable(error));
        RunRecord run = runRecord(QStringLiteral("first"));
        writer.addRun(&run);
        writer.appendSnapshot(run.id, points(1, 50));
        writer.flush();
        writer.close();
        return file;
    }

    // Evaluations appended to run 1 of file through a writer; "" or what failed.
    static QString appendEvals(const QString &file, std::vector<EvalPoint> evals)
    {
        SessionWriter writer;
        QString error;
        if (!writer.open(file, &error))
            return error;
        TrainingSnapshot more;
        more.evals = std::move(evals);
        writer.appendSnapshot(1, more);
        return writer.flush() ? QString() : writer.error();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")),
                 "Qt's SQLite driver is missing (Debian: libqt6sql6-sqlite)");
    }

    // Everything written reads back the same from a new connection.
    void writeAndReadBack()
    {
        const QString file = path(QStringLiteral("whole.attnscope"));
        auto setup = makeSetup();
        auto [weights, state] = train(*setup, 9);
        QVERIFY(!state.optimizer.m.empty());

        AttentionSnapshot snapshot;
        snapshot.step = 9;
        snapshot.mode = AttentionMode::Gated;
        snapshot.layers = 1;
        snapshot.heads = 2;
        snapshot.tasks = {{"topic", {"a", "b"}}, {"mood", {"x", "y", "z"}}};
        snapshot.gates = {0.25f, 0.75f};
        snapshot.rationaleMass = {0.5, std::nullopt};
        snapshot.rationaleAuprc = {std::nullopt, 0.125};
        AttentionSample sample;
        sample.probe = 3;
        sample.sampleIndex = 17;
        sample.text = "Not great, \"really\"";
        sample.tokens = {"not", "great", ","};
        sample.labels = {1, -1};
        sample.rationale = {{1, 0, 0}, {}};
        sample.weights = {{0.5f, 0.25f, 0.25f}, {0.1f, 0.2f, 0.7f}};
        sample.probs = {{0.25f, 0.75f}, {0.2f, 0.3f, 0.5f}};
        snapshot.samples = {sample};

        ProbeSet probes;
        probes.add(4);
        probes.add(2);
        probes.setPinned(7, true);
        probes.setFocus(2);

        RunRecord first = runRecord(QStringLiteral("first")), second = runRecord(QStringLiteral("second"));
        {
            SessionWriter writer;
            QString error;
            QVERIFY2(writer.open(file, &error), qPrintable(error));
            QVERIFY(writer.addRun(&first) > 0);
            second.parent = first.id;
            second.forkStep = 40;
            second.hidden = true;
            QVERIFY(writer.addRun(&second) > first.id);
            // A name in use is refused, and the writer says why.
            RunRecord again = runRecord(QStringLiteral("first"));
            QCOMPARE(writer.addRun(&again), int64_t(0));
            QVERIFY2(writer.error().contains(file) && writer.error().contains(QLatin1String("UNIQUE")),
                     qPrintable(writer.error()));
            for (int64_t first_ = 1; first_ <= 100; first_ += 25)
                writer.appendSnapshot(first.id, points(first_, 25));
            writer.appendEvent(first.id, {60, 8.5, QStringLiteral("pause"), QString()});
            writer.putCheckpoint(first.id, std::make_shared<Model>(weights), state, QStringLiteral("last"));
            writer.post([&](SessionFile &f) {
                return f.putTimeline(first.id, snapshot) && f.setProbes(first.id, probes)
                    && f.setLayout(QStringLiteral("window"), QByteArray("\x00\x01layout", 8));
            });
            QVERIFY(!writer.flush());  // the refused name, since the last flush
            QVERIFY(writer.flush());
        }

        SessionFile f;
        QString error;
        QVERIFY2(f.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
        const std::vector<RunRecord> runs = f.runs();
        QCOMPARE(runs.size(), size_t(2));
        const RunRecord &r = runs[0];
        QCOMPARE(r.id, first.id);
        QCOMPARE(r.name, first.name);
        QCOMPARE(r.dataset, first.dataset);
        QCOMPARE(r.tasks, first.tasks);
        QCOMPARE(r.created, first.created);
        QCOMPARE(r.valFraction, 0.25);
        QCOMPARE(r.settingsJson(), first.settingsJson());
        QCOMPARE(r.train.seed, first.train.seed);
        QCOMPARE(r.train.optimizer.lr, 0.0123f);
        QCOMPARE(r.train.rationaleWeight, 0.25f);
        QCOMPARE(r.options.separator, '\t');
        QCOMPARE(r.options.taskColumns, first.options.taskColumns);
        QCOMPARE(r.model.mode, AttentionMode::Gated);
        QCOMPARE(runs[1].parent, first.id);
        QCOMPARE(runs[1].forkStep, int64_t(40));
        QVERIFY(runs[1].hidden && !r.hidden);

        const std::vector<StepPoint> steps = f.steps(first.id);
        const TrainingSnapshot expected = points(1, 100);
        QCOMPARE(steps.size(), size_t(100));
        for (size_t i = 0; i < steps.size(); ++i) {
            const StepPoint &a = steps[i], &b = expected.steps[i];
            QCOMPARE(a.step, b.step);
            QCOMPARE(a.epoch, b.epoch);
            QCOMPARE(a.loss, b.loss);
            QCOMPARE(a.learningRate, b.learningRate);
            QCOMPARE(a.gradNorm, b.gradNorm);
            QCOMPARE(a.taskLoss[0], b.taskLoss[0]);
            QCOMPARE(std::isnan(a.taskLoss[1]), std::isnan(b.taskLoss[1]));
            if (!std::isnan(b.taskLoss[1]))
                QCOMPARE(a.taskLoss[1], b.taskLoss[1]);
        }
        const std::vector<EvalPoint> evals = f.evals(first.id);
        QCOMPARE(evals.size(), size_t(10));
        QCOMPARE(evals[3].step, int64_t(40));
        QCOMPARE(evals[3].loss, expected.evals[3].loss);
        QCOMPARE(evals[3].taskAccuracy, expected.evals[3].taskAccuracy);
        QCOMPARE(evals[3].taskLoss, expected.evals[3].taskLoss);
        QCOMPARE(evals[3].taskMacroF1, expected.evals[3].taskMacroF1);

        const std::vector<RunEvent> events = f.events(first.id);
        QCOMPARE(events.size(), size_t(2));
        QCOMPARE(events[0].kind, QStringLiteral("setting"));
        QCOMPARE(events[0].what, QStringLiteral("lr 0.001"));
        QCOMPARE(events[0].step, int64_t(3));
        QCOMPARE(events[1].kind, QStringLiteral("pause"));

        const std::optional<CheckpointRecord> c = f.latestCheckpoint(first.id);
        QVERIFY2(c, qPrintable(f.error()));
        QCOMPARE(c->step, int64_t(9));
        QCOMPARE(c->kind, QStringLiteral("last"));
        Model loaded;
        std::string why;
        QVERIFY2(parseCheckpoint(c->weights.toStdString(), "session", &loaded, &why), why.c_str());
        QCOMPARE(loaded.params, weights.params);
        QCOMPARE(c->trainer.step, state.step);
        QCOMPARE(c->trainer.epoch, state.epoch);
        QCOMPARE(c->trainer.cursor, state.cursor);
        QCOMPARE(c->trainer.epochRng, state.epochRng);
        QCOMPARE(c->trainer.trainSamples, state.trainSamples);
        QCOMPARE(c->trainer.learningRate, state.learningRate);
        QCOMPARE(c->trainer.optimizer.steps, state.optimizer.steps);
        QCOMPARE(c->trainer.optimizer.m, state.optimizer.m);
        QCOMPARE(c->trainer.optimizer.v, state.optimizer.v);
        QVERIFY(!f.latestCheckpoint(second.id));

        const std::vector<AttentionSnapshot> timeline = f.timeline(first.id);
        QCOMPARE(timeline.size(), size_t(1));
        const AttentionSnapshot &t = timeline[0];
        QCOMPARE(t.step, int64_t(9));
        QCOMPARE(t.mode, AttentionMode::Gated);
        QCOMPARE(t.tasks, snapshot.tasks);
        QCOMPARE(t.gates, snapshot.gates);
        QCOMPARE(t.rationaleMass, snapshot.rationaleMass);
        QCOMPARE(t.rationaleAuprc, snapshot.rationaleAuprc);
        QCOMPARE(t.samples.size(), size_t(1));
        QCOMPARE(t.samples[0].text, sample.text);
        QCOMPARE(t.samples[0].tokens, sample.tokens);
        QCOMPARE(t.samples[0].labels, sample.labels);
        QCOMPARE(t.samples[0].rationale, sample.rationale);
        QCOMPARE(t.samples[0].weights, sample.weights);
        QCOMPARE(t.samples[0].probs, sample.probs);
        QCOMPARE(t.samples[0].sampleIndex, 17);

        const std::optional<ProbeSet> p = f.probes(first.id);
        QVERIFY(p);
        QCOMPARE(p->indices(), probes.indices());
        QCOMPARE(p->pinned(), probes.pinned());
        QCOMPARE(p->focus(), 2);
        QCOMPARE(f.layout(QStringLiteral("window")), QByteArray("\x00\x01layout", 8));
        QVERIFY(f.error().isEmpty());
    }

    // Curves another program wrote (Python, the sqlite3 shell): the per-task
    // arrays with spaces, exponents, integers and nulls read as JSON reads
    // them, a NULL as NaN, and a value that is no number (or a text that is
    // no array) as no value rather than a failure. Open session reads these
    // columns with a parser of its own (SessionFile::readRows), not QJsonDocument.
    void curvesWrittenByOthers()
    {
        const QString file = writeSession(QStringLiteral("others.attnscope"));
        rawSql(file, {QStringLiteral("DELETE FROM steps"), QStringLiteral("DELETE FROM evals"),
                      QStringLiteral("INSERT INTO steps VALUES (1, 1, 0.5, 0.001, 1.25, 2, ' [ 1e-05 , null,-2.5E+3 ] ')"),
                      QStringLiteral("INSERT INTO steps VALUES (1, 2, 1.0, NULL, NULL, NULL, '[3,0.1]')"),
                      QStringLiteral("INSERT INTO steps VALUES (1, 3, 1.5, 0.001, 1, 2, '[1, \"x\", 2]')"),
                      QStringLiteral("INSERT INTO steps VALUES (1, 4, 2.0, 0.001, 1, 2, '[]')"),
                      QStringLiteral("INSERT INTO steps VALUES (1, 5, 2.5, 0.001, 1, 2, 'no array')"),
                      QStringLiteral("INSERT INTO evals VALUES (1, 2, 1.0, 0.75, '[0.5,null]', '[1, 0.25]', '[\n0.125 ,\t0.5]')")});
        SessionFile f;
        QString error;
        QVERIFY2(f.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
        const std::vector<StepPoint> steps = f.steps(1);
        QVERIFY2(f.error().isEmpty(), qPrintable(f.error()));
        QCOMPARE(steps.size(), size_t(5));
        QCOMPARE(steps[0].step, int64_t(1));
        QCOMPARE(steps[0].loss, 1.25f);
        QCOMPARE(steps[0].taskLoss.size(), size_t(3));
        QCOMPARE(steps[0].taskLoss[0], 1e-05f);
        QVERIFY(std::isnan(steps[0].taskLoss[1]));
        QCOMPARE(steps[0].taskLoss[2], -2500.0f);
        QVERIFY(std::isnan(steps[1].learningRate) && std::isnan(steps[1].loss) && std::isnan(steps[1].gradNorm));
        QCOMPARE(steps[1].taskLoss, (std::vector<float>{3.0f, 0.1f}));
        QCOMPARE(steps[2].taskLoss.size(), size_t(3));
        QVERIFY(std::isnan(steps[2].taskLoss[1]));
        QCOMPARE(steps[2].taskLoss[2], 2.0f);
        QVERIFY(steps[3].taskLoss.empty());
        QVERIFY(steps[4].taskLoss.empty());
        const std::vector<EvalPoint> evals = f.evals(1);
        QCOMPARE(evals.size(), size_t(1));
        QCOMPARE(evals[0].loss, 0.75);
        QCOMPARE(evals[0].taskLoss.size(), size_t(2));
        QCOMPARE(evals[0].taskLoss[0], 0.5);
        QVERIFY(std::isnan(evals[0].taskLoss[1]));
        QCOMPARE(evals[0].taskAccuracy, (std::vector<double>{1.0, 0.25}));
        QCOMPARE(evals[0].taskMacroF1, (std::vector<double>{0.125, 0.5}));
    }

    // Each evaluation's confusion matrices and misses read back as they were
    // written (the Confusion tab of a session opened again), a task past
    // Confusion::MaxClasses with its misses alone; an evaluation without
    // them reads back without them.
    void confusionReadsBack()
    {
        const QString file = writeSession(QStringLiteral("confusion.attnscope"));
        std::vector<EvalPoint> more = {confusedEval(60), confusedEval(70)};
        more[1].confusion.clear();
        const QString appended = appendEvals(file, more);
        QVERIFY2(appended.isEmpty(), qPrintable(appended));
        SessionFile f;
        QString error;
        QVERIFY2(f.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
        const std::vector<EvalPoint> evals = f.evals(1);
        QVERIFY2(f.error().isEmpty(), qPrintable(f.error()));
        QCOMPARE(evals.size(), size_t(7));
        QCOMPARE(evals[5].step, int64_t(60));
        QCOMPARE(evals[5].confusion, confusedEval(60).confusion);
        QVERIFY(evals[5].confusion[0].hasMatrix() && !evals[5].confusion[1].hasMatrix());
        QVERIFY(evals[4].confusion.empty() && evals[6].confusion.empty());
        // Deleting the run takes them with it.
        f.close();
        QVERIFY2(f.open(file, SessionFile::Mode::ReadWrite, &error), qPrintable(error));
        QVERIFY(f.deleteRun(1));
        f.close();
        QCOMPARE(scalar(file, QStringLiteral("SELECT count(*) FROM confusion")).toInt(), 0);
    }

    // A session of version 1 (before the confusion table) opens: for reading
    // as it is, untouched, its evaluations without matrices; for writing it
    // becomes version 2 with an empty confusion table, its runs kept.
    void versionOneOpens()
    {
        const QString file = writeSession(QStringLiteral("v1.attnscope"));
        rawSql(file, {QStringLiteral("DROP TABLE confusion"),
                      QStringLiteral("UPDATE meta SET value = '1' WHERE key = 'version'"),
                      QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")});
        const QByteArray before = slurp(file);
        {
            SessionFile f;
            QString error;
            QVERIFY2(f.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
            const std::vector<EvalPoint> evals = f.evals(1);
            QVERIFY2(f.error().isEmpty(), qPrintable(f.error()));
            QCOMPARE(evals.size(), size_t(5));
            QVERIFY(evals[0].confusion.empty());
            QCOMPARE(f.steps(1).size(), size_t(50));
        }
        QCOMPARE(slurp(file), before);
        const QString appended = appendEvals(file, {confusedEval(60)});  // through the writer: opened for writing
        QVERIFY2(appended.isEmpty(), qPrintable(appended));
        QCOMPARE(scalar(file, QStringLiteral("SELECT value FROM meta WHERE key = 'version'")).toString(), QStringLiteral("2"));
        SessionFile f;
        QString error;
        QVERIFY2(f.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
        const std::vector<EvalPoint> evals = f.evals(1);
        QCOMPARE(evals.size(), size_t(6));
        QVERIFY(evals[4].confusion.empty());
        QCOMPARE(evals[5].confusion, confusedEval(60).confusion);
        QCOMPARE(f.steps(1).size(), size_t(50));
        QCOMPARE(f.runNames(), QStringList{QStringLiteral("first")});
    }

    // A run's confusion rows stay within their budget as evaluations come,
    // one at a time and across connections: past it, those of evaluations
    // at every 2^k-th index and of the latest are kept, spread over the run.
    void confusionStaysWithinItsBudget()
    {
        const QString file = path(QStringLiteral("budget.attnscope"));
        QFile::remove(file);
        const auto rowBytes = [] {
            return size_t(QByteArray("[5,1,0,0,7,1000,2,0,9]").size() + QByteArray("[11,0,1,1000,1,2]").size() + 2
                          + QByteArray("[4,299,0,40000,17,250]").size());
        }();
        const size_t budget = 12 * rowBytes;  // 12 evaluations' worth
        int64_t id = 0;
        const auto append = [&](int64_t from, int64_t to) {
            SessionFile f;
            QString error;
            QVERIFY2(f.open(file, SessionFile::Mode::ReadWrite, &error), qPrintable(error));
            if (!id) {
                RunRecord run = runRecord(QStringLiteral("budget"));
                QVERIFY(f.addRun(&run));
                id = run.id;
            }
            for (int64_t step = from; step <= to; step += 10)
                QVERIFY2(f.appendEvals(id, {confusedEval(step)}, budget), qPrintable(f.error()));
        };
        const auto kept = [&] {
            std::vector<int64_t> steps;
            SessionFile f;
            QString error;
            if (!f.open(file, SessionFile::Mode::ReadOnly, &error))
                qFatal("%s", qPrintable(error));
            for (const EvalPoint &e : f.evals(id))
                if (!e.confusion.empty())
                    steps.push_back(e.step);
            return steps;
        };
        append(1000, 1990);  // 100 evaluations
        std::vector<int64_t> steps = kept();
        QVERIFY2(steps.size() <= 12 && steps.size() >= 6, qPrintable(QString::number(steps.size())));
        QCOMPARE(steps.front(), int64_t(1000));  // index 0
        QCOMPARE(steps.back(), int64_t(1990));   // the latest
        // Evenly spread: every index kept but the latest is a multiple of one stride.
        const int64_t stride = (steps[1] - steps[0]) / 10;
        QVERIFY(stride >= 8);
        for (size_t i = 0; i + 1 < steps.size(); ++i)
            QCOMPARE(steps[i], 1000 + int64_t(i) * stride * 10);
        // Another connection goes on (a run resumed): still within the budget, spread.
        append(2000, 2990);
        steps = kept();
        QVERIFY2(steps.size() <= 12 && steps.size() >= 6, qPrintable(QString::number(steps.size())));
        QCOMPARE(steps.front(), int64_t(1000));
        QCOMPARE(steps.back(), int64_t(2990));
        const int64_t stride2 = (steps[1] - steps[0]) / 10;
        for (size_t i = 0; i + 1 < steps.size(); ++i)
            QCOMPARE(steps[i], 1000 + int64_t(i) * stride2 * 10);
    }

    // Rename, hide and delete; a deleted run takes its curves and checkpoints with it.
    void renameHideDelete()
    {
        const QString file = writeSession(QStringLiteral("edit.attnscope"));
        SessionFile f;
        QString error;
        QVERIFY2(f.open(file, SessionFile::Mode::ReadWrite, &error), qPrintable(error));
        const int64_t id = f.runs().at(0).id;
        QCOMPARE(f.runNames(), QStringList{QStringLiteral("first")});
        QCOMPARE(f.runCount(), 1);
        QVERIFY(f.renameRun(id, QStringLiteral("renamed")));
        QVERIFY(f.setRunHidden(id, true));
        QCOMPARE(f.run(QStringLiteral("renamed"))->hidden, true);
        QVERIFY(!f.run(QStringLiteral("first")));
        QCOMPARE(f.runNames(), QStringList{QStringLiteral("renamed")});
        QCOMPARE(f.steps(id).size(), size_t(50));
        QVERIFY(f.deleteRun(id));
        QVERIFY(f.runs().empty());
        QVERIFY(f.runNames().isEmpty());
        QCOMPARE(f.runCount(), 0);
        QVERIFY(f.steps(id).empty());
        QVERIFY(f.events(id).empty());
        QVERIFY(f.error().isEmpty());
    }

    // updateTimeline keeps the snapshots of the steps it is told, writes the
    // new ones (one of a step the file has replaces it) and deletes the rest:
    // a live run's timeline as it thins out, without writing it all again.
    void timelineUpdates()
    {
        const QString file = writeSession(QStringLiteral("timeline.attnscope"));
        SessionFile f;
        QString error;
        QVERIFY2(f.open(file, SessionFile::Mode::ReadWrite, &error), qPrintable(error));
        const int64_t id = f.runs().at(0).id;
        const auto snapshot = [](int64_t step, int heads) {
            AttentionSnapshot s;
            s.step = step;
            s.heads = heads;
            return std::make_shared<const AttentionSnapshot>(s);
        };
        QVERIFY(f.setTimeline(id, {snapshot(1, 1), snapshot(2, 1), snapshot(3, 1), snapshot(4, 1)}));
        QVERIFY(f.updateTimeline(id, {1, 3}, {snapshot(3, 2), snapshot(6, 2)}));
        std::vector<std::pair<int64_t, int>> read;
        for (const AttentionSnapshot &s : f.timeline(id))
            read.emplace_back(s.step, s.heads);
        QCOMPARE(read, (std::vector<std::pair<int64_t, int>>{{1, 1}, {3, 2}, {6, 2}}));
        QVERIFY(f.error().isEmpty());
    }

    // "kept" checkpoints stay at most `keep`, spread over the run (the first
    // stays, every second one goes); "last" is one per run.
    void keptCheckpointsStayBounded()
    {
        const QString file = path(QStringLiteral("kept.attnscope"));
        auto model = std::make_shared<Model>(makeSetup()->model);
        SessionWriter writer;
        QString error;
        QVERIFY2(writer.open(file, &error), qPrintable(error));
        RunRecord run = runRecord(QStringLiteral("kept"));
        QVERIFY(writer.addRun(&run));
        for (int64_t step = 100; step <= 1600; step += 100) {
            TrainerState state;
            state.step = step;
            writer.putCheckpoint(run.id, model, state, QStringLiteral("kept"), 4);
            writer.putCheckpoint(run.id, model, state, QStringLiteral("last"), 4);
        }
        // Asked for again at the same step (snapshots that came late): one a step.
        TrainerState again;
        again.step = 1600;
        writer.putCheckpoint(run.id, model, again, QStringLiteral("kept"), 4);
        QVERIFY(writer.flush());
        QStringList kinds;
        std::vector<int64_t> kept;
        QVERIFY(writer.call([&](SessionFile &f) {
            for (const CheckpointRecord &c : f.checkpointList(run.id))
                if (c.kind == QLatin1String("kept"))
                    kept.push_back(c.step);
                else
                    kinds << QStringLiteral("%1 %2").arg(c.kind).arg(c.step);
            return true;
        }));
        QCOMPARE(kinds, QStringList{QStringLiteral("last 1600")});
        QVERIFY2(kept.size() <= 4 && kept.size() >= 2, qPrintable(QString::number(kept.size())));
        QCOMPARE(kept.front(), int64_t(100));
        QCOMPARE(kept.back(), int64_t(1600));  // the newest is among them
        QVERIFY(std::is_sorted(kept.begin(), kept.end()));
        QVERIFY(std::adjacent_find(kept.begin(), kept.end()) == kept.end());
    }

    // Written while training: another connection sees the writes of a
    // transaction once it commits (within the commit interval), with no flush.
    void commitsWhileWriting()
    {
        const QString file = path(QStringLiteral("live.attnscope"));
        SessionWriter writer(std::chrono::milliseconds(100));
        QString error;
        QVERIFY2(writer.open(file, &error), qPrintable(error));
        RunRecord run = runRecord(QStringLiteral("live"));
        QVERIFY(writer.addRun(&run));
        writer.appendSnapshot(run.id, points(1, 30));
        SessionFile reader;
        QVERIFY2(reader.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
        QTRY_COMPARE(reader.steps(run.id).size(), size_t(30));
        writer.appendSnapshot(run.id, points(31, 30));
        QTRY_COMPARE(reader.steps(run.id).size(), size_t(60));
        QVERIFY(reader.error().isEmpty());
    }

    // 200 steps, the checkpoint and trainer state into the session, the file
    // closed and opened again, 100 more steps: the weights are bit for bit
    // those of 300 steps straight (the batch size leaves 200 in mid-epoch,
    // and Adam's moments, the shuffle and a changed learning rate carry over).
    void resumeIsExact()
    {
        const auto setup = makeSetup(24, 300);
        QCOMPARE(setup->train.samples.size(), size_t(160));  // 7 steps an epoch: step 200 is in epoch 29
        const auto changeLr = [](Trainer &t, int64_t step) {
            if (step == 150)
                t.setLearningRate(0.001f);
        };
        Model straight = setup->model;
        {
            Trainer trainer(straight, setup->train, setup->config);
            for (int64_t s = 0; s < 300; ++s) {
                changeLr(trainer, s);
                QVERIFY(trainer.step());
            }
            QVERIFY(trainer.finished());
        }

        const QString file = path(QStringLiteral("resume.attnscope"));
        int64_t runId = 0;
        {
            Model model = setup->model;
            Trainer trainer(model, setup->train, setup->config);
            for (int64_t s = 0; s < 200; ++s) {
                changeLr(trainer, s);
                QVERIFY(trainer.step());
            }
            SessionWriter writer;
            QString error;
            QVERIFY2(writer.open(file, &error), qPrintable(error));
            RunRecord run = runRecord(QStringLiteral("resume"));
            runId = writer.addRun(&run);
            writer.putCheckpoint(runId, std::make_shared<Model>(model), trainer.state(), QStringLiteral("last"));
            QVERIFY(writer.flush());
        }

        SessionFile f;
        QString error;
        QVERIFY2(f.open(file, SessionFile::Mode::ReadOnly, &error), qPrintable(error));
        const std::optional<CheckpointRecord> c = f.latestCheckpoint(runId);
        QVERIFY2(c, qPrintable(f.error()));
        Model resumed;
        std::string why;
        QVERIFY2(parseCheckpoint(c->weights.toStdString(), "session", &resumed, &why), why.c_str());
        Trainer trainer(resumed, setup->train, setup->config);
        QVERIFY2(trainer.restore(c->trainer, &why), why.c_str());
        QCOMPARE(trainer.progress().step, int64_t(200));
        for (int64_t s = 200; s < 300; ++s)
            QVERIFY(trainer.step());
        QVERIFY(trainer.finished());
        QCOMPARE(resumed.params.size(), straight.params.size());
        QVERIFY(std::memcmp(resumed.params.data(), straight.params.data(), straight.params.size() * sizeof(float)) == 0);

        // Without the optimiser's moments the same 100 steps end elsewhere:
        // the comparison above is not one that anything passes.
        TrainerState bare = c->trainer;
        bare.optimizer = OptimizerState();
        Model other;
        QVERIFY(parseCheckpoint(c->weights.toStdString(), "session", &other, &why));
        Trainer again(other, setup->train, setup->config);
        QVERIFY(again.restore(bare, &why));
        for (int64_t s = 200; s < 300; ++s)
            again.step();
        QVERIFY(std::memcmp(other.params.data(), straight.params.data(), straight.params.size() * sizeof(float)) != 0);
    }

    // A state of another run does not fit: refused, the trainer unchanged.
    void restoreRefusesAnotherRun()
    {
        const auto setup = makeSetup();
        auto [weights, state] = train(*setup, 3);
        Model model = setup->model;
        Trainer trainer(model, setup->train, setup->config);
        std::string error;
        TrainerState wrong = state;
        wrong.trainSamples += 1;
        QVERIFY(!trainer.restore(wrong, &error));
        QVERIFY2(error.find("161") != std::string::npos, error.c_str());
        wrong = state;
        wrong.optimizer.m.pop_back();
        QVERIFY(!trainer.restore(wrong, &error));
        QVERIFY2(error.find("optimiser") != std::string::npos, error.c_str());
        QCOMPARE(trainer.progress().step, int64_t(0));
    }

    // Files that are not sessions of this version: refused by name, for
    // reading and for writing, and left byte for byte as they were.
    void refusals_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("says");
        QTest::newRow("text") << "notes.attnscope" << "is not an SQLite database";
        QTest::newRow("short") << "short.attnscope" << "is not an SQLite database";
        QTest::newRow("truncated") << "truncated.attnscope" << "is truncated";
        QTest::newRow("foreign") << "foreign.sqlite" << "not an AttnScope session (it has no table 'meta')";
        QTest::newRow("other format") << "format.sqlite" << "not an AttnScope session (its meta table says format 'photos')";
        QTest::newRow("other version") << "version.attnscope" << "session of format version 99";
        QTest::newRow("no version") << "noversion.attnscope" << "format version (none)";
        QTest::newRow("missing table") << "partial.attnscope" << "table 'checkpoints'";
        QTest::newRow("no confusion") << "noconfusion.attnscope" << "table 'confusion'";
        QTest::newRow("damaged") << "damaged.attnscope" << "is not a readable SQLite database";
        QTest::newRow("fifo") << "pipe.attnscope" << "not a regular file";
    }

    void refusals()
    {
        QFETCH(QString, name);
        QFETCH(QString, says);
        const QString file = path(name);
        QFile::remove(file);
        if (name == QLatin1String("notes.attnscope")) {
            QVERIFY(spit(file, QByteArray("step,loss\n1,0.5\n").repeated(20)));
        } else if (name == QLatin1String("short.attnscope")) {
            QVERIFY(spit(file, QByteArray("SQLite format 3")));
        } else if (name == QLatin1String("truncated.attnscope")) {
            // A session with checkpoints, cut in half (its log merged first).
            const QString whole = writeSession(QStringLiteral("towhole.attnscope"));
            {
                SessionWriter writer;
                QString error;
                QVERIFY(writer.open(whole, &error));
                auto model = std::make_shared<Model>(makeSetup()->model);
                for (int i = 1; i <= 5; ++i) {
                    TrainerState state;
                    state.step = i;
                    writer.putCheckpoint(1, model, state, QStringLiteral("kept"));
                }
                QVERIFY(writer.flush());
            }
            rawSql(whole, {QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")});
            const QByteArray bytes = slurp(whole);
            QVERIFY(bytes.size() > 8192);
            QVERIFY(spit(file, bytes.left(bytes.size() / 2)));
        } else if (name == QLatin1String("foreign.sqlite")) {
            rawSql(file, {QStringLiteral("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")});
        } else if (name == QLatin1String("format.sqlite")) {
            rawSql(file, {QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)"),
                          QStringLiteral("INSERT INTO meta VALUES ('format', 'photos'), ('version', '1')")});
        } else if (name == QLatin1String("version.attnscope")) {
            QVERIFY(QFile::copy(writeSession(QStringLiteral("v.attnscope")), file));
            rawSql(file, {QStringLiteral("UPDATE meta SET value = '99' WHERE key = 'version'")});
        } else if (name == QLatin1String("noversion.attnscope")) {
            QVERIFY(QFile::copy(writeSession(QStringLiteral("nv.attnscope")), file));
            rawSql(file, {QStringLiteral("DELETE FROM meta WHERE key = 'version'")});
        } else if (name == QLatin1String("partial.attnscope")) {
            QVERIFY(QFile::copy(writeSession(QStringLiteral("p.attnscope")), file));
            rawSql(file, {QStringLiteral("DROP TABLE checkpoints")});
        } else if (name == QLatin1String("noconfusion.attnscope")) {
            // Version 2 without its table (version 1 has none: versionOneOpens).
            QVERIFY(QFile::copy(writeSession(QStringLiteral("nc.attnscope")), file));
            rawSql(file, {QStringLiteral("DROP TABLE confusion")});
        } else if (name == QLatin1String("damaged.attnscope")) {
            // A valid header, then noise where the schema should be.
            QByteArray bytes = slurp(writeSession(QStringLiteral("d.attnscope")));
            QVERIFY(bytes.size() >= 4096);
            for (int i = 100; i < 4096; ++i)
                bytes[i] = char(i * 7);
            QVERIFY(spit(file, bytes));
        } else if (name == QLatin1String("fifo.attnscope") || name == QLatin1String("pipe.attnscope")) {
            QVERIFY(makeFifo(file));
        }
        const QByteArray before = fileType(file) == S_IFREG ? slurp(file) : QByteArray();
        for (SessionFile::Mode mode : {SessionFile::Mode::ReadOnly, SessionFile::Mode::ReadWrite}) {
            SessionFile f;
            QString error;
            QVERIFY(!f.open(file, mode, &error));
            QVERIFY2(error.startsWith(file) && error.contains(says), qPrintable(error));
            QVERIFY(!f.isOpen());
        }
        SessionWriter writer;
        QString error;
        QVERIFY(!writer.open(file, &error));
        QVERIFY2(error.contains(says), qPrintable(error));
        QVERIFY(!writer.isOpen());
        if (fileType(file) == S_IFREG)
            QCOMPARE(slurp(file), before);
        QVERIFY(!QFile::exists(file + QStringLiteral("-wal")) || slurp(file + QStringLiteral("-wal")).isEmpty());
    }

    // A missing file is a new session for writing, and refused for reading.
    void missingFile()
    {
        const QString file = path(QStringLiteral("missing.attnscope"));
        SessionFile f;
        QString error;
        QVERIFY(!f.open(file, SessionFile::Mode::ReadOnly, &error));
        QVERIFY2(error == file + QStringLiteral(": no such file"), qPrintable(error));
        QVERIFY(!QFile::exists(file));
        QVERIFY2(f.open(file, SessionFile::Mode::ReadWrite, &error), qPrintable(error));
        QVERIFY(f.runs().empty() && f.error().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSessionFile)
#include "test_sessionfile.moc"
