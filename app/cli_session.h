// attnscope-cli and session files (docs/session.md): `train --session`
// appends its run (curves, evaluations, events, kept checkpoints) to a
// session the window can open, or resumes one of its runs exactly; `session
// list` and `session export` read one.
#pragma once

#include "cli.h"

#include "sessionwriter.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace attnscope::cli {

int session(const std::vector<std::string> &args);

// The train command's side of a session: opened before the data is loaded
// (a file that is no session is refused first), written by a SessionWriter
// on its thread while the trainer runs.
class TrainSession {
public:
    // Opens (or creates) path; Failure naming it when it is no session of this version.
    explicit TrainSession(const std::string &path);

    // A free name for a new run: `wanted`, which must be free (UsageError
    // for --run-name), or "run N" with the first N not in use.
    std::string freeName(const ArgParser &parser, const std::string &wanted);
    // The run to resume and its latest checkpoint; UsageError for --resume
    // when the session has no such run, Failure when it has no checkpoint.
    RunRecord resumable(const ArgParser &parser, const std::string &name, CheckpointRecord *checkpoint);
    // Its runs on other data than `spec`, as "name (data)".
    std::vector<std::string> runsOnOtherData(const std::string &spec);

    // Adds the run (new) or continues it (resumed: its id set), with an event.
    void begin(RunRecord *run, const RunEvent &event);
    // After every step: its point, and a kept checkpoint every keepEvery steps.
    void step(const StepPoint &point, Trainer &trainer, const Model &model);
    void evaluated(const EvalPoint &point);
    // The run ends: its last checkpoint and an event ("finished",
    // "diverged"); everything committed. Failure when a write failed.
    void finish(Trainer &trainer, const Model &model, const RunEvent &event);

    void setKeepEvery(int64_t steps) { m_keepEvery = steps; }
    const std::string &path() const { return m_path; }

private:
    void post(bool force);

    std::string m_path;
    SessionWriter m_writer;
    int64_t m_run = 0;
    int64_t m_keepEvery = 0;
    TrainingSnapshot m_pending;
    std::chrono::steady_clock::time_point m_lastPost;
};

} // namespace attnscope::cli
