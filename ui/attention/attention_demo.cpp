// attnscope-attention-demo: a developer's tool (not installed) for looking at
// the attention views. Trains builtin:reviews headless with the core
// Trainer, feeding the panel a probe-set snapshot every --every steps, then
// shows the AttentionPanel and saves a PNG of every view (QWidget::grab).
//   attnscope-attention-demo [--data SPEC] [--steps N] [--every K] [--mode task|shared|gated]
//                            [--layers N] [--out DIR] [--dark] [--width W --height H]
// Run it under Xvfb: xvfb-run -a -s "-screen 0 1600x1000x24" attnscope-attention-demo --out docs/images
#include "appearance.h"
#include "attentionpanel.h"
#include "dataset.h"
#include "probeset.h"
#include "selfattentionview.h"
#include "trainer.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QPalette>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>
#include <memory>

using namespace attnscope;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
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
    parser.process(app);
    if (parser.isSet("dark")) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(attnscope::darkPalette());  // the window's own (ui/appearance.h)
    }

    auto dataset = std::make_shared<Dataset>();
    std::string error;
    if (!loadDataset(parser.value("data").toStdString(), dataset.get(), &error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    const Split split = splitDataset(*dataset, 0.2, 1);
    ModelConfig config;
    config.layers = parser.value("layers").toInt();
    parseAttentionMode(parser.value("mode").toStdString(), &config.mode);
    Model model = createModel(*dataset, split.train, config, 1);
    const Vocabulary vocab = model.config.input == InputKind::Text ? Vocabulary(model.vocab) : Vocabulary();
    const EncodedDataset train = encodeDataset(*dataset, split.train, vocab, model.config.maxLen);
    auto validation = std::make_shared<EncodedDataset>(encodeDataset(*dataset, split.val, vocab, model.config.maxLen));

    AttentionPanel panel;
    panel.resize(parser.value("width").toInt(), parser.value("height").toInt());
    panel.setWindowTitle(QStringLiteral("AttnScope attention (demo)"));
    panel.setModelAndData(std::make_shared<Model>(model), dataset, validation, 0);
    ProbeSet probes = panel.probeSet();  // what the worker would hold

    TrainConfig tc;
    tc.steps = parser.value("steps").toLongLong();
    tc.batchSize = 32;
    Trainer trainer(model, train, tc);
    const int every = std::max(1, parser.value("every").toInt());
    while (trainer.step()) {
        const int64_t step = trainer.progress().step;
        if (step % every == 0)
            panel.setSnapshot(probes.refresh(model, *validation, step, dataset.get()));
    }
    panel.setModel(std::make_shared<Model>(model), trainer.progress().step, true);
    const EvalResult eval = evaluate(model, *validation);
    std::printf("trained %lld steps, validation loss %.4f;", (long long)trainer.progress().step, eval.loss);
    for (size_t t = 0; t < eval.tasks.size(); ++t)
        std::printf(" %s acc %.3f", model.tasks[t].name.c_str(), eval.tasks[t].accuracy);
    std::printf("\n");
    panel.selectSample(parser.value("sample").toInt());

    const QString out = parser.value("out");
    QDir().mkpath(out);
    const QString suffix = parser.isSet("dark") ? QStringLiteral("-dark") : QString();
    panel.show();
    const struct { AttentionPanel::View view; const char *name; } views[] = {
        {AttentionPanel::View::Heatmap, "heatmap"},
        {AttentionPanel::View::Text, "text"},
        {AttentionPanel::View::SelfAttention, "selfattention"},
        {AttentionPanel::View::Disagreement, "disagreement"},
        {AttentionPanel::View::History, "history"},
        {AttentionPanel::View::ProbeEditor, "probeeditor"},
    };
    int status = 0;
    QTimer::singleShot(300, &panel, [&]() {
        for (const auto &v : views) {
            panel.setCurrentView(v.view);
            for (int i = 0; i < 5; ++i) QApplication::processEvents();
            const QString path = out + QStringLiteral("/attention-%1%2.png").arg(QLatin1String(v.name), suffix);
            if (!panel.grab().save(path)) status = 1;
            std::printf("wrote %s\n", qPrintable(path));
        }
        QApplication::exit(status);
    });
    return QApplication::exec();
}
