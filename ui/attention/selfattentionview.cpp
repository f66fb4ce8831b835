#include "selfattentionview.h"

#include "appearance.h"
#include "csvwriter.h"
#include "headgrid.h"
#include "tasknames.h"
#include "unknownmark.h"

#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QSplitter>
#include <QToolTip>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {

// A wrapped label cut to the room it gets: QLabel asks again for the
// height of all its lines at each new text, which squeezed the thumbnails
// above the note to a sliver (the tooltip has the text whole).
class CutLabel : public QLabel {
public:
    using QLabel::QLabel;
    bool hasHeightForWidth() const override { return false; }
};

} // namespace

SelfAttentionView::SelfAttentionView(QWidget *parent) : SnapshotView(parent)
{
    // Left, a column of the layer and head boxes, the thumbnails and the
    // note; right, the selected map, with all the height (a row of boxes
    // above both took 40 px of a map that has 250 at 1024 x 768 and 150 %).
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_splitter = new QSplitter(Qt::Horizontal, this);
    auto *column = new QWidget(m_splitter);
    auto *left = new QVBoxLayout(column);
    left->setContentsMargins(0, 0, 0, 0);
    auto *controls = new QFormLayout;
    m_layerBox = new QComboBox(column);
    m_headBox = new QComboBox(column);
    for (QComboBox *box : {m_layerBox, m_headBox}) {  // numbers: the column stays narrow
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(2);
    }
    controls->addRow(tr("Layer"), m_layerBox);
    controls->addRow(tr("Head"), m_headBox);
    left->addLayout(controls);
    m_grid = new HeadGrid(column);
    left->addWidget(m_grid, 1);
    // The unknown words' legend while the sample has one, wrapped rather
    // than widening the column (the map lost 40 px of width to it at 150 %).
    unknownLegend()->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    unknownLegend()->setWordWrap(true);
    left->addWidget(unknownLegend());
    // Wrapped in the column's width; a long note is cut rather than making
    // the view taller (the tooltip has it whole).
    m_note = new CutLabel(column);
    m_note->setWordWrap(true);
    m_note->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    m_note->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    left->addWidget(m_note, 1);
    column->installEventFilter(this);  // fitNote, at each of its sizes
    m_plot = new QCustomPlot(m_splitter);
    m_splitter->addWidget(column);
    m_splitter->addWidget(m_plot);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 3);
    connect(m_splitter, &QSplitter::splitterMoved, this, [this] { m_splitterMoved = true; });
    layout->addWidget(m_splitter, 1);

    m_map = addWeightMap(m_plot);  // the axes' titles where the plot is large (updateTicks)
    m_plot->setMouseTracking(true);
    m_plot->installEventFilter(this);
    // Room for a map beside its labels and colour scale, and no more: the
    // Attention tab's least height is its tallest view's (a projector).
    m_plot->setMinimumSize(260, 220);

    connect(m_layerBox, &QComboBox::activated, this, [this](int l) { setHead(l, m_head); });
    connect(m_headBox, &QComboBox::activated, this, [this](int h) { setHead(m_layer, h); });
    connect(m_grid, &HeadGrid::headClicked, this, &SelfAttentionView::setHead);
    m_map->setGradient(colorGradient(colorMap()));
}

void SelfAttentionView::resizeEvent(QResizeEvent *event)
{
    SnapshotView::resizeEvent(event);
    // The selected map gets three quarters of the width, the thumbnails the
    // rest or their least size (32 px a head), until the user moves the
    // divider: at 1024 x 768 and 150 % the thumbnails had two fifths and
    // more, and the map was 150 px a side.
    if (!m_splitterMoved) {
        const int width = m_splitter->width() - m_splitter->handleWidth();
        const int grid = std::max(width / 4, m_splitter->widget(0)->minimumSizeHint().width());
        m_splitter->setSizes({grid, width - grid});
    }
}

void SelfAttentionView::snapshotChanged(const AttentionSnapshot &, int)
{
    m_gridDirty = true;
    rebuild();
}

void SelfAttentionView::sampleChanged()
{
    m_gridDirty = true;
    rebuild();
}

void SelfAttentionView::colorsChanged()
{
    m_gridDirty = true;
    rebuild();
}

void SelfAttentionView::setHead(int layer, int head)
{
    m_layer = std::max(0, layer);
    m_head = std::max(0, head);
    rebuild();
}

const float *SelfAttentionView::currentMap(int *n) const
{
    *n = 0;
    const AttentionSample *s = sample();
    if (!s)
        return nullptr;
    const SelfAttentionMaps &sa = s->selfAttention;
    if (sa.empty() || m_layer >= sa.layers || m_head >= sa.heads)
        return nullptr;
    *n = sa.n;
    return sa.map(m_layer, m_head);
}

double SelfAttentionView::cell(int i, int j) const
{
    int n = 0;
    const float *map = currentMap(&n);
    if (!map || i < 0 || i >= n || j < 0 || j >= n)
        return std::nan("");
    return map[size_t(i) * size_t(n) + size_t(j)];
}

void SelfAttentionView::draw()
{
    updateControls();
    if (m_gridDirty) {
        static const SelfAttentionMaps none;
        const AttentionSample *s = sample();
        m_grid->setMaps(s ? s->thumbnails : none, colorMap(), colorScale());
        m_gridDirty = false;
    }
    m_grid->setCurrent(m_layer, m_head);
    fillMap();
    updateTicks();
    stylePlot(m_plot, palette());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SelfAttentionView::updateControls()
{
    const AttentionSample *s = sample();
    // Combo boxes follow the model's shape.
    const int layers = s && !s->selfAttention.empty() ? s->selfAttention.layers : 0;
    const int heads = layers > 0 ? s->selfAttention.heads : 0;
    if (m_layerBox->count() != layers) {
        m_layerBox->clear();
        for (int l = 0; l < layers; ++l) m_layerBox->addItem(QString::number(l));
    }
    if (m_headBox->count() != heads) {
        m_headBox->clear();
        for (int h = 0; h < heads; ++h) m_headBox->addItem(QString::number(h));
    }
    if (m_layer >= layers) m_layer = 0;
    if (m_head >= heads) m_head = 0;
    m_layerBox->setCurrentIndex(m_layer);
    m_headBox->setCurrentIndex(m_head);
    if (!s)
        m_note->setText(tr("No attention snapshot yet"));
    else if (layers == 0 && snapshot().layers == 0)
        m_note->setText(tr("The model has no encoder layer (0 layers): no self-attention"));
    else if (layers == 0 && snapshot().selfAttentionLimit <= 0)
        m_note->setText(tr("Self-attention not kept: this run needs the whole memory budget (%1) for training; "
                           "the task attention is shown")
                            .arg(QString::fromStdString(formatBytes(double(memoryBudget())))));
    else if (const double bytes = double(snapshot().layers) * snapshot().heads * double(s->tokenCount()) * s->tokenCount() * sizeof(float);
             layers == 0 && bytes > snapshot().selfAttentionLimit)
        m_note->setText(tr("Self-attention not kept: the maps of %1 positions take %2, more than the views may keep "
                           "(%3 of the memory budget)")
                            .arg(s->tokenCount())
                            .arg(QString::fromStdString(formatBytes(bytes)),
                                 QString::fromStdString(formatBytes(snapshot().selfAttentionLimit))));
    else if (layers == 0)
        m_note->setText(tr("Self-attention not kept for this sample at this step "
                           "(memory budget); a selected sample keeps it from the next refresh on"));
    else {
        // A file's attention has no step.
        QString where = tr("sample #%1").arg(s->sampleIndex);
        if (!snapshot().fromFile)
            where += tr(" · step %1").arg(snapshot().step);
        m_note->setText(m_axesNamed ? where : tr("rows: query, columns: key (attended to) · ") + where);  // the axes first: cut last
    }
    m_note->setToolTip(m_note->text());
    fitNote();
}

// The note's lines whole where the column has room for them: the
// thumbnails above give up the height they would leave empty anyway, down
// to their least. They took half the column: at 1024 x 768 and 150 % the
// negation lesson's "rows: query, columns: key (attended to) · sample #3 ·
// step 500" stopped after "(attended". A maximum, not a minimum height: the
// view's least size stays what it was.
void SelfAttentionView::fitNote()
{
    QWidget *column = m_note->parentWidget();
    QLayout *left = column->layout();
    const QRect room = left->contentsRect();
    if (room.isEmpty())
        return;
    const int controls = left->itemAt(0)->sizeHint().height();
    const int spacing = left->spacing() * (left->count() - 1);
    const int need = m_note->QLabel::heightForWidth(room.width());
    const int rest = room.height() - controls - spacing;
    const int grid = std::max(m_grid->minimumSizeHint().height(), rest - std::max(need, 0));
    if (m_grid->maximumHeight() != grid)
        m_grid->setMaximumHeight(grid);
}

void SelfAttentionView::fillMap()
{
    int n = 0;
    const float *map = currentMap(&n);
    m_map->setGradient(colorGradient(colorMap()));
    QCPColorMapData *data = m_map->data();
    const int size = std::max(n, 2);
    data->setSize(size, size);
    data->setRange(QCPRange(0, size - 1), QCPRange(0, size - 1));
    if (n < size)
        data->fill(std::nan(""));  // otherwise every cell is set below
    double top = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const float v = map[size_t(i) * size_t(n) + size_t(j)];
            data->setCell(j, i, v);
            top = std::max(top, double(v));
        }
    m_map->setDataRange(QCPRange(0, scaleTop(colorScale(), top)));
    m_plot->xAxis->setTickLabelRotation(-90);
    m_plot->xAxis->setRange(-0.5, std::max(n, 1) - 0.5);
    m_plot->yAxis->setRange(-0.5, std::max(n, 1) - 0.5);
}

void SelfAttentionView::updateTicks()
{
    // Token labels on both axes, elided to a quarter of the plot, and as a
    // plot library does with its ticks, no more than fit along the map's
    // sides: every k-th where they do not (they overlapped at 150 %, when
    // the map was smaller than the 200 px taken for granted). The sides are
    // those of a layout with the labels in place.
    int n = 0;
    currentMap(&n);
    const AttentionSample *s = n > 0 ? sample() : nullptr;
    auto xTicker = m_plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    auto yTicker = m_plot->yAxis->ticker().dynamicCast<QCPAxisTickerText>();
    const QFontMetrics fm(m_plot->xAxis->tickLabelFont());
    const int least = fm.horizontalAdvance(QStringLiteral("wwww"));
    int longest = std::max(least, std::min(m_plot->width(), m_plot->height()) / 4);
    QStringList labels;
    const auto cutLabels = [&] {
        labels.clear();
        for (int j = 0; s && j < n; ++j)
            labels << fm.elidedText(elidedName(s->tokens[size_t(j)]), Qt::ElideRight, longest);  // <unk>: marked below
    };
    cutLabels();
    const auto setTicks = [&](const std::vector<int> &xs, const std::vector<int> &ys) {
        xTicker->clear();
        yTicker->clear();
        for (const int j : xs)
            xTicker->addTick(j, labels[j]);
        for (const int j : ys)
            yTicker->addTick(j, labels[j]);
        layOutWeightMap(m_plot, m_map);
    };
    // The colour scale's title where the plot is wide (at 150 % on a
    // projector its column was worth a third of the map's width), and the
    // axes' titles where it is large: on a small one (1024 x 768 at 150 %,
    // a plot of 362 x 290) they took a line of each side of a map of 157 x
    // 170 px, and the note beside says which axis is which instead.
    const bool large = std::min(m_plot->width(), m_plot->height()) >= 16 * fm.height();
    m_map->colorScale()->axis()->setLabel(m_plot->width() >= 24 * fm.height() ? tr("attention") : QString());
    m_plot->xAxis->setLabel(large ? tr("key (attended to)") : QString());
    m_plot->yAxis->setLabel(large ? tr("query") : QString());
    if (large != m_axesNamed) {
        m_axesNamed = large;
        updateControls();  // the note names the axes, or not
    }
    const std::vector<int> all = thinnedLabels(int(labels.size()), 1, {});
    setTicks(all, all);
    // A line of height for every row where cutting the labels shorter gives
    // it (the keys' upright labels take the map's height): at 1024 x 768 and
    // 150 % the negation lesson's 9 rows had 22 px each, a line 23, and 4 of
    // them were labelled. Down to "wwww" at the shortest, as before.
    for (int k = 0; k < 4 && n > 0 && longest > least; ++k) {
        const int have = m_plot->axisRect()->height(), need = n * fm.height();
        if (have >= need)
            break;
        longest = std::max(least, longest - (need - have));
        cutLabels();
        setTicks(all, all);
    }
    // A label is a line of text across its axis (the keys' turned upright):
    // every one while a line is no taller than a cell, else the weightiest
    // first (the keys attended most, the queries the tasks read most), then
    // every k-th between them (the negation lesson asks for the sentiment
    // word's row bright on "not": at 150 % "not" went unlabelled on both
    // axes, then the sentiment word's row).
    const QRect map = m_plot->axisRect()->rect();
    const auto strideFor = [&](int side) {
        const double cell = double(std::max(side, 1)) / std::max(n, 1);
        return fm.height() <= cell ? 1 : int(std::ceil(fm.height() / cell));
    };
    const int xEvery = strideFor(map.width()), yEvery = strideFor(map.height());
    if (xEvery > 1 || yEvery > 1)
        setTicks(thinnedLabels(int(labels.size()), xEvery, weightiestKeys()),
                 thinnedLabels(int(labels.size()), yEvery, weightiestQueries()));
    // An unknown word's row and column hatched, its labels in italic and
    // colour (unknownmark.h): the mark costs no text, so no cut loses it.
    m_plot->clearItems();
    const std::vector<int> unknown = s ? unknownPositions(s->unknown) : std::vector<int>();
    for (const int j : unknown) {
        hatchUnknownCells(m_plot, QRectF(QPointF(j - 0.5, -0.5), QPointF(j + 0.5, n - 0.5)));
        hatchUnknownCells(m_plot, QRectF(QPointF(-0.5, j - 0.5), QPointF(n - 0.5, j + 0.5)));
    }
    markUnknownTicks(m_plot->xAxis, unknown);
    markUnknownTicks(m_plot->yAxis, unknown);
    setUnknownLegendShown(!unknown.empty());
}

// Indices whose weight is clearly above `floor` (a tenth: not the rounding
// of an even spread), the weightiest first.
static std::vector<int> aboveFloor(const std::vector<double> &weight, double floor)
{
    std::vector<int> order;
    for (int i = 0; i < int(weight.size()); ++i)
        if (weight[size_t(i)] > 1.1 * floor)
            order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return weight[size_t(a)] > weight[size_t(b)]; });
    return order;
}

std::vector<int> SelfAttentionView::weightiestKeys() const
{
    // A key's column sum: the attention it gets from every query (n in all,
    // so 1 a key where it is spread evenly).
    int n = 0;
    const float *map = currentMap(&n);
    std::vector<double> received(size_t(std::max(n, 0)), 0.0);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            received[size_t(j)] += map[size_t(i) * size_t(n) + size_t(j)];
    return aboveFloor(received, 1.0);
}

std::vector<int> SelfAttentionView::weightiestQueries() const
{
    // A query's row is the encoder output the tasks pool: its largest
    // pooling weight over the tasks (the negation lesson's sentiment word
    // is read by the sentiment task, and its row is the one the step asks
    // about: at 150 % it went unlabelled while "as" and "it" kept theirs).
    int n = 0;
    currentMap(&n);
    const AttentionSample *s = n > 0 ? sample() : nullptr;
    std::vector<double> read(size_t(std::max(n, 0)), 0.0);
    for (const std::vector<float> &weights : s ? s->weights : std::vector<std::vector<float>>())
        for (int i = 0; i < n && i < int(weights.size()); ++i)
            read[size_t(i)] = std::max(read[size_t(i)], double(weights[size_t(i)]));
    return aboveFloor(read, n > 0 ? 1.0 / n : 1.0);
}

void SelfAttentionView::showTooltip(const QMouseEvent *mouse)
{
    const QPoint pos = mouse->position().toPoint();
    const int j = int(std::floor(m_plot->xAxis->pixelToCoord(pos.x()) + 0.5));
    const int i = int(std::floor(m_plot->yAxis->pixelToCoord(pos.y()) + 0.5));
    const double v = cell(i, j);
    if (!m_plot->axisRect()->rect().contains(pos) || !std::isfinite(v)) {
        QToolTip::hideText();
        return;
    }
    const AttentionSample &s = *sample();
    QToolTip::showText(mouse->globalPosition().toPoint(),
                       tr("<b>%1</b> → <b>%2</b><br>layer %3, head %4<br>weight: %5")
                           .arg(elidedName(s.shownToken(size_t(i)), MaxTooltipNameChars).toHtmlEscaped(),
                                elidedName(s.shownToken(size_t(j)), MaxTooltipNameChars).toHtmlEscaped(),
                                QString::number(m_layer), QString::number(m_head), QString::number(v, 'f', 4)),
                       m_plot);
}

bool SelfAttentionView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_plot && event->type() == QEvent::MouseMove) {
        showTooltip(static_cast<QMouseEvent *>(event));
    } else if (watched == m_note->parentWidget() && event->type() == QEvent::Resize) {
        fitNote();
    } else if (watched == m_plot && event->type() == QEvent::Resize) {
        updateTicks();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
    return SnapshotView::eventFilter(watched, event);
}

QString SelfAttentionView::csv() const
{
    QString out = QStringLiteral("sample,layer,head,query_index,query,key_index,key,weight\n");
    const AttentionSample *s = sample();
    if (!s)
        return out;
    // Each token quoted once, not once per row it is in.
    QStringList quoted;
    for (const std::string &token : s->tokens)
        quoted << QString::fromStdString(csvQuote(token));
    const SelfAttentionMaps &maps = s->selfAttention;
    for (int l = 0; l < maps.layers && !maps.empty(); ++l)
        for (int h = 0; h < maps.heads; ++h)
            for (int i = 0; i < maps.n; ++i)
                for (int j = 0; j < maps.n; ++j)
                    // One arg() of strings: a token holding "%6" stays as it is.
                    out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8\n")
                               .arg(QString::number(s->sampleIndex), QString::number(l), QString::number(h),
                                    QString::number(i), quoted[i], QString::number(j), quoted[j],
                                    QString::number(maps.at(l, h, i, j), 'g', 9));
    return out;
}

} // namespace attnscope
