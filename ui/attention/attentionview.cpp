#include "attentionview.h"

#include "unknownmark.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <set>

namespace attnscope {

AttentionView::AttentionView(QWidget *parent) : QWidget(parent) {}

void AttentionView::rebuild()
{
    if (!isVisible()) {
        m_stale = true;
        return;
    }
    m_stale = false;
    draw();
}

void AttentionView::setScore(Method score)
{
    if (score == m_score)
        return;
    m_score = score;
    scoreChanged();
}

void AttentionView::scoreChanged()
{
    rebuild();
}

QCustomPlot *AttentionView::addPlot()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *plot = new QCustomPlot(this);
    layout->addWidget(plot);
    return plot;
}

QLabel *AttentionView::addTitle(QCustomPlot *plot)
{
    auto *title = new QLabel(this);
    title->setObjectName(QStringLiteral("viewTitle"));
    title->setTextFormat(Qt::PlainText);
    title->setWordWrap(true);
    title->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    // The title and, at its right, the unknown words' legend when there is one.
    auto *row = new QHBoxLayout;
    m_titleRow = row;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(title, 1);
    row->addWidget(unknownLegend(), 0, Qt::AlignTop);
    auto *box = static_cast<QBoxLayout *>(layout());
    box->insertLayout(0, row);
    box->setStretchFactor(plot, 1);  // the plot takes the room, not the title
    return title;
}

QLabel *AttentionView::unknownLegend()
{
    if (!m_unknownLegend) {
        m_unknownLegend = new QLabel(this);
        m_unknownLegend->setObjectName(QStringLiteral("unknownLegend"));
        m_unknownLegend->setTextFormat(Qt::RichText);
        m_unknownLegend->setToolTip(unknownLegendTip());
        m_unknownLegend->hide();
    }
    return m_unknownLegend;
}

QLabel *AttentionView::takeUnknownLegend()
{
    if (m_titleRow)
        m_titleRow->removeWidget(unknownLegend());
    return unknownLegend();
}

void AttentionView::hideUnknownLegend()
{
    m_unknownLegendHidden = true;
    unknownLegend()->hide();
}

void AttentionView::setUnknownLegendShown(bool shown)
{
    shown = shown && !m_unknownLegendHidden;
    QLabel *legend = unknownLegend();
    if (shown)
        legend->setText(unknownLegendHtml(palette()));
    legend->setVisible(shown);
}

void AttentionView::rebuildWhenResized(QWidget *child)
{
    m_resizeWatched = child;
    child->installEventFilter(this);
}

void AttentionView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale)
        rebuild();
}

void AttentionView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        rebuild();
    if (event->type() == QEvent::FontChange) {  // the zoom: labels, ticks and sizes follow
        updateGeometry();
        rebuild();
    }
    QWidget::changeEvent(event);
}

bool AttentionView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_resizeWatched && m_resizeWatched && event->type() == QEvent::Resize)
        QMetaObject::invokeMethod(this, [this] { rebuild(); }, Qt::QueuedConnection);
    return QWidget::eventFilter(watched, event);
}

SnapshotView::SnapshotView(QWidget *parent) : AttentionView(parent) {}

void SnapshotView::setSnapshot(const AttentionSnapshot &snapshot)
{
    setSnapshot(std::make_shared<const AttentionSnapshot>(snapshot));
}

void SnapshotView::setSnapshot(SnapshotPtr snapshot)
{
    const SnapshotPtr previous = std::exchange(
        m_snapshot, snapshot ? std::move(snapshot) : std::make_shared<const AttentionSnapshot>());
    const int previousSample = m_sample;
    if (m_sample >= int(m_snapshot->samples.size()))
        m_sample = 0;
    snapshotChanged(*previous, previousSample);
}

void SnapshotView::setSelectedSample(int index)
{
    if (index == m_sample)
        return;
    m_sample = index;
    sampleChanged();
}

void SnapshotView::setColorMap(ColorMap map)
{
    m_colorMap = map;
    colorsChanged();
}

void SnapshotView::setColorScale(ColorScale scale)
{
    m_colorScale = scale;
    colorsChanged();
}

void SnapshotView::scoreChanged()
{
    colorsChanged();
}

const AttentionSample *SnapshotView::sample() const
{
    if (m_sample < 0 || m_sample >= int(m_snapshot->samples.size()))
        return nullptr;
    return &m_snapshot->samples[size_t(m_sample)];
}

void SnapshotView::snapshotChanged(const AttentionSnapshot &, int)
{
    rebuild();
}

void SnapshotView::sampleChanged()
{
    rebuild();
}

void SnapshotView::colorsChanged()
{
    rebuild();
}

int labelStride(int count, int perLabel, int available)
{
    return std::max(1, int(std::ceil(double(count) * perLabel / std::max(1, available))));
}

std::vector<int> thinnedLabels(int count, int every, const std::vector<int> &keep)
{
    every = std::max(every, 1);
    std::set<int> chosen;
    const auto roomFor = [&](int i) {
        const auto next = chosen.lower_bound(i);
        return (next == chosen.end() || *next - i >= every) && (next == chosen.begin() || i - *std::prev(next) >= every);
    };
    for (const int i : keep)
        if (i >= 0 && i < count && roomFor(i))
            chosen.insert(i);
    for (int i = 0; i < count; i += every)
        if (roomFor(i))
            chosen.insert(i);
    return {chosen.begin(), chosen.end()};
}

} // namespace attnscope
