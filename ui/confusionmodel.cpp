#include "confusionmodel.h"

#include "metrics.h"
#include "tasknames.h"

#include <algorithm>

namespace attnscope {

namespace {

// A cell's background: the base colour towards `hue` by the cell's share of its row.
QColor shade(const QColor &base, const QColor &hue, double share)
{
    const double a = share > 0 ? 0.15 + 0.6 * share : 0.0;
    return QColor::fromRgbF(float(base.redF() + a * (hue.redF() - base.redF())),
                            float(base.greenF() + a * (hue.greenF() - base.greenF())),
                            float(base.blueF() + a * (hue.blueF() - base.blueF())));
}

} // namespace

QString className(const TaskInfo &task, int c)
{
    return c >= 0 && c < int(task.classes.size()) ? QString::fromStdString(task.classes[size_t(c)]) : QString::number(c);
}

void ConfusionModel::show(const Confusion &c, const TaskInfo &task, bool compact, const QColor &base,
                          const QColor &good, const QColor &bad)
{
    beginResetModel();
    m_classes = c.hasMatrix() ? c.classes : 0;
    m_counts = m_classes ? c.counts : std::vector<int>();
    m_rows.assign(size_t(m_classes), 0);
    m_names.clear();
    for (int g = 0; g < m_classes; ++g) {
        for (int p = 0; p < m_classes; ++p)
            m_rows[size_t(g)] += count(g, p);
        m_names << className(task, g);
    }
    m_compact = compact;
    m_base = base;
    m_good = good;
    m_bad = bad;
    endResetModel();
}

void ConfusionModel::clear()
{
    beginResetModel();
    m_classes = 0;
    m_counts.clear();
    m_rows.clear();
    m_names.clear();
    endResetModel();
}

int ConfusionModel::largest() const
{
    return m_counts.empty() ? 0 : *std::max_element(m_counts.begin(), m_counts.end());
}

int ConfusionModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_classes;
}

int ConfusionModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_classes;
}

double ConfusionModel::share(int gold, int predicted) const
{
    const long long row = m_rows[size_t(gold)];
    return row ? double(count(gold, predicted)) / double(row) : 0.0;
}

QVariant ConfusionModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_classes || index.column() >= m_classes)
        return {};
    const int g = index.row(), p = index.column(), n = count(g, p);
    switch (role) {
    case Qt::DisplayRole:
        return m_compact && n == 0 ? QString() : QString::number(n);
    case Qt::TextAlignmentRole:
        return int(Qt::AlignCenter);
    case Qt::BackgroundRole:
        return shade(m_base, g == p ? m_good : m_bad, share(g, p));
    case Qt::ToolTipRole:
        return tr("gold %1, predicted %2: %3 (%4 % of %1)")
            .arg(m_names[g], m_names[p])
            .arg(n)
            .arg(100.0 * share(g, p), 0, 'f', 1);
    case GoldRole:
        return g;
    case PredictedRole:
        return p;
    default:
        return {};
    }
}

QVariant ConfusionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (section < 0 || section >= m_classes)
        return QAbstractTableModel::headerData(section, orientation, role);
    const QString &name = m_names[section];
    const bool columns = orientation == Qt::Horizontal;
    if (role == Qt::DisplayRole) {
        // Many classes (WordNet's 45): the columns numbered, the rows named
        // with their number, so that the matrix stays a picture of where
        // the errors are rather than a page of names.
        if (!m_compact)
            return elidedName(name, 24);
        return columns ? QString::number(section + 1) : QStringLiteral("%1  %2").arg(section + 1).arg(elidedName(name, 24));
    }
    if (role == Qt::ToolTipRole)
        return (columns ? tr("predicted %1") : tr("gold %1")).arg(name);
    return QAbstractTableModel::headerData(section, orientation, role);
}

} // namespace attnscope
