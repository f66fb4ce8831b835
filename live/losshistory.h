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

    QStringList m_tasks;
    std::vector<Series> m_series;
    std::vector<double> m_steps, m_epochs, m_lr;
    std::vector<double> m_evalSteps, m_evalEpochs;
    std::vector<SettingChange> m_changes;
    BestEvaluation m_best;
    int m_bestEval = -1;
    double m_beta = 0.9;
    std::vector<double> m_emaState;    // per series, the biased EMA after the last step
    std::vector<double> m_correction;  // smoothFrom's scratch: per new step
};

} // namespace attnscope
