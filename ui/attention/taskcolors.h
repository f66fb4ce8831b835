// One colour per task, used by every view of the application (loss curves,
// attention heatmaps, text shading), so that a task is recognised by its
// colour everywhere. The palette is Okabe & Ito's, which stays distinct for
// the common forms of colour blindness. It lives in attnscope_attention,
// which attnscope_ui links, so the workbench and the attention views share
// this one definition.
#pragma once

#include <QColor>
#include <QPalette>

namespace attnscope {

// The colour of task t (0-based); repeats after the palette's seven colours.
QColor taskColor(int task);
// The colour of the total (weighted sum over tasks): the palette's text colour,
// so it is black on a light theme and white on a dark one.
QColor totalColor(const QPalette &palette);
// True when the palette is a dark theme (window darker than its text).
bool isDarkPalette(const QPalette &palette);

} // namespace attnscope
