// session_bench: the session file at the size (a benchmark, not a
// test). A run of builtin:reviews with the window's default model, as the
// window or attnscope-cli would record 200,000 steps of it: every step's
// point, a validation after every epoch (4,000 of them), 64 attention
// timeline snapshots of 16 validation samples, and 20 kept checkpoints
// with the trainer's state (the real weights and AdamW moments after a few
// hundred steps). It prints
//   - the file's size on disk (after the writer closed it: the log checkpointed);
//   - the time to write it through the SessionWriter (its thread) and the
//     time the posting thread spent handing the writes over;
//   - the time to open it as File > Open session does (SessionFile::open and
//     readKeptRuns: the records and every curve into a LossHistory), best
//     and median of --rounds; goal < 1 s;
//   - the time to read the latest checkpoint back, as Resume does.
// The slowdown of training while a session is written, and the window's
// stall meanwhile, are gui_bench --session's; attnscope-cli's own slowdown
// is scripts/kill_session.sh's neighbour in docs/session.md.
//
//   session_bench [--steps N] [--rounds K] [--keep FILE]
//   session_bench --open FILE [--rounds K]
//   (defaults: 200,000 steps, 5 rounds; --keep leaves the file at FILE;
//   --open times opening a file written before, without writing one)
#include "benchfigures.h"
#include "data/load.h"
#include "losshistory.h"
#include "runplan.h"
#include "sessionfile.h"
#include "sessionrecorder.h"
#include "sessionwriter.h"
#include "trainer.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <vector>

using namespace attnscope;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// For an even count the upper of the middle two (the slower: these are
// times); benchfigures.h's median takes their mean.
double upperMedian(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// Opening a session file as File > Open session does (SessionFile::open and
// readKeptRuns: the records and every curve into a LossHistory), then
// reading its latest checkpoint as Resume does, `rounds` times.
struct Opening {
    std::vector<double> openMs, openCpuMs, checkpointMs;
    size_t points = 0;

    void print(int rounds) const
    {
        std::printf("opened (Open session): best %.0f ms, median %.0f ms over %d rounds, %zu points read  (goal < 1000 ms)\n",
                    *std::min_element(openMs.begin(), openMs.end()), upperMedian(openMs), rounds, points);
        std::printf("                       median %.0f ms of CPU time (what a loaded machine stretches)\n",
                    upperMedian(openCpuMs));
        std::printf("latest checkpoint:     median %.1f ms to read back (Resume)\n", upperMedian(checkpointMs));
    }
};

bool timeOpening(const QString &path, int rounds, Opening *out)
{
    QString error;
    for (int r = 0; r < rounds; ++r) {
        const auto start = Clock::now();
        const std::clock_t cpu = std::clock();
        SessionFile file;
        std::vector<std::unique_ptr<KeptRun>> runs;
        if (!file.open(path, SessionFile::Mode::ReadOnly, &error) || !readKeptRuns(file, 1, &runs, &error)) {
            std::fprintf(stderr, "session_bench: %s\n", qPrintable(error));
            return false;
        }
        out->openMs.push_back(msSince(start));
        out->openCpuMs.push_back(1000.0 * double(std::clock() - cpu) / CLOCKS_PER_SEC);
        if (runs.empty()) {
            std::fprintf(stderr, "session_bench: %s has no run\n", qPrintable(path));
            return false;
        }
        out->points = 0;
        for (const auto &run : runs)
            out->points += run->history.steps().size();
        const auto resume = Clock::now();
        const std::optional<CheckpointRecord> latest = file.latestCheckpoint(runs[0]->fileId);
        out->checkpointMs.push_back(msSince(resume));
        if (!latest) {
            std::fprintf(stderr, "session_bench: no checkpoint read back\n");
            return false;
        }
    }
    return true;
}

struct Options {
    int64_t steps = 200000;
    int rounds = 5;
    QString keep, openOnly;
};

// False (the usage on stderr) for an argument it does not know.
bool readOptions(int argc, char **argv, Options *o)
{
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--steps") && i + 1 < argc)
            o->steps = std::max<int64_t>(1000, std::atoll(argv[++i]));
        else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc)
            o->rounds = std::max(1, std::atoi(argv[++i]));
        else if (!std::strcmp(argv[i], "--keep") && i + 1 < argc)
            o->keep = QString::fromLocal8Bit(argv[++i]);
        else if (!std::strcmp(argv[i], "--open") && i + 1 < argc)
            o->openOnly = QString::fromLocal8Bit(argv[++i]);
        else {
            std::fprintf(stderr, "usage: session_bench [--steps N] [--rounds K] [--keep FILE] | --open FILE [--rounds K]\n");
            return false;
        }
    }
    return true;
}

// The window's default run of builtin:reviews, trained a little: real
// weights and moments for the checkpoints, and an attention snapshot of 16
// validation samples for the timeline.
struct TrainedRun {
    Dataset data;
    TrainConfig train;
    Model model;
    TrainerState state;
    int64_t perEpoch = 1;
    size_t probes = 0;
    AttentionSnapshot snapshot;  // without self-attention, as the timeline keeps it
};

bool trainALittle(TrainedRun *out)
{
    std::string error;
    if (!loadDataset("builtin:reviews", &out->data, &error)) {
        std::fprintf(stderr, "session_bench: %s\n", error.c_str());
        return false;
    }
    TrainConfig &train = out->train;
    train.steps = 300;
    TrainingSetup setup;
    if (!buildSetup(out->data, ModelConfig(), train, 0.2, &setup, &error)) {
        std::fprintf(stderr, "session_bench: %s\n", error.c_str());
        return false;
    }
    out->model = setup.model;
    Trainer trainer(out->model, setup.train, train);
    trainer.run();
    out->state = trainer.state();
    out->perEpoch = (int64_t(setup.train.samples.size()) + train.batchSize - 1) / train.batchSize;
    std::vector<int> probes;
    for (int i = 0; i < 16 && i < int(setup.val.samples.size()); ++i)
        probes.push_back(i);
    out->probes = probes.size();
    out->snapshot = makeSnapshot(out->model, setup.val, probes, 0, &out->data).withoutSelfAttention();
    return true;
}

// Steps first .. first + count - 1 (up to `last`) of a falling loss, with a
// validation at the end of each epoch.
TrainingSnapshot syntheticSteps(int64_t first, int64_t count, int64_t last, int64_t perEpoch, int tasks)
{
    TrainingSnapshot s;
    for (int64_t i = first; i < first + count && i <= last; ++i) {
        const float loss = 2.0f / std::sqrt(float(i)) + 0.01f * float(i % 7);
        s.steps.push_back({i, double(i) / double(perEpoch), loss, std::vector<float>(size_t(tasks), loss / 3),
                           0.003f, 1.0f + 0.1f * float(i % 5)});
        if (i % perEpoch == 0)
            s.evals.push_back({i, double(i) / double(perEpoch), loss, std::vector<double>(size_t(tasks), loss / 3),
                               std::vector<double>(size_t(tasks), 0.9), std::vector<double>(size_t(tasks), 0.88), {}});
    }
    return s;
}

struct Written {
    int64_t run = 0;       // the run's id in the file
    double writeMs = 0;    // until the writer's thread had written and closed it
    double postingMs = 0;  // the posting thread's time handing the writes over
};

// Written as the recorder writes a run: snapshots of a few hundred steps
// each (what four refreshes a second of a fast run bring), a checkpoint
// every steps / 20, a timeline snapshot every steps / 64.
bool writeSession(const QString &path, int64_t steps, const TrainedRun &trained, Written *out)
{
    const Model &model = trained.model;
    const auto writeStart = Clock::now();
    SessionWriter writer;
    QString qerror;
    if (!writer.open(path, &qerror)) {
        std::fprintf(stderr, "session_bench: %s\n", qPrintable(qerror));
        return false;
    }
    RunRecord record;
    record.name = QStringLiteral("bench");
    record.dataset = QStringLiteral("builtin:reviews");
    record.model = model.config;
    record.train = trained.train;
    record.train.steps = steps;
    for (const TaskInfo &t : model.tasks)
        record.tasks << QString::fromStdString(t.name);
    const int64_t run = writer.addRun(&record);
    const int64_t chunk = 250;
    const int64_t keepEvery = steps / 20, timelineEvery = steps / 64;
    for (int64_t first = 1; first <= steps; first += chunk) {
        const TrainingSnapshot s = syntheticSteps(first, chunk, steps, trained.perEpoch, model.config.tasks());
        const auto posting = Clock::now();
        writer.appendSnapshot(run, s);
        const int64_t last = s.steps.back().step;
        if (last / keepEvery != (first - 1) / keepEvery) {
            TrainerState at = trained.state;
            at.step = last;
            writer.putCheckpoint(run, std::make_shared<const Model>(model), std::move(at), QStringLiteral("kept"));
        }
        if (last / timelineEvery != (first - 1) / timelineEvery) {
            AttentionSnapshot a = trained.snapshot;
            a.step = last;
            writer.post([run, a](SessionFile &file) { return file.putTimeline(run, a); });
        }
        out->postingMs += msSince(posting);
    }
    TrainerState at = trained.state;
    at.step = steps;
    writer.putCheckpoint(run, std::make_shared<const Model>(model), std::move(at), QStringLiteral("last"));
    const bool flushed = writer.flush();
    writer.close();
    out->writeMs = msSince(writeStart);
    out->run = run;
    if (!flushed) {
        std::fprintf(stderr, "session_bench: %s\n", qPrintable(writer.error()));
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Options o;
    if (!readOptions(argc, argv, &o))
        return 2;
    if (!o.openOnly.isEmpty()) {
        std::printf("session_bench: opening %s, load average %s\n", qPrintable(o.openOnly), loadAverage().constData());
        Opening opened;
        if (!timeOpening(o.openOnly, o.rounds, &opened))
            return 1;
        opened.print(o.rounds);
        std::printf("load average after: %s\n", loadAverage().constData());
        return 0;
    }
    std::printf("session_bench: %lld steps, load average %s\n", static_cast<long long>(o.steps),
                loadAverage().constData());
    TrainedRun trained;
    if (!trainALittle(&trained))
        return 1;

    QTemporaryDir dir;
    const QString path = o.keep.isEmpty() ? dir.filePath(QStringLiteral("bench.attnscope")) : o.keep;
    for (const char *suffix : {"", "-wal", "-shm"})
        QFile::remove(path + QLatin1String(suffix));
    Written written;
    if (!writeSession(path, o.steps, trained, &written))
        return 1;
    const double megabytes = double(QFileInfo(path).size()) / 1e6;

    Opening opened;
    if (!timeOpening(path, o.rounds, &opened))
        return 1;
    SessionFile file;
    QString qerror;
    file.open(path, SessionFile::Mode::ReadOnly, &qerror);
    const size_t checkpoints = file.checkpointList(written.run).size();
    const size_t timeline = file.timeline(written.run).size();
    const size_t evals = file.evals(written.run).size();

    const Model &model = trained.model;
    std::printf("the run: %lld steps, %zu validations, %zu timeline snapshots of %zu samples, %zu kept checkpoints "
                "(%d layers, width %d, %zu weights)\n",
                static_cast<long long>(o.steps), evals, timeline, trained.probes, checkpoints, model.config.layers,
                model.config.dim, model.params.size());
    std::printf("size on disk:          %.1f MB\n", megabytes);
    std::printf("written in:            %.0f ms on the writer's thread (the poster spent %.1f ms handing it over)\n",
                written.writeMs, written.postingMs);
    opened.print(o.rounds);
    std::printf("load average after: %s\n", loadAverage().constData());
    return 0;
}
