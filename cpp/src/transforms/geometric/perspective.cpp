// Perspective: a random four-point perspective warp.
#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// Each corner moves by |N(0, scale)| (mod 0.32) of the image size, as the reference; returns them
// ordered top-left, top-right, bottom-right, bottom-left (its order_points).
std::array<cv::Point2f, 4> sample_corners(double scale, Random& rng, int width, int height) {
    double pts[4][2];
    for (auto& p : pts)
        for (double& c : p) c = std::fmod(std::abs(rng.normal(0.0, scale)), 0.32);
    pts[1][0] = 1.0 - pts[1][0];
    pts[2][0] = 1.0 - pts[2][0];
    pts[2][1] = 1.0 - pts[2][1];
    pts[3][1] = 1.0 - pts[3][1];
    std::vector<cv::Point2f> points;
    for (auto& p : pts) points.emplace_back(static_cast<float>(p[0] * width), static_cast<float>(p[1] * height));
    std::sort(points.begin(), points.end(), [](const cv::Point2f& a, const cv::Point2f& b) { return a.x < b.x; });
    cv::Point2f tl, bl, tr, br;
    if (points[0].y < points[1].y) { tl = points[0]; bl = points[1]; } else { bl = points[0]; tl = points[1]; }
    if (points[2].y < points[3].y) { tr = points[2]; br = points[3]; } else { br = points[2]; tr = points[3]; }
    return {tl, tr, br, bl};
}

// fit_output: the warped image moved to the origin; returns its whole-pixel size.
cv::Size2d fit_perspective_output(cv::Matx33d& m, const cv::Point2f (&dst)[4]) {
    std::vector<cv::Point2f> rect(dst, dst + 4), moved;
    cv::perspectiveTransform(rect, moved, cv::Mat(m));
    float min_x = 1e30f, min_y = 1e30f;
    for (auto& p : moved) { min_x = std::min(min_x, p.x); min_y = std::min(min_y, p.y); }
    float max_x = 0, max_y = 0;
    for (auto& p : moved) {
        p.x = std::round(p.x - min_x);
        p.y = std::round(p.y - min_y);
        max_x = std::max(max_x, p.x);
        max_y = std::max(max_y, p.y);
    }
    m = cv::Matx33d(cv::getPerspectiveTransform(rect.data(), moved.data()));
    return {std::floor(max_x), std::floor(max_y)};
}

std::vector<GeometricStep> perspective(const Params& params, Random& rng, int width, int height) {
    const auto range = params.range("scale");
    const double scale = rng.uniform(range[0], range[1]);
    rng.note("scale", scale);
    const auto corners = sample_corners(scale, rng, width, height);
    const auto& [tl, tr, br, bl] = corners;
    auto side = [](const cv::Point2f& a, const cv::Point2f& b) {
        return std::max(2.0, std::sqrt(static_cast<double>((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y))));
    };
    // Whole pixels (the reference truncates), kept in double until the canvas size is checked.
    double max_width = std::floor(std::max(side(tr, tl), side(br, bl)));
    double max_height = std::floor(std::max(side(br, tr), side(bl, tl)));
    const cv::Point2f dst[4] = {{0.f, 0.f}, {static_cast<float>(width), 0.f},
                                {static_cast<float>(width), static_cast<float>(height)},
                                {0.f, static_cast<float>(height)}};
    cv::Matx33d m(cv::getPerspectiveTransform(corners.data(), dst));
    if (params.flag("fit_output")) {
        const cv::Size2d size = fit_perspective_output(m, dst);
        max_width = size.width;
        max_height = size.height;
    }
    double kp_scale = std::max(std::copysign(std::hypot(m(0, 0), m(0, 1)), m(0, 0)),
                               std::copysign(std::hypot(m(1, 0), m(1, 1)), m(1, 1)));
    const double angle = std::atan2(m(1, 0), m(0, 0));
    int out_w = width, out_h = height;
    if (params.flag("keep_size")) {
        const double fx = width / max_width, fy = height / max_height;
        m = cv::Matx33d(fx, 0, 0, 0, fy, 0, 0, 0, 1) * m;
        kp_scale *= std::max(fx, fy);
    } else {
        check_canvas_size("Perspective", width, height, max_width, max_height);
        out_w = static_cast<int>(max_width);
        out_h = static_cast<int>(max_height);
    }
    GeometricStep step = make_warp_step(width, height, out_w, out_h, m, true, pixel_options(params));
    step.angle_rule = AngleRule::Add;
    step.angle_delta = angle;
    step.keypoint_scale = kp_scale;
    return {step};
}

}  // namespace

void register_perspective(Registry& r) {
    TransformDecl d;
    d.name = "Perspective";
    d.kind = TransformKind::Geometric;
    d.params = {range_param("scale", Json::array({0.05, 0.1})).between(0.0, std::nullopt),
                flag_param("keep_size", true),
                flag_param("fit_output", false),
                interpolation_param("interpolation", kLinear),
                interpolation_param("mask_interpolation", kNearest),
                border_mode_param(kBorderConstant),
                fill_param("fill", 0),
                fill_param("fill_mask", 0),
                probability_param(0.5)};
    d.steps = perspective;
    r.add(std::move(d));
}

}  // namespace instaug
