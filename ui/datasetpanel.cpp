#include "datasetpanel.h"

#include "collapsiblesection.h"
#include "appearance.h"
#include "data/builtins.h"
#include "tasknames.h"

#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace attnscope {

namespace {

constexpr size_t MaxClassesShown = 8;
constexpr int MaxWarningsShown = 30;
constexpr size_t MaxFeaturesShown = 100;
constexpr int MaxTableRows = 9;

// Names in this narrow panel are cut shorter than MaxNameChars: a word
// longer than the panel is wide cannot wrap.
constexpr int PanelNameChars = 24;

// A name from the data for a label: elided (tasknames.h), HTML-escaped.
QString esc(const std::string &s)
{
    return elidedName(s, PanelNameChars).toHtmlEscaped();
}

// The classes to list: all in class order when there are at most n, else
// the indices of the n largest counts, largest first (ties in class order).
std::vector<size_t> mostFrequent(const std::vector<int> &counts, size_t n)
{
    std::vector<size_t> order(counts.size());
    for (size_t k = 0; k < order.size(); ++k)
        order[k] = k;
    if (order.size() <= n)
        return order;
    std::partial_sort(order.begin(), order.begin() + ptrdiff_t(n), order.end(),
                      [&](size_t a, size_t b) { return counts[a] > counts[b] || (counts[a] == counts[b] && a < b); });
    order.resize(n);
    return order;
}

// Readable numbers: 12,345 and 0.123.
QString count(qint64 n)
{
    return QLocale::system().toString(n);
}

QString number(double v)
{
    const double a = std::abs(v);
    if (a != 0 && (a >= 1e5 || a < 1e-3))
        return QString::number(v, 'g', 3);
    return QString::number(v, 'f', a >= 100 ? 1 : a >= 10 ? 2 : 3);
}

QString swatch(int task)
{
    return QStringLiteral("<span style='color:%1'>&#9632;</span>").arg(taskColor(task).name());
}

// The roles a column can take, in the combo's order.
struct RoleItem {
    ColumnRole role;
    const char *label;
};
constexpr RoleItem Roles[] = {
    {ColumnRole::Text, QT_TRANSLATE_NOOP("DatasetPanel", "text")},
    {ColumnRole::Feature, QT_TRANSLATE_NOOP("DatasetPanel", "feature")},
    {ColumnRole::Task, QT_TRANSLATE_NOOP("DatasetPanel", "task (label)")},
    {ColumnRole::Split, QT_TRANSLATE_NOOP("DatasetPanel", "split")},
    {ColumnRole::Rationale, QT_TRANSLATE_NOOP("DatasetPanel", "rationale")},
    {ColumnRole::Ignored, QT_TRANSLATE_NOOP("DatasetPanel", "ignore")},
};

bool isRationaleName(const std::string &name)
{
    const QString l = QString::fromStdString(name).toLower();
    return (l.startsWith(QLatin1String("rationale_")) && l.size() > 10)
        || (l.startsWith(QLatin1String("rationales_")) && l.size() > 11);
}

// The roles column keeps the role in Qt::UserRole and the roles the column
// may take (a list of ints) in AllowedRoles.
constexpr int AllowedRoles = Qt::UserRole + 1;

QString roleLabel(ColumnRole role)
{
    for (const RoleItem &item : Roles)
        if (item.role == role)
            return DatasetPanel::tr(item.label);
    return {};
}

// The roles column: each cell is drawn as a combo box and edited with one
// made when the cell is clicked (not one widget per row: a file may have
// 10,000 columns, and the table then only draws the rows in view). A choice
// is written to the cell at once.
class RoleDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &, const QModelIndex &index) const override
    {
        auto *combo = new QComboBox(parent);
        for (const QVariant &role : index.data(AllowedRoles).toList())
            combo->addItem(roleLabel(ColumnRole(role.toInt())), role);
        combo->setToolTip(index.data(Qt::ToolTipRole).toString());
        combo->setCurrentIndex(combo->findData(index.data(Qt::UserRole)));
        connect(combo, &QComboBox::currentIndexChanged, this,
                [this, combo]() { emit const_cast<RoleDelegate *>(this)->commitData(combo); });
        // Opened by a click: the list at once, as a combo box in the cell would.
        if (QGuiApplication::mouseButtons() != Qt::NoButton)
            QTimer::singleShot(0, combo, &QComboBox::showPopup);
        return combo;
    }

    void setEditorData(QWidget *editor, const QModelIndex &index) const override
    {
        auto *combo = static_cast<QComboBox *>(editor);
        const QSignalBlocker block(combo);
        combo->setCurrentIndex(combo->findData(index.data(Qt::UserRole)));
    }

    void setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const override
    {
        const auto *combo = static_cast<QComboBox *>(editor);
        if (index.data(Qt::UserRole) == combo->currentData())
            return;
        model->setData(index, combo->currentData(), Qt::UserRole);
        model->setData(index, combo->currentText(), Qt::DisplayRole);
    }

    void updateEditorGeometry(QWidget *editor, const QStyleOptionViewItem &option, const QModelIndex &) const override
    {
        editor->setGeometry(option.rect);
    }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QStyleOptionComboBox box;
        box.initFrom(option.widget);
        box.rect = option.rect.adjusted(1, 1, -1, -1);
        box.currentText = index.data().toString();
        box.state = option.state | QStyle::State_Enabled;
        box.state &= ~(QStyle::State_HasFocus | QStyle::State_Selected);
        QStyle *style = option.widget ? option.widget->style() : QApplication::style();
        style->drawComplexControl(QStyle::CC_ComboBox, &box, painter, option.widget);
        style->drawControl(QStyle::CE_ComboBoxLabel, &box, painter, option.widget);
    }

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const override
    {
        // As wide as a combo box of the longest role (the same for every
        // row: measured once per font).
        if (option.font == m_font && m_size.isValid())
            return m_size;
        m_font = option.font;
        QStyleOptionComboBox box;
        box.initFrom(option.widget);
        int widest = 0;
        for (const RoleItem &item : Roles)
            widest = std::max(widest, option.fontMetrics.horizontalAdvance(DatasetPanel::tr(item.label)));
        QStyle *style = option.widget ? option.widget->style() : QApplication::style();
        m_size = style->sizeFromContents(QStyle::CT_ComboBox, &box, QSize(widest, option.fontMetrics.height()),
                                         option.widget);
        return m_size;
    }

private:
    mutable QFont m_font;
    mutable QSize m_size;
};

} // namespace

DatasetPanel::DatasetPanel(QWidget *parent)
    : QGroupBox(tr("Dataset"), parent)
{
    setObjectName(QStringLiteral("datasetPanel"));
    m_spec = new QComboBox(this);
    m_spec->setObjectName(QStringLiteral("datasetSpec"));
    m_spec->setEditable(true);
    m_spec->setInsertPolicy(QComboBox::NoInsert);
    m_spec->setToolTip(tr("A built-in generator (%1) or a JSONL, CSV or TSV file")
                           .arg(QString::fromStdString(builtinSpecHelp())));
    for (const std::string &name : builtinDatasets())
        m_spec->addItem(QStringLiteral("builtin:") + QString::fromStdString(name));
    m_spec->setCurrentIndex(-1);
    auto *load = new QPushButton(tr("Load"), this);
    load->setToolTip(tr("Load the dataset named in the field"));
    auto *open = new QPushButton(tr("Open…"), this);
    open->setToolTip(tr("Open a JSONL, CSV or TSV file (%1)").arg(QKeySequence(QKeySequence::Open).toString(QKeySequence::NativeText)));
    connect(load, &QPushButton::clicked, this, [this]() {
        if (!m_spec->currentText().trimmed().isEmpty())
            emit loadRequested(m_spec->currentText().trimmed());
    });
    connect(m_spec->lineEdit(), &QLineEdit::returnPressed, load, &QPushButton::click);
    connect(m_spec, &QComboBox::activated, this, [this](int) { emit loadRequested(m_spec->currentText().trimmed()); });
    connect(open, &QPushButton::clicked, this, &DatasetPanel::openRequested);

    auto *row = new QHBoxLayout;
    row->setSpacing(6);
    row->addWidget(m_spec, 1);
    row->addWidget(load);
    row->addWidget(open);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("datasetError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();

    // Loading: what and how far (the file's bytes read, then the summary).
    m_loading = new QLabel;
    m_loading->setObjectName(QStringLiteral("loadingLabel"));
    m_loading->setTextFormat(Qt::PlainText);
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("loadProgress"));
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(96);  // leaves the file name room beside it and Cancel
    m_loadingRow = new QWidget(this);
    auto *loadingLayout = new QHBoxLayout(m_loadingRow);
    loadingLayout->setContentsMargins(0, 0, 0, 0);
    loadingLayout->setSpacing(6);
    m_cancelLoad = new QToolButton;
    m_cancelLoad->setObjectName(QStringLiteral("cancelLoad"));
    m_cancelLoad->setText(tr("Cancel"));
    m_cancelLoad->setToolTip(tr("Stop reading the file; the open dataset stays"));
    connect(m_cancelLoad, &QToolButton::clicked, this, &DatasetPanel::cancelLoadRequested);
    loadingLayout->addWidget(m_loading, 1);
    loadingLayout->addWidget(m_progress);
    loadingLayout->addWidget(m_cancelLoad);
    m_loadingRow->hide();

    // CSV/TSV columns: name, role, an example value.
    m_table = new QTableWidget(0, 3);
    m_table->setObjectName(QStringLiteral("columnRoles"));
    m_table->setHorizontalHeaderLabels({tr("Column"), tr("Role"), tr("Example")});
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    // A long name is elided within its column rather than pushing the roles out of the narrow panel.
    m_table->horizontalHeader()->setMaximumSectionSize(m_table->fontMetrics().averageCharWidth() * 20);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setItemDelegateForColumn(1, new RoleDelegate(m_table));
    // A click on a role opens its list (only the roles are editable).
    m_table->setEditTriggers(QAbstractItemView::AllEditTriggers);
    // Rows of one height, the roles' combo boxes': no row is measured, whatever their number.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(
        std::max(QComboBox().sizeHint().height(), m_table->fontMetrics().height() + 8));
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->setWordWrap(false);
    connect(m_table, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (item->column() == 1)
            updateRolesProblem();
    });
    m_rolesProblem = new QLabel;
    m_rolesProblem->setObjectName(QStringLiteral("rolesProblem"));
    m_rolesProblem->setWordWrap(true);
    m_reload = new QPushButton(tr("Load with these roles"));
    m_reload->setObjectName(QStringLiteral("reloadWithRoles"));
    m_reload->setToolTip(tr("Load the file again with the roles chosen above"));
    connect(m_reload, &QPushButton::clicked, this, [this]() {
        if (rolesProblem().isEmpty() && !m_columnsPath.isEmpty())
            emit loadWithOptionsRequested(m_columnsPath, columnOptions(columns()));
    });
    auto *columnsBox = new QWidget;
    auto *columnsLayout = new QVBoxLayout(columnsBox);
    columnsLayout->setContentsMargins(0, 0, 0, 0);
    columnsLayout->setSpacing(6);
    columnsLayout->addWidget(m_table);
    columnsLayout->addWidget(m_rolesProblem);
    columnsLayout->addWidget(m_reload, 0, Qt::AlignRight);
    m_columnsSection = new CollapsibleSection(tr("Columns"), columnsBox, true);
    m_columnsSection->setObjectName(QStringLiteral("columnsSection"));
    m_columnsSection->hide();

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("datasetSummary"));
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setWordWrap(true);
    m_description = new QLabel(this);
    m_description->setWordWrap(true);
    m_description->setForegroundRole(QPalette::PlaceholderText);

    m_details = new QLabel;
    m_details->setObjectName(QStringLiteral("datasetDetails"));
    m_details->setTextFormat(Qt::RichText);
    m_details->setWordWrap(true);
    m_detailsSection = new CollapsibleSection(tr("Details"), m_details, false);
    m_detailsSection->setObjectName(QStringLiteral("detailsSection"));
    m_warnings = new QLabel;
    m_warnings->setObjectName(QStringLiteral("datasetWarnings"));
    m_warnings->setTextFormat(Qt::RichText);
    m_warnings->setWordWrap(true);
    m_warnings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warningsSection = new CollapsibleSection(tr("Warnings"), m_warnings, false);
    m_warningsSection->setObjectName(QStringLiteral("warningsSection"));

    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(8);
    layout->addLayout(row);
    layout->addWidget(m_loadingRow);
    layout->addWidget(m_error);
    layout->addWidget(m_columnsSection);
    layout->addWidget(m_summary);
    layout->addWidget(m_description);
    layout->addWidget(m_detailsSection);
    layout->addWidget(m_warningsSection);
    colourProblems();
    setDataset(nullptr, {});
}

void DatasetPanel::setSpec(const QString &spec)
{
    m_spec->setEditText(spec);
}

void DatasetPanel::setDataset(const Dataset *data, const DatasetSummary &s)
{
    if (!data) {
        m_summary->setText(tr("No dataset. Choose a built-in one, open a file or drop it on the window."));
        m_description->clear();
        m_description->hide();
        m_details->clear();
        m_warnings->clear();
        m_detailsSection->hide();
        m_warningsSection->hide();
        return;
    }
    // Headline: how many samples, how they split, what kind of input.
    QString html = tr("<b>%1</b> samples: %2 train, %3 validation").arg(count(s.samples), count(s.train), count(s.val));
    if (s.test > 0)
        html += tr(", %1 test").arg(count(s.test));
    html += s.splitFromFile ? tr(" (the file's split)") : QString();
    html += QStringLiteral("<br>");
    if (s.input == InputKind::Text)
        html += tr("Text, vocabulary <b>%1</b>").arg(count(s.vocabulary));
    else
        html += tr("Tabular, <b>%1</b> features").arg(s.features.size());
    if (s.rationales)
        html += tr(", with rationales");

    // One line per task in its colour, its classes with their counts below
    // (the most frequent when there are many); the first MaxNamedTasks tasks
    // only (a file may have thousands), names elided (one may be a megabyte).
    const size_t namedTasks = std::min<size_t>(s.tasks.size(), MaxNamedTasks);
    for (size_t t = 0; t < namedTasks; ++t) {
        const TaskSummary &task = s.tasks[t];
        html += QStringLiteral("<br>%1 <b>%2</b> &nbsp;%3")
                    .arg(swatch(int(t)), esc(task.name),
                         task.classes.size() == 1 ? tr("1 class") : tr("%1 classes").arg(count(qint64(task.classes.size()))));
        QStringList classes;
        for (const size_t k : mostFrequent(task.counts, MaxClassesShown))
            classes << QStringLiteral("%1&nbsp;%2").arg(esc(task.classes[k]), count(task.counts[k]));
        if (task.classes.size() > MaxClassesShown)
            classes << andMore(qint64(task.classes.size() - MaxClassesShown), tr("classes"));
        if (task.missing > 0)
            classes << tr("<i>%1&nbsp;missing</i>").arg(count(task.missing));
        html += QStringLiteral("<br>&nbsp;&nbsp;&nbsp;&nbsp;") + classes.join(QStringLiteral(" · "));
    }
    if (s.tasks.size() > namedTasks)
        html += QStringLiteral("<br>") + andMore(qint64(s.tasks.size() - namedTasks), tr("tasks"));
    m_summary->setText(html);

    // Details: lengths and vocabulary (text) or feature ranges (tabular).
    QString details;
    if (s.input == InputKind::Text) {
        details += tr("Vocabulary: <b>%1</b> tokens (from the training split)").arg(count(s.vocabulary));
        details += QStringLiteral("<br>") + tr("Out of vocabulary in validation: <b>%1%</b>").arg(100.0 * s.oovRate, 0, 'f', 1);
        details += QStringLiteral("<br>") + tr("Length in tokens: min %1 · median %2 · mean %3 · 90%: %4 · max %5")
                                                .arg(s.minLength).arg(s.medianLength).arg(s.meanLength, 0, 'f', 1)
                                                .arg(s.p90Length).arg(s.maxLength);
        details += QStringLiteral("<br>") + (s.truncated > 0
                                                 ? tr("<b>%1</b> samples longer than max length %2 (cut)").arg(count(s.truncated)).arg(s.maxLen)
                                                 : tr("No sample longer than max length %1").arg(s.maxLen));
    } else {
        details += tr("Present features per row: min %1 · median %2 · max %3").arg(s.minLength).arg(s.medianLength).arg(s.maxLength);
        details += QStringLiteral("<table cellspacing='0' cellpadding='2' style='margin-top:4px'>"
                                  "<tr><th align='left'>%1</th><th align='right'>%2</th><th align='right'>%3</th>"
                                  "<th align='right'>%4</th><th align='right'>%5</th></tr>")
                       .arg(tr("feature"), tr("min"), tr("mean"), tr("max"), tr("missing"));
        for (size_t i = 0; i < s.features.size() && i < MaxFeaturesShown; ++i) {
            const FeatureSummary &f = s.features[i];
            details += QStringLiteral("<tr><td>%1</td><td align='right'>%2</td><td align='right'>%3</td>"
                                      "<td align='right'>%4</td><td align='right'>%5</td></tr>")
                           .arg(esc(f.name), number(f.min), number(f.mean), number(f.max),
                                f.missing > 0 ? count(f.missing) : QStringLiteral("–"));
        }
        details += QStringLiteral("</table>");
        if (s.features.size() > MaxFeaturesShown)
            details += andMore(qint64(s.features.size() - MaxFeaturesShown), tr("features"));
    }
    m_details->setText(details);
    m_detailsSection->setTitle(s.input == InputKind::Text ? tr("Vocabulary and lengths") : tr("Feature ranges"));
    m_detailsSection->show();

    QStringList warnings;
    for (size_t i = 0; i < data->warnings.size() && int(i) < MaxWarningsShown; ++i)
        warnings << elidedMessage(QString::fromStdString(data->warnings[i])).toHtmlEscaped();
    if (int(data->warnings.size()) > MaxWarningsShown)
        warnings << QStringLiteral("… ") + andMore(qint64(data->warnings.size()) - MaxWarningsShown, tr("warnings"));
    m_warnings->setText(warnings.join(QStringLiteral("<br>")));
    m_warningsSection->setTitle(tr("Warnings (%1)").arg(data->warnings.size()));
    m_warningsSection->setVisible(!data->warnings.empty());

    // The first line here, the whole description (what each task depends on) as its tooltip.
    const QString description = QString::fromStdString(data->description).trimmed();
    m_description->setText(description.section(QLatin1Char('\n'), 0, 0)
                           + (description.contains(QLatin1Char('\n')) ? tr(" (hover for more)") : QString()));
    m_description->setToolTip(description);
    m_summary->setToolTip(description);
    m_description->setVisible(!description.isEmpty());
}

QString DatasetPanel::summaryText() const
{
    return m_summary->text();
}

QString DatasetPanel::detailsText() const
{
    return m_details->text();
}

QString DatasetPanel::warningsText() const
{
    return m_warnings->text();
}

void DatasetPanel::setColumns(const QString &path, const std::vector<CsvColumn> &columns, const QString &problem)
{
    m_columnsPath = path;
    m_columns = columns;
    const QSignalBlocker block(m_table);  // one check of the roles at the end, not one per cell
    m_table->setRowCount(0);  // closes the editors roleField opened
    m_table->setRowCount(int(columns.size()));
    QFont italic = m_table->font();
    italic.setItalic(true);
    for (int r = 0; r < int(columns.size()); ++r) {
        const CsvColumn &c = columns[size_t(r)];
        // Names and examples elided: a header may hold a megabyte.
        const QString name = elidedName(c.name, PanelNameChars);
        auto *item = new QTableWidgetItem(name.isEmpty() ? tr("(no name)") : name);
        item->setFlags(Qt::ItemIsEnabled);
        const QString longName = elidedName(c.name, MaxTooltipNameChars);
        item->setToolTip(c.numeric ? tr("%1: numeric").arg(longName) : tr("%1: not numeric").arg(longName));
        m_table->setItem(r, 0, item);
        QVariantList allowed;
        for (const RoleItem &role : Roles) {
            if (role.role == ColumnRole::Rationale && !isRationaleName(c.name) && c.role != ColumnRole::Rationale)
                continue;  // rationale columns are named rationale_<task>
            allowed << int(role.role);
        }
        auto *roleItem = new QTableWidgetItem(roleLabel(c.role));
        roleItem->setFlags(Qt::ItemIsEnabled | Qt::ItemIsEditable);
        roleItem->setData(Qt::UserRole, int(c.role));
        roleItem->setData(AllowedRoles, allowed);
        roleItem->setToolTip(tr("What %1 is: the text, a numeric feature, a task's labels, the split "
                                "(train/val/test), a task's rationales, or nothing").arg(name));
        m_table->setItem(r, 1, roleItem);
        auto *value = new QTableWidgetItem(elidedName(c.example, 60).simplified());
        value->setFlags(Qt::ItemIsEnabled);
        value->setToolTip(elidedName(c.example, MaxTooltipNameChars));
        value->setFont(italic);
        m_table->setItem(r, 2, value);
    }
    const int rows = std::min<int>(int(columns.size()), MaxTableRows);
    m_table->setFixedHeight(m_table->horizontalHeader()->sizeHint().height() + 2 * m_table->frameWidth()
                            + rows * m_table->verticalHeader()->defaultSectionSize());
    m_columnsSection->setTitle(tr("Columns of %1").arg(QFileInfo(path).fileName()));
    m_columnsSection->setVisible(!columns.empty());
    m_columnsSection->setExpanded(true);
    updateRolesProblem();
    if (!problem.isEmpty() && rolesProblem().isEmpty()) {
        m_rolesProblem->setText(problem.toHtmlEscaped());
        m_rolesProblem->setVisible(true);
    }
}

void DatasetPanel::clearColumns()
{
    m_columnsPath.clear();
    m_columns.clear();
    m_table->setRowCount(0);
    m_columnsSection->hide();
}

std::vector<CsvColumn> DatasetPanel::columns() const
{
    std::vector<CsvColumn> out = m_columns;
    for (int r = 0; r < int(out.size()) && r < m_table->rowCount(); ++r)
        if (const QTableWidgetItem *item = m_table->item(r, 1))
            out[size_t(r)].role = ColumnRole(item->data(Qt::UserRole).toInt());
    return out;
}

QComboBox *DatasetPanel::roleField(const QString &column) const
{
    const std::string name = column.toStdString();
    for (int r = 0; r < m_table->rowCount() && r < int(m_columns.size()); ++r) {
        if (m_columns[size_t(r)].name != name)
            continue;
        // The editor the table opens at a click, kept open.
        QTableWidgetItem *item = m_table->item(r, 1);
        if (!m_table->isPersistentEditorOpen(item))
            m_table->openPersistentEditor(item);
        return qobject_cast<QComboBox *>(m_table->cellWidget(r, 1));
    }
    return nullptr;
}

// The core's rules for roles, checked before loading so that the choice is
// refused here, with the reason, rather than by a failed load.
QString DatasetPanel::rolesProblem() const
{
    int text = 0, features = 0, tasks = 0, splits = 0;
    QStringList notNumeric;
    for (const CsvColumn &c : columns()) {
        switch (c.role) {
        case ColumnRole::Text: ++text; break;
        case ColumnRole::Feature:
            ++features;
            if (!c.numeric)
                notNumeric << elidedName(c.name);
            break;
        case ColumnRole::Task: ++tasks; break;
        case ColumnRole::Split: ++splits; break;
        default: break;
        }
    }
    if (text > 1)
        return tr("Choose one text column, not %1.").arg(text);
    if (text > 0 && features > 0)
        return tr("Choose a text column or feature columns, not both.");
    if (text + features == 0)
        return tr("Choose the input: a text column or numeric feature columns.");
    if (tasks == 0)
        return tr("Choose at least one task (label) column.");
    if (splits > 1)
        return tr("Choose one split column, not %1.").arg(splits);
    if (!notNumeric.isEmpty()) {
        // Named up to a few (a file may have thousands), elided.
        QStringList named;
        for (qsizetype i = 0; i < notNumeric.size() && i < 3; ++i)
            named << notNumeric[i];
        if (notNumeric.size() > named.size())
            named << andMore(notNumeric.size() - named.size(), tr("columns"));
        return notNumeric.size() == 1 ? tr("%1 is not numeric and cannot be a feature.").arg(named.join(QString()))
                                      : tr("%1 are not numeric and cannot be features.").arg(named.join(QStringLiteral(", ")));
    }
    return {};
}

void DatasetPanel::updateRolesProblem()
{
    const QString problem = rolesProblem();
    m_rolesProblem->setText(problem.toHtmlEscaped());
    m_rolesProblem->setVisible(!problem.isEmpty());
    m_reload->setEnabled(problem.isEmpty() && !m_columnsPath.isEmpty());
}

// Problems in vermillion, dark enough on a light palette and light enough on a dark one.
void DatasetPanel::colourProblems()
{
    const QColor colour = isDarkPalette(palette()) ? QColor(0xFF, 0x9E, 0x5E) : QColor(0xB0, 0x4A, 0x00);
    for (QLabel *label : {m_error, m_rolesProblem}) {
        QPalette pal = label->palette();
        pal.setColor(QPalette::WindowText, colour);
        label->setPalette(pal);
    }
}

void DatasetPanel::changeEvent(QEvent *event)
{
    QGroupBox::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        colourProblems();
}

void DatasetPanel::setLoading(const QString &spec, int percent, const QString &what)
{
    if (percent < 0) {
        m_loadingRow->hide();
        return;
    }
    const QString name = spec.startsWith(QLatin1String("builtin:")) ? spec : QFileInfo(spec).fileName();
    m_loading->setText(what.isEmpty() ? tr("Loading %1…").arg(name) : what.arg(name));
    m_loading->setToolTip(spec);
    m_progress->setValue(std::clamp(percent, 0, 100));
    m_cancelLoad->setEnabled(true);
    m_loadingRow->show();
}

void DatasetPanel::setCancelling()
{
    m_loading->setText(tr("Cancelling…"));
    m_cancelLoad->setEnabled(false);
}

bool DatasetPanel::isLoading() const
{
    return m_loadingRow->isVisibleTo(this);
}

void DatasetPanel::setLoadError(const QString &message)
{
    m_loadError = message;
    // The message quotes the file (a column name may be a megabyte): the
    // panel shows its start and end, the tooltip a longer part.
    m_error->setText(message.isEmpty() ? QString()
                                       : tr("<b>Could not load.</b> %1").arg(elidedMessage(message).toHtmlEscaped()));
    m_error->setToolTip(elidedMessage(message, 4 * MaxTooltipNameChars));
    m_error->setVisible(!message.isEmpty());
}

QString DatasetPanel::loadError() const
{
    return m_error->isVisibleTo(this) ? m_loadError : QString();
}

} // namespace attnscope
