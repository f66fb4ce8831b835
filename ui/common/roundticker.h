#pragma once

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace attnscope {

// Ticks a round step apart (1, 2, 2.5 or 5 times a power of ten), the
// largest such step at most the range / tickCount(): as many ticks as asked
// at least, at most twice as many (a line apart where the count leaves two).
// QCustomPlot's tssMeetTickCount, used for the counts a short rect holds,
// gave the empty loss plot 0, 0.35, 0.7, 1.05 and 1.4, and Over training's
// step axis of a 500-step run 0 and 450 (accept27 F6).
class RoundTicker : public QCPAxisTicker {
protected:
    double getTickStep(const QCPRange &range) override
    {
        const double exact = range.size() / std::max(1, tickCount());
        if (!(exact > 0) || !std::isfinite(exact))
            return QCPAxisTicker::getTickStep(range);
        double magnitude = 1;
        const double mantissa = getMantissa(exact, &magnitude);  // in [1, 10)
        double step = 1;
        for (const double round : {2.0, 2.5, 5.0, 10.0})
            if (round <= mantissa * (1 + 1e-9))
                step = round;
        return step * magnitude;
    }
};

} // namespace attnscope
