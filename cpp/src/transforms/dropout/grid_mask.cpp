// GridMask: a grid of lines num_grid cells across the shorter side, optionally rotated; the lines
// are the holes (the reference's generate_grid_mask_holes).
#include <algorithm>
#include <cmath>
#include <map>

#include <opencv2/imgproc.hpp>

#include "core/math_constants.hpp"
#include "transforms/dropout/dropout_common.hpp"

namespace instaug {
namespace {

// The zero pixels of `mask` as rectangles: runs of each row, runs of equal span on consecutive
// rows merged (the reference's mask_to_rects).
Holes zero_runs(const cv::Mat& mask) {
    Holes done;
    std::map<std::pair<int, int>, cv::Rect> open;  // (x start, x end) -> rectangle reaching the row above
    for (int y = 0; y < mask.rows; ++y) {
        std::map<std::pair<int, int>, cv::Rect> next;
        const uint8_t* row = mask.ptr<uint8_t>(y);
        for (int x = 0; x < mask.cols;) {
            if (row[x]) {
                ++x;
                continue;
            }
            const int start = x;
            while (x < mask.cols && !row[x]) ++x;
            const auto span = std::make_pair(start, x);
            auto above = open.find(span);
            cv::Rect rect = above != open.end() ? above->second : cv::Rect(start, y, x - start, 0);
            if (above != open.end()) open.erase(above);
            rect.height += 1;
            next[span] = rect;
        }
        for (const auto& [_, rect] : open) done.push_back(rect);
        open = std::move(next);
    }
    for (const auto& [_, rect] : open) done.push_back(rect);
    return done;
}

Holes straight_grid(int width, int height, int cell, int line, Random& rng) {
    Holes holes;
    const int offset_x = static_cast<int>(rng.randint(0, cell - 1)), offset_y = static_cast<int>(rng.randint(0, cell - 1));
    for (int x = offset_x; x < width; x += cell) holes.emplace_back(x, 0, std::min(x + line, width) - x, height);
    for (int y = offset_y; y < height; y += cell) holes.emplace_back(0, y, width, std::min(y + line, height) - y);
    return holes;
}

// The grid drawn on a square of the image's diagonal, rotated about its centre, and the middle
// cut out.
Holes rotated_grid(int width, int height, int cell, int line, double radians, Random& rng) {
    const int diagonal = static_cast<int>(std::sqrt(static_cast<double>(height) * height + static_cast<double>(width) * width)) + 2 * cell;
    cv::Mat grid(diagonal, diagonal, CV_8U, cv::Scalar(1));
    for (int pos = static_cast<int>(rng.randint(0, cell - 1)); pos < diagonal; pos += cell) {
        grid.rowRange(pos, std::min(pos + line, diagonal)).setTo(0);
        grid.colRange(pos, std::min(pos + line, diagonal)).setTo(0);
    }
    const cv::Mat rotation = cv::getRotationMatrix2D(cv::Point2f(diagonal / 2, diagonal / 2), radians * 180.0 / kPi, 1.0);
    cv::Mat rotated;
    cv::warpAffine(grid, rotated, rotation, grid.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(1));
    return zero_runs(rotated(cv::Rect((diagonal - width) / 2, (diagonal - height) / 2, width, height)));
}

Holes grid_mask_holes(const Params& p, Random& rng, const Sample& sample) {
    const auto grids = p.range("num_grid_range"), widths = p.range("line_width_range"), angles = p.range("rotation_range");
    const int num_grid = static_cast<int>(rng.randint(static_cast<int64_t>(grids[0]), static_cast<int64_t>(grids[1])));
    const double ratio = rng.uniform(widths[0], widths[1]);
    const double rotation = rng.uniform(angles[0], angles[1]);
    rng.note("num_grid_range", num_grid);
    rng.note("line_width_range", ratio);
    rng.note("rotation_range", rotation);
    const int cell = std::max(2, std::min(sample.width, sample.height) / num_grid);
    const int line = std::max(1, static_cast<int>(cell * ratio));
    if (std::abs(rotation) < 1e-6) return straight_grid(sample.width, sample.height, cell, line, rng);
    return rotated_grid(sample.width, sample.height, cell, line, rotation, rng);
}

}  // namespace

void register_grid_mask(Registry& r) {
    TransformDecl d = dropout::dropout_transform(
        "GridMask",
        {range_param("num_grid_range", Json::array({3, 7})).between(2, 100000).whole(),
         range_param("line_width_range", Json::array({0.2, 0.5})).between(0.0, 1.0),
         range_param("rotation_range", Json::array({0, 0})).in("radians")},
        grid_mask_holes);
    d.check = [fill_rule = d.check](const std::string& owner, const Params& p) {
        fill_rule(owner, p);
        if (!(p.range("line_width_range")[0] > 0))
            throw std::invalid_argument(owner + ": line_width_range values must be > 0");
    };
    r.add(std::move(d));
}

}  // namespace instaug
