#include "collapsiblesection.h"

#include <QEvent>
#include <QFontMetrics>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace attnscope {

CollapsibleSection::CollapsibleSection(const QString &title, QWidget *content, bool expanded, QWidget *parent)
    : QWidget(parent), m_content(content)
{
    m_header = new QToolButton(this);
    m_header->setCheckable(true);
    m_header->setAutoRaise(true);
    m_header->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    // As wide as the section, its title cut at the end where longer (the
    // button cut it in the middle: "Columns of…chines.tsv" at 150 %).
    m_header->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    QFont bold = m_header->font();
    bold.setBold(true);
    m_header->setFont(bold);
    connect(m_header, &QToolButton::toggled, this, &CollapsibleSection::setExpanded);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_header);
    layout->addWidget(m_content);
    m_content->setParent(this);
    setTitle(title);
    setExpanded(expanded);
}

void CollapsibleSection::setTitle(const QString &title)
{
    m_title = title;
    fitTitle();
}

QString CollapsibleSection::title() const
{
    return m_title;
}

void CollapsibleSection::fitTitle()
{
    // The room for the text: the button's width less what it takes beside
    // its text (the arrow, the margins).
    const QFontMetrics metrics(m_header->font());
    const int besides = m_header->sizeHint().width() - metrics.horizontalAdvance(m_header->text());
    const int room = m_header->width() - besides;
    const QString shown = room >= metrics.horizontalAdvance(m_title) ? m_title
                                                                     : metrics.elidedText(m_title, Qt::ElideRight, std::max(room, 0));
    m_header->setText(shown);
    m_header->setToolTip(shown == m_title ? QString() : m_title);
}

void CollapsibleSection::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitTitle();
}

void CollapsibleSection::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange)  // the zoom
        fitTitle();
}

bool CollapsibleSection::isExpanded() const
{
    return m_header->isChecked();
}

void CollapsibleSection::setExpanded(bool expanded)
{
    {
        const QSignalBlocker block(m_header);
        m_header->setChecked(expanded);
    }
    m_header->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
    m_content->setVisible(expanded);
}

} // namespace attnscope
