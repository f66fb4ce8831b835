// attnscope-attention-demo: a developer's tool (not installed) for looking at
// the attention views. Trains builtin:reviews headless through a
// TrainingController, as the workbench does (the worker refreshes the probe
// set every --every steps, within its time budget, and runs the probe
// editor's text), then shows the AttentionPanel and saves a PNG of every
// view (QWidget::grab), in the chosen score (--score: attention, rollout,
// gradient, integrated, occlusion, or all: every score's heatmap, text and
// curves over training, then the Compare tab).
//   attnscope-attention-demo [--data SPEC] [--steps N] [--every K] [--mode task|shared|gated|uniform]
//                            [--layers N] [--rationale-weight MU] [--score NAME|all] [--out DIR] [--dark]
//                            [--width W --height H]
// Run it under Xvfb: xvfb-run -a -s "-screen 0 1600x1000x24" attnscope-attention-demo --out docs/images
#include "appearance.h"
#include "attentionfeed.h"
#include "attentionpanel.h"
#include "data/load.h"
#include "dataset.h"
#include "trainingcontroller.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QEventLoop>
#include <QPalette>
#include <QStyleFactory>
#include <QTimer>

#include <cstdio>
#include <memory>

using namespace attnscope;

namespace {

void addDemoOptions(QCommandLineParser &parser)
{
    parser.addHelpOption();
    parser.addOption({"data", "dataset", "spec", "builtin:reviews"});
    parser.addOption({"steps", "training steps", "n", "400"});
    parser.addOption({"every", "snapshot every K steps", "k", "20"});
    parser.addOption({"mode", "task, shared or gated", "mode", "task"});
    parser.addOption({"layers", "encoder layers", "n", "1"});
    parser.addOption({"out", "folder for the PNGs", "dir", "."});
    parser.addOption({"dark", "dark palette"});
    parser.addOption({"width", "window width", "px", "1400"});
    parser.addOption({"height", "window height", "px", "860"});
    parser.addOption({"sample", "probe sample to select", "i", "0"});
    parser.addOption({"score", "attention, rollout, gradient, integrated, occlusion or all", "name", "attention"});
    parser.addOption({"rationale-weight", "mu (MODEL.md 5b)", "mu", "0"});
    parser.addOption({"compare-task", "task of the Compare tab", "t", "0"});
}

// The run the options describe: --data, --layers, --mode, --steps and
// --rationale-weight, batches of 32; false (the error on stderr) when the
// data does not load or the setup cannot be built.
bool buildDemoRun(const QCommandLineParser &parser, std::shared_ptr<Dataset> *dataset,
                  std::shared_ptr<TrainingSetup> *setup)
{
    *dataset = std::make_shared<Dataset>();
    std::string error;
    if (!loadDataset(parser.value("data").toStdString(), dataset->get(), &error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return false;
    }
    ModelConfig config;
    config.layers = parser.value("layers").toInt();
    parseAttentionMode(parser.value("mode").toStdString(), &config.mode);
    TrainConfig tc;
    tc.steps = parser.value("steps").toLongLong();
    tc.batchSize = 32;
    tc.rationaleWeight = parser.value("rationale-weight").toFloat();
    *setup = std::make_shared<TrainingSetup>();
    if (!buildSetup(**dataset, config, tc, 0.2, setup->get(), &error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return false;
    }
    return true;
}

// Trains the configured run to its end (or a pause on a diverging loss) and
// prints its validation figures.
void trainToTheEnd(TrainingController &training, const TrainingSetup &setup)
{
    QEventLoop loop;
    QObject::connect(&training, &TrainingController::stateChanged, &loop, [&](TrainingWorker::State state) {
        if (state == TrainingWorker::State::Ready)
            training.start();
        else if (state != TrainingWorker::State::Running)
            loop.quit();  // finished (or paused by a diverging loss)
    });
    loop.exec();
    const EvalResult eval = evaluate(*training.modelCopy(), setup.val);
    std::printf("trained %lld steps, validation loss %.4f;", (long long)training.currentStep(), eval.loss);
    for (size_t t = 0; t < eval.tasks.size(); ++t)
        std::printf(" %s acc %.3f", setup.model.tasks[t].name.c_str(), eval.tasks[t].accuracy);
    std::printf(" (%d attention snapshots)\n", training.attentionRefreshes());
}

// The scores --score names (all: the five); false for an unknown one.
bool chosenScores(const QCommandLineParser &parser, std::vector<Method> *scores)
{
    Method chosen = Method::Attention;
    if (parser.value("score") == QLatin1String("all"))
        *scores = {Method::Attention, Method::Rollout, Method::Gradient, Method::Integrated, Method::Occlusion};
    else if (parseMethod(parser.value("score").toStdString(), &chosen) && chosen != Method::Random)
        *scores = {chosen};
    else
        return false;
    return true;
}

// Shows the panel and saves every view in each score as out/attention-<view>[-<score>][-dark].png
// (the views that do not change with the score once); the application's exit code: 1 if a PNG was
// not written.
int grabViews(AttentionPanel &panel, const std::vector<Method> &scores, const QString &out, const QString &suffix)
{
    QDir().mkpath(out);
    panel.show();
    const struct { AttentionPanel::View view; const char *name; bool scored; } views[] = {
        {AttentionPanel::View::Heatmap, "heatmap", true},
        {AttentionPanel::View::Text, "text", true},
        {AttentionPanel::View::SelfAttention, "selfattention", false},
        {AttentionPanel::View::Disagreement, "disagreement", false},
        {AttentionPanel::View::History, "history", true},
        {AttentionPanel::View::ProbeEditor, "probeeditor", true},
        {AttentionPanel::View::Compare, "compare", false},
    };
    int status = 0;
    QTimer::singleShot(300, &panel, [&]() {
        for (size_t k = 0; k < scores.size(); ++k) {
            panel.setScore(scores[k]);
            for (const auto &v : views) {
                if (k > 0 && !v.scored)
                    continue;  // the same in every score
                panel.setCurrentView(v.view);
                for (int i = 0; i < 5; ++i) QApplication::processEvents();
                const QString score = scores.size() > 1 || scores[k] != Method::Attention
                                          ? QStringLiteral("-") + QLatin1String(toString(scores[k])) : QString();
                const QString path = out + QStringLiteral("/attention-%1%2%3.png")
                                               .arg(QLatin1String(v.name), v.scored ? score : QString(), suffix);
                if (!panel.grab().save(path)) status = 1;
                std::printf("wrote %s\n", qPrintable(path));
            }
        }
        QApplication::exit(status);
    });
    return QApplication::exec();
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    addDemoOptions(parser);
    parser.process(app);
    if (parser.isSet("dark")) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(attnscope::darkPalette());  // the window's own (ui/common/appearance.h)
    }
    std::shared_ptr<Dataset> dataset;
    std::shared_ptr<TrainingSetup> setup;
    if (!buildDemoRun(parser, &dataset, &setup))
        return 1;

    AttentionPanel panel;
    panel.resize(parser.value("width").toInt(), parser.value("height").toInt());
    panel.setWindowTitle(QStringLiteral("AttnScope attention (demo)"));
    // The workbench's road: the worker trains and refreshes the probe set the
    // panel chose; its snapshots reach the panel through the controller.
    TrainingController training;
    AttentionFeed feed(&training, &panel);
    training.setAttentionRate(std::max(1, parser.value("every").toInt()), std::chrono::milliseconds(0));
    training.configure(setup);
    feed.setRun(setup, dataset);
    trainToTheEnd(training, *setup);
    panel.selectSample(parser.value("sample").toInt());
    panel.setCompareTask(parser.value("compare-task").toInt());
    std::vector<Method> scores;
    if (!chosenScores(parser, &scores)) {
        std::fprintf(stderr, "--score: unknown score %s\n", qPrintable(parser.value("score")));
        return 2;
    }
    const QString suffix = parser.isSet("dark") ? QStringLiteral("-dark") : QString();
    const int code = grabViews(panel, scores, parser.value("out"), suffix);
    training.shutdown();
    return code;
}
