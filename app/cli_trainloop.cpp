// attnscope-cli train: the epochs (progress, evaluations, --keep-best and
// --patience, the divergence guard, SIGINT and SIGTERM), the end of the run
// and its report (cli_train.h).
#include "cli_train.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <unistd.h>

namespace attnscope::cli {

namespace {

using Clock = std::chrono::steady_clock;

std::string progressText(const Progress &p, const std::vector<TaskInfo> &tasks, int64_t epochs)
{
    char buffer[128];
    std::snprintf(buffer, sizeof buffer, "step %lld/%lld epoch %d/%lld loss %.4f",
                  static_cast<long long>(p.step), static_cast<long long>(p.totalSteps), p.epoch + 1,
                  static_cast<long long>(epochs), double(p.loss));
    std::string text = buffer;
    if (!tasks.empty()) {
        text += " (";
        for (size_t t = 0; t < tasks.size() && t < p.taskLoss.size(); ++t) {
            std::snprintf(buffer, sizeof buffer, "%s%s %.3f", t ? " " : "", tasks[t].name.c_str(),
                          double(p.taskLoss[t]));
            text += buffer;
        }
        text += ")";
    }
    std::snprintf(buffer, sizeof buffer, " %.0f steps/s", p.stepsPerSecond);
    return text + buffer;
}

// One line per epoch: mean train loss of the epoch and validation accuracy per task.
void printEpoch(int epoch, int64_t epochs, double trainLoss, const EvalResult *val,
                const std::vector<TaskInfo> &tasks)
{
    std::printf("epoch %d/%lld  train loss %.4f", epoch, static_cast<long long>(epochs), trainLoss);
    if (val) {
        std::printf("  val loss %.4f  accuracy", val->loss);
        for (size_t t = 0; t < tasks.size() && t < val->tasks.size(); ++t)
            std::printf(" %s %.3f", tasks[t].name.c_str(), val->tasks[t].accuracy);
    }
    std::printf("\n");
    std::fflush(stdout);
}

// SIGINT and SIGTERM while training: the first asks the trainer to stop at
// the next step boundary (the run then writes its checkpoint and whole
// metrics rows, and exits 128 + the signal); a second one ends the program
// at once, as the signal would have without a handler.
std::atomic<Trainer *> g_interruptible{nullptr};
volatile std::sig_atomic_t g_interrupt = 0;  // the first signal, 0 before

extern "C" void onInterrupt(int signal)
{
    if (g_interrupt) {
        std::signal(signal, SIG_DFL);
        std::raise(signal);
        return;
    }
    g_interrupt = signal;
    if (Trainer *trainer = g_interruptible.load())
        trainer->requestStop();  // an atomic store: safe in a handler
    static const char said[] = "\nstopping after this step, then writing the checkpoint (again to stop at once)\n";
    [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, said, sizeof said - 1);
}

} // namespace

class InterruptGuard {
public:
    explicit InterruptGuard(Trainer *trainer)
    {
        static_assert(std::atomic<Trainer *>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);
        g_interrupt = 0;
        g_interruptible.store(trainer);
        m_int = std::signal(SIGINT, onInterrupt);
        m_term = std::signal(SIGTERM, onInterrupt);
    }
    ~InterruptGuard()
    {
        std::signal(SIGINT, m_int);
        std::signal(SIGTERM, m_term);
        g_interruptible.store(nullptr);
    }
    InterruptGuard(const InterruptGuard &) = delete;
    InterruptGuard &operator=(const InterruptGuard &) = delete;
    int signal() const { return g_interrupt; }

private:
    void (*m_int)(int) = SIG_DFL;
    void (*m_term)(int) = SIG_DFL;
};

// Here, where InterruptGuard is whole.
TrainCommand::TrainCommand(const ArgParser &parser) : p(parser) {}
TrainCommand::~TrainCommand() = default;

// After every step: the divergence guard, the epoch's losses, the metrics
// row, the session's point and the progress line.
void TrainCommand::onStep(const Progress &progress)
{
    m_verdict = checkDivergence(&m_guardState, progress.step + (progress.diverged ? 1 : 0), progress.loss,
                                progress.gradNorm);
    if (m_verdict.kind != DivergenceKind::None && m_guard)
        m_trainer->requestStop();
    if (progress.epoch != m_currentEpoch) {
        m_currentEpoch = progress.epoch;
        m_epochSteps = 0;
        m_epochLoss = 0;
        std::fill(m_epochTaskLoss.begin(), m_epochTaskLoss.end(), 0.0);
    }
    ++m_epochSteps;
    m_epochLoss += progress.loss;
    for (size_t t = 0; t < m_epochTaskLoss.size() && t < progress.taskLoss.size(); ++t)
        m_epochTaskLoss[t] += progress.taskLoss[t];
    m_last = progress;
    if (m_metrics || m_session) {
        const StepPoint point = stepPoint(progress);
        if (m_metrics)
            m_metrics->step(point);
        if (m_session)
            m_session->step(point, *m_trainer, model());
    }
    m_line->update(progressText(progress, tasks(), m_epochs), progress.step == progress.totalSteps);
}

// The epochs, each followed by its evaluation, until the run ends, diverges
// (Failure), --patience stops it or a signal does.
void TrainCommand::trainEpochs()
{
    Trainer &trainer = *m_trainer;
    const EncodedDataset &valSet = m_setup.val;
    m_epochTaskLoss.assign(tasks().size(), 0.0);
    m_last = trainer.progress();
    m_firstStep = m_last.step;
    m_line.emplace(!m_json);
    // The divergence guard: a run that has gone wrong stops at once (a
    // non-finite step stops the trainer by itself).
    m_guard = !p.isSet("no-guard");
    trainer.setProgressCallback([this](const Progress &progress) { onStep(progress); });

    if ((m_keepBest || m_patience > 0) && valSet.samples.empty())
        throw Failure(m_dataSpec + ": no validation samples, which --" + (m_keepBest ? "keep-best" : "patience")
                      + " compares the evaluations on");
    // Every epoch is evaluated when something is held out, with --json too:
    // its best_step says where the validation loss was lowest (accept25 D16).
    m_evaluateEachEpoch = !valSet.samples.empty();
    // The evaluation of lowest validation loss: its step, and its weights
    // with --keep-best; evaluations since, for --patience.
    m_best.emplace(m_keepBest);
    const Clock::time_point start = Clock::now();
    m_interrupt = std::make_unique<InterruptGuard>(&trainer);
    while (!trainer.finished()) {
        const int64_t before = trainer.progress().step;
        trainer.runEpoch();
        if (trainer.progress().diverged || (m_guard && m_verdict.kind != DivergenceKind::None))
            diverged();
        if (m_interrupt->signal())
            break;  // between two steps: the checkpoint and the rows below
        if (trainer.progress().step == before)
            throw Failure("the trainer made no progress at step " + std::to_string(before));
        EvalResult val;
        if (m_evaluateEachEpoch)
            val = evaluate(model(), valSet, trainer.config().taskWeights);
        if (!endOfEpoch(val)) {
            m_stoppedEarly = true;
            break;
        }
    }
    m_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    m_line->end();
    // An interrupted run keeps the weights of its last step and skips the
    // validation pass (it may take long); a signal from here on waits too.
    m_interrupted = m_interrupt->signal();
}

// The run diverged or the guard stopped it: the session keeps it, nothing
// else is written.
void TrainCommand::diverged()
{
    m_line->end();
    const Progress &at = m_trainer->progress();
    const std::string message = divergenceMessage(m_verdict, at.step + (at.diverged ? 1 : 0),
                                                  m_trainer->config().optimizer.lr, m_tc.optimizer.clip,
                                                  "--lr", "--clip");
    if (m_session)  // the weights of the last good step, or of the step the guard stopped at
        m_session->finish(*m_trainer, model(), {at.step, at.epochProgress, QStringLiteral("diverged"),
                                                QString::fromStdString(message)});
    throw Failure(message + "; " + (m_out.empty() ? std::string("nothing") : m_out) + " was not written"
                  + (at.diverged ? std::string() : " (--no-guard trains on)"));
}

// After an epoch: its evaluation (val, when each epoch is evaluated) to the
// session and the metrics row, its line; false when --patience ends the run.
bool TrainCommand::endOfEpoch(const EvalResult &val)
{
    const Trainer &trainer = *m_trainer;
    EvalPoint point;
    if (m_evaluateEachEpoch) {
        point = evalPoint(trainer.progress(), val);
        if (m_session)
            m_session->evaluated(point);
    }
    if (m_metrics)
        m_metrics->flush(m_evaluateEachEpoch ? &point : nullptr);
    if (!m_json) {
        m_line->clear();
        printEpoch(m_currentEpoch + 1, m_epochs, trainLoss(), m_evaluateEachEpoch ? &val : nullptr, tasks());
    }
    // The weights (runEpoch leaves them exact) of a new best with --keep-best.
    return !(m_evaluateEachEpoch
             && !m_best->offer(val.loss, trainer.progress().step, trainer.progress().epochProgress, model().params)
             && m_best->exhausted(m_patience) && !trainer.finished());
}

// The session keeps the run as it went, to its last step; --out gets the
// best evaluation's weights with --keep-best, and the report their validation.
void TrainCommand::finishRun()
{
    Trainer &trainer = *m_trainer;
    const int interrupted = m_interrupted;
    if (m_session)
        m_session->finish(trainer, model(),
                          {m_last.step, m_last.epochProgress,
                           interrupted ? QStringLiteral("interrupted") : QStringLiteral("finished"),
                           interrupted      ? QStringLiteral("attnscope-cli train, %1").arg(strsignal(interrupted))
                           : m_stoppedEarly ? QStringLiteral("attnscope-cli train, no lower validation loss in %1 "
                                                             "evaluations (--patience)").arg(m_patience)
                                            : QStringLiteral("attnscope-cli train")});
    const BestEvaluation &best = *m_best;
    m_restoredBest = m_keepBest && best.any() && best.step() != m_last.step;
    if (m_restoredBest)
        std::copy(best.params().begin(), best.params().end(), model().params.begin());

    if (!m_setup.val.samples.empty() && !interrupted)
        m_validation = evaluate(model(), m_setup.val, trainer.config().taskWeights);

    std::string error;
    if (!m_out.empty() && !saveCheckpoint(model(), m_out, &error))
        throw Failure(error.find(m_out) == std::string::npos ? m_out + ": " + error : error);
    // After the checkpoint: metrics that could not be written lose no training.
    if (m_metrics)
        m_metrics->close();
    if (interrupted) {
        std::fprintf(stderr, "%s: stopped at step %lld of %lld; %s\n", strsignal(interrupted),
                     static_cast<long long>(m_last.step), static_cast<long long>(m_last.totalSteps),
                     m_out.empty() ? "the session has its weights" : ("checkpoint written to " + m_out).c_str());
    }
}

int TrainCommand::printJson() const
{
    const BestEvaluation &best = *m_best;
    const std::vector<TaskInfo> &tasks = this->tasks();
    JsonWriter w(stdout, true);
    w.beginObject();
    w.key("checkpoint");
    if (m_out.empty())
        w.null();
    else
        w.value(m_out);
    if (m_session) {
        w.key("session");
        w.value(m_sessionPath);
        w.key("run");
        w.value(m_record.name.toStdString());
    }
    w.key("steps");
    w.value(int64_t(m_last.step));
    w.key("interrupted");
    w.value(m_interrupted != 0);
    w.key("stopped_early");
    w.value(m_stoppedEarly);
    w.key("best_step");
    if (best.any())
        w.value(best.step());
    else
        w.null();
    w.key("checkpoint_step");
    w.value(m_restoredBest ? best.step() : int64_t(m_last.step));
    w.key("epochs");
    w.value(m_last.epochProgress);
    w.key("seconds");
    w.value(m_seconds);
    w.key("steps_per_second");
    w.value(m_seconds > 0 ? double(m_last.step - m_firstStep) / m_seconds : 0.0);
    w.key("train_samples");
    w.value(int64_t(m_setup.train.samples.size()));
    w.key("val_samples");
    w.value(int64_t(m_setup.val.samples.size()));
    w.key("train_loss");
    w.value(trainLoss());
    w.key("train_task_loss");
    w.beginObject();
    for (size_t t = 0; t < tasks.size(); ++t) {
        w.key(tasks[t].name);
        w.value(m_epochSteps ? m_epochTaskLoss[t] / double(m_epochSteps) : 0.0);
    }
    w.endObject();
    w.key("last_step_loss");
    w.value(double(m_last.loss));
    w.key("validation");
    if (m_validation)
        writeEvalJson(w, *m_validation, tasks);
    else
        w.null();
    w.endObject();
    finishJson(w, "standard output");
    return exitCode();
}

int TrainCommand::printText() const
{
    const BestEvaluation &best = *m_best;
    std::printf("trained %lld steps in %.2f s (%.1f steps/s); train loss %.4f (mean of the last epoch)\n",
                static_cast<long long>(m_last.step - m_firstStep), m_seconds,
                m_seconds > 0 ? double(m_last.step - m_firstStep) / m_seconds : 0.0, trainLoss());
    if (m_stoppedEarly)
        std::printf("stopped early: no lower validation loss in %lld evaluations (--patience)\n",
                    static_cast<long long>(m_patience));
    if (m_restoredBest)
        std::printf("the checkpoint holds the weights of step %lld (epoch %.2f), the lowest validation loss "
                    "(--keep-best)\n",
                    static_cast<long long>(best.step()), best.epochs());
    if (m_validation) {
        std::printf("validation (%d samples): loss %.4f\n", m_validation->samples, m_validation->loss);
        printEval(stdout, *m_validation, tasks());
    } else if (!m_interrupted) {
        std::printf("no validation samples (%s)\n", m_splitOrigin.c_str());
    }
    if (!m_out.empty())
        std::printf("checkpoint written to %s\n", m_out.c_str());
    if (m_session)
        std::printf("run '%s' written to %s (step %lld)\n", m_record.name.toStdString().c_str(), m_sessionPath.c_str(),
                    static_cast<long long>(m_last.step));
    return exitCode();
}

} // namespace attnscope::cli
