// The Dataset panel: a built-in generator or a file (Open…, or a file dropped
// on the window), the load's progress and its error; for CSV/TSV files the
// role of each column (guessed, and changed here before loading again:
// columnroleseditor.h); and the summary of what was loaded
// (datasetsummaryview.h).
#pragma once

#include "data/csvreader.h"
#include "dataset.h"
#include "datasetsummary.h"

#include <QGroupBox>

#include <vector>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QToolButton;

namespace attnscope {

class CollapsibleSection;
class ColumnRolesEditor;
class DatasetSummaryView;

class DatasetPanel : public QGroupBox {
    Q_OBJECT

public:
    explicit DatasetPanel(QWidget *parent = nullptr);

    // Shows a loaded dataset and its summary (data nullptr: none).
    void setDataset(const Dataset *data, const DatasetSummary &summary);
    void setSpec(const QString &spec);
    QString spec() const;  // what the field holds (Load opens it)
    QString summaryText() const;   // the headline and the tasks (HTML)
    QString detailsText() const;   // lengths, vocabulary or features (HTML)
    QString warningsText() const;  // the loader's warnings (HTML)

    // CSV/TSV: the columns of `path` with their roles; problem: what the
    // guess (or the last load) found wrong, shown under the table.
    void setColumns(const QString &path, const std::vector<CsvColumn> &columns, const QString &problem = {});
    void clearColumns();
    QString columnsPath() const;
    std::vector<CsvColumn> columns() const;  // with the roles chosen in the table
    // The combo box of a column's role: the editor a click on its cell opens
    // (the table draws the others; it has no widget per row), kept open.
    QComboBox *roleField(const QString &column) const;
    QPushButton *reloadButton() const;
    // Why the chosen roles cannot load (empty: they can).
    QString rolesProblem() const;

    // A load in progress (percent 0-100) under the field, Cancel beside it
    // (cancelLoadRequested); percent < 0 hides it.
    void setLoading(const QString &spec, int percent, const QString &what = {});
    bool isLoading() const;
    // Cancel was pressed: the row says so until the load has stopped.
    void setCancelling();
    QToolButton *cancelLoadButton() const { return m_cancelLoad; }
    QProgressBar *loadProgress() const { return m_progress; }

    // A failed load: the message in the panel, elided (empty clears it);
    // loadError() is the whole message. heading: what failed, "Could not load." when empty.
    void setLoadError(const QString &message, const QString &heading = {});
    QString loadError() const;

    CollapsibleSection *columnsSection() const { return m_columnsSection; }
    CollapsibleSection *detailsSection() const;
    CollapsibleSection *warningsSection() const;

signals:
    void loadRequested(const QString &spec);
    // Load a CSV/TSV file again with the roles chosen in the table.
    void loadWithOptionsRequested(const QString &path, const attnscope::LoadOptions &options);
    void openRequested();
    // The Cancel button beside the load's progress.
    void cancelLoadRequested();

protected:
    void changeEvent(QEvent *event) override;
    // Return or Enter in the field: one load request (requestLoad).
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    // The field's text asked for, once, when it holds some.
    void requestLoad();

    QComboBox *m_spec = nullptr;
    bool m_requesting = false;  // a request's question is open
    QLabel *m_error = nullptr;
    QString m_loadError;  // whole, as set (m_error shows it elided)
    QProgressBar *m_progress = nullptr;
    QLabel *m_loading = nullptr;
    QWidget *m_loadingRow = nullptr;
    QToolButton *m_cancelLoad = nullptr;
    CollapsibleSection *m_columnsSection = nullptr;
    ColumnRolesEditor *m_roles = nullptr;
    DatasetSummaryView *m_summary = nullptr;
};

} // namespace attnscope
