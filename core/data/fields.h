// What both file readers (jsonl.cpp, csvreader.cpp) make of a field, so that
// a JSON Lines file and a CSV file saying the same thing load the same
// dataset: a feature value, a split name, a rationale span's bounds, a
// task's classes in byte order (docs/datasets.md).
#pragma once

#include "types.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

struct Sample;

// A feature value as every reader takes it (docs/datasets.md, "Values"):
// a decimal number as written in C or Python ("3", "-2.5e3", "+1", blanks
// around allowed; no hex, whatever the locale), or a missing value: an empty
// text, "nan", "NaN", "NAN", "NA", "N/A" or "null" (blanks around allowed);
// or a logical value: "true", "yes" and "y" read as 1, "false", "no" and "n"
// as 0, in any case.
// *out is the number as a float, NaN when missing or not a number;
// OutOfRange: infinite or beyond float32.
enum class FeatureValue { Number, Missing, NotANumber, OutOfRange };
FeatureValue parseFeatureValue(std::string_view text, float *out);

// Sample::split of a split name: 0 for "train", 1 for "val", "valid",
// "validation" or "dev", 2 for "test"; -1 for any other text (the CSV reader
// folds case and blanks first, JSON Lines takes the string as it is).
int splitIndex(std::string_view name);

// Empty when [a, b) is a rationale span of a text of `length` code points;
// otherwise why not, as "rationale span <shown> of task "t" starts after
// its end" or "... is outside the text (N code points)".
std::string spanProblem(int64_t a, int64_t b, int length, const std::string &shown, const std::string &task);

// A task whose classes were numbered in order of appearance, with the
// classes in byte order (MODEL.md 7); (*remap)[appearance id] = class index.
TaskInfo taskInByteOrder(const std::string &name, const std::vector<std::string> &classes, std::vector<int> *remap);

// Control characters (C0, DEL and C1) other than white space are not white
// space to the tokenizer (QChar::isSpace, MODEL.md 7): a backspace or an
// escape of an old text file stays inside its token. Empty when the valid
// UTF-8 text holds none; otherwise the readers' warning after "<file>:<line>: ",
// naming the first one and where it is ("the text holds control character
// U+0008 at code point 17 (and 2 more); control characters stay inside tokens ...").
std::string controlCharacterNote(std::string_view text);

// s with each control character (C0, DEL and C1, tab and line breaks too)
// written as \uXXXX, for messages and listings: a label "web\b" shows as
// "web\u0008", not as a second "web".
std::string shownEscaped(std::string_view s);
// What a task's class names call for, as warnings after "<file>: ": a class
// that holds a control character, and classes that differ only in case,
// blanks around them or control characters ("pos", "Pos", "pos "). A label
// is its cell's text exactly (docs/datasets.md), so each is a class of its
// own, which a file from a spreadsheet seldom means. Empty when none.
std::vector<std::string> classNameNotes(const TaskInfo &task);
// A class with fewer than two labelled samples, as warnings after "<file>: "
// ("class \"y\" of task \"t\" has only 1 sample"), one per such class of
// each task; samples' labels are class indices into tasks.
std::vector<std::string> rareClassNotes(const std::vector<TaskInfo> &tasks, const std::vector<Sample> &samples);

// "\"" + s + "\"", for messages.
std::string inQuotes(std::string_view s);
// s without the blanks (spaces and tabs) around it.
std::string_view trimBlanks(std::string_view s);
// s with A-Z as a-z: column names and split values are compared so.
std::string asciiLower(std::string_view s);

} // namespace attnscope
