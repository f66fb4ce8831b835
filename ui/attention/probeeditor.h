// The probe editor: type or paste a sentence (text models) or edit a row of
// feature values (tabular models) and see every task's attention and
// prediction from the current weights. It runs inspect() on a one-sample
// dataset built with the model's vocabulary, as `attnscope-cli attention
// --text` does, so its numbers are the CLI's.
//
// Two ways to run the input:
//   on its own: it holds a model (shared, immutable) and runs it here, on the
//     GUI thread (the demo, the tests, a checkpoint without a worker);
//   with a runner (the workbench): each edit becomes a ProbeInput handed to
//     the runner, which runs it elsewhere with the live weights (the training
//     worker, between two steps) and hands the result back to setResult().
//     The model given to setModel() then only says what input to offer
//     (text or a row of which features, starting from which means).
#pragma once

#include "attentionsnapshot.h"
#include "colormaps.h"

#include <QWidget>

#include <functional>
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

    using Runner = std::function<void(const ProbeInput &)>;

    void setModel(std::shared_ptr<const Model> model, int64_t step = -1);
    // With a runner, run() hands the input to it instead of running it here.
    void setRunner(Runner runner);
    bool hasRunner() const { return bool(m_runner); }
    // A runner's result for input `id`: shown when it is for the newest input
    // (the runner may send the same input's result again with newer weights).
    void setResult(const AttentionSnapshot &result, int id);
    // The input as it is now (what run() sends to a runner).
    ProbeInput input() const;
    void setText(const QString &text);       // runs at once
    void setRow(const std::vector<float> &values);  // tabular; runs at once
    QString text() const;
    void setColorMap(ColorMap map);
    void setColorScale(ColorScale scale);

    // Runs the model on the current input now (or sends it to the runner).
    // False (and an explanation in the status line) when there is no model
    // or no token.
    bool run();
    // The id of the newest input sent to the runner (0 before the first).
    int pendingId() const { return m_sentId; }
    const AttentionSnapshot &result() const { return m_result; }
    QString status() const;
    TaskHeatmap *heatmap() const { return m_heatmap; }
    TextView *textView() const { return m_textView; }

signals:
    void resultChanged();

private:
    void rebuildInputs();
    void show(bool truncated);
    bool truncated() const;  // the text has more tokens than the model's max_len

    std::shared_ptr<const Model> m_model;
    int64_t m_step = -1;
    QLineEdit *m_edit = nullptr;
    QTableWidget *m_row = nullptr;
    QLabel *m_status = nullptr;
    TaskHeatmap *m_heatmap = nullptr;
    TextView *m_textView = nullptr;
    QTimer *m_debounce = nullptr;
    AttentionSnapshot m_result;
    Runner m_runner;
    int m_sentId = 0;
};

} // namespace attnscope
