// The divergence guard: from each step's loss and gradient norm, whether a
// run has gone wrong, which way, and what to try. NaN is not the only way a
// run diverges: at learning rate 10 the loss of builtin:reviews climbs from
// 2.8 to 5,500 at the second step and stays in the hundreds, all finite.
// Shared by the window's worker (it pauses with the last good weights) and
// attnscope-cli train (exit 1 unless --no-guard). Plain data and a pure
// function: the same steps give the same verdict anywhere.
#pragma once

#include <cstdint>
#include <string>

namespace attnscope {

struct DivergenceConfig {
    // The loss: "far above its best" when its moving average is above both
    // lossFactor x the best average and the best plus half the first step's
    // loss (an untrained model's): a loss 3 times a best of 0.01 is noise, one
    // back above half the start is not. For lossPatience steps in a row,
    // the step's own loss above the bound too.
    double lossFactor = 3.0;
    int lossPatience = 20;
    // The gradient norm (before clipping): an explosion when it is above
    // gradFactor x its usual size (the moving average of the steps that did
    // not explode) for gradPatience steps in a row.
    double gradFactor = 100.0;
    int gradPatience = 3;
    double beta = 0.9;  // of both moving averages (debiased)
};

enum class DivergenceKind { None, NonFinite, LossRising, GradientExplosion };

// What the guard has seen so far; start from a default one for a new run (or
// after the weights went back to good ones).
struct DivergenceState {
    int64_t steps = 0;            // steps seen
    double firstLoss = 0;         // the first step's
    double lossAverage = 0;       // raw moving average (debias: / (1 - beta^steps))
    double bestLoss = 0;          // the lowest debiased average
    int64_t bestStep = 0;
    int64_t gradSteps = 0;        // steps that count into the usual norm
    double gradAverage = 0;       // raw moving average of the usual norm
    int lossHigh = 0, gradHigh = 0;  // steps in a row above the bounds
};

struct DivergenceVerdict {
    DivergenceKind kind = DivergenceKind::None;
    double loss = 0, lossBound = 0;   // LossRising: the average and the bound it stayed above
    double best = 0;
    int64_t bestStep = 0;
    double gradNorm = 0, usualNorm = 0;  // GradientExplosion
    int lossPatience = 0;                // the config's, for the message
    double gradFactor = 0;
    // The step's average is at its best or within 10 % of it and nothing is
    // high: weights worth keeping as the last good ones.
    bool healthy = false;
};

// One step: its number (1-based), total loss and gradient norm before
// clipping. Updates *state and says what it sees.
DivergenceVerdict checkDivergence(DivergenceState *state, int64_t step, double loss, double gradNorm,
                                  const DivergenceConfig &config = {});

// The verdict for a person: what happened at which step and what to try.
// learningRate and clip are the run's (clip 0: off); lrName and clipName
// what the front end calls them ("learning rate", "--lr").
std::string divergenceMessage(const DivergenceVerdict &verdict, int64_t step, double learningRate, double clip,
                              const std::string &lrName, const std::string &clipName);

} // namespace attnscope
