// CoarseDropout and Erasing: rectangles drawn over the canvas (the reference's sampling).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "transforms/dropout/dropout_common.hpp"

namespace instaug {
namespace {

// Hole sides for CoarseDropout: in pixels when the range's upper end is >= 1 (for both sides, as
// the reference decides by the height range), else fractions of the image side.
std::vector<int> hole_sides(const Params& p, const char* name, bool in_pixels, int side, int count, Random& rng) {
    const auto range = p.range(name);
    if (in_pixels) {
        const int64_t low = static_cast<int64_t>(range[0]), high = static_cast<int64_t>(std::min<double>(range[1], side));
        if (low > high)
            throw std::invalid_argument(std::string("CoarseDropout: ") + name + " starts at " + std::to_string(low) +
                                        " pixels, more than the image side " + std::to_string(side));
        return dropout::integers(rng, low, high, count);
    }
    std::vector<int> sides(count);
    for (int& s : sides) s = static_cast<int>(side * rng.uniform(range[0], range[1]));
    return sides;
}

Json min_max(const std::vector<int>& values) {
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    return Json::array({*lo, *hi});
}

Holes coarse_holes(const Params& p, Random& rng, const Sample& sample) {
    const int width = sample.width, height = sample.height;
    const auto counts = p.range("num_holes_range");
    const int n = static_cast<int>(rng.randint(static_cast<int64_t>(counts[0]), static_cast<int64_t>(counts[1])));
    const bool in_pixels = p.range("hole_height_range")[1] >= 1;
    const std::vector<int> heights = hole_sides(p, "hole_height_range", in_pixels, height, n, rng);
    const std::vector<int> widths = hole_sides(p, "hole_width_range", in_pixels, width, n, rng);
    Holes holes;
    for (int i = 0; i < n; ++i) {
        if (widths[i] > width || heights[i] > height)
            throw std::invalid_argument("CoarseDropout: a " + std::to_string(widths[i]) + "x" +
                                        std::to_string(heights[i]) + " hole does not fit the " + std::to_string(width) +
                                        "x" + std::to_string(height) + " image");
        const int y = static_cast<int>(rng.randint(0, height - heights[i]));
        const int x = static_cast<int>(rng.randint(0, width - widths[i]));
        holes.emplace_back(x, y, widths[i], heights[i]);
    }
    rng.note("num_holes_range", n);
    rng.note("hole_height_range", min_max(heights));
    rng.note("hole_width_range", min_max(widths));
    return holes;
}

// One rectangle of a drawn share of the area and aspect ratio, kept inside the image (the
// reference's Erasing, after torchvision's RandomErasing); none when the ranges cannot fit.
Holes erasing_holes(const Params& p, Random& rng, const Sample& sample) {
    const double width = sample.width, height = sample.height, total = width * height;
    const auto scale = p.range("scale");
    const auto ratio = p.range("ratio");
    const double min_area = total * scale[0];
    const double max_area = std::min({total * scale[1], std::min(ratio[0], ratio[1]) * height * height,
                                      std::min(width * width / ratio[0], width * width / ratio[1])});
    if (max_area < min_area) return {};
    const double area = rng.uniform(min_area, max_area);
    const double max_r = std::min(ratio[1], width * width / area), min_r = std::max(ratio[0], area / (height * height));
    if (min_r > max_r) return {};
    const double aspect = rng.uniform(min_r, max_r);
    if (!(area > 0 && aspect > 0)) return {};  // a zero scale: nothing to erase
    // Python's round: halves to even, as nearbyint in the default rounding mode.
    const int h = static_cast<int>(std::nearbyint(std::sqrt(area / aspect)));
    const int w = static_cast<int>(std::nearbyint(std::sqrt(area * aspect)));
    const int top = static_cast<int>(rng.randint(0, sample.height - h));
    const int left = static_cast<int>(rng.randint(0, sample.width - w));
    rng.note("scale", area / total);
    rng.note("ratio", aspect);
    return {cv::Rect(left, top, w, h)};
}

}  // namespace

void register_coarse_dropout(Registry& r) {
    r.add(dropout::dropout_transform(
        "CoarseDropout",
        {range_param("num_holes_range", Json::array({1, 2})).between(1, std::nullopt).whole(),
         range_param("hole_height_range", Json::array({0.1, 0.2})).between(0.0, std::nullopt),
         range_param("hole_width_range", Json::array({0.1, 0.2})).between(0.0, std::nullopt)},
        coarse_holes));
    r.add(dropout::dropout_transform("Erasing",
                                     {range_param("scale", Json::array({0.02, 0.33})).between(0.0, std::nullopt),
                                      range_param("ratio", Json::array({0.3, 3.3})).between(0.0, std::nullopt)},
                                     erasing_holes));
}

}  // namespace instaug
