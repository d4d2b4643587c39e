#include "transforms/grid_cuts.hpp"

#include <utility>

namespace instaug {

std::vector<int> shuffled_cuts(int size, int parts, Random& rng) {
    std::vector<int> sides(static_cast<std::size_t>(parts), size / parts);
    for (int i = 0; i < size % parts; ++i) ++sides[static_cast<std::size_t>(i)];
    for (std::size_t i = sides.size(); i > 1; --i)
        std::swap(sides[i - 1], sides[static_cast<std::size_t>(rng.randint(0, static_cast<int64_t>(i) - 1))]);
    std::vector<int> cuts{0};
    for (int s : sides) cuts.push_back(cuts.back() + s);
    return cuts;
}

}  // namespace instaug
