// The Model panel: layers, heads, width, feed-forward width, attention mode,
// maximum length, the vocabulary's size and least count, and seed. A combination the model refuses (width not a
// multiple of heads, ...) is marked at the field with the reason, and the
// panel reports itself invalid until it is fixed.
#pragma once

#include "types.h"

#include <QGroupBox>

class QComboBox;
class QLabel;
class QSpinBox;

namespace attnscope {

class ModelPanel : public QGroupBox {
    Q_OBJECT

public:
    explicit ModelPanel(QWidget *parent = nullptr);

    // The fields as a configuration (data sizes left at zero).
    ModelConfig config() const;
    uint64_t seed() const;
    void setConfig(const ModelConfig &config, uint64_t seed);
    // A built-in lesson's note on its depth (Dataset::suggestion: "0 encoder
    // layers, so ..."), shown under the fields while Layers holds that depth
    // (empty: none). A lesson's later step or the user changing Layers
    // hides it; back at that depth, it shows again.
    void setLessonNote(const QString &note, int layers);
    // Max length, Vocabulary and Min. count apply to text only: off, with a
    // tooltip that says so, while the open data has none (builtin:sensors).
    void setTextData(bool text);
    // The note shown; empty when there is none or Layers holds another depth.
    QString lessonNote() const;
    // A note at the top of the panel that its fields are for a new run
    // (while the Attention tab shows a file's attention, made by another
    // model: "2 layers × 2 heads" beside Layers 1, Heads 4); empty: none.
    void setNewRunNote(const QString &note);
    QString newRunNote() const;
    // Empty when every field is acceptable, otherwise the reason shown.
    QString problem() const { return m_problem; }
    bool isValid() const { return m_problem.isEmpty(); }

    QSpinBox *layersField() const { return m_layers; }
    QSpinBox *widthField() const { return m_dim; }
    QSpinBox *headsField() const { return m_heads; }

signals:
    // A field changed (valid or not).
    void changed();

protected:
    // The problem's colour follows the palette (appearance.h).
    void changeEvent(QEvent *event) override;

private:
    void validate();
    void markBadFields();
    void showLessonNote();

    QSpinBox *m_layers = nullptr, *m_heads = nullptr, *m_dim = nullptr, *m_ffn = nullptr;
    QSpinBox *m_maxLen = nullptr, *m_seed = nullptr, *m_maxVocab = nullptr, *m_minFreq = nullptr;
    QComboBox *m_mode = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_lesson = nullptr;
    QLabel *m_newRun = nullptr;  // setNewRunNote's
    QString m_lessonNote;
    int m_lessonDepth = -1;  // the depth m_lessonNote speaks of
    QString m_problem;
    QSpinBox *m_bad = nullptr;  // the field at fault
};

} // namespace attnscope
