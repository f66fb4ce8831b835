#include "datasetpanel.h"

#include "collapsiblesection.h"
#include "taskcolors.h"

#include <QComboBox>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace attnscope {

namespace {

constexpr int MaxClassesShown = 8;
constexpr int MaxWarningsShown = 30;
constexpr int MaxTableRows = 9;

QString esc(const std::string &s)
{
    return QString::fromStdString(s).toHtmlEscaped();
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

} // namespace

DatasetPanel::DatasetPanel(QWidget *parent)
    : QGroupBox(tr("Dataset"), parent)
{
    setObjectName(QStringLiteral("datasetPanel"));
    m_spec = new QComboBox(this);
    m_spec->setObjectName(QStringLiteral("datasetSpec"));
    m_spec->setEditable(true);
    m_spec->setInsertPolicy(QComboBox::NoInsert);
    m_spec->setToolTip(tr("A built-in generator (builtin:NAME?n=2000&seed=7) or a JSONL, CSV or TSV file"));
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
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->setWordWrap(false);
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

    // One line per task in its colour, its classes with their counts below.
    for (size_t t = 0; t < s.tasks.size(); ++t) {
        const TaskSummary &task = s.tasks[t];
        html += QStringLiteral("<br>%1 <b>%2</b> &nbsp;%3")
                    .arg(swatch(int(t)), esc(task.name),
                         task.classes.size() == 1 ? tr("1 class") : tr("%1 classes").arg(task.classes.size()));
        QStringList classes;
        const int shown = std::min<int>(int(task.classes.size()), MaxClassesShown);
        for (int k = 0; k < shown; ++k)
            classes << QStringLiteral("%1&nbsp;%2").arg(esc(task.classes[size_t(k)]), count(task.counts[size_t(k)]));
        if (int(task.classes.size()) > shown)
            classes << tr("%1 more").arg(int(task.classes.size()) - shown);
        if (task.missing > 0)
            classes << tr("<i>%1&nbsp;missing</i>").arg(count(task.missing));
        html += QStringLiteral("<br>&nbsp;&nbsp;&nbsp;&nbsp;") + classes.join(QStringLiteral(" · "));
    }
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
        for (const FeatureSummary &f : s.features)
            details += QStringLiteral("<tr><td>%1</td><td align='right'>%2</td><td align='right'>%3</td>"
                                      "<td align='right'>%4</td><td align='right'>%5</td></tr>")
                           .arg(esc(f.name), number(f.min), number(f.mean), number(f.max),
                                f.missing > 0 ? count(f.missing) : QStringLiteral("–"));
        details += QStringLiteral("</table>");
    }
    m_details->setText(details);
    m_detailsSection->setTitle(s.input == InputKind::Text ? tr("Vocabulary and lengths") : tr("Feature ranges"));
    m_detailsSection->show();

    QStringList warnings;
    for (size_t i = 0; i < data->warnings.size() && int(i) < MaxWarningsShown; ++i)
        warnings << esc(data->warnings[i]);
    if (int(data->warnings.size()) > MaxWarningsShown)
        warnings << tr("… and %1 more").arg(int(data->warnings.size()) - MaxWarningsShown);
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
    m_table->setRowCount(int(columns.size()));
    for (int r = 0; r < int(columns.size()); ++r) {
        const CsvColumn &c = columns[size_t(r)];
        const QString name = QString::fromStdString(c.name);
        auto *item = new QTableWidgetItem(name.isEmpty() ? tr("(no name)") : name);
        item->setToolTip(c.numeric ? tr("%1: numeric").arg(name) : tr("%1: not numeric").arg(name));
        m_table->setItem(r, 0, item);
        auto *combo = new QComboBox;
        combo->setObjectName(QStringLiteral("role_") + name);
        for (const RoleItem &role : Roles) {
            if (role.role == ColumnRole::Rationale && !isRationaleName(c.name) && c.role != ColumnRole::Rationale)
                continue;  // rationale columns are named rationale_<task>
            combo->addItem(tr(role.label), int(role.role));
        }
        combo->setCurrentIndex(combo->findData(int(c.role)));
        combo->setToolTip(tr("What %1 is: the text, a numeric feature, a task's labels, the split "
                             "(train/val/test), a task's rationales, or nothing").arg(name));
        connect(combo, &QComboBox::currentIndexChanged, this, &DatasetPanel::updateRolesProblem);
        m_table->setCellWidget(r, 1, combo);
        QString example = QString::fromStdString(c.example).simplified();
        if (example.size() > 60)
            example = example.left(59) + QChar(0x2026);
        auto *value = new QTableWidgetItem(example);
        value->setToolTip(QString::fromStdString(c.example));
        QFont italic = value->font();
        italic.setItalic(true);
        value->setFont(italic);
        m_table->setItem(r, 2, value);
    }
    m_table->resizeRowsToContents();
    const int rows = std::min<int>(int(columns.size()), MaxTableRows);
    int height = m_table->horizontalHeader()->height() + 2 * m_table->frameWidth();
    for (int r = 0; r < rows; ++r)
        height += m_table->rowHeight(r);
    m_table->setFixedHeight(height);
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
        if (const auto *combo = qobject_cast<QComboBox *>(m_table->cellWidget(r, 1)))
            out[size_t(r)].role = ColumnRole(combo->currentData().toInt());
    return out;
}

QComboBox *DatasetPanel::roleField(const QString &column) const
{
    for (int r = 0; r < m_table->rowCount(); ++r)
        if (r < int(m_columns.size()) && QString::fromStdString(m_columns[size_t(r)].name) == column)
            return qobject_cast<QComboBox *>(m_table->cellWidget(r, 1));
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
                notNumeric << QString::fromStdString(c.name);
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
    if (!notNumeric.isEmpty())
        return tr("%1 is not numeric and cannot be a feature.").arg(notNumeric.join(QStringLiteral(", ")));
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
    m_error->setText(message.isEmpty() ? QString() : tr("<b>Could not load.</b> %1").arg(message.toHtmlEscaped()));
    m_error->setToolTip(message);
    m_error->setVisible(!message.isEmpty());
}

QString DatasetPanel::loadError() const
{
    return m_error->isVisibleTo(this) ? m_error->toolTip() : QString();
}

} // namespace attnscope
