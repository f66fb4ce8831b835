#include "probeeditor.h"

#include "appearance.h"
#include "taskheatmap.h"
#include "tasknames.h"
#include "textview.h"
#include "tokenizer.h"

#include <QHeaderView>
#include <QEvent>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>

#include <cmath>

namespace attnscope {

ProbeEditor::ProbeEditor(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    // Off the tab's frame at the sides: the result line's first word touched it and read as cut.
    layout->setContentsMargins(6, 4, 6, 0);
    layout->setSpacing(4);
    m_edit = new QLineEdit(this);
    m_edit->setPlaceholderText(tr("Type a sentence to see every task's attention, e.g. "
                                  "\"the screen is not great, fix it asap\""));
    m_edit->setClearButtonEnabled(true);
    m_edit->setFont(labelFont(font(), 1));
    m_row = new QTableWidget(this);
    m_row->setRowCount(1);
    m_row->verticalHeader()->setVisible(false);
    m_row->setMaximumHeight(90);
    m_row->hide();
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_heatmap = new TaskHeatmap(this);
    // The result line above says the step, the Score box the score: the
    // title's line goes to the rows (on a projector the task rows had no
    // room for their names, and "watch the topic row" found it unnamed).
    m_heatmap->setTitleShown(false);
    m_heatmap->hideUnknownLegend();  // the text view below has it
    m_textView = new TextView;
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_textView);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_textScroll = scroll;
    layout->addWidget(m_edit);
    layout->addWidget(m_row);
    layout->addWidget(m_status);
    // The heatmap before the text's columns: with 2 to 3 its upright
    // tokens had 55 px at 1024 x 768 and 150 % ("bat…", "shi…" where a
    // lesson says "change 'battery'", accept27 F4); the text scrolls.
    layout->addWidget(m_heatmap, 3);
    layout->addWidget(scroll, 1);
    setLeastHeights();

    // Re-run as the user types, at most every 120 ms.
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(120);
    connect(m_debounce, &QTimer::timeout, this, &ProbeEditor::run);
    connect(m_edit, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_row, &QTableWidget::cellChanged, m_debounce, qOverload<>(&QTimer::start));
    m_status->setText(tr("No model yet: start training or open a checkpoint."));
}

void ProbeEditor::setModel(std::optional<ModelInfo> model)
{
    const bool kindChanged = !m_model || !model || m_model->input != model->input
                             || m_model->features != model->features;
    m_model = std::move(model);
    setLeastHeights();
    if (kindChanged) {
        rebuildInputs();
        run();  // the runner re-runs the input with every refresh of its weights by itself
    }
}

void ProbeEditor::setRunner(Runner runner)
{
    m_runner = std::move(runner);
}

void ProbeEditor::rebuildInputs()
{
    const bool tabular = m_model && m_model->input == InputKind::Tabular;
    m_edit->setVisible(!tabular);
    m_row->setVisible(tabular);
    if (tabular) {
        QSignalBlocker block(m_row);
        m_row->setColumnCount(int(m_model->features.size()));
        QStringList names;
        for (size_t j = 0; j < m_model->features.size(); ++j) {
            names << QString::fromStdString(m_model->features[j]);
            // Start from the training means (a typical row).
            const float mean = j < m_model->inputMean.size() ? m_model->inputMean[j] : 0.0f;
            m_row->setItem(0, int(j), new QTableWidgetItem(QString::number(mean, 'g', 4)));
        }
        m_row->setHorizontalHeaderLabels(names);
    }
}

void ProbeEditor::setText(const QString &text)
{
    m_edit->setText(text);
    m_debounce->stop();
    run();
}

void ProbeEditor::setRow(const std::vector<float> &values)
{
    {
        QSignalBlocker block(m_row);
        for (int j = 0; j < m_row->columnCount() && j < int(values.size()); ++j)
            m_row->setItem(0, j, new QTableWidgetItem(std::isnan(values[size_t(j)])
                                                           ? QString()
                                                           : QString::number(values[size_t(j)], 'g', 6)));
    }
    m_debounce->stop();
    run();
}

QString ProbeEditor::text() const
{
    return m_edit->text();
}

void ProbeEditor::setColorMap(ColorMap map)
{
    m_heatmap->setColorMap(map);
    m_textView->setColorMap(map);
}

void ProbeEditor::setScore(Method score)
{
    m_heatmap->setScore(score);
    m_textView->setScore(score);
}

void ProbeEditor::setColorScale(ColorScale scale)
{
    m_heatmap->setColorScale(scale);
    m_textView->setColorScale(scale);
}

QString ProbeEditor::status() const
{
    return m_status->text();
}

ProbeInput ProbeEditor::input() const
{
    ProbeInput in;
    in.id = m_sentId;
    in.input = m_model ? m_model->input : InputKind::Text;
    if (in.input == InputKind::Text) {
        in.text = m_edit->text().toStdString();
    } else {
        in.row.assign(m_model->features.size(), std::nanf(""));
        for (int j = 0; j < m_row->columnCount() && j < int(in.row.size()); ++j) {
            bool ok = false;
            const QTableWidgetItem *item = m_row->item(0, j);
            const float v = item ? item->text().toFloat(&ok) : 0.0f;
            if (ok) in.row[size_t(j)] = v;
        }
    }
    return in;
}

bool ProbeEditor::run()
{
    if (!m_model || !m_runner) {
        m_status->setText(tr("No model yet: start training or open a checkpoint."));
        return false;
    }
    if (m_model->input == InputKind::Text && tokenize(m_edit->text().toStdString(), m_model->maxLen).empty()) {
        m_status->setText(tr("The text has no tokens."));
        return false;
    }
    ++m_sentId;
    m_runner(input());  // the result comes back through setResult()
    return true;
}

void ProbeEditor::setResult(const AttentionSnapshot &result, int id)
{
    if (id != m_sentId)
        return;  // for an older input
    m_shownId = id;
    m_result = result;
    if (!m_result.samples.empty() && m_result.input == InputKind::Text)
        m_result.samples[0].text = m_edit->text().toStdString();
    show(truncated());
}

bool ProbeEditor::settled() const
{
    return !m_debounce->isActive() && m_shownId == m_sentId;
}

bool ProbeEditor::truncated() const
{
    bool cut = false;
    if (m_model && m_model->input == InputKind::Text)
        tokenize(m_edit->text().toStdString(), m_model->maxLen, &cut);
    return cut;
}

void ProbeEditor::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange) {  // the zoom: the input's font follows, and the text's room
        m_edit->setFont(labelFont(font(), 1));
        setLeastHeights();
    }
}

void ProbeEditor::setLeastHeights()
{
    // The heatmap: a line for each task's row, which its rows get while
    // they take at most half of the plot (taskheatmap.cpp placeLabels; the
    // tokens below are cut to make room). Up to three tasks, the typed
    // text's rows at 1024 x 768 and 150 %; more thin out as on the heatmap
    // tab. Less than the heatmap tab's least height: a typed sentence is
    // short, and this tab is no taller than the others.
    const QFontMetrics ticks(labelFont(m_heatmap->plot()->font()));  // the ticks' font (stylePlot)
    const int line = ticks.height() + 1;
    const int tasks = m_model ? std::clamp(int(m_model->tasks.size()), 1, 3) : 3;
    // Under the rows the tokens, upright and cut to "abc…" at least, and a
    // line for their padding and the colour scale's end labels.
    const int rows = tasks * line;
    const int margins = ticks.horizontalAdvance(QStringLiteral("abc") + QChar(0x2026)) + line;
    m_heatmap->setMinimumHeight(std::max(2 * rows, rows + margins));
    // The typed text below takes what is left, and scrolls: two lines of it are enough.
    m_textScroll->setMinimumHeight(2 * fontMetrics().height());
}

void ProbeEditor::show(bool truncated)
{
    // Predictions of every task at once.
    QStringList parts;
    if (!m_result.samples.empty()) {
        const AttentionSample &s = m_result.samples[0];
        for (int t = 0; t < m_result.taskCount(); ++t) {
            const int pred = s.predicted(t);
            if (pred < 0) continue;
            parts << QStringLiteral("<b style='color:%1'>%2</b>: %3 (%4)")
                         .arg(taskColor(t).name(),
                              elidedName(m_result.tasks[size_t(t)].name).toHtmlEscaped(),
                              elidedName(m_result.tasks[size_t(t)].classes[size_t(pred)]).toHtmlEscaped())
                         .arg(s.probs[size_t(t)][size_t(pred)], 0, 'f', 2);
        }
        if (truncated)
            parts << tr("(cut to %1 tokens)").arg(m_model->maxLen);
        parts << tr("· step %1").arg(m_result.step);
    }
    m_status->setText(parts.join(QStringLiteral(" &nbsp; ")));
    m_heatmap->setSnapshot(m_result);
    m_textView->setSnapshot(m_result);
    emit resultChanged();
}

} // namespace attnscope
