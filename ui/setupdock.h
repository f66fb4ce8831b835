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

protected:
    // The title in the dock's font: Qt's QDockWidget draws it in the font it
    // had when built, so a zoom changed after (Ctrl+0 from 200 %, --zoom
    // other than the zoom remembered) left the title at the old size, cut
    // in a title bar of the new height.
    void paintEvent(QPaintEvent *event) override;

private:
    DatasetPanel *m_dataset;
    ModelPanel *m_model;
    TrainingPanel *m_training;
};

} // namespace attnscope
