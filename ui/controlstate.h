// Which training controls are enabled in which state: one pure function, so
// the toolbar, the menus and the tests agree.
#pragma once

#include "trainingworker.h"

namespace attnscope {

struct ControlState {
    bool start = false;
    bool pause = false;     // the Pause/Resume action is enabled
    bool resume = false;    // ... and reads "Resume"
    bool step = false;
    bool stop = false;
    bool reset = false;
    bool saveCheckpoint = false;
    bool editModel = false; // model fields editable without asking
};

// state: the worker's; configValid: the panels' fields are all acceptable.
ControlState controlState(TrainingWorker::State state, bool configValid);

} // namespace attnscope
