#include "core/geometric_step.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "core/math_constants.hpp"
#include "kernels/image_ops.hpp"
#include "kernels/mask_tile_ops.hpp"
#include "core/parallel_for.hpp"
#include "core/cell_shuffle.hpp"
#include "core/remap_field.hpp"
#include "core/sample.hpp"
#include "kernels/warp_bilinear.hpp"

namespace instaug {

cv::Matx33d on_pixel_edges(const cv::Matx33d& centre) {
    const cv::Matx33d to_centre(1, 0, -0.5, 0, 1, -0.5, 0, 0, 1);
    const cv::Matx33d to_edge(1, 0, 0.5, 0, 1, 0.5, 0, 0, 1);
    return to_edge * centre * to_centre;
}

cv::Matx33d GeometricStep::edge_matrix() const { return on_pixel_edges(matrix); }

bool GeometricStep::integer_shift(int& dx, int& dy) const {
    if (kind != StepKind::Warp || perspective) return false;
    const cv::Matx33d& m = matrix;
    if (m(0, 0) != 1 || m(1, 1) != 1 || m(0, 1) != 0 || m(1, 0) != 0) return false;
    const double rx = std::nearbyint(m(0, 2)), ry = std::nearbyint(m(1, 2));
    if (std::abs(m(0, 2) - rx) > 1e-9 || std::abs(m(1, 2) - ry) > 1e-9) return false;
    dx = static_cast<int>(rx);
    dy = static_cast<int>(ry);
    return true;
}

namespace {

GeometricStep base_step(StepKind kind, int width, int height, int out_width, int out_height) {
    GeometricStep s;
    s.kind = kind;
    s.in_width = width;
    s.in_height = height;
    s.out_width = out_width;
    s.out_height = out_height;
    return s;
}

double wrap_angle(double a) {
    const double two_pi = 2.0 * kPi;
    a = std::fmod(a, two_pi);
    if (a < 0) a += two_pi;
    return a;
}

void transform_keypoints(double* kp, int64_t count, const GeometricStep& step) {
    if (step.cells) {  // whole cells move: angles and scales stay
        for (int64_t i = 0; i < count; ++i, kp += kKeypointColumns) shuffle_point(*step.cells, kp[0], kp[1]);
        return;
    }
    if (step.field) {  // angles and scales stay, as the reference's distortions leave them
        for (int64_t i = 0; i < count; ++i, kp += kKeypointColumns) {
            if (step.field->forward) step.field->forward(kp[0], kp[1]);
            else remap_point(*step.field, kp[0], kp[1]);
        }
        return;
    }
    for (int64_t i = 0; i < count; ++i, kp += kKeypointColumns) {
        const cv::Point2d p = map_point(step.matrix, kp[0], kp[1]);
        kp[0] = p.x;
        kp[1] = p.y;
        switch (step.angle_rule) {
            case AngleRule::Keep: break;
            case AngleRule::MirrorX: kp[3] = wrap_angle(kPi - kp[3]); break;
            case AngleRule::Negate: kp[3] = -kp[3]; break;
            case AngleRule::Transpose: kp[3] = wrap_angle(kPi / 2 - kp[3]); break;
            case AngleRule::Add: kp[3] = wrap_angle(kp[3] + step.angle_delta); break;
        }
        kp[4] *= step.keypoint_scale;
    }
}

}  // namespace

std::array<double, 4> transform_box(const std::array<double, 4>& b, const cv::Matx33d& edge, bool ellipse) {
    double x_min = 1e300, y_min = 1e300, x_max = -1e300, y_max = -1e300;
    auto extend = [&](double x, double y) {
        const cv::Point2d p = map_point(edge, x, y);
        x_min = std::min(x_min, p.x); x_max = std::max(x_max, p.x);
        y_min = std::min(y_min, p.y); y_max = std::max(y_max, p.y);
    };
    if (ellipse) {
        // The reference's "ellipse" rotate_method: the box's inscribed ellipse at 360 points.
        const double half_w = (b[2] - b[0]) / 2, half_h = (b[3] - b[1]) / 2;
        const double cx = b[0] + half_w, cy = b[1] + half_h;
        for (int degree = 0; degree < 360; ++degree) {
            const double a = degree * kPi / 180.0;
            extend(half_w * std::sin(a) + cx, half_h * std::cos(a) + cy);
        }
    } else {
        extend(b[0], b[1]); extend(b[2], b[1]); extend(b[2], b[3]); extend(b[0], b[3]);
    }
    return {x_min, y_min, x_max, y_max};
}

void check_canvas_size(const std::string& transform, double in_width, double in_height, double width,
                       double height) {
    if (width >= 1 && height >= 1 && width <= std::max(in_width, kMaxCanvasSide) &&
        height <= std::max(in_height, kMaxCanvasSide) &&
        width * height <= std::max(in_width * in_height, kMaxCanvasPixels))
        return;
    char message[256];
    std::snprintf(message, sizeof message,
                  ": its output would be %.0fx%.0f pixels (width x height); a canvas may grow to at most %.0f "
                  "pixels a side and %.0f in all: lower the parameters that size the output",
                  width, height, kMaxCanvasSide, kMaxCanvasPixels);
    throw std::invalid_argument(transform + message);
}

GeometricStep make_flip_step(int width, int height, bool horizontal) {
    GeometricStep s = base_step(horizontal ? StepKind::HorizontalFlip : StepKind::VerticalFlip, width, height,
                                width, height);
    if (horizontal) {
        s.matrix = cv::Matx33d(-1, 0, width - 1.0, 0, 1, 0, 0, 0, 1);
        s.angle_rule = AngleRule::MirrorX;
    } else {
        s.matrix = cv::Matx33d(1, 0, 0, 0, -1, height - 1.0, 0, 0, 1);
        s.angle_rule = AngleRule::Negate;
    }
    return s;
}

GeometricStep make_transpose_step(int width, int height) {
    GeometricStep s = base_step(StepKind::Transpose, width, height, height, width);
    s.matrix = cv::Matx33d(0, 1, 0, 1, 0, 0, 0, 0, 1);
    s.angle_rule = AngleRule::Transpose;
    return s;
}

GeometricStep make_crop_step(int width, int height, int x0, int y0, int crop_width, int crop_height) {
    GeometricStep s = base_step(StepKind::Crop, width, height, crop_width, crop_height);
    s.offset_x = x0;
    s.offset_y = y0;
    s.matrix = cv::Matx33d(1, 0, -x0, 0, 1, -y0, 0, 0, 1);
    return s;
}

GeometricStep make_pad_step(int width, int height, int top, int bottom, int left, int right,
                            const PixelOptions& pixels) {
    GeometricStep s = base_step(StepKind::Pad, width, height, width + left + right, height + top + bottom);
    s.offset_x = left;
    s.offset_y = top;
    s.matrix = cv::Matx33d(1, 0, left, 0, 1, top, 0, 0, 1);
    s.pixels = pixels;
    return s;
}

GeometricStep make_resize_step(int width, int height, int out_width, int out_height, const PixelOptions& pixels) {
    GeometricStep s = base_step(StepKind::Resize, width, height, out_width, out_height);
    const double sx = static_cast<double>(out_width) / width;
    const double sy = static_cast<double>(out_height) / height;
    // (x + 0.5) * sx - 0.5: pixel centres scale about the canvas edge.
    s.matrix = cv::Matx33d(sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5, 0, 0, 1);
    s.pixels = pixels;
    s.keypoint_scale = std::max(sx, sy);
    return s;
}

GeometricStep make_warp_step(int width, int height, int out_width, int out_height, const cv::Matx33d& matrix,
                             bool perspective, const PixelOptions& pixels) {
    GeometricStep s = base_step(StepKind::Warp, width, height, out_width, out_height);
    s.matrix = matrix;
    s.perspective = perspective;
    s.pixels = pixels;
    s.drops_boxes_outside = true;
    return s;
}

namespace {

bool fusable_image(const cv::Mat& image) {
    return !image.empty() && image.channels() <= 4 && (image.depth() == CV_8U || image.depth() == CV_32F);
}

}  // namespace

bool image_step_fusable(const GeometricStep& step, const Sample& sample) {
    if (!fusable_image(sample.image)) return false;
    for (const cv::Mat& extra : sample.extra_images)
        if (!fusable_image(extra)) return false;
    switch (step.kind) {
        case StepKind::HorizontalFlip:
        case StepKind::VerticalFlip:
        case StepKind::Transpose:
        case StepKind::Crop:
            return true;
        case StepKind::Warp:
            return step.pixels.interpolation == kLinear && step.pixels.border_mode == kBorderConstant;
        default:
            return false;
    }
}

namespace {

void render_steps(cv::Mat& image, const std::vector<GeometricStep>& steps) {
    const GeometricStep* first_warp = nullptr;
    bool one_fill = true;
    for (const GeometricStep& s : steps) {
        if (s.kind != StepKind::Warp) continue;
        if (!first_warp) first_warp = &s;
        one_fill = one_fill && s.pixels.fill == first_warp->pixels.fill;
    }
    // Flips and crops alone are copies, and a lone step has nothing to fuse with; warps with
    // different fills would need a fill per canvas.
    if (steps.size() == 1 || !first_warp || !one_fill) {
        for (const GeometricStep& s : steps) image = transform_plane(image, s, false);
        return;
    }
    std::vector<WarpStage> stages;
    for (auto s = steps.rbegin(); s != steps.rend(); ++s)
        stages.push_back(WarpStage{s->matrix.inv(), s->perspective, s->in_width, s->in_height});
    cv::Mat out;
    warp_bilinear_chain(image, out, cv::Size(steps.back().out_width, steps.back().out_height), stages,
                        kBorderConstant, first_warp->pixels.fill);
    image = out;
}

}  // namespace

void render_deferred_image(Sample& sample) {
    std::vector<GeometricStep> steps = std::move(sample.deferred_image_steps);
    sample.deferred_image_steps.clear();
    if (steps.empty() || sample.image.empty()) return;
    render_steps(sample.image, steps);
    for (cv::Mat& extra : sample.extra_images) render_steps(extra, steps);
}

void apply_step(Sample& sample, const GeometricStep& step, bool defer_image) {
    if (defer_image && !sample.image.empty()) {
        sample.deferred_image_steps.push_back(step);
    } else if (!sample.image.empty()) {
        sample.image = transform_plane(sample.image, step, false);
        for (cv::Mat& extra : sample.extra_images) extra = transform_plane(extra, step, false);
    }
    for (auto& plane : sample.mask_planes) plane = transform_plane(plane, step, true);

    InstanceTable& rows = sample.rows;
    if (rows.has_masks) {
        const int n = static_cast<int>(rows.masks.size());
        std::vector<MaskTile> moved(n);
        parallel_for_each_row(n, 64, [&](int i) { moved[i] = transform_tile(rows.masks[i], step); });
        rows.masks = std::move(moved);
    }
    if (rows.has_boxes && step.cells) {
        // One row stays one row: its box bounds all its pieces (its mask's when one is bound).
        for (std::size_t i = 0; i < rows.boxes.size(); ++i) {
            double tight[4];
            if (rows.has_masks && tile_tight_box(rows.masks[i], tight)) rows.boxes[i] = {tight[0], tight[1], tight[2], tight[3]};
            else rows.boxes[i] = shuffle_box(rows.boxes[i], *step.cells);
        }
    } else if (rows.has_boxes && step.field) {
        // A bound mask says where the object went; a box alone follows the reference's raster rule.
        for (std::size_t i = 0; i < rows.boxes.size(); ++i) {
            double tight[4];
            if (rows.has_masks && tile_tight_box(rows.masks[i], tight)) rows.boxes[i] = {tight[0], tight[1], tight[2], tight[3]};
            else rows.boxes[i] = remap_box(rows.boxes[i], *step.field);
        }
    } else if (rows.has_boxes) {
        const cv::Matx33d edge = step.edge_matrix();
        for (auto& b : rows.boxes) b = transform_box(b, edge, step.ellipse_boxes);
    }
    transform_keypoints(rows.keypoints.data(), static_cast<int64_t>(rows.keypoints.size() / kKeypointColumns), step);
    transform_keypoints(sample.free_keypoints.points.data(),
                        static_cast<int64_t>(sample.free_keypoints.size()), step);
    sample.width = step.out_width;
    sample.height = step.out_height;
}

}  // namespace instaug
