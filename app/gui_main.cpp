// attnscope: the desktop application.
//   attnscope [--data SPEC] [--screenshot FILE.png]
// --screenshot renders the window into a PNG once it is shown and quits (for
// looking at the window under Xvfb or the offscreen platform).
#include "args.h"
#include "mainwindow.h"

#include <QApplication>
#include <QPixmap>
#include <QTimer>

#include <cstdio>

int main(int argc, char **argv)
{
    using namespace attnscope;
    QApplication app(argc, argv);  // takes Qt's own options (-platform, ...) out of argv
    QApplication::setApplicationName(QStringLiteral("AttnScope"));
    QApplication::setApplicationVersion(QStringLiteral(ATTNSCOPE_VERSION));

    ArgParser parser("attnscope", "[--data SPEC] [--screenshot FILE.png]",
                     "AttnScope trains a small multi-task attention model and shows its attention live.");
    parser.addOption("data", "SPEC", "dataset to open: a JSONL file or builtin:NAME[?n=N&seed=S]");
    parser.addOption("screenshot", "FILE", "save a PNG of the window once shown, then quit");
    std::vector<std::string> args;
    const QStringList arguments = QApplication::arguments();
    for (qsizetype i = 1; i < arguments.size(); ++i)
        args.push_back(arguments[i].toStdString());
    try {
        if (!parser.parse(args)) {
            std::fputs(parser.help().c_str(), stdout);
            return ExitOk;
        }
    } catch (const UsageError &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return ExitUsage;
    }

    MainWindow window;
    window.setDataSpec(QString::fromStdString(parser.string("data")));
    window.show();

    const QString screenshot = QString::fromStdString(parser.string("screenshot"));
    if (!screenshot.isEmpty()) {
        int status = ExitOk;
        // After the first events have laid the window out.
        QTimer::singleShot(200, &window, [&]() {
            if (!window.grab().save(screenshot, "PNG")) {
                std::fprintf(stderr, "attnscope: error: %s: could not write the screenshot\n",
                             qPrintable(screenshot));
                status = ExitFailure;
            }
            QApplication::exit(status);
        });
        return QApplication::exec() == ExitOk ? status : ExitFailure;
    }
    return QApplication::exec();
}
