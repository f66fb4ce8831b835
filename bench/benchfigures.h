// What the benchmarks measure with: the median of their rounds, the calling
// thread's CPU time, and the machine's load average, printed beside the
// figures (on a shared machine only figures measured within one run compare
// well).
#pragma once

#include <QByteArray>
#include <QFile>

#include <algorithm>
#include <ctime>
#include <vector>

namespace attnscope {

// The median; with an even count, the mean of the middle two (not the upper
// one, which for 2 rounds is the best). 0 for none.
inline double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The calling thread's CPU time in ms: a redraw's or a step's own work, which
// a busy machine inflates less than the wall-clock time.
inline double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// /proc/loadavg as it reads ("unknown" where there is none).
inline QByteArray loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return "unknown";
    return file.readAll().trimmed();
}

} // namespace attnscope
