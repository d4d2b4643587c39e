// Draws without replacement, as Python's random.sample draws them.
#pragma once
#include <cstddef>
#include <vector>

#include "core/random.hpp"

namespace instaug {

// `k` distinct indices of [0, n), in drawn order (a partial Fisher-Yates shuffle); k <= n.
std::vector<std::size_t> distinct_indices(std::size_t n, std::size_t k, Random& rng);

}  // namespace instaug
