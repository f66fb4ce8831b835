// gui_bench's loss plot: a run of 200,000 steps redrawn while steps keep
// arriving, unchanged, and zoomed into parts of it.
#include "gui_bench.h"

#include "benchfigures.h"
#include "lossplot.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace attnscope::guibench {

namespace {

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

// The plot as drawn (redrawn first: the timings leave it stale).
void grab(LossPlot &plot, const char *what)
{
    if (grabPrefix.isEmpty())
        return;
    plot.redraw();
    grabPicture(plot, QLatin1String(what));
}

} // namespace

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

} // namespace attnscope::guibench
