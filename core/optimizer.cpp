#include "optimizer.h"

#include <cmath>

namespace attnscope {

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
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += double(grads[i]) * double(grads[i]);
    return float(std::sqrt(sum));
}

float clipGradNorm(float *grads, size_t n, float maxNorm)
{
    const float norm = gradNorm(grads, n);
    const float coef = maxNorm / (norm + 1e-6f);
    if (coef < 1.0f)
        for (size_t i = 0; i < n; ++i) grads[i] *= coef;
    return norm;
}

Optimizer::Optimizer(const OptimizerConfig &config, size_t size)
    : m_config(config), m_size(size)
{
}

bool Optimizer::restore(const OptimizerState &state, std::string *error)
{
    for (const std::vector<float> *buffer : {&state.m, &state.v})
        if (!buffer->empty() && buffer->size() != m_size) {
            *error = "the optimiser state holds " + std::to_string(buffer->size()) + " values for "
                   + std::to_string(m_size) + " parameters";
            return false;
        }
    if (state.steps < 0) {
        *error = "the optimiser state has a negative step count";
        return false;
    }
    m_t = state.steps;
    m_m = state.m;
    m_v = state.v;
    return true;
}

// torch.optim, single-tensor code paths (PyTorch 1.13+), nesterov off, dampening 0.
void Optimizer::step(float *p, const float *grad, float lr)
{
    const OptimizerConfig &c = m_config;
    ++m_t;
    const float wd = c.weightDecay;
    switch (c.kind) {
    case OptimizerKind::SGD: {
        // g = grad + wd p;  buf = g on the first step, else momentum buf + g;  p -= lr buf
        if (c.momentum != 0.0f && m_m.size() != m_size) m_m.assign(m_size, 0.0f);
        for (size_t i = 0; i < m_size; ++i) {
            float g = grad[i] + wd * p[i];
            if (c.momentum != 0.0f) {
                m_m[i] = (m_t == 1) ? g : c.momentum * m_m[i] + g;
                g = m_m[i];
            }
            p[i] -= lr * g;
        }
        break;
    }
    case OptimizerKind::Adam:
    case OptimizerKind::AdamW: {
        // m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
        // p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
        // Adam adds wd p to g (L2); AdamW first scales p by 1 - lr wd (decoupled).
        if (m_m.size() != m_size) {
            m_m.assign(m_size, 0.0f);
            m_v.assign(m_size, 0.0f);
        }
        const bool decoupled = c.kind == OptimizerKind::AdamW;
        const double bc1 = 1.0 - std::pow(double(c.beta1), double(m_t));
        const double bc2 = 1.0 - std::pow(double(c.beta2), double(m_t));
        const float stepSize = float(double(lr) / bc1);
        const float bc2Sqrt = float(std::sqrt(bc2));
        const float decay = float(1.0 - double(lr) * double(wd));
        const float b1 = c.beta1, b2 = c.beta2, omb1 = 1.0f - c.beta1, omb2 = 1.0f - c.beta2;
        for (size_t i = 0; i < m_size; ++i) {
            float g = grad[i];
            if (decoupled) p[i] *= decay;
            else g += wd * p[i];
            m_m[i] = m_m[i] * b1 + omb1 * g;
            m_v[i] = m_v[i] * b2 + omb2 * g * g;
            const float denom = std::sqrt(m_v[i]) / bc2Sqrt + c.eps;
            p[i] -= stepSize * (m_m[i] / denom);
        }
        break;
    }
    }
}

} // namespace attnscope
