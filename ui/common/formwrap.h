// A form whose labels go above their fields when the form is too narrow to
// hold them beside: the Setup dock at 150 % on a 1024 x 768 screen is 350 px
// wide, and the Model panel's "Attention" beside its box needed 473 px, the
// Training panel's "Rationale weight" beside the widest box 383. Qt's
// WrapLongRows is not enough: it wraps a row by its own label, and the
// widest label that stays beside its field still squeezed the others.
//
// Beside while every field gets its least width next to the widest label;
// otherwise every label above its field (QFormLayout::WrapAllRows). The
// choice follows the form's width and the zoom's font. Word-wrapped rows
// across a wrapped form got the height of a wider line (a note cut to three
// of its four lines): keep such notes out of the form, below it.
#pragma once

#include <QObject>

class QFormLayout;

namespace attnscope {

class FormWrap : public QObject {
public:
    // Watches `form`'s parent widget; owned by it.
    explicit FormWrap(QFormLayout *form);

    // The least width of `form` with its labels beside their fields.
    static int besideWidth(const QFormLayout *form);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void update();

    QFormLayout *m_form = nullptr;
    bool m_pending = false;
};

} // namespace attnscope
