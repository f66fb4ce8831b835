#include "application.h"

#include "memorybudget.h"

#include <QEvent>
#include <QMetaEnum>

#include <cstdio>
#include <exception>

namespace attnscope {

Application::Application(int &argc, char **argv)
    : QApplication(argc, argv)
{
}

bool Application::notify(QObject *receiver, QEvent *event)
{
    QString what;
    try {
        return QApplication::notify(receiver, event);
    } catch (const std::exception &e) {
        what = QString::fromStdString(failureText(e));
    } catch (...) {
        what = tr("an unknown failure");
    }
    // Which handler it was, for a report: "a QWidget (datasetPanel) handling its Paint event".
    const char *type = QMetaEnum::fromType<QEvent::Type>().valueToKey(event->type());
    const QString where = tr("%1%2 handling a %3 event")
                              .arg(QString::fromLatin1(receiver->metaObject()->className()),
                                   receiver->objectName().isEmpty() ? QString() : QStringLiteral(" (%1)").arg(receiver->objectName()),
                                   type ? QString::fromLatin1(type) : QString::number(int(event->type())));
    const QString message = tr("%1 in %2; that action was abandoned, the rest goes on").arg(what, where);
    std::fprintf(stderr, "attnscope: %s\n", qPrintable(message));
    // Queued: the handler that failed may have been half-way through a
    // repaint or a layout, and this may be the training thread.
    QMetaObject::invokeMethod(this, [this, message]() { emit problem(message); }, Qt::QueuedConnection);
    return true;
}

} // namespace attnscope
