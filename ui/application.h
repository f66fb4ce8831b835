// The application object. Its notify() is the last boundary for exceptions:
// one thrown by an event handler (a slot called from the event loop, a paint,
// a timer, a queued call on the training thread) would otherwise reach Qt,
// which cannot unwind through its event loop and aborts the program with the
// user's work in it (std::bad_alloc from a buffer sized by a file was such a
// case). Here it ends the handling of that one event and is reported:
// problem() reaches the main window's status bar and message box, and the
// window and the open work stay.
#pragma once

#include <QApplication>

namespace attnscope {

class Application : public QApplication {
    Q_OBJECT

public:
    Application(int &argc, char **argv);

    bool notify(QObject *receiver, QEvent *event) override;

signals:
    // On the GUI thread, after the event that threw (whichever thread it was on).
    void problem(const QString &message);
};

} // namespace attnscope
