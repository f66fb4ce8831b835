#include "zoomactions.h"

#include "appearance.h"

#include <QAction>
#include <QCoreApplication>
#include <QDockWidget>
#include <QEvent>
#include <QKeySequence>
#include <QLayout>
#include <QMainWindow>
#include <QScreen>

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {

// An action's keys, each once: the platform's zoom keys are often the ones
// given beside them (Ctrl+- on Linux), and the shortcuts list read
// "Ctrl+- or Ctrl+-".
QList<QKeySequence> distinctKeys(std::initializer_list<QKeySequence> keys)
{
    QList<QKeySequence> out;
    for (const QKeySequence &key : keys)
        if (!key.isEmpty() && !out.contains(key))
            out.append(key);
    return out;
}

} // namespace

ZoomActions::ZoomActions(QMainWindow *window)
    : QObject(window), m_window(window)
{
    m_in = new QAction(tr("Zoom &in"), window);
    m_in->setObjectName(QStringLiteral("zoomIn"));
    // Ctrl+= is the key Ctrl++ is typed on (without Shift) on most layouts.
    m_in->setShortcuts(distinctKeys({QKeySequence(Qt::CTRL | Qt::Key_Equal), QKeySequence(QKeySequence::ZoomIn)}));
    connect(m_in, &QAction::triggered, this, [this]() { step(+1); });
    m_out = new QAction(tr("Zoom &out"), window);
    m_out->setObjectName(QStringLiteral("zoomOut"));
    m_out->setShortcuts(distinctKeys({QKeySequence(Qt::CTRL | Qt::Key_Minus), QKeySequence(QKeySequence::ZoomOut)}));
    connect(m_out, &QAction::triggered, this, [this]() { step(-1); });
    m_actual = new QAction(tr("&Actual size"), window);
    m_actual->setObjectName(QStringLiteral("actualSize"));
    m_actual->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    connect(m_actual, &QAction::triggered, this, [this]() { setZoom(1.0); });
    m_fullScreen = new QAction(tr("&Full screen"), window);
    m_fullScreen->setObjectName(QStringLiteral("fullScreen"));
    m_fullScreen->setShortcut(QKeySequence(Qt::Key_F11));
    m_fullScreen->setCheckable(true);
    connect(m_fullScreen, &QAction::toggled, this, [this](bool on) {
        if (on == m_window->isFullScreen())
            return;
        if (on)
            m_window->showFullScreen();
        else
            m_window->showNormal();
    });
    for (QAction *action : {m_in, m_out, m_actual, m_fullScreen}) {
        action->setShortcutContext(Qt::WindowShortcut);
        window->addAction(action);  // also while the menu bar is hidden in full screen
    }
    // Full screen left another way (the window manager): the check follows.
    window->installEventFilter(this);
    updateActions();
}

bool ZoomActions::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_window && event->type() == QEvent::WindowStateChange) {
        const QSignalBlocker block(m_fullScreen);
        m_fullScreen->setChecked(m_window->isFullScreen());
    }
    return QObject::eventFilter(watched, event);
}

double ZoomActions::zoom() const
{
    return currentZoom();
}

void ZoomActions::setZoom(double zoom, bool persist)
{
    emit zoomChanging();
    rememberDockWidths();
    applyZoom(zoom);
    restoreDockWidths();
    if (persist)
        saveZoom(currentZoom());
    updateActions();
}

void ZoomActions::rememberDockWidths()
{
    std::vector<DockWidth> docks;
    // Not shown yet (attnscope --zoom): the docks have no width of their
    // own until the window lays them out; the window's first layout gives
    // them the width it asked for (the Setup dock's became the least one).
    if (!m_window->isVisible()) {
        m_docks.clear();
        return;
    }
    for (QDockWidget *dock : m_window->findChildren<QDockWidget *>()) {
        const Qt::DockWidgetArea area = m_window->dockWidgetArea(dock);
        if (dock->isFloating() || dock->isHidden()
            || (area != Qt::LeftDockWidgetArea && area != Qt::RightDockWidgetArea))
            continue;
        DockWidth kept{dock, dock->width(), dock->width()};
        // Still the width a zoom change left it at: the user's is the one
        // remembered then (100 -> 200 -> 100 %), else the user changed it.
        for (const DockWidth &before : m_docks)
            if (before.dock == dock && before.left == dock->width())
                kept.wanted = before.wanted;
        docks.push_back(kept);
    }
    m_docks = std::move(docks);
}

void ZoomActions::restoreDockWidths()
{
    if (!m_window->isVisible())
        return;
    QList<QDockWidget *> docks;
    QList<int> widths;
    for (const DockWidth &kept : m_docks)
        if (kept.dock) {
            docks.append(kept.dock);
            widths.append(kept.wanted);
        }
    if (docks.isEmpty())
        return;
    // The new font's least sizes first (its requests are posted events),
    // then the widths, which the window's layout fits to them.
    for (int pass = 0; pass < 2; ++pass)
        QCoreApplication::sendPostedEvents();
    m_window->resizeDocks(docks, widths, Qt::Horizontal);
    if (QLayout *layout = m_window->layout())
        layout->activate();
    for (DockWidth &kept : m_docks)
        if (kept.dock)
            kept.left = kept.dock->width();
}

// To the next step above (or below) the zoom, which may be between steps.
void ZoomActions::step(int direction)
{
    const double now = currentZoom();
    double next = now;
    if (direction > 0) {
        const auto it = std::upper_bound(Steps.begin(), Steps.end(), now + 1e-6);
        next = it == Steps.end() ? Steps.back() : *it;
    } else {
        const auto it = std::lower_bound(Steps.begin(), Steps.end(), now - 1e-6);
        next = it == Steps.begin() ? Steps.front() : *(it - 1);
    }
    setZoom(next);
    if (direction > 0 && m_window->isVisible()) {
        if (!fitScreen().isEmpty())
            saveZoom(currentZoom());
    }
}

QString ZoomActions::fitScreen()
{
    const QScreen *screen = m_window->screen();
    if (!screen || m_window->isFullScreen())
        return {};
    const QSize screenRoom = m_room.isValid() ? m_room : screen->availableGeometry().size();
    const QSize room = screenRoom - (m_window->frameGeometry().size() - m_window->size());
    const auto fits = [this, room]() {
        // The font reaches the widgets, then their layouts' requests (a
        // single pass measured the zoom before).
        for (int pass = 0; pass < 2; ++pass)
            QCoreApplication::sendPostedEvents();
        // Every tab's need, not only the one shown: a hidden tab's layouts
        // never activate, so a nested one (Runs' row of buttons) kept the
        // least size of the zoom it was last shown at, and the cap depended
        // on the tab shown (from Attention 250 % gave 200 % on a 1024 x 768
        // screen, and Runs then read "Referenc", "elete ru"; from Runs 175 %).
        // Invalidated, each layout measures its items again.
        for (QLayout *layout : m_window->findChildren<QLayout *>())
            layout->invalidate();
        // The hint, not minimumSize(): the layout sets that from the hint
        // of the zoom before, when it next activates.
        const QSize least = m_window->minimumSizeHint();
        return least.width() <= room.width() && least.height() <= room.height();
    };
    const double asked = currentZoom();
    double zoom = asked;
    rememberDockWidths();
    while (zoom > 1.0 + 1e-6 && !fits()) {
        const auto it = std::lower_bound(Steps.begin(), Steps.end(), zoom - 1e-6);
        zoom = it == Steps.begin() ? Steps.front() : *(it - 1);
        applyZoom(zoom);
    }
    if (zoom < asked - 1e-6)
        restoreDockWidths();
    updateActions();
    if (zoom >= asked - 1e-6)
        return {};
    // The window had grown for the larger zoom: its least size now, and
    // notFitting's receiver puts it back inside the screen.
    m_window->setMinimumSize(m_window->minimumSizeHint());
    // The zoom reached first: a status bar cut at the cap kept only the one
    // asked for ("Zoom 200 % does not fit this 1024 x 768 sc…", accept27 F2).
    const QString text = tr("Zoom %1 %: %2 % does not fit this %3 x %4 screen")
                             .arg(std::lround(zoom * 100))
                             .arg(std::lround(asked * 100))
                             .arg(screenRoom.width())
                             .arg(screenRoom.height());
    emit notFitting(text);
    return text;
}

void ZoomActions::updateActions()
{
    const double now = currentZoom();
    m_in->setEnabled(now < Steps.back() - 1e-6);
    m_out->setEnabled(now > Steps.front() + 1e-6);
    m_actual->setEnabled(std::abs(now - 1.0) > 1e-6);
    m_actual->setText(tr("&Actual size (now %1 %)").arg(std::lround(now * 100)));
}

} // namespace attnscope
