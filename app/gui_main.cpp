// attnscope: the desktop application.
//   attnscope [--session FILE] [--data SPEC] [--checkpoint CKPT] [--attention FILE] [--lesson NAME [--lesson-step K]]
//             [--start] [--speed N] [--theme system|light|dark]
//             [--zoom PERCENT] [--tab curves|attention|runs|side-by-side|confusion] [--screenshot FILE.png [--after-steps N]]
// --start trains at once (for a classroom); --screenshot renders the window
// into a PNG once it is shown (or once N steps have trained) and quits, for
// the documentation (scripts/screenshot.sh) and for looking at the window
// under Xvfb or the offscreen platform (a file that fails to open: the
// picture shows the window with the error, then the exit status is 1). The
// window shows at once and --data loads on a thread (a large file takes
// seconds); with --screenshot it loads before the window shows, so that the
// picture is of the loaded data.
#include "application.h"
#include "args.h"
#include "attention/attentionpanel.h"
#include "attention/probeeditor.h"
#include "data/builtins.h"
#include "lessonpanel.h"
#include "lossplot.h"
#include "mainwindow.h"
#include "zoomactions.h"

#include <QApplication>
#include <QFileInfo>
#include <QPixmap>
#include <QTabWidget>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>

namespace attnscope {
namespace {

// Qt takes "-session ID" (X11 session management), also spelled
// "--session", out of the arguments: ours ("--session FILE",
// "--session=FILE") are taken out of argv before Qt sees them, and given
// back to our parser after Qt's options.
std::vector<std::string> takeSessionOption(int &argc, char **argv)
{
    std::vector<std::string> taken;
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--session" && i + 1 < argc) {
            taken = {arg, argv[++i]};
        } else if (arg.rfind("--session=", 0) == 0) {
            taken = {arg};
        } else {
            argv[kept++] = argv[i];
        }
    }
    argc = kept;
    argv[argc] = nullptr;
    return taken;
}

// The command line (--help lists it).
ArgParser guiParser()
{
    ArgParser parser("attnscope",
                     "[--session FILE] [--data SPEC] [--checkpoint CKPT] [--attention FILE] [--lesson NAME [--lesson-step K]] "
                     "[--start] [--speed N] [--theme NAME] [--zoom PERCENT] "
                     "[--tab curves|attention|runs|side-by-side|confusion] "
                     "[--screenshot FILE.png [--after-steps N]]",
                     "AttnScope trains a small multi-task attention model and shows its attention live.");
    parser.addOption("data", "SPEC", "dataset to open: a CSV, TSV or JSONL file or " + builtinSpecHelp());
    parser.addOption("checkpoint", "CKPT", "checkpoint to open (configuration, vocabulary and weights)");
    parser.addOption("lesson", "NAME", "a guided lesson beside the window: cue-words, negation, attention-modes, "
                                       "is-attention-explanation, or a lesson file (docs/lessons.md)");
    parser.addOption("lesson-step", "K", "with --lesson and --screenshot: the picture of step K, once steps 1 to K "
                                         "have applied and trained", "1");
    parser.addOption("attention", "FILE", "attention another program computed, shown for inspection: JSON, .npy or "
                                          ".npz (docs/attention.md)");
    parser.addOption("session", "FILE", "session file to open (its runs; the runs trained now are written to it), "
                                        "made when missing; with --data, that data opens, not its newest run's, "
                                        "and the panels show its newest run on that data");
    parser.addFlag("start", "start training at once");
    parser.addOption("theme", "NAME", "system, light or dark, for this run only (View > Theme remembers a choice)",
                     "the last chosen");
    parser.addOption("zoom", "PERCENT", "every font at this size, 80 to 250, for this run only (View > Zoom remembers "
                     "a choice)", "the last chosen");
    parser.addOption("screenshot", "FILE", "save a PNG of the window, then quit");
    parser.addOption("after-steps", "N", "with --screenshot: wait until N steps have trained (implies --start)", "0");
    parser.addOption("tab", "NAME", "the tab to show first: curves, attention, runs, side-by-side or confusion", "curves");
    parser.addOption("speed", "N", "at most N training steps a second, for this run only (0: full speed)",
                     "the last chosen; full speed with --screenshot");
    parser.addFlag("version", "print the version and quit");
    return parser;
}

// --help and --version answer before the QApplication exists: without a
// display it aborts ("could not connect to display"), and neither needs one.
// An exit status when one of them is given, -1 otherwise.
int answerWithoutDisplay(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--version") {
            std::printf("attnscope %s\n", ATTNSCOPE_VERSION);
            return ExitOk;
        }
        if (arg == "--help" || arg == "-h") {
            std::fputs(guiParser().help().c_str(), stdout);
            return ExitOk;
        }
    }
    return -1;
}

// What the command line asks of the window.
struct GuiOptions {
    QString data, checkpoint, session, screenshot, tab, theme, attention, lesson;
    int64_t afterSteps = 0;
    int lessonStep = 1;
    bool tabSet = false;
    double speed = -1;  // none given
    double zoom = -1;
    bool start = false;
};

// Qt's arguments and ours taken out before it into *options; an exit
// status when the program ends here (--help, a usage error), -1 otherwise.
int readOptions(const std::vector<std::string> &sessionOption, GuiOptions *options)
{
    ArgParser parser = guiParser();
    std::vector<std::string> args;
    const QStringList arguments = QApplication::arguments();
    for (qsizetype i = 1; i < arguments.size(); ++i)
        args.push_back(arguments[i].toStdString());
    args.insert(args.end(), sessionOption.begin(), sessionOption.end());
    GuiOptions &o = *options;
    try {
        if (!parser.parse(args)) {
            std::fputs(parser.help().c_str(), stdout);
            return ExitOk;
        }
        o.afterSteps = parser.integer("after-steps", 0, 0, int64_t(1) << 40);
        o.lessonStep = int(parser.integer("lesson-step", 1, 1, 1000));
        if (parser.isSet("lesson-step") && (!parser.isSet("lesson") || !parser.isSet("screenshot")))
            parser.fail("lesson-step", "needs --lesson and --screenshot");
        if (parser.isSet("after-steps") && !parser.isSet("screenshot"))
            parser.fail("after-steps", "needs --screenshot");
        // Without data nothing trains, and the picture would wait for ever.
        if (o.afterSteps > 0 && !parser.isSet("data"))
            parser.fail("after-steps", "needs --data (a checkpoint alone has nothing to train on)");
        if (parser.isSet("speed"))
            o.speed = parser.number("speed", 0, 0, 1e6);
        else if (parser.isSet("screenshot"))
            o.speed = 0;  // a picture after N steps should not wait on a classroom pace
        if (parser.isSet("zoom"))
            o.zoom = parser.number("zoom", 100, MinZoom * 100, MaxZoom * 100) / 100;
        o.theme = QString::fromStdString(parser.string("theme"));
        if (parser.isSet("theme") && o.theme != toString(themeFromString(o.theme)))
            parser.fail("theme", "\"" + o.theme.toStdString() + "\" is not system, light or dark");
        const QStringList tabs = {QStringLiteral("curves"), QStringLiteral("attention"), QStringLiteral("runs"),
                                  QStringLiteral("side-by-side"), QStringLiteral("confusion")};
        if (parser.isSet("tab") && !tabs.contains(QString::fromStdString(parser.string("tab")), Qt::CaseInsensitive))
            parser.fail("tab", "\"" + parser.string("tab") + "\" is not curves, attention, runs, side-by-side or confusion");
    } catch (const UsageError &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return ExitUsage;
    }
    o.data = QString::fromStdString(parser.string("data"));
    o.checkpoint = QString::fromStdString(parser.string("checkpoint"));
    o.screenshot = QString::fromStdString(parser.string("screenshot"));
    o.session = QString::fromStdString(parser.string("session"));
    o.tab = QString::fromStdString(parser.string("tab"));
    o.tabSet = parser.isSet("tab");
    o.attention = QString::fromStdString(parser.string("attention"));
    o.lesson = QString::fromStdString(parser.string("lesson"));
    o.start = parser.isSet("start") || o.afterSteps > 0;
    return -1;
}

// --start: once the run is ready (Start enabled), whenever that is.
// --after-steps N: to step N exactly, then paused (the views refreshed
// with its weights), so that two runs give the same picture; it shot
// whatever step the run had reached 100 ms after passing N (193-269 for 412-445).
void startWhenReady(MainWindow *window, int64_t afterSteps)
{
    const auto startRun = [window, afterSteps]() {
        if (afterSteps > 0)
            window->training()->startUntil(afterSteps);
        else
            window->startAction()->trigger();
    };
    if (window->startAction()->isEnabled()) {
        startRun();
        return;
    }
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = QObject::connect(window->training(), &TrainingController::stateChanged, window,
                                   [window, connection, startRun](TrainingWorker::State, const QString &) {
                                       if (!window->startAction()->isEnabled())
                                           return;
                                       QObject::disconnect(*connection);
                                       startRun();
                                   });
}

// The session, the data, the checkpoint and the attention file, and the run started when asked;
// false when one did not open (the window shows the error). Interactive,
// the data loads on a thread; a screenshot is of loaded data.
bool openFiles(MainWindow *window, const GuiOptions &o)
{
    const bool loadLater = !o.data.isEmpty() && o.screenshot.isEmpty();
    bool ok = true;
    // The session first: the run the data starts is written to it. With
    // --data, that data opens instead of the session's newest run's, and
    // once it is open the panels show the session's newest run on it (as
    // Open session does on the run's own data).
    const bool withData = !o.session.isEmpty() && !o.data.isEmpty();
    if (!o.session.isEmpty())
        ok = (QFileInfo::exists(o.session) ? window->openSession(o.session, !withData) : window->saveSessionAs(o.session))
             && ok;
    else if (o.screenshot.isEmpty())
        window->startRecovery(MainWindow::recoveryDir());  // a crash loses nothing the writer had (docs/session.md)
    if (loadLater) {
        QObject::connect(
            window, &MainWindow::datasetLoadFinished, window,
            [window, withData, checkpoint = o.checkpoint, attention = o.attention, start = o.start,
             afterSteps = o.afterSteps](const QString &, bool loaded) {
                if (withData && loaded)
                    window->showReopenedRunSettings();
                if (!checkpoint.isEmpty())
                    window->openCheckpoint(checkpoint);
                if (!attention.isEmpty())  // after the run's views, which would replace it
                    window->openAttention(attention);
                if (start && loaded)
                    startWhenReady(window, afterSteps);
            },
            Qt::SingleShotConnection);
        window->openDatasetAsync(o.data);
    } else {
        if (!o.data.isEmpty()) {
            const bool opened = window->openDataset(o.data);
            if (withData && opened)
                window->showReopenedRunSettings();
            ok = opened && ok;
        }
        if (!o.checkpoint.isEmpty()) {
            ok = window->openCheckpoint(o.checkpoint) && ok;
            // Data the checkpoint does not fit closed (the window says why):
            // a failed load, not a picture of a run that never starts (with
            // --after-steps it waited for ever; without, it exited 0, accept26 E8).
            if (!o.data.isEmpty() && !window->dataset())
                ok = false;
        }
        if (!o.attention.isEmpty())
            ok = window->openAttention(o.attention) && ok;
    }
    return ok;
}

// Takes the picture (*shoot) once busy() has said false at two polls in a
// row, `every` apart from `after` on, or after 30 s, then with `late` on
// stderr when given.
void shootWhenQuiet(MainWindow *window, const std::function<void()> *shoot, std::chrono::milliseconds after,
                    std::chrono::milliseconds every, std::function<bool()> busy, const char *late = nullptr)
{
    auto *poll = new QTimer(window);
    poll->setInterval(every);
    auto quiet = std::make_shared<int>(0);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    QObject::connect(poll, &QTimer::timeout, window, [poll, quiet, until, shoot, busy = std::move(busy), late]() {
        *quiet = busy() ? 0 : *quiet + 1;
        if (*quiet < 2 && std::chrono::steady_clock::now() < until)
            return;
        poll->stop();
        if (*quiet < 2 && late)
            std::fprintf(stderr, "attnscope: warning: %s\n", late);
        (*shoot)();
    });
    QTimer::singleShot(after, poll, [poll]() { poll->start(); });
}

// --lesson with --screenshot: steps 1 to K apply in turn, each once its
// training is over, then *shoot (shootWhenReady's) takes the picture.
// Connected before the lesson opens: a step without training is over at once.
void shootAfterLesson(MainWindow *window, int lessonStep, const std::function<void()> *shoot, bool *failed)
{
    // A step that did not apply (its data did not open) ends the lesson: the
    // picture shows the panel saying why, and the exit status is 1.
    QObject::connect(window, &MainWindow::lessonStepFailed, window, [window, shoot, failed](int step, const QString &why) {
        std::fprintf(stderr, "attnscope: error: lesson step %d: %s\n", step + 1, qPrintable(why));
        *failed = true;
        QTimer::singleShot(300, window, [shoot]() { (*shoot)(); });  // laid out first
    });
    QObject::connect(window, &MainWindow::lessonStepDone, window, [window, shoot, lessonStep](int step) {
        const int steps = int(window->lessonPanel()->lesson().steps.size());
        if (step + 1 < std::min(lessonStep, steps))
            QTimer::singleShot(0, window, [window, step]() { window->lessonPanel()->goTo(step + 1); });
        else  // once the views show it: the probe editor the result of the text the step typed (a
              // fixed 500 ms shot cue-words step 4 with the editor's previous sentence's heatmap)
            shootWhenQuiet(window, shoot, std::chrono::milliseconds(0), std::chrono::milliseconds(50),
                           [window]() {
                               return window->isLoadingDataset() || window->isPreparingRun()
                                      || !window->attention()->probeEditor()->settled();
                           },
                           "the views were still busy after 30 s; the picture shows them as they are");
    });
}

// --screenshot: the window saved as a PNG once it is laid out, once step N
// has trained, or once the lesson's step has (shootAfterLesson), then the
// program ends; the exit status.
int shootWhenReady(MainWindow *window, const GuiOptions &o, bool ok, std::function<void()> *shoot, const bool *lessonFailed)
{
    int status = ok ? ExitOk : ExitFailure;
    *shoot = [&]() {
        if (*lessonFailed)
            status = ExitFailure;
        if (window->training()->state() == TrainingWorker::State::Running)
            window->pauseAction()->trigger();  // Space on a paused run would resume it
        window->curves()->redraw();
        if (!window->grab().save(o.screenshot, "PNG")) {
            std::fprintf(stderr, "attnscope: error: %s: could not write the screenshot\n", qPrintable(o.screenshot));
            status = ExitFailure;
        } else if (o.afterSteps > 0) {
            std::printf("%s: step %lld, attention of step %lld\n", qPrintable(o.screenshot),
                        static_cast<long long>(window->training()->currentStep()),
                        static_cast<long long>(window->attention()->shown().step));
        }
        window->close();
        QApplication::exit(status);
    };
    if (!o.lesson.isEmpty() && ok) {
        // The lesson's last step to show says when (shootAfterLesson).
    } else if (o.afterSteps <= 0 || !ok) {
        // After the first events have laid the window out, and once the data
        // (a session's opens on a thread) and its run are ready, two polls in
        // a row, at most 30 s: --session FILE --screenshot took the picture
        // while the panels were being laid out for the session's run.
        shootWhenQuiet(window, shoot, std::chrono::milliseconds(300), std::chrono::milliseconds(100),
                       [window]() { return window->isLoadingDataset() || window->isPreparingRun(); });
    } else {
        // Paused at step N (or finished, or paused by the divergence guard, or
        // stopped): the attention of that step came before this, in order, from the worker.
        QObject::connect(window->training(), &TrainingController::stateChanged, window,
                         [&](TrainingWorker::State state, const QString &) {
                             static bool done = false;
                             if (!done && window->training()->currentStep() > 0
                                 && (state == TrainingWorker::State::Paused || state == TrainingWorker::State::Finished
                                     || state == TrainingWorker::State::Stopped)) {
                                 done = true;
                                 QTimer::singleShot(0, window, *shoot);
                             }
                         });
        // No wait without an end: a run that has not started 10 s after
        // nothing is loading or being prepared any more will not (it waited
        // for ever on data its checkpoint did not fit, accept26 E8): said,
        // the picture, exit 1.
        auto *watch = new QTimer(window);
        auto idle = std::make_shared<int>(0);
        QObject::connect(watch, &QTimer::timeout, window, [window, watch, idle, shoot, &status]() {
            if (window->training()->currentStep() > 0) {
                watch->stop();
                return;
            }
            const bool waiting = !window->isLoadingDataset() && !window->isPreparingRun()
                                 && window->training()->state() != TrainingWorker::State::Running;
            *idle = waiting ? *idle + 1 : 0;
            if (*idle < 20)
                return;
            watch->stop();
            const QString why = window->lastError().isEmpty() ? window->statusMessage() : window->lastError();
            std::fprintf(stderr, "attnscope: error: --after-steps: the run did not start%s%s\n", why.isEmpty() ? "" : ": ",
                         qPrintable(why));
            status = ExitFailure;
            (*shoot)();
        });
        watch->start(500);
    }
    return QApplication::exec() == ExitOk ? status : ExitFailure;
}

} // namespace
} // namespace attnscope

int main(int argc, char **argv)
{
    using namespace attnscope;
    const std::vector<std::string> sessionOption = takeSessionOption(argc, argv);
    if (const int status = answerWithoutDisplay(argc, argv); status >= 0)
        return status;
    // Takes Qt's own options (-platform, ...) out of argv; catches what an event handler throws.
    Application app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("AttnScope"));
    QApplication::setOrganizationName(QStringLiteral("AttnScope"));
    QApplication::setApplicationVersion(QStringLiteral(ATTNSCOPE_VERSION));
    GuiOptions options;
    if (const int status = readOptions(sessionOption, &options); status >= 0)
        return status;

    // The window sets the Fusion style and the font: an 11 pt base at least,
    // readable on a projector (Qt scales it for HiDPI), at the zoom last chosen.
    MainWindow window;
    if (!options.theme.isEmpty())
        window.setTheme(themeFromString(options.theme), /*persist=*/false);
    if (options.zoom > 0)
        window.zoom()->setZoom(options.zoom, /*persist=*/false);
    if (options.speed >= 0)
        window.setSpeed(options.speed, /*persist=*/false);
    bool ok = openFiles(&window, options);
    // --attention shows the Attention tab unless --tab says otherwise. The
    // tab's name as it reads, "side-by-side" for "Side by side".
    if (options.tabSet || options.attention.isEmpty())
        for (int i = 0; i < window.views()->count(); ++i)
            if (window.views()->tabText(i).remove(QLatin1Char('&')).replace(QLatin1Char(' '), QLatin1Char('-')).compare(
                    options.tab, Qt::CaseInsensitive) == 0)
                window.views()->setCurrentIndex(i);
    // The lesson last: its first step sets the data, the model and the view.
    std::function<void()> shoot;  // takes the picture (shootWhenReady)
    bool lessonFailed = false;
    if (!options.lesson.isEmpty()) {
        if (!options.screenshot.isEmpty())
            shootAfterLesson(&window, options.lessonStep, &shoot, &lessonFailed);
        ok = window.openLesson(options.lesson) && ok;
        // A step past its end: a docs script that shoots every step of a
        // lesson renumbered since should hear of it, not get the last one.
        const int steps = int(window.lessonPanel()->lesson().steps.size());
        if (ok && !options.screenshot.isEmpty() && options.lessonStep > steps) {
            std::fprintf(stderr, "attnscope: --lesson-step: %d is past the lesson's %d step%s\n", options.lessonStep,
                         steps, steps == 1 ? "" : "s");
            return ExitUsage;
        }
    }
    window.show();
    // A zoom remembered from a larger screen, or --zoom, that this one cannot hold.
    if (const QString text = window.zoom()->fitScreen(); !text.isEmpty())
        std::fprintf(stderr, "attnscope: %s\n", qPrintable(text));  // and in the status bar
    // A file that did not open (only --screenshot gets here with !ok): the
    // picture is of the window showing the error, and the exit status says so.
    if (!ok)
        std::fprintf(stderr, "attnscope: error: %s\n", qPrintable(window.lastError()));
    const bool loadLater = !options.data.isEmpty() && options.screenshot.isEmpty();
    if (options.start && !loadLater && ok)
        QTimer::singleShot(0, &window, [&window, afterSteps = options.afterSteps] { startWhenReady(&window, afterSteps); });
    if (options.screenshot.isEmpty())
        return QApplication::exec();
    return shootWhenReady(&window, options, ok, &shoot, &lessonFailed);
}
