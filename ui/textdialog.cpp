#include "textdialog.h"

#include <QDialogButtonBox>
#include <QEvent>
#include <QPushButton>
#include <QScreen>
#include <QScrollBar>
#include <QTextBrowser>
#include <QTextDocument>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace attnscope {

TextDialog::TextDialog(const QString &title, const QString &html, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(title);
    m_browser = new QTextBrowser(this);
    m_browser->setObjectName(QStringLiteral("text"));
    m_browser->setOpenLinks(false);
    m_browser->setFrameShape(QFrame::NoFrame);
    m_browser->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_close = buttons->button(QDialogButtonBox::Close);
    m_close->setObjectName(QStringLiteral("close"));
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_browser, 1);
    layout->addWidget(buttons);
    setSizeGripEnabled(true);
    setText(html);
}

void TextDialog::setText(const QString &html)
{
    m_html = html;
    // Kept where the reader is, when the text grows (the messages log).
    QScrollBar *bar = m_browser->verticalScrollBar();
    const bool atEnd = bar->value() == bar->maximum();
    const int at = bar->value();
    m_browser->setHtml(html);
    bar->setValue(atEnd ? bar->maximum() : at);
}

void TextDialog::showEvent(QShowEvent *event)
{
    fitToScreen();
    QDialog::showEvent(event);
}

void TextDialog::changeEvent(QEvent *event)
{
    QDialog::changeEvent(event);
    if (event->type() == QEvent::FontChange && isVisible())
        fitToScreen();
}

void TextDialog::fitToScreen()
{
    const QWidget *over = parentWidget() ? parentWidget()->window() : nullptr;
    QScreen *screen = over ? over->screen() : this->screen();
    if (!screen)
        return;
    const QRect available = screen->availableGeometry();
    // The window manager's frame and title bar: as measured once shown, at least a guess.
    const QMargins frame(std::max(4, geometry().left() - frameGeometry().left()),
                         std::max(32, geometry().top() - frameGeometry().top()),
                         std::max(4, frameGeometry().right() - geometry().right()),
                         std::max(4, frameGeometry().bottom() - geometry().bottom()));
    const QRect room = available.marginsRemoved(frame);
    // At most some 75 characters a line (as wide as reads well), no wider
    // than the text needs (a table of keys), within the screen.
    const QMargins margins = layout()->contentsMargins();
    const int extra = margins.left() + margins.right() + 2 * m_browser->frameWidth()
                      + m_browser->verticalScrollBar()->sizeHint().width();
    QTextDocument *document = m_browser->document();
    document->setTextWidth(std::min(room.width(), 36 * fontMetrics().height()) - extra);
    const int needed = int(std::ceil(document->idealWidth())) + extra;
    const int width = std::min(room.width(), std::max({needed, 28 * fontMetrics().height(), minimumSizeHint().width()}));
    document->setTextWidth(width - extra);
    const int textHeight = int(std::ceil(document->size().height())) + 2 * m_browser->frameWidth();
    const int below = layout()->spacing() + m_close->sizeHint().height() + margins.top() + margins.bottom() + 8;
    const int height = std::min(room.height(), textHeight + below);
    setMaximumSize(room.size());
    resize(width, height);
    // Centred over the window, its frame inside the screen (move() places the frame).
    const QSize outer = QSize(width, height).grownBy(frame);
    const QPoint centre = over ? over->frameGeometry().center() : available.center();
    const int x = std::clamp(centre.x() - outer.width() / 2, available.left(), available.right() + 1 - outer.width());
    const int y = std::clamp(centre.y() - outer.height() / 2, available.top(), available.bottom() + 1 - outer.height());
    move(x, y);
}

} // namespace attnscope
