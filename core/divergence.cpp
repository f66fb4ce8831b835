#include "divergence.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace attnscope {

namespace {

std::string number(double x)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3g", x);
    return buffer;
}

} // namespace

DivergenceVerdict checkDivergence(DivergenceState *state, int64_t step, double loss, double gradNorm,
                                  const DivergenceConfig &config)
{
    DivergenceState &s = *state;
    DivergenceVerdict v;
    v.lossPatience = config.lossPatience;
    v.gradFactor = config.gradFactor;
    v.loss = loss;
    v.gradNorm = gradNorm;
    if (!std::isfinite(loss) || !std::isfinite(gradNorm)) {
        v.kind = DivergenceKind::NonFinite;
        return v;
    }
    const double beta = config.beta;
    ++s.steps;
    if (s.steps == 1)
        s.firstLoss = loss;
    s.lossAverage = beta * s.lossAverage + (1 - beta) * loss;
    const double average = s.lossAverage / (1 - std::pow(beta, double(s.steps)));
    if (s.steps == 1 || average < s.bestLoss) {
        s.bestLoss = average;
        s.bestStep = step;
    }
    const double bound = std::max(config.lossFactor * s.bestLoss, s.bestLoss + 0.5 * s.firstLoss);
    // Both: the average alone stays high for a while after a spike of a few steps.
    s.lossHigh = average > bound && loss > bound ? s.lossHigh + 1 : 0;

    // The usual norm: the average of the norms that were not too high, so
    // that an explosion does not become the usual.
    const double usual = s.gradSteps > 0 ? s.gradAverage / (1 - std::pow(beta, double(s.gradSteps))) : 0.0;
    const bool gradHigh = s.gradSteps > 0 && gradNorm > config.gradFactor * usual;
    if (gradHigh) {
        ++s.gradHigh;
    } else {
        s.gradHigh = 0;
        ++s.gradSteps;
        s.gradAverage = beta * s.gradAverage + (1 - beta) * gradNorm;
    }

    v.loss = average;
    v.lossBound = bound;
    v.best = s.bestLoss;
    v.bestStep = s.bestStep;
    v.usualNorm = usual;
    if (s.lossHigh >= config.lossPatience)
        v.kind = DivergenceKind::LossRising;
    else if (s.gradHigh >= config.gradPatience)
        v.kind = DivergenceKind::GradientExplosion;
    v.healthy = v.kind == DivergenceKind::None && s.lossHigh == 0 && s.gradHigh == 0
                && average <= 1.1 * s.bestLoss;
    return v;
}

std::string divergenceMessage(const DivergenceVerdict &v, int64_t step, double learningRate, double clip,
                              const std::string &lrName, const std::string &clipName)
{
    std::string what;
    switch (v.kind) {
    case DivergenceKind::None:
        return {};
    case DivergenceKind::NonFinite:
        what = "the loss or the gradient is not finite (loss " + number(v.loss) + ", gradient norm "
             + number(v.gradNorm) + ")";
        break;
    case DivergenceKind::LossRising:
        what = "the loss is diverging: its moving average (" + number(v.loss) + ") has stayed above "
             + number(v.lossBound) + " for " + std::to_string(v.lossPatience) + " steps, far above its best (" + number(v.best) + " at step "
             + std::to_string(v.bestStep) + ")";
        break;
    case DivergenceKind::GradientExplosion:
        what = "the gradient norm exploded: " + number(v.gradNorm) + ", over " + number(v.gradFactor) + " times its usual "
             + number(v.usualNorm);
        break;
    }
    std::string fix = "try a smaller " + lrName + " (now " + number(learningRate) + "; " + number(learningRate / 10)
                    + " for instance)";
    fix += clip > 0 ? " or a lower " + clipName + " (now " + number(clip) + ")"
                    : " or set " + clipName + " (1 for instance)";
    return "training diverged at step " + std::to_string(step) + ": " + what + "; " + fix;
}

} // namespace attnscope
