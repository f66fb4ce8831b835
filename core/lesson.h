// Guided lessons (docs/lessons.md): a lesson is a JSON file of steps, each a
// short text shown beside the window, what to look at, and the settings it
// applies (data, model, training, which view, a run to train or compare).
// This reads and checks one; the window applies its steps (ui/lessonpanel.h).
// A teacher writes them: every key is checked, and a broken file is refused
// with its line and what is wrong, before any step applies.
#pragma once

#include "types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

struct LessonStep {
    int line = 0;                       // where the step starts in its file
    std::string title, text;            // required
    std::string look;                   // "what to look at", optional
    // What the step applies; empty / unset: left as it is.
    std::string data;                   // a dataset spec ("builtin:reviews", a path)
    std::optional<int> layers, heads, dim, maxLen;
    std::optional<AttentionMode> mode;
    std::optional<double> lr, rationaleWeight;
    std::optional<int> epochs;          // the run's length (a change makes a new run)
    std::optional<double> speed;        // steps a second, 0: full speed
    bool newRun = false;                // a fresh run (the same settings: from the initial weights)
    int64_t trainTo = 0;                // train to this step and pause (0: no training)
    std::string compare;                // "modes", "layers" or "learning rates": Training > Compare
    std::string view;                   // "curves", "attention", "runs" or "side by side"
    std::string attentionView;          // a tab of the Attention view (LessonNames::attentionViews)
    std::string score;                  // "attention", "rollout", "gradient", "integrated", "occlusion"
    std::string compareScore;           // one of those: Over training draws its faithfulness beside score's
    std::string probeText;              // typed into the probe editor
    std::string sampleWith;             // select the first probe sample holding this token
};

struct Lesson {
    std::string source;                 // the file (or resource) it was read from
    std::string title, summary;
    std::vector<LessonStep> steps;      // at least one
};

// The names a lesson may use, as it spells them.
struct LessonNames {
    static const std::vector<std::string> &views();
    static const std::vector<std::string> &attentionViews();
    static const std::vector<std::string> &comparisons();
};

// Reads a lesson from its UTF-8 text; source names it in messages. False
// and *error ("<source>:<line>: what") when the text is not JSON, a key is
// unknown, a value has the wrong type or is out of its range, or a required
// one is missing; *out is then left as it was.
bool parseLesson(std::string_view text, const std::string &source, Lesson *out, std::string *error);
bool readLessonFile(const std::string &path, Lesson *out, std::string *error);

} // namespace attnscope
