// RandomCropFromBorders: a random strip off each side, each at most its fraction of the side.
#include <algorithm>
#include <stdexcept>

#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// [begin, end) along one side of `size`, as the reference draws it (at least one pixel stays).
std::pair<int, int> strip_window(double cut_before, double cut_after, int size, Random& rng) {
    // A whole side's cut (crop_left=1) could start the window past the image: the last pixel stays.
    const int begin = static_cast<int>(
        std::min<int64_t>(rng.randint(0, static_cast<int64_t>(cut_before * size)), size - 1));
    const int end = static_cast<int>(
        rng.randint(std::max<int64_t>(begin + 1, static_cast<int64_t>((1 - cut_after) * size)), size));
    return {begin, end};
}

std::vector<GeometricStep> crop_from_borders(const Params& params, Random& rng, int width, int height) {
    const auto [x0, x1] = strip_window(params.number("crop_left"), params.number("crop_right"), width, rng);
    const auto [y0, y1] = strip_window(params.number("crop_top"), params.number("crop_bottom"), height, rng);
    rng.note("crop_left", static_cast<double>(x0) / width);
    rng.note("crop_right", 1.0 - static_cast<double>(x1) / width);
    rng.note("crop_top", static_cast<double>(y0) / height);
    rng.note("crop_bottom", 1.0 - static_cast<double>(y1) / height);
    return {make_crop_step(width, height, x0, y0, x1 - x0, y1 - y0)};
}

}  // namespace

void register_random_crop_from_borders(Registry& r) {
    TransformDecl d = declare("RandomCropFromBorders", TransformKind::Geometric,
                              {number_param("crop_left", 0.1).between(0, 1), number_param("crop_right", 0.1).between(0, 1),
                               number_param("crop_top", 0.1).between(0, 1),
                               number_param("crop_bottom", 0.1).between(0, 1), probability_param(1.0)});
    d.check = [](const std::string& owner, const Params& p) {
        for (const auto& [a, b] : {std::pair<const char*, const char*>{"crop_left", "crop_right"}, {"crop_top", "crop_bottom"}})
            if (p.number(a) + p.number(b) > 1.0)
                throw std::invalid_argument(owner + ": the sum of " + a + " and " + b + " must be <= 1, got " +
                                            std::to_string(p.number(a) + p.number(b)));
    };
    d.steps = crop_from_borders;
    r.add(std::move(d));
}

}  // namespace instaug
