// The Help menu: Keyboard shortcuts (F1), a list made from the window's own
// actions (so it names every key a menu has, and no key that is gone) with
// the keys and mouse gestures that are not menu entries; What am I looking
// at? (Shift+F1), a few sentences on the view in front of the user (the
// curves, or the attention view of the tab shown) and how to read it.
#pragma once

#include <QMenu>
#include <QString>

#include <functional>

class QMainWindow;
class QMenuBar;

namespace attnscope {

class HelpMenu : public QMenu {
    Q_OBJECT

public:
    // currentView: the name of the view shown (a key of viewHelp()).
    HelpMenu(QMainWindow *window, std::function<QString()> currentView);

    QAction *shortcutsAction() const { return m_shortcuts; }
    QAction *viewHelpAction() const { return m_viewHelp; }

    // The shortcuts as an HTML table: the menus' actions with a key, by
    // menu, then the keys and gestures no menu lists.
    static QString shortcutsText(const QMenuBar *menus);
    // What a view shows and how to read it; the views: "Curves", "Heatmap",
    // "Text", "Self-attention", "Disagreement", "Over training", "Probe
    // editor" (empty for another name).
    static QString viewHelp(const QString &view);
    static QStringList views();

private:
    // A window-modal box (objectName helpBox) showing html.
    void showText(const QString &title, const QString &html);

    QMainWindow *m_window;
    std::function<QString()> m_currentView;
    QAction *m_shortcuts = nullptr, *m_viewHelp = nullptr;
};

} // namespace attnscope
