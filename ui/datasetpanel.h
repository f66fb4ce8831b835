// The Dataset panel: a built-in generator or a file (Open…, or a file dropped
// on the window), and the summary of what was loaded.
#pragma once

#include "dataset.h"

#include <QGroupBox>

class QComboBox;
class QLabel;
class QPushButton;

namespace attnscope {

class DatasetPanel : public QGroupBox {
    Q_OBJECT

public:
    explicit DatasetPanel(QWidget *parent = nullptr);

    // Shows the summary of a loaded dataset (nullptr: none). vocabSize from the model (0: unknown).
    void setDataset(const Dataset *data, int trainSamples, int valSamples, int vocabSize);
    void setSpec(const QString &spec);
    QString summaryText() const;

signals:
    void loadRequested(const QString &spec);
    void openRequested();

private:
    QComboBox *m_spec = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_description = nullptr;
};

} // namespace attnscope
