// GridDropout: one hole per cell of a grid whose cell sizes are shuffled (the reference's
// split_uniform_grid), each a `ratio` of its cell, at a drawn or fixed offset.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "transforms/dropout/dropout_common.hpp"
#include "transforms/grid_cuts.hpp"

namespace instaug {
namespace {

// (rows, columns) of the grid. The reference reads holes_number_xy as (rows, columns) too.
std::pair<int, int> grid_of(const Params& p, Random& rng, int width, int height) {
    if (!p.is_none("holes_number_xy")) {
        const Json& n = p.at("holes_number_xy");
        return {n[0].get<int>(), n[1].get<int>()};
    }
    int unit_h = std::max(2, height / 10), unit_w = std::max(2, width / 10);
    if (!p.is_none("unit_size_range")) {
        const auto units = p.range("unit_size_range");
        if (units[1] > std::min(width, height))
            throw std::invalid_argument("GridDropout: unit_size_range must be within the shortest image edge (" +
                                        std::to_string(std::min(width, height)) + "), got up to " +
                                        std::to_string(static_cast<int64_t>(units[1])));
        unit_h = unit_w = static_cast<int>(rng.randint(static_cast<int64_t>(units[0]), static_cast<int64_t>(units[1])));
    }
    return {height / unit_h, width / unit_w};
}

Holes grid_holes(const Params& p, Random& rng, const Sample& sample) {
    const int width = sample.width, height = sample.height;
    const auto [rows, columns] = grid_of(p, rng, width, height);
    if (rows > height || columns > width || rows < 1 || columns < 1)
        throw std::invalid_argument("GridDropout: a " + std::to_string(rows) + "x" + std::to_string(columns) +
                                    " grid does not fit the " + std::to_string(width) + "x" + std::to_string(height) +
                                    " image");
    const std::vector<int> ys = shuffled_cuts(height, rows, rng), xs = shuffled_cuts(width, columns, rng);
    const double ratio = p.number("ratio");
    const bool random_offset = p.flag("random_offset");
    const Json& shift = p.at("shift_xy");
    Holes holes;
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < columns; ++j) {
            const int cell_h = ys[i + 1] - ys[i], cell_w = xs[j + 1] - xs[j];
            // numpy's clip(cell * ratio, 1, cell - 1): the upper bound wins when they cross.
            const int hole_h = static_cast<int>(std::min(std::max(cell_h * ratio, 1.0), cell_h - 1.0));
            const int hole_w = static_cast<int>(std::min(std::max(cell_w * ratio, 1.0), cell_w - 1.0));
            const int dy = random_offset ? static_cast<int>(rng.randint(0, cell_h - hole_h)) : shift[1].get<int>();
            const int dx = random_offset ? static_cast<int>(rng.randint(0, cell_w - hole_w)) : shift[0].get<int>();
            const int x = std::clamp(xs[j] + dx, 0, width - hole_w), y = std::clamp(ys[i] + dy, 0, height - hole_h);
            holes.emplace_back(x, y, std::min(x + hole_w, width) - x, std::min(y + hole_h, height) - y);
        }
    rng.note("holes_number_xy", Json::array({rows, columns}));
    rng.note("ratio", ratio);
    rng.note("shift_xy", shift);
    return holes;
}

}  // namespace

void register_grid_dropout(Registry& r) {
    TransformDecl d = dropout::dropout_transform(
        "GridDropout",
        {number_param("ratio", 0.5).between(0.0, 1.0), flag_param("random_offset", true),
         range_param("unit_size_range", nullptr).between(2, std::nullopt).whole(),
         int_pair_param("holes_number_xy", nullptr).between(1, std::nullopt).or_none(),
         int_pair_param("shift_xy", Json::array({0, 0})).between(0, std::nullopt)},
        grid_holes);
    d.check = [fill_rule = d.check](const std::string& owner, const Params& p) {
        fill_rule(owner, p);
        if (!(p.number("ratio") > 0)) throw std::invalid_argument(owner + ": ratio must be > 0, got 0");
    };
    r.add(std::move(d));
}

}  // namespace instaug
