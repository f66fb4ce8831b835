#include "datasetpanel.h"

#include "appearance.h"
#include "collapsiblesection.h"
#include "columnroleseditor.h"
#include "data/builtins.h"
#include "datasetsummaryview.h"
#include "flowlayout.h"
#include "tasknames.h"

#include <QComboBox>
#include <QAbstractItemView>
#include <QEvent>
#include <QKeyEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace attnscope {

namespace {

// A word of the message longer than the panel is wide cannot wrap: the label
// cuts it, and with it the end of the message, which says what was wrong
// (a column name of 3,000 characters hid "has the same name as column 2"). Such words keep
// their start and end.
QString withWrappableWords(const QString &message)
{
    QStringList words = message.split(QLatin1Char(' '));
    for (QString &word : words)
        word = elidedMessage(word, PanelNameChars);
    return words.join(QLatin1Char(' '));
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
    m_spec->setToolTip(tr("A built-in generator (%1) or a JSONL, CSV or TSV file")
                           .arg(QString::fromStdString(builtinSpecHelp())));
    for (const std::string &name : builtinDatasets())
        m_spec->addItem(QStringLiteral("builtin:") + QString::fromStdString(name));
    m_spec->setCurrentIndex(-1);
    auto *load = new QPushButton(tr("Load"), this);
    load->setToolTip(tr("Load the dataset named in the field"));
    auto *open = new QPushButton(tr("Open…"), this);
    open->setToolTip(tr("Open a JSONL, CSV or TSV file (%1)").arg(QKeySequence(QKeySequence::Open).toString(QKeySequence::NativeText)));
    connect(load, &QPushButton::clicked, this, &DatasetPanel::requestLoad);
    // One request per Return: the field's returnPressed clicked Load, and the
    // combo's own Return handling, on a text that is one of its items (a
    // built-in), sent activated, a second one; after No to "end the run in
    // progress?" that second asked to open the data still open (the field
    // shows it again), and reloaded it when the run had finished meanwhile
    // (accept26 E7). Return is taken before either (the combo gets the keys
    // of its field; a test may send them to the field): activated is left for
    // an item chosen in the list.
    m_spec->installEventFilter(this);
    m_spec->lineEdit()->installEventFilter(this);
    connect(m_spec, &QComboBox::activated, this, &DatasetPanel::requestLoad);
    connect(open, &QPushButton::clicked, this, &DatasetPanel::openRequested);

    // Load and Open… go under the field where the panel is too narrow for
    // the three on a line (the Setup column at 150 % on a projector: the
    // field, squeezed, read "in:reviews").
    m_spec->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    auto *row = new FlowLayout(nullptr, 6, 6);
    row->addWidget(m_spec);
    row->addGroup({load, open});

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

    // CSV/TSV columns and their roles, folded away when the file has none.
    m_roles = new ColumnRolesEditor;
    connect(m_roles, &ColumnRolesEditor::loadWithOptionsRequested, this, &DatasetPanel::loadWithOptionsRequested);
    m_columnsSection = new CollapsibleSection(tr("Columns"), m_roles, true);
    m_columnsSection->setObjectName(QStringLiteral("columnsSection"));
    m_columnsSection->hide();

    m_summary = new DatasetSummaryView(this);

    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(8);
    layout->addLayout(row);
    layout->addWidget(m_loadingRow);
    layout->addWidget(m_error);
    layout->addWidget(m_columnsSection);
    layout->addWidget(m_summary);
    setProblemColor(m_error, palette());
}

void DatasetPanel::requestLoad()
{
    // Not while one is asked: the question's box takes the focus from the
    // field, and its completer sends activated, a second request behind the
    // first box (seen under X11).
    if (m_requesting)
        return;
    const QScopedValueRollback<bool> requesting(m_requesting, true);
    const QString spec = m_spec->currentText().trimmed();
    if (!spec.isEmpty())
        emit loadRequested(spec);
}

bool DatasetPanel::eventFilter(QObject *watched, QEvent *event)
{
    if ((watched == m_spec || watched == m_spec->lineEdit()) && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter)
            && !(m_spec->view() && m_spec->view()->isVisible())) {  // the list's own Return picks its item
            m_spec->lineEdit()->deselect();  // an inline completion is taken as it reads
            requestLoad();
            return true;
        }
    }
    return QGroupBox::eventFilter(watched, event);
}

void DatasetPanel::setSpec(const QString &spec)
{
    m_spec->setEditText(spec);
}

QString DatasetPanel::spec() const
{
    return m_spec->currentText();
}

void DatasetPanel::setDataset(const Dataset *data, const DatasetSummary &summary)
{
    m_summary->setDataset(data, summary);
}

QString DatasetPanel::summaryText() const
{
    return m_summary->summaryText();
}

QString DatasetPanel::detailsText() const
{
    return m_summary->detailsText();
}

QString DatasetPanel::warningsText() const
{
    return m_summary->warningsText();
}

CollapsibleSection *DatasetPanel::detailsSection() const
{
    return m_summary->detailsSection();
}

CollapsibleSection *DatasetPanel::warningsSection() const
{
    return m_summary->warningsSection();
}

void DatasetPanel::setColumns(const QString &path, const std::vector<CsvColumn> &columns, const QString &problem)
{
    m_roles->setColumns(path, columns, problem);
    m_columnsSection->setTitle(tr("Columns of %1").arg(QFileInfo(path).fileName()));
    m_columnsSection->setVisible(!columns.empty());
    m_columnsSection->setExpanded(true);
}

void DatasetPanel::clearColumns()
{
    m_roles->clear();
    m_columnsSection->hide();
}

QString DatasetPanel::columnsPath() const
{
    return m_roles->path();
}

std::vector<CsvColumn> DatasetPanel::columns() const
{
    return m_roles->columns();
}

QComboBox *DatasetPanel::roleField(const QString &column) const
{
    return m_roles->roleField(column);
}

QPushButton *DatasetPanel::reloadButton() const
{
    return m_roles->reloadButton();
}

QString DatasetPanel::rolesProblem() const
{
    return m_roles->rolesProblem();
}

void DatasetPanel::changeEvent(QEvent *event)
{
    QGroupBox::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        setProblemColor(m_error, palette());
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

void DatasetPanel::setLoadError(const QString &message, const QString &heading)
{
    m_loadError = message;
    // The message quotes the file (a column name may be a megabyte): the
    // panel shows its start and end, and of each long word its start and
    // end; the tooltip a longer part.
    m_error->setText(message.isEmpty() ? QString()
                                       : tr("<b>%1</b> %2")
                                             .arg((heading.isEmpty() ? tr("Could not load.") : heading).toHtmlEscaped(),
                                                  withWrappableWords(elidedMessage(message)).toHtmlEscaped()));
    m_error->setToolTip(elidedMessage(message, 4 * MaxTooltipNameChars));
    m_error->setVisible(!message.isEmpty());
}

QString DatasetPanel::loadError() const
{
    return m_error->isVisibleTo(this) ? m_loadError : QString();
}

} // namespace attnscope