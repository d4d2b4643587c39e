// The crops that read the sample's boxes: BBoxSafeRandomCrop and RandomSizedBBoxSafeCrop (every
// box inside), BBoxSubsetSafeRandomCrop (a drawn subset inside), AtLeastOneBBoxRandomCrop (one
// drawn box inside). Each draws as the reference's samplers, on boxes normalised by the canvas.
#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "core/distinct_indices.hpp"
#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

using Steps = std::vector<GeometricStep>;
using Box = std::array<double, 4>;

struct Window {
    int x0, y0, x1, y1;
};

std::vector<Box> normalised_boxes(const Sample& s) {
    std::vector<Box> out;
    if (!s.rows.has_boxes) return out;
    for (const Box& b : s.rows.boxes)
        out.push_back({b[0] / s.width, b[1] / s.height, b[2] / s.width, b[3] / s.height});
    return out;
}

// The reference's union_of_bboxes: eroded by erosion_rate about its centre, none when eroded away;
// a single box is its own union, uneroded (as the reference).
std::optional<Box> union_of(const std::vector<Box>& boxes, double erosion_rate) {
    if (boxes.empty() || erosion_rate == 1) return std::nullopt;
    if (boxes.size() == 1) return boxes[0];
    Box u{1e300, 1e300, -1e300, -1e300};
    for (const Box& b : boxes) {
        u = {std::min(u[0], b[0]), std::min(u[1], b[1]), std::max(u[2], b[2]), std::max(u[3], b[3])};
    }
    const double ex = (u[2] - u[0]) * erosion_rate * 0.5, ey = (u[3] - u[1]) * erosion_rate * 0.5;
    u = {u[0] + ex, u[1] + ey, u[2] - ex, u[3] - ey};
    if (std::abs(u[2] - u[0]) < 1e-6 || std::abs(u[3] - u[1]) < 1e-6) return std::nullopt;
    return u;
}

// At least one pixel each way, inside the image: where the reference would cut an empty window (a
// union thinner than a pixel, erosion_rate=1 on a thin image) the window keeps one.
Steps crop_to(Window w, int width, int height) {
    w.x0 = std::clamp(w.x0, 0, width - 1);
    w.y0 = std::clamp(w.y0, 0, height - 1);
    w.x1 = std::clamp(w.x1, w.x0 + 1, width);
    w.y1 = std::clamp(w.y1, w.y0 + 1, height);
    return {make_crop_step(width, height, w.x0, w.y0, w.x1 - w.x0, w.y1 - w.y0)};
}

// Without boxes: a random window of a drawn height at least (1 - erosion_rate) of the image's,
// keeping its aspect ratio (the reference's _get_coords_no_bbox).
Window window_without_boxes(double erosion_rate, Random& rng, int width, int height) {
    const int erosive_h = static_cast<int>(height * (1.0 - erosion_rate));
    const int crop_h = erosive_h >= height ? height : static_cast<int>(rng.randint(erosive_h, height));
    const int crop_w = static_cast<int>(static_cast<double>(crop_h) * width / height);
    if (crop_h == 0 || crop_w == 0) {  // the reference's empty window: one pixel, drawn as a 1 x 1 crop
        const double h_start = rng.uniform01(), w_start = rng.uniform01();
        const int y0 = static_cast<int>(height * h_start), x0 = static_cast<int>(width * w_start);
        return {x0, y0, x0 + 1, y0 + 1};
    }
    const double h_start = rng.uniform01(), w_start = rng.uniform01();
    const int y0 = static_cast<int>((height - crop_h + 1) * h_start), x0 = static_cast<int>((width - crop_w + 1) * w_start);
    return {x0, y0, x0 + crop_w, y0 + crop_h};
}

Window safe_window(const Params& params, Random& rng, const Sample& s) {
    const double erosion = params.number("erosion_rate");
    const std::optional<Box> u = union_of(normalised_boxes(s), erosion);
    if (!u) return window_without_boxes(erosion, rng, s.width, s.height);
    const double x_min = std::clamp((*u)[0], 0.0, 1.0), y_min = std::clamp((*u)[1], 0.0, 1.0);
    const double x_max = std::clamp((*u)[2], x_min, 1.0), y_max = std::clamp((*u)[3], y_min, 1.0);
    const int x0 = static_cast<int>(x_min * rng.uniform01() * s.width);
    const int y0 = static_cast<int>(y_min * rng.uniform01() * s.height);
    const double right = x_max + (1 - x_max) * rng.uniform01();
    const double bottom = y_max + (1 - y_max) * rng.uniform01();
    return {x0, y0, static_cast<int>(right * s.width), static_cast<int>(bottom * s.height)};
}

Steps bbox_safe_crop(const Params& params, Random& rng, const Sample& s) {
    return crop_to(safe_window(params, rng, s), s.width, s.height);
}

Steps sized_bbox_safe_crop(const Params& params, Random& rng, const Sample& s) {
    Steps steps = bbox_safe_crop(params, rng, s);
    const GeometricStep& crop = steps.back();
    steps.push_back(make_resize_step(crop.out_width, crop.out_height, params.integer32("width"),
                                     params.integer32("height"), pixel_options(params)));
    return steps;
}

// The reference's _get_crop_coords: integer sides holding the union within the aspect-ratio range
// (height / width), then a position holding the union; the whole image when none exists.
Window subset_window(const std::optional<Box>& u, const Params& params, Random& rng, int width, int height) {
    int ux0 = 0, uy0 = 0, ux1 = 0, uy1 = 0;
    if (u) {
        const double x_min = std::clamp((*u)[0], 0.0, 1.0), y_min = std::clamp((*u)[1], 0.0, 1.0);
        const double x_max = std::clamp((*u)[2], x_min, 1.0), y_max = std::clamp((*u)[3], y_min, 1.0);
        ux0 = static_cast<int>(std::floor(x_min * width));
        uy0 = static_cast<int>(std::floor(y_min * height));
        ux1 = static_cast<int>(std::ceil(x_max * width));
        uy1 = static_cast<int>(std::ceil(y_max * height));
    }
    const int uw = ux1 - ux0, uh = uy1 - uy0;
    const auto [min_ratio, max_ratio] = params.range("aspect_ratio_range");
    const Window full{0, 0, width, height};
    const int min_w = std::max(1, static_cast<int>(std::ceil(std::max<double>(uw, uh / max_ratio))));
    const int max_w = static_cast<int>(std::floor(std::min<double>(width, height / min_ratio)));
    if (min_w > max_w) return full;
    auto height_bounds = [&](int w) {
        return std::pair<int, int>(static_cast<int>(std::ceil(std::max<double>(uh, min_ratio * w))),
                                   static_cast<int>(std::floor(std::min<double>(height, max_ratio * w))));
    };
    int crop_w = static_cast<int>(rng.randint(min_w, max_w));
    auto [min_h, max_h] = height_bounds(crop_w);
    if (min_h > max_h) {
        // A narrow ratio range can leave gaps between feasible integer sides: one of those that fit.
        std::vector<int> fitting;
        for (int w = min_w; w <= max_w; ++w) {
            const auto [lo, hi] = height_bounds(w);
            if (lo <= hi) fitting.push_back(w);
        }
        if (fitting.empty()) return full;
        crop_w = fitting[static_cast<std::size_t>(rng.randint(0, static_cast<int64_t>(fitting.size()) - 1))];
        std::tie(min_h, max_h) = height_bounds(crop_w);
    }
    const int crop_h = static_cast<int>(rng.randint(min_h, max_h));
    int min_x = 0, max_x = width - crop_w, min_y = 0, max_y = height - crop_h;
    if (u) {
        min_x = std::max(0, ux1 - crop_w);
        max_x = std::min(ux0, width - crop_w);
        min_y = std::max(0, uy1 - crop_h);
        max_y = std::min(uy0, height - crop_h);
    }
    const int x0 = static_cast<int>(rng.randint(min_x, max_x)), y0 = static_cast<int>(rng.randint(min_y, max_y));
    return {x0, y0, x0 + crop_w, y0 + crop_h};
}

Steps subset_safe_crop(const Params& params, Random& rng, const Sample& s) {
    const std::vector<Box> boxes = normalised_boxes(s);
    if (boxes.empty())
        return crop_to(window_without_boxes(params.number("erosion_rate"), rng, s.width, s.height), s.width, s.height);
    const auto [f0, f1] = params.range("subset_fraction_range");
    const std::size_t n = boxes.size();
    const auto lo = static_cast<int64_t>(std::ceil(n * f0));
    const auto hi = std::min(static_cast<int64_t>(std::ceil(n * f1)), static_cast<int64_t>(n));
    std::vector<Box> subset;
    for (std::size_t i : distinct_indices(n, static_cast<std::size_t>(rng.randint(lo, hi)), rng)) subset.push_back(boxes[i]);
    const std::optional<Box> u = union_of(subset, params.number("erosion_rate"));
    return crop_to(subset_window(u, params, rng, s.width, s.height), s.width, s.height);
}

// The corner range [lo, hi] along one side: windows of `crop` that hold the reference box eroded by
// `erosion` (any that meets it at erosion 1), within the image.
std::pair<double, double> corner_range(double b0, double b1, int crop, int size, double erosion) {
    const double kept = erosion < 1.0 ? (b1 - b0) * (1.0 - erosion) : 0.0;
    const double lo = erosion < 1.0 ? b0 + kept - crop : b0 - crop, hi = erosion < 1.0 ? b1 - kept : b1;
    return {std::clamp(lo, 0.0, static_cast<double>(size - crop)), std::clamp(hi, 0.0, static_cast<double>(size - crop))};
}

Steps at_least_one_bbox_crop(const Params& params, Random& rng, const Sample& s) {
    const int crop_h = params.integer32("height"), crop_w = params.integer32("width");
    if (crop_h > s.height || crop_w > s.width)
        throw std::invalid_argument("AtLeastOneBBoxRandomCrop: crop size (height, width)=(" + std::to_string(crop_h) +
                                    ", " + std::to_string(crop_w) + ") exceeds the image size (" +
                                    std::to_string(s.height) + ", " + std::to_string(s.width) + ")");
    std::pair<double, double> xs{0.0, s.width - crop_w}, ys{0.0, s.height - crop_h};
    const bool any = s.rows.has_boxes && s.rows.size() > 0;
    if (any) {
        const Box& b = s.rows.boxes[static_cast<std::size_t>(rng.randint(0, static_cast<int64_t>(s.rows.size()) - 1))];
        const double erosion = params.number("erosion_factor");
        xs = corner_range(b[0], b[2], crop_w, s.width, erosion);
        ys = corner_range(b[1], b[3], crop_h, s.height, erosion);
    }
    const int x0 = static_cast<int>(rng.uniform(xs.first, xs.second));
    const int y0 = static_cast<int>(rng.uniform(ys.first, ys.second));
    return {make_crop_step(s.width, s.height, x0, y0, crop_w, crop_h)};
}

ParamDecl erosion(const char* name) { return number_param(name, 0.0).between(0, 1); }

}  // namespace

void register_bbox_safe_crops(Registry& r) {
    TransformDecl safe = declare("BBoxSafeRandomCrop", TransformKind::Geometric,
                                 {erosion("erosion_rate"), probability_param(1.0)});
    safe.sample_steps = bbox_safe_crop;
    r.add(std::move(safe));

    TransformDecl sized = declare("RandomSizedBBoxSafeCrop", TransformKind::Geometric,
                                  {integer_param("height", nullptr).needed().between(1, kMaxSide),
                                   integer_param("width", nullptr).needed().between(1, kMaxSide),
                                   erosion("erosion_rate"), interpolation_param("interpolation", kLinear),
                                   interpolation_param("mask_interpolation", kNearest), probability_param(1.0)});
    sized.sample_steps = sized_bbox_safe_crop;
    r.add(std::move(sized));

    ParamDecl fractions = range_param("subset_fraction_range", Json::array({0.5, 1.0})).between(0, 1);
    TransformDecl subset = declare("BBoxSubsetSafeRandomCrop", TransformKind::Geometric,
                                   {fractions, erosion("erosion_rate"),
                                    range_param("aspect_ratio_range", Json::array({0.5, 2.0})).between(0, std::nullopt),
                                    probability_param(1.0)});
    subset.check = [](const std::string& owner, const Params& p) {
        for (const char* name : {"subset_fraction_range", "aspect_ratio_range"})
            if (p.range(name)[0] <= 0)
                throw std::invalid_argument(owner + ": " + name + " values must be > 0, got " + python_repr(p.at(name)));
    };
    subset.sample_steps = subset_safe_crop;
    r.add(std::move(subset));

    TransformDecl one = declare("AtLeastOneBBoxRandomCrop", TransformKind::Geometric,
                                {integer_param("height", nullptr).needed().between(1, kMaxCoordinate),
                                 integer_param("width", nullptr).needed().between(1, kMaxCoordinate),
                                 erosion("erosion_factor"), probability_param(1.0)});
    one.sample_steps = at_least_one_bbox_crop;
    r.add(std::move(one));
}

}  // namespace instaug
