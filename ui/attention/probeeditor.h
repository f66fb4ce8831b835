// The probe editor: type or paste a sentence (text models) or edit a row of
// feature values (tabular models) and see every task's attention and
// prediction from the current weights. It runs inspect() on a one-sample
// dataset built with the model's vocabulary, as `attnscope-cli attention
// --text` does, so its numbers are the CLI's.
//
// It holds its own copy of the model (shared, immutable): the workbench
// hands it a copy of the weights whenever it likes (each snapshot, or on
// pause), so the editor never reads weights the worker is writing.
#pragma once

#include "attentionsnapshot.h"
#include "colormaps.h"

#include <QWidget>

#include <memory>

class QLabel;
class QLineEdit;
class QTableWidget;
class QTimer;

namespace attnscope {

class TaskHeatmap;
class TextView;

class ProbeEditor : public QWidget {
    Q_OBJECT

public:
    explicit ProbeEditor(QWidget *parent = nullptr);

    void setModel(std::shared_ptr<const Model> model, int64_t step = -1);
    void setText(const QString &text);       // runs at once
    void setRow(const std::vector<float> &values);  // tabular; runs at once
    QString text() const;
    void setColorMap(ColorMap map);

    // Runs the model on the current input now. False (and an explanation in
    // the status line) when there is no model or no token.
    bool run();
    const AttentionSnapshot &result() const { return m_result; }
    QString status() const;
    TaskHeatmap *heatmap() const { return m_heatmap; }
    TextView *textView() const { return m_textView; }

signals:
    void resultChanged();

private:
    void rebuildInputs();

    std::shared_ptr<const Model> m_model;
    int64_t m_step = -1;
    QLineEdit *m_edit = nullptr;
    QTableWidget *m_row = nullptr;
    QLabel *m_status = nullptr;
    TaskHeatmap *m_heatmap = nullptr;
    TextView *m_textView = nullptr;
    QTimer *m_debounce = nullptr;
    AttentionSnapshot m_result;
};

} // namespace attnscope
