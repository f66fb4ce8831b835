// A dialog of rich text that always fits its screen: as wide as reads well
// and as tall as its text, but never more than the screen's available
// geometry (a projector's 1024 x 768 at 150 % zoom); beyond that the text
// scrolls, and the Close button below it stays on the screen. (Help's
// shortcuts list, a QMessageBox, was 1,406 px tall at 150 %: its Close
// button was off the bottom of a 768 px screen.) It fits itself again when
// it is shown and when the zoom changes its font.
#pragma once

#include <QDialog>

class QPushButton;
class QTextBrowser;

namespace attnscope {

class TextDialog : public QDialog {
    Q_OBJECT

public:
    TextDialog(const QString &title, const QString &html, QWidget *parent = nullptr);

    // The HTML given (the browser's toHtml() is Qt's rewrite of it).
    QString text() const { return m_html; }
    void setText(const QString &html);
    QTextBrowser *browser() const { return m_browser; }
    QPushButton *closeButton() const { return m_close; }

protected:
    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    // Sized to the text within the screen's available geometry, moved inside it.
    void fitToScreen();

    QString m_html;
    QTextBrowser *m_browser = nullptr;
    QPushButton *m_close = nullptr;
};

} // namespace attnscope
