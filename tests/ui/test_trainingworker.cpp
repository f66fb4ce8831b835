// The training worker on its thread, driven through TrainingController as the
// window drives it: start, pause, step, stop, reset, a learning-rate change
// marked at its step, divergence pausing with the last good weights, and
// shutting down in the middle of training. Built also with ASan and TSan by
// scripts/sanitize.sh.
#include "trainingcontroller.h"

#include <QSignalSpy>
#include <QtTest>

#include <cmath>

using namespace attnscope;
using State = TrainingWorker::State;

namespace {

std::shared_ptr<const TrainingSetup> makeSetup(float lr = 0.003f, int epochs = 50)
{
    Dataset data;
    std::string error;
    if (!loadDataset("builtin:reviews?n=200", &data, &error))
        qFatal("%s", error.c_str());
    ModelConfig config;
    config.dim = 16;
    config.heads = 2;
    config.ffn = 32;
    config.maxLen = 32;
    TrainConfig train;
    train.batchSize = 16;
    train.epochs = epochs;
    train.optimizer.lr = lr;
    auto setup = std::make_shared<TrainingSetup>();
    if (!buildSetup(data, config, train, 0.2, setup.get(), &error))
        qFatal("%s", error.c_str());
    return setup;
}

// Collects every snapshot of the current run.
struct Recorder {
    explicit Recorder(TrainingController &c)
    {
        QObject::connect(&c, &TrainingController::snapshot, &c, [this](const TrainingSnapshot &s) {
            if (s.run != run) {
                run = s.run;
                steps.clear();
                evals.clear();
                changes.clear();
            }
            steps.insert(steps.end(), s.steps.begin(), s.steps.end());
            evals.insert(evals.end(), s.evals.begin(), s.evals.end());
            changes.insert(changes.end(), s.changes.begin(), s.changes.end());
        });
    }
    int run = -1;
    std::vector<StepPoint> steps;
    std::vector<EvalPoint> evals;
    std::vector<SettingChange> changes;
};

constexpr int Timeout = 20000;

} // namespace

class TestTrainingWorker : public QObject {
    Q_OBJECT

private slots:
    void startPauseResumeStop()
    {
        TrainingController c;
        Recorder r(c);
        c.configure(makeSetup());
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), State::Ready, Timeout);
        c.start();
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), State::Running, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(r.steps.size() >= 30, Timeout);
        c.pause();
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), State::Paused, Timeout);
        QTest::qWait(50);
        const size_t paused = r.steps.size();
        QCOMPARE(int64_t(paused), c.currentStep());
        QTest::qWait(100);
        QCOMPARE(r.steps.size(), paused);  // nothing trains while paused
        // Every step arrived once and in order: no point lost in the batching.
        for (size_t i = 0; i < r.steps.size(); ++i)
            QCOMPARE(r.steps[i].step, int64_t(i + 1));
        // An epoch is 10 steps (160 training samples / 16): validation after each.
        QVERIFY(!r.evals.empty());
        QCOMPARE(r.evals.front().step, int64_t(10));
        QCOMPARE(int(r.evals.front().taskAccuracy.size()), 3);

        c.resume();
        QTRY_VERIFY_WITH_TIMEOUT(r.steps.size() > paused + 5, Timeout);
        c.stop();
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), State::Stopped, Timeout);
        const size_t stopped = r.steps.size();
        QTest::qWait(100);
        QCOMPARE(r.steps.size(), stopped);
        c.step();  // Step does nothing once stopped
        QTest::qWait(100);
        QCOMPARE(r.steps.size(), stopped);
    }

    void stepTrainsOneBatch()
    {
        TrainingController c;
        Recorder r(c);
        c.configure(makeSetup());
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), State::Ready, Timeout);
        c.step();
        QTRY_COMPARE_WITH_TIMEOUT(r.steps.size(), size_t(1), Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), State::Paused, Timeout);
        c.step();
        c.step();
        QTRY_COMPARE_WITH_TIMEOUT(r.steps.size(), size_t(3), Timeout);
        QCOMPARE(r.steps.back().step, int64_t(3));
    }

    // Reset returns to the same initial weights: the first losses repeat exactly.
    void resetRepeatsTheRun()
    {
        TrainingController c;
        Recorder r(c);
        c.configure(makeSetup());
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), State::Ready, Timeout);
        c.start();
        QTRY_VERIFY_WITH_TIMEOUT(r.steps.size() >= 5, Timeout);
        const float first = r.steps.front().loss;
        const int run = r.run;
        c.reset();  // while running
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), State::Ready, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(r.run != run, Timeout);
        QVERIFY(r.steps.empty());
        c.step();
        QTRY_COMPARE_WITH_TIMEOUT(r.steps.size(), size_t(1), Timeout);
        QCOMPARE(r.steps.front().loss, first);
    }

    void learningRateChangeIsMarkedAtItsStep()
    {
        TrainingController c;
        Recorder r(c);
        c.configure(makeSetup());
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), State::Ready, Timeout);
        c.step();
        c.step();
        QTRY_COMPARE_WITH_TIMEOUT(r.steps.size(), size_t(2), Timeout);
        c.setLearningRate(0.0005f);
        c.setTaskWeights({1.0f, 0.5f, 1.0f});
        c.step();
        QTRY_COMPARE_WITH_TIMEOUT(r.steps.size(), size_t(3), Timeout);
        QCOMPARE(r.changes.size(), size_t(2));
        QCOMPARE(r.changes[0].step, int64_t(2));  // applied before the third step
        QVERIFY(r.changes[0].what.contains(QStringLiteral("0.0005")));
        QCOMPARE(r.steps[2].learningRate, 0.0005f);
        QCOMPARE(r.steps[1].learningRate, 0.003f);
    }

    void divergencePausesWithTheLastGoodWeights()
    {
        TrainingController c;
        QSignalSpy states(&c, &TrainingController::stateChanged);
        Recorder r(c);
        c.configure(makeSetup(1e30f));
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), State::Ready, Timeout);
        c.start();
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), State::Paused, Timeout);
        const QString message = states.last().at(1).toString();
        QVERIFY2(message.contains(QStringLiteral("not finite")), qPrintable(message));
        QVERIFY(message.contains(QStringLiteral("learning rate")));
        const std::shared_ptr<Model> model = c.modelCopy();
        QVERIFY(model);
        for (float w : model->params)
            QVERIFY(std::isfinite(w));
        for (const StepPoint &p : r.steps)
            QVERIFY(std::isfinite(p.loss));
    }

    void finishesAtTheEnd()
    {
        TrainingController c;
        QSignalSpy states(&c, &TrainingController::stateChanged);
        c.configure(makeSetup(0.003f, 2));
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), State::Ready, Timeout);
        c.start();
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), State::Finished, Timeout);
        QCOMPARE(c.currentStep(), int64_t(20));
    }

    // Destroying the controller mid-run stops and joins the thread.
    void shutdownWhileTraining()
    {
        for (int i = 0; i < 3; ++i) {
            auto c = std::make_unique<TrainingController>();
            Recorder r(*c);
            c->configure(makeSetup());
            c->start();
            QTRY_VERIFY_WITH_TIMEOUT(r.steps.size() >= size_t(2 + i * 3), Timeout);
            c.reset();
        }
    }

    // A new setup while running replaces the run.
    void reconfigureWhileTraining()
    {
        TrainingController c;
        Recorder r(c);
        c.configure(makeSetup());
        c.start();
        QTRY_VERIFY_WITH_TIMEOUT(r.steps.size() >= 3, Timeout);
        const int run = r.run;
        c.configure(makeSetup(0.001f));
        QTRY_VERIFY_WITH_TIMEOUT(r.run > run, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), State::Ready, Timeout);
        QVERIFY(r.steps.empty());
        QCOMPARE(c.modelCopy()->params, c.setup()->model.params);
    }
};

QTEST_GUILESS_MAIN(TestTrainingWorker)
#include "test_trainingworker.moc"
