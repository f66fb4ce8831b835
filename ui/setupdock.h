// The window's left column, "Setup": the Dataset, Model and Training panels
// one above the other in a scroll area, in a dock that can move, float and
// close (the View menu brings it back).
#pragma once

#include <QDockWidget>

namespace attnscope {

class DatasetPanel;
class ModelPanel;
class TrainingPanel;

class SetupDock : public QDockWidget {
    Q_OBJECT

public:
    explicit SetupDock(QWidget *parent = nullptr);

    DatasetPanel *datasetPanel() const { return m_dataset; }
    ModelPanel *modelPanel() const { return m_model; }
    TrainingPanel *trainingPanel() const { return m_training; }

private:
    DatasetPanel *m_dataset;
    ModelPanel *m_model;
    TrainingPanel *m_training;
};

} // namespace attnscope
