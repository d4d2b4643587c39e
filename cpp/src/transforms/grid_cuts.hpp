// The reference's generate_shuffled_splits, shared by its grid transforms (GridDropout,
// RandomGridShuffle, GridElasticDeform): a side cut into parts that differ by at most one pixel.
#pragma once
#include <vector>

#include "core/random.hpp"

namespace instaug {

// Cut positions from 0 to `size`: `parts` sides of size / parts, the first size % parts one pixel
// longer, in an order drawn by a Fisher-Yates shuffle from the end (as the reference's).
std::vector<int> shuffled_cuts(int size, int parts, Random& rng);

}  // namespace instaug
