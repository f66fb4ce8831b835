// The probe editor: type or paste a sentence (text models) or edit a row of
// feature values (tabular models) and see every task's attention and
// prediction from the current weights. The editor never runs the model: each
// edit becomes a ProbeInput handed to its runner (the workbench's: the
// training worker, between two steps, with the live weights), and the
// result comes back through setResult(). The worker encodes the input as
// `attnscope-cli attention --text` does, so the numbers are the CLI's. The
// ModelInfo given to setModel() says what input to offer (text, or a row of
// which features, starting from which means).
#pragma once

#include "attentionsnapshot.h"
#include "colormaps.h"

#include <QWidget>

#include <functional>
#include <optional>

class QLabel;
class QLineEdit;
class QScrollArea;
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

    // The model the runner runs (none: nothing to run yet).
    void setModel(std::optional<ModelInfo> model);
    // What runs the inputs; run() hands each to it.
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
    void setScore(Method score);  // scores.h: its heatmap and text show this score

    // Sends the current input to the runner now. False (and an explanation
    // in the status line) when there is no model, no runner or no token.
    bool run();
    // The id of the newest input sent to the runner (0 before the first).
    int pendingId() const { return m_sentId; }
    // True when what is shown is the result of the input as it is: no typing
    // waits for the debounce and the newest input's result has come (or none
    // was sent). A picture taken now shows the typed text's attention.
    bool settled() const;
    const AttentionSnapshot &result() const { return m_result; }
    QString status() const;
    TaskHeatmap *heatmap() const { return m_heatmap; }
    TextView *textView() const { return m_textView; }

signals:
    void resultChanged();

protected:
    void changeEvent(QEvent *event) override;

private:
    void rebuildInputs();
    // The heatmap's and the typed text's least heights, for the model's tasks at the zoom's font.
    void setLeastHeights();
    void show(bool truncated);
    bool truncated() const;  // the text has more tokens than the model's max_len

    std::optional<ModelInfo> m_model;
    QLineEdit *m_edit = nullptr;
    QTableWidget *m_row = nullptr;
    QLabel *m_status = nullptr;
    TaskHeatmap *m_heatmap = nullptr;
    TextView *m_textView = nullptr;
    QScrollArea *m_textScroll = nullptr;  // the text view's, two lines high at least
    QTimer *m_debounce = nullptr;
    AttentionSnapshot m_result;
    Runner m_runner;
    int m_sentId = 0;
    int m_shownId = 0;  // the input whose result is shown
};

} // namespace attnscope
