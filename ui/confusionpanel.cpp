#include "confusionpanel.h"

#include "appearance.h"
#include "confusionmodel.h"
#include "session.h"
#include "tasknames.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QScopeGuard>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <utility>

namespace attnscope {

namespace {

constexpr int SampleRole = Qt::UserRole;
// More classes than this: the compact matrix (numbered columns, blank zeros).
constexpr int CompactFrom = 8;

} // namespace

ConfusionPanel::ConfusionPanel(Session *session, QWidget *parent)
    : QWidget(parent), m_session(session)
{
    setObjectName(QStringLiteral("confusionPanel"));
    m_note = new QLabel;
    m_note->setWordWrap(true);
    m_note->setTextFormat(Qt::PlainText);
    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(makeMatrix());
    splitter->addWidget(makeMisses());
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    makeBoxes(layout);
    layout->addWidget(m_note);
    layout->addWidget(splitter, 1);

    Run *run = m_session->currentRun();
    connect(run, &Run::historyCleared, this, [this]() {
        if (m_runId == 0)
            refreshWhenShown();
    });
    connect(run, &Run::historyAppended, this, [this]() {
        // Hidden (another tab shown), the evaluations wait for the tab: a
        // matrix of 256 classes is 65,536 items, some 300 ms of the GUI
        // thread at every evaluation (review21 F7).
        if (m_runId != 0)
            return;
        if (isVisible())
            onHistoryAppended();
        else
            m_stale = true;
    });
    connect(m_session, &Session::runConfigured, this, &ConfusionPanel::refreshWhenShown);
    connect(m_session, &Session::runsChanged, this, &ConfusionPanel::fillRuns);
    refresh();
}

void ConfusionPanel::makeBoxes(QVBoxLayout *layout)
{
    m_runBox = new QComboBox;
    m_runBox->setObjectName(QStringLiteral("confusionRun"));
    m_runBox->setToolTip(tr("The run whose predictions are shown: the current run (followed as it trains) or an "
                            "earlier run of the session"));
    m_runBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_task = new QComboBox;
    m_task->setObjectName(QStringLiteral("confusionTask"));
    m_task->setToolTip(tr("The classification task whose predictions are shown"));
    m_evaluation = new QComboBox;
    m_evaluation->setObjectName(QStringLiteral("confusionEvaluation"));
    m_evaluation->setToolTip(tr("The evaluation on the validation split: the latest (followed as the run trains) "
                                "or an earlier one"));
    m_evaluation->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_runBox, &QComboBox::activated, this, [this](int index) { showRun(m_runBox->itemData(index).toInt()); });
    connect(m_task, &QComboBox::currentIndexChanged, this, [this]() {
        m_gold = m_predicted = m_right = -1;
        showConfusion();
    });
    connect(m_evaluation, &QComboBox::currentIndexChanged, this, &ConfusionPanel::showConfusion);
    // The run on a line of its own: with the task and the evaluation beside
    // it, the three boxes were squeezed to "Run 1 (…", "sen…" and "l…" at
    // 1024 x 768 and 150 %.
    auto *runBar = new QHBoxLayout;
    runBar->addWidget(new QLabel(tr("Run:")));
    runBar->addWidget(m_runBox);
    runBar->addStretch(1);
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Task:")));
    bar->addWidget(m_task);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Evaluation:")));
    bar->addWidget(m_evaluation);
    bar->addStretch(1);
    layout->addLayout(runBar);
    layout->addLayout(bar);
}

QTableView *ConfusionPanel::makeMatrix()
{
    m_model = new ConfusionModel(this);
    m_matrix = new QTableView;
    m_matrix->setObjectName(QStringLiteral("confusionMatrix"));
    m_matrix->setModel(m_model);
    m_matrix->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_matrix->setSelectionMode(QAbstractItemView::SingleSelection);
    m_matrix->setToolTip(tr("Rows: the gold class; columns: the predicted class. Click a cell to list its samples"));
    m_matrix->horizontalHeader()->setDefaultAlignment(Qt::AlignCenter);
    connect(m_matrix, &QTableView::clicked, this, [this](const QModelIndex &cell) {
        if (cell.row() == cell.column()) {
            // The diagonal holds no miss: every miss again, the list saying
            // that the samples predicted right are not kept.
            m_gold = m_predicted = -1;
            m_right = cell.row();
            listMisses();
        } else {
            selectCell(cell.row(), cell.column());
        }
    });
    return m_matrix;
}

QTreeWidget *ConfusionPanel::makeMisses()
{
    m_misses = new QTreeWidget;
    m_misses->setObjectName(QStringLiteral("confusionMisses"));
    m_misses->setRootIsDecorated(false);
    m_misses->setUniformRowHeights(true);
    m_misses->setAlternatingRowColors(true);
    m_misses->setHeaderLabels({tr("Sample"), tr("Gold"), tr("Predicted"), tr("Text")});
    m_misses->setToolTip(tr("Validation samples predicted wrong; double-click one to see it in the Attention tab"));
    m_misses->header()->setStretchLastSection(true);
    connect(m_misses, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        if (const QVariant sample = item->data(0, SampleRole); sample.isValid())
            emit sampleActivated(sample.toInt());
    });
    return m_misses;
}

ConfusionPanel::Source ConfusionPanel::source() const
{
    Source out;
    const Run *run = m_session->currentRun();
    const auto &kept = m_session->keptRuns();
    const auto it = std::find_if(kept.begin(), kept.end(), [&](const auto &k) { return k->id == m_runId; });
    if (m_runId == 0 || it == kept.end()) {
        out.history = &run->history();
        if (const std::shared_ptr<const TrainingSetup> setup = run->setup()) {
            out.tasks = setup->model.tasks;
            out.validation = setup->val.samples.size();
            out.data = run->data();
        }
        return out;
    }
    const KeptRun &k = **it;
    out.history = &k.history;
    out.earlier = k.name;
    // Its classes' names and its misses' texts come from the open data when
    // that is its data (the same spec and tasks; the classes as the model
    // had them, where known: a run read from a session file keeps none);
    // otherwise classes by number.
    const std::shared_ptr<const Dataset> data = m_session->dataset();
    const bool itsData = data && m_session->isOpenData(k.dataset) && taskNames(data->tasks) == k.history.tasks()
                         && (k.model.classes.empty()
                             || std::equal(data->tasks.begin(), data->tasks.end(), k.model.classes.begin(),
                                           k.model.classes.end(), [](const TaskInfo &t, int classes) {
                                               return int(t.classes.size()) == classes;
                                           }));
    if (itsData) {
        out.tasks = data->tasks;
        out.data = data;
    } else {
        for (int t = 0; t < k.history.tasks().size(); ++t)
            out.tasks.push_back({k.history.tasks()[t].toStdString(), {}});
    }
    return out;
}

void ConfusionPanel::fillRuns()
{
    const auto &kept = m_session->keptRuns();
    if (std::none_of(kept.begin(), kept.end(), [&](const auto &k) { return k->id == m_runId; }) && m_runId != 0) {
        showRun(0);  // the run shown is gone (deleted, another session opened)
        return;
    }
    const QSignalBlocker blocker(m_runBox);
    m_runBox->clear();
    m_runBox->addItem(tr("%1 (current)").arg(elidedName(m_session->currentRun()->name(), 32)), 0);
    for (const auto &k : kept)
        m_runBox->addItem(elidedName(k->name, 32), k->id);
    m_runBox->setCurrentIndex(std::max(0, m_runBox->findData(m_runId)));
}

void ConfusionPanel::showRun(int id)
{
    const auto &kept = m_session->keptRuns();
    m_runId = std::any_of(kept.begin(), kept.end(), [&](const auto &k) { return k->id == id; }) ? id : 0;
    {
        // At its last evaluation ("latest"), as the current run follows its own.
        const QSignalBlocker blocker(m_evaluation);
        m_evaluation->setCurrentIndex(0);
    }
    refreshWhenShown();
}

void ConfusionPanel::refreshWhenShown()
{
    if (isVisible()) {
        refresh();
        return;
    }
    // Hidden: the Run box says which run at once, the rest waits for the tab.
    m_refresh = true;
    fillRuns();
}

void ConfusionPanel::refresh()
{
    m_stale = false;
    m_refresh = false;
    fillRuns();
    const Source shown = source();
    const QString task = m_task->currentText();
    {
        const QSignalBlocker blocker(m_task);
        m_task->clear();
        for (const TaskInfo &t : shown.tasks)
            m_task->addItem(elidedName(QString::fromStdString(t.name), 32));
        m_task->setCurrentIndex(std::max(0, m_task->findText(task)));
    }
    {
        const QSignalBlocker blocker(m_evaluation);
        m_evaluation->clear();
        m_evaluation->addItem(tr("latest"));
        m_evals = 0;
    }
    m_gold = m_predicted = m_right = -1;
    onHistoryAppended();
}

void ConfusionPanel::onHistoryAppended()
{
    const LossHistory &history = *source().history;
    const size_t evals = history.evalSteps().size();
    if (evals == m_evals && m_evals > 0)
        return;
    {
        const QSignalBlocker blocker(m_evaluation);
        for (size_t i = m_evals; i < evals; ++i)
            m_evaluation->addItem(tr("step %1").arg(qint64(history.evalSteps()[i])));
        m_evals = evals;
    }
    if (m_evaluation->currentIndex() == 0 || m_evals == 0)
        showConfusion();  // following the latest
}

void ConfusionPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_refresh)
        refresh();
    else if (std::exchange(m_stale, false) && m_runId == 0)
        onHistoryAppended();
}

void ConfusionPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        showConfusion();
    if (event->type() == QEvent::FontChange)  // the zoom
        fitMissColumns();
}

void ConfusionPanel::selectCell(int gold, int predicted)
{
    m_gold = gold;
    m_predicted = predicted;
    m_right = -1;
    listMisses();
}

void ConfusionPanel::showEvaluation(int evaluation)
{
    // The Curves tab's points are the current run's, its evaluations up to
    // date (a hidden panel has what came meanwhile still to take in).
    if (m_runId != 0 || m_refresh) {
        m_runId = 0;
        refresh();
    } else if (std::exchange(m_stale, false)) {
        onHistoryAppended();
    }
    if (evaluation < 0 || evaluation >= int(m_evals))
        return;
    m_gold = m_predicted = m_right = -1;
    if (m_evaluation->currentIndex() == evaluation + 1)
        showConfusion();
    else
        m_evaluation->setCurrentIndex(evaluation + 1);
}

int ConfusionPanel::shownEvaluation() const
{
    const int evals = int(source().history->evalSteps().size());
    const int chosen = m_evaluation->currentIndex();
    return chosen <= 0 ? evals - 1 : std::min(chosen - 1, evals - 1);
}

const Confusion *ConfusionPanel::shown() const
{
    const Source from = source();
    const int t = m_task->currentIndex(), e = shownEvaluation();
    if (t < 0 || t >= int(from.tasks.size()) || e < 0)
        return nullptr;
    const std::vector<Confusion> &tasks = from.history->confusion(size_t(e));
    return size_t(t) < tasks.size() ? &tasks[size_t(t)] : nullptr;
}

void ConfusionPanel::showConfusion()
{
    const Source from = source();
    const LossHistory &history = *from.history;
    const int e = shownEvaluation();
    const Confusion *c = shown();
    m_model->clear();
    // An earlier run's view says whose it is, as the Attention tab's does.
    const QString whose = from.earlier.isEmpty() ? QString() : tr("%1, an earlier run. ").arg(from.earlier);
    if (!c) {
        m_note->setText(whose
                        + (from.tasks.empty() ? tr("Open a dataset: the confusion matrix of each task on the validation "
                                                   "split shows here at each evaluation.")
                           : e < 0 && from.earlier.isEmpty() ? tr("No evaluation yet: the matrix comes with the first "
                                                                  "validation (after the first epoch).")
                           : e < 0 ? tr("It ended before its first evaluation.")
                                   : tr("The evaluation at step %1 kept no confusion matrix: a long run keeps those of "
                                        "the latest evaluation and of earlier ones spread over it (%2 MB at most), and "
                                        "a session file written before AttnScope kept them has none.")
                                         .arg(qint64(history.evalSteps()[size_t(e)]))
                                         .arg(LossHistory::ConfusionBudget >> 20)));
        listMisses();
        return;
    }
    const TaskInfo &task = from.tasks[size_t(m_task->currentIndex())];
    const qint64 step = qint64(history.evalSteps()[size_t(e)]);
    qint64 total = 0, right = 0;
    for (int g = 0; g < (c->hasMatrix() ? c->classes : 0); ++g)
        for (int p = 0; p < c->classes; ++p) {
            total += c->count(g, p);
            right += g == p ? c->count(g, p) : 0;
        }
    // The validation split's size: the setup's, or what an earlier run's matrix counted.
    const qint64 validation = from.validation ? qint64(from.validation) : total;
    const QString sampled = validation > Confusion::MaxMissSamples
                                ? tr(" Listed below: those among %L1 validation samples spread evenly over the %L2.")
                                      .arg(Confusion::MaxMissSamples)
                                      .arg(validation)
                                : QString();
    if (!c->hasMatrix()) {
        m_note->setText(whose
                        + tr("%1 at step %2: %L3 classes, too many for a matrix (it shows up to %4); the samples "
                             "predicted wrong are listed below.%5")
                              .arg(QString::fromStdString(task.name))
                              .arg(step)
                              .arg(c->classes)
                              .arg(Confusion::MaxClasses)
                              .arg(sampled));
        listMisses();
        return;
    }
    m_note->setText(whose
                    + tr("%1 at step %2: %L3 of %L4 validation samples right (%5 %), %L6 wrong. Rows: gold class; "
                         "columns: predicted.%7")
                          .arg(QString::fromStdString(task.name))
                          .arg(step)
                          .arg(right)
                          .arg(total)
                          .arg(total ? 100.0 * double(right) / double(total) : 0.0, 0, 'f', 1)
                          .arg(total - right)
                          .arg(sampled)
                    + fillMatrix(*c, task));
    if (m_gold >= c->classes || m_predicted >= c->classes)
        m_gold = m_predicted = m_right = -1;
    listMisses();
}

QString ConfusionPanel::fillMatrix(const Confusion &c, const TaskInfo &task)
{
    const int C = c.classes;
    // Many classes (WordNet's 45): numbered columns and blank zeros (ConfusionModel).
    const bool compact = C > CompactFrom;
    m_model->show(c, task, compact, palette().color(QPalette::Base), betterColor(), worseColor());
    // Rows of the font's height (45 rows in view), as it is now: set once in
    // the constructor, they kept the 100 % font's when the window zoomed to
    // 150 % and cut the class names.
    m_matrix->verticalHeader()->setDefaultSectionSize(m_matrix->fontMetrics().height() + 6);
    if (compact) {
        // Every column as wide as the widest count or number: measured, not
        // asked of every cell (resizeColumnsToContents asks up to 1,000 rows
        // of each of the 256 columns).
        const QFontMetrics cells = m_matrix->fontMetrics(), header = m_matrix->horizontalHeader()->fontMetrics();
        const int width = std::max(cells.horizontalAdvance(QString::number(m_model->largest())),
                                   header.horizontalAdvance(QString::number(C)));
        for (int k = 0; k < C; ++k)
            m_matrix->setColumnWidth(k, width + 16);
    } else {
        m_matrix->resizeColumnsToContents();
    }
    if (!compact)
        return {};
    // The commonest errors named, as the columns are not.
    struct Pair {
        int n, gold, predicted;
    };
    std::vector<Pair> worst;
    for (int g = 0; g < C; ++g)
        for (int p = 0; p < C; ++p)
            if (g != p && c.count(g, p) > 0)
                worst.push_back({c.count(g, p), g, p});
    const size_t named = std::min<size_t>(3, worst.size());
    std::partial_sort(worst.begin(), worst.begin() + ptrdiff_t(named), worst.end(),
                      [](const Pair &x, const Pair &y) { return x.n > y.n; });
    QStringList pairs;
    for (size_t i = 0; i < named; ++i)
        pairs << tr("%1 taken for %2 (%3)")
                     .arg(className(task, worst[i].gold), className(task, worst[i].predicted))
                     .arg(worst[i].n);
    return pairs.isEmpty() ? QString() : tr(" Commonest errors: %1.").arg(pairs.join(QStringLiteral("; ")));
}

// A sample's text, or a tabular row's "name=value" of each feature (as the
// Attention tab's Text view; "–" missing), cut at 300 characters.
QString ConfusionPanel::sampleText(const Dataset &data, size_t sample)
{
    const Sample &s = data.samples[sample];
    if (data.input != InputKind::Tabular)
        return QString::fromStdString(s.text).simplified().left(300);
    QStringList parts;
    for (size_t j = 0; j < s.features.size() && j < data.featureNames.size(); ++j)
        parts << QString::fromStdString(data.featureNames[j])
                     + (std::isnan(s.features[j]) ? QStringLiteral("=–") : QStringLiteral("=%1").arg(s.features[j], 0, 'g', 4));
    const QString text = parts.join(QStringLiteral("  "));
    return text.size() > 300 ? text.left(299) + QChar(0x2026) : text;
}

void ConfusionPanel::listMisses()
{
    m_misses->clear();
    // the columns fit to what they hold, or to their titles while empty
    const auto fit = qScopeGuard([this] { fitMissColumns(); });
    const Confusion *c = shown();
    if (!c)
        return;
    const Source from = source();
    const TaskInfo &task = from.tasks[size_t(m_task->currentIndex())];
    const std::shared_ptr<const Dataset> &data = from.data;
    QList<QTreeWidgetItem *> items;
    if (m_right >= 0 && m_right < c->classes && c->hasMatrix()) {
        auto *note = new QTreeWidgetItem;
        note->setText(1, className(task, m_right));
        note->setText(2, className(task, m_right));
        note->setText(3, tr("%L1 predicted right: those samples are not kept, only the misses, all of them listed here")
                             .arg(c->count(m_right, m_right)));
        note->setFlags(Qt::ItemIsEnabled);
        QFont italic = note->font(3);
        italic.setItalic(true);
        note->setFont(3, italic);
        items << note;
    }
    for (const Confusion::Miss &m : c->misses) {
        if (m_gold >= 0 && (m.gold != m_gold || m.predicted != m_predicted))
            continue;
        auto *item = new QTreeWidgetItem;
        item->setText(0, QStringLiteral("#%1").arg(m.sample));
        item->setText(1, className(task, m.gold));
        item->setText(2, className(task, m.predicted));
        if (data && m.sample >= 0 && m.sample < int(data->samples.size())) {
            // Only a sample of the open data is one the Attention tab can show.
            item->setData(0, SampleRole, m.sample);
            item->setText(3, sampleText(*data, size_t(m.sample)));
            item->setToolTip(3, item->text(3));
        }
        items << item;
    }
    // A tabular row has no text: its features, as the Text view shows them (the column was blank).
    const bool tabular = data && data->input == InputKind::Tabular;
    m_misses->headerItem()->setText(3, tabular ? tr("Features") : tr("Text"));
    m_misses->addTopLevelItems(items);
}

// Sample, Gold and Predicted as wide as their contents and titles, 240 px at
// most (the text keeps room). Empty, they kept the tree's default width,
// which cut "Predicted" at 150 % before the first evaluation; the zoom
// fits them again.
void ConfusionPanel::fitMissColumns()
{
    for (int column = 0; column < 3; ++column) {
        m_misses->resizeColumnToContents(column);
        m_misses->setColumnWidth(column, std::min(m_misses->columnWidth(column), 240));
    }
}

} // namespace attnscope
