// gui_bench's parts (see gui_bench.cpp for what it measures): the training
// runs in the window (gui_bench_training.cpp), the loss plot's redraws of a
// large run (gui_bench_plot.cpp) and the window opening stress files
// (gui_bench_open.cpp).
#pragma once

#include <QString>

#include <cstdint>
#include <memory>

class QApplication;
class QWidget;

namespace attnscope {
class MainWindow;
}

namespace attnscope::guibench {

inline constexpr const char *Spec = "builtin:reviews";

// With --grab PREFIX, pictures are saved as PREFIX-<what>.png.
inline QString grabPrefix;

// The widget as drawn, to PREFIX-what.png; nothing without --grab.
void grabPicture(QWidget &widget, const QString &what);

// A thread's time on a core and waiting for one while it could run, in ms
// (/proc/self/task/TID/schedstat): the wait is what other threads and
// processes took from it.
struct ThreadTime {
    double cpuMs = 0, waitMs = 0;
};

// A window with builtin:reviews open and its training setup built for
// `steps` steps (what Start would train).
std::unique_ptr<MainWindow> readyWindow(QApplication &app, int64_t steps);

// One run in the window (windowRun).
struct WindowRun {
    double stepsPerSecond = 0;
    int64_t steps = 0;
    ThreadTime worker, gui, writer;  // from the first step to the last
    double maxStallMs = 0;
    double maxStallCpuMs = 0;  // the GUI thread's CPU time within that largest gap
    double maxBusyMs = 0;      // the largest CPU time of the GUI thread within one gap
    int64_t ticks = 0;
    int redraws = 0;
    double meanRedrawMs = 0, worstRedrawMs = 0;
};

// One run of `steps` in `window`, from its first step to its last; with
// `probe`, the event loop's stalls meanwhile (a timer that keeps the GUI
// thread busy: the speed is measured without it).
WindowRun windowRun(QApplication &app, MainWindow &window, int64_t steps, bool probe);

// The window's speed against headless training, and its stalls, `pairs` rounds.
void trainingRuns(QApplication &app, int64_t steps, int pairs);
// --session: the window without and with a session file, `rounds` rounds.
void sessionRuns(QApplication &app, int64_t steps, int rounds);
// The loss plot's redraws of a run of 200,000 steps.
void bigRunRedraws();
// --open: the window opening files that stress it.
void openStressFiles(QApplication &app);

} // namespace attnscope::guibench
