// The Confusion tab's matrix as a table model (ConfusionPanel's view): a
// row per gold class, a column per predicted class, each cell's count, its
// colour (its share of the row, the diagonal green and the errors red) and
// its tooltip made when the view asks for the cells it draws. A task of 256
// classes is 65,536 cells: as QTableWidgetItems with a formatted tooltip
// each they took some 300 ms of the GUI thread at every rebuild (review21
// F7); the model copies the counts and sums the rows, the view asks for
// what it shows.
#pragma once

#include "types.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QStringList>

#include <vector>

namespace attnscope {

struct Confusion;

class ConfusionModel : public QAbstractTableModel {
    Q_OBJECT

public:
    // A cell's gold and predicted class (int), beside the display roles.
    static constexpr int GoldRole = Qt::UserRole + 1;
    static constexpr int PredictedRole = Qt::UserRole + 2;

    using QAbstractTableModel::QAbstractTableModel;

    // Shows c's matrix (c.hasMatrix()) with the task's class names (by
    // number where it has none). compact: numbered columns, rows named with
    // their number, zeros blank. Cells go from `base` towards `good` (the
    // diagonal) or `bad` by their share of the row.
    void show(const Confusion &c, const TaskInfo &task, bool compact, const QColor &base, const QColor &good,
              const QColor &bad);
    void clear();  // no matrix
    int classes() const { return m_classes; }
    int count(int gold, int predicted) const { return m_counts[size_t(gold) * size_t(m_classes) + size_t(predicted)]; }
    // The largest count, for the columns' width.
    int largest() const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    double share(int gold, int predicted) const;

    int m_classes = 0;
    std::vector<int> m_counts;        // classes x classes, gold by row
    std::vector<long long> m_rows;    // each gold class's samples
    QStringList m_names;              // the classes' names
    bool m_compact = false;
    QColor m_base, m_good, m_bad;
};

// A class's name in `task`, its number where the task has no names.
QString className(const TaskInfo &task, int c);

} // namespace attnscope
