// A small, fully specified pseudo-random generator, so that a seed gives the
// same numbers with every standard library (std::normal_distribution does not).
#pragma once

#include <cmath>
#include <cstdint>

namespace attnscope {

class Rng {
public:
    explicit Rng(uint64_t seed) : m_state(seed) {}

    // The whole state: Rng(state()) draws the numbers this one would draw next.
    uint64_t state() const { return m_state; }

    // splitmix64
    uint64_t next()
    {
        uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }
    // Uniform integer in [0, n).
    uint64_t below(uint64_t n) { return n ? next() % n : 0; }
    // Standard normal by Box-Muller (one of the pair is discarded for simplicity).
    double normal()
    {
        double u1 = uniform();
        const double u2 = uniform();
        if (u1 < 1e-300) u1 = 1e-300;
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }

private:
    uint64_t m_state;
};

} // namespace attnscope
