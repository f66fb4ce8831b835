// gui_bench: the workbench under load (a benchmark, not a test). It trains
// builtin:reviews in the real window (offscreen platform unless a display is
// set) with live plotting and prints:
//   - steps/s in the window against the window's own setup (model, data,
//     trainer settings) trained headless with the core's Trainer, as
//     attnscope-cli train runs it (validation after every epoch in both). Each
//     round runs headless, then the window, then the window again with the
//     stall probe, so that a change in the machine's load hits all alike; the
//     figure is the median of the rounds' ratios; goal: >= 0.9
//   - the largest event-loop stall while training: the largest gap between two
//     ticks of a repeating zero-interval timer, from the first step to the
//     last (in its own window run: the probe keeps a core busy); goal < 50 ms
//   - the loss plot's mean and worst redraw time during the run, and for a run
//     of 200,000 steps x (total + 3 tasks + validation) at 1200 x 700: whole
//     run while steps keep arriving, whole run unchanged, and zoomed into a
//     part of it; goal < 16 ms
//
//
// With --open, instead: the window opening files that stress it (written to a
// temporary directory): 1,000 and 10,000 tasks, a 1 MB column name, a task of
// 100,000 classes. For each: the time from creating the window to its first
// picture with the file loaded (openDataset, show, grab; goal < 2 s; the
// GUI thread's CPU time beside it, as the machine may be shared), the
// worker's first attention snapshot (the core's time, not the window's),
// then each attention view shown and painted, and the loss plot's redraw
// after 100 steps of every task's loss.
//
// With --session, instead: the cost of writing a session file while the
// window trains (docs/session.md). Each round runs the window without a
// session file, with one (Save session as before Start: every snapshot's
// points, events and kept checkpoints go to its writer's thread), and with
// one and the stall probe; it prints the speed with the file against the
// speed without (goal: a slowdown under 3 %) and the largest stall with it
// (goal < 50 ms).
//
//   gui_bench [--steps N] [--rounds K] [--plot-only | --train-only] [--grab PREFIX]
//   gui_bench --open [--grab PREFIX]
//   gui_bench --session [--steps N] [--rounds K]
//   (defaults: 7500 steps = 100 epochs of builtin:reviews, 3 rounds)
//
// The machine's load average (/proc/loadavg) is printed before and after: on
// a shared machine only the ratios measured within one run mean much.
#include "attentionpanel.h"
#include "lossplot.h"
#include "mainwindow.h"
#include "trainingpanel.h"
#include "runplan.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>

#include <qcustomplot.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <ctime>
#include <vector>

using namespace attnscope;

namespace {

const char *Spec = "builtin:reviews";

QByteArray loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return "unknown";
    return file.readAll().trimmed();
}

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

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

double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

struct WindowRun {
    double stepsPerSecond = 0;
    double maxStallMs = 0;
    double maxStallCpuMs = 0;  // the GUI thread's CPU time within that largest gap
    double maxBusyMs = 0;      // the largest CPU time of the GUI thread within one gap
    int64_t ticks = 0;
    int redraws = 0;
    double meanRedrawMs = 0, worstRedrawMs = 0;
};

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
    const auto finish = [&](int64_t step) {
        seconds = double(clock.nsecsElapsed()) / 1e9;
        done = step;
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
    result.redraws = window.curves()->redrawCount();
    result.meanRedrawMs = window.curves()->meanRedrawMs();
    result.worstRedrawMs = window.curves()->worstRedrawMs();
    window.training()->stop();
    return result;
}

TrainingSnapshot syntheticRun(int64_t first, int64_t count)
{
    TrainingSnapshot s;
    s.steps.reserve(size_t(count));
    for (int64_t i = first; i < first + count; ++i) {
        // A slow fall with step-to-step noise and a spike every 20,000 steps.
        const float noise = 0.15f * float((i * 7919) % 101) / 101.0f;
        const float base = 0.15f + 0.9f * std::exp(-float(i) / 40000.0f) + 0.6f / std::sqrt(float(i)) + noise
                           + (i % 20000 == 0 ? 0.8f : 0.0f);
        s.steps.push_back({i, double(i) / 75.0, base * 3, {base, base * 1.3f, base * 0.7f}, 0.003f, 1.0f});
        if (i % 75 == 0)
            s.evals.push_back({i, double(i) / 75.0, base * 3, {base, base, base}, {0.9, 0.8, 0.95}, {}, {}});
    }
    return s;
}

struct Timing {
    double mean = 0, worst = 0, best = INFINITY;
    double cpuMean = 0, cpuWorst = 0;  // the GUI thread's CPU time: the redraw's own work
};


template <typename F>
Timing timeRedraws(int rounds, F &&before, LossPlot &plot)
{
    Timing t;
    for (int r = 0; r < rounds; ++r) {
        before(r);
        const double cpu0 = threadCpuMs();
        const double ms = plot.redraw();
        const double cpu = threadCpuMs() - cpu0;
        t.cpuMean += cpu / rounds;
        t.cpuWorst = std::max(t.cpuWorst, cpu);
        t.mean += ms / rounds;
        t.worst = std::max(t.worst, ms);
        t.best = std::min(t.best, ms);
    }
    return t;
}

// With --grab PREFIX, the plot as drawn is saved to PREFIX-whole.png and PREFIX-zoomed.png.
QString grabPrefix;

void grab(LossPlot &plot, const char *what)
{
    if (grabPrefix.isEmpty())
        return;
    plot.redraw();
    const QString path = grabPrefix + QLatin1Char('-') + QLatin1String(what) + QStringLiteral(".png");
    if (!plot.grab().save(path))
        std::fprintf(stderr, "gui_bench: could not write %s\n", qPrintable(path));
}

void bigRunRedraws()
{
    const int64_t n = 200000;
    LossPlot plot;
    plot.resize(1200, 700);
    plot.show();
    plot.setTasks({QStringLiteral("sentiment"), QStringLiteral("topic"), QStringLiteral("urgency")});
    QElapsedTimer appendClock;
    appendClock.start();
    plot.append(syntheticRun(1, n));
    const double appendMs = double(appendClock.nsecsElapsed()) / 1e6;
    plot.redraw();  // warm-up (first paint, label cache)
    QCoreApplication::processEvents();
    const int rounds = 60;
    // Training at ~100 steps/s delivers about 3 steps per 30 ms snapshot; 40
    // per redraw is a fast run.
    int64_t next = n + 1;
    const Timing live = timeRedraws(rounds, [&](int) {
        plot.append(syntheticRun(next, 40));
        next += 40;
    }, plot);
    const Timing still = timeRedraws(rounds, [](int) {}, plot);
    const int drawn = plot.drawnPoints(0);
    grab(plot, "whole");
    // Zoomed: a different window of 100,000 steps each time (re-decimated from
    // the full data), then 1,000 steps (every point drawn).
    const Timing wide = timeRedraws(rounds, [&](int r) {
        const double lo = 1000.0 * r;
        plot.zoomTo(lo, lo + 100000);
    }, plot);
    const Timing narrow = timeRedraws(rounds, [&](int r) {
        const double lo = 1000.0 + 3000.0 * r;
        plot.zoomTo(lo, lo + 1000);
    }, plot);
    const int drawnNarrow = plot.drawnPoints(0);
    grab(plot, "narrow");
    plot.zoomTo(60000, 160000);
    grab(plot, "zoomed");
    std::printf("200,000-step plot (1200 x 700, total + 3 tasks + validation; goal < 16 ms)\n");
    std::printf("  appending 200,000 steps at once: %.1f ms\n", appendMs);
    std::printf("  %-34s %27s   %s\n", "redraw", "wall: mean / worst / best", "CPU: mean / worst");
    const auto row = [](const char *what, const Timing &t, int points) {
        std::printf("  %-34s %8.2f / %6.2f / %6.2f ms   %6.2f / %6.2f ms", what, t.mean, t.worst, t.best, t.cpuMean,
                    t.cpuWorst);
        if (points > 0)
            std::printf("   (%d points per smoothed curve)", points);
        std::printf("\n");
    };
    row("whole run, 40 new steps each", live, 0);
    row("whole run, unchanged", still, drawn);
    row("zoomed to 100,000 steps, moving", wide, 0);
    row("zoomed to 1,000 steps, moving", narrow, drawnNarrow);
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

// --session: the window without and with a session file, as the comment at the top says.
void sessionRuns(QApplication &app, int64_t steps, int rounds)
{
    QTemporaryDir dir;
    std::vector<double> slowdowns, stalls, busy, plainRates, sessionRates;
    for (int r = 0; r < rounds; ++r) {
        std::unique_ptr<MainWindow> w1 = readyWindow(app, steps);
        const WindowRun plain = windowRun(app, *w1, steps, false);
        w1.reset();
        std::unique_ptr<MainWindow> w2 = readyWindow(app, steps);
        const QString file = dir.filePath(QStringLiteral("round%1.attnscope").arg(r + 1));
        if (!w2->saveSessionAs(file)) {
            std::fprintf(stderr, "gui_bench: %s\n", qPrintable(w2->lastError()));
            std::exit(1);
        }
        const WindowRun recorded = windowRun(app, *w2, steps, false);
        w2.reset();
        std::unique_ptr<MainWindow> w3 = readyWindow(app, steps);
        w3->saveSessionAs(dir.filePath(QStringLiteral("probe%1.attnscope").arg(r + 1)));
        const WindowRun probed = windowRun(app, *w3, steps, true);
        w3.reset();
        plainRates.push_back(plain.stepsPerSecond);
        sessionRates.push_back(recorded.stepsPerSecond);
        slowdowns.push_back(plain.stepsPerSecond > 0 ? 1.0 - recorded.stepsPerSecond / plain.stepsPerSecond : 0.0);
        stalls.push_back(probed.maxStallMs);
        busy.push_back(probed.maxBusyMs);
        std::printf("round %d: window %6.1f steps/s | with a session file %6.1f steps/s (%+.1f %%, %.1f MB) | with "
                    "it and the stall probe: largest stall %.1f ms (%.1f ms of it on the GUI thread's CPU)  [load %s]\n",
                    r + 1, plain.stepsPerSecond, recorded.stepsPerSecond, -100.0 * slowdowns.back(),
                    double(QFileInfo(file).size()) / 1e6, probed.maxStallMs, probed.maxStallCpuMs,
                    loadAverage().constData());
        std::fflush(stdout);
    }
    std::printf("median window %.1f steps/s, with a session file %.1f steps/s\n", median(plainRates),
                median(sessionRates));
    std::printf("slowdown from writing the session: median %.1f %% over %d rounds (min %.1f %%, max %.1f %%)  "
                "(goal < 3 %%)\n",
                100.0 * median(slowdowns), rounds, 100.0 * *std::min_element(slowdowns.begin(), slowdowns.end()),
                100.0 * *std::max_element(slowdowns.begin(), slowdowns.end()));
    std::printf("largest event-loop stall while it writes: worst %.1f ms, median %.1f ms (goal < 50 ms); the GUI "
                "thread's largest CPU time between two ticks: worst %.1f ms\n",
                *std::max_element(stalls.begin(), stalls.end()), median(stalls),
                *std::max_element(busy.begin(), busy.end()));
}

// --open: a CSV of `rows` rows: a text column, then `tasks` task columns named
// `name` + index of two classes each, or (classes > 0) one task whose row i
// has class i % classes.
QString writeStressCsv(const QString &path, int tasks, int rows, const QByteArray &name, int classes = 0)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        std::fprintf(stderr, "gui_bench: could not write %s\n", qPrintable(path));
        std::exit(1);
    }
    QByteArray out = "text";
    for (int t = 0; t < tasks; ++t)
        out += ',' + name + (tasks > 1 ? QByteArray::number(t) : QByteArray());
    out += '\n';
    for (int r = 0; r < rows; ++r) {
        out += "word" + QByteArray::number(r % 7) + " good bad " + QByteArray::number(r);
        for (int t = 0; t < tasks; ++t)
            out += classes > 0 ? ",c" + QByteArray::number(r % classes) : QByteArray((r + t) % 2 ? ",a" : ",b");
        out += '\n';
        if (out.size() > (1 << 20)) {
            f.write(out);
            out.clear();
        }
    }
    f.write(out);
    return path;
}

void grabWindow(QWidget &w, const QString &what)
{
    if (grabPrefix.isEmpty())
        return;
    const QString path = grabPrefix + QLatin1Char('-') + what + QStringLiteral(".png");
    if (!w.grab().save(path))
        std::fprintf(stderr, "gui_bench: could not write %s\n", qPrintable(path));
}

double msSince(const QElapsedTimer &clock)
{
    return double(clock.nsecsElapsed()) / 1e6;
}

void openStress(QApplication &app, const char *what, const QString &path, const QString &tag)
{
    QElapsedTimer clock;
    clock.start();
    const double cpu0 = threadCpuMs();
    MainWindow window;
    window.setSpeed(0, /*persist=*/false);
    window.resize(1400, 860);
    window.show();
    const bool ok = window.openDataset(path);
    window.grab();  // lays the window out and paints it
    const double openMs = msSince(clock);
    std::printf("%-32s open and first picture %8.1f ms (GUI thread CPU %.1f ms)%s\n", what, openMs,
                threadCpuMs() - cpu0, ok ? "" : "  (the load failed)");
    grabWindow(window, tag);
    if (!grabPrefix.isEmpty()) {
        app.processEvents();  // the scroll area's layout, after the panels changed
        grabWindow(*window.trainingPanel(), tag + QStringLiteral("-training"));  // below the fold of the window
    }
    if (!ok)
        return;

    // The worker's first snapshot of the probes' attention (the core's work).
    auto *panel = qobject_cast<AttentionPanel *>(window.views()->widget(1));
    clock.restart();
    while (panel && panel->shown().samples.empty() && clock.elapsed() < 120000)
        app.processEvents(QEventLoop::AllEvents, 50);
    if (!panel || panel->shown().samples.empty()) {
        std::printf("%-32s no attention snapshot within 120 s\n", "");
        return;
    }
    std::printf("%-32s worker's first snapshot %7.1f ms (core)\n", "", msSince(clock));
    window.views()->setCurrentWidget(panel);
    const struct {
        AttentionPanel::View view;
        const char *name;
    } views[] = {{AttentionPanel::View::Heatmap, "heatmap"},
                 {AttentionPanel::View::Text, "text"},
                 {AttentionPanel::View::SelfAttention, "self-attention"},
                 {AttentionPanel::View::Disagreement, "disagreement"},
                 {AttentionPanel::View::History, "over training"}};
    for (const auto &v : views) {
        clock.restart();
        const double cpu = threadCpuMs();
        panel->setCurrentView(v.view);
        app.processEvents();
        window.grab();
        std::printf("%-32s %-22s %8.1f ms (GUI thread CPU %.1f ms)\n", "", v.name, msSince(clock), threadCpuMs() - cpu);
        grabWindow(window, tag + QLatin1Char('-') + QString::fromLatin1(v.name).replace(QLatin1Char(' '), QLatin1Char('-')));
    }

    // The curves after 100 steps of every task's loss.
    window.views()->setCurrentIndex(0);
    const size_t tasks = window.dataset()->tasks.size();
    TrainingSnapshot steps;
    for (int64_t i = 1; i <= 100; ++i)
        steps.steps.push_back({i, double(i) / 10, 1.0f / float(i), std::vector<float>(tasks, 0.5f / float(i)), 0.003f, 1});
    clock.restart();
    window.curves()->append(steps);
    const double appendMs = msSince(clock);
    const double redrawMs = window.curves()->redraw();
    window.grab();
    std::printf("%-32s curves: 100 steps appended %6.1f ms, redraw %6.1f ms, window painted %6.1f ms in all\n", "",
                appendMs, redrawMs, msSince(clock));
    grabWindow(window, tag + QStringLiteral("-curves"));
    window.training()->stop();
}

void openStressFiles(QApplication &app)
{
    QTemporaryDir dir;
    std::printf("the window (1400 x 860) opening stress files; goal: open and first picture < 2 s\n");
    openStress(app, "1,000 tasks, 8 rows", writeStressCsv(dir.filePath(QStringLiteral("tasks1000.csv")), 1000, 8, "task"),
               QStringLiteral("tasks1000"));
    openStress(app, "10,000 tasks, 8 rows", writeStressCsv(dir.filePath(QStringLiteral("tasks10000.csv")), 10000, 8, "task"),
               QStringLiteral("tasks10000"));
    openStress(app, "a task of 100,000 classes",
               writeStressCsv(dir.filePath(QStringLiteral("classes.csv")), 1, 100000, "label", 100000),
               QStringLiteral("classes"));
    openStress(app, "a 1 MB task column name",
               writeStressCsv(dir.filePath(QStringLiteral("longname.csv")), 1, 8, QByteArray(1 << 20, 'x')),
               QStringLiteral("longname"));
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // Qt takes "--session ID" (X11 session management) out of the arguments,
    // with the one after it: "gui_bench --session --steps 3000" lost
    // "--steps" and failed on "3000". Ours is taken out before Qt sees it
    // (app/gui_main.cpp does the same for the window's --session FILE).
    bool session = false;
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--session"))
            session = true;
        else
            argv[kept++] = argv[i];
    }
    argc = kept;
    argv[argc] = nullptr;
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("AttnScopeBench"));
    int64_t steps = 7500;
    int pairs = 3;
    bool plot = true, train = true, open = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--steps") && i + 1 < argc)
            steps = std::atoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc)
            pairs = std::max(1, std::atoi(argv[++i]));
        else if (!std::strcmp(argv[i], "--plot-only"))
            train = false;
        else if (!std::strcmp(argv[i], "--train-only"))
            plot = false;
        else if (!std::strcmp(argv[i], "--grab") && i + 1 < argc)
            grabPrefix = QString::fromLocal8Bit(argv[++i]);
        else if (!std::strcmp(argv[i], "--open"))
            open = true;
        else {
            std::fprintf(stderr, "usage: gui_bench [--steps N] [--rounds K] [--plot-only | --train-only] [--grab PREFIX]\n"
                                 "       gui_bench --open [--grab PREFIX]\n"
                                 "       gui_bench --session [--steps N] [--rounds K]\n");
            return 2;
        }
    }
    if (open) {
        std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each case as it ends
        std::printf("gui_bench --open: platform %s, load average %s\n", qPrintable(QGuiApplication::platformName()),
                    loadAverage().constData());
        openStressFiles(app);
        std::printf("load average at the end: %s\n", loadAverage().constData());
        return 0;
    }
    if (session) {
        std::setvbuf(stdout, nullptr, _IOLBF, 0);
        std::printf("gui_bench --session: %s, %lld steps per run, %d rounds, platform %s, load average %s\n", Spec,
                    static_cast<long long>(steps), pairs, qPrintable(QGuiApplication::platformName()),
                    loadAverage().constData());
        sessionRuns(app, steps, pairs);
        std::printf("load average at the end: %s\n", loadAverage().constData());
        return 0;
    }
    std::printf("gui_bench: %s, default model and trainer settings, platform %s, load average %s\n", Spec,
                qPrintable(QGuiApplication::platformName()), loadAverage().constData());
    if (train) {
        std::printf("training: %lld steps per run, %d rounds (headless, window, window with the stall probe)\n", static_cast<long long>(steps),
                    pairs);
        trainingRuns(app, steps, pairs);
    }
    if (plot)
        bigRunRedraws();
    std::printf("load average at the end: %s\n", loadAverage().constData());
    return 0;
}
