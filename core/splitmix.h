// The random numbers of the built-in generators and of the split: the
// project's splitmix64 (random.h) with an int-valued below() and the
// generators' own Box-Muller. The built-in data and the split must be the
// same with every standard library, which rules out the
// implementation-defined std:: distributions, and these draws are part of the
// data: changing them changes every built-in dataset.
#pragma once

#include "random.h"

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace attnscope {

class SplitMix : public Rng {
public:
    using Rng::Rng;
    // Uniform in [0, n); the modulo bias is below 2^-40 for the small n used,
    // and being exactly specified matters more.
    int below(int n) { return n > 0 ? int(next() % uint64_t(n)) : 0; }
    // Standard normal (Box-Muller, the cosine half).
    double normal()
    {
        const double u = 1.0 - uniform(); // (0, 1]
        const double v = uniform();
        return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
    }
};

// Fisher-Yates, from the back, with SplitMix: the same permutation everywhere.
inline void shuffle(std::vector<int> *v, SplitMix *rng)
{
    for (int i = int(v->size()) - 1; i > 0; --i)
        std::swap((*v)[size_t(i)], (*v)[size_t(rng->below(i + 1))]);
}

} // namespace attnscope
