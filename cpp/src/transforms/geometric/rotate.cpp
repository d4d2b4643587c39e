// Rotate: a rotation about the image centre, optionally cropped to the largest inner rectangle.
#include <cmath>

#include "core/math_constants.hpp"
#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// The reference's largest axis-aligned rectangle inside the image rotated by `angle` degrees.
cv::Rect inner_rectangle(double angle, int width, int height) {
    const double a = angle * kPi / 180.0;
    const bool width_is_longer = width >= height;
    const double side_long = width_is_longer ? width : height, side_short = width_is_longer ? height : width;
    const double sin_a = std::abs(std::sin(a)), cos_a = std::abs(std::cos(a));
    double wr, hr;
    if (side_short <= 2.0 * sin_a * cos_a * side_long || std::abs(sin_a - cos_a) < 1e-10) {
        const double x = 0.5 * side_short;
        if (width_is_longer) { wr = x / sin_a; hr = x / cos_a; } else { wr = x / cos_a; hr = x / sin_a; }
    } else {
        const double cos_2a = cos_a * cos_a - sin_a * sin_a;
        wr = (width * cos_a - height * sin_a) / cos_2a;
        hr = (height * cos_a - width * sin_a) / cos_2a;
    }
    const int x_min = std::max(0, static_cast<int>(width / 2.0 - wr / 2));
    const int x_max = std::min(width, static_cast<int>(width / 2.0 + wr / 2));
    const int y_min = std::max(0, static_cast<int>(height / 2.0 - hr / 2));
    const int y_max = std::min(height, static_cast<int>(height / 2.0 + hr / 2));
    return {x_min, y_min, x_max - x_min, y_max - y_min};
}

std::vector<GeometricStep> rotate(const Params& params, Random& rng, int width, int height) {
    const auto range = params.range("angle_range");
    const double angle = rng.uniform(range[0], range[1]);
    rng.note("angle_range", angle);
    const cv::Matx33d m = affine_matrix(0, 0, 0, 0, 1, 1, angle, width / 2.0 - 0.5, height / 2.0 - 0.5);
    GeometricStep step = make_warp_step(width, height, width, height, m, false, pixel_options(params));
    step.angle_rule = AngleRule::Add;
    step.angle_delta = std::atan2(-m(1, 0), m(0, 0));
    step.ellipse_boxes = params.text("rotate_method") == "ellipse";
    std::vector<GeometricStep> steps{step};
    if (params.flag("crop_border")) {
        const cv::Rect inner = inner_rectangle(angle, width, height);
        if (inner.width > 0 && inner.height > 0)
            steps.push_back(make_crop_step(width, height, inner.x, inner.y, inner.width, inner.height));
    }
    return steps;
}

}  // namespace

void register_rotate(Registry& r) {
    TransformDecl d;
    d.name = "Rotate";
    d.kind = TransformKind::Geometric;
    d.params = {range_param("angle_range", Json::array({-90, 90})).in("degrees"),
                interpolation_param("interpolation", kLinear),
                border_mode_param(kBorderConstant),
                choice_param("rotate_method", "largest_box", rotate_methods()),
                flag_param("crop_border", false),
                interpolation_param("mask_interpolation", kNearest),
                fill_param("fill", 0),
                fill_param("fill_mask", 0),
                probability_param(0.5)};
    d.steps = rotate;
    r.add(std::move(d));
}

}  // namespace instaug
