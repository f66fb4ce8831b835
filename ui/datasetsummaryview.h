// What was loaded, in the Dataset panel: the summary the core computes
// (splits, tasks with class and missing-label counts, the vocabulary or the
// feature ranges, lengths, warnings), the headline and tasks always shown, the
// rest in folding sections. Thousands of tasks, classes or features, and
// names of a megabyte, stay usable: see tasknames.h.
#pragma once

#include "dataset.h"
#include "datasetsummary.h"

#include <QWidget>

#include <string>
#include <vector>

class QLabel;

namespace attnscope {

class CollapsibleSection;

class DatasetSummaryView : public QWidget {
    Q_OBJECT

public:
    explicit DatasetSummaryView(QWidget *parent = nullptr);

    // Shows a loaded dataset and its summary (data nullptr: none).
    void setDataset(const Dataset *data, const DatasetSummary &summary);
    QString summaryText() const;   // the headline and the tasks (HTML)
    QString detailsText() const;   // lengths, vocabulary or features (HTML)
    QString warningsText() const;  // the loader's warnings (HTML)

    CollapsibleSection *detailsSection() const { return m_detailsSection; }
    CollapsibleSection *warningsSection() const { return m_warningsSection; }

private:
    // The parts of the summary, as HTML.
    static QString headline(const DatasetSummary &s);
    static QString tasksHtml(const DatasetSummary &s);
    static QString textDetails(const DatasetSummary &s);
    static QString featureDetails(const DatasetSummary &s);
    static QString warningsHtml(const std::vector<std::string> &warnings);

    QLabel *m_summary = nullptr;
    QLabel *m_description = nullptr;
    QLabel *m_details = nullptr;
    QLabel *m_warnings = nullptr;
    CollapsibleSection *m_detailsSection = nullptr;
    CollapsibleSection *m_warningsSection = nullptr;
};

} // namespace attnscope
