// SafeRotate: a rotation about the image centre, the result squeezed back into the input's canvas
// (each axis by its own factor) so that no corner is cut.
#include <cmath>

#include "core/math_constants.hpp"
#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// The reference's factors: the rotated image's bounding box, truncated to whole pixels as its
// int(), squeezed to width x height. Rotation and squeeze are about the centre of the pixel grid, so
// that an angle of 0 is the identity (the reference's image matrix moves the image by half a pixel
// there; its box matrix does not - see the README's differences).
struct SafeRotation {
    cv::Matx33d matrix;
    double scale_x, scale_y;
};

SafeRotation safe_rotation(double angle, int width, int height) {
    const double r = angle * kPi / 180.0;
    const double c = std::cos(r), s = std::sin(r);
    const double new_w = std::trunc(height * std::abs(s) + width * std::abs(c));
    const double new_h = std::trunc(height * std::abs(c) + width * std::abs(s));
    const double sx = new_w > 0 ? width / new_w : 1.0, sy = new_h > 0 ? height / new_h : 1.0;
    const double cx = width / 2.0 - 0.5, cy = height / 2.0 - 0.5;
    const cv::Matx33d to_origin(1, 0, -cx, 0, 1, -cy, 0, 0, 1), back(1, 0, cx, 0, 1, cy, 0, 0, 1);
    const cv::Matx33d rotation(c, s, 0, -s, c, 0, 0, 0, 1), squeeze(sx, 0, 0, 0, sy, 0, 0, 0, 1);
    return {back * squeeze * rotation * to_origin, sx, sy};
}

std::vector<GeometricStep> safe_rotate(const Params& params, Random& rng, int width, int height) {
    const auto range = params.range("angle_range");
    const double angle = rng.uniform(range[0], range[1]);
    rng.note("angle_range", angle);
    const SafeRotation rotation = safe_rotation(angle, width, height);
    const cv::Matx33d& m = rotation.matrix;
    GeometricStep step = make_warp_step(width, height, width, height, m, false, pixel_options(params));
    step.angle_rule = AngleRule::Add;
    step.angle_delta = std::atan2(-m(1, 0), m(0, 0));
    step.keypoint_scale = std::max(rotation.scale_x, rotation.scale_y);
    step.ellipse_boxes = params.text("rotate_method") == "ellipse";
    return {step};
}

}  // namespace

void register_safe_rotate(Registry& r) {
    TransformDecl d;
    d.name = "SafeRotate";
    d.kind = TransformKind::Geometric;
    d.params = {range_param("angle_range", Json::array({-90, 90})).in("degrees"),
                interpolation_param("interpolation", kLinear),
                border_mode_param(kBorderConstant),
                choice_param("rotate_method", "largest_box", rotate_methods()),
                interpolation_param("mask_interpolation", kNearest),
                fill_param("fill", 0),
                fill_param("fill_mask", nullptr),
                probability_param(0.5)};
    d.steps = safe_rotate;
    r.add(std::move(d));
}

}  // namespace instaug
