// The training curves of one run as numbers, with no widget (Qt Core only):
// every step's total and per-task loss, epoch and learning rate; every
// evaluation's validation loss and accuracy; the settings changed while
// training. Each loss is also kept smoothed by a debiased exponential moving
// average, and each curve has block summaries (decimation.h) so that any
// range reduces to pixel columns at a cost that follows the pixels, not the
// points. The CSV export has every series at every step.
//
// LossPlot (ui/lossplot.h) draws a LossHistory and keeps only what drawing
// needs (graphs, ranges, which series are shown); its tests
// (tests/live/test_losshistory.cpp) link attnscope_live alone.
#pragma once

#include "bestevaluation.h"
#include "decimation.h"
#include "trainingworker.h"

#include <QString>
#include <QStringList>

#include <string>
#include <vector>

namespace attnscope {

class LossHistory {
public:
    // One curve set: series 0 is the total, series 1 + t task t.
    struct Series {
        std::vector<double> loss, smoothed;          // per step (NaN: no label in the batch)
        std::vector<double> evalLoss, evalAccuracy;  // per evaluation (accuracy: tasks only)
        SeriesPyramid lossBlocks, smoothedBlocks, evalLossBlocks, evalAccuracyBlocks;
    };

    LossHistory() { clear(); }  // the total alone, no task

    // Forgets every point and names the tasks.
    void setTasks(const QStringList &tasks);
    void clear();
    // Adds a snapshot's steps, evaluations and changes.
    void append(const TrainingSnapshot &snapshot);

    // The moving average's beta: 0 = raw, up to 0.999; recomputes every smoothed curve.
    void setSmoothing(double beta);
    double smoothing() const { return m_beta; }

    const QStringList &tasks() const { return m_tasks; }
    int seriesCount() const { return int(m_series.size()); }
    const Series &series(int s) const { return m_series[size_t(s)]; }
    // One entry per step.
    const std::vector<double> &steps() const { return m_steps; }
    const std::vector<double> &epochs() const { return m_epochs; }
    const std::vector<double> &learningRates() const { return m_lr; }
    // One entry per evaluation.
    const std::vector<double> &evalSteps() const { return m_evalSteps; }
    const std::vector<double> &evalEpochs() const { return m_evalEpochs; }
    // Evaluation i's confusion per task (the Confusion tab's), empty when the
    // evaluation brought none (a session file of before version 2) or its
    // was dropped to keep within ConfusionBudget.
    const std::vector<Confusion> &confusion(size_t i) const { return m_confusion[i]; }
    // What a run keeps of its evaluations' confusion (matrices and misses,
    // at most MaxMissSamples per task each): ConfusionBudget bytes. Past it,
    // every other evaluation's that is kept is dropped (the latest's stays),
    // as often as it takes: a long run keeps those of evaluations evenly
    // spread over it (every 2^k-th) and of the latest. A 200,000-step
    // run evaluating every 50 steps (4,000 evaluations, 3 tasks, 400
    // validation samples) would hold up to 58 MB of misses otherwise.
    static constexpr size_t ConfusionBudget = size_t(16) << 20;
    size_t confusionBytes() const { return m_confusionBytes; }
    const std::vector<SettingChange> &changes() const { return m_changes; }
    // The evaluation of lowest total validation loss, by the rule of
    // attnscope-cli train's --keep-best (bestevaluation.h): its index into
    // evalSteps(), -1 before the first.
    int bestEvaluation() const { return m_bestEval; }

    // The points held, as one snapshot that append() takes back (the
    // gradient norm and macro-F1, which the history does not keep, left out:
    // NaN and empty), for a run written to a session file after the fact.
    TrainingSnapshot points() const;

    // Every series, one row per step (validation columns on evaluation steps,
    // the changes applied before a step in its last column), in UTF-8.
    std::string csv() const;
    // csv() into path with core's writeFileAtomically (the old file stays
    // until the new one is whole); false and *error naming the path.
    bool exportCsv(const QString &path, QString *error) const;

private:
    void smoothFrom(size_t first);
    void keepConfusionInBudget();
    void dropConfusion(size_t evaluation);

    QStringList m_tasks;
    std::vector<Series> m_series;
    std::vector<double> m_steps, m_epochs, m_lr;
    std::vector<double> m_evalSteps, m_evalEpochs;
    std::vector<std::vector<Confusion>> m_confusion;  // per evaluation, per task
    size_t m_confusionBytes = 0;                      // what m_confusion holds
    size_t m_confusionStride = 1;                     // evaluations kept: its multiples, and the latest
    size_t m_confusionChecked = 0;                    // evaluations before it follow the stride
    std::vector<SettingChange> m_changes;
    BestEvaluation m_best;
    int m_bestEval = -1;
    double m_beta = 0.9;
    std::vector<double> m_emaState;    // per series, the biased EMA after the last step
    std::vector<double> m_correction;  // smoothFrom's scratch: per new step
};

} // namespace attnscope
