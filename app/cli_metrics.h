// The metrics CSV of `attnscope-cli train --metrics` and `session export
// --metrics`: one row per step, the validation columns filled on the steps
// that were evaluated (docs/cli.md, "The metrics CSV"). Both write the same
// bytes for the same points: export writes what train wrote.
#pragma once

#include "trainingworker.h"
#include "types.h"

#include <string>
#include <vector>

namespace attnscope::cli {

// Each row goes out whole in one write, so that a run killed at any moment
// leaves whole rows only; after a failed write no more rows are written,
// and close() reports it (Failure, naming the file).
class MetricsCsv {
public:
    MetricsCsv(const std::string &path, const std::vector<std::string> &tasks);
    ~MetricsCsv();
    MetricsCsv(const MetricsCsv &) = delete;
    MetricsCsv &operator=(const MetricsCsv &) = delete;

    // The row of a step, written when the next step arrives or at flush().
    void step(const StepPoint &point);
    // Writes the pending row, with validation columns when val is given.
    void flush(const EvalPoint *val);
    void close();

private:
    void write(const std::string &row);

    std::string m_path;
    int m_tasks;
    int m_fd = -1;
    std::string m_error;  // of the first write that failed
    StepPoint m_pending;
    bool m_hasPending = false;
};

} // namespace attnscope::cli
