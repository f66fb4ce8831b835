// gui_bench's parts (see gui_bench.cpp for what it measures): the training
// runs in the window (gui_bench_training.cpp), the loss plot's redraws of a
// large run (gui_bench_plot.cpp) and the window opening stress files
// (gui_bench_open.cpp).
#pragma once

#include <QString>

#include <cstdint>

class QApplication;
class QWidget;

namespace attnscope::guibench {

inline constexpr const char *Spec = "builtin:reviews";

// With --grab PREFIX, pictures are saved as PREFIX-<what>.png.
inline QString grabPrefix;

// The widget as drawn, to PREFIX-what.png; nothing without --grab.
void grabPicture(QWidget &widget, const QString &what);

// The window's speed against headless training, and its stalls, `pairs` rounds.
void trainingRuns(QApplication &app, int64_t steps, int pairs);
// --session: the window without and with a session file, `rounds` rounds.
void sessionRuns(QApplication &app, int64_t steps, int rounds);
// The loss plot's redraws of a run of 200,000 steps.
void bigRunRedraws();
// --open: the window opening files that stress it.
void openStressFiles(QApplication &app);

} // namespace attnscope::guibench
