// gui_bench --session: the cost of writing a session file while the window
// trains (see gui_bench.cpp for the goals). Each round trains builtin:reviews
// in a fresh window without a session file and in one with a session file
// (Save session as before Start), the order alternating from round to round
// so that a change in the machine's load hits both alike; then once more with
// the file and the stall probe; then opens the file written in a fresh
// window (File > Open session). The slowdown is the median of the rounds'
// ratios; on a shared machine only such ratios, measured within one run,
// compare well.
#include "gui_bench.h"

#include "benchfigures.h"
#include "mainwindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace attnscope::guibench {

namespace {

// A fresh window opening `file` (File > Open session) until it has drawn
// itself: the wall time and the GUI thread's CPU time, in ms.
std::pair<double, double> openingMs(const QString &file)
{
    MainWindow window;
    window.resize(1400, 860);
    window.show();
    QApplication::processEvents();
    QElapsedTimer clock;
    clock.start();
    const double cpu = threadCpuMs();
    if (!window.openSession(file)) {
        std::fprintf(stderr, "gui_bench: %s\n", qPrintable(window.lastError()));
        std::exit(1);
    }
    window.grab();
    return {double(clock.nsecsElapsed()) / 1e6, threadCpuMs() - cpu};
}

// A window ready to train, recording into `file` when it is not empty.
WindowRun trainedRun(QApplication &app, int64_t steps, const QString &file, bool probe)
{
    std::unique_ptr<MainWindow> window = readyWindow(app, steps);
    if (!file.isEmpty() && !window->saveSessionAs(file)) {
        std::fprintf(stderr, "gui_bench: %s\n", qPrintable(window->lastError()));
        std::exit(1);
    }
    return windowRun(app, *window, steps, probe);  // the window closes after: the writer commits and closes
}

double usPerStep(const ThreadTime &t, const WindowRun &run, bool wait = false)
{
    return run.steps > 0 ? 1000.0 * (wait ? t.waitMs : t.cpuMs) / double(run.steps) : 0.0;
}

} // namespace

void sessionRuns(QApplication &app, int64_t steps, int rounds)
{
    QTemporaryDir dir;
    std::vector<double> slowdowns, stalls, busy, plainRates, sessionRates, workerPlain, workerFile, waitPlain,
            waitFile, writerCpu, sizes, opens, openCpu;
    std::printf("each round: the window without a session file and with one (the order alternates), with one and "
                "the stall probe, then the file opened in a fresh window\n");
    std::printf("per step: the worker thread's CPU time and its wait for a core (µs), without / with the file; the "
                "writer thread's CPU time over the run\n");
    for (int r = 0; r < rounds; ++r) {
        const QString file = dir.filePath(QStringLiteral("round%1.attnscope").arg(r + 1));
        WindowRun plain, recorded;
        if (r % 2 == 0) {
            plain = trainedRun(app, steps, QString(), false);
            recorded = trainedRun(app, steps, file, false);
        } else {
            recorded = trainedRun(app, steps, file, false);
            plain = trainedRun(app, steps, QString(), false);
        }
        const WindowRun probed =
                trainedRun(app, steps, dir.filePath(QStringLiteral("probe%1.attnscope").arg(r + 1)), true);
        const auto [openMs, openGuiMs] = openingMs(file);
        plainRates.push_back(plain.stepsPerSecond);
        sessionRates.push_back(recorded.stepsPerSecond);
        slowdowns.push_back(plain.stepsPerSecond > 0 ? 1.0 - recorded.stepsPerSecond / plain.stepsPerSecond : 0.0);
        stalls.push_back(probed.maxStallMs);
        busy.push_back(probed.maxBusyMs);
        workerPlain.push_back(usPerStep(plain.worker, plain));
        workerFile.push_back(usPerStep(recorded.worker, recorded));
        waitPlain.push_back(usPerStep(plain.worker, plain, true));
        waitFile.push_back(usPerStep(recorded.worker, recorded, true));
        writerCpu.push_back(recorded.writer.cpuMs / 1000.0);
        sizes.push_back(double(QFileInfo(file).size()) / 1e6);
        opens.push_back(openMs);
        openCpu.push_back(openGuiMs);
        std::printf("round %d (%s first): window %6.1f steps/s | with a session file %6.1f steps/s (%+.1f %%, %.1f MB) "
                    "| worker %.0f / %.0f µs CPU, %.1f / %.1f µs wait | writer %.2f s CPU | stall probe: largest %.1f "
                    "ms (%.1f ms GUI CPU) | opened in %.0f ms (%.0f ms GUI CPU)  [load %s]\n",
                    r + 1, r % 2 == 0 ? "without" : "with", plain.stepsPerSecond, recorded.stepsPerSecond,
                    -100.0 * slowdowns.back(), sizes.back(), workerPlain.back(), workerFile.back(), waitPlain.back(),
                    waitFile.back(), writerCpu.back(), probed.maxStallMs, probed.maxStallCpuMs, opens.back(),
                    openCpu.back(), loadAverage().constData());
        std::fflush(stdout);
    }
    std::printf("median window %.1f steps/s, with a session file %.1f steps/s\n", median(plainRates),
                median(sessionRates));
    std::printf("slowdown from writing the session: median %.1f %% over %d rounds (min %.1f %%, max %.1f %%)  "
                "(goal < 3 %%)\n",
                100.0 * median(slowdowns), rounds, 100.0 * *std::min_element(slowdowns.begin(), slowdowns.end()),
                100.0 * *std::max_element(slowdowns.begin(), slowdowns.end()));
    std::printf("the worker per step, median: %.1f µs CPU and %.1f µs waiting for a core without the file, %.1f and "
                "%.1f with it; the writer: median %.2f s CPU per run (%.1f µs per step)\n",
                median(workerPlain), median(waitPlain), median(workerFile), median(waitFile), median(writerCpu),
                1e6 * median(writerCpu) / double(std::max<int64_t>(1, steps)));
    std::printf("session file: median %.1f MB on disk; opened in a fresh window: best %.0f ms, median %.0f ms "
                "(%.0f ms of GUI CPU)  (goal < 1000 ms)\n",
                median(sizes), *std::min_element(opens.begin(), opens.end()), median(opens), median(openCpu));
    std::printf("largest event-loop stall while it writes: worst %.1f ms, median %.1f ms (goal < 50 ms); the GUI "
                "thread's largest CPU time between two ticks: worst %.1f ms\n",
                *std::max_element(stalls.begin(), stalls.end()), median(stalls),
                *std::max_element(busy.begin(), busy.end()));
}

} // namespace attnscope::guibench
