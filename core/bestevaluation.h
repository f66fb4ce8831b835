// The best evaluation of a run: the one of lowest validation loss (the
// total, task-weighted loss; EvalResult::loss), the first of equals. One rule
// for attnscope-cli train's --keep-best (the checkpoint gets its weights)
// and --patience K (stop after K evaluations in a row without a lower loss),
// the window's mark on the curves (LossHistory::bestEvaluation) and its
// Training > Restore best weights (TrainingWorker::restoreBest). A loss that
// is not a number is never the best.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace attnscope {

class BestEvaluation {
public:
    // keepWeights: offer() copies the weights of each new best (one weight copy).
    explicit BestEvaluation(bool keepWeights = false) : m_keepWeights(keepWeights) {}

    // An evaluation after `step` steps (`epochs`, fractional) with the
    // weights it evaluated; true when it is the new best.
    bool offer(double loss, int64_t step, double epochs, const std::vector<float> &params)
    {
        if (!(loss < m_loss)) {
            ++m_since;
            return false;
        }
        m_loss = loss;
        m_step = step;
        m_epochs = epochs;
        m_since = 0;
        if (m_keepWeights)
            m_params = params;
        return true;
    }
    bool offer(double loss, int64_t step, double epochs)
    {
        static const std::vector<float> none;
        return offer(loss, step, epochs, none);
    }

    bool any() const { return m_step >= 0; }
    double loss() const { return m_loss; }
    int64_t step() const { return m_step; }      // -1: no evaluation yet
    double epochs() const { return m_epochs; }
    // Its weights (keepWeights), empty otherwise or before the first evaluation.
    const std::vector<float> &params() const { return m_params; }
    // Evaluations since the best that had no lower loss.
    int64_t since() const { return m_since; }
    // --patience K: K evaluations in a row without a lower loss (0: never).
    bool exhausted(int64_t patience) const { return patience > 0 && m_since >= patience; }

    void clear() { *this = BestEvaluation(m_keepWeights); }

private:
    bool m_keepWeights = false;
    double m_loss = HUGE_VAL;
    int64_t m_step = -1;
    double m_epochs = 0;
    std::vector<float> m_params;
    int64_t m_since = 0;
};

} // namespace attnscope
