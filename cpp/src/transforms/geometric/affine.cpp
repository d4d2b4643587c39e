// Affine: scale, translate, rotate and shear about the image centre, in one warp.
#include <cmath>
#include <stdexcept>

#include "core/math_constants.hpp"
#include "transforms/geometric/affine.hpp"
#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {

cv::Matx33d affine_matrix(double tx, double ty, double shear_x_deg, double shear_y_deg, double sx, double sy,
                          double rotate_deg, double cx, double cy) {
    const double r = std::fmod(std::fmod(rotate_deg, 360.0) + 360.0, 360.0) * kPi / 180.0;
    const cv::Matx33d shift_topleft(1, 0, -cx, 0, 1, -cy, 0, 0, 1);
    const cv::Matx33d m_scale(sx, 0, 0, 0, sy, 0, 0, 0, 1);
    const cv::Matx33d m_rotate(std::cos(r), std::sin(r), 0, -std::sin(r), std::cos(r), 0, 0, 0, 1);
    const cv::Matx33d m_shear(1, std::tan(shear_x_deg * kPi / 180.0), 0, std::tan(shear_y_deg * kPi / 180.0), 1, 0,
                              0, 0, 1);
    const cv::Matx33d m_translate(1, 0, tx, 0, 1, ty, 0, 0, 1);
    const cv::Matx33d shift_center(1, 0, cx, 0, 1, cy, 0, 0, 1);
    cv::Matx33d m = shift_center * m_translate * m_shear * m_rotate * m_scale * shift_topleft;
    m(2, 0) = 0; m(2, 1) = 0; m(2, 2) = 1;
    return m;
}

namespace {

// fit_output: move the warped corners to the origin and grow the canvas to hold them.
void fit_affine_output(cv::Matx33d& m, int width, int height, int& out_w, int& out_h) {
    double x_min = 1e300, y_min = 1e300, x_max = -1e300, y_max = -1e300;
    const double xs[2] = {0.0, static_cast<double>(width)}, ys[2] = {0.0, static_cast<double>(height)};
    for (double x : xs)
        for (double y : ys) {
            const cv::Point2d p = map_point(m, x, y);
            x_min = std::min(x_min, p.x); x_max = std::max(x_max, p.x);
            y_min = std::min(y_min, p.y); y_max = std::max(y_max, p.y);
        }
    const double minc = std::floor(x_min), minr = std::floor(y_min);
    check_canvas_size("Affine", width, height, std::ceil(x_max) - minc + 1, std::ceil(y_max) - minr + 1);
    out_w = static_cast<int>(std::ceil(x_max) - minc + 1);
    out_h = static_cast<int>(std::ceil(y_max) - minr + 1);
    m = cv::Matx33d(1, 0, -minc, 0, 1, -minr, 0, 0, 1) * m;
}

double sample_scale(const std::array<double, 2>& range, bool balanced, Random& rng) {
    if (!balanced) return rng.uniform(range[0], range[1]);
    const bool has_lower = range[0] < 1, has_upper = range[1] > 1;
    if (has_lower && has_upper)
        return rng.chance(0.5) ? rng.uniform(range[0], std::min(range[1], 1.0))
                               : rng.uniform(std::max(range[0], 1.0), range[1]);
    if (has_lower) return rng.uniform(range[0], std::min(range[1], 1.0));
    if (has_upper) return rng.uniform(std::max(range[0], 1.0), range[1]);
    return 1.0;
}

void sample_translation(const Params& params, Random& rng, int width, int height, double& tx, double& ty) {
    tx = ty = 0;
    if (!params.is_none("translate_px")) {
        const auto x = params.axis_range("translate_px", "x"), y = params.axis_range("translate_px", "y");
        tx = static_cast<double>(rng.randint(static_cast<int64_t>(x[0]), static_cast<int64_t>(x[1])));
        ty = static_cast<double>(rng.randint(static_cast<int64_t>(y[0]), static_cast<int64_t>(y[1])));
        rng.note("translate_px", {{"x", static_cast<int64_t>(tx)}, {"y", static_cast<int64_t>(ty)}});
    } else if (!params.is_none("translate_percent")) {
        const auto x = params.axis_range("translate_percent", "x"), y = params.axis_range("translate_percent", "y");
        const double fx = rng.uniform(x[0], x[1]), fy = rng.uniform(y[0], y[1]);
        rng.note("translate_percent", {{"x", fx}, {"y", fy}});
        tx = static_cast<double>(static_cast<int64_t>(fx * width));
        ty = static_cast<double>(static_cast<int64_t>(fy * height));
    }
}

}  // namespace

std::vector<GeometricStep> affine_steps(const Params& params, Random& rng, int width, int height) {
    // Sampling order as the reference: translate, shear, scale, rotate.
    double tx, ty;
    sample_translation(params, rng, width, height, tx, ty);
    const auto shear_x_range = params.axis_range("shear", "x"), shear_y_range = params.axis_range("shear", "y");
    const double shear_x = -rng.uniform(shear_x_range[0], shear_x_range[1]);
    const double shear_y = -rng.uniform(shear_y_range[0], shear_y_range[1]);
    const bool balanced = params.flag("balanced_scale");
    const double sx = sample_scale(params.axis_range("scale", "x"), balanced, rng);
    const double sy = params.flag("keep_ratio") ? sx : sample_scale(params.axis_range("scale", "y"), balanced, rng);
    const auto rotate = params.range("rotate");
    const double angle = rng.uniform(rotate[0], rotate[1]);
    // As drawn, before the sign the matrix takes: the values that, as one-value ranges, redo it.
    rng.note("shear", {{"x", -shear_x}, {"y", -shear_y}});
    rng.note("scale", {{"x", sx}, {"y", sy}});
    rng.note("rotate", angle);

    cv::Matx33d m = affine_matrix(tx, ty, shear_x, shear_y, sx, sy, angle, width / 2.0 - 0.5, height / 2.0 - 0.5);
    int out_w = width, out_h = height;
    if (params.flag("fit_output")) fit_affine_output(m, width, height, out_w, out_h);
    GeometricStep step = make_warp_step(width, height, out_w, out_h, m, false, pixel_options(params));
    step.angle_rule = AngleRule::Add;
    step.angle_delta = std::atan2(-m(1, 0), m(0, 0));
    step.keypoint_scale = std::max(sx, sy);
    step.ellipse_boxes = params.text("rotate_method") == "ellipse";
    return {step};
}

void register_affine(Registry& r) {
    TransformDecl d;
    d.name = "Affine";
    d.kind = TransformKind::Geometric;
    d.params = {axis_range_param("scale", Json::array({1.0, 1.0})).between(1e-6, std::nullopt),
                axis_range_param("translate_percent", nullptr).in("fraction of the side"),
                axis_range_param("translate_px", nullptr).whole().in("pixels"),
                range_param("rotate", Json::array({0.0, 0.0})).in("degrees"),
                axis_range_param("shear", Json::array({0.0, 0.0})).between(-89.0, 89.0).in("degrees"),
                interpolation_param("interpolation", kLinear),
                interpolation_param("mask_interpolation", kNearest),
                flag_param("fit_output", false),
                flag_param("keep_ratio", true),
                choice_param("rotate_method", "largest_box", rotate_methods()),
                flag_param("balanced_scale", false),
                border_mode_param(kBorderConstant),
                fill_param("fill", 0),
                fill_param("fill_mask", nullptr),
                probability_param(0.5)};
    d.check = [](const std::string& owner, const Params& p) {
        if (p.flag("keep_ratio") && p.at("scale")["x"] != p.at("scale")["y"])
            throw std::invalid_argument(owner + ": with keep_ratio=True the x and y ranges of scale must be equal, got " +
                                        python_repr(p.at("scale")));
        if (!p.is_none("translate_percent") && !p.is_none("translate_px"))
            throw std::invalid_argument(owner + ": set at most one of translate_percent and translate_px");
    };
    d.steps = affine_steps;
    r.add(std::move(d));
}

}  // namespace instaug
