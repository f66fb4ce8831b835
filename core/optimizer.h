// Optimisers, gradient clipping and learning-rate schedules with PyTorch's rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

enum class OptimizerKind { SGD, Adam, AdamW };
enum class Schedule { Constant, Cosine };

const char *toString(OptimizerKind kind);
bool parseOptimizer(const std::string &text, OptimizerKind *kind);

struct OptimizerConfig {
    OptimizerKind kind = OptimizerKind::AdamW;
    float lr = 0.003f;
    float momentum = 0.0f;     // SGD
    float weightDecay = 0.01f; // SGD, Adam: L2 added to the gradient; AdamW: decoupled
    float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
    float clip = 0.0f;         // max global gradient norm, 0 = off
    Schedule schedule = Schedule::Constant;
    int64_t warmup = 0;        // steps
};

// lr for step s (0-based) of S: constant, or linear warm-up then cosine (MODEL.md 8).
float scheduledLearningRate(const OptimizerConfig &config, int64_t step, int64_t totalSteps);

// Global L2 norm of grads; scales them by max / (norm + 1e-6) when norm > max
// (torch.nn.utils.clip_grad_norm_). Returns the norm before clipping.
float clipGradNorm(float *grads, size_t n, float maxNorm);
float gradNorm(const float *grads, size_t n);

// What an Optimizer carries from step to step besides its configuration:
// the steps taken (Adam's bias correction, SGD's first momentum step) and
// the moment buffers (empty until the first step that needs them).
struct OptimizerState {
    int64_t steps = 0;
    std::vector<float> m, v;  // SGD momentum buffer or Adam's first moment; Adam's second moment
};

class Optimizer {
public:
    Optimizer() = default;
    Optimizer(const OptimizerConfig &config, size_t size);
    // One update of params with grads at learning rate lr (torch.optim's step).
    void step(float *params, const float *grads, float lr);
    int64_t steps() const { return m_t; }
    const OptimizerConfig &config() const { return m_config; }
    void setConfig(const OptimizerConfig &config) { m_config = config; }
    OptimizerState state() const { return {m_t, m_m, m_v}; }
    // Continues from `state` (of an optimiser of the same size): the next
    // step() is the one the optimiser that saved it would have taken. False
    // and *error when a buffer is neither empty nor of this size.
    bool restore(const OptimizerState &state, std::string *error);

private:
    OptimizerConfig m_config;
    size_t m_size = 0;
    int64_t m_t = 0;
    std::vector<float> m_m, m_v;  // momentum buffer / first moment, second moment
};

} // namespace attnscope
