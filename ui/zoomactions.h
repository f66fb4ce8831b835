// Presentation, in the View menu: Zoom in (Ctrl+= or Ctrl++), Zoom out
// (Ctrl+-) and Actual size (Ctrl+0) scale every font of the window together
// (panels, menus, the plots' labels, ticks and legends, the heatmaps' and
// the text view's tokens) from 80 % to 250 %, in steps, remembered for the
// next start (appearance.h's applyZoom and the "view/zoom" setting); Full
// screen (F11) for a projector.
#pragma once

#include <QObject>

#include <array>

class QAction;
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

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void step(int direction);
    void updateActions();

    QMainWindow *m_window;
    QAction *m_in = nullptr, *m_out = nullptr, *m_actual = nullptr, *m_fullScreen = nullptr;
};

} // namespace attnscope
