#include "trainingpanel.h"

#include "appearance.h"
#include "formwrap.h"
#include "tasknames.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QStyle>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>

namespace attnscope {

namespace {

// A task's loss weight: 0 to 100 in steps of 0.25, as its spin box.
void setUpWeightField(QDoubleSpinBox *box)
{
    box->setRange(0, 100);
    box->setDecimals(2);
    box->setSingleStep(0.25);
    box->setKeyboardTracking(false);
}

// The weights column of the table: edited with the spin box of a weight.
class WeightDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &, const QModelIndex &) const override
    {
        auto *box = new QDoubleSpinBox(parent);
        setUpWeightField(box);
        box->setFrame(false);
        return box;
    }

    QString displayText(const QVariant &value, const QLocale &locale) const override
    {
        return locale.toString(value.toDouble(), 'f', 2);
    }
};

// A spin box that takes a number typed outside its range, sets its nearest
// bound and says so through `clamped` (a typed 1000 became 10 without a word).
class ClampedSpinBox : public QDoubleSpinBox {
public:
    using QDoubleSpinBox::QDoubleSpinBox;
    std::function<void(double typed, double value)> clamped;

    QValidator::State validate(QString &text, int &pos) const override
    {
        const QValidator::State state = QDoubleSpinBox::validate(text, pos);
        bool ok = false;
        locale().toDouble(text.trimmed(), &ok);
        return state == QValidator::Invalid && ok ? QValidator::Intermediate : state;  // let it be typed
    }

    void fixup(QString &text) const override
    {
        bool ok = false;
        const double typed = locale().toDouble(text.trimmed(), &ok);
        if (ok && std::isfinite(typed) && (typed > maximum() || typed < minimum())) {
            const double value = std::clamp(typed, minimum(), maximum());
            text = textFromValue(value);
            if (clamped)
                clamped(typed, value);
            return;
        }
        QDoubleSpinBox::fixup(text);
    }
};

} // namespace

QString TrainingPanel::learningRateNote() const
{
    return m_lrNote->isHidden() ? QString() : m_lrNote->text();
}

TrainingPanel::TrainingPanel(QWidget *parent)
    : QGroupBox(tr("Training"), parent)
{
    setObjectName(QStringLiteral("trainingPanel"));
    createOptimizerFields();
    createRunFields();
    connectFields();
    layOutFields();
    createWeightFields();
}

// The optimiser and its learning rate (with the note under it), schedule,
// weight decay and clipping.
void TrainingPanel::createOptimizerFields()
{
    m_optimizer = new QComboBox(this);
    m_optimizer->setObjectName(QStringLiteral("optimizer"));
    m_optimizer->addItem(QStringLiteral("AdamW"), QStringLiteral("adamw"));
    m_optimizer->addItem(QStringLiteral("Adam"), QStringLiteral("adam"));
    m_optimizer->addItem(QStringLiteral("SGD"), QStringLiteral("sgd"));
    m_schedule = new QComboBox(this);
    m_schedule->addItem(tr("constant"));
    m_schedule->addItem(tr("cosine"));
    auto *lr = new ClampedSpinBox(this);
    m_lr = lr;
    m_lr->setObjectName(QStringLiteral("learningRate"));
    m_lr->setDecimals(5);
    m_lr->setRange(0.00001, 10.0);
    m_lr->setSingleStep(0.0005);
    m_lr->setValue(0.003);
    m_lr->setKeyboardTracking(false);
    m_lr->setToolTip(tr("Applies at the next step, also while training"));
    // Under the field: a typed rate outside the range, and what was set instead.
    m_lrNote = new QLabel(this);
    m_lrNote->setObjectName(QStringLiteral("learningRateNote"));
    m_lrNote->setWordWrap(true);
    m_lrNote->hide();
    lr->clamped = [this](double typed, double value) {
        m_lrNote->setText(typed > value ? tr("%1 is above the largest learning rate: set to %2").arg(typed).arg(value)
                                        : tr("%1 is below the smallest learning rate: set to %2").arg(typed).arg(value));
        setProblemColor(m_lrNote, palette());
        m_lrNote->show();
        m_lrClamped = true;
    };
    connect(m_lr, &QDoubleSpinBox::editingFinished, this, [this]() {
        if (!std::exchange(m_lrClamped, false))
            m_lrNote->hide();  // a rate in the range: the note is old
    });
    m_decay = new QDoubleSpinBox(this);
    m_decay->setObjectName(QStringLiteral("weightDecay"));
    m_decay->setDecimals(4);
    m_decay->setRange(0, 10);
    m_decay->setSingleStep(0.01);
    m_decay->setValue(0.01);
    m_clip = new QDoubleSpinBox(this);
    m_clip->setObjectName(QStringLiteral("clip"));
    m_clip->setDecimals(2);
    m_clip->setRange(0, 1e6);
    m_clip->setSpecialValueText(tr("off"));
    m_clip->setToolTip(tr("Clip the global gradient norm to this value (0: off)"));
}

// The rationale weight mu (and why it is off), warm-up, batch size, epochs and steps.
void TrainingPanel::createRunFields()
{
    m_mu = new QDoubleSpinBox(this);
    m_mu->setObjectName(QStringLiteral("rationaleWeight"));
    m_mu->setDecimals(2);
    m_mu->setRange(0, 100);
    m_mu->setSingleStep(0.25);
    m_mu->setSpecialValueText(tr("off"));
    m_mu->setKeyboardTracking(false);
    m_muNote = new QLabel(this);
    m_muNote->setObjectName(QStringLiteral("rationaleWeightNote"));
    m_muNote->setWordWrap(true);
    m_muNote->setForegroundRole(QPalette::PlaceholderText);
    setRationalesAvailable(false);
    m_warmup = new QSpinBox(this);
    m_warmup->setObjectName(QStringLiteral("warmup"));
    m_warmup->setRange(0, 1000000);
    m_batch = new QSpinBox(this);
    m_batch->setObjectName(QStringLiteral("batchSize"));
    m_batch->setRange(1, 4096);
    m_batch->setValue(32);
    m_epochs = new QSpinBox(this);
    m_epochs->setObjectName(QStringLiteral("epochs"));
    m_epochs->setRange(1, 100000);
    m_epochs->setValue(TrainConfig().epochs);  // the core's default, as attnscope-cli train's
    // The run's length in steps, as attnscope-cli train --steps: a resumed
    // run goes on to it, a fork's child to it.
    m_steps = new QSpinBox(this);
    m_steps->setObjectName(QStringLiteral("steps"));
    m_steps->setRange(0, 10000000);
    m_steps->setSpecialValueText(tr("off"));  // short: it fits the field at 150 % on 1024 x 768
    m_steps->setToolTip(tr("The run's length in steps, whatever Epochs says (off: Epochs times the steps of an "
                           "epoch); Resume goes on to it"));
}

// A field that a new run takes says changed(); the learning rate and mu
// apply at the next step.
void TrainingPanel::connectFields()
{
    // A typed number is a new value once it is whole (Enter, or the focus
    // leaving), not at each digit: typing 20 in Epochs of a paused run asked
    // "Reset now?" at the 2, and the 0 went into the question's dialog.
    for (QAbstractSpinBox *box :
         std::initializer_list<QAbstractSpinBox *>{m_decay, m_clip, m_warmup, m_batch, m_epochs, m_steps})
        box->setKeyboardTracking(false);
    for (QComboBox *box : {m_optimizer, m_schedule})
        connect(box, &QComboBox::currentIndexChanged, this, &TrainingPanel::changed);
    for (QDoubleSpinBox *box : {m_decay, m_clip})
        connect(box, &QDoubleSpinBox::valueChanged, this, &TrainingPanel::changed);
    for (QSpinBox *box : {m_warmup, m_batch, m_epochs, m_steps})
        connect(box, &QSpinBox::valueChanged, this, &TrainingPanel::changed);
    connect(m_lr, &QDoubleSpinBox::valueChanged, this, [this](double v) { emit learningRateChanged(float(v)); });
    connect(m_mu, &QDoubleSpinBox::valueChanged, this, [this](double v) { emit rationaleWeightChanged(float(v)); });
}

void TrainingPanel::layOutFields()
{
    // The fields in a form, and below it what goes across the panel (the
    // rationale note, the task weights): word-wrapped rows of a form whose
    // labels had gone above their fields got the height of a wider line.
    auto *column = new QVBoxLayout(this);
    m_form = new QFormLayout;
    column->addLayout(m_form);
    m_form->setVerticalSpacing(6);
    m_form->setHorizontalSpacing(10);
    new FormWrap(m_form);  // labels above the fields in a narrow dock (formwrap.h)
    m_form->addRow(tr("Optimizer"), m_optimizer);
    m_form->addRow(tr("Learning rate"), m_lr);
    m_form->addRow(m_lrNote);
    m_form->addRow(tr("Schedule"), m_schedule);
    m_form->addRow(tr("Warm-up steps"), m_warmup);
    m_form->addRow(tr("Batch size"), m_batch);
    m_form->addRow(tr("Epochs"), m_epochs);
    m_form->addRow(tr("Steps"), m_steps);
    m_form->addRow(tr("Weight decay"), m_decay);
    m_form->addRow(tr("Clip gradient"), m_clip);
    m_form->addRow(tr("Rationale weight"), m_mu);
    column->addWidget(m_muNote);
}

// The task loss weights: a spin box each for few tasks, a table to scroll
// and filter for many (setTasks fills one or the other).
void TrainingPanel::createWeightFields()
{
    auto *weights = new QWidget(this);
    m_weightsForm = new QFormLayout(weights);
    m_weightsForm->setContentsMargins(0, 0, 0, 0);
    m_weightsForm->setVerticalSpacing(4);

    m_weightsMany = new QWidget(this);
    auto *many = new QVBoxLayout(m_weightsMany);
    many->setContentsMargins(0, 0, 0, 0);
    many->setSpacing(4);
    m_weightsFilter = new QLineEdit(m_weightsMany);
    m_weightsFilter->setObjectName(QStringLiteral("taskWeightsFilter"));
    m_weightsFilter->setPlaceholderText(tr("Filter tasks"));
    m_weightsFilter->setClearButtonEnabled(true);
    m_weightsTable = new QTableWidget(0, 2, m_weightsMany);
    m_weightsTable->setObjectName(QStringLiteral("taskWeights"));
    m_weightsTable->setHorizontalHeaderLabels({tr("Task"), tr("Weight")});
    m_weightsTable->verticalHeader()->hide();
    m_weightsTable->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_weightsTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_weightsTable->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_weightsTable->setSelectionMode(QAbstractItemView::NoSelection);
    m_weightsTable->setEditTriggers(QAbstractItemView::AllEditTriggers);
    m_weightsTable->setItemDelegateForColumn(1, new WeightDelegate(m_weightsTable));
    m_weightsTable->setWordWrap(false);
    fitWeightRows();
    many->addWidget(m_weightsFilter);
    many->addWidget(m_weightsTable);
    m_weightsMany->hide();
    connect(m_weightsTable, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (item->column() == 1)
            emit taskWeightsChanged(taskWeights());
    });
    connect(m_weightsFilter, &QLineEdit::textChanged, this, [this](const QString &text) {
        for (int t = 0; t < m_weightsTable->rowCount() && t < m_tasks.size(); ++t)
            m_weightsTable->setRowHidden(t, !m_tasks[t].contains(text, Qt::CaseInsensitive));
    });

    auto *title = new QLabel(tr("Task loss weights"), this);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    auto *column = static_cast<QVBoxLayout *>(layout());
    column->addWidget(title);
    column->addWidget(weights);
    column->addWidget(m_weightsMany);
}

// Rows as Qt measures them (the style's least row, or a line of the font
// and the header's margins) and tall enough for the weight's spin box, room
// for MaxNamedTasks of them: measured from the font each time, since the
// table measured them once at build time and kept a 200 % table at 100 %
// (and a 100 % one, its spin boxes cut, at 200 %).
void TrainingPanel::fitWeightRows()
{
    m_fitPending = false;
    QHeaderView *rows = m_weightsTable->verticalHeader();
    QDoubleSpinBox editor;
    setUpWeightField(&editor);
    editor.setFrame(false);
    editor.setFont(m_weightsTable->font());
    const int line = m_weightsTable->fontMetrics().height() + 2 * style()->pixelMetric(QStyle::PM_HeaderMargin);
    rows->setDefaultSectionSize(std::max({style()->pixelMetric(QStyle::PM_HeaderDefaultSectionSizeVertical), line,
                                          editor.sizeHint().height()}));
    m_weightsTable->setFixedHeight(m_weightsTable->horizontalHeader()->sizeHint().height()
                                   + 2 * m_weightsTable->frameWidth() + MaxNamedTasks * rows->defaultSectionSize());
}

void TrainingPanel::changeEvent(QEvent *event)
{
    QGroupBox::changeEvent(event);
    // The zoom: measured once the font has reached the table and its header
    // (each child has its own font change event, in no set order).
    if (event->type() == QEvent::FontChange && !m_fitPending) {
        m_fitPending = true;
        QMetaObject::invokeMethod(this, &TrainingPanel::fitWeightRows, Qt::QueuedConnection);
    }
}

void TrainingPanel::setTasks(const QStringList &tasks)
{
    while (m_weightsForm->rowCount() > 0)
        m_weightsForm->removeRow(0);
    m_weights.clear();
    m_tasks = tasks;
    m_weightsShown = tasks.size() > MaxNamedTasks;
    m_weightsMany->setVisible(m_weightsShown);
    {
        const QSignalBlocker block(m_weightsTable);
        m_weightsTable->setRowCount(0);
        m_weightsFilter->clear();
    }
    if (m_weightsShown) {
        const QSignalBlocker block(m_weightsTable);
        m_weightsTable->setRowCount(int(tasks.size()));
        for (int t = 0; t < tasks.size(); ++t) {
            auto *name = new QTableWidgetItem(elidedName(tasks[t]));
            name->setFlags(Qt::ItemIsEnabled);
            name->setData(Qt::DecorationRole, taskColor(t));
            name->setToolTip(elidedName(tasks[t], MaxTooltipNameChars));
            m_weightsTable->setItem(t, 0, name);
            auto *weight = new QTableWidgetItem;
            weight->setFlags(Qt::ItemIsEnabled | Qt::ItemIsEditable);
            weight->setData(Qt::EditRole, 1.0);
            weight->setToolTip(tr("Weight of %1's loss; applies at the next step").arg(elidedName(tasks[t])));
            m_weightsTable->setItem(t, 1, weight);
        }
        return;
    }
    for (int t = 0; t < tasks.size(); ++t) {
        auto *box = new QDoubleSpinBox;
        box->setObjectName(QStringLiteral("taskWeight_") + tasks[t]);
        setUpWeightField(box);
        box->setValue(1.0);
        box->setToolTip(tr("Weight of %1's loss; applies at the next step").arg(elidedName(tasks[t])));
        connect(box, &QDoubleSpinBox::valueChanged, this, [this]() { emit taskWeightsChanged(taskWeights()); });
        auto *label = new QLabel(QStringLiteral("<span style='color:%1'>&#9632;</span> %2")
                                     .arg(taskColor(t).name(), elidedName(tasks[t]).toHtmlEscaped()));
        m_weightsForm->addRow(label, box);
        m_weights.push_back(box);
    }
}

void TrainingPanel::setRationalesAvailable(bool available)
{
    m_mu->setEnabled(available);
    if (!available)
        m_mu->setValue(0);  // a run on data without rationales has nothing to pull toward
    const QString why = tr("This data has no rationales (no marked evidence for any task), so there is "
                           "nothing to pull the attention toward.");
    m_mu->setToolTip(available ? tr("mu: pulls each task's attention toward its rationale tokens "
                                    "(0: off); applies at the next step, also while training")
                               : why);
    m_muNote->setText(available ? QString() : why);
    m_muNote->setVisible(!available);
}

std::vector<float> TrainingPanel::taskWeights() const
{
    std::vector<float> weights;
    if (m_weightsShown) {
        weights.reserve(size_t(m_weightsTable->rowCount()));
        for (int t = 0; t < m_weightsTable->rowCount(); ++t)
            weights.push_back(float(m_weightsTable->item(t, 1)->data(Qt::EditRole).toDouble()));
        return weights;
    }
    for (QDoubleSpinBox *box : m_weights)
        weights.push_back(float(box->value()));
    return weights;
}

TrainConfig TrainingPanel::config() const
{
    TrainConfig c;
    parseOptimizer(m_optimizer->currentData().toString().toStdString(), &c.optimizer.kind);
    c.optimizer.lr = float(m_lr->value());
    c.optimizer.weightDecay = float(m_decay->value());
    c.optimizer.clip = float(m_clip->value());
    c.optimizer.schedule = m_schedule->currentIndex() == 1 ? Schedule::Cosine : Schedule::Constant;
    c.optimizer.warmup = m_warmup->value();
    c.batchSize = m_batch->value();
    c.epochs = m_epochs->value();
    c.steps = m_steps->value();
    c.taskWeights = taskWeights();
    c.rationaleWeight = float(m_mu->value());
    return c;
}

void TrainingPanel::setConfig(const TrainConfig &c)
{
    m_optimizer->setCurrentIndex(m_optimizer->findData(QString::fromLatin1(toString(c.optimizer.kind)).toLower()));
    m_lr->setValue(double(c.optimizer.lr));
    m_decay->setValue(double(c.optimizer.weightDecay));
    m_clip->setValue(double(c.optimizer.clip));
    m_schedule->setCurrentIndex(c.optimizer.schedule == Schedule::Cosine ? 1 : 0);
    m_warmup->setValue(int(c.optimizer.warmup));
    m_batch->setValue(c.batchSize);
    m_epochs->setValue(c.epochs);
    m_steps->setValue(int(std::clamp<int64_t>(c.steps, 0, m_steps->maximum())));
    if (m_mu->isEnabled())
        m_mu->setValue(double(c.rationaleWeight));
    // The task weights when they are this data's (empty: all 1).
    if (c.taskWeights.size() != size_t(m_tasks.size()) && !c.taskWeights.empty())
        return;
    for (int t = 0; t < m_tasks.size(); ++t) {
        const double w = c.taskWeights.empty() ? 1.0 : double(c.taskWeights[size_t(t)]);
        if (m_weightsShown) {
            if (QTableWidgetItem *item = m_weightsTable->item(t, 1))
                item->setData(Qt::EditRole, w);
        } else if (size_t(t) < m_weights.size()) {
            m_weights[size_t(t)]->setValue(w);
        }
    }
}

} // namespace attnscope
