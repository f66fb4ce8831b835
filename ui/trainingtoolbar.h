// The training toolbar: Start, Pause/Resume, Step, Stop and Reset with their
// keys, and Speed, a cap on the steps per second (so that a class can watch
// a small model learn: builtin:reviews trains 1,000 steps in about a second)
// with Slower and Faster. Which controls are enabled is ControlState's
// decision (controlstate.h); the window connects the actions to the run.
#pragma once

#include "controlstate.h"

#include <QIcon>
#include <QPalette>
#include <QToolBar>

class QAction;
class QComboBox;

namespace attnscope {

class TrainingToolbar : public QToolBar {
    Q_OBJECT

public:
    explicit TrainingToolbar(QWidget *parent = nullptr);

    QAction *startAction() const { return m_start; }
    // Space is not its shortcut (a focused spin box or combo would eat it,
    // a focused button would also click): the window's PauseKey takes it.
    QAction *pauseAction() const { return m_pause; }
    QAction *stepAction() const { return m_step; }
    QAction *stopAction() const { return m_stop; }
    QAction *resetAction() const { return m_reset; }
    QAction *slowerAction() const { return m_slower; }  // Ctrl+[
    QAction *fasterAction() const { return m_faster; }  // Ctrl+]
    // At most this many steps a second (item data; 0: full speed).
    QComboBox *speedBox() const { return m_speed; }

    // Enables what `controls` allows; Pause reads Resume when paused.
    void setControls(const ControlState &controls);

    // Sets the speed (a rate not in the box is added to it, in order);
    // persist: the user's choice, what savedSpeed() keeps (false: for this
    // run only, as `attnscope --speed`). speedChanged follows, also when the
    // box already showed that rate.
    void setSpeed(double stepsPerSecond, bool persist = true);
    double savedSpeed() const { return m_savedSpeed; }

    // The media glyphs, drawn in the palette's button text colour (Fusion's
    // own are black, which the dark theme's grey hid).
    enum class Glyph { Play, Pause, Step, Stop };
    static QIcon glyphIcon(Glyph glyph, const QPalette &palette);

signals:
    void speedChanged(double stepsPerSecond);

protected:
    void changeEvent(QEvent *event) override;

private:
    void createSpeedBox();
    void updateIcons();

    QAction *m_start = nullptr, *m_pause = nullptr, *m_step = nullptr, *m_stop = nullptr, *m_reset = nullptr;
    QAction *m_slower = nullptr, *m_faster = nullptr;
    QComboBox *m_speed = nullptr;
    double m_savedSpeed = 0;     // the user's last choice
    bool m_speedForRun = false;  // setSpeed(..., false) is changing the box
    bool m_resume = false;       // Pause reads Resume (its glyph is Play)
};

} // namespace attnscope
