#include "runspanel.h"

#include "appearance.h"
#include "lossplot.h"
#include "session.h"
#include "tasknames.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QShortcut>
#include <QStyle>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>
#include <cmath>
#include <functional>
#include <utility>

namespace attnscope {

namespace {

constexpr int IdRole = Qt::UserRole;
constexpr int SortRole = Qt::UserRole + 1;
constexpr int ValueRole = Qt::UserRole + 2;      // a setting's exact value, compared between rows
constexpr int HighlightRole = Qt::UserRole + 3;  // true: differs from the selected run
constexpr int CompareRole = Qt::UserRole + 4;    // -1 worse, 1 better than the reference
constexpr int TipRole = Qt::UserRole + 6;        // a figure's own tooltip, before the comparison's line
constexpr int BestRole = Qt::UserRole + 7;       // true: the best figure of its column
constexpr QSize SwatchSize{36, 14};              // the Line column's picture of a run's line
static_assert(RunsPanel::LookRole > CompareRole && RunsPanel::LookRole < TipRole);

// The columns of settings, compared with the selected run's.
constexpr RunsPanel::Column SettingColumns[] = {RunsPanel::Dataset, RunsPanel::Mode, RunsPanel::Layers,
                                                RunsPanel::LearningRate, RunsPanel::Mu, RunsPanel::Seed};
// The figures compared with the reference run's, and whether lower is better.
constexpr std::pair<RunsPanel::Column, bool> FigureColumns[] = {
    {RunsPanel::BestLoss, true}, {RunsPanel::LastLoss, true}, {RunsPanel::BestAccuracy, false},
    {RunsPanel::LastAccuracy, false}, {RunsPanel::RationaleMass, false}, {RunsPanel::Faithfulness, false}};

// Sorts by each cell's number where it has one (SortRole), else by its text.
class RunItem : public QTreeWidgetItem {
public:
    using QTreeWidgetItem::QTreeWidgetItem;
    bool operator<(const QTreeWidgetItem &other) const override
    {
        const int column = treeWidget() ? treeWidget()->sortColumn() : 0;
        const QVariant a = data(column, SortRole), b = other.data(column, SortRole);
        if (a.isValid() && b.isValid())
            return a.toDouble() < b.toDouble();
        return text(column).localeAwareCompare(other.text(column)) < 0;
    }
};

// A number in a cell, sorted as a number; "–" (sorted last) when there is none.
void setNumber(QTreeWidgetItem *item, int column, double value, const QString &text)
{
    const bool known = std::isfinite(value);
    item->setText(column, known ? text : QStringLiteral("–"));
    item->setData(column, SortRole, known ? value : HUGE_VAL);
    item->setTextAlignment(column, Qt::AlignRight | Qt::AlignVCenter);
}

// Each task's accuracy at evaluation `e` of the history, one a line ("topic
// 0.990", "mood 0.810"; up to MaxAccuracyLines tasks, then on one line: the
// tooltip has them one a line), and their mean for sorting. On one line the
// column of a 1024 x 768 projector at 150 % showed "sentiment 0.912, topic …",
// cut at the table's edge.
void setAccuracies(QTreeWidgetItem *item, int column, const LossHistory &history, int e)
{
    if (e < 0) {
        setNumber(item, column, NAN, {});
        return;
    }
    QStringList parts;
    double sum = 0;
    int count = 0;
    for (int t = 0; t < int(history.tasks().size()); ++t) {
        const double a = history.series(1 + t).evalAccuracy[size_t(e)];
        if (!std::isfinite(a))
            continue;
        parts << QStringLiteral("%1 %2").arg(elidedName(history.tasks()[t], 16), QString::number(a, 'f', 3));
        sum += a;
        ++count;
    }
    constexpr int MaxAccuracyLines = 4;
    const QString text = parts.join(parts.size() <= MaxAccuracyLines ? QStringLiteral("\n") : QStringLiteral(", "));
    setNumber(item, column, count ? sum / count : NAN, text);
    item->setTextAlignment(column, Qt::AlignLeft | Qt::AlignVCenter);
    item->setData(column, TipRole, parts.join(QLatin1Char('\n')));
}

// Whether item's figure in column c is the best (lowest or highest) of the
// rows on the same data, when at least two of them have one: a loss on the
// sensors is no rival of one on the reviews (accept24 C2 crowned it).
bool isBestOf(const QTreeWidget *table, const QTreeWidgetItem *item, int column, bool lowerIsBetter)
{
    const QVariant data = item->data(RunsPanel::Dataset, ValueRole);
    const auto figure = [column](const QTreeWidgetItem *row) {
        const double v = row->data(column, SortRole).toDouble();
        return std::isfinite(v) ? v : NAN;  // "–" sorts as HUGE_VAL
    };
    const double mine = figure(item);
    if (!std::isfinite(mine))
        return false;
    int known = 0;
    for (int i = 0; i < table->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *row = table->topLevelItem(i);
        const double theirs = figure(row);
        if (!std::isfinite(theirs) || row->data(RunsPanel::Dataset, ValueRole) != data)
            continue;
        ++known;
        if (lowerIsBetter ? theirs < mine : theirs > mine)
            return false;
    }
    return known >= 2;
}

// The newest snapshot of the timeline for which has(snapshot) holds, nullptr when none.
template <typename Has>
const AttentionSnapshot *newest(const std::vector<SnapshotPtr> &timeline, Has has)
{
    for (auto it = timeline.rbegin(); it != timeline.rend(); ++it)
        if (*it && has(**it))
            return it->get();
    return nullptr;
}

bool hasMass(const AttentionSnapshot &s)
{
    return std::any_of(s.rationaleMass.begin(), s.rationaleMass.end(), [](const auto &m) { return m.has_value(); });
}

bool hasFaithfulness(const AttentionSnapshot &s)
{
    return s.explainedStep >= 0 && !s.comprehensiveness.empty();
}

// The mean of the tasks' figures that are known (NaN: none) and one line per
// task, "sentiment 0.412", for the tooltip.
std::pair<double, QStringList> perTask(const AttentionSnapshot &s, const std::function<double(size_t)> &figure)
{
    double sum = 0;
    int count = 0;
    QStringList lines;
    for (size_t t = 0; t < s.tasks.size(); ++t) {
        const double v = figure(t);
        if (!std::isfinite(v))
            continue;
        lines << QStringLiteral("%1 %2").arg(elidedName(QString::fromStdString(s.tasks[t].name), 24)).arg(v, 0, 'f', 3);
        sum += v;
        ++count;
    }
    return {count ? sum / count : NAN, lines};
}

} // namespace

RunsPanel::RunsPanel(Session *session, LossPlot *plot, QWidget *parent)
    : QWidget(parent), m_session(session), m_plot(plot)
{
    setObjectName(QStringLiteral("runsPanel"));
    makeTable();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_table, 1);
    layout->addLayout(makeButtons());
    followSession();
    refresh();
}

void RunsPanel::makeTable()
{
    m_table = new QTreeWidget;
    m_table->setObjectName(QStringLiteral("runs"));
    m_table->setRootIsDecorated(false);
    // A row as tall as its accuracies' lines (a run on other data may have more tasks).
    m_table->setUniformRowHeights(false);
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    // In Column's order: the run and where it came from first, then its
    // figures (beside its name in a narrow window), then its settings.
    m_table->setHeaderLabels({tr("Run"), tr("From"), tr("Line"), tr("Ref."), tr("Best loss"), tr("Best accuracy"),
                              tr("Last loss"), tr("Last accuracy"), tr("Rationale mass"), tr("Faithfulness"),
                              tr("Steps"), tr("Dataset"), tr("Mode"), tr("Layers"), tr("LR"), tr("µ"), tr("Seed")});
    m_table->setIconSize(SwatchSize);  // the Line column's swatches, whole
    m_table->headerItem()->setToolTip(Line, tr("The run's line on the plots, as in their legend (the current run solid; "
                                               "a hidden run has none)"));
    m_table->headerItem()->setToolTip(RationaleMass, tr("The attention on the rationale tokens, over the probe samples "
                                                        "that have one, at the run's last attention snapshot (the mean of "
                                                        "the tasks; each task's in the cell's tooltip)"));
    m_table->headerItem()->setToolTip(Faithfulness, tr("How faithful attention is, at the run's last round of live "
                                                       "explanations (Explain live): ERASER's comprehensiveness, how much "
                                                       "the prediction drops without the tokens attention points at (high "
                                                       "is faithful; the mean of the tasks, sufficiency in the tooltip)"));
    m_table->headerItem()->setToolTip(Name, tr("Checked: drawn on the plot (the current run, in bold, always is)"));
    m_table->headerItem()->setToolTip(Reference, tr("The reference run (click a row's cell to pick it): the others' "
                                                    "figures are green where better than its, red where worse"));
    m_table->headerItem()->setToolTip(From, tr("A forked run: the run and the step it started from (Fork…)"));
    m_table->headerItem()->setToolTip(BestLoss, tr("The lowest validation loss of the run's evaluations"));
    m_table->headerItem()->setToolTip(LastLoss, tr("The validation loss at the run's last evaluation"));
    m_table->headerItem()->setToolTip(BestAccuracy, tr("Each task's validation accuracy at the evaluation of the "
                                                       "lowest validation loss (sorted by their mean)"));
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(Name, Qt::AscendingOrder);
    m_table->header()->setStretchLastSection(true);
    connect(m_table->header(), &QHeaderView::sortIndicatorChanged, this, &RunsPanel::fitColumns);
    m_table->setToolTip(tr("Earlier runs are drawn dotted, dash-dotted, dashed, … over the current one; "
                           "uncheck a run to hide it, double-click its name to rename it; the settings in which a "
                           "run differs from the selected one are highlighted"));
    connect(m_table, &QTreeWidget::itemChanged, this, &RunsPanel::onItemChanged);
    connect(m_table, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem *item, int column) {
        if (column == Reference)
            m_session->setReferenceRun(item->data(Name, IdRole).toInt());
    });
    connect(m_table, &QTreeWidget::itemSelectionChanged, this, &RunsPanel::onSelectionChanged);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        QTreeWidgetItem *item = m_table->itemAt(pos);
        if (!item)
            return;
        QMenu menu;
        const int id = item->data(Name, IdRole).toInt();
        const QString why = m_session->cannotResume(id);
        QAction *resume = menu.addAction(why.isEmpty() ? tr("Resume (the same run, from its last checkpoint)")
                                                       : tr("Resume: %1").arg(elidedMessage(why, 100)));
        resume->setEnabled(why.isEmpty());
        connect(resume, &QAction::triggered, this, [this, id]() { m_session->resumeRun(id, true); });
        fillForkMenu(menu.addMenu(tr("Fork from checkpoint")), id);
        menu.exec(m_table->viewport()->mapToGlobal(pos));
    });
}

QHBoxLayout *RunsPanel::makeButtons()
{
    m_delete = new QPushButton(tr("Delete run"));
    m_delete->setToolTip(tr("Deletes the selected earlier run, from the session file too (Delete)"));
    connect(m_delete, &QPushButton::clicked, this, &RunsPanel::deleteSelected);
    auto *deleteKey = new QShortcut(QKeySequence::Delete, m_table, nullptr, nullptr, Qt::WidgetShortcut);
    connect(deleteKey, &QShortcut::activated, this, &RunsPanel::deleteSelected);
    m_undo = new QPushButton(tr("Undo"));
    m_undo->setToolTip(tr("Brings the last deleted run back (Ctrl+Z)"));
    connect(m_undo, &QPushButton::clicked, m_session, &Session::undoDelete);
    auto *undoKey = new QShortcut(QKeySequence::Undo, this, nullptr, nullptr, Qt::WidgetWithChildrenShortcut);
    connect(undoKey, &QShortcut::activated, m_session, &Session::undoDelete);
    m_reference = new QPushButton(tr("Reference"));
    m_reference->setToolTip(tr("The other runs' figures are measured against the selected one's"));
    connect(m_reference, &QPushButton::clicked, this, [this]() {
        const int id = selectedId();
        m_session->setReferenceRun(id == m_session->referenceRun() ? 0 : id);
    });
    m_fork = new QPushButton(tr("Fork…"));
    m_fork->setToolTip(tr("A new run from one of the selected run's checkpoints: its weights and optimiser state, "
                          "its model and seed, and the Training panel's settings (change them first)"));
    auto *forkMenu = new QMenu(m_fork);
    connect(forkMenu, &QMenu::aboutToShow, this, [this, forkMenu]() { fillForkMenu(forkMenu, selectedId()); });
    m_fork->setMenu(forkMenu);
    m_resume = new QPushButton(tr("Resume"));
    connect(m_resume, &QPushButton::clicked, this, &RunsPanel::resumeSelected);
    for (QPushButton *button : {m_delete, m_reference, m_fork, m_resume})
        button->setEnabled(false);  // until a run is selected

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_reference);
    buttons->addWidget(m_resume);
    buttons->addWidget(m_fork);
    buttons->addStretch(1);
    buttons->addWidget(m_undo);
    buttons->addWidget(m_delete);
    return buttons;
}

void RunsPanel::onSelectionChanged()
{
    const int id = selectedId();
    updateButtons();
    if (!m_filling) {
        markRows();
        emit selectedRunChanged(id);
    }
}

void RunsPanel::updateButtons()
{
    const int id = selectedId();
    m_delete->setEnabled(id != 0 && id != m_session->currentRun()->id());
    m_reference->setEnabled(id != 0);
    m_fork->setEnabled(id != 0);
    const QString cannotResume = id ? m_session->cannotResume(id) : tr("Select a run that ended");
    m_resume->setEnabled(cannotResume.isEmpty());
    m_resume->setToolTip(cannotResume.isEmpty()
                             ? tr("Continues the selected run, the same run: from its last checkpoint in the session "
                                  "file (its weights, optimiser state and batch order), its curves going on where "
                                  "they stop, to the Training panel's Steps or Epochs")
                             : tr("Resume continues a run that ended as the same run; this one cannot: %1")
                                   .arg(cannotResume));
    m_reference->setText(id != 0 && id == m_session->referenceRun() ? tr("No reference") : tr("Reference"));
}

void RunsPanel::followSession()
{
    m_currentTimer.setSingleShot(true);
    m_currentTimer.setInterval(250);
    // The current run's figures change as it trains, the overlays (the kept runs) do not.
    connect(&m_currentTimer, &QTimer::timeout, this, &RunsPanel::fillTable);
    connect(m_session, &Session::runsChanged, this, &RunsPanel::refresh);
    connect(m_session, &Session::datasetOpened, this, &RunsPanel::updateButtons);  // Resume needs the run's data
    // At most every 250 ms while it trains (a restart on every snapshot would never fire).
    const auto soon = [this]() {
        if (!m_currentTimer.isActive())
            m_currentTimer.start();
    };
    Run *run = m_session->currentRun();
    connect(run, &Run::historyAppended, this, soon);
    connect(run, &Run::historyCleared, this, [this, soon]() {
        m_currentAttention.reset();  // a new run began: its figures are not yet
        m_currentExplained.reset();
        soon();
    });
    // The current run's attention (the probe set's, as the session file's
    // timeline gets it): its rationale mass and faithfulness.
    connect(run->controller(), &TrainingController::attentionReady, this,
            [this, run, soon](const SnapshotPtr &snapshot, const std::shared_ptr<const TrainingSetup> &setup) {
                if (!snapshot || setup != run->setup())
                    return;  // a run's that was replaced meanwhile
                if (hasMass(*snapshot))
                    m_currentAttention = snapshot;
                if (hasFaithfulness(*snapshot))
                    m_currentExplained = snapshot;
                soon();
            });
    // Once it pauses, stops or ends, its row at once: its last points came
    // just before (the worker's snapshot, then its state), and whatever looks
    // at the table then (a screenshot, the user) sees its last step, not
    // the one of the timer's last fill up to 250 ms before.
    connect(run->controller(), &TrainingController::stateChanged, this, [this](TrainingWorker::State state) {
        if (state != TrainingWorker::State::Running && m_currentTimer.isActive()) {
            m_currentTimer.stop();
            fillTable();
        }
    });
}

QTreeWidgetItem *RunsPanel::row(int id) const
{
    for (int i = 0; i < m_table->topLevelItemCount(); ++i)
        if (m_table->topLevelItem(i)->data(Name, IdRole).toInt() == id)
            return m_table->topLevelItem(i);
    return nullptr;
}

void RunsPanel::refresh()
{
    fillTable();
    updateOverlays();
}

void RunsPanel::fillTable()
{
    m_filling = true;
    const int selected = m_table->currentItem() ? m_table->currentItem()->data(Name, IdRole).toInt() : -1;
    m_table->setSortingEnabled(false);  // rows stay where they are filled
    m_table->clear();
    const std::vector<int> looks = keptLooks();
    size_t i = 0;
    for (const auto &kept : m_session->keptRuns()) {
        const int look = looks[i++];
        auto *item = new RunItem(m_table);
        fillRow(item, kept->id, kept->name, kept->dataset, kept->model, kept->train, kept->history, false, kept->shown,
                kept->fork);
        setLine(item, !kept->shown ? -2 : onOtherData(*kept) ? -3 : look);
        setAttentionFigures(item, newest(kept->timeline, hasMass), newest(kept->timeline, hasFaithfulness));
    }
    const Run *run = m_session->currentRun();
    if (run->setup() || run->hasTrained() || !m_session->keptRuns().empty()) {
        const std::shared_ptr<const TrainingSetup> setup = run->setup();
        auto *item = new RunItem(m_table);
        fillRow(item, run->id(), run->name(), openDataSpec(),
                setup ? setup->model.config : run->settings().model, run->settings().train, run->history(), true, true,
                run->fork());
        setLine(item, -1);
        setAttentionFigures(item, m_currentAttention && hasMass(*m_currentAttention) ? m_currentAttention.get() : nullptr,
                            m_currentExplained.get());
    }
    m_table->setSortingEnabled(true);
    QTreeWidgetItem *again = row(selected);
    if (again)
        m_table->setCurrentItem(again);
    // From only while a run is a fork: empty, it pushed the figures (the
    // winner's best loss) off the table's width at 1024 x 768 and 150 %.
    // The attention figures likewise only while some run has one: two
    // columns of "–" kept the accuracies a scroll away.
    const auto anyRow = [this](auto has) {
        for (int i = 0; i < m_table->topLevelItemCount(); ++i)
            if (has(m_table->topLevelItem(i)))
                return true;
        return false;
    };
    m_table->setColumnHidden(From, !anyRow([](const QTreeWidgetItem *item) { return !item->text(From).isEmpty(); }));
    for (const Column c : {RationaleMass, Faithfulness})
        m_table->setColumnHidden(c, !anyRow([c](const QTreeWidgetItem *item) {
            return std::isfinite(item->data(c, SortRole).toDouble());
        }));
    m_filling = false;
    markRows();
    if (selected > 0 && !again)
        emit selectedRunChanged(0);  // it went (deleted, another session opened): the views it chose show none
    updateButtons();  // the selected run may be the current one now (resumed), its data open or not
    m_undo->setEnabled(m_session->canUndoDelete());
    m_undo->setToolTip(m_session->canUndoDelete()
                           ? tr("Brings \"%1\" back (Ctrl+Z)").arg(m_session->lastDeletedName())
                           : tr("Brings the last deleted run back (Ctrl+Z)"));
}

// Each column as wide as its cells or its title, whichever is wider; the
// room for the sort arrow only in the sorted column (Qt's header keeps it in
// every column: at 1024 x 768 and 150 % the Line, Ref. and Best loss
// columns, 20 px wider each for nothing, pushed the accuracies off the table).
void RunsPanel::fitColumns()
{
    QHeaderView *header = m_table->header();
    const int margin = header->style()->pixelMetric(QStyle::PM_HeaderMargin, nullptr, header);
    const QFontMetrics metrics(header->font());
    for (int c = 0; c < ColumnCount - 1; ++c) {
        int title = metrics.horizontalAdvance(m_table->headerItem()->text(c)) + 4 * margin;
        if (c == header->sortIndicatorSection())
            title += header->sectionSizeHint(c) - metrics.horizontalAdvance(m_table->headerItem()->text(c)) - 4 * margin;
        m_table->setColumnWidth(c, std::max({static_cast<const QAbstractItemView *>(m_table)->sizeHintForColumn(c), title, header->minimumSectionSize()}));
    }
}

int RunsPanel::selectedId() const
{
    const QList<QTreeWidgetItem *> selected = m_table->selectedItems();
    return selected.isEmpty() ? 0 : selected.first()->data(Name, IdRole).toInt();
}

bool RunsPanel::isHighlighted(const QTreeWidgetItem *item, int column)
{
    return item->data(column, HighlightRole).toBool();
}

int RunsPanel::comparison(const QTreeWidgetItem *item, int column)
{
    return item->data(column, CompareRole).toInt();
}

bool RunsPanel::isBest(const QTreeWidgetItem *item, int column)
{
    return item->data(column, BestRole).toBool();
}

void RunsPanel::markRows()
{
    const bool filling = std::exchange(m_filling, true);  // colours are no edit of the user's
    const QTreeWidgetItem *selected = row(selectedId());
    const QTreeWidgetItem *reference = row(m_session->referenceRun());
    QColor highlight = palette().color(QPalette::Highlight);
    highlight.setAlpha(70);
    for (int i = 0; i < m_table->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_table->topLevelItem(i);
        for (const Column c : SettingColumns) {
            const bool differs = selected && item != selected && item->data(c, ValueRole) != selected->data(c, ValueRole);
            item->setData(c, HighlightRole, differs);
            item->setBackground(c, differs ? QBrush(highlight) : QBrush());
            if (differs)
                item->setToolTip(c, tr("%1 here, %2 in %3").arg(item->text(c), selected->text(c), selected->text(Name)));
            else
                item->setToolTip(c, c == Dataset ? item->data(c, ValueRole).toString() : QString());
        }
        const bool isReference = item == reference;
        item->setText(Reference, isReference ? QStringLiteral("◆") : QString());
        item->setTextAlignment(Reference, Qt::AlignCenter);
        item->setToolTip(Reference, isReference ? tr("The reference run") : tr("Click: use this run as the reference"));
        for (const auto &[c, lowerIsBetter] : FigureColumns) {
            // The best of the column (the winner a class reads first): bold and underlined.
            const bool best = isBestOf(m_table, item, c, lowerIsBetter);
            QFont font = item->font(Name);  // the row's: bold for the current run
            font.setBold(font.bold() || best);
            font.setUnderline(best);
            item->setFont(c, font);
            item->setData(c, BestRole, best);
            int sign = 0;
            // The figure's own (setAccuracies', setAttentionFigures'); the losses have none.
            QString tip = item->data(c, TipRole).toString();
            if (reference && !isReference) {
                const double mine = item->data(c, SortRole).toDouble(), theirs = reference->data(c, SortRole).toDouble();
                if (std::isfinite(mine) && std::isfinite(theirs)) {  // "–" sorts as HUGE_VAL
                    if (mine != theirs)
                        sign = (mine < theirs) == lowerIsBetter ? 1 : -1;
                    tip += (tip.isEmpty() ? QString() : QStringLiteral("\n"))
                           + tr("%1%2 against the reference").arg(mine >= theirs ? QStringLiteral("+") : QString())
                                 .arg(mine - theirs, 0, 'f', 4);
                }
            }
            item->setData(c, CompareRole, sign);
            item->setForeground(c, sign > 0 ? QBrush(betterColor()) : sign < 0 ? QBrush(worseColor()) : QBrush());
            if (best)
                tip += (tip.isEmpty() ? QString() : QStringLiteral("\n"))
                       + tr("The best of the runs on %1").arg(item->text(Dataset));
            item->setToolTip(c, tip);
        }
    }
    m_filling = filling;
    fitColumns();  // the best figures are bold now
}

void RunsPanel::fillRow(QTreeWidgetItem *item, int id, const QString &name, const QString &dataset,
                       const ModelConfig &model, const TrainConfig &train, const LossHistory &history, bool current,
                       bool shown, const ForkPoint &fork)
{
    item->setData(Name, IdRole, id);
    item->setText(Name, name);
    item->setData(Name, SortRole, current ? INT_MAX : id);  // the order they began in, the current one last
    item->setFlags(item->flags() | Qt::ItemIsEditable | Qt::ItemIsUserCheckable);
    item->setCheckState(Name, shown ? Qt::Checked : Qt::Unchecked);
    if (current) {
        item->setFlags(item->flags() & ~Qt::ItemIsUserCheckable);
        QFont bold = item->font(Name);
        bold.setBold(true);
        for (int c = 0; c < ColumnCount; ++c)
            item->setFont(c, bold);
        item->setToolTip(Name, tr("The current run: the one that trains"));
    }
    item->setText(Dataset, elidedName(dataset, 32));
    item->setData(Dataset, ValueRole, dataset);
    item->setText(Mode, QString::fromLatin1(toString(model.mode)));
    item->setData(Mode, ValueRole, item->text(Mode));
    item->setData(Layers, ValueRole, model.layers);
    item->setData(LearningRate, ValueRole, double(train.optimizer.lr));
    item->setData(Mu, ValueRole, double(train.rationaleWeight));
    item->setData(Seed, ValueRole, QString::number(train.seed));
    setNumber(item, Layers, model.layers, QString::number(model.layers));
    setNumber(item, LearningRate, train.optimizer.lr, QString::number(double(train.optimizer.lr), 'g', 3));
    setNumber(item, Mu, train.rationaleWeight, QString::number(double(train.rationaleWeight), 'g', 3));
    setNumber(item, Seed, double(train.seed), QString::number(train.seed));
    const std::vector<double> &steps = history.steps();
    setNumber(item, Steps, steps.empty() ? 0.0 : steps.back(), QString::number(steps.empty() ? 0 : qint64(steps.back())));
    // The best evaluation: the lowest validation loss (the first of equals).
    const std::vector<double> &loss = history.seriesCount() ? history.series(0).evalLoss : std::vector<double>();
    int best = -1;
    for (int e = 0; e < int(loss.size()); ++e)
        if (std::isfinite(loss[size_t(e)]) && (best < 0 || loss[size_t(e)] < loss[size_t(best)]))
            best = e;
    const int last = int(loss.size()) - 1;
    setNumber(item, BestLoss, best >= 0 ? loss[size_t(best)] : NAN, best >= 0 ? QString::number(loss[size_t(best)], 'f', 4) : QString());
    setNumber(item, LastLoss, last >= 0 ? loss[size_t(last)] : NAN, last >= 0 ? QString::number(loss[size_t(last)], 'f', 4) : QString());
    setAccuracies(item, BestAccuracy, history, best);
    setAccuracies(item, LastAccuracy, history, last);
    if (fork.isFork()) {
        QString parent = tr("a deleted run");
        if (fork.parent == m_session->currentRun()->id())
            parent = m_session->currentRun()->name();
        for (const auto &kept : m_session->keptRuns())
            if (kept->id == fork.parent)
                parent = kept->name;
        item->setText(From, tr("%1 @ %2").arg(parent).arg(fork.step));
        item->setToolTip(From, tr("Forked from %1 at step %2: its curves start there").arg(parent).arg(fork.step));
    }
}

void RunsPanel::setLine(QTreeWidgetItem *item, int look)
{
    if (look < -1) {
        item->setToolTip(Line, look == -2 ? tr("Hidden: not drawn (check it to draw it)")
                                          : tr("Not drawn: trained on other data than the open one, its losses do not "
                                               "compare (open %1 to see it)").arg(item->data(Dataset, ValueRole).toString()));
        item->setData(Line, SortRole, HUGE_VAL);
        return;
    }
    // The legend's key: a line in the text colour, an earlier run's dashes
    // and marker (LossPlot::styleOverlays).
    const QColor text = palette().color(QPalette::Text), base = palette().color(QPalette::Base);
    const qreal ratio = devicePixelRatioF();
    const QSize size = SwatchSize;
    QPixmap swatch(size * ratio);
    swatch.setDevicePixelRatio(ratio);
    swatch.fill(Qt::transparent);
    {
        QCPPainter painter(&swatch);
        painter.setRenderHint(QPainter::Antialiasing);
        QPen pen(text, 2);
        const LossPlot::OverlayLook overlay = look >= 0 ? LossPlot::overlayLook(look) : LossPlot::OverlayLook{{}, QCPScatterStyle::ssNone};
        if (!overlay.dashes.isEmpty())
            pen.setDashPattern(overlay.dashes);
        painter.setPen(pen);
        const qreal y = size.height() / 2.0;
        painter.drawLine(QPointF(2, y), QPointF(size.width() - 2, y));
        if (overlay.marker != QCPScatterStyle::ssNone) {
            const QCPScatterStyle marker(overlay.marker, text, base, 7);
            marker.applyTo(&painter, pen);
            marker.drawShape(&painter, QPointF(size.width() / 2.0, y));
        }
    }
    item->setIcon(Line, QIcon(swatch));
    item->setData(Line, LookRole, look);
    item->setData(Line, SortRole, look);
    item->setToolTip(Line, look < 0 ? tr("Solid: the current run") : tr("Line style %1 of the earlier runs").arg(look + 1));
}

void RunsPanel::setAttentionFigures(QTreeWidgetItem *item, const AttentionSnapshot *mass, const AttentionSnapshot *explained)
{
    setNumber(item, RationaleMass, NAN, {});
    setNumber(item, Faithfulness, NAN, {});
    if (mass) {
        const auto [mean, lines] = perTask(*mass, [mass](size_t t) {
            return t < mass->rationaleMass.size() && mass->rationaleMass[t] ? *mass->rationaleMass[t] : NAN;
        });
        setNumber(item, RationaleMass, mean, QString::number(mean, 'f', 3));
        item->setData(RationaleMass, TipRole, tr("Attention on the rationale at step %1:\n%2").arg(mass->step).arg(lines.join(QLatin1Char('\n'))));
    }
    if (explained) {
        const auto figure = [explained](const std::vector<std::array<double, MethodCount>> &of, Method m) {
            return [&of, m](size_t t) { return t < of.size() ? of[t][size_t(m)] : NAN; };
        };
        const auto [mean, comprehensive] = perTask(*explained, figure(explained->comprehensiveness, Method::Attention));
        const QStringList sufficient = perTask(*explained, figure(explained->sufficiency, Method::Attention)).second;
        const QStringList floor = perTask(*explained, figure(explained->comprehensiveness, Method::Random)).second;
        setNumber(item, Faithfulness, mean, QString::number(mean, 'f', 3));
        item->setData(Faithfulness, TipRole, tr("Attention's faithfulness at step %1\ncomprehensiveness (high is faithful):\n%2\n"
                                          "sufficiency (low is faithful):\n%3\nrandom tokens' comprehensiveness:\n%4")
                                           .arg(explained->explainedStep)
                                           .arg(comprehensive.join(QLatin1Char('\n')), sufficient.join(QLatin1Char('\n')),
                                                floor.join(QLatin1Char('\n'))));
    }
}

void RunsPanel::resumeSelected()
{
    const int id = selectedId();
    if (id && m_session->cannotResume(id).isEmpty())
        m_session->resumeRun(id, true);
}

std::vector<std::pair<QString, qint64>> RunsPanel::forkEntries(const std::vector<CheckpointRecord> &points)
{
    const auto isLast = [](const CheckpointRecord &c) { return c.kind == QLatin1String("last"); };
    std::vector<std::pair<QString, qint64>> entries;
    for (const CheckpointRecord &c : points) {
        const bool last = isLast(c);
        if (!last && std::any_of(points.begin(), points.end(),
                                 [&](const CheckpointRecord &o) { return isLast(o) && o.step == c.step; }))
            continue;  // the last one at this step stands for it
        entries.emplace_back(last ? tr("Step %1 (the last)").arg(c.step) : tr("Step %1").arg(c.step), qint64(c.id));
    }
    return entries;
}

void RunsPanel::fillForkMenu(QMenu *menu, int id)
{
    menu->clear();
    QString why = tr("Select a run");
    const std::vector<CheckpointRecord> points = id ? m_session->forkPoints(id, &why) : std::vector<CheckpointRecord>();
    for (const auto &entry : forkEntries(points)) {
        const qint64 checkpoint = entry.second;
        QAction *action = menu->addAction(entry.first);
        action->setData(checkpoint);
        connect(action, &QAction::triggered, this, [this, id, checkpoint]() { m_session->forkRun(id, checkpoint); });
    }
    if (points.empty()) {
        // Why not, the error too when the file failed (it names the file).
        QAction *none = menu->addAction(elidedMessage(why, 160));
        none->setToolTip(why);
        none->setEnabled(false);
    }
}

// Each kept run's own look (LossPlot::runLooks), shown or not, in the
// session's order: the table's Line column and the plot's overlays alike.
std::vector<int> RunsPanel::keptLooks() const
{
    std::vector<int> ids;
    for (const auto &kept : m_session->keptRuns())
        ids.push_back(kept->id);
    return m_plot->runLooks(ids);
}

// The kept runs that are shown, over the current one, in the order they began.
QString RunsPanel::openDataSpec() const
{
    const std::shared_ptr<const TrainingSetup> setup = m_session->currentRun()->setup();
    return absoluteDatasetSpec(setup ? QString::fromStdString(setup->source) : m_session->dataSpec());
}

bool RunsPanel::onOtherData(const KeptRun &run) const
{
    // No data open: none is other.
    const QString open = openDataSpec();
    return !open.isEmpty() && !run.dataset.isEmpty() && run.dataset != open;
}

void RunsPanel::updateOverlays()
{
    std::vector<LossPlot::Overlay> overlays;
    const std::vector<int> looks = keptLooks();
    for (size_t i = 0; i < looks.size(); ++i)
        if (m_session->keptRuns()[i]->shown && !onOtherData(*m_session->keptRuns()[i]))
            overlays.push_back({m_session->keptRuns()[i]->name, &m_session->keptRuns()[i]->history, looks[i]});
    m_plot->setOverlays(overlays, m_session->currentRun()->name());
}

void RunsPanel::onItemChanged(QTreeWidgetItem *item, int column)
{
    if (m_filling || column != Name)
        return;
    const int id = item->data(Name, IdRole).toInt();
    const QString name = item->text(Name);
    // Either may have changed; the session says runsChanged, which fills the table again.
    QMetaObject::invokeMethod(this, [this, id, name, shown = item->checkState(Name) == Qt::Checked]() {
        const auto &kept = m_session->keptRuns();
        const auto it = std::find_if(kept.begin(), kept.end(), [&](const auto &run) { return run->id == id; });
        const QString old = it != kept.end() ? (*it)->name : m_session->currentRun()->name();
        if (name != old && !m_session->renameRun(id, name))
            refresh();  // refused: the old name again
        if (it != kept.end())
            m_session->setRunShown(id, shown);
    }, Qt::QueuedConnection);
}

void RunsPanel::deleteSelected()
{
    const QList<QTreeWidgetItem *> selected = m_table->selectedItems();
    if (selected.isEmpty())
        return;
    const int id = selected.first()->data(Name, IdRole).toInt();
    if (id != m_session->currentRun()->id())
        m_session->deleteRun(id);
}

} // namespace attnscope
