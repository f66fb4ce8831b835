#include "sessionjobs.h"

#include "checkpointroles.h"
#include "sessionmemory.h"

#include <algorithm>

namespace attnscope {

bool buildSessionRun(const Dataset &data, const RunPlan &plan, const TrainConfig &train, double valFraction,
                     TrainingSetup *out, std::string *error, bool fork)
{
    return buildSetup(data, plan, train, valFraction, out, error) && fitMemory(out, error, fork ? ForkStateCopies : 0);
}

void LoadJob::run(const std::function<void(int)> &progress)
{
    try {
        load(progress);
    } catch (const std::exception &e) {
        ok = false;
        summarized = false;
        setup.reset();
        data = std::make_shared<Dataset>();
        error = spec.toStdString() + ": " + failureText(e) + " while loading it; the open dataset stays";
    }
}

void LoadJob::load(const std::function<void(int)> &progress)
{
    int last = -1;
    const auto report = [&](int percent) {
        if (progress && percent != last) {
            last = percent;
            progress(percent);
        }
    };
    report(0);
    // Messages on how to give a column a role point at the panel's table.
    if (csv && request.checkpoint)
        options = checkpointRoles(options, *request.checkpoint, spec.toStdString());
    LoadOptions roles = options;
    roles.advice = LoadOptions::Advice::ColumnTable;
    if (csv) {
        // The roles the reader will use, shown (and editable) in the panel
        // whether or not the file loads: a wrong guess is fixed there.
        guessCsvColumns(spec.toStdString(), roles, &columns, &columnsProblem);
    }
    ok = loadDataset(spec.toStdString(), roles, data.get(), &error, [&](double done) {
        report(int(90 * std::clamp(done, 0.0, 1.0)));
        return !cancelled.load();
    });
    if (!ok || data->samples.empty() || cancelled.load())
        return;
    if (request.checkpoint)
        misfit = fitToModel(data.get(), *request.checkpoint, request.checkpointName);
    report(90);
    summary = summarizeDataset(*data, valFraction, seed, maxLen);
    summarized = true;
    if (buildRun && !cancelled.load()) {
        plan = planRun(*data, request);
        auto built = std::make_shared<TrainingSetup>();
        if (buildSessionRun(*data, plan, train, valFraction, built.get(), &runError))
            setup = std::move(built);
    }
    report(100);
}

void keepParentsOrder(TrainConfig *child, const TrainConfig &parent)
{
    child->seed = parent.seed;
    child->shuffle = parent.shuffle;
}

void RunBuildJob::run()
{
    try {
        ok = buildSessionRun(*data, plan, train, valFraction, setup.get(), &error, fork != nullptr);
        if (summarize)  // a refused run's data is open too
            summary = summarizeDataset(*data, valFraction, train.seed, maxLen);
    } catch (const std::exception &e) {
        ok = false;
        summarize = false;
        setup = std::make_shared<TrainingSetup>();
        error = data->source + ": " + failureText(e) + " while preparing the run";
    }
}

} // namespace attnscope
