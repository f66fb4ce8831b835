// attnscope-cli and session files: train's TrainSession, and the session
// command (list, export).
#include "cli_session.h"

#include "cli_metrics.h"

#include <QFileInfo>

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace attnscope::cli {

namespace {

using Clock = std::chrono::steady_clock;

// Points go to the writer at most this often (it commits every half second).
constexpr auto PostInterval = std::chrono::milliseconds(200);

std::string text(const QString &s)
{
    return s.toStdString();
}

void openForReading(SessionFile &file, const std::string &path)
{
    QString error;
    if (!file.open(QString::fromStdString(path), SessionFile::Mode::ReadOnly, &error))
        throw Failure(text(error));
}

// A session command's arguments: the session file (the one argument that is
// not an option or an option's value) and the options for the parser
// (valued: the options that take a value).
std::vector<std::string> splitFiles(const std::vector<std::string> &args, const std::vector<std::string> &valued,
                                    std::vector<std::string> *files)
{
    std::vector<std::string> options;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i].rfind("-", 0) != 0) {
            files->push_back(args[i]);
            continue;
        }
        options.push_back(args[i]);
        if (std::find(valued.begin(), valued.end(), args[i]) != valued.end() && i + 1 < args.size())
            options.push_back(args[++i]);
    }
    return options;
}

} // namespace

// --- train --session.

TrainSession::TrainSession(const std::string &path)
    : m_path(path)
{
    QString error;
    if (!m_writer.open(QString::fromStdString(path), &error))
        throw Failure(text(error));
}

std::string TrainSession::freeName(const ArgParser &parser, const std::string &wanted)
{
    QStringList names;
    if (!m_writer.call([&](SessionFile &file) {
            names = file.runNames();
            return file.error().isEmpty();
        }))
        throw Failure(text(m_writer.error()));
    if (!wanted.empty()) {
        if (names.contains(QString::fromStdString(wanted)))
            parser.fail("run-name", "'" + wanted + "' is a run of " + m_path + " already (--resume continues it)");
        return wanted;
    }
    for (int n = int(names.size()) + 1;; ++n)
        if (!names.contains(QStringLiteral("run %1").arg(n)))
            return "run " + std::to_string(n);
}

std::vector<std::string> TrainSession::runsOnOtherData(const std::string &spec)
{
    std::vector<RunRecord> runs;
    if (!m_writer.call([&](SessionFile &file) {
            runs = file.runs();
            return file.error().isEmpty();
        }))
        throw Failure(text(m_writer.error()));
    std::vector<std::string> others;
    for (const RunRecord &run : runs)
        if (run.dataset.toStdString() != spec)
            others.push_back(text(run.name) + " (" + text(run.dataset) + ")");
    return others;
}

namespace {

// "S has no run 'x' (its runs: a, b)": the names a user can give instead.
std::string noSuchRun(const std::string &path, const std::string &name, const QStringList &names)
{
    return path + " has no run '" + name + "'"
           + (names.isEmpty() ? std::string(" (it has no run)") : " (its runs: " + text(names.join(QStringLiteral(", "))) + ")");
}

} // namespace

RunRecord TrainSession::resumable(const ArgParser &parser, const std::string &name, CheckpointRecord *checkpoint)
{
    std::optional<RunRecord> run;
    std::optional<CheckpointRecord> latest;
    QStringList names;
    m_writer.call([&](SessionFile &file) {
        for (const RunRecord &r : file.runs()) {
            names << r.name;
            if (r.name == QString::fromStdString(name))
                run = r;
        }
        if (run)
            latest = file.latestCheckpoint(run->id);
        return file.error().isEmpty();
    });
    if (!m_writer.error().isEmpty())
        throw Failure(text(m_writer.error()));
    if (!run)
        parser.fail("resume", noSuchRun(m_path, name, names));
    if (!latest)
        throw Failure(m_path + ": run '" + name + "' has no checkpoint to resume from");
    *checkpoint = std::move(*latest);
    return *run;
}

void TrainSession::begin(RunRecord *run, const RunEvent &event)
{
    if (run->id == 0 && m_writer.addRun(run) == 0)
        throw Failure(text(m_writer.error()));
    m_run = run->id;
    m_writer.appendEvent(m_run, event);
    m_lastPost = Clock::now();
}

void TrainSession::step(const StepPoint &point, Trainer &trainer, const Model &model)
{
    m_pending.steps.push_back(point);
    if (m_keepEvery > 0 && point.step % m_keepEvery == 0) {
        post(true);
        TrainerState state = trainer.state();  // first: it brings the weights up to date
        m_writer.putCheckpoint(m_run, std::make_shared<const Model>(model), std::move(state), QStringLiteral("kept"));
    }
    post(false);
}

void TrainSession::evaluated(const EvalPoint &point)
{
    m_pending.evals.push_back(point);
    post(true);
}

void TrainSession::post(bool force)
{
    if (!force && Clock::now() - m_lastPost < PostInterval)
        return;
    m_writer.appendSnapshot(m_run, std::exchange(m_pending, TrainingSnapshot()));
    m_lastPost = Clock::now();
}

void TrainSession::finish(Trainer &trainer, const Model &model, const RunEvent &event)
{
    post(true);
    TrainerState state = trainer.state();  // first: it brings the weights up to date
    m_writer.putCheckpoint(m_run, std::make_shared<const Model>(model), std::move(state), QStringLiteral("last"));
    m_writer.appendEvent(m_run, event);
    m_writer.flush();
    if (!m_writer.error().isEmpty())
        throw Failure(text(m_writer.error()));
}

// --- session list, session export.

namespace {

// A run as session list shows it: its record, its figures and its last checkpoint.
struct ListedRun {
    RunRecord run;
    RunFigures figures;
    int64_t checkpoint = -1;  // the step of its last checkpoint; -1: none
};

std::vector<ListedRun> listedRuns(SessionFile &file)
{
    std::vector<ListedRun> rows;
    for (RunRecord &run : file.runs()) {
        ListedRun row;
        row.figures = runFigures(file.lastStep(run.id), file.evals(run.id));
        const std::vector<CheckpointRecord> checkpoints = file.checkpointList(run.id);  // in step order
        if (!checkpoints.empty())
            row.checkpoint = checkpoints.back().step;
        row.run = std::move(run);
        rows.push_back(std::move(row));
    }
    if (!file.error().isEmpty())
        throw Failure(text(file.error()));
    return rows;
}

// An evaluation's loss and, per task, its loss, accuracy and macro F1 (null
// where there is no evaluation or no finite figure).
void writeEvalJson(JsonWriter &json, const std::optional<EvalPoint> &e, const QStringList &tasks)
{
    if (!e) {
        json.null();
        return;
    }
    json.beginObject();
    json.key("step");
    json.value(int64_t(e->step));
    json.key("loss");
    json.value(e->loss);
    json.key("tasks");
    json.beginObject();
    for (int t = 0; t < tasks.size(); ++t) {
        json.key(text(tasks[t]));
        json.beginObject();
        const auto metric = [&](const char *name, const std::vector<double> &values) {
            json.key(name);
            if (size_t(t) < values.size() && std::isfinite(values[size_t(t)]))
                json.value(values[size_t(t)]);
            else
                json.null();
        };
        metric("loss", e->taskLoss);
        metric("accuracy", e->taskAccuracy);
        metric("macro_f1", e->taskMacroF1);
        json.endObject();
    }
    json.endObject();
    json.endObject();
}

void writeRunJson(JsonWriter &json, const ListedRun &row)
{
    const RunRecord &r = row.run;
    json.beginObject();
    json.key("name");
    json.value(text(r.name));
    json.key("id");
    json.value(int64_t(r.id));
    json.key("parent");
    if (r.parent)
        json.value(int64_t(r.parent));
    else
        json.null();
    json.key("fork_step");
    json.value(int64_t(r.forkStep));
    json.key("dataset");
    json.value(text(r.dataset));
    json.key("created");
    json.value(text(r.created));
    json.key("hidden");
    json.value(r.hidden);
    json.key("mode");
    json.value(toString(r.model.mode));
    json.key("layers");
    json.value(r.model.layers);
    json.key("lr");
    json.value(r.train.optimizer.lr);
    json.key("seed");
    json.value(std::to_string(r.train.seed));
    json.key("steps");
    json.value(int64_t(row.figures.steps));
    json.key("last_checkpoint_step");
    if (row.checkpoint >= 0)
        json.value(int64_t(row.checkpoint));
    else
        json.null();
    json.key("tasks");
    json.beginArray();
    for (const QString &task : r.tasks)
        json.value(text(task));
    json.endArray();
    json.key("last");
    writeEvalJson(json, row.figures.last, r.tasks);
    json.key("best");
    writeEvalJson(json, row.figures.best, r.tasks);
    json.key("settings");
    json.verbatim(r.settingsJson().toStdString());
    json.endObject();
}

void printRunsJson(const std::string &path, const std::vector<ListedRun> &rows)
{
    JsonWriter json(stdout, true);
    json.beginObject();
    json.key("session");
    json.value(path);
    json.key("runs");
    json.beginArray();
    for (const ListedRun &row : rows)
        writeRunJson(json, row);
    json.endArray();
    json.endObject();
    finishJson(json, "standard output");
}

void printRunsText(const std::string &path, const std::vector<ListedRun> &rows)
{
    std::printf("%s: %zu run%s\n", path.c_str(), rows.size(), rows.size() == 1 ? "" : "s");
    for (const ListedRun &row : rows) {
        const RunRecord &r = row.run;
        std::printf("%s: %s, %s attention, %d layer%s, lr %g, seed %llu, %lld steps", text(r.name).c_str(),
                    text(r.dataset).c_str(), toString(r.model.mode), r.model.layers, r.model.layers == 1 ? "" : "s",
                    double(r.train.optimizer.lr), static_cast<unsigned long long>(r.train.seed),
                    static_cast<long long>(row.figures.steps));
        if (r.parent)
            std::printf(", forked at step %lld", static_cast<long long>(r.forkStep));
        std::printf("\n");
        const auto eval = [&](const char *what, const std::optional<EvalPoint> &e) {
            if (!e)
                return;
            std::printf("  %s val loss %.4f (step %lld), accuracy", what, e->loss, static_cast<long long>(e->step));
            for (int t = 0; t < r.tasks.size() && size_t(t) < e->taskAccuracy.size(); ++t)
                std::printf(" %s %.3f", text(r.tasks[t]).c_str(), e->taskAccuracy[size_t(t)]);
            std::printf("\n");
        };
        eval("last", row.figures.last);
        eval("best", row.figures.best);
    }
}

int list(const std::vector<std::string> &args)
{
    ArgParser p("attnscope-cli session list", "FILE [--json]",
                "Prints the runs of a session file: their settings, steps, and their last and best validation\n"
                "figures (best: the lowest validation loss).");
    p.addFlag("json", "print JSON instead of a table");
    std::vector<std::string> files;
    if (helpAsked(p, splitFiles(args, {}, &files)))
        return ExitOk;
    if (files.size() != 1)
        throw UsageError("attnscope-cli session list: name one session file (see --help)");
    SessionFile file;
    openForReading(file, files[0]);
    const std::vector<ListedRun> rows = listedRuns(file);
    if (p.isSet("json"))
        printRunsJson(files[0], rows);
    else
        printRunsText(files[0], rows);
    return ExitOk;
}

int exportRun(const std::vector<std::string> &args)
{
    ArgParser p("attnscope-cli session export", "FILE --run NAME --metrics OUT.csv",
                "Writes a run's curves as the metrics CSV of 'train --metrics' (docs/cli.md): one row per step,\n"
                "the validation columns on the evaluated steps.");
    p.addOption("run", "NAME", "the run to export");
    p.addOption("metrics", "FILE", "the CSV to write");
    std::vector<std::string> files;
    if (helpAsked(p, splitFiles(args, {"--run", "--metrics"}, &files)))
        return ExitOk;
    if (files.size() != 1)
        throw UsageError("attnscope-cli session export: name one session file (see --help)");
    const std::string name = p.required("run");
    const std::string out = p.required("metrics");
    if (sameFile(files[0], out))
        p.fail("metrics", out + " is the session file");
    SessionFile file;
    openForReading(file, files[0]);
    const std::optional<RunRecord> run = file.run(QString::fromStdString(name));
    if (!file.error().isEmpty())
        throw Failure(text(file.error()));
    if (!run) {
        const QStringList names = file.runNames();
        p.fail("run", noSuchRun(files[0], name, names));
    }
    const std::vector<StepPoint> steps = file.steps(run->id);
    const std::vector<EvalPoint> evals = file.evals(run->id);
    if (!file.error().isEmpty())
        throw Failure(text(file.error()));
    if (const std::string problem = checkOutputFile(out, OutputMode::Stream); !problem.empty())
        throw Failure(problem);
    std::vector<std::string> tasks;
    for (const QString &task : run->tasks)
        tasks.push_back(text(task));
    MetricsCsv csv(out, tasks);
    auto e = evals.begin();
    for (const StepPoint &point : steps) {
        csv.step(point);
        while (e != evals.end() && e->step < point.step)
            ++e;
        if (e != evals.end() && e->step == point.step)
            csv.flush(&*e);
    }
    csv.close();
    return ExitOk;
}

} // namespace

int session(const std::vector<std::string> &args)
{
    const char *const usage = "Usage: attnscope-cli session list FILE [--json]\n"
                              "       attnscope-cli session export FILE --run NAME --metrics OUT.csv\n"
                              "Reads a session file (docs/session.md): its runs, or one run's curves as CSV.\n";
    if (args.empty())
        throw UsageError(std::string("attnscope-cli session: name what to do\n") + usage);
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "--help" || args[0] == "-h") {
        std::fputs(usage, stdout);
        return ExitOk;
    }
    if (args[0] == "list")
        return list(rest);
    if (args[0] == "export")
        return exportRun(rest);
    throw UsageError("attnscope-cli session: unknown action '" + args[0] + "' (list or export)");
}

} // namespace attnscope::cli
