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
    // As wide as the section, its title on a second line where longer, cut
    // at the end of that line only where two are not enough (the button cut
    // it in the middle: "Columns of…chines.tsv" at 150 %; one line cut
    // "Vocabulary and leng…" in the Setup dock at 1600 x 1000 and 150 %).
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
    const QString current = m_header->text();
    int widestLine = 0;
    for (const QString &line : current.split(QLatin1Char('\n')))
        widestLine = std::max(widestLine, metrics.horizontalAdvance(line));
    const int besides = m_header->sizeHint().width() - widestLine;
    const int room = std::max(m_header->width() - besides, 0);
    const QString shown = wrappedTitle(m_title, metrics, room);
    m_header->setText(shown);
    m_header->setToolTip(QString(shown).replace(QLatin1Char('\n'), QLatin1Char(' ')) == m_title ? QString() : m_title);
}

QString CollapsibleSection::wrappedTitle(const QString &title, const QFontMetrics &metrics, int room)
{
    if (metrics.horizontalAdvance(title) <= room)
        return title;
    // The words that fit on the first line; the rest on the second, cut at
    // its end where longer. A first word wider than the room is cut alone.
    const QStringList words = title.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    QString first;
    int taken = 0;
    for (; taken < words.size(); ++taken) {
        const QString longer = first.isEmpty() ? words[taken] : first + QLatin1Char(' ') + words[taken];
        if (metrics.horizontalAdvance(longer) > room)
            break;
        first = longer;
    }
    if (taken == 0)
        return metrics.elidedText(title, Qt::ElideRight, room);
    const QString rest = words.mid(taken).join(QLatin1Char(' '));
    const QString second = metrics.horizontalAdvance(rest) <= room ? rest : metrics.elidedText(rest, Qt::ElideRight, room);
    return first + QLatin1Char('\n') + second;
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
