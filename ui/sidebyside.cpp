#include "sidebyside.h"

#include "attention/taskheatmap.h"
#include "session.h"
#include "tasknames.h"

#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

#include <algorithm>

namespace attnscope {

SideBySide::SideBySide(Session *session, QWidget *parent)
    : QWidget(parent), m_session(session)
{
    setObjectName(QStringLiteral("sideBySide"));
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(6, 6, 6, 6);
    m_header = new QLabel;
    m_header->setWordWrap(true);
    m_header->setTextFormat(Qt::PlainText);
    outer->addWidget(m_header);
    // Four heatmaps want more height than a small screen has: they scroll
    // rather than make the window taller than the screen.
    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    outer->addWidget(scroll, 1);
    for (int i = 0; i < MaxRuns; ++i) {
        // Wrapped: on one line the predictions made the page wider than
        // the tab, and the heatmap's colour scale was a scroll away.
        auto *title = new QLabel;
        title->setTextFormat(Qt::PlainText);
        title->setWordWrap(true);
        auto *heatmap = new TaskHeatmap;
        heatmap->setLayout(TaskHeatmap::Layout::TasksForSample);
        layout->addWidget(title);
        layout->addWidget(heatmap, 1);
        m_titles.push_back(title);
        m_heatmaps.push_back(heatmap);
    }
    m_follow.setInterval(1000);
    connect(&m_follow, &QTimer::timeout, this, &SideBySide::followRun);
    // Where the run stops, its last weights at once, not up to a second
    // later (attnscope --screenshot --after-steps N showed an earlier step).
    connect(m_session->currentRun()->controller(), &TrainingController::stateChanged, this,
            [this](TrainingWorker::State state) {
                if (state != TrainingWorker::State::Running && isVisible())
                    followRun();
            });
    connect(m_session, &Session::runsChanged, this, [this]() {
        if (isVisible())
            refresh();
    });
    refresh();
}

QString SideBySide::predictions(const AttentionSnapshot &snapshot)
{
    if (snapshot.samples.empty())
        return {};
    const AttentionSample &s = snapshot.samples.front();
    QStringList parts;
    for (int t = 0; t < snapshot.taskCount(); ++t) {
        const std::vector<std::string> &classes = snapshot.tasks[size_t(t)].classes;
        const int p = s.predicted(t);
        if (p < 0 || p >= int(classes.size()))
            continue;
        // A task or class may be named by a megabyte (a CSV's column): elided, as everywhere.
        QString part = QStringLiteral("%1: %2").arg(elidedName(snapshot.tasks[size_t(t)].name),
                                                   elidedName(classes[size_t(p)]));
        const int gold = t < int(s.labels.size()) ? s.labels[size_t(t)] : -1;
        if (gold >= 0 && gold != p && gold < int(classes.size()))
            part += QObject::tr(" (gold %1)").arg(elidedName(classes[size_t(gold)]));
        parts << part;
    }
    return parts.join(QStringLiteral(", "));
}

void SideBySide::setSample(int datasetIndex)
{
    if (datasetIndex == m_sample)
        return;
    m_sample = datasetIndex;
    if (isVisible())
        refresh();
}

void SideBySide::refresh()
{
    // The runs checked in the Runs tab, in its order, the current one last: the last four of them.
    std::vector<int> runs;
    for (const auto &kept : m_session->keptRuns())
        if (kept->shown)
            runs.push_back(kept->id);
    const Run *current = m_session->currentRun();
    if (current->setup())
        runs.push_back(current->id());
    if (runs.size() > size_t(MaxRuns))
        runs.erase(runs.begin(), runs.end() - MaxRuns);
    m_runs = runs;
    m_currentStep = current->controller()->currentStep();
    if (m_sample < 0 && m_sampleSource)
        m_sample = m_sampleSource();

    const std::shared_ptr<const Dataset> data = m_session->dataset();
    if (m_sample < 0 || !data || m_sample >= int(data->samples.size())) {
        m_header->setText(tr("Select a sample in the Attention tab: its task attention in up to four runs (the "
                             "ones checked in the Runs tab) shows here."));
    } else {
        const Sample &s = data->samples[size_t(m_sample)];
        const QString text = QString::fromStdString(s.text).simplified();
        m_header->setText(text.isEmpty() ? tr("Sample %1 (select another in the Attention tab)").arg(m_sample)
                                         : tr("Sample %1 (select another in the Attention tab): %2")
                                               .arg(m_sample)
                                               .arg(text.left(300)));
    }
    for (int i = 0; i < MaxRuns; ++i)
        showRun(i);
}

void SideBySide::showRun(int i)
{
    QLabel *title = m_titles[size_t(i)];
    TaskHeatmap *heatmap = m_heatmaps[size_t(i)];
    const bool used = i < int(m_runs.size());
    title->setVisible(used);
    heatmap->setVisible(used);
    if (!used)
        return;
    const Run *current = m_session->currentRun();
    const int id = m_runs[size_t(i)];
    QString name = current->id() == id ? current->name() : QString();
    for (const auto &kept : m_session->keptRuns())
        if (kept->id == id)
            name = kept->name;
    AttentionSnapshot snapshot;
    QString why;
    if (m_sample >= 0 && m_session->runAttention(id, m_sample, &snapshot, &why)) {
        title->setText(tr("%1 — step %2 — %3").arg(name).arg(snapshot.step).arg(predictions(snapshot)));
        heatmap->setSnapshot(std::make_shared<const AttentionSnapshot>(std::move(snapshot)));
        heatmap->setSelectedSample(0);
    } else {
        title->setText(m_sample >= 0 ? tr("%1: %2").arg(name, why) : name);
        heatmap->setSnapshot(std::make_shared<const AttentionSnapshot>());
    }
}

// Only the current run changes as it trains: its heatmap (the last) is made
// again, the others stay as they are (each is a forward pass through that
// run's weights).
void SideBySide::followRun()
{
    if (m_runs.empty() || m_runs.back() != m_session->currentRun()->id()
        || m_session->currentRun()->controller()->currentStep() == m_currentStep)
        return;
    if (m_sample < 0) {
        refresh();  // none shown yet: the Attention tab may have one now
        return;
    }
    m_currentStep = m_session->currentRun()->controller()->currentStep();
    showRun(int(m_runs.size()) - 1);
}

void SideBySide::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
    m_follow.start();
}

void SideBySide::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_follow.stop();
}

} // namespace attnscope
