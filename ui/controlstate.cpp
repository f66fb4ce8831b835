#include "controlstate.h"

namespace attnscope {

ControlState controlState(TrainingWorker::State state, bool configValid)
{
    using State = TrainingWorker::State;
    ControlState c;
    switch (state) {
    case State::Empty:
        break;
    case State::Ready:
        c.start = configValid;
        c.step = configValid;
        c.reset = false;
        c.saveCheckpoint = true;
        c.editModel = true;
        break;
    case State::Running:
        c.pause = true;
        c.stop = true;
        c.reset = true;
        c.saveCheckpoint = true;
        break;
    case State::Paused:
        c.pause = true;
        c.resume = true;
        c.step = true;
        c.stop = true;
        c.reset = true;
        c.saveCheckpoint = true;
        break;
    case State::Stopped:
    case State::Finished:
        c.start = configValid;  // a new run from the initial weights
        c.reset = true;
        c.saveCheckpoint = true;
        break;
    }
    return c;
}

} // namespace attnscope
