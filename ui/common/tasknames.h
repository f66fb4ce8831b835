// How names from the data (tasks, classes, columns) are shown, and how many
// tasks a view names one by one. The data may hold a 1 MB column name or
// 10,000 tasks: a label, legend, table cell or tooltip that lays out all of
// it takes seconds and shows nothing more, so every view shows a name elided
// to a bounded length and names at most MaxNamedTasks tasks, then "N more".
// The full names stay in the exports (CSV) and in the data itself.
#pragma once

#include <QString>

#include <string>

namespace attnscope {

// Characters of a name in a label, legend entry, table cell or axis label.
constexpr int MaxNameChars = 40;
// The same in the narrow Setup panels: a word longer than the panel is wide
// cannot wrap.
constexpr int PanelNameChars = 24;
// Characters of a name in a tooltip (where the whole name is looked for, but
// a tooltip of a megabyte is no use either).
constexpr int MaxTooltipNameChars = 300;
// Tasks a legend, list or form names one by one; the rest are "N more".
constexpr int MaxNamedTasks = 8;

// name cut to at most maxChars characters, ending in "…" when cut (never in
// the middle of a surrogate pair).
QString elidedName(const QString &name, int maxChars = MaxNameChars);
// The same for UTF-8 text, converting only the part that is shown (never in
// the middle of a character).
QString elidedName(const std::string &name, int maxChars = MaxNameChars);
// A message that quotes the data (an error, a warning) cut to at most
// maxChars characters: its start and its end, where it says what was wrong,
// with "…" between.
QString elidedMessage(const QString &message, int maxChars = 600);
// "and 9,992 more tasks" and the like: `what` is the plural noun.
QString andMore(qint64 count, const QString &what);

} // namespace attnscope
