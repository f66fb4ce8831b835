#include "columnroleseditor.h"

#include "appearance.h"
#include "tasknames.h"

#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace attnscope {

namespace {

constexpr int MaxTableRows = 9;

// The roles a column can take, in the combo's order.
struct RoleItem {
    ColumnRole role;
    const char *label;
};
constexpr RoleItem Roles[] = {
    {ColumnRole::Text, QT_TRANSLATE_NOOP("ColumnRolesEditor", "text")},
    {ColumnRole::Feature, QT_TRANSLATE_NOOP("ColumnRolesEditor", "feature")},
    {ColumnRole::Task, QT_TRANSLATE_NOOP("ColumnRolesEditor", "task (label)")},
    {ColumnRole::Split, QT_TRANSLATE_NOOP("ColumnRolesEditor", "split")},
    {ColumnRole::Rationale, QT_TRANSLATE_NOOP("ColumnRolesEditor", "rationale")},
    {ColumnRole::Ignored, QT_TRANSLATE_NOOP("ColumnRolesEditor", "ignore")},
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
            return ColumnRolesEditor::tr(item.label);
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
            widest = std::max(widest, option.fontMetrics.horizontalAdvance(ColumnRolesEditor::tr(item.label)));
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

ColumnRolesEditor::ColumnRolesEditor(QWidget *parent)
    : QWidget(parent)
{
    // The columns: name, role, an example value.
    m_table = new QTableWidget(0, 3);
    m_table->setObjectName(QStringLiteral("columnRoles"));
    m_table->setHorizontalHeaderLabels({tr("Column"), tr("Role"), tr("Example")});
    m_table->verticalHeader()->hide();
    // The names get what the roles and a few characters of the example leave
    // (fitColumns): a long name is elided rather than cutting the roles'
    // combo boxes ("task (la") in the narrow panel.
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Fixed);
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->viewport()->installEventFilter(this);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setItemDelegateForColumn(1, new RoleDelegate(m_table));
    // A click on a role opens its list (only the roles are editable).
    m_table->setEditTriggers(QAbstractItemView::AllEditTriggers);
    // Rows of one height, the roles' combo boxes': no row is measured, whatever their number.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->setWordWrap(false);
    connect(m_table, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (item->column() == 1)
            updateRolesProblem();
    });
    m_rolesProblem = new QLabel;
    m_rolesProblem->setObjectName(QStringLiteral("rolesProblem"));
    m_rolesProblem->setWordWrap(true);
    // Plain: the messages quote column names, which may hold < or &.
    m_rolesProblem->setTextFormat(Qt::PlainText);
    m_reload = new QPushButton(tr("Load with these roles"));
    m_reload->setObjectName(QStringLiteral("reloadWithRoles"));
    m_reload->setToolTip(tr("Load the file again with the roles chosen above"));
    connect(m_reload, &QPushButton::clicked, this, [this]() {
        if (rolesProblem().isEmpty() && !m_path.isEmpty())
            emit loadWithOptionsRequested(m_path, columnOptions(columns()));
    });
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    layout->addWidget(m_table);
    layout->addWidget(m_rolesProblem);
    layout->addWidget(m_reload, 0, Qt::AlignRight);
    setProblemColor(m_rolesProblem, palette());
}

void ColumnRolesEditor::setColumns(const QString &path, const std::vector<CsvColumn> &columns, const QString &problem)
{
    m_path = path;
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
    fitRows();
    fitColumns();
    updateRolesProblem();
    // The reader's problem, when the roles are right or were never guessed:
    // a first row it could not read (a quote never closed) leaves every
    // column "ignore", and "Choose the input" sent the user to the roles.
    const bool guessed = std::any_of(columns.begin(), columns.end(),
                                     [](const CsvColumn &c) { return c.role != ColumnRole::Ignored; });
    if (!problem.isEmpty() && (rolesProblem().isEmpty() || !guessed)) {
        m_rolesProblem->setText(problem);
        m_rolesProblem->setVisible(true);
    }
}

void ColumnRolesEditor::clear()
{
    m_path.clear();
    m_columns.clear();
    m_table->setRowCount(0);
}

std::vector<CsvColumn> ColumnRolesEditor::columns() const
{
    std::vector<CsvColumn> out = m_columns;
    for (int r = 0; r < int(out.size()) && r < m_table->rowCount(); ++r)
        if (const QTableWidgetItem *item = m_table->item(r, 1))
            out[size_t(r)].role = ColumnRole(item->data(Qt::UserRole).toInt());
    return out;
}

QComboBox *ColumnRolesEditor::roleField(const QString &column) const
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
QString ColumnRolesEditor::rolesProblem() const
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

void ColumnRolesEditor::updateRolesProblem()
{
    const QString problem = rolesProblem();
    m_rolesProblem->setText(problem);
    m_rolesProblem->setVisible(!problem.isEmpty());
    m_reload->setEnabled(problem.isEmpty() && !m_path.isEmpty());
}

// Rows of one height, the roles' combo boxes' (no row is measured, whatever
// their number), and room for up to MaxTableRows of them: again at each font
// (View > Zoom).
void ColumnRolesEditor::fitRows()
{
    QComboBox combo;
    combo.setFont(m_table->font());
    m_table->verticalHeader()->setDefaultSectionSize(
        std::max(combo.sizeHint().height(), m_table->fontMetrics().height() + 8));
    const int rows = std::min<int>(m_table->rowCount(), MaxTableRows);
    m_table->setFixedHeight(m_table->horizontalHeader()->sizeHint().height() + 2 * m_table->frameWidth()
                            + rows * m_table->verticalHeader()->defaultSectionSize());
}

// The name column: as wide as its names, at most 20 characters, and never
// more than the roles and six characters of the example leave of the table.
void ColumnRolesEditor::fitColumns()
{
    const int chars = m_table->fontMetrics().averageCharWidth();
    const int roles = m_table->horizontalHeader()->sectionSize(1);
    const int room = m_table->viewport()->width() - roles - 6 * chars;
    // The names' own width (elided already; the first rows suffice for a guess).
    const QFontMetrics metrics = m_table->fontMetrics();
    int names = m_table->horizontalHeader()->sectionSizeHint(0);
    for (int r = 0; r < std::min(m_table->rowCount(), 200); ++r)
        if (const QTableWidgetItem *item = m_table->item(r, 0))
            names = std::max(names, metrics.horizontalAdvance(item->text()) + 2 * chars);
    m_table->horizontalHeader()->resizeSection(0, std::max(4 * chars, std::min({names, 20 * chars, room})));
}

bool ColumnRolesEditor::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table->viewport() && event->type() == QEvent::Resize)
        fitColumns();
    return QWidget::eventFilter(watched, event);
}

void ColumnRolesEditor::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        setProblemColor(m_rolesProblem, palette());
    if (event->type() == QEvent::FontChange) {
        fitRows();
        fitColumns();
    }
}

} // namespace attnscope
