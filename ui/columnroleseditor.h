// The roles of a CSV/TSV file's columns, as guessed and changed before
// loading the file again: a table of the columns (name, role, an example
// value), why the chosen roles cannot load (the core's rules, checked here
// so that a choice is refused with its reason rather than by a failed load),
// and "Load with these roles". A file may have 10,000 columns and names of a
// megabyte: the table draws only the rows in view, names elided.
#pragma once

#include "data/csvreader.h"

#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace attnscope {

class ColumnRolesEditor : public QWidget {
    Q_OBJECT

public:
    explicit ColumnRolesEditor(QWidget *parent = nullptr);

    // The columns of `path` with their roles; problem: what the guess (or
    // the last load) found wrong, shown under the table.
    void setColumns(const QString &path, const std::vector<CsvColumn> &columns, const QString &problem = {});
    void clear();
    QString path() const { return m_path; }
    std::vector<CsvColumn> columns() const;  // with the roles chosen in the table
    // The combo box of a column's role: the editor a click on its cell opens
    // (the table draws the others; it has no widget per row), kept open.
    QComboBox *roleField(const QString &column) const;
    QPushButton *reloadButton() const { return m_reload; }
    // Why the chosen roles cannot load (empty: they can).
    QString rolesProblem() const;

signals:
    // Load the file again with the roles chosen in the table.
    void loadWithOptionsRequested(const QString &path, const attnscope::LoadOptions &options);

protected:
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateRolesProblem();
    void fitRows();
    void fitColumns();

    QTableWidget *m_table = nullptr;
    QLabel *m_rolesProblem = nullptr;
    QPushButton *m_reload = nullptr;
    QString m_path;
    std::vector<CsvColumn> m_columns;  // as set (names, numeric, examples)
};

} // namespace attnscope
