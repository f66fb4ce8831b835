#include "losshistory.h"

#include "csvwriter.h"
#include "fileutil.h"

#include <QByteArray>

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {

// Appends name, quoted where it needs it.
void appendName(std::string &out, const QString &name)
{
    out += csvQuote(name.toStdString(), CsvQuoting::WhenNeeded);
}

// Appends v with 9 significant digits (a float exactly); nothing for NaN.
void appendNumber(std::string &out, double v)
{
    if (std::isfinite(v))
        out += QByteArray::number(v, 'g', 9).toStdString();
}

size_t bytesOf(const std::vector<Confusion> &tasks)
{
    size_t bytes = 0;
    for (const Confusion &c : tasks)
        bytes += c.bytes();
    return bytes;
}

} // namespace

void LossHistory::setTasks(const QStringList &tasks)
{
    m_tasks = tasks;
    clear();
}

void LossHistory::clear()
{
    m_series.assign(size_t(1 + m_tasks.size()), {});
    m_emaState.assign(m_series.size(), 0.0);
    m_steps.clear();
    m_epochs.clear();
    m_lr.clear();
    m_evalSteps.clear();
    m_evalEpochs.clear();
    m_confusion.clear();
    m_confusionBytes = 0;
    m_confusionStride = 1;
    m_confusionChecked = 0;
    m_changes.clear();
    m_best.clear();
    m_bestEval = -1;
}

void LossHistory::append(const TrainingSnapshot &snapshot)
{
    const size_t first = m_steps.size();
    const size_t series = m_series.size();
    for (const StepPoint &p : snapshot.steps) {
        m_steps.push_back(double(p.step));
        m_epochs.push_back(p.epoch);
        m_lr.push_back(double(p.learningRate));
        m_series[0].loss.push_back(double(p.loss));
        for (size_t s = 1; s < series; ++s)
            m_series[s].loss.push_back(s - 1 < p.taskLoss.size() ? double(p.taskLoss[s - 1]) : NAN);
    }
    smoothFrom(first);
    for (const EvalPoint &e : snapshot.evals) {
        if (m_best.offer(e.loss, e.step, e.epoch))
            m_bestEval = int(m_evalSteps.size());
        m_evalSteps.push_back(double(e.step));
        m_evalEpochs.push_back(e.epoch);
        m_confusion.push_back(e.confusion);
        m_confusionBytes += bytesOf(m_confusion.back());
        m_series[0].evalLoss.push_back(e.loss);
        for (size_t s = 1; s < series; ++s) {
            m_series[s].evalLoss.push_back(s - 1 < e.taskLoss.size() ? e.taskLoss[s - 1] : NAN);
            m_series[s].evalAccuracy.push_back(s - 1 < e.taskAccuracy.size() ? e.taskAccuracy[s - 1] : NAN);
        }
    }
    // Only the blocks the new points fall in change.
    for (Series &s : m_series) {
        s.lossBlocks.update(s.loss);
        s.smoothedBlocks.update(s.smoothed);
        s.evalLossBlocks.update(s.evalLoss);
        s.evalAccuracyBlocks.update(s.evalAccuracy);
    }
    m_changes.insert(m_changes.end(), snapshot.changes.begin(), snapshot.changes.end());
    keepConfusionInBudget();
}

void LossHistory::dropConfusion(size_t evaluation)
{
    m_confusionBytes -= bytesOf(m_confusion[evaluation]);
    std::vector<Confusion>().swap(m_confusion[evaluation]);
}

void LossHistory::keepConfusionInBudget()
{
    // The evaluations kept are the multiples of m_confusionStride, and the
    // latest: the one before it goes once it is neither.
    const size_t n = m_confusion.size();
    for (size_t i = m_confusionChecked; i + 1 < n; ++i)
        if (i % m_confusionStride != 0)
            dropConfusion(i);
    m_confusionChecked = n == 0 ? 0 : n - 1;
    while (m_confusionBytes > ConfusionBudget && m_confusionStride < n) {
        m_confusionStride *= 2;
        for (size_t i = m_confusionStride / 2; i + 1 < n; i += m_confusionStride)
            dropConfusion(i);
    }
}

TrainingSnapshot LossHistory::points() const
{
    TrainingSnapshot out;
    const size_t tasks = m_series.size() - 1;
    for (size_t i = 0; i < m_steps.size(); ++i) {
        StepPoint p;
        p.step = int64_t(m_steps[i]);
        p.epoch = m_epochs[i];
        p.loss = float(m_series[0].loss[i]);
        for (size_t t = 0; t < tasks; ++t)
            p.taskLoss.push_back(float(m_series[t + 1].loss[i]));
        p.learningRate = float(m_lr[i]);
        p.gradNorm = NAN;
        out.steps.push_back(std::move(p));
    }
    for (size_t i = 0; i < m_evalSteps.size(); ++i) {
        EvalPoint e;
        e.step = int64_t(m_evalSteps[i]);
        e.epoch = m_evalEpochs[i];
        e.loss = m_series[0].evalLoss[i];
        for (size_t t = 0; t < tasks; ++t) {
            e.taskLoss.push_back(m_series[t + 1].evalLoss[i]);
            e.taskAccuracy.push_back(m_series[t + 1].evalAccuracy[i]);
        }
        e.confusion = m_confusion[i];
        out.evals.push_back(std::move(e));
    }
    out.changes = m_changes;
    if (!m_steps.empty())
        out.step = int64_t(m_steps.back());
    return out;
}

void LossHistory::smoothFrom(size_t first)
{
    // Debiased: divide by the weight the zero start still lacks, 1 - beta^(i+1)
    // (the same for every series: computed once, not once per task).
    const size_t n = m_steps.size();
    m_correction.resize(std::max(n, first) - first);
    for (size_t i = first; i < n; ++i)
        m_correction[i - first] = 1.0 - std::pow(m_beta, double(i + 1));
    for (size_t s = 0; s < m_series.size(); ++s) {
        const std::vector<double> &loss = m_series[s].loss;
        std::vector<double> &out = m_series[s].smoothed;
        out.resize(loss.size());
        double ema = first == 0 ? 0.0 : m_emaState[s];
        for (size_t i = first; i < loss.size(); ++i) {
            const double x = loss[i];
            if (std::isfinite(x))
                ema = m_beta * ema + (1.0 - m_beta) * x;
            const double correction = m_correction[i - first];
            out[i] = correction > 0 ? ema / correction : x;
        }
        m_emaState[s] = ema;
    }
}

void LossHistory::setSmoothing(double beta)
{
    m_beta = std::clamp(beta, 0.0, 0.999);
    smoothFrom(0);
    for (Series &s : m_series)
        s.smoothedBlocks.rebuild(s.smoothed);
}

std::string LossHistory::csv() const
{
    std::string out = "step,epoch,lr,loss";
    const auto names = [&](const char *prefix) {
        for (const QString &task : m_tasks) {
            out += ',';
            appendName(out, QLatin1String(prefix) + task);
        }
    };
    names("loss_");
    out += ",smoothed_loss";
    names("smoothed_loss_");
    out += ",val_loss";
    names("val_loss_");
    names("val_accuracy_");
    out += ",change\n";
    size_t e = 0, c = 0;
    for (size_t i = 0; i < m_steps.size(); ++i) {
        out += std::to_string(int64_t(m_steps[i]));
        for (const double v : {m_epochs[i], m_lr[i]}) {
            out += ',';
            appendNumber(out, v);
        }
        for (const Series &s : m_series) {
            out += ',';
            appendNumber(out, s.loss[i]);
        }
        for (const Series &s : m_series) {
            out += ',';
            appendNumber(out, s.smoothed[i]);
        }
        while (e < m_evalSteps.size() && m_evalSteps[e] < m_steps[i])
            ++e;
        const bool eval = e < m_evalSteps.size() && m_evalSteps[e] == m_steps[i];
        for (const Series &s : m_series) {
            out += ',';
            if (eval)
                appendNumber(out, s.evalLoss[e]);
        }
        for (size_t s = 1; s < m_series.size(); ++s) {
            out += ',';
            if (eval)
                appendNumber(out, m_series[s].evalAccuracy[e]);
        }
        QStringList changes;
        // A change recorded at step k applied before step k + 1.
        while (c < m_changes.size() && m_changes[c].step + 1 <= int64_t(m_steps[i])) {
            if (m_changes[c].step + 1 == int64_t(m_steps[i]))
                changes << m_changes[c].what;
            ++c;
        }
        out += ',';
        appendName(out, changes.join(QStringLiteral("; ")));
        out += '\n';
    }
    return out;
}

bool LossHistory::exportCsv(const QString &path, QString *error) const
{
    std::string problem;
    if (writeFileAtomically(path.toStdString(), csv(), &problem))
        return true;
    *error = QString::fromStdString(problem);
    return false;
}

} // namespace attnscope
