#include "formwrap.h"

#include <QEvent>
#include <QFormLayout>
#include <QWidget>

#include <algorithm>

namespace attnscope {

FormWrap::FormWrap(QFormLayout *form) : QObject(form->parentWidget()), m_form(form)
{
    form->parentWidget()->installEventFilter(this);
    update();
}

int FormWrap::besideWidth(const QFormLayout *form)
{
    int labels = 0, fields = 0, spanning = 0;
    for (int row = 0; row < form->rowCount(); ++row) {
        const QLayoutItem *label = form->itemAt(row, QFormLayout::LabelRole);
        const QLayoutItem *field = form->itemAt(row, QFormLayout::FieldRole);
        const QLayoutItem *span = form->itemAt(row, QFormLayout::SpanningRole);
        if (label && !label->isEmpty())
            labels = std::max(labels, label->sizeHint().width());  // a label is never cut
        if (field && !field->isEmpty())
            fields = std::max(fields, field->minimumSize().width());
        if (span && !span->isEmpty())
            spanning = std::max(spanning, span->minimumSize().width());
    }
    const QMargins margins = form->contentsMargins();
    const int spacing = std::max(0, form->horizontalSpacing());
    return margins.left() + std::max(labels + spacing + fields, spanning) + margins.right();
}

bool FormWrap::eventFilter(QObject *watched, QEvent *event)
{
    // After the layout took the new size (the filter sees the event first).
    const QEvent::Type type = event->type();
    if ((type == QEvent::Resize || type == QEvent::FontChange || type == QEvent::LayoutRequest) && !m_pending) {
        m_pending = true;
        QMetaObject::invokeMethod(this, &FormWrap::update, Qt::QueuedConnection);
    }
    return QObject::eventFilter(watched, event);
}

void FormWrap::update()
{
    m_pending = false;
    const int width = m_form->geometry().width();
    if (width <= 0)
        return;  // not laid out yet: its first Resize comes
    const auto policy = width < besideWidth(m_form) ? QFormLayout::WrapAllRows : QFormLayout::DontWrapRows;
    if (m_form->rowWrapPolicy() != policy)
        m_form->setRowWrapPolicy(policy);
}

} // namespace attnscope
