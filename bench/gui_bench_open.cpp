// gui_bench --open: the window opening files that stress it (1,000 and 10,000
// tasks, a task of 100,000 classes, a 1 MB column name), each timed to its
// first picture, its first attention snapshot, each attention view and the
// curves.
#include "gui_bench.h"

#include "attentionpanel.h"
#include "benchfigures.h"
#include "lossplot.h"
#include "mainwindow.h"
#include "trainingpanel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTabWidget>
#include <QTemporaryDir>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace attnscope::guibench {

namespace {

// --open: a CSV of `rows` rows: a text column, then `tasks` task columns named
// `name` + index of two classes each, or (classes > 0) one task whose row i
// has class i % classes.
QString writeStressCsv(const QString &path, int tasks, int rows, const QByteArray &name, int classes = 0)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        std::fprintf(stderr, "gui_bench: could not write %s\n", qPrintable(path));
        std::exit(1);
    }
    QByteArray out = "text";
    for (int t = 0; t < tasks; ++t)
        out += ',' + name + (tasks > 1 ? QByteArray::number(t) : QByteArray());
    out += '\n';
    for (int r = 0; r < rows; ++r) {
        out += "word" + QByteArray::number(r % 7) + " good bad " + QByteArray::number(r);
        for (int t = 0; t < tasks; ++t)
            out += classes > 0 ? ",c" + QByteArray::number(r % classes) : QByteArray((r + t) % 2 ? ",a" : ",b");
        out += '\n';
        if (out.size() > (1 << 20)) {
            f.write(out);
            out.clear();
        }
    }
    f.write(out);
    return path;
}

double msSince(const QElapsedTimer &clock)
{
    return double(clock.nsecsElapsed()) / 1e6;
}

// The worker's first snapshot of the probes' attention (the core's work),
// timed; the attention panel, or null (said) when none came within 120 s.
AttentionPanel *firstSnapshot(QApplication &app, MainWindow &window)
{
    auto *panel = qobject_cast<AttentionPanel *>(window.views()->widget(1));
    QElapsedTimer clock;
    clock.start();
    while (panel && panel->shown().samples.empty() && clock.elapsed() < 120000)
        app.processEvents(QEventLoop::AllEvents, 50);
    if (!panel || panel->shown().samples.empty()) {
        std::printf("%-32s no attention snapshot within 120 s\n", "");
        return nullptr;
    }
    std::printf("%-32s worker's first snapshot %7.1f ms (core)\n", "", msSince(clock));
    return panel;
}

// Each attention view shown and the window painted.
void timeAttentionViews(QApplication &app, MainWindow &window, AttentionPanel &panel, const QString &tag)
{
    window.views()->setCurrentWidget(&panel);
    const struct {
        AttentionPanel::View view;
        const char *name;
    } views[] = {{AttentionPanel::View::Heatmap, "heatmap"},
                 {AttentionPanel::View::Text, "text"},
                 {AttentionPanel::View::SelfAttention, "self-attention"},
                 {AttentionPanel::View::Disagreement, "disagreement"},
                 {AttentionPanel::View::History, "over training"}};
    QElapsedTimer clock;
    for (const auto &v : views) {
        clock.start();
        const double cpu = threadCpuMs();
        panel.setCurrentView(v.view);
        app.processEvents();
        window.grab();
        std::printf("%-32s %-22s %8.1f ms (GUI thread CPU %.1f ms)\n", "", v.name, msSince(clock), threadCpuMs() - cpu);
        grabPicture(window, tag + QLatin1Char('-') + QString::fromLatin1(v.name).replace(QLatin1Char(' '), QLatin1Char('-')));
    }
}

// The curves after 100 steps of every task's loss: appended, redrawn, the window painted.
void timeCurves(MainWindow &window, const QString &tag)
{
    window.views()->setCurrentIndex(0);
    const size_t tasks = window.dataset()->tasks.size();
    TrainingSnapshot steps;
    for (int64_t i = 1; i <= 100; ++i)
        steps.steps.push_back({i, double(i) / 10, 1.0f / float(i), std::vector<float>(tasks, 0.5f / float(i)), 0.003f, 1});
    QElapsedTimer clock;
    clock.start();
    window.curves()->append(steps);
    const double appendMs = msSince(clock);
    const double redrawMs = window.curves()->redraw();
    window.grab();
    std::printf("%-32s curves: 100 steps appended %6.1f ms, redraw %6.1f ms, window painted %6.1f ms in all\n", "",
                appendMs, redrawMs, msSince(clock));
    grabPicture(window, tag + QStringLiteral("-curves"));
}

// One stress file: from creating the window to its first picture with the
// file loaded, then the attention and the curves.
void openStress(QApplication &app, const char *what, const QString &path, const QString &tag)
{
    QElapsedTimer clock;
    clock.start();
    const double cpu0 = threadCpuMs();
    MainWindow window;
    window.setSpeed(0, /*persist=*/false);
    window.resize(1400, 860);
    window.show();
    const bool ok = window.openDataset(path);
    window.grab();  // lays the window out and paints it
    const double openMs = msSince(clock);
    std::printf("%-32s open and first picture %8.1f ms (GUI thread CPU %.1f ms)%s\n", what, openMs,
                threadCpuMs() - cpu0, ok ? "" : "  (the load failed)");
    grabPicture(window, tag);
    if (!grabPrefix.isEmpty()) {
        app.processEvents();  // the scroll area's layout, after the panels changed
        grabPicture(*window.trainingPanel(), tag + QStringLiteral("-training"));  // below the fold of the window
    }
    if (!ok)
        return;
    AttentionPanel *panel = firstSnapshot(app, window);
    if (!panel)
        return;
    timeAttentionViews(app, window, *panel, tag);
    timeCurves(window, tag);
    window.training()->stop();
}

} // namespace

void openStressFiles(QApplication &app)
{
    QTemporaryDir dir;
    std::printf("the window (1400 x 860) opening stress files; goal: open and first picture < 2 s\n");
    openStress(app, "1,000 tasks, 8 rows", writeStressCsv(dir.filePath(QStringLiteral("tasks1000.csv")), 1000, 8, "task"),
               QStringLiteral("tasks1000"));
    openStress(app, "10,000 tasks, 8 rows", writeStressCsv(dir.filePath(QStringLiteral("tasks10000.csv")), 10000, 8, "task"),
               QStringLiteral("tasks10000"));
    openStress(app, "a task of 100,000 classes",
               writeStressCsv(dir.filePath(QStringLiteral("classes.csv")), 1, 100000, "label", 100000),
               QStringLiteral("classes"));
    openStress(app, "a 1 MB task column name",
               writeStressCsv(dir.filePath(QStringLiteral("longname.csv")), 1, 8, QByteArray(1 << 20, 'x')),
               QStringLiteral("longname"));
}

} // namespace attnscope::guibench
