// The attention panel's probe set: the Sample list, Add…, Remove, Pin and
// the note on the classes no probe covers.
#include "attentionpanel.h"

#include "tasknames.h"

#include <QCheckBox>
#include <QComboBox>
#include <QInputDialog>
#include <QMessageBox>
#include <QPushButton>

#include <algorithm>

namespace attnscope {

void AttentionPanel::updateSampleBox()
{
    QSignalBlocker block(m_sampleBox);
    m_sampleBox->clear();
    for (const AttentionSample &s : m_shown->samples) {
        // The first words and the labels of the first tasks, elided (a
        // file may have thousands of tasks, a token may be long).
        QString words;
        for (size_t j = 0; j < s.tokens.size() && words.size() < 40; ++j)
            words += (j ? QStringLiteral(" ") : QString()) + elidedName(s.shownToken(j));
        QStringList labels;
        for (size_t t = 0; t < s.labels.size() && t < m_shown->tasks.size() && labels.size() < MaxNamedTasks; ++t)
            if (s.labels[t] >= 0)
                labels << elidedName(m_shown->tasks[t].classes[size_t(s.labels[t])]);
        if (labels.size() == MaxNamedTasks && m_shown->tasks.size() > size_t(MaxNamedTasks))
            labels << QStringLiteral("…");
        m_sampleBox->addItem(labels.isEmpty() ? QStringLiteral("#%1 %2…").arg(s.sampleIndex).arg(words)  // a file's: no labels
                                              : QStringLiteral("#%1 [%2] %3…").arg(s.sampleIndex).arg(labels.join(QStringLiteral(", ")), words));
    }
    // Last, not selectable: the classes the probes leave out (the budget is
    // 16 samples; a task of 45 classes cannot have them all).
    if (const QString note = probeCoverageNote(); !note.isEmpty()) {
        m_sampleBox->addItem(note);
        const int last = m_sampleBox->count() - 1;
        m_sampleBox->setItemData(last, QVariant(0), Qt::UserRole - 1);  // Qt::ItemFlags: not enabled
        m_sampleBox->setItemData(last, note, Qt::ToolTipRole);
    }
    m_sampleBox->setCurrentIndex(m_selected);
    const bool has = m_selected >= 0 && m_selected < int(m_shown->samples.size()) && m_file.isEmpty();
    m_pinBox->setEnabled(has);
    m_removeButton->setEnabled(has && m_probes.size() > 1);
    m_addButton->setEnabled(bool(m_validation) && m_file.isEmpty());
    m_pinBox->setChecked(has && m_probes.isPinned(m_shown->samples[size_t(m_selected)].probe));
}

bool AttentionPanel::addProbe(int number, QString *error)
{
    QString problem;
    if (!m_validation || m_validation->samples.empty()) {
        problem = tr("There are no validation samples to take probes from");
    } else {
        const std::vector<EncodedSample> &samples = m_validation->samples;
        const auto it = std::find_if(samples.begin(), samples.end(),
                                     [number](const EncodedSample &s) { return s.index == number; });
        if (it == samples.end())
            problem = tr("#%1 is not a validation sample: probes are taken from the %2 validation samples")
                          .arg(number)
                          .arg(samples.size());
        else if (!m_probes.add(int(it - samples.begin())))
            problem = tr("#%1 is a probe already").arg(number);
    }
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return false;
    }
    updateProbeCoverage();
    emit probeSetChanged(m_probes);  // the worker sends a snapshot of the new set
    return true;
}

void AttentionPanel::updateProbeCoverage()
{
    m_probeCoverage = coverageNote();
}

QString AttentionPanel::coverageNote() const
{
    if (!m_model || !m_validation || !m_file.isEmpty())
        return {};
    const std::vector<std::vector<int>> missing = m_probes.classesWithoutProbe(*m_validation, m_model->tasks);
    QStringList tasks;
    int more = 0;
    for (size_t t = 0; t < missing.size() && t < m_model->tasks.size(); ++t) {
        if (missing[t].empty())
            continue;
        if (tasks.size() == MaxNamedTasks) {
            ++more;
            continue;
        }
        QStringList names;
        for (size_t k = 0; k < missing[t].size() && k < 3; ++k)
            names << elidedName(m_model->tasks[t].classes[size_t(missing[t][k])]);
        if (missing[t].size() > 3)
            names << QStringLiteral("…");
        // spelled out: tr()'s %n plural needs a translator to say "classes"
        const QString count = missing[t].size() == 1 ? tr("1 class") : tr("%1 classes").arg(missing[t].size());
        tasks << QStringLiteral("%1: %2 (%3)")
                     .arg(elidedName(m_model->tasks[t].name), count, names.join(QStringLiteral(", ")));
    }
    if (tasks.isEmpty())
        return {};
    if (more > 0)
        tasks << andMore(more, tr("tasks"));
    return tr("No probe for %1").arg(tasks.join(QStringLiteral("; ")));
}

void AttentionPanel::editProbes(bool add)
{
    if (add) {
        if (!m_validation || m_validation->samples.empty())
            return;
        // The numbers the list shows (#N, the sample's place in the dataset):
        // the dialog asked for a place in the validation split, and 100 added #533.
        int first = m_validation->samples.front().index, last = first, suggested = -1;
        for (size_t i = 0; i < m_validation->samples.size(); ++i) {
            const int number = m_validation->samples[i].index;
            first = std::min(first, number);
            last = std::max(last, number);
            if (suggested < 0 && !m_probes.contains(int(i)))
                suggested = number;
        }
        bool ok = false;
        const int number = QInputDialog::getInt(
            this, tr("Add a probe sample"),
            tr("Sample number, as the list shows it (#N; one of the %1 validation samples, #%2 – #%3):")
                .arg(m_validation->samples.size())
                .arg(first)
                .arg(last),
            suggested < 0 ? first : suggested, first, last, 1, &ok);
        QString error;
        if (ok && !addProbe(number, &error))
            QMessageBox::information(this, tr("Add a probe sample"), error);
        return;
    } else {
        if (m_selected < 0 || m_selected >= int(m_shown->samples.size()))
            return;
        m_probes.remove(m_shown->samples[size_t(m_selected)].probe);
        updateProbeCoverage();
        m_selected = 0;
    }
    emit probeSetChanged(m_probes);  // the worker sends a snapshot of the new set
}

} // namespace attnscope
