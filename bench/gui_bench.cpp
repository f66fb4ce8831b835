// gui_bench: the workbench under load (a benchmark, not a test). It trains
// builtin:reviews in the real window (offscreen platform unless a display is
// set) with live plotting and prints:
//   - steps/s in the window against the same settings trained headless with
//     the core's Trainer, as attnscope-cli train runs it (validation after
//     every epoch in both); goal: ratio >= 0.9
//   - the largest event-loop stall while training, measured by a repeating
//     zero-interval timer (the largest gap between two of its ticks); goal < 50 ms
//   - the loss plot's mean and worst redraw time during the run, and for a
//     run of 200,000 steps (3 tasks); goal < 16 ms
//   gui_bench [STEPS]   (default 1500 = 20 epochs of builtin:reviews)
#include "lossplot.h"
#include "mainwindow.h"
#include "trainingsetup.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace attnscope;

namespace {

const char *Spec = "builtin:reviews";

// The window's defaults are the CLI's: 1 layer, 4 heads, width 64, ffn 256, batch 32, AdamW 0.003.
double headlessStepsPerSecond(int64_t steps)
{
    Dataset data;
    std::string error;
    if (!loadDataset(Spec, &data, &error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        std::exit(1);
    }
    TrainConfig train;
    train.steps = steps;
    TrainingSetup setup;
    if (!buildSetup(data, ModelConfig(), train, 0.2, &setup, &error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        std::exit(1);
    }
    Model model = setup.model;
    Trainer trainer(model, setup.train, train);
    const auto start = std::chrono::steady_clock::now();
    while (!trainer.finished()) {
        trainer.runEpoch();
        evaluate(model, setup.val, train.taskWeights);
    }
    return double(steps) / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void bigRunRedraw(double *mean, double *worst, int *points)
{
    LossPlot plot;
    plot.resize(1200, 700);
    plot.show();
    plot.setTasks({QStringLiteral("sentiment"), QStringLiteral("topic"), QStringLiteral("urgency")});
    TrainingSnapshot s;
    const int n = 200000;
    s.steps.reserve(n);
    for (int i = 1; i <= n; ++i) {
        const float base = 2.0f / std::sqrt(float(i)) + 0.05f * float((i * 7919) % 101) / 101.0f;
        s.steps.push_back({i, i / 75.0, base * 3, {base, base * 1.3f, base * 0.7f}, 0.003f, 1.0f});
        if (i % 75 == 0)
            s.evals.push_back({i, i / 75.0, base * 3, {base, base, base}, {0.9, 0.8, 0.95}});
    }
    plot.append(s);
    plot.redraw();  // warm-up
    double total = 0, max = 0;
    const int rounds = 30;
    for (int r = 0; r < rounds; ++r) {
        const double ms = plot.redraw();
        total += ms;
        max = std::max(max, ms);
    }
    *mean = total / rounds;
    *worst = max;
    *points = plot.drawnPoints(0);
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("AttnScopeBench"));
    const int64_t steps = argc > 1 ? std::atoll(argv[1]) : 1500;

    std::printf("gui_bench: %s, %lld steps, default model and trainer settings, platform %s\n", Spec,
                static_cast<long long>(steps), qPrintable(QGuiApplication::platformName()));
    const double headless = headlessStepsPerSecond(steps);
    std::printf("headless Trainer:           %8.1f steps/s\n", headless);

    MainWindow window;
    window.resize(1400, 860);
    window.show();
    if (!window.openDataset(QString::fromLatin1(Spec)))
        return 1;
    // Train exactly `steps`: epochs = ceil(steps / steps per epoch), stop when reached.
    QElapsedTimer clock;
    double maxGap = 0;
    int64_t ticks = 0;
    QElapsedTimer gap;
    QTimer probe;
    probe.setInterval(0);
    QObject::connect(&probe, &QTimer::timeout, [&]() {
        if (gap.isValid())
            maxGap = std::max(maxGap, double(gap.nsecsElapsed()) / 1e6);
        gap.start();
        ++ticks;
    });
    double seconds = 0;
    int64_t done = 0;
    QObject::connect(window.training(), &TrainingController::snapshot, [&](const TrainingSnapshot &s) {
        if (s.step >= steps && seconds == 0) {
            seconds = double(clock.nsecsElapsed()) / 1e9;
            done = s.step;
            window.training()->pause();
            QTimer::singleShot(200, &app, &QApplication::quit);
        }
    });
    QObject::connect(window.training(), &TrainingController::stateChanged, [&](TrainingWorker::State state, const QString &) {
        if (state == TrainingWorker::State::Running && !clock.isValid()) {
            clock.start();
            probe.start();
        }
        if (state == TrainingWorker::State::Finished && seconds == 0) {
            seconds = double(clock.nsecsElapsed()) / 1e9;
            done = window.training()->currentStep();
            QTimer::singleShot(200, &app, &QApplication::quit);
        }
    });
    QTimer::singleShot(300, &window, [&]() { window.startAction()->trigger(); });
    app.exec();
    probe.stop();
    const double gui = seconds > 0 ? double(done) / seconds : 0.0;
    std::printf("window, live plotting:      %8.1f steps/s  (%lld steps in %.2f s)\n", gui,
                static_cast<long long>(done), seconds);
    std::printf("ratio window / headless:    %8.3f  (goal >= 0.9)\n", headless > 0 ? gui / headless : 0.0);
    std::printf("largest event-loop stall:   %8.1f ms over %lld ticks (goal < 50 ms)\n", maxGap,
                static_cast<long long>(ticks));
    std::printf("loss plot redraws in run:   %8d, mean %.2f ms, worst %.2f ms\n", window.curves()->redrawCount(),
                window.curves()->meanRedrawMs(), window.curves()->worstRedrawMs());
    double mean = 0, worst = 0;
    int drawn = 0;
    bigRunRedraw(&mean, &worst, &drawn);
    std::printf("200,000-step redraw:         mean %.2f ms, worst %.2f ms (goal < 16 ms; %d points drawn per curve)\n",
                mean, worst, drawn);
    window.close();
    return 0;
}
