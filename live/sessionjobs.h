// The session's work off the GUI thread: a dataset load and a run's build.
// Each reads only what it was given and writes only its own results, so it
// can run on a thread of its own (Session runs it there) or in the caller's
// (the synchronous openDataset, small data); the Session applies the results
// on the GUI thread.
#pragma once

#include "data/csvreader.h"
#include "datasetsummary.h"
#include "run.h"
#include "runplan.h"

#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace attnscope {

// One dataset load: the column roles guessed (CSV, TSV), the load, the
// summary and, when asked, the new run as planRun plans it for the data just
// read (the checkpoint's weights when they fit, else the lesson's depth).
struct LoadJob {
    // What is asked for.
    QString spec;
    // The column roles asked for; with a checkpoint (request.checkpoint),
    // the load makes them the roles it read the file with: those asked for
    // win, the others are the checkpoint's (checkpointRoles).
    LoadOptions options;
    bool rolesGiven = false;  // options named roles (the column table's): no checkpoint replaces them later
    bool csv = false;
    uint64_t seed = 1;        // the summary's split seed and max length, as the run will ask
    int maxLen = 64;
    double valFraction = 0.2;
    bool buildRun = false;    // also the run (the settings are valid)
    RunRequest request;       // the run's model (lessonDepth: a lesson's depth applies)
    TrainConfig train;        // its seed: the model's and the split's

    // What it made.
    std::vector<CsvColumn> columns;
    std::string columnsProblem;
    std::shared_ptr<Dataset> data = std::make_shared<Dataset>();
    bool ok = false;
    std::string error;
    // With a checkpoint: "" when the data fits it (each task's classes a
    // subset of its, the data relabelled to its classes: fitToModel), else why not.
    std::string misfit;
    DatasetSummary summary;
    bool summarized = false;
    RunPlan plan;                          // the run it planned (buildRun)
    std::shared_ptr<TrainingSetup> setup;  // null: not built, or refused (runError says why)
    std::string runError;
    std::atomic<bool> cancelled{false};    // set from the GUI thread: stop at the next progress report

    // progress: 0-100, reading the file up to 90, the summary and the run after.
    // Nothing it throws leaves it (it runs on a thread of its own, or in an
    // event handler): the load fails instead, and what it made is freed.
    void run(const std::function<void(int)> &progress = {});

private:
    void load(const std::function<void(int)> &progress);
};

// A run forked from a checkpoint of another (Session::forkRun): what the
// build starts from and where the trainer resumes.
struct ForkFrom {
    RunSettings settings;                  // the panels' training settings, the parent's model and seed
    ModelConfig asked;                     // the panels' model when it was asked (another later: no fork)
    std::shared_ptr<const Model> weights;  // the checkpoint's
    TrainerState state;                    // the trainer's at the checkpoint
    ForkPoint point;
    QString name;                          // "Run 1 at step 200", for messages
    // Session::resumeRun: the kept run (its id) that this build continues as
    // the same run, not a child; 0: a fork.
    int resumes = 0;
    bool start = false;  // a resumed run trains at once
};

// What a fork keeps of its parent's training settings whatever the panel
// says: the seed (the split and the batch order) and whether the batches
// are shuffled (attnscope-cli train --no-shuffle), so that it goes on in
// its parent's order.
void keepParentsOrder(TrainConfig *child, const TrainConfig &parent);

// One new run on open data, and the data's summary as that run sees it
// (when the summary shown is for another split seed or max length).
struct RunBuildJob {
    std::shared_ptr<const Dataset> data;
    std::shared_ptr<const ForkFrom> fork;  // a fork's; null: a run from step 0
    RunPlan plan;
    RunSettings settings;     // what the plan was made from (the run keeps them)
    TrainConfig train;
    double valFraction = 0.2;
    bool summarize = false;
    int maxLen = 64;          // the run's (the checkpoint's or the settings'), for the summary

    std::shared_ptr<TrainingSetup> setup = std::make_shared<TrainingSetup>();
    bool ok = false;
    std::string error;
    DatasetSummary summary;

    // Nothing it throws leaves it (a thread of its own, or an event handler):
    // the run is refused instead, and what it made is freed.
    void run();
};

// buildSetup, then the check of the window's run against the memory budget
// (sessionmemory.h): what both jobs build. fork: the run keeps its parent's
// trainer state beside it (ForkStateCopies).
bool buildSessionRun(const Dataset &data, const RunPlan &plan, const TrainConfig &train, double valFraction,
                     TrainingSetup *out, std::string *error, bool fork = false);

} // namespace attnscope
