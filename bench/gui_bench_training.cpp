// gui_bench's training runs: the window trains builtin:reviews against the
// same setup trained headless (the speed ratio), with a zero-interval timer
// probing the event loop's stalls. The window runs serve --session too
// (gui_bench_session.cpp). See gui_bench.cpp for the goals.
#include "gui_bench.h"

#include "benchfigures.h"
#include "lossplot.h"
#include "mainwindow.h"
#include "trainingpanel.h"
#include "runplan.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <vector>

#include <unistd.h>

namespace attnscope::guibench {

// A window with the dataset open and its training setup built (what Start
// would train).
std::unique_ptr<MainWindow> readyWindow(QApplication &app, int64_t steps)
{
    auto window = std::make_unique<MainWindow>();
    window->setSpeed(0, /*persist=*/false);  // full speed, whatever a settings file says
    window->resize(1400, 860);
    window->show();
    if (!window->openDataset(QString::fromLatin1(Spec))) {
        std::fprintf(stderr, "gui_bench: could not open %s\n", Spec);
        std::exit(1);
    }
    const auto waitFor = [&](const auto &ready) {
        QElapsedTimer wait;
        wait.start();
        while (!(window->training()->setup() && window->training()->state() == TrainingWorker::State::Ready
                 && ready(*window->training()->setup()))
               && wait.elapsed() < 60000)
            app.processEvents(QEventLoop::AllEvents, 50);
        if (!window->training()->setup()) {
            std::fprintf(stderr, "gui_bench: the window built no training setup\n");
            std::exit(1);
        }
    };
    waitFor([](const TrainingSetup &) { return true; });
    // Enough epochs for `steps` (the Training panel's field, as a user would set it).
    const TrainingSetup &first = *window->training()->setup();
    const int64_t perEpoch = std::max<int64_t>(
        1, (int64_t(first.train.samples.size()) + first.config.batchSize - 1) / first.config.batchSize);
    TrainConfig config = window->trainingPanel()->config();
    config.epochs = int((steps + perEpoch - 1) / perEpoch);
    if (config.epochs != first.config.epochs) {
        window->trainingPanel()->setConfig(config);
        waitFor([&](const TrainingSetup &setup) { return setup.config.epochs == config.epochs; });
    }
    return window;
}

namespace {

// The window's own setup (model, encoded splits, trainer settings) trained
// headless by the core's Trainer, as attnscope-cli train runs it: whole
// epochs, validation after each, no GUI.
double headlessStepsPerSecond(const TrainingSetup &setup, int64_t steps)
{
    TrainConfig train = setup.config;
    train.steps = steps;
    Model model = setup.model;
    Trainer trainer(model, setup.train, train);
    const auto start = std::chrono::steady_clock::now();
    while (!trainer.finished()) {
        trainer.runEpoch();
        evaluate(model, setup.val, train.taskWeights);
    }
    return double(steps) / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// What the threads of this process did so far (/proc/self/task/TID/schedstat):
// the time each ran on a core and the time it waited for one while it could
// run, in ms, by the thread's name (the worker "attnscope-train", the session
// writer "sessionwriter"; the GUI thread as "gui"). The wait is what the
// other threads (and processes) took from it.
using ThreadTimes = std::map<QByteArray, ThreadTime>;

ThreadTimes threadTimes()
{
    ThreadTimes out;
    const QString self = QString::number(getpid());
    for (const QString &tid : QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm(QStringLiteral("/proc/self/task/%1/comm").arg(tid));
        QFile stat(QStringLiteral("/proc/self/task/%1/schedstat").arg(tid));
        if (!comm.open(QIODevice::ReadOnly) || !stat.open(QIODevice::ReadOnly))
            continue;  // ended meanwhile
        const QByteArray name = tid == self ? QByteArray("gui") : comm.readAll().trimmed();
        const QList<QByteArray> fields = stat.readAll().split(' ');
        if (fields.size() < 2)
            continue;
        out[name].cpuMs += fields[0].toDouble() / 1e6;
        out[name].waitMs += fields[1].toDouble() / 1e6;
    }
    return out;
}

// What a thread did between two readings (none: zero).
ThreadTime spent(const ThreadTimes &before, const ThreadTimes &after, const char *name)
{
    const auto b = before.find(name), a = after.find(name);
    if (a == after.end())
        return {};
    const ThreadTime was = b == before.end() ? ThreadTime() : b->second;
    return {a->second.cpuMs - was.cpuMs, a->second.waitMs - was.waitMs};
}

} // namespace

// One run of `steps` in the window, timed from the worker's first step (state
// Running) to the snapshot that reports the last one. With `probe`, a
// zero-interval timer measures the event loop's stalls: it ticks whenever the
// loop is idle, so the largest gap between two ticks is the longest time the
// loop was busy with one thing (a redraw, a snapshot, a refresh). It keeps
// the GUI thread busy, on a core the worker could use, so the speed ratio is
// measured in runs without it.
WindowRun windowRun(QApplication &app, MainWindow &window, int64_t steps, bool probe)
{
    WindowRun result;
    QElapsedTimer clock;
    QElapsedTimer gap;
    QTimer probeTimer;
    probeTimer.setInterval(0);
    double cpuAtTick = 0;
    QObject::connect(&probeTimer, &QTimer::timeout, [&]() {
        const double cpu = threadCpuMs();
        if (gap.isValid()) {
            const double ms = double(gap.nsecsElapsed()) / 1e6;
            if (ms > result.maxStallMs) {
                result.maxStallMs = ms;
                result.maxStallCpuMs = cpu - cpuAtTick;
            }
            result.maxBusyMs = std::max(result.maxBusyMs, cpu - cpuAtTick);
        }
        gap.start();
        cpuAtTick = cpu;
        ++result.ticks;
    });
    double seconds = 0;
    int64_t done = 0;
    ThreadTimes atStart;
    const auto finish = [&](int64_t step) {
        seconds = double(clock.nsecsElapsed()) / 1e9;
        done = step;
        const ThreadTimes atEnd = threadTimes();
        result.worker = spent(atStart, atEnd, "attnscope-train");
        result.gui = spent(atStart, atEnd, "gui");
        result.writer = spent(atStart, atEnd, "sessionwriter");
        probeTimer.stop();
        window.training()->pause();
        QTimer::singleShot(200, &app, &QApplication::quit);
    };
    QMetaObject::Connection onSnapshot = QObject::connect(
        window.training(), &TrainingController::snapshot, &window, [&](const TrainingSnapshot &s) {
            if (s.step >= steps && seconds == 0 && clock.isValid())
                finish(s.step);
        });
    QMetaObject::Connection onState = QObject::connect(
        window.training(), &TrainingController::stateChanged, &window,
        [&](TrainingWorker::State state, const QString &) {
            if (state == TrainingWorker::State::Running && !clock.isValid()) {
                atStart = threadTimes();
                clock.start();
                if (probe)
                    probeTimer.start();
            }
            if (state == TrainingWorker::State::Finished && seconds == 0 && clock.isValid())
                finish(window.training()->currentStep());
        });
    QTimer::singleShot(300, &window, [&]() { window.startAction()->trigger(); });
    app.exec();
    QObject::disconnect(onSnapshot);
    QObject::disconnect(onState);
    result.stepsPerSecond = seconds > 0 ? double(done) / seconds : 0.0;
    result.steps = done;
    result.redraws = window.curves()->redrawCount();
    result.meanRedrawMs = window.curves()->meanRedrawMs();
    result.worstRedrawMs = window.curves()->worstRedrawMs();
    window.training()->stop();
    return result;
}

void trainingRuns(QApplication &app, int64_t steps, int pairs)
{
    std::vector<double> ratios, probedRatios, headless, window, stalls, busy;
    for (int p = 0; p < pairs; ++p) {
        std::unique_ptr<MainWindow> w1 = readyWindow(app, steps);
        if (p == 0) {
            const ModelConfig &m = w1->training()->setup()->model.config;
            const TrainConfig &t = w1->training()->setup()->config;
            std::printf("the window's settings (the headless runs use the same): %d layers, %d heads, width %d, "
                        "ffn %d, max length %d, batch %d, lr %g, %d epochs, %d thread(s)\n",
                        m.layers, m.heads, m.dim, m.ffn, m.maxLen, t.batchSize, double(t.optimizer.lr), t.epochs,
                        t.threads);
        }
        const double h = headlessStepsPerSecond(*w1->training()->setup(), steps);
        const WindowRun plain = windowRun(app, *w1, steps, false);
        w1.reset();
        std::unique_ptr<MainWindow> w2 = readyWindow(app, steps);
        const WindowRun probed = windowRun(app, *w2, steps, true);
        w2.reset();
        headless.push_back(h);
        window.push_back(plain.stepsPerSecond);
        ratios.push_back(h > 0 ? plain.stepsPerSecond / h : 0.0);
        probedRatios.push_back(h > 0 ? probed.stepsPerSecond / h : 0.0);
        stalls.push_back(probed.maxStallMs);
        busy.push_back(probed.maxBusyMs);
        std::printf("round %d: headless %6.1f steps/s | window %6.1f steps/s, ratio %.3f, %d redraws mean %.2f ms "
                    "worst %.2f ms | window + stall probe %6.1f steps/s, largest stall %6.1f ms (%.1f ms of it "
                    "on the GUI thread's CPU), largest CPU-busy gap %.1f ms, %lld ticks  [load %s]\n",
                    p + 1, h, plain.stepsPerSecond, ratios.back(), plain.redraws, plain.meanRedrawMs,
                    plain.worstRedrawMs, probed.stepsPerSecond, probed.maxStallMs, probed.maxStallCpuMs,
                    probed.maxBusyMs, static_cast<long long>(probed.ticks), loadAverage().constData());
        std::fflush(stdout);
    }
    std::printf("median headless %.1f steps/s, median window %.1f steps/s\n", median(headless), median(window));
    std::printf("ratio window / headless:    median %.3f over %d rounds (min %.3f, max %.3f); with the stall probe "
                "running: median %.3f  (goal >= 0.9)\n",
                median(ratios), pairs, *std::min_element(ratios.begin(), ratios.end()),
                *std::max_element(ratios.begin(), ratios.end()), median(probedRatios));
    std::printf("largest event-loop stall:   worst %.1f ms, median of runs %.1f ms  (goal < 50 ms); the largest "
                "CPU time the GUI thread spent between two ticks: worst %.1f ms, median %.1f ms (the rest of a "
                "stall is waiting for a core)\n",
                *std::max_element(stalls.begin(), stalls.end()), median(stalls),
                *std::max_element(busy.begin(), busy.end()), median(busy));
}

} // namespace attnscope::guibench
