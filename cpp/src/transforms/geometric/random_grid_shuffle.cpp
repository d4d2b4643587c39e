// RandomGridShuffle: the canvas cut into grid (rows, columns) cells of almost equal sides, in a
// shuffled order of sides; cells of the same size trade places. Exact: whole cells move.
#include <map>
#include <utility>

#include "core/cell_shuffle.hpp"
#include "transforms/geometric/canvas_args.hpp"
#include "transforms/grid_cuts.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

template <typename T>
void shuffle(std::vector<T>& v, Random& rng) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[static_cast<std::size_t>(rng.randint(0, i - 1))]);
}

std::vector<GeometricStep> random_grid_shuffle(const Params& params, Random& rng, int width, int height) {
    const auto grid = params.numbers("grid");
    const std::vector<int> ys = shuffled_cuts(height, static_cast<int>(grid[0]), rng);
    const std::vector<int> xs = shuffled_cuts(width, static_cast<int>(grid[1]), rng);
    std::vector<cv::Rect> cells;
    for (std::size_t i = 0; i + 1 < ys.size(); ++i)
        for (std::size_t j = 0; j + 1 < xs.size(); ++j)
            cells.emplace_back(xs[j], ys[i], xs[j + 1] - xs[j], ys[i + 1] - ys[i]);
    // Cells of one size, in grid order, trade places among themselves.
    std::map<std::pair<int, int>, std::vector<std::size_t>> groups;
    for (std::size_t k = 0; k < cells.size(); ++k) groups[{cells[k].height, cells[k].width}].push_back(k);
    auto moves = std::make_shared<CellMoves>(cells.size());
    for (auto& [size, members] : groups) {
        std::vector<std::size_t> targets = members;
        shuffle(targets, rng);
        for (std::size_t k = 0; k < members.size(); ++k) (*moves)[members[k]] = {cells[members[k]], cells[targets[k]].tl()};
    }
    return {make_shuffle_step(width, height, std::move(moves))};
}

}  // namespace

void register_random_grid_shuffle(Registry& r) {
    TransformDecl d = declare("RandomGridShuffle", TransformKind::Geometric,
                              {int_pair_param("grid", Json::array({3, 3})).between(1, 4096), probability_param(0.5)});
    d.steps = random_grid_shuffle;
    r.add(std::move(d));
}

}  // namespace instaug
