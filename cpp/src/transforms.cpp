#include "instaug/transforms.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include <opencv2/imgproc.hpp>

namespace instaug {
namespace {

using Steps = std::vector<GeometricStep>;
using Sampler = std::function<Steps(const TransformSpec&, Random&, int, int)>;

cv::Scalar scalar_from(const std::vector<double>& v) {
    cv::Scalar s = cv::Scalar::all(v.empty() ? 0.0 : v[0]);
    if (v.size() > 1)
        for (std::size_t i = 0; i < 4; ++i) s[static_cast<int>(i)] = i < v.size() ? v[i] : 0.0;
    return s;
}

PixelOptions pixel_options(const TransformSpec& spec) {
    PixelOptions o;
    o.interpolation = static_cast<int>(spec.number_or("interpolation", kLinear));
    o.mask_interpolation = static_cast<int>(spec.number_or("mask_interpolation", kNearest));
    o.border_mode = static_cast<int>(spec.number_or("border_mode", kBorderConstant));
    if (spec.vectors.count("fill")) o.fill = scalar_from(spec.vector("fill"));
    if (spec.vectors.count("fill_mask")) o.fill_mask = scalar_from(spec.vector("fill_mask"));
    return o;
}

// area_for_downscale: 1 = "image" (INTER_AREA for the image when shrinking), 2 = "image_mask" (masks too).
PixelOptions resize_options(const TransformSpec& spec, int width, int height, int out_width, int out_height) {
    PixelOptions o = pixel_options(spec);
    const int area = static_cast<int>(spec.number_or("area_for_downscale", 0));
    if (area > 0 && (out_width < width || out_height < height)) {
        o.interpolation = kArea;
        if (area == 2) o.mask_interpolation = kArea;
    }
    return o;
}

int python_round(double v) { return static_cast<int>(std::nearbyint(v)); }  // half to even, as round()

struct Padding { int top = 0, bottom = 0, left = 0, right = 0; bool any() const { return top || bottom || left || right; } };

// The reference's get_padding_params + adjust_padding_by_position.
Padding padding_for(int height, int width, int min_height, int min_width, int height_divisor, int width_divisor) {
    auto split = [](int size, int min_size, int divisor, int& before, int& after) {
        int target = min_size > 0 ? std::max(size, min_size) : size;
        if (divisor > 0) target += ((-target % divisor) + divisor) % divisor;
        const int total = target - size;
        before = total / 2;
        after = total - before;
    };
    Padding p;
    split(height, min_height, height_divisor, p.top, p.bottom);
    split(width, min_width, width_divisor, p.left, p.right);
    return p;
}

Padding position_padding(Padding p, const std::string& position, Random& rng) {
    const int h = p.top + p.bottom, w = p.left + p.right;
    if (position == "center") return p;
    if (position == "top_left") return {0, h, 0, w};
    if (position == "top_right") return {0, h, w, 0};
    if (position == "bottom_left") return {h, 0, 0, w};
    if (position == "bottom_right") return {h, 0, w, 0};
    if (position == "random") {
        Padding r;
        r.top = static_cast<int>(rng.randint(0, h));
        r.bottom = h - r.top;
        r.left = static_cast<int>(rng.randint(0, w));
        r.right = w - r.left;
        return r;
    }
    throw std::invalid_argument("unknown position '" + position + "'");
}

[[noreturn]] void crop_too_large(const std::string& name, int crop_h, int crop_w, int height, int width) {
    std::ostringstream msg;
    msg << name << ": crop size (height, width)=(" << crop_h << ", " << crop_w
        << ") exceeds the image size (" << height << ", " << width << "); set pad_if_needed=True to pad";
    throw std::invalid_argument(msg.str());
}

// Shared by RandomCrop and CenterCrop: optional padding, then a crop window chosen by `origin`.
Steps padded_crop(const TransformSpec& spec, Random& rng, int width, int height,
                  const std::function<cv::Point(int, int, int, int)>& origin) {
    const int crop_h = static_cast<int>(spec.number("height"));
    const int crop_w = static_cast<int>(spec.number("width"));
    const bool pad_if_needed = spec.number_or("pad_if_needed", 0) != 0;
    if (!pad_if_needed && (crop_h > height || crop_w > width)) crop_too_large(spec.name, crop_h, crop_w, height, width);
    Steps steps;
    if (pad_if_needed) {
        Padding pad = padding_for(height, width, crop_h, crop_w, 0, 0);
        if (pad.any()) {
            pad = position_padding(pad, spec.string_or("pad_position", "center"), rng);
            steps.push_back(make_pad_step(width, height, pad.top, pad.bottom, pad.left, pad.right, pixel_options(spec)));
            width += pad.left + pad.right;
            height += pad.top + pad.bottom;
        }
    }
    const cv::Point o = origin(width, height, crop_w, crop_h);
    steps.push_back(make_crop_step(width, height, o.x, o.y, crop_w, crop_h));
    return steps;
}

Steps random_crop(const TransformSpec& spec, Random& rng, int width, int height) {
    return padded_crop(spec, rng, width, height, [&](int w, int h, int cw, int ch) {
        const double h_start = rng.uniform01();
        const double w_start = rng.uniform01();
        cw = std::min(cw, w);
        ch = std::min(ch, h);
        return cv::Point(static_cast<int>((w - cw + 1) * w_start), static_cast<int>((h - ch + 1) * h_start));
    });
}

Steps center_crop(const TransformSpec& spec, Random& rng, int width, int height) {
    return padded_crop(spec, rng, width, height,
                       [](int w, int h, int cw, int ch) { return cv::Point((w - cw) / 2, (h - ch) / 2); });
}

Steps fixed_crop(const TransformSpec& spec, Random& rng, int width, int height) {
    const int x_min = static_cast<int>(spec.number("x_min")), y_min = static_cast<int>(spec.number("y_min"));
    const int x_max = static_cast<int>(spec.number("x_max")), y_max = static_cast<int>(spec.number("y_max"));
    const bool pad_if_needed = spec.number_or("pad_if_needed", 0) != 0;
    Steps steps;
    if (x_max > width || y_max > height) {
        if (!pad_if_needed) {
            std::ostringstream msg;
            msg << "Crop: x_max=" << x_max << ", y_max=" << y_max << " lie outside the image of size (height, width)=("
                << height << ", " << width << "); set pad_if_needed=True to pad";
            throw std::invalid_argument(msg.str());
        }
        // As the reference: the needed padding, spread by pad_position, never less than needed.
        const int need_bottom = std::max(0, y_max - height), need_right = std::max(0, x_max - width);
        Padding spread{need_bottom / 2, need_bottom - need_bottom / 2, need_right / 2, need_right - need_right / 2};
        Padding pad = position_padding(spread, spec.string_or("pad_position", "center"), rng);
        pad.bottom = std::max(pad.bottom, need_bottom);
        pad.right = std::max(pad.right, need_right);
        steps.push_back(make_pad_step(width, height, pad.top, pad.bottom, pad.left, pad.right, pixel_options(spec)));
        width += pad.left + pad.right;
        height += pad.top + pad.bottom;
    }
    steps.push_back(make_crop_step(width, height, x_min, y_min, x_max - x_min, y_max - y_min));
    return steps;
}

Steps random_resized_crop(const TransformSpec& spec, Random& rng, int width, int height) {
    const auto& size = spec.vector("size");
    const auto& scale = spec.vector("scale");
    const auto& ratio = spec.vector("ratio");
    const double area = static_cast<double>(width) * height;
    int crop_w = 0, crop_h = 0, x0 = 0, y0 = 0;
    bool found = false;
    // torchvision's sampler: ten tries of (area, log-uniform aspect), then a centred fallback.
    for (int attempt = 0; attempt < 10 && !found; ++attempt) {
        const double target_area = area * rng.uniform(scale[0], scale[1]);
        const double aspect = std::exp(rng.uniform(std::log(ratio[0]), std::log(ratio[1])));
        const int w = python_round(std::sqrt(target_area * aspect));
        const int h = python_round(std::sqrt(target_area / aspect));
        if (w > 0 && h > 0 && w <= width && h <= height) {
            crop_w = w;
            crop_h = h;
            y0 = static_cast<int>((height - h + 1) * rng.uniform01());
            x0 = static_cast<int>((width - w + 1) * rng.uniform01());
            found = true;
        }
    }
    if (!found) {
        const double in_ratio = static_cast<double>(width) / height;
        if (in_ratio < ratio[0]) {
            crop_w = width;
            crop_h = std::min(height, std::max(1, python_round(width / ratio[0])));
        } else if (in_ratio > ratio[1]) {
            crop_h = height;
            crop_w = std::min(width, std::max(1, python_round(height * ratio[1])));
        } else {
            crop_w = width;
            crop_h = height;
        }
        x0 = (width - crop_w) / 2;
        y0 = (height - crop_h) / 2;
    }
    Steps steps{make_crop_step(width, height, x0, y0, crop_w, crop_h)};
    const int out_w = static_cast<int>(size[1]), out_h = static_cast<int>(size[0]);
    steps.push_back(make_resize_step(crop_w, crop_h, out_w, out_h, resize_options(spec, crop_w, crop_h, out_w, out_h)));
    return steps;
}

Steps resize(const TransformSpec& spec, Random&, int width, int height) {
    const int out_w = static_cast<int>(spec.number("width")), out_h = static_cast<int>(spec.number("height"));
    return {make_resize_step(width, height, out_w, out_h, resize_options(spec, width, height, out_w, out_h))};
}

// LongestMaxSize / SmallestMaxSize: `longest` picks the limiting side.
Steps max_size(const TransformSpec& spec, Random& rng, int width, int height, bool longest) {
    double scale;
    if (spec.vectors.count("max_size")) {
        const auto& choices = spec.vector("max_size");
        const double target = choices.size() == 1 ? choices[0] : choices[rng.randint(0, choices.size() - 1)];
        scale = target / (longest ? std::max(width, height) : std::min(width, height));
    } else {
        const auto& hw = spec.vector("max_size_hw");  // NaN marks "None"
        const bool has_h = !std::isnan(hw[0]), has_w = !std::isnan(hw[1]);
        if (has_h && has_w) {
            const double hs = hw[0] / height, ws = hw[1] / width;
            scale = longest ? std::min(hs, ws) : std::max(hs, ws);
        } else if (has_h) {
            scale = hw[0] / height;
        } else {
            scale = hw[1] / width;
        }
    }
    check_canvas_size(spec.name, width, height, std::max(1.0, std::nearbyint(width * scale)),
                      std::max(1.0, std::nearbyint(height * scale)));
    const int out_h = std::max(1, python_round(height * scale));
    const int out_w = std::max(1, python_round(width * scale));
    return {make_resize_step(width, height, out_w, out_h, resize_options(spec, width, height, out_w, out_h))};
}

Steps pad_if_needed(const TransformSpec& spec, Random& rng, int width, int height) {
    const int min_h = static_cast<int>(spec.number_or("min_height", -1));
    const int min_w = static_cast<int>(spec.number_or("min_width", -1));
    const int div_h = static_cast<int>(spec.number_or("pad_height_divisor", -1));
    const int div_w = static_cast<int>(spec.number_or("pad_width_divisor", -1));
    Padding pad = padding_for(height, width, min_h, min_w, div_h, div_w);
    pad = position_padding(pad, spec.string_or("position", "center"), rng);
    if (!pad.any()) return {};
    return {make_pad_step(width, height, pad.top, pad.bottom, pad.left, pad.right, pixel_options(spec))};
}

// The reference's create_affine_transformation_matrix, in pixel-centre coordinates.
cv::Matx33d affine_matrix(double tx, double ty, double shear_x_deg, double shear_y_deg, double sx, double sy,
                          double rotate_deg, double cx, double cy) {
    const double r = std::fmod(std::fmod(rotate_deg, 360.0) + 360.0, 360.0) * M_PI / 180.0;
    const cv::Matx33d shift_topleft(1, 0, -cx, 0, 1, -cy, 0, 0, 1);
    const cv::Matx33d m_scale(sx, 0, 0, 0, sy, 0, 0, 0, 1);
    const cv::Matx33d m_rotate(std::cos(r), std::sin(r), 0, -std::sin(r), std::cos(r), 0, 0, 0, 1);
    const cv::Matx33d m_shear(1, std::tan(shear_x_deg * M_PI / 180.0), 0, std::tan(shear_y_deg * M_PI / 180.0), 1, 0,
                              0, 0, 1);
    const cv::Matx33d m_translate(1, 0, tx, 0, 1, ty, 0, 0, 1);
    const cv::Matx33d shift_center(1, 0, cx, 0, 1, cy, 0, 0, 1);
    cv::Matx33d m = shift_center * m_translate * m_shear * m_rotate * m_scale * shift_topleft;
    m(2, 0) = 0; m(2, 1) = 0; m(2, 2) = 1;
    return m;
}

// fit_output: move the warped corners to the origin and grow the canvas to hold them.
void fit_affine_output(const std::string& transform, cv::Matx33d& m, int width, int height, int& out_w, int& out_h) {
    double x_min = 1e300, y_min = 1e300, x_max = -1e300, y_max = -1e300;
    const double xs[2] = {0.0, static_cast<double>(width)}, ys[2] = {0.0, static_cast<double>(height)};
    for (double x : xs)
        for (double y : ys) {
            const cv::Point2d p = map_point(m, x, y);
            x_min = std::min(x_min, p.x); x_max = std::max(x_max, p.x);
            y_min = std::min(y_min, p.y); y_max = std::max(y_max, p.y);
        }
    const double minc = std::floor(x_min), minr = std::floor(y_min);
    check_canvas_size(transform, width, height, std::ceil(x_max) - minc + 1, std::ceil(y_max) - minr + 1);
    out_w = static_cast<int>(std::ceil(x_max) - minc + 1);
    out_h = static_cast<int>(std::ceil(y_max) - minr + 1);
    m = cv::Matx33d(1, 0, -minc, 0, 1, -minr, 0, 0, 1) * m;
}

double sample_scale(const std::vector<double>& range, bool balanced, Random& rng) {
    if (!balanced) return rng.uniform(range[0], range[1]);
    const bool has_lower = range[0] < 1, has_upper = range[1] > 1;
    if (has_lower && has_upper)
        return rng.chance(0.5) ? rng.uniform(range[0], std::min(range[1], 1.0))
                               : rng.uniform(std::max(range[0], 1.0), range[1]);
    if (has_lower) return rng.uniform(range[0], std::min(range[1], 1.0));
    if (has_upper) return rng.uniform(std::max(range[0], 1.0), range[1]);
    return 1.0;
}

Steps affine(const TransformSpec& spec, Random& rng, int width, int height) {
    // Sampling order as the reference: translate, shear, scale, rotate.
    double tx = 0, ty = 0;
    const std::string translate = spec.string_or("translate_mode", "none");
    if (translate == "px") {
        tx = static_cast<double>(rng.randint(static_cast<int64_t>(spec.vector("translate_x")[0]),
                                             static_cast<int64_t>(spec.vector("translate_x")[1])));
        ty = static_cast<double>(rng.randint(static_cast<int64_t>(spec.vector("translate_y")[0]),
                                             static_cast<int64_t>(spec.vector("translate_y")[1])));
    } else if (translate == "percent") {
        const double fx = rng.uniform(spec.vector("translate_x")[0], spec.vector("translate_x")[1]);
        const double fy = rng.uniform(spec.vector("translate_y")[0], spec.vector("translate_y")[1]);
        tx = static_cast<double>(static_cast<int64_t>(fx * width));
        ty = static_cast<double>(static_cast<int64_t>(fy * height));
    }
    const double shear_x = -rng.uniform(spec.vector("shear_x")[0], spec.vector("shear_x")[1]);
    const double shear_y = -rng.uniform(spec.vector("shear_y")[0], spec.vector("shear_y")[1]);
    const bool balanced = spec.number_or("balanced_scale", 0) != 0;
    const double sx = sample_scale(spec.vector("scale_x"), balanced, rng);
    double sy = spec.number_or("keep_ratio", 1) != 0 ? sx : sample_scale(spec.vector("scale_y"), balanced, rng);
    const double rotate = rng.uniform(spec.vector("rotate")[0], spec.vector("rotate")[1]);

    cv::Matx33d m = affine_matrix(tx, ty, shear_x, shear_y, sx, sy, rotate, width / 2.0 - 0.5, height / 2.0 - 0.5);
    int out_w = width, out_h = height;
    if (spec.number_or("fit_output", 0) != 0) fit_affine_output(spec.name, m, width, height, out_w, out_h);
    GeometricStep step = make_warp_step(width, height, out_w, out_h, m, false, pixel_options(spec));
    step.angle_rule = AngleRule::Add;
    step.angle_delta = std::atan2(-m(1, 0), m(0, 0));
    step.keypoint_scale = std::max(sx, sy);
    step.ellipse_boxes = spec.string_or("rotate_method", "largest_box") == "ellipse";
    return {step};
}

Steps rotate(const TransformSpec& spec, Random& rng, int width, int height) {
    const double angle = rng.uniform(spec.vector("angle_range")[0], spec.vector("angle_range")[1]);
    const cv::Matx33d m = affine_matrix(0, 0, 0, 0, 1, 1, angle, width / 2.0 - 0.5, height / 2.0 - 0.5);
    GeometricStep step = make_warp_step(width, height, width, height, m, false, pixel_options(spec));
    step.angle_rule = AngleRule::Add;
    step.angle_delta = std::atan2(-m(1, 0), m(0, 0));
    step.ellipse_boxes = spec.string_or("rotate_method", "largest_box") == "ellipse";
    Steps steps{step};
    if (spec.number_or("crop_border", 0) != 0) {
        // The reference's largest axis-aligned rectangle inside the rotated image.
        const double a = angle * M_PI / 180.0;
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
        if (x_max > x_min && y_max > y_min)
            steps.push_back(make_crop_step(width, height, x_min, y_min, x_max - x_min, y_max - y_min));
    }
    return steps;
}

Steps perspective(const TransformSpec& spec, Random& rng, int width, int height) {
    const double scale = rng.uniform(spec.vector("scale")[0], spec.vector("scale")[1]);
    double pts[4][2];
    for (auto& p : pts)
        for (double& c : p) c = std::fmod(std::abs(rng.normal(0.0, scale)), 0.32);
    pts[1][0] = 1.0 - pts[1][0];
    pts[2][0] = 1.0 - pts[2][0];
    pts[2][1] = 1.0 - pts[2][1];
    pts[3][1] = 1.0 - pts[3][1];
    std::vector<cv::Point2f> points;
    for (auto& p : pts) points.emplace_back(static_cast<float>(p[0] * width), static_cast<float>(p[1] * height));
    // order_points: top-left, top-right, bottom-right, bottom-left.
    std::sort(points.begin(), points.end(), [](const cv::Point2f& a, const cv::Point2f& b) { return a.x < b.x; });
    cv::Point2f tl, bl, tr, br;
    if (points[0].y < points[1].y) { tl = points[0]; bl = points[1]; } else { bl = points[0]; tl = points[1]; }
    if (points[2].y < points[3].y) { tr = points[2]; br = points[3]; } else { br = points[2]; tr = points[3]; }
    auto side = [](const cv::Point2f& a, const cv::Point2f& b) {
        return std::max(2.0, std::sqrt(static_cast<double>((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y))));
    };
    // Whole pixels (the reference truncates), kept in double until the canvas size is checked.
    double max_width = std::floor(std::max(side(tr, tl), side(br, bl)));
    double max_height = std::floor(std::max(side(br, tr), side(bl, tl)));
    const cv::Point2f src[4] = {tl, tr, br, bl};
    const cv::Point2f dst[4] = {{0.f, 0.f}, {static_cast<float>(width), 0.f},
                                {static_cast<float>(width), static_cast<float>(height)},
                                {0.f, static_cast<float>(height)}};
    cv::Matx33d m(cv::getPerspectiveTransform(src, dst));
    if (spec.number_or("fit_output", 0) != 0) {
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
        max_width = std::floor(max_x);
        max_height = std::floor(max_y);
    }
    const bool keep_size = spec.number_or("keep_size", 1) != 0;
    double kp_scale = std::max(std::copysign(std::hypot(m(0, 0), m(0, 1)), m(0, 0)),
                               std::copysign(std::hypot(m(1, 0), m(1, 1)), m(1, 1)));
    const double angle = std::atan2(m(1, 0), m(0, 0));
    int out_w = width, out_h = height;
    if (keep_size) {
        const double fx = width / max_width, fy = height / max_height;
        m = cv::Matx33d(fx, 0, 0, 0, fy, 0, 0, 0, 1) * m;
        kp_scale *= std::max(fx, fy);
    } else {
        check_canvas_size(spec.name, width, height, max_width, max_height);
        out_w = static_cast<int>(max_width);
        out_h = static_cast<int>(max_height);
    }
    GeometricStep step = make_warp_step(width, height, out_w, out_h, m, true, pixel_options(spec));
    step.angle_rule = AngleRule::Add;
    step.angle_delta = angle;
    step.keypoint_scale = kp_scale;
    return {step};
}

const std::unordered_map<std::string, Sampler>& samplers() {
    static const std::unordered_map<std::string, Sampler> table = {
        {"HorizontalFlip", [](const TransformSpec&, Random&, int w, int h) { return Steps{make_flip_step(w, h, true)}; }},
        {"VerticalFlip", [](const TransformSpec&, Random&, int w, int h) { return Steps{make_flip_step(w, h, false)}; }},
        {"RandomCrop", random_crop},
        {"CenterCrop", center_crop},
        {"Crop", fixed_crop},
        {"RandomResizedCrop", random_resized_crop},
        {"Resize", resize},
        {"LongestMaxSize", [](const TransformSpec& s, Random& r, int w, int h) { return max_size(s, r, w, h, true); }},
        {"SmallestMaxSize", [](const TransformSpec& s, Random& r, int w, int h) { return max_size(s, r, w, h, false); }},
        {"PadIfNeeded", pad_if_needed},
        {"Affine", affine},
        {"Rotate", rotate},
        {"Perspective", perspective},
    };
    return table;
}

}  // namespace

bool is_known_transform(const std::string& name) { return samplers().count(name) != 0; }

std::vector<GeometricStep> sample_transform_steps(const TransformSpec& spec, Random& rng, int width, int height) {
    auto it = samplers().find(spec.name);
    if (it == samplers().end()) throw std::invalid_argument("unknown transform '" + spec.name + "'");
    return it->second(spec, rng, width, height);
}

}  // namespace instaug
