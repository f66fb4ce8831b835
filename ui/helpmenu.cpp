#include "helpmenu.h"

#include "textdialog.h"

#include <QAction>
#include <QMainWindow>
#include <QMenuBar>

#include <utility>

namespace attnscope {

namespace {

struct ViewText {
    HelpMenu::View view;
    const char *name;  // as the view's tab says it
    const char *text;
};

// A few sentences each: what is drawn, how to read it, what to look for.
constexpr ViewText ViewTexts[] = {
    {HelpMenu::View::Curves, QT_TRANSLATE_NOOP("HelpMenu", "Curves"),
     QT_TRANSLATE_NOOP("HelpMenu",
                       "<p>The <b>loss</b> of each task (one colour per task, the same in every view) and their "
                       "weighted <b>total</b>, step by step: faint, the loss of each batch; bold, its smoothed "
                       "average (the Smoothing slider). Dashed with circles: the loss on the validation split "
                       "after each epoch; below, the validation <b>accuracy</b>.</p>"
                       "<p>A falling loss is the model learning. A training loss that keeps falling while the "
                       "validation loss climbs again is the model memorising its training samples. A vertical "
                       "line marks a setting changed during training (learning rate, task weights).</p>"
                       "<p>Click a legend entry to hide a task; drag to pan, wheel to zoom (the plot then stays "
                       "where it is, \"Frozen at step N\" above it says so); click that, or double-click the plot, to "
                       "follow the run again.</p>")},
    {HelpMenu::View::Heatmap, QT_TRANSLATE_NOOP("HelpMenu", "Heatmap"),
     QT_TRANSLATE_NOOP("HelpMenu",
                       "<p>Each row is one task's <b>attention</b> over the tokens (or features) of the selected "
                       "sample: the share of the task's summary of the sample that comes from each token. A row "
                       "adds up to 1; a bright cell is where that task looks.</p>"
                       "<p>Different tasks learn to look at different words (a review's sentiment at \"not\" "
                       "and \"great\", its topic at \"screen\"). Early in training a row is even: the task "
                       "looks everywhere. Rows: \"Samples for one task\" shows one task over every probe "
                       "sample instead; the timeline goes back in training.</p>")},
    {HelpMenu::View::Text, QT_TRANSLATE_NOOP("HelpMenu", "Text"),
     QT_TRANSLATE_NOOP("HelpMenu",
                       "<p>The sample's own words, shaded by each task's attention (one column per task, in the "
                       "task's colour: the darker, the more weight), with the true class, the predicted class "
                       "and its probability. Outlined words are the sample's rationale: the words a person "
                       "marked as the reason for the label, when the data has them.</p>"
                       "<p>Compare the shading with the outlines: attention on the rationale is attention a "
                       "person would agree with.</p>")},
    {HelpMenu::View::SelfAttention, QT_TRANSLATE_NOOP("HelpMenu", "Self-attention"),
     QT_TRANSLATE_NOOP("HelpMenu",
                       "<p>Inside the encoder, each token looks at the others: row i of the map is where token i "
                       "takes its information from (a row adds up to 1), for the chosen layer and head; the "
                       "grid shows every layer and head, click one to enlarge it.</p>"
                       "<p>With 0 encoder layers there is none: each task reads the words directly. With 1 "
                       "layer, look at \"not\": a head that moves it onto the word it negates is what lets "
                       "the model tell \"not good\" from \"good\".</p>")},
    {HelpMenu::View::Disagreement, QT_TRANSLATE_NOOP("HelpMenu", "Disagreement"),
     QT_TRANSLATE_NOOP("HelpMenu",
                       "<p>Per token, how differently the tasks attend to it: the bar is the spread of the "
                       "tasks' weights on that token, the dots each task's weight. A tall bar is a word one "
                       "task uses and another ignores; short bars everywhere mean the tasks look at the same "
                       "words (as they must in shared mode).</p>")},
    {HelpMenu::View::OverTraining, QT_TRANSLATE_NOOP("HelpMenu", "Over training"),
     QT_TRANSLATE_NOOP("HelpMenu",
                       "<p>How attention changed while the model trained, from the snapshots kept: the gate of "
                       "each task (gated mode: how much it uses its own attention rather than the shared one) "
                       "and, where the data has rationales, the share of attention on the rationale and how "
                       "well attention ranks it (AUPRC). Rising curves: attention moving onto the words a "
                       "person marked.</p>"
                       "<p>Below, whether the chosen score (Score) is faithful, at each round of explanations: "
                       "comprehensiveness (how much the prediction drops without its top words: high is "
                       "faithful) and sufficiency (how much it drops with only them: low is faithful), against "
                       "a random ranking in grey; and each task's loss.</p>")},
    {HelpMenu::View::ProbeEditor, QT_TRANSLATE_NOOP("HelpMenu", "Probe editor"),
     QT_TRANSLATE_NOOP("HelpMenu",
                       "<p>Type your own sentence (or edit a row of features): every task's attention and "
                       "prediction from the current weights, updated as training goes on. Try the lesson's "
                       "cue words, then negate them, then leave them out.</p>")},
    {HelpMenu::View::Compare, QT_TRANSLATE_NOOP("HelpMenu", "Compare"),
     QT_TRANSLATE_NOOP("HelpMenu",
                       "<p>The five scores of the selected sample for one task, side by side: attention, its "
                       "rollout through the encoder, gradient × input, integrated gradients and occlusion "
                       "(the signed ones purple against the class, orange for it). Above each, how faithful "
                       "its ranking is (comprehensiveness high, sufficiency low) and how well it finds the "
                       "rationale (AUPRC).</p>"
                       "<p>With 0 layers they agree. With an encoder layer attention can look plausible and "
                       "still be the least faithful of the five.</p>")},
    {HelpMenu::View::Runs, QT_TRANSLATE_NOOP("HelpMenu", "Runs"),
     QT_TRANSLATE_NOOP("HelpMenu",
                       "<p>Every run of the session, one row each: its settings (data, attention mode, layers, "
                       "learning rate, µ, seed) and what it reached (steps, the best and the last validation loss, "
                       "each task's accuracy at both). The current run, the one that trains, is in bold; a checked "
                       "run is drawn over it in the curves, in a line style of its own (dotted, dashed, …).</p>"
                       "<p>Select a run: the settings in which the others differ from it are highlighted. Click a "
                       "row's Ref. cell to make it the reference: the others' figures turn green where better than "
                       "its, red where worse (the difference in the tooltip). Double-click a name to rename a run; "
                       "Delete removes one, Ctrl+Z brings it back.</p>")},
    {HelpMenu::View::SideBySide, QT_TRANSLATE_NOOP("HelpMenu", "Side by side"),
     QT_TRANSLATE_NOOP("HelpMenu",
                       "<p>The sample selected in the Attention tab through up to four runs at once (the ones "
                       "checked in the Runs tab, the current one last), each with its latest weights: every task's "
                       "attention over the sample's tokens, titled with the run's name, its step and what it "
                       "predicts.</p>"
                       "<p>The runs of Training &gt; Compare start alike and differ in one setting: here is where "
                       "each of them looks. The current run's map follows its training once a second.</p>")},
    {HelpMenu::View::Confusion, QT_TRANSLATE_NOOP("HelpMenu", "Confusion"),
     QT_TRANSLATE_NOOP("HelpMenu",
                       "<p>What the current run predicts on the validation split, for one task at one evaluation "
                       "(the latest, followed as it trains, or an earlier one): a row per true class, a column per "
                       "predicted class. The diagonal is green, the errors red, each cell shaded by its share of "
                       "its row, so a small class's errors show as much as a large one's.</p>"
                       "<p>Below, the validation samples it got wrong (of a split over 5,000, those among 5,000 "
                       "spread over it); click a cell to list its samples only. Double-click a sample to see where "
                       "the model looked in the Attention tab. A click on a validation point of the Curves tab "
                       "shows that evaluation here.</p>")},
};

// Keys and gestures that are no menu's (a menu's keys are read from its actions).
constexpr std::pair<const char *, const char *> OtherKeys[] = {
    {QT_TRANSLATE_NOOP("HelpMenu", "Space"), QT_TRANSLATE_NOOP("HelpMenu", "Pause or resume training (not while typing in a text field)")},
    {QT_TRANSLATE_NOOP("HelpMenu", "Wheel over the curves"), QT_TRANSLATE_NOOP("HelpMenu", "Zoom the plot (it stops following the run)")},
    {QT_TRANSLATE_NOOP("HelpMenu", "Drag on the curves"), QT_TRANSLATE_NOOP("HelpMenu", "Pan the plot (it stops following the run)")},
    {QT_TRANSLATE_NOOP("HelpMenu", "Double-click the curves"), QT_TRANSLATE_NOOP("HelpMenu", "Follow the run again")},
    {QT_TRANSLATE_NOOP("HelpMenu", "Wheel over a field"), QT_TRANSLATE_NOOP("HelpMenu", "Changes it only once it has the focus (click it first)")},
};

} // namespace

HelpMenu::HelpMenu(QMainWindow *window, std::function<View()> currentView)
    : QMenu(tr("&Help"), window), m_window(window), m_currentView(std::move(currentView))
{
    m_shortcuts = addAction(tr("&Keyboard shortcuts"));
    m_shortcuts->setObjectName(QStringLiteral("shortcutsHelp"));
    m_shortcuts->setShortcut(QKeySequence(Qt::Key_F1));
    connect(m_shortcuts, &QAction::triggered, this,
            [this]() { showText(tr("Keyboard shortcuts"), shortcutsText(m_window->menuBar())); });
    m_viewHelp = addAction(tr("&What am I looking at?"));
    m_viewHelp->setObjectName(QStringLiteral("viewHelp"));
    m_viewHelp->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F1));
    connect(m_viewHelp, &QAction::triggered, this, [this]() {
        const View view = m_currentView();
        showText(tr("What am I looking at? %1").arg(viewName(view)), viewHelp(view));
    });
    for (QAction *action : {m_shortcuts, m_viewHelp}) {
        action->setShortcutContext(Qt::WindowShortcut);
        window->addAction(action);  // also in full screen
    }
}

QString HelpMenu::shortcutsText(const QMenuBar *menus)
{
    QString html = QStringLiteral("<table cellspacing='0' cellpadding='3'>");
    const auto row = [&html](const QString &key, const QString &what) {
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(key.toHtmlEscaped(), what.toHtmlEscaped());
    };
    for (const QAction *menu : menus->actions()) {
        if (!menu->menu())
            continue;
        QString rows;
        std::swap(html, rows);
        for (const QAction *action : menu->menu()->actions()) {
            QStringList keys;
            for (const QKeySequence &key : action->shortcuts())
                keys << key.toString(QKeySequence::NativeText);
            // Pause shows Space after a tab: it is the window's key, not the action's.
            const QString text = action->text().section(QLatin1Char('\t'), 0, 0).remove(QLatin1Char('&'));
            if (keys.isEmpty() && action->text().contains(QLatin1Char('\t')))
                keys << action->text().section(QLatin1Char('\t'), 1);
            if (!keys.isEmpty())
                row(keys.join(QStringLiteral(" or ")), text);
        }
        std::swap(html, rows);
        if (!rows.isEmpty())
            html += QStringLiteral("<tr><td colspan='2'><br><i>%1</i></td></tr>").arg(menu->text().remove(QLatin1Char('&')))
                    + rows;
    }
    html += QStringLiteral("<tr><td colspan='2'><br><i>%1</i></td></tr>").arg(tr("Elsewhere"));
    for (const auto &[key, what] : OtherKeys)
        row(tr(key), tr(what));
    return html + QStringLiteral("</table>");
}

QString HelpMenu::viewHelp(View view)
{
    for (const ViewText &entry : ViewTexts)
        if (entry.view == view)
            return tr(entry.text);
    return {};
}

QString HelpMenu::viewName(View view)
{
    for (const ViewText &entry : ViewTexts)
        if (entry.view == view)
            return tr(entry.name);
    return {};
}

std::vector<HelpMenu::View> HelpMenu::views()
{
    std::vector<View> views;
    for (const ViewText &entry : ViewTexts)
        views.push_back(entry.view);
    return views;
}

void HelpMenu::showText(const QString &title, const QString &html)
{
    // Bounded by the screen, the text scrolling: the shortcuts list at 150 %
    // zoom is taller than a projector's 768 px (textdialog.h).
    auto *box = new TextDialog(title, html, m_window);
    box->setObjectName(QStringLiteral("helpBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace attnscope
