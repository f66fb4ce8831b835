// The Training panel: optimiser, learning rate, schedule, warm-up, batch
// size, epochs or steps, weight decay, clipping, the rationale weight mu (MODEL.md
// 5b) and one loss weight per task. The learning rate, mu and the task
// weights apply to a running training at its next step; the rest take effect at the next start. Up to MaxNamedTasks tasks
// (tasknames.h) each weight has its spin box; more tasks (a CSV may have
// thousands) are a table to scroll and filter, edited in place.
#pragma once

#include "trainer.h"

#include <QGroupBox>
#include <QStringList>

#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace attnscope {

class TrainingPanel : public QGroupBox {
    Q_OBJECT

public:
    explicit TrainingPanel(QWidget *parent = nullptr);

    void setTasks(const QStringList &tasks);
    TrainConfig config() const;  // seed and threads left at their defaults
    // The fields of config, its task weights too when they are the tasks' (setTasks) or empty (all 1).
    void setConfig(const TrainConfig &config);
    std::vector<float> taskWeights() const;
    // Whether the open data has rationales: without, mu is off and says why.
    void setRationalesAvailable(bool available);

    QDoubleSpinBox *rationaleWeightField() const { return m_mu; }
    QDoubleSpinBox *learningRateField() const { return m_lr; }
    QSpinBox *epochsField() const { return m_epochs; }
    // The run's length in steps (TrainConfig::steps); 0, "off": Epochs.
    QSpinBox *stepsField() const { return m_steps; }
    // What the panel says under the learning rate (a typed rate outside the range); empty when nothing.
    QString learningRateNote() const;
    // The weights of many tasks (nullptr while the spin boxes hold them) and its filter.
    QTableWidget *weightsTable() const { return m_weightsShown ? m_weightsTable : nullptr; }
    QLineEdit *weightsFilter() const { return m_weightsFilter; }

signals:
    void learningRateChanged(float lr);
    void taskWeightsChanged(const std::vector<float> &weights);
    void rationaleWeightChanged(float mu);
    // A setting that needs a new run changed.
    void changed();

protected:
    void changeEvent(QEvent *event) override;

private:
    // The constructor's jobs, in its order.
    void createOptimizerFields();
    void createRunFields();
    void connectFields();
    void layOutFields();
    void createWeightFields();
    // The weights table's rows and height from the font, again at each zoom.
    void fitWeightRows();

    QComboBox *m_optimizer = nullptr, *m_schedule = nullptr;
    QDoubleSpinBox *m_lr = nullptr, *m_decay = nullptr, *m_clip = nullptr, *m_mu = nullptr;
    QLabel *m_muNote = nullptr;
    QLabel *m_lrNote = nullptr;   // a typed rate outside the range, and what was set
    bool m_lrClamped = false;     // since the last editingFinished
    QSpinBox *m_warmup = nullptr, *m_batch = nullptr, *m_epochs = nullptr, *m_steps = nullptr;
    QFormLayout *m_form = nullptr;
    QFormLayout *m_weightsForm = nullptr;
    std::vector<QDoubleSpinBox *> m_weights;  // few tasks
    QTableWidget *m_weightsTable = nullptr;   // many tasks: one row each
    QLineEdit *m_weightsFilter = nullptr;
    QWidget *m_weightsMany = nullptr;         // the table and its filter
    QStringList m_tasks;
    bool m_weightsShown = false;              // the table holds the weights
    bool m_fitPending = false;                // a fitWeightRows queued by a font change
};

} // namespace attnscope
