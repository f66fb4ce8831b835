#include "cli_metrics.h"

#include "cli.h"
#include "csvwriter.h"

#include <cerrno>
#include <cmath>
#include <cstring>

#include <unistd.h>

namespace attnscope::cli {

MetricsCsv::MetricsCsv(const std::string &path, const std::vector<std::string> &tasks)
    : m_path(path), m_tasks(int(tasks.size()))
{
    std::string error;
    m_fd = openOutputStream(path, &error);
    if (m_fd < 0)
        throw Failure(error);
    std::string header = "step,epoch,lr,loss";
    const auto column = [&](const char *prefix, const std::string &task) {
        std::string name = prefix;
        name += task;
        header += ',';
        header += csvQuote(name, CsvQuoting::WhenNeeded);
    };
    for (const std::string &task : tasks)
        column("loss_", task);
    header += ",grad_norm,val_loss";
    for (const char *metric : {"val_loss_", "val_accuracy_", "val_macro_f1_"})
        for (const std::string &task : tasks)
            column(metric, task);
    write(header + '\n');
}

MetricsCsv::~MetricsCsv()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void MetricsCsv::step(const StepPoint &point)
{
    flush(nullptr);
    m_pending = point;
    m_hasPending = true;
}

void MetricsCsv::flush(const EvalPoint *val)
{
    if (!m_hasPending)
        return;
    const StepPoint &p = m_pending;
    // The 1-based epoch of the step: its fractional epochs done, rounded up
    // (the last step of epoch e has done exactly e).
    const long long epoch = std::max(1LL, static_cast<long long>(std::ceil(p.epoch)));
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%lld,%lld,%.9g,%.9g", static_cast<long long>(p.step), epoch,
                  double(p.learningRate), double(p.loss));
    std::string row = buffer;
    const auto number = [&](double v) {
        std::snprintf(buffer, sizeof buffer, ",%.9g", v);
        row += buffer;
    };
    const auto task = [&](const std::vector<double> &values, int t) {
        number(t < int(values.size()) ? values[size_t(t)] : NAN);
    };
    for (int t = 0; t < m_tasks; ++t)
        number(t < int(p.taskLoss.size()) ? double(p.taskLoss[size_t(t)]) : NAN);
    number(double(p.gradNorm));
    if (val) {
        number(val->loss);
        for (const std::vector<double> *metric : {&val->taskLoss, &val->taskAccuracy, &val->taskMacroF1})
            for (int t = 0; t < m_tasks; ++t)
                task(*metric, t);
    } else {
        row.append(size_t(1 + 3 * m_tasks), ',');
    }
    write(row + '\n');
    m_hasPending = false;
}

void MetricsCsv::close()
{
    flush(nullptr);
    const int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0 && m_error.empty())
        m_error = std::strerror(errno);
    if (!m_error.empty())
        throw Failure(m_path + ": could not write the metrics: " + m_error);
}

void MetricsCsv::write(const std::string &row)
{
    if (m_error.empty() && !writeAll(m_fd, row.data(), row.size()))
        m_error = std::strerror(errno);
}

} // namespace attnscope::cli
