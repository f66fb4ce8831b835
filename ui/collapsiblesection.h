// A titled section of a panel that folds away: a flat arrow button with the
// title, and the content below it, shown or hidden by the button. A title
// wider than the section goes on two lines, broken between words, the second
// cut at its end where still too long (the title whole in the tooltip).
#pragma once

#include <QWidget>

class QFontMetrics;
class QToolButton;
class QVBoxLayout;

namespace attnscope {

class CollapsibleSection : public QWidget {
    Q_OBJECT

public:
    explicit CollapsibleSection(const QString &title, QWidget *content, bool expanded = false,
                                QWidget *parent = nullptr);

    void setTitle(const QString &title);
    QString title() const;
    bool isExpanded() const;
    void setExpanded(bool expanded);
    QWidget *content() const { return m_content; }
    // title as shown in room px: whole, else its words on two lines, the
    // second cut at its end with "…" where longer (a first word longer
    // than the room: one line, cut)
    static QString wrappedTitle(const QString &title, const QFontMetrics &metrics, int room);
    QToolButton *header() const { return m_header; }

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void fitTitle();  // the title, wrapped or cut to the header's width

    QString m_title;
    QToolButton *m_header = nullptr;
    QWidget *m_content = nullptr;
};

} // namespace attnscope
