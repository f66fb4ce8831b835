// attention_bench: what live attention costs (a benchmark, not a test: it
// prints figures, nothing passes or fails). Two modes:
//
//   attention_bench [views] [--tokens 512] [--layers 4] [--heads 8] [--dim 128] [--repeats 10]
//     Time to refresh the attention views for one long sample. Model: random
//     weights of the given shape (timing does not depend on them), vocabulary
//     from builtin:reviews, one text of --tokens tokens. Per view: the panel
//     takes a new snapshot while that view is on screen, then Qt's posted
//     events run as the event loop would run them: the plots' queued replots
//     and the update requests that paint the window (what a live refresh
//     costs the GUI thread); "all views": a new snapshot, then each view
//     shown and painted in turn (every view brought up to date once, the
//     worst case). Each figure checks that the view's widgets were painted.
//     Also the worker's side: inspect() and makeSnapshot().
//
//   attention_bench training [--data builtin:reviews] [--steps 400] [--rounds 3] [--long] [--batch N]
//     The training slowdown caused by live attention at the default refresh
//     rate: the real TrainingWorker (TrainingController) trains the default
//     model and settings for --steps steps, with the attention panel fed by
//     the worker (AttentionFeed, the heatmap on screen) or without live
//     attention; runs alternate (off/on, then on/off, ...) and each round
//     prints the ratio of steps/s. --long: a 4-layer, 8-head, d = 128 model on
//     512-token texts (reviews glued together) instead; --batch: another
//     batch size than the default 32. Each round also prints the ratio up to
//     the last step (the worker's own steps/s, before the refresh a run ends
//     with: a one-off per run, not a rate). Live attention runs twice in each
//     round: with the panel's Explain live off ("attention only") and on, as
//     the window runs by default ("attention + explanations", issue 12:
//     live/liveexplainer.h); the three runs of a round take turns in a
//     rotating order. The end: each row against off, the median over the
//     rounds. A run that explained when it should not have, or did not when
//     it should, stops the bench (its figures would be mislabelled).
//
//   attention_bench steps [--long] [--batch N] [--steps 400] [--every K]
//     The worker's loop on a thread of its own without Qt: each step's wall
//     time and minor page faults, and a probe-set refresh (with a kept
//     InspectWorkspace, as the worker) every K steps: does a step after a
//     refresh run slower?
//
// Times are wall-clock milliseconds (median over repeats) and, for the views,
// the GUI thread's CPU time too, which a busy machine inflates less.
// Runs offscreen by default (QT_QPA_PLATFORM=offscreen unless set).
#include "attentionfeed.h"
#include "attentionpanel.h"
#include "liveexplainer.h"
#include "data/load.h"
#include "dataset.h"
#include "benchfigures.h"
#include "benchinputs.h"
#include "probeset.h"
#include "trainer.h"
#include "trainingcontroller.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTabWidget>
#include <QTimer>

#include <sys/resource.h>

#include <thread>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

using namespace attnscope;

namespace {

// Counts the paint events of the widgets it watches.
struct PaintCounter : QObject {
    int paints = 0;
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            ++paints;
        return false;
    }
    void watch(QWidget *w)
    {
        w->installEventFilter(this);
        for (QWidget *child : w->findChildren<QWidget *>())
            child->installEventFilter(this);
    }
};

struct Timer {
    QElapsedTimer wall;
    double cpu0 = 0;
    void start() { wall.start(); cpu0 = threadCpuMs(); }
    double wallMs() const { return wall.nsecsElapsed() / 1e6; }
    double cpuMs() const { return threadCpuMs() - cpu0; }
};

// The five views that show a snapshot, and their names in the figures.
const AttentionPanel::View Kinds[] = {AttentionPanel::View::Heatmap, AttentionPanel::View::Text,
                                      AttentionPanel::View::SelfAttention, AttentionPanel::View::Disagreement,
                                      AttentionPanel::View::History};
const char *const KindNames[] = {"heatmap", "text", "self-attention", "disagreement", "history"};
constexpr size_t KindCount = std::size(Kinds);

// The worker's side of a refresh of the sample: inspect() and makeSnapshot()
// (wall ms of each round); `snapshot` is the last one made.
struct WorkerTimes {
    std::vector<double> inspect, snapshot;
};

WorkerTimes timeWorker(const Model &model, const EncodedDataset &encoded, int repeats, AttentionSnapshot *snapshot)
{
    WorkerTimes times;
    for (int r = 0; r < std::max(3, repeats / 2); ++r) {
        Timer t;
        t.start();
        const std::vector<SampleOutputs> out = inspect(model, encoded, {0});
        times.inspect.push_back(t.wallMs());
        t.start();
        *snapshot = makeSnapshot(model, encoded, {0}, r);
        times.snapshot.push_back(t.wallMs());
    }
    return times;
}

// The panel on screen with a paint counter on each view, and the snapshots
// it is given: made before the clock starts (the worker makes them).
struct PanelBench {
    AttentionPanel panel;
    std::vector<PaintCounter> counters;
    AttentionSnapshot snapshot;
    int64_t step = 100;
    bool unpainted = false;  // a view was not painted after its posted events

    explicit PanelBench(AttentionSnapshot made) : counters(KindCount), snapshot(std::move(made))
    {
        panel.resize(1400, 900);
        panel.show();
        QApplication::processEvents();
        for (size_t k = 0; k < KindCount; ++k)
            counters[k].watch(panel.view(Kinds[k]));
    }
    SnapshotPtr next()
    {
        snapshot.step = step++;
        return std::make_shared<const AttentionSnapshot>(snapshot);
    }
    // What the event loop does next: the queued replots, then the update
    // requests, which paint the window's backing store (a second paint, into
    // an image, would count the painting twice). Notes it if the view was
    // not painted: then its figure would leave out the painting.
    void settle(size_t k)
    {
        counters[k].paints = 0;
        QApplication::sendPostedEvents();
        if (counters[k].paints == 0)
            unpainted = true;
    }
};

// Wall and CPU ms of each round.
struct Times {
    std::vector<double> wall, cpu;
};

// Every view brought up to date and painted once per snapshot: the new
// snapshot set with none of the views on screen, then each shown in turn.
struct AllViews {
    Times all;                   // set + each shown and painted
    std::vector<double> set;     // setSnapshot alone
    std::vector<std::vector<double>> show = std::vector<std::vector<double>>(KindCount);
};

AllViews timeAllViews(PanelBench &bench, int repeats)
{
    AllViews times;
    for (int r = 0; r < repeats + 1; ++r) {
        bench.panel.setCurrentView(AttentionPanel::View::ProbeEditor);  // none of the five on screen
        QApplication::processEvents();
        SnapshotPtr shared = bench.next();
        Timer t, v;
        t.start();
        bench.panel.setSnapshot(std::move(shared));
        const double set = t.wallMs();
        for (size_t k = 0; k < KindCount; ++k) {
            v.start();
            bench.panel.setCurrentView(Kinds[k]);
            bench.settle(k);
            if (r > 0) times.show[k].push_back(v.wallMs());
        }
        if (r > 0) {  // the first round warms caches
            times.set.push_back(set);
            times.all.wall.push_back(t.wallMs());
            times.all.cpu.push_back(t.cpuMs());
        }
    }
    return times;
}

// For reference: repainting the whole panel with nothing new (tabs, controls, the view's last picture).
Times timeRepaint(PanelBench &bench, int repeats)
{
    Times times;
    bench.panel.setCurrentView(AttentionPanel::View::Heatmap);
    QApplication::processEvents();
    for (int r = 0; r < repeats; ++r) {
        Timer t;
        t.start();
        bench.panel.repaint();
        times.wall.push_back(t.wallMs());
        times.cpu.push_back(t.cpuMs());
    }
    return times;
}

// The live case: one view on screen, a new snapshot arrives; per view.
std::vector<Times> timeLiveRefresh(PanelBench &bench, int repeats)
{
    std::vector<Times> times(KindCount);
    for (size_t k = 0; k < KindCount; ++k) {
        bench.panel.setCurrentView(Kinds[k]);
        QApplication::processEvents();
        for (int r = 0; r < repeats; ++r) {
            SnapshotPtr shared = bench.next();
            Timer t;
            t.start();
            bench.panel.setSnapshot(std::move(shared));
            bench.settle(k);
            times[k].wall.push_back(t.wallMs());
            times[k].cpu.push_back(t.cpuMs());
        }
    }
    return times;
}

int views(int tokens, int layers, int heads, int dim, int repeats)
{
    Dataset data;
    if (!loadReviews(&data))
        return 1;
    const Model model = reviewsModel(data, layers, heads, dim, tokens);
    const Dataset one = longTexts(data, tokens, 1);
    const EncodedDataset encoded = encodeText(model, one.samples[0].text);
    std::printf("attention_bench views: %d tokens, %d layers x %d heads, d = %d, %d tasks, %d repeats (median)\n",
                int(encoded.samples[0].ids.size()), layers, heads, dim, model.config.tasks(), repeats);

    AttentionSnapshot snapshot;
    const WorkerTimes worker = timeWorker(model, encoded, repeats, &snapshot);
    PanelBench bench(std::move(snapshot));
    const AllViews all = timeAllViews(bench, repeats);
    const Times repaint = timeRepaint(bench, repeats);
    const std::vector<Times> live = timeLiveRefresh(bench, repeats);
    if (bench.unpainted) {
        std::fprintf(stderr, "attention_bench: a view was not painted after its posted events; figures void\n");
        return 1;
    }

    std::printf("  worker thread (per refresh of this sample):\n");
    std::printf("    inspect (forward pass)              %8.2f ms\n", median(worker.inspect));
    std::printf("    makeSnapshot (inspect + values)     %8.2f ms\n", median(worker.snapshot));
    std::printf("  GUI thread                             wall ms   (cpu ms)\n");
    std::printf("    panel setSnapshot, no view shown    %8.2f\n", median(all.set));
    for (size_t k = 0; k < KindCount; ++k)
        std::printf("    bring up %-26s %8.2f\n", KindNames[k], median(all.show[k]));
    std::printf("    all views (set + each shown, painted) %6.2f   (%.2f)   goal < 50 ms\n", median(all.all.wall),
                median(all.all.cpu));
    std::printf("    (repainting the panel, nothing new  %8.2f   (%.2f), for reference)\n",
                median(repaint.wall), median(repaint.cpu));
    for (size_t k = 0; k < KindCount; ++k)
        std::printf("    live refresh, %-15s on screen %7.2f   (%.2f)\n", KindNames[k], median(live[k].wall),
                    median(live[k].cpu));
    return 0;
}

struct RunCost {
    int refreshes = 0;         // periodic and final refreshes during the timed run
    double workerMs = 0;       // the worker's time in them
    double explainMs = 0;      // the part of it spent explaining
    double guiCpuMs = 0;       // the GUI thread's CPU time during the run
    double seconds = 0;
    double trainingRate = 0;   // steps/s from the start to the last step (the worker's own figure)
};

// One run of `steps` steps without live attention (0), with it and the
// panel's Explain live off (1), or with both, the window's default (2);
// steps per second.
double trainRun(const Dataset &data, const std::shared_ptr<const Dataset> &shared, const ModelConfig &config,
                const TrainConfig &train, int mode, RunCost *cost)
{
    const bool live = mode > 0;
    auto setup = std::make_shared<TrainingSetup>();
    std::string error;
    if (!buildSetup(data, config, train, 0.2, setup.get(), &error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        std::exit(1);
    }
    TrainingController training;
    AttentionPanel panel;
    panel.resize(1200, 800);
    panel.show();
    std::unique_ptr<AttentionFeed> feed;
    // The feed hands the panel's Explain live to the worker (on by default:
    // without this, "attention only" explained too).
    panel.setLiveExplanations(mode == 2);
    training.setExplanations(mode == 2);
    training.configure(setup);
    if (live) {
        feed = std::make_unique<AttentionFeed>(&training, &panel);
        feed->setRun(setup, shared);
    }
    QEventLoop loop;
    QObject::connect(&training, &TrainingController::stateChanged, &loop, [&](TrainingWorker::State s) {
        if (s == TrainingWorker::State::Ready || s == TrainingWorker::State::Finished)
            loop.quit();
    });
    if (training.state() != TrainingWorker::State::Ready)
        loop.exec();
    // With live attention, the new setup's first snapshot (step 0) comes
    // before training starts, as in the window: not part of the timed run.
    QElapsedTimer wait;
    wait.start();
    while (live && training.attentionRefreshes() == 0 && wait.elapsed() < 120000)
        QApplication::processEvents(QEventLoop::AllEvents, 50);
    QApplication::processEvents();
    const double before = training.attentionSeconds(), explainBefore = training.explainSeconds();
    const int beforeCount = training.attentionRefreshes();
    double trainingRate = 0;
    QObject::connect(&training, &TrainingController::snapshot, &loop, [&](const TrainingSnapshot &s) {
        if (s.stepsPerSecond > 0)
            trainingRate = s.stepsPerSecond;
    });
    QElapsedTimer clock;
    clock.start();
    const double cpu0 = threadCpuMs();
    training.start();
    loop.exec();  // until Finished
    const double seconds = clock.nsecsElapsed() / 1e9;
    cost->guiCpuMs = threadCpuMs() - cpu0;
    cost->seconds = seconds;
    cost->trainingRate = trainingRate;
    cost->workerMs = (training.attentionSeconds() - before) * 1e3;
    cost->explainMs = (training.explainSeconds() - explainBefore) * 1e3;
    cost->refreshes = training.attentionRefreshes() - beforeCount;
    QApplication::processEvents();
    const int64_t steps = training.currentStep();
    const bool explained = training.explainSeconds() > 0;
    training.shutdown();
    if (explained != (mode == 2)) {
        std::fprintf(stderr, "attention_bench: the %s run %s\n", mode == 2 ? "attention + explanations" : "attention only",
                     explained ? "explained, with Explain live off" : "explained nothing");
        std::exit(1);
    }
    return double(steps) / seconds;
}

// The data and settings both training modes run: builtin data as given, or
// (longInputs) 512-token texts on a 4-layer, 8-head, d = 128 model.
struct TrainingBench {
    std::shared_ptr<Dataset> data = std::make_shared<Dataset>();
    ModelConfig config;
    TrainConfig train;
};

bool trainingBench(const std::string &spec, int steps, bool longInputs, int batch, TrainingBench *out)
{
    std::string error;
    if (!loadDataset(spec, out->data.get(), &error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return false;
    }
    if (longInputs) {
        *out->data = longTexts(*out->data, 512, 240);
        out->config.dim = 128;
        out->config.heads = 8;
        out->config.layers = 4;
        out->config.ffn = 512;
        out->config.maxLen = 512;
    }
    out->train.steps = steps;
    if (batch > 0)
        out->train.batchSize = batch;
    return true;
}

int trainingMode(const std::string &spec, int steps, int rounds, bool longInputs, int batch)
{
    TrainingBench bench;
    if (!trainingBench(spec, steps, longInputs, batch, &bench))
        return 1;
    const auto &[data, config, train] = bench;
    std::printf("attention_bench training: %s, %d steps per run, %d layers x %d heads, d = %d, max_len %d, "
                "batch %d; live attention every %d steps, >= %lld ms apart, <= %.0f%% of the time\n",
                data->source.c_str(), steps, config.layers, config.heads, config.dim, config.maxLen, train.batchSize,
                TrainingWorker::AttentionEverySteps, static_cast<long long>(TrainingWorker::AttentionMinInterval.count()),
                TrainingWorker::AttentionBudget * 100);
    std::printf("  live explanations: a round at most every %.0f%% of the time; every score up to %d real tokens\n",
                LiveExplainer::Budget * 100, LiveExplainer::AllScoresTokens);
    const char *names[3] = {"off", "attention only", "attention + explanations"};
    std::vector<double> ratios[3], stepRatios[3];
    for (int r = 0; r < rounds; ++r) {
        double rate[3] = {0, 0, 0};
        RunCost cost[3];
        for (int k = 0; k < 3; ++k) {
            const int mode = (r + k) % 3;  // off, attention only, + explanations; then attention only, ...
            rate[mode] = trainRun(*data, data, config, train, mode, &cost[mode]);
        }
        for (int m = 1; m < 3; ++m) {
            ratios[m].push_back(rate[m] / rate[0]);
            stepRatios[m].push_back(cost[m].trainingRate / cost[0].trainingRate);
        }
        std::printf("  round %d: off %7.2f steps/s (GUI cpu %5.0f ms)\n", r + 1, rate[0], cost[0].guiCpuMs);
        for (int m = 1; m < 3; ++m)
            std::printf("           %-24s %7.2f steps/s (GUI cpu %5.0f ms; %d refreshes, worker %.0f ms = %.1f%% of the "
                        "run, explaining %.0f ms = %.1f%%), %s/off %.3f; up to the last step %.3f\n",
                        names[m], rate[m], cost[m].guiCpuMs, cost[m].refreshes, cost[m].workerMs,
                        100 * cost[m].workerMs / (1e3 * cost[m].seconds), cost[m].explainMs,
                        100 * cost[m].explainMs / (1e3 * cost[m].seconds), names[m], ratios[m].back(),
                        stepRatios[m].back());
    }
    // The three rows, each against off: steps/s ratios, the median over the rounds.
    std::printf("  median of %d rounds        run/off  slowdown  up to the last step\n", rounds);
    std::printf("  %-24s   %.3f   %5.1f%%     %.3f\n", names[0], 1.0, 0.0, 1.0);
    for (int m = 1; m < 3; ++m)
        std::printf("  %-24s   %.3f   %5.1f%%     %.3f%s\n", names[m], median(ratios[m]),
                    (1 - median(ratios[m])) * 100, median(stepRatios[m]), m == 2 ? "   (goal: under 10%)" : "");
    return 0;
}


long threadMinorFaults()
{
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    return u.ru_minflt;
}

// What a refresh does to the steps after it: the worker's loop (trainer
// steps, a probe-set refresh between two of them) on a thread of its own,
// as in the window, printing each step's wall time and minor page faults.
int stepsMode(const std::string &spec, int steps, bool longInputs, int batch, int every)
{
    TrainingBench bench;
    if (!trainingBench(spec, steps, longInputs, batch, &bench))
        return 1;
    const auto &[data, config, train] = bench;
    std::string error;
    auto setup = std::make_shared<TrainingSetup>();
    if (!buildSetup(*data, config, train, 0.2, setup.get(), &error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    ProbeSet probes;
    probes.choose(setup->val, setup->model.tasks);
    std::printf("attention_bench steps: %d probes, refresh every %d steps (0: never)\n", probes.size(), every);
    std::thread worker([&] {
        Model model = setup->model;
        Trainer trainer(model, setup->train, setup->config);
        std::shared_ptr<AttentionSnapshot> held;
        InspectWorkspace workspace;  // kept from refresh to refresh, as the worker does
        SnapshotLimits limits;
        limits.workspace = &workspace;
        for (int s = 1; s <= steps; ++s) {
            QElapsedTimer t;
            t.start();
            const long f0 = threadMinorFaults();
            trainer.step();
            const double ms = t.nsecsElapsed() / 1e6;
            const long f = threadMinorFaults() - f0;
            double rms = 0;
            long rf = 0;
            if (every > 0 && s % every == 0) {
                t.start();
                const long r0 = threadMinorFaults();
                held = std::make_shared<AttentionSnapshot>(probes.refresh(model, setup->val, s, nullptr, limits));
                rms = t.nsecsElapsed() / 1e6;
                rf = threadMinorFaults() - r0;
            }
            std::printf("  step %3d %8.1f ms %7ld faults%s", s, ms, f, rms > 0 ? "" : "\n");
            if (rms > 0) std::printf("   refresh %8.1f ms %7ld faults\n", rms, rf);
            std::fflush(stdout);
        }
    });
    worker.join();
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    if (!std::getenv("QT_QPA_PLATFORM"))
        setenv("QT_QPA_PLATFORM", "offscreen", 1);
    std::string mode = "views", spec = "builtin:reviews";
    int tokens = 512, layers = 4, heads = 8, dim = 128, repeats = 10, steps = 400, rounds = 3, batch = 0, every = 0;
    bool longInputs = false;
    int i = 1;
    if (argc > 1 && argv[1][0] != '-') mode = argv[i++];
    for (; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--long") { longInputs = true; continue; }
        if (i + 1 >= argc) { std::fprintf(stderr, "attention_bench: %s needs a value\n", argv[i]); return 2; }
        const char *value = argv[++i];
        if (flag == "--tokens") tokens = std::atoi(value);
        else if (flag == "--layers") layers = std::atoi(value);
        else if (flag == "--heads") heads = std::atoi(value);
        else if (flag == "--dim") dim = std::atoi(value);
        else if (flag == "--repeats") repeats = std::atoi(value);
        else if (flag == "--steps") steps = std::atoi(value);
        else if (flag == "--rounds") rounds = std::atoi(value);
        else if (flag == "--batch") batch = std::atoi(value);
        else if (flag == "--every") every = std::atoi(value);
        else if (flag == "--data") spec = value;
        else { std::fprintf(stderr, "attention_bench: unknown option %s\n", flag.c_str()); return 2; }
    }
    QApplication app(argc, argv);
    if (mode == "views")
        return views(tokens, layers, heads, dim, repeats);
    if (mode == "training")
        return trainingMode(spec, steps, rounds, longInputs, batch);
    if (mode == "steps")
        return stepsMode(spec, steps, longInputs, batch, every);
    std::fprintf(stderr, "attention_bench: unknown mode %s (views or training)\n", mode.c_str());
    return 2;
}
