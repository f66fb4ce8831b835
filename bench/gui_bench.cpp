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
// window trains (docs/session.md; gui_bench_session.cpp). Each round runs
// the window without a session file and with one (Save session as before
// Start: every snapshot's points, events, kept checkpoints and timeline go
// to its writer's thread), the order alternating from round to round, then
// with one and the stall probe, then opens the file written in a fresh
// window. It prints each round and the medians: the speed with the file
// against the speed without (goal: a slowdown under 3 %), the worker
// thread's CPU time and wait for a core per step and the writer thread's
// CPU time (/proc/self/task), the file's size, the time to open it (goal
// < 1 s) and the largest stall while it writes (goal < 50 ms). The issue's
// figure: gui_bench --session --steps 200000 --rounds 3 (20 kept
// checkpoints and 64 timeline snapshots, as any run of the window).
//
//   gui_bench [--steps N] [--rounds K] [--plot-only | --train-only] [--grab PREFIX]
//   gui_bench --open [--grab PREFIX]
//   gui_bench --session [--steps N] [--rounds K]
//   (defaults: 7500 steps = 100 epochs of builtin:reviews, 3 rounds)
//
// The machine's load average (/proc/loadavg) is printed before and after: on
// a shared machine only the ratios measured within one run mean much.
//
// The parts: gui_bench_training.cpp (the window's speed, stalls and the
// session file), gui_bench_plot.cpp (the 200,000-step plot), gui_bench_open.cpp
// (--open).
#include "gui_bench.h"

#include "benchfigures.h"

#include <QApplication>
#include <QWidget>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace attnscope::guibench {

void grabPicture(QWidget &widget, const QString &what)
{
    if (grabPrefix.isEmpty())
        return;
    const QString path = grabPrefix + QLatin1Char('-') + what + QStringLiteral(".png");
    if (!widget.grab().save(path))
        std::fprintf(stderr, "gui_bench: could not write %s\n", qPrintable(path));
}

} // namespace attnscope::guibench

using namespace attnscope;
using namespace attnscope::guibench;

namespace {

// Qt takes "--session ID" (X11 session management) out of the arguments,
// with the one after it: "gui_bench --session --steps 3000" lost "--steps"
// and failed on "3000". Ours is taken out before Qt sees it (app/gui_main.cpp
// does the same for the window's --session FILE).
bool takeSessionFlag(int &argc, char **argv)
{
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
    return session;
}

struct Options {
    int64_t steps = 7500;
    int pairs = 3;
    bool plot = true, train = true, open = false;
};

// The arguments Qt left; false (the usage on stderr) for one it does not know.
bool readOptions(int argc, char **argv, Options *options)
{
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--steps") && i + 1 < argc)
            options->steps = std::atoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc)
            options->pairs = std::max(1, std::atoi(argv[++i]));
        else if (!std::strcmp(argv[i], "--plot-only"))
            options->train = false;
        else if (!std::strcmp(argv[i], "--train-only"))
            options->plot = false;
        else if (!std::strcmp(argv[i], "--grab") && i + 1 < argc)
            grabPrefix = QString::fromLocal8Bit(argv[++i]);
        else if (!std::strcmp(argv[i], "--open"))
            options->open = true;
        else {
            std::fprintf(stderr, "usage: gui_bench [--steps N] [--rounds K] [--plot-only | --train-only] [--grab PREFIX]\n"
                                 "       gui_bench --open [--grab PREFIX]\n"
                                 "       gui_bench --session [--steps N] [--rounds K]\n");
            return false;
        }
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    const bool session = takeSessionFlag(argc, argv);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("AttnScopeBench"));
    Options options;
    if (!readOptions(argc, argv, &options))
        return 2;
    const int64_t steps = options.steps;
    const int pairs = options.pairs;
    if (options.open) {
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
    if (options.train) {
        std::printf("training: %lld steps per run, %d rounds (headless, window, window with the stall probe)\n", static_cast<long long>(steps),
                    pairs);
        trainingRuns(app, steps, pairs);
    }
    if (options.plot)
        bigRunRedraws();
    std::printf("load average at the end: %s\n", loadAverage().constData());
    return 0;
}
