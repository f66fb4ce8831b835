// attention_bench: how long the attention views take to refresh for one long
// sample (a benchmark, not a test: it prints figures, nothing passes or fails).
//   attention_bench [--tokens 512] [--layers 4] [--heads 8] [--dim 128] [--repeats 10]
// Model: random weights of the given shape (timing does not depend on them),
// vocabulary from builtin:reviews, one text of --tokens tokens. It times:
//   inspect     the core's forward pass for the sample (what the worker's
//               ProbeSet::refresh costs per refresh, on the worker thread);
//   snapshot    makeSnapshot (inspect + copying into the value type);
//   setSnapshot AttentionPanel::setSnapshot: every view takes the new weights
//               (heatmap cells, text layout, head thumbnails, L x L map, ...);
//   show <v>    showing each view's tab and painting it once (views that
//               wait until they are seen, like self-attention, rebuild here);
//   all views   setSnapshot plus showing and painting every view in turn
//               (the worst case; normally only one tab is on screen);
//   live refresh  with one view on screen: setSnapshot, the queued replots
//               and one paint of that view (what each refresh costs the GUI).
// Runs offscreen by default (QT_QPA_PLATFORM=offscreen unless set).
#include "attentionpanel.h"
#include "dataset.h"
#include "probeset.h"
#include "trainer.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace attnscope;

static double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

int main(int argc, char **argv)
{
    if (!std::getenv("QT_QPA_PLATFORM"))
        setenv("QT_QPA_PLATFORM", "offscreen", 1);
    int tokens = 512, layers = 4, heads = 8, dim = 128, repeats = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const int value = std::atoi(argv[i + 1]);
        if (flag == "--tokens") tokens = value;
        else if (flag == "--layers") layers = value;
        else if (flag == "--heads") heads = value;
        else if (flag == "--dim") dim = value;
        else if (flag == "--repeats") repeats = value;
        else { std::fprintf(stderr, "attention_bench: unknown option %s\n", argv[i]); return 2; }
    }
    QApplication app(argc, argv);

    Dataset data;
    std::string error;
    if (!loadDataset("builtin:reviews?n=300", &data, &error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    std::vector<int> all(data.samples.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = int(i);
    ModelConfig config;
    config.dim = dim;
    config.heads = heads;
    config.ffn = 4 * dim;
    config.layers = layers;
    config.maxLen = tokens;
    const Model model = createModel(data, all, config, 1);

    // One text of exactly `tokens` tokens: reviews glued together.
    std::string text;
    for (size_t i = 0; tokenize(text, 0).size() < size_t(tokens); ++i)
        text += data.samples[i % data.samples.size()].text + " ";
    const EncodedDataset one = encodeText(model, text);
    std::printf("attention_bench: %d tokens, %d layers x %d heads, d = %d, %d tasks, %d repeats (median)\n",
                int(one.samples[0].ids.size()), layers, heads, dim, model.config.tasks(), repeats);

    std::vector<double> tInspect, tSnapshot;
    AttentionSnapshot snapshot;
    for (int r = 0; r < repeats; ++r) {
        QElapsedTimer t;
        t.start();
        const std::vector<SampleOutputs> out = inspect(model, one, {0});
        tInspect.push_back(t.nsecsElapsed() / 1e6);
        t.restart();
        snapshot = makeSnapshot(model, one, {0}, r);
        tSnapshot.push_back(t.nsecsElapsed() / 1e6);
    }

    AttentionPanel panel;
    panel.resize(1400, 900);
    panel.show();
    QApplication::processEvents();
    const AttentionPanel::View views[] = {AttentionPanel::View::Heatmap, AttentionPanel::View::Text,
                                          AttentionPanel::View::SelfAttention, AttentionPanel::View::Disagreement,
                                          AttentionPanel::View::History};
    const char *names[] = {"heatmap", "text", "self-attention", "disagreement", "history"};
    std::vector<double> tSet, tTotal;
    std::vector<std::vector<double>> tPaint(std::size(views));
    for (int r = 0; r < repeats + 1; ++r) {
        snapshot.step = 100 + r;
        // The worker hands over a shared, immutable snapshot (made outside the timing).
        SnapshotPtr shared = std::make_shared<const AttentionSnapshot>(snapshot);
        QElapsedTimer t;
        t.start();
        panel.setSnapshot(std::move(shared));
        const double set = t.nsecsElapsed() / 1e6;
        double total = set;
        for (size_t v = 0; v < std::size(views); ++v) {
            QWidget *w = panel.view(views[v]);
            QImage image(panel.size(), QImage::Format_ARGB32_Premultiplied);
            t.restart();
            // Showing the tab (views that wait until shown rebuild here),
            // the queued replots, and one paint of the view.
            panel.setCurrentView(views[v]);
            QApplication::sendPostedEvents();
            w->render(&image);
            const double paint = t.nsecsElapsed() / 1e6;
            total += paint;
            if (r > 0) tPaint[v].push_back(paint);  // the first round warms caches
        }
        if (r > 0) {
            tSet.push_back(set);
            tTotal.push_back(total);
        }
    }
    // The live case: one view is on screen and a new snapshot arrives.
    std::vector<std::vector<double>> tLive(std::size(views));
    for (size_t v = 0; v < std::size(views); ++v) {
        panel.setCurrentView(views[v]);
        QApplication::processEvents();
        QWidget *w = panel.view(views[v]);
        QImage image(panel.size(), QImage::Format_ARGB32_Premultiplied);
        for (int r = 0; r < repeats; ++r) {
            snapshot.step = 1000 + int(v) * 100 + r;
            SnapshotPtr shared = std::make_shared<const AttentionSnapshot>(snapshot);
            QElapsedTimer t;
            t.start();
            panel.setSnapshot(std::move(shared));
            QApplication::sendPostedEvents();
            w->render(&image);
            tLive[v].push_back(t.nsecsElapsed() / 1e6);
        }
    }

    std::printf("  inspect (forward pass)        %8.2f ms\n", median(tInspect));
    std::printf("  makeSnapshot                  %8.2f ms\n", median(tSnapshot));
    std::printf("  panel setSnapshot             %8.2f ms\n", median(tSet));
    for (size_t v = 0; v < std::size(views); ++v)
        std::printf("  show %-24s %8.2f ms\n", names[v], median(tPaint[v]));
    std::printf("  all views (set + show each)   %8.2f ms   (goal < 50 ms)\n", median(tTotal));
    for (size_t v = 0; v < std::size(views); ++v)
        std::printf("  live refresh, %-15s shown %8.2f ms\n", names[v], median(tLive[v]));
    return 0;
}
