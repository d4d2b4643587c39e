#include "core/random.hpp"

#include <cmath>

#include "core/math_constants.hpp"

namespace instaug {
namespace {

uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Random::Random(uint64_t seed) {
    uint64_t s = seed;
    for (auto& word : state_) word = splitmix64(s);
}

uint64_t Random::mix(uint64_t seed, uint64_t index) {
    uint64_t s = seed ^ (index * 0xD1B54A32D192ED03ULL);
    splitmix64(s);
    return splitmix64(s);
}

// xoshiro256**: small, fast, and the same sequence on every platform (std distributions are not).
uint64_t Random::next_u64() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
}

double Random::uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Random::uniform(double a, double b) { return a + (b - a) * uniform01(); }

int64_t Random::randint(int64_t a, int64_t b) {
    if (b <= a) return a;
    const uint64_t span = static_cast<uint64_t>(b - a) + 1;
    return a + static_cast<int64_t>(next_u64() % span);
}

double Random::normal(double mean, double stddev) {
    // Box-Muller; 1 - u keeps the logarithm finite.
    const double u1 = 1.0 - uniform01();
    const double u2 = uniform01();
    return mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
}

}  // namespace instaug
