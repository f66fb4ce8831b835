// The parts of attnscope-cli train (cli.h), for its files only:
//   cli_train.cpp      the options, the session, the data and the run
//   cli_trainloop.cpp  the epochs, the signals, the end of the run and its report
#pragma once

#include "cli.h"
#include "cli_metrics.h"
#include "cli_session.h"

#include "bestevaluation.h"
#include "divergence.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attnscope::cli {

// SIGINT and SIGTERM caught while it lives (cli_trainloop.cpp).
class InterruptGuard;

// attnscope-cli train, one job a function, in the order run() calls them;
// what one makes, the next ones read. The members live as long as the
// command, as the locals of one function did: the signal handlers stay
// until the report is out. cli_train.cpp reads the options and builds the
// run; cli_trainloop.cpp trains it, finishes it and reports.
class TrainCommand {
public:
    explicit TrainCommand(const ArgParser &parser);
    ~TrainCommand();
    int run();

private:
    void readOptions();
    void openSession();
    void buildRun();
    void warnLongMaxLen(int longestTrain) const;
    void beginRun();
    void onStep(const Progress &progress);
    void trainEpochs();
    [[noreturn]] void diverged();
    bool endOfEpoch(const EvalResult &val);
    void finishRun();
    int printJson() const;
    int printText() const;
    int exitCode() const { return m_interrupted ? 128 + m_interrupted : ExitOk; }
    double trainLoss() const { return m_epochSteps ? m_epochLoss / double(m_epochSteps) : 0.0; }
    Model &model() { return m_setup.model; }
    const std::vector<TaskInfo> &tasks() const { return m_setup.model.tasks; }

    const ArgParser &p;
    // readOptions: what was asked, checked before anything is loaded.
    std::string m_sessionPath, m_resume, m_spec, m_out, m_init, m_initialOut, m_initialFrom, m_metricsPath;
    double m_valFraction = 0.2;
    ModelConfig m_mc;
    TrainConfig m_tc;
    bool m_json = false, m_keepBest = false;
    int64_t m_keepEvery = 0, m_patience = 0;
    // openSession: the session, and what a resumed run brings.
    std::unique_ptr<TrainSession> m_session;
    RunRecord m_record;
    CheckpointRecord m_resumeFrom;
    std::string m_dataSpec;
    LoadOptions m_loadOptions;
    double m_split = 0;
    // buildRun, beginRun: the run.
    TrainingSetup m_setup;
    std::string m_splitOrigin;  // where the split came from: the file's split, or the fraction
    std::unique_ptr<MetricsCsv> m_metrics;
    std::unique_ptr<Trainer> m_trainer;
    int64_t m_epochs = 0;
    // trainEpochs: the mean losses of the steps of the current epoch, the
    // last step, the divergence guard, the best evaluation and the signals.
    int m_currentEpoch = -1;
    int64_t m_epochSteps = 0;
    double m_epochLoss = 0;
    std::vector<double> m_epochTaskLoss;
    Progress m_last;
    int64_t m_firstStep = 0;  // 0, or where a resumed run continues
    std::optional<ProgressLine> m_line;
    bool m_guard = true;
    DivergenceState m_guardState;
    DivergenceVerdict m_verdict;
    bool m_evaluateEachEpoch = false;
    std::optional<BestEvaluation> m_best;
    bool m_stoppedEarly = false;
    std::unique_ptr<InterruptGuard> m_interrupt;
    double m_seconds = 0;
    int m_interrupted = 0;
    // finishRun
    bool m_restoredBest = false;
    std::optional<EvalResult> m_validation;
};

} // namespace attnscope::cli
