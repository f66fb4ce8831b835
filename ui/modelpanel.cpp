#include "modelpanel.h"

#include "appearance.h"
#include "formwrap.h"

#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

namespace attnscope {

ModelPanel::ModelPanel(QWidget *parent)
    : QGroupBox(tr("Model"), parent)
{
    setObjectName(QStringLiteral("modelPanel"));
    const auto spin = [this](const char *name, int lo, int hi, int value, const QString &tip) {
        auto *box = new QSpinBox(this);
        box->setObjectName(QLatin1String(name));
        box->setRange(lo, hi);
        box->setValue(value);
        box->setToolTip(tip);
        box->setKeyboardTracking(false);
        connect(box, &QSpinBox::valueChanged, this, [this]() {
            validate();
            showLessonNote();
            emit changed();
        });
        return box;
    };
    m_layers = spin("layers", 0, 16, 1, tr("Encoder layers (0: attention pooling over the embeddings only)"));
    m_heads = spin("heads", 1, 64, 4, tr("Self-attention heads; the width must be a multiple of them"));
    m_dim = spin("width", 1, 1024, 64, tr("Model width d"));
    m_ffn = spin("ffn", 1, 8192, 256, tr("Feed-forward width"));
    m_maxLen = spin("maxLength", 1, 4096, 64, tr("Text: tokens kept per sample"));
    m_maxVocab = spin("maxVocab", 2, 1 << 20, 20000,
                      tr("Text: vocabulary entries at most, <pad> and <unk> included (the most frequent tokens)"));
    m_minFreq = spin("minFreq", 1, 1 << 20, 1,
                     tr("Text: a token enters the vocabulary when the training split has it this many times"));
    m_seed = spin("seed", 0, 1 << 30, 1, tr("Seed of the split, the initial weights and the batch order"));
    m_mode = new QComboBox(this);
    m_mode->setObjectName(QStringLiteral("mode"));
    // Short enough to read whole in the Setup dock at 150 % (the tooltips say more).
    m_mode->addItem(tr("task: one per task"), QStringLiteral("task"));
    m_mode->addItem(tr("shared: one for all"), QStringLiteral("shared"));
    m_mode->addItem(tr("gated: shared + task"), QStringLiteral("gated"));
    m_mode->addItem(tr("uniform (control)"), QStringLiteral("uniform"));
    m_mode->setItemData(0, tr("One attention for each task: each finds its own words"), Qt::ToolTipRole);
    m_mode->setItemData(1, tr("One attention shared by every task"), Qt::ToolTipRole);
    m_mode->setItemData(2, tr("The shared attention and one per task, mixed by a learned gate"), Qt::ToolTipRole);
    m_mode->setItemData(3, tr("No attention is learned: every real token weighs the same. If this run "
                              "matches the others' accuracy, their attention was not needed."),
                        Qt::ToolTipRole);
    connect(m_mode, &QComboBox::currentIndexChanged, this, &ModelPanel::changed);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("modelError"));
    m_error->setWordWrap(true);
    setProblemColor(m_error, palette());
    m_error->hide();

    m_lesson = new QLabel(this);
    m_lesson->setObjectName(QStringLiteral("lessonNote"));
    m_lesson->setWordWrap(true);
    m_lesson->setForegroundRole(QPalette::PlaceholderText);
    m_lesson->hide();

    m_newRun = new QLabel(this);
    m_newRun->setObjectName(QStringLiteral("newRunNote"));
    m_newRun->setWordWrap(true);
    m_newRun->hide();

    auto *outer = new QVBoxLayout(this);
    outer->addWidget(m_newRun);
    auto *form = new QFormLayout;
    outer->addLayout(form);
    form->setVerticalSpacing(6);
    form->setHorizontalSpacing(10);
    new FormWrap(form);  // labels above the fields in a narrow dock (formwrap.h)
    form->addRow(tr("Layers"), m_layers);
    form->addRow(tr("Heads"), m_heads);
    form->addRow(tr("Width"), m_dim);
    form->addRow(m_error);
    form->addRow(tr("Feed-forward"), m_ffn);
    form->addRow(tr("Attention"), m_mode);
    form->addRow(tr("Max length"), m_maxLen);
    form->addRow(tr("Vocabulary"), m_maxVocab);
    form->addRow(tr("Min. count"), m_minFreq);
    form->addRow(tr("Seed"), m_seed);
    outer->addWidget(m_lesson);
    validate();
}

void ModelPanel::setLessonNote(const QString &note, int layers)
{
    m_lessonNote = note;
    m_lessonDepth = layers;
    showLessonNote();
}

// The note says why the lesson chose its depth: true only at that depth.
void ModelPanel::showLessonNote()
{
    const bool shown = !m_lessonNote.isEmpty() && m_layers->value() == m_lessonDepth;
    m_lesson->setText(shown ? m_lessonNote : QString());
    m_lesson->setVisible(shown);
}

void ModelPanel::setNewRunNote(const QString &note)
{
    m_newRun->setText(note);
    m_newRun->setVisible(!note.isEmpty());
    setTitle(note.isEmpty() ? tr("Model") : tr("Model (for a new run)"));
}

QString ModelPanel::newRunNote() const
{
    return m_newRun->text();
}

QString ModelPanel::lessonNote() const
{
    return m_lesson->text();
}

ModelConfig ModelPanel::config() const
{
    ModelConfig c;
    c.layers = m_layers->value();
    c.heads = m_heads->value();
    c.dim = m_dim->value();
    c.ffn = m_ffn->value();
    c.maxLen = m_maxLen->value();
    c.maxVocab = m_maxVocab->value();
    c.minFreq = m_minFreq->value();
    parseAttentionMode(m_mode->currentData().toString().toStdString(), &c.mode);
    return c;
}

uint64_t ModelPanel::seed() const
{
    return uint64_t(m_seed->value());
}

void ModelPanel::setConfig(const ModelConfig &config, uint64_t seed)
{
    const QSignalBlocker b1(m_layers), b2(m_heads), b3(m_dim), b4(m_ffn), b5(m_maxLen), b6(m_seed), b7(m_mode),
        b8(m_maxVocab), b9(m_minFreq);
    m_layers->setValue(config.layers);
    m_heads->setValue(config.heads);
    m_dim->setValue(config.dim);
    m_ffn->setValue(config.ffn);
    m_maxLen->setValue(config.maxLen);
    m_maxVocab->setValue(config.maxVocab);
    m_minFreq->setValue(config.minFreq);
    m_seed->setValue(int(seed));
    m_mode->setCurrentIndex(m_mode->findData(QString::fromLatin1(toString(config.mode))));
    validate();
    showLessonNote();
    emit changed();
}

// Checks the fields with the core's own rule (ModelConfig::validate) on a
// stand-in for the data's sizes, and marks the field at fault.
void ModelPanel::validate()
{
    ModelConfig c = config();
    c.vocabSize = 10;
    c.classes = {2};
    m_problem.clear();
    QSpinBox *bad = nullptr;
    if (c.dim % c.heads != 0) {
        m_problem = tr("Width %1 is not a multiple of %2 heads (try %3).")
                        .arg(c.dim)
                        .arg(c.heads)
                        .arg(std::max(c.heads, c.dim / c.heads * c.heads));
        bad = m_dim;
    } else if (const std::string problem = c.validate(); !problem.empty()) {
        m_problem = QString::fromStdString(problem);
    }
    m_bad = bad;
    markBadFields();
    m_error->setText(m_problem);
    m_error->setVisible(!m_problem.isEmpty());
}

// The field at fault (and the heads with a width that is no multiple of
// them) framed in the problem's colour of the palette.
void ModelPanel::markBadFields()
{
    const QString frame = QStringLiteral("QSpinBox { border: 2px solid %1; }").arg(problemColor(palette()).name());
    for (QSpinBox *box : {m_layers, m_heads, m_dim, m_ffn, m_maxLen})
        box->setStyleSheet(box == m_bad || (m_bad == m_dim && box == m_heads) ? frame : QString());
}

void ModelPanel::setTextData(bool text)
{
    for (QSpinBox *box : {m_maxLen, m_maxVocab, m_minFreq}) {
        if (!box->property("textToolTip").isValid())
            box->setProperty("textToolTip", box->toolTip());
        box->setEnabled(text);
        box->setToolTip(text ? box->property("textToolTip").toString()
                             : tr("For text data; the open data has numeric features, no text column"));
    }
}

void ModelPanel::changeEvent(QEvent *event)
{
    QGroupBox::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {  // the theme: the problem's colour follows
        setProblemColor(m_error, palette());
        markBadFields();
    }
}

} // namespace attnscope
