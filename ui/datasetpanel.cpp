#include "datasetpanel.h"

#include "taskcolors.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace attnscope {

DatasetPanel::DatasetPanel(QWidget *parent)
    : QGroupBox(tr("Dataset"), parent)
{
    setObjectName(QStringLiteral("datasetPanel"));
    m_spec = new QComboBox(this);
    m_spec->setObjectName(QStringLiteral("datasetSpec"));
    m_spec->setEditable(true);
    m_spec->setInsertPolicy(QComboBox::NoInsert);
    m_spec->setToolTip(tr("A built-in generator (builtin:NAME?n=2000&seed=7) or a JSONL file"));
    for (const std::string &name : builtinDatasets())
        m_spec->addItem(QStringLiteral("builtin:") + QString::fromStdString(name));
    m_spec->setCurrentIndex(-1);
    auto *load = new QPushButton(tr("Load"), this);
    auto *open = new QPushButton(tr("Open…"), this);
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

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("datasetSummary"));
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setWordWrap(true);
    m_description = new QLabel(this);
    m_description->setWordWrap(true);
    m_description->setForegroundRole(QPalette::PlaceholderText);

    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(8);
    layout->addLayout(row);
    layout->addWidget(m_summary);
    layout->addWidget(m_description);
    setDataset(nullptr, 0, 0, 0);
}

void DatasetPanel::setSpec(const QString &spec)
{
    m_spec->setEditText(spec);
}

void DatasetPanel::setDataset(const Dataset *data, int trainSamples, int valSamples, int vocabSize)
{
    if (!data) {
        m_summary->setText(tr("No dataset. Choose a built-in one, open a file or drop it on the window."));
        m_description->clear();
        return;
    }
    QString html = tr("<b>%1</b> samples (%2 train / %3 validation), %4 input")
                       .arg(data->samples.size())
                       .arg(trainSamples)
                       .arg(valSamples)
                       .arg(QString::fromLatin1(toString(data->input)));
    if (data->input == InputKind::Text && vocabSize > 0)
        html += tr(", vocabulary <b>%1</b>").arg(vocabSize);
    if (data->input == InputKind::Tabular)
        html += tr(", <b>%1</b> features").arg(data->featureNames.size());
    html += QStringLiteral("<br>") + tr("%n task(s):", nullptr, int(data->tasks.size()));
    for (size_t t = 0; t < data->tasks.size(); ++t) {
        const TaskInfo &task = data->tasks[t];
        html += QStringLiteral("<br>&nbsp;<span style='color:%1'>&#9632;</span> <b>%2</b> — %3 classes")
                    .arg(taskColor(int(t)).name(), QString::fromStdString(task.name).toHtmlEscaped())
                    .arg(task.classes.size());
    }
    if (!data->warnings.empty())
        html += QStringLiteral("<br>") + tr("%n warning(s) while loading", nullptr, int(data->warnings.size()));
    m_summary->setText(html);
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

} // namespace attnscope
