#include "sidebyside.h"

#include "attention/scores.h"
#include "attention/taskheatmap.h"
#include "appearance.h"
#include "session.h"
#include "tasknames.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QWheelEvent>
#include <qcustomplot.h>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

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
    // What is shown and at which step: one row, short enough for 1024 x 768
    // at 150 %. The score box asks for 8 characters and takes what room
    // there is: sized to "integrated gradients", measured at the zoom shown,
    // the row made the window wider than that screen.
    auto *controls = new QHBoxLayout;
    controls->setContentsMargins(0, 0, 0, 0);
    m_score = new QComboBox;
    m_score->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_score->setMinimumContentsLength(8);
    m_score->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_score->addItems(scoreNames());
    m_score->setToolTip(tr("What the cells hold: the pooling attention, or a score of the explanations "
                           "(computed for this sample through each run's weights)"));
    auto *scoreLabel = new QLabel(tr("Score"));
    scoreLabel->setBuddy(m_score);
    m_step = new QSpinBox;
    m_step->setRange(0, 0);
    m_step->setToolTip(tr("The step the runs are shown at: a run that went further shows its last checkpoint "
                          "in the session file at or before it"));
    // "At step" inside the box and "Common" (step) on the button: the row
    // cut Common step at the tab's edge at 1024 x 768 and 150 %.
    m_step->setPrefix(tr("At step "));
    m_step->setAccessibleName(tr("At step"));
    m_commonButton = new QPushButton(tr("Common"));
    m_commonButton->setAccessibleName(tr("Common step"));
    m_commonButton->setToolTip(tr("The largest step every shown run reached (the shortest run's last); it "
                                  "follows the runs as they train"));
    controls->addWidget(scoreLabel);
    controls->addWidget(m_score, 1);
    controls->addSpacing(12);
    controls->addWidget(m_step);
    controls->addWidget(m_commonButton);
    outer->addLayout(controls);
    // A signed score's one scale, under the controls (beside them, at 150 %
    // on 1024 x 768 it took four lines and cut Common step); attention's
    // 0 to 1 is every run's colour bar anyway.
    m_scaleNote = new QLabel;
    m_scaleNote->setWordWrap(true);
    m_scaleNote->setTextFormat(Qt::PlainText);
    m_scaleNote->setToolTip(tr("Every run's heatmap is drawn on the same colour scale, up to the largest value "
                               "(of a signed score, the largest magnitude) among the runs shown"));
    m_scaleNote->hide();
    outer->addWidget(m_scaleNote);
    connect(m_score, &QComboBox::currentIndexChanged, this, [this]() { refresh(); });
    connect(m_step, &QSpinBox::valueChanged, this, [this](int value) { setStep(value); });
    connect(m_commonButton, &QPushButton::clicked, this, &SideBySide::followCommonStep);
    // Four heatmaps want more height than a small screen has: they scroll
    // rather than make the window taller than the screen.
    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(0, 0, 0, 0);
    m_scroll = new QScrollArea;
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setWidget(content);
    outer->addWidget(m_scroll, 1);
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
        // The plot took the wheel and did nothing with it: over three
        // quarters of the tab the runs did not scroll (C7 of accept24).
        heatmap->plot()->installEventFilter(this);
        m_titles.push_back(title);
        m_heatmaps.push_back(heatmap);
    }
    setLeastHeights();
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

void SideBySide::setStep(int64_t step)
{
    m_common = false;
    if (m_step->value() != int(step)) {
        const QSignalBlocker block(m_step);
        m_step->setValue(int(step));
    }
    m_commonButton->setEnabled(true);
    refresh();
}

void SideBySide::followCommonStep()
{
    m_common = true;
    refresh();
}

int64_t SideBySide::step() const
{
    return m_step->value();
}

int64_t SideBySide::commonStep() const
{
    // An untrained current run (a new one beside a reopened file's) is at
    // step 0 whatever the step: it does not hold the others back.
    int64_t common = -1;
    for (const int id : m_runs) {
        const int64_t steps = m_session->runSteps(id);
        if (steps > 0)
            common = common < 0 ? steps : std::min(common, steps);
    }
    return std::max<int64_t>(common, 0);
}

void SideBySide::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange)  // the zoom
        setLeastHeights();
}

void SideBySide::setLeastHeights()
{
    // The runs scroll, so a heatmap can be as tall as its labels need: at
    // 1024 x 768 and 150 % the least height of every heatmap (200 px) left
    // the upright tokens 60 px and cut them to "exp…", "so…", "dis…"
    // (accept27 F4). A title line, three task rows (more thin out), a token
    // of ten letters upright (twelve average ones: a word of ten is wider
    // than ten average letters), and a line for the padding.
    if (m_heatmaps.empty())
        return;
    const QFontMetrics ticks(labelFont(m_heatmaps.front()->plot()->font()));  // the ticks' font (stylePlot)
    const int line = ticks.height() + 1;
    const std::shared_ptr<const Dataset> data = m_session ? m_session->dataset() : nullptr;
    const int tasks = data ? std::clamp(int(data->tasks.size()), 1, 3) : 3;
    const int least = 2 * line + tasks * line + 12 * ticks.averageCharWidth();
    for (TaskHeatmap *heatmap : m_heatmaps)
        heatmap->setMinimumHeight(std::max(200, least));
}

void SideBySide::refresh()
{
    // The runs checked in the Runs tab, in its order, the current one last: the last four of them.
    std::vector<int> runs;
    for (const auto &kept : m_session->keptRuns())
        if (kept->shown)
            runs.push_back(kept->id);
    // The current run where there is room, or once it has trained: an
    // untrained one (the new run beside a reopened file's four) has nothing
    // to show and pushed out the first of them.
    const Run *current = m_session->currentRun();
    if (current->setup() && (current->hasTrained() || runs.size() < size_t(MaxRuns)))
        runs.push_back(current->id());
    if (runs.size() > size_t(MaxRuns))
        runs.erase(runs.begin(), runs.end() - MaxRuns);
    m_runs = runs;
    setLeastHeights();  // the open data's tasks
    m_currentStep = current->controller()->currentStep();
    int64_t furthest = 0;
    for (const int id : m_runs)
        furthest = std::max(furthest, m_session->runSteps(id));
    {
        const QSignalBlocker block(m_step);
        m_step->setMaximum(int(std::min<int64_t>(std::max<int64_t>(furthest, m_step->value()), std::numeric_limits<int>::max())));
        if (m_common)
            m_step->setValue(int(std::min<int64_t>(commonStep(), std::numeric_limits<int>::max())));
    }
    m_commonButton->setEnabled(!m_common);
    if (m_sample < 0 && m_sampleSource)
        m_sample = m_sampleSource();

    const std::shared_ptr<const Dataset> data = m_session->dataset();
    if (m_sample < 0 || !data || m_sample >= int(data->samples.size())) {
        m_header->setText(tr("Select a sample in the Attention tab: its task attention in up to four runs (the "
                             "ones checked in the Runs tab) shows here."));
    } else {
        const Sample &s = data->samples[size_t(m_sample)];
        const QString text = QString::fromStdString(s.text).simplified();
        // "#12" as the Attention tab's Sample list and titles name it.
        m_header->setText(text.isEmpty() ? tr("Sample #%1 (select another in the Attention tab)").arg(m_sample)
                                         : tr("Sample #%1 (select another in the Attention tab): %2")
                                               .arg(m_sample)
                                               .arg(text.left(300)));
    }
    for (int i = 0; i < MaxRuns; ++i)
        showRun(i);
    // One colour scale for the runs shown, per score: each heatmap's own
    // put ±0.05 beside ±0.25, the same colour for five times the value.
    const Method score = Method(std::max(0, m_score->currentIndex()));
    double largest = 0;
    for (size_t i = 0; i < m_runs.size(); ++i)
        largest = std::max(largest, m_heatmaps[i]->largest());
    for (TaskHeatmap *heatmap : m_heatmaps)
        heatmap->setCommonLargest(largest);
    const QString top = QString::number(scoreTop(score, m_heatmaps[0]->colorScale(), largest), 'g', 2);
    const bool said = !m_runs.empty() && m_sample >= 0 && isSigned(score);
    m_scaleNote->setText(said ? tr("Colours: −%1 to %1 in every run (the largest magnitude among them)").arg(top)
                              : QString());
    m_scaleNote->setVisible(said);
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
    const Method score = Method(std::max(0, m_score->currentIndex()));
    Session::RunView view;
    // The current run while the step follows it: its weights of the moment.
    view.atStep = m_common && id == current->id() && m_session->runSteps(id) <= step() ? -1 : step();
    view.explain = score != Method::Attention;
    if (m_sample >= 0 && m_session->runAttention(id, m_sample, &snapshot, &why, view)) {
        // The step it is shown at, and its own last where it went further.
        const int64_t last = m_session->runSteps(id);
        const QString at = last > snapshot.step ? tr("step %1 (of %2)").arg(snapshot.step).arg(last)
                                                : tr("step %1").arg(snapshot.step);
        title->setText(tr("%1 — %2 — %3").arg(name, at, predictions(snapshot)));
        heatmap->setScore(score);
        heatmap->setSnapshot(std::make_shared<const AttentionSnapshot>(std::move(snapshot)));
        heatmap->setSelectedSample(0);
    } else {
        title->setText(m_sample >= 0 ? tr("%1: %2").arg(name, why) : name);
        heatmap->setSnapshot(std::make_shared<const AttentionSnapshot>());
    }
}

// Only the current run changes as it trains; while the step follows the
// runs and the current run is the shortest, the common step moves with it
// and every run is shown there again (a forward pass through each run's
// weights, the checkpoints read once).
void SideBySide::followRun()
{
    const Run *current = m_session->currentRun();
    // An untrained current run left out (refresh) takes its place once it
    // has trained; and a sample to show once there is one (a reopened
    // session's data and run ready after the tab was shown, its layout
    // restoring this tab).
    if ((current->hasTrained() && std::find(m_runs.begin(), m_runs.end(), current->id()) == m_runs.end())
        || (m_sample < 0 && m_sampleSource && m_sampleSource() >= 0)) {
        refresh();
        return;
    }
    if (m_runs.empty() || m_runs.back() != current->id() || current->controller()->currentStep() == m_currentStep)
        return;
    m_currentStep = current->controller()->currentStep();
    // None shown yet (the Attention tab may have one now), or the common
    // step moved with the current run: every run at the new step. A step
    // of the user's stays where it is.
    if (m_sample < 0 || (m_common && commonStep() != step()))
        refresh();
}

bool SideBySide::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Wheel) {
        const auto *wheel = static_cast<QWheelEvent *>(event);
        const bool across = std::abs(wheel->angleDelta().x()) > std::abs(wheel->angleDelta().y());
        QCoreApplication::sendEvent(across ? m_scroll->horizontalScrollBar() : m_scroll->verticalScrollBar(), event);
        return true;
    }
    return QWidget::eventFilter(watched, event);
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
