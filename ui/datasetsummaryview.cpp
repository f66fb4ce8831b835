#include "datasetsummaryview.h"

#include "appearance.h"
#include "collapsiblesection.h"
#include "tasknames.h"

#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {

constexpr size_t MaxClassesShown = 8;
// A class name of up to this many characters stays on the line of its count
// ("positive 1,009"): with the count and the separator, such a pair fits the
// narrowest dock at 150 %. A longer name may end a line before its count.
constexpr size_t GluedClassName = 12;
// Every warning of a file in the folded section (the dock scrolls): the
// loader keeps one per column, task or class and counts repeats per row
// (loadwarnings.h); a file of thousands of columns lists the first
// MaxWarningsShown and says how many more and where they all are.
constexpr int MaxWarningsShown = 500;
constexpr size_t MaxFeaturesShown = 100;

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

} // namespace

DatasetSummaryView::DatasetSummaryView(QWidget *parent)
    : QWidget(parent)
{
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
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    layout->addWidget(m_summary);
    layout->addWidget(m_description);
    layout->addWidget(m_detailsSection);
    layout->addWidget(m_warningsSection);
    setDataset(nullptr, {});
}

void DatasetSummaryView::setDataset(const Dataset *data, const DatasetSummary &s)
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
    m_summary->setText(headline(s) + tasksHtml(s));
    m_details->setText(s.input == InputKind::Text ? textDetails(s) : featureDetails(s));
    m_detailsSection->setTitle(s.input == InputKind::Text ? tr("Vocabulary and lengths") : tr("Feature ranges"));
    m_detailsSection->show();
    m_warnings->setText(warningsHtml(data->warnings));
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

// How many samples, how they split, what kind of input.
QString DatasetSummaryView::headline(const DatasetSummary &s)
{
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
    return html;
}

// One line per task in its colour, its classes with their counts below (the
// most frequent when there are many); the first MaxNamedTasks tasks only (a
// file may have thousands), names elided (one may be a megabyte).
QString DatasetSummaryView::tasksHtml(const DatasetSummary &s)
{
    QString html;
    const size_t namedTasks = std::min<size_t>(s.tasks.size(), MaxNamedTasks);
    for (size_t t = 0; t < namedTasks; ++t) {
        const TaskSummary &task = s.tasks[t];
        html += QStringLiteral("<div>%1 <b>%2</b> &nbsp;%3</div>")
                    .arg(swatch(int(t)), esc(task.name),
                         task.classes.size() == 1 ? tr("1 class") : tr("%1 classes").arg(count(qint64(task.classes.size()))));
        QStringList classes;
        // A class and its count stay on one line where the pair is short;
        // a longer name may end a line before its count: glued, the pair
        // "noun.communication 5,603 ·" was wider than the dock at 1024 x 768
        // and 150 % and ran off its edge, cut.
        for (const size_t k : mostFrequent(task.counts, MaxClassesShown))
            classes << QStringLiteral("%1%2%3").arg(esc(task.classes[k]),
                                                    task.classes[k].size() <= GluedClassName ? QStringLiteral("&nbsp;") : QStringLiteral(" "),
                                                    count(task.counts[k]));
        if (task.classes.size() > MaxClassesShown)
            classes << andMore(qint64(task.classes.size() - MaxClassesShown), tr("classes"));
        if (task.missing > 0)
            classes << tr("<i>%1&nbsp;missing</i>").arg(count(task.missing));
        // Indented below the task's name, wrapped lines too (a cell beside
        // an indent of spaces, which the zoom scales), and no line begins
        // with a separator: "negative 991 ·" / "positive 1,009" at 150 %
        // in a narrow dock, not "negative 991" / "· positive" flush left.
        html += QStringLiteral("<table cellspacing=\"0\" cellpadding=\"0\"><tr><td>&nbsp;&nbsp;&nbsp;&nbsp;</td><td>")
                + classes.join(QStringLiteral("&nbsp;· ")) + QStringLiteral("</td></tr></table>");
    }
    if (s.tasks.size() > namedTasks)
        html += QStringLiteral("<div>") + andMore(qint64(s.tasks.size() - namedTasks), tr("tasks")) + QStringLiteral("</div>");
    return html;
}

// Text: the vocabulary, out-of-vocabulary rate and lengths.
QString DatasetSummaryView::textDetails(const DatasetSummary &s)
{
    QString details = tr("Vocabulary: <b>%1</b> tokens (from the training split)").arg(count(s.vocabulary));
    details += QStringLiteral("<br>") + tr("Out of vocabulary in validation: <b>%1%</b>").arg(100.0 * s.oovRate, 0, 'f', 1);
    details += QStringLiteral("<br>") + tr("Length in tokens: min %1 · median %2 · mean %3 · 90%: %4 · max %5")
                                            .arg(s.minLength).arg(s.medianLength).arg(s.meanLength, 0, 'f', 1)
                                            .arg(s.p90Length).arg(s.maxLength);
    details += QStringLiteral("<br>") + (s.truncated > 0
                                             ? tr("<b>%1</b> samples longer than max length %2 (cut)").arg(count(s.truncated)).arg(s.maxLen)
                                             : tr("No sample longer than max length %1").arg(s.maxLen));
    return details;
}

// Tabular: features per row, then a line per feature (the first
// MaxFeaturesShown) with its range, mean and missing count. Lines, not a
// table: a table is as wide as its widest row at the least (472 px for
// machines.tsv at 150 %), wider than the Setup column, and the layouts then
// gave the label the height of a wider one: its last lines were cut (A27).
QString DatasetSummaryView::featureDetails(const DatasetSummary &s)
{
    QString details = tr("Present features per row: min %1 · median %2 · max %3").arg(s.minLength).arg(s.medianLength).arg(s.maxLength);
    for (size_t i = 0; i < s.features.size() && i < MaxFeaturesShown; ++i) {
        const FeatureSummary &f = s.features[i];
        details += QStringLiteral("<br><b>%1</b> %2&nbsp;to&nbsp;%3, mean&nbsp;%4").arg(esc(f.name), number(f.min), number(f.max), number(f.mean));
        if (f.missing > 0)
            details += tr(", <i>%1&nbsp;missing</i>").arg(count(f.missing));
    }
    if (s.features.size() > MaxFeaturesShown)
        details += QStringLiteral("<br>") + andMore(qint64(s.features.size() - MaxFeaturesShown), tr("features"));
    return details;
}

// The loader's warnings, each elided, at most MaxWarningsShown.
QString DatasetSummaryView::warningsHtml(const std::vector<std::string> &all)
{
    QStringList warnings;
    for (size_t i = 0; i < all.size() && int(i) < MaxWarningsShown; ++i)
        warnings << elidedMessage(QString::fromStdString(all[i])).toHtmlEscaped();
    if (int(all.size()) > MaxWarningsShown)
        warnings << QStringLiteral("… ") + andMore(qint64(all.size()) - MaxWarningsShown, tr("warnings"))
                        + tr(" (<tt>attnscope-cli summary --data FILE</tt> lists every one)");
    return warnings.join(QStringLiteral("<br>"));
}

QString DatasetSummaryView::summaryText() const
{
    return m_summary->text();
}

QString DatasetSummaryView::detailsText() const
{
    return m_details->text();
}

QString DatasetSummaryView::warningsText() const
{
    return m_warnings->text();
}

} // namespace attnscope
