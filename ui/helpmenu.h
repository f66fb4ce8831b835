// The Help menu: Keyboard shortcuts (F1), a list made from the window's own
// actions (so it names every key a menu has, and no key that is gone) with
// the keys and mouse gestures that are not menu entries; What am I looking
// at? (Shift+F1), a few sentences on the view in front of the user (the
// tab shown: the curves, an attention view, the runs, side by side) and how
// to read it.
#pragma once

#include <QMenu>
#include <QString>

#include <functional>
#include <vector>

class QMainWindow;
class QMenuBar;

namespace attnscope {

class HelpMenu : public QMenu {
    Q_OBJECT

public:
    // The views What am I looking at? knows: the window's tabs, the
    // Attention tab by the view it shows.
    enum class View { Curves, Heatmap, Text, SelfAttention, Disagreement, OverTraining, ProbeEditor, Compare, Runs,
                      SideBySide, Confusion };

    // currentView: the view shown.
    HelpMenu(QMainWindow *window, std::function<View()> currentView);

    QAction *shortcutsAction() const { return m_shortcuts; }
    QAction *viewHelpAction() const { return m_viewHelp; }

    // The shortcuts as an HTML table: the menus' actions with a key, by
    // menu, then the keys and gestures no menu lists.
    static QString shortcutsText(const QMenuBar *menus);
    // What a view shows and how to read it.
    static QString viewHelp(View view);
    // Its name, as its tab says it: "Curves", "Heatmap", ..., "Side by side".
    static QString viewName(View view);
    static std::vector<View> views();  // every one

private:
    // A window-modal TextDialog (objectName helpBox) showing html, within the screen.
    void showText(const QString &title, const QString &html);

    QMainWindow *m_window;
    std::function<View()> m_currentView;
    QAction *m_shortcuts = nullptr, *m_viewHelp = nullptr;
};

} // namespace attnscope
