// Presentation, in the View menu: Zoom in (Ctrl+= or Ctrl++), Zoom out
// (Ctrl+-) and Actual size (Ctrl+0) scale every font of the window together
// (panels, menus, the plots' labels, ticks and legends, the heatmaps' and
// the text view's tokens) from 80 % to 250 %, in steps, remembered for the
// next start (appearance.h's applyZoom and the "view/zoom" setting); Full
// screen (F11) for a projector.
#pragma once

#include <QObject>
#include <QPointer>
#include <QSize>

#include <array>
#include <vector>

class QAction;
class QDockWidget;
class QMainWindow;

namespace attnscope {

class ZoomActions : public QObject {
    Q_OBJECT

public:
    // The steps Zoom in and Zoom out go through.
    static constexpr std::array<double, 10> Steps = {0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5};

    explicit ZoomActions(QMainWindow *window);

    QAction *zoomInAction() const { return m_in; }
    QAction *zoomOutAction() const { return m_out; }
    QAction *actualSizeAction() const { return m_actual; }
    QAction *fullScreenAction() const { return m_fullScreen; }

    // Applies a zoom (clamped to 80 %–250 %); persist: remember it.
    void setZoom(double zoom, bool persist = true);
    double zoom() const;
    // Steps the zoom down, not below 100 % nor remembered, until the
    // window's least size fits its screen (250 % on a projector's 1024 x 768
    // put Delete run and the status bar's end off-screen); what it says of
    // that (notFitting too), empty when the zoom fitted. Zoom in does it too; the program
    // calls it once the window is shown (a zoom remembered from a larger
    // screen, or --zoom).
    QString fitScreen();
    // The room fitScreen keeps the window in: its screen's available size
    // unless set (tests: the offscreen platform's screen is 800 x 600).
    void setRoom(QSize room) { m_room = room; }

signals:
    // A zoom asked for did not fit the screen (fitScreen's text); the
    // window, grown for it, is to be put back inside the screen.
    void notFitting(const QString &text);
    // The zoom is set again (Zoom in, out, Actual size, setZoom): what
    // notFitting said of the zoom before is no longer true.
    void zoomChanging();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void step(int direction);
    void updateActions();
    // A docked panel beside the views (the Setup dock) keeps the width the
    // user gave it across zoom changes: a larger zoom's least sizes squeeze
    // it, and a smaller zoom did not give the room back (after 100 -> 200
    // -> 100 % the Setup dock kept the width 200 % had left it).
    // rememberDockWidths before a zoom is applied, restoreDockWidths after.
    void rememberDockWidths();
    void restoreDockWidths();

    struct DockWidth {
        QPointer<QDockWidget> dock;
        int wanted = 0;  // the user's: its width when a zoom change began, unless it was ours
        int left = 0;    // the width the last zoom change left it at
    };

    QMainWindow *m_window;
    QSize m_room;
    std::vector<DockWidth> m_docks;
    QAction *m_in = nullptr, *m_out = nullptr, *m_actual = nullptr, *m_fullScreen = nullptr;
};

} // namespace attnscope
