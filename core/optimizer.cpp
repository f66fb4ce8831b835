// The optimisers' steps (torch.optim's rules), the learning-rate schedule and
// the gradient norms; AdamW's lazy rows are in optimizerrows.cpp, the state
// an optimiser carries in optimizerstate.cpp (optimizerparts.h lists them).
#include "optimizer.h"

#include "optimizerparts.h"

#include <cmath>

namespace attnscope {

using namespace optimizerparts;

const char *toString(OptimizerKind kind)
{
    switch (kind) {
    case OptimizerKind::SGD: return "sgd";
    case OptimizerKind::Adam: return "adam";
    case OptimizerKind::AdamW: return "adamw";
    }
    return "adamw";
}

bool parseOptimizer(const std::string &text, OptimizerKind *kind)
{
    if (text == "sgd") *kind = OptimizerKind::SGD;
    else if (text == "adam") *kind = OptimizerKind::Adam;
    else if (text == "adamw") *kind = OptimizerKind::AdamW;
    else return false;
    return true;
}

float scheduledLearningRate(const OptimizerConfig &c, int64_t s, int64_t S)
{
    if (c.schedule == Schedule::Constant) return c.lr;
    const int64_t W = c.warmup;
    if (s < W) return float(double(c.lr) * double(s + 1) / double(W));
    if (S <= W) return c.lr;
    const double progress = double(s - W) / double(S - W);
    return float(double(c.lr) * 0.5 * (1.0 + std::cos(M_PI * progress)));
}

float gradNorm(const float *grads, size_t n)
{
    std::vector<double> lanes(normBlocks(n) * NormLanes, 0.0);
    addSquares(lanes.data(), grads, 0, n);
    return takeNorm(lanes.data(), {{0, n}});
}

float clipGradNorm(float *grads, size_t n, float maxNorm)
{
    const float norm = gradNorm(grads, n);
    const float coef = clipFactor(norm, maxNorm);
    if (coef < 1.0f) scaleBy(grads, n, coef);
    return norm;
}

Optimizer::Optimizer(const OptimizerConfig &config, size_t size)
    : m_config(config), m_size(size), m_lrBound(config.lr)
{
}

// torch.optim, single-tensor code paths (PyTorch 1.13+), nesterov off, dampening 0.
void Optimizer::step(float *p, const float *grad, float lr)
{
    if (m_lazy) prepareLazyStep(p, lr);
    ++m_t;
    switch (m_config.kind) {
    case OptimizerKind::SGD: sgdStep(p, grad, lr); break;
    case OptimizerKind::Adam: adamStep(p, grad, lr); break;
    case OptimizerKind::AdamW: adamwStep(p, grad, lr); break;
    }
}

// g = grad + wd p;  buf = g on the first step, else momentum buf + g;  p -= lr buf
void Optimizer::sgdStep(float *p, const float *grad, float lr)
{
    const OptimizerConfig &c = m_config;
    const float wd = c.weightDecay;
    if (c.momentum != 0.0f && m_m.size() != m_size) m_m.assign(m_size, 0.0f);
    inParts({{0, m_size}}, [&](size_t first, size_t count) {
        for (size_t i = first; i < first + count; ++i) {
            float g = grad[i] + wd * p[i];
            if (c.momentum != 0.0f) {
                m_m[i] = (m_t == 1) ? g : c.momentum * m_m[i] + g;
                g = m_m[i];
            }
            p[i] -= lr * g;
        }
    });
}

// m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  with g = grad + wd p (L2)
// p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
void Optimizer::adamStep(float *p, const float *grad, float lr)
{
    const OptimizerConfig &c = m_config;
    const float wd = c.weightDecay;
    makeMoments(m_m, m_v, m_size);
    const double bc1 = 1.0 - std::pow(double(c.beta1), double(m_t));
    const double bc2 = 1.0 - std::pow(double(c.beta2), double(m_t));
    const float stepSize = float(double(lr) / bc1);
    const float bc2Sqrt = float(std::sqrt(bc2));
    const float b1 = c.beta1, b2 = c.beta2, omb1 = 1.0f - c.beta1, omb2 = 1.0f - c.beta2;
    inParts({{0, m_size}}, [&](size_t first, size_t count) {
        for (size_t i = first; i < first + count; ++i) {
            const float g = grad[i] + wd * p[i];
            m_m[i] = m_m[i] * b1 + omb1 * g;
            m_v[i] = m_v[i] * b2 + omb2 * g * g;
            const float denom = std::sqrt(m_v[i]) / bc2Sqrt + c.eps;
            p[i] -= stepSize * (m_m[i] / denom);
        }
    });
}

// p *= 1 - lr wd (decoupled decay), then Adam's step (ops::adamw_step); with
// lazy rows, of the parameters outside the tables and of the rows named (lazyAdamwStep).
void Optimizer::adamwStep(float *p, const float *grad, float lr)
{
    const OptimizerConfig &c = m_config;
    const float wd = c.weightDecay;
    makeMoments(m_m, m_v, m_size);
    StepRecord r;
    const double bc1 = 1.0 - std::pow(double(c.beta1), double(m_t));
    const double bc2 = 1.0 - std::pow(double(c.beta2), double(m_t));
    r.stepSize = float(double(lr) / bc1);
    r.bc2Sqrt = float(std::sqrt(bc2));
    r.decay = float(1.0 - double(lr) * double(wd));
    r.eps = c.eps;
    r.beta1 = c.beta1;
    r.beta2 = c.beta2;
    if (!m_lazy) {
        const ops::AdamWStep s = adamwScalars(r);
        inParts({{0, m_size}}, [&](size_t first, size_t count) {
            ops::adamw_step(p + first, m_m.data() + first, m_v.data() + first, grad + first, count, s, nullptr);
        });
        return;
    }
    lazyAdamwStep(p, grad, r, bc2);
}

} // namespace attnscope
