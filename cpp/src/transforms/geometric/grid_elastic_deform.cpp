// GridElasticDeform: the canvas cut into a grid of cells of almost equal sides (shuffled, as
// RandomGridShuffle's), the inner grid points moved by whole pixels drawn in [-magnitude,
// magnitude], and each cell warped by the perspective transform of its rectangle onto its moved
// quad. The reference warps the whole image once per cell and pastes each cell's quad in turn (a
// later cell over an earlier one, pixels no quad covers left 0); here the same choice of cell per
// output pixel gives one dense map, and the image goes through a single remap step.
#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "core/remap_field.hpp"
#include "transforms/geometric/canvas_args.hpp"
#include "transforms/grid_cuts.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

struct Cell {
    cv::Rect rect;                    // the source rectangle
    std::array<cv::Point, 4> quad;    // where its corners go: top-left, top-right, bottom-right, bottom-left
    cv::Matx33d forward, inverse;     // rectangle -> quad and back
    bool invertible = false;          // see has_three_in_line
};

struct Grid {
    std::vector<int> xs, ys;  // cut positions, 0 to the side
    std::vector<Cell> cells;  // row by row (ys), as the reference lists them
};

// A quad with three corners on a line is no perspective image of a rectangle: the reference's
// matrix for it is singular (its cell comes out 0, or one smeared colour: numerical noise); we
// leave the cell the fill. Corners are whole pixels: the test is exact.
bool has_three_in_line(const std::array<cv::Point, 4>& q) {
    for (int skip = 0; skip < 4; ++skip) {
        const cv::Point a = q[(skip + 1) % 4], b = q[(skip + 2) % 4], c = q[(skip + 3) % 4];
        if (static_cast<int64_t>(b.x - a.x) * (c.y - a.y) == static_cast<int64_t>(b.y - a.y) * (c.x - a.x)) return true;
    }
    return false;
}

// The reference's cells, in its order. Its split_uniform_grid takes num_grid_xy as (rows,
// columns) while generate_distorted_grid_polygons reads the same list of cells as num_grid_xy[1]
// rows of num_grid_xy[0]: for an unequal pair the corners it moves together are not those of one
// grid point, and quads overlap or leave gaps. That is kept, so that the same draws give the same
// pixels.
Grid distorted_grid(int width, int height, int grid_x, int grid_y, int magnitude, Random& rng) {
    const std::vector<int> ys = shuffled_cuts(height, grid_x, rng), xs = shuffled_cuts(width, grid_y, rng);
    std::vector<Cell> cells;
    for (int i = 0; i < grid_x; ++i)
        for (int j = 0; j < grid_y; ++j) {
            Cell c;
            c.rect = cv::Rect(cv::Point(xs[j], ys[i]), cv::Point(xs[j + 1], ys[i + 1]));
            c.quad = {c.rect.tl(), cv::Point(c.rect.br().x, c.rect.y), c.rect.br(), cv::Point(c.rect.x, c.rect.br().y)};
            cells.push_back(c);
        }
    const int rows = grid_y, columns = grid_x;  // as the reference's polygons read them
    std::vector<cv::Point> moves;
    for (int k = 0; k < (rows - 1) * (columns - 1); ++k) {
        const int dx = static_cast<int>(rng.randint(-magnitude, magnitude));
        moves.emplace_back(dx, static_cast<int>(rng.randint(-magnitude, magnitude)));
    }
    for (int i = 1; i < rows; ++i)
        for (int j = 1; j < columns; ++j) {
            const cv::Point d = moves[(i - 1) * (columns - 1) + (j - 1)];
            cells[(i - 1) * columns + (j - 1)].quad[2] += d;
            cells[(i - 1) * columns + j].quad[3] += d;
            cells[i * columns + (j - 1)].quad[1] += d;
            cells[i * columns + j].quad[0] += d;
        }
    for (Cell& c : cells) {
        // From the cell's own corner: a transform whose horizon passes through the canvas' origin
        // has no matrix with a unit corner element, which getPerspectiveTransform assumes.
        const float w = static_cast<float>(c.rect.width), h = static_cast<float>(c.rect.height);
        const cv::Point2f from[4] = {{0, 0}, {w, 0}, {w, h}, {0, h}};
        const cv::Point2f to[4] = {c.quad[0], c.quad[1], c.quad[2], c.quad[3]};
        const cv::Matx33d local(cv::getPerspectiveTransform(from, to));
        const cv::Matx33d shift(1, 0, -c.rect.x, 0, 1, -c.rect.y, 0, 0, 1);
        c.forward = local * shift;
        c.invertible = !has_three_in_line(c.quad);
        if (c.invertible) c.inverse = shift.inv() * local.inv();
    }
    return {xs, ys, std::move(cells)};
}

// Each output pixel belongs to the last cell whose quad covers it (the reference's fillConvexPoly
// pastes) and samples the input at that cell's inverse; pixels of no cell sample outside (fill 0).
std::shared_ptr<RemapField> cell_field(const std::vector<Cell>& cells, int width, int height) {
    cv::Mat owner(height, width, CV_32S, cv::Scalar(-1));
    for (std::size_t k = 0; k < cells.size(); ++k)
        cv::fillConvexPoly(owner, cells[k].quad.data(), 4, cv::Scalar(static_cast<double>(k)));
    constexpr float kOutside = -16.0f;  // past every kernel's taps (Lanczos reaches 4 pixels)
    auto field = std::make_shared<RemapField>();
    field->map_x.create(height, width, CV_32F);
    field->map_y.create(height, width, CV_32F);
    double reach = 0;
    for (int y = 0; y < height; ++y) {
        const int* o = owner.ptr<int>(y);
        float* mx = field->map_x.ptr<float>(y);
        float* my = field->map_y.ptr<float>(y);
        for (int x = 0; x < width; ++x) {
            mx[x] = my[x] = kOutside;
            if (o[x] < 0 || !cells[o[x]].invertible) continue;
            const cv::Point2d p = map_point(cells[o[x]].inverse, x, y);
            if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
            // Near a cell's horizon points run off to infinity; past kOutside they sample nothing
            // either way, and stay in range of an int.
            mx[x] = static_cast<float>(std::clamp(p.x, static_cast<double>(kOutside), width - 1.0 - kOutside));
            my[x] = static_cast<float>(std::clamp(p.y, static_cast<double>(kOutside), height - 1.0 - kOutside));
            reach = std::max({reach, std::abs(static_cast<double>(mx[x]) - x), std::abs(static_cast<double>(my[x]) - y)});
        }
    }
    // Pixels sampling outside reach nothing: only the others bound the reach.
    field->reach = static_cast<int>(std::min(std::ceil(reach), static_cast<double>(std::max(width, height))));
    return field;
}

// The reference's distort_image_keypoints: a point moves by the cell whose rectangle holds it
// (half-open), as cv::perspectiveTransform (a point on the cell's horizon goes to the origin),
// and is clipped to the canvas' pixel centres. A point off the canvas stays where it is.
std::function<void(double&, double&)> keypoint_mover(Grid grid, int width, int height) {
    return [grid = std::move(grid), width, height](double& x, double& y) {
        if (!(x >= 0 && x < width && y >= 0 && y < height)) return;
        const auto i = static_cast<std::size_t>(std::upper_bound(grid.ys.begin(), grid.ys.end(), y) - grid.ys.begin() - 1);
        const auto j = static_cast<std::size_t>(std::upper_bound(grid.xs.begin(), grid.xs.end(), x) - grid.xs.begin() - 1);
        const cv::Matx33d& m = grid.cells[i * (grid.xs.size() - 1) + j].forward;
        const double w = m(2, 0) * x + m(2, 1) * y + m(2, 2);
        const bool finite = std::abs(w) > FLT_EPSILON;
        const double px = finite ? (m(0, 0) * x + m(0, 1) * y + m(0, 2)) / w : 0.0;
        const double py = finite ? (m(1, 0) * x + m(1, 1) * y + m(1, 2)) / w : 0.0;
        x = std::clamp(px, 0.0, width - 1.0);
        y = std::clamp(py, 0.0, height - 1.0);
    };
}

std::vector<GeometricStep> grid_elastic_deform(const Params& params, Random& rng, int width, int height) {
    const auto counts = params.numbers("num_grid_xy");
    const int grid_x = static_cast<int>(counts[0]), grid_y = static_cast<int>(counts[1]);
    // The reference cuts the height into num_grid_xy[0] parts and the width into num_grid_xy[1];
    // an empty cell has no perspective transform.
    if (height < grid_x || width < grid_y)
        throw std::invalid_argument("GridElasticDeform: num_grid_xy (" + std::to_string(grid_x) + ", " +
                                    std::to_string(grid_y) + ") is finer than the image (" + std::to_string(height) +
                                    " rows, " + std::to_string(width) +
                                    " columns): each cell needs a pixel (num_grid_xy[0] <= height, num_grid_xy[1] <= width)");
    // One row or column of cells has no inner point to move: every cell is its own rectangle.
    if (grid_x == 1 || grid_y == 1) return {};
    Grid grid = distorted_grid(width, height, grid_x, grid_y, params.integer32("magnitude"), rng);
    std::shared_ptr<RemapField> field = cell_field(grid.cells, width, height);
    field->half_open_boxes = true;
    field->forward = keypoint_mover(std::move(grid), width, height);
    return {make_remap_step(width, height, std::move(field), pixel_options(params))};
}

}  // namespace

void register_grid_elastic_deform(Registry& r) {
    TransformDecl d = declare("GridElasticDeform", TransformKind::Geometric,
                              {int_pair_param("num_grid_xy", nullptr).needed().between(1, kMaxCanvasSide),
                               integer_param("magnitude", nullptr).needed().between(1, 1 << 24),
                               interpolation_param("interpolation", kLinear),
                               interpolation_param("mask_interpolation", kNearest), probability_param(1.0)});
    d.steps = grid_elastic_deform;
    r.add(std::move(d));
}

}  // namespace instaug
