// Fields change by the mouse wheel only when they have the focus: a wheel
// turned to scroll the Setup panel passes over its spin boxes, combo boxes
// and sliders without changing them (it changed "Attention: task" to
// "shared" under the pointer and asked to start a new run). The fields under
// the scope take the focus by click or Tab only (Qt::StrongFocus, not
// WheelFocus), and a wheel event that reaches one without the focus goes to
// the scroll area the field is in, which scrolls. Fields added later (a task's weight) are
// guarded too.
#pragma once

#include <QObject>
#include <QPointer>

class QWidget;

namespace attnscope {

class WheelGuard : public QObject {
public:
    // Guards the fields under scope for as long as scope lives.
    explicit WheelGuard(QWidget *scope);

    // A spin box, combo box or slider (not a scroll bar).
    static bool isField(const QObject *object);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QPointer<QWidget> m_scope;
};

} // namespace attnscope
