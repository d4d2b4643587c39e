#include "core/distinct_indices.hpp"

#include <numeric>
#include <utility>

namespace instaug {

std::vector<std::size_t> distinct_indices(std::size_t n, std::size_t k, Random& rng) {
    std::vector<std::size_t> pool(n);
    std::iota(pool.begin(), pool.end(), 0);
    for (std::size_t i = 0; i < k; ++i)
        std::swap(pool[i], pool[i + static_cast<std::size_t>(rng.randint(0, static_cast<int64_t>(n - i) - 1))]);
    pool.resize(k);
    return pool;
}

}  // namespace instaug
