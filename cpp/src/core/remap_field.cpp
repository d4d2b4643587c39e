#include "core/remap_field.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "kernels/remap_bilinear.hpp"

namespace instaug {
namespace {

// cv::remap's nearest rule: the sample point rounded to the nearest pixel (halves to even).
inline int nearest(float v) { return static_cast<int>(std::nearbyint(v)); }

// The output pixels whose sample point may fall in `rect`: it grown by the field's reach.
cv::Rect reachable(const cv::Rect& rect, const RemapField& field) {
    const int r = field.reach + 1;
    return cv::Rect(rect.x - r, rect.y - r, rect.width + 2 * r, rect.height + 2 * r) &
           cv::Rect(0, 0, field.map_x.cols, field.map_x.rows);
}

// The field's value at a point, bilinear, the point clamped to the canvas.
cv::Point2d sample(const RemapField& field, double x, double y) {
    const int w = field.map_x.cols, h = field.map_x.rows;
    x = std::clamp(x, 0.0, w - 1.0);
    y = std::clamp(y, 0.0, h - 1.0);
    const int x0 = std::min(static_cast<int>(x), std::max(w - 2, 0)), y0 = std::min(static_cast<int>(y), std::max(h - 2, 0));
    const int x1 = std::min(x0 + 1, w - 1), y1 = std::min(y0 + 1, h - 1);
    const double fx = x - x0, fy = y - y0;
    auto at = [&](const cv::Mat& m) {
        const double top = m.at<float>(y0, x0) * (1 - fx) + m.at<float>(y0, x1) * fx;
        const double bottom = m.at<float>(y1, x0) * (1 - fx) + m.at<float>(y1, x1) * fx;
        return top * (1 - fy) + bottom * fy;
    };
    return {at(field.map_x), at(field.map_y)};
}

cv::Mat remap_nearest_constant(const cv::Mat& plane, const RemapField& field, const cv::Scalar& fill) {
    const int w = field.map_x.cols, h = field.map_x.rows;
    const cv::Mat fill_pixel(1, 1, plane.type(), fill);
    const std::size_t bytes = plane.elemSize();
    cv::Mat out(h, w, plane.type());
    for (int y = 0; y < h; ++y) {
        const float* mx = field.map_x.ptr<float>(y);
        const float* my = field.map_y.ptr<float>(y);
        uint8_t* o = out.ptr<uint8_t>(y);
        for (int x = 0; x < w; ++x, o += bytes) {
            const int sx = nearest(mx[x]), sy = nearest(my[x]);
            const bool inside = sx >= 0 && sy >= 0 && sx < plane.cols && sy < plane.rows;
            std::memcpy(o, inside ? plane.ptr<uint8_t>(sy) + sx * bytes : fill_pixel.ptr<uint8_t>(), bytes);
        }
    }
    return out;
}

// Where the field is not smooth (PixelSpread) the iteration need not settle: the output pixel
// within reach whose sample point lies nearest (x, y), if one samples a neighbour of it (within
// a diagonal pixel).
bool nearest_sampler(const RemapField& field, double x, double y, double& out_x, double& out_y) {
    const cv::Rect around = reachable(cv::Rect(static_cast<int>(std::floor(x)), static_cast<int>(std::floor(y)), 1, 1), field);
    double best = 1.5;
    bool found = false;
    for (int v = around.y; v < around.br().y; ++v)
        for (int u = around.x; u < around.br().x; ++u) {
            const double d = std::hypot(field.map_x.at<float>(v, u) - x, field.map_y.at<float>(v, u) - y);
            if (d < best) {
                best = d;
                out_x = u;
                out_y = v;
                found = true;
            }
        }
    return found;
}

}  // namespace

std::shared_ptr<const RemapField> make_remap_field(cv::Mat map_x, cv::Mat map_y) {
    auto field = std::make_shared<RemapField>();
    double reach = 0;
    for (int y = 0; y < map_x.rows; ++y) {
        const float* mx = map_x.ptr<float>(y);
        const float* my = map_y.ptr<float>(y);
        for (int x = 0; x < map_x.cols; ++x)
            reach = std::max({reach, std::abs(mx[x] - static_cast<double>(x)), std::abs(my[x] - static_cast<double>(y))});
    }
    // A field reaching past the canvas is as costly as one reaching across it.
    field->reach = static_cast<int>(std::min(std::ceil(reach), static_cast<double>(std::max(map_x.cols, map_x.rows))));
    field->map_x = std::move(map_x);
    field->map_y = std::move(map_y);
    return field;
}

void upscale_maps(cv::Mat& map_x, cv::Mat& map_y, int width, int height, int interpolation) {
    const int mw = map_x.cols, mh = map_x.rows;
    if (mw == width && mh == height) return;
    cv::Mat dx(mh, mw, CV_32F), dy(mh, mw, CV_32F);
    for (int y = 0; y < mh; ++y)
        for (int x = 0; x < mw; ++x) {
            dx.at<float>(y, x) = map_x.at<float>(y, x) - static_cast<float>(x);
            dy.at<float>(y, x) = map_y.at<float>(y, x) - static_cast<float>(y);
        }
    const double scale_x = width == 1 || mw == 1 ? 1.0 : (mw - 1.0) / (width - 1.0);
    const double scale_y = height == 1 || mh == 1 ? 1.0 : (mh - 1.0) / (height - 1.0);
    cv::Mat big_x, big_y;
    cv::resize(dx, big_x, cv::Size(width, height), 0, 0, interpolation);
    cv::resize(dy, big_y, cv::Size(width, height), 0, 0, interpolation);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            big_x.at<float>(y, x) = static_cast<float>(big_x.at<float>(y, x) / scale_x) + static_cast<float>(x);
            big_y.at<float>(y, x) = static_cast<float>(big_y.at<float>(y, x) / scale_y) + static_cast<float>(y);
        }
    map_x = big_x;
    map_y = big_y;
}

GeometricStep make_remap_step(int width, int height, std::shared_ptr<const RemapField> field,
                              const PixelOptions& pixels) {
    GeometricStep s;
    s.kind = StepKind::Remap;
    s.in_width = s.out_width = width;
    s.in_height = s.out_height = height;
    s.field = std::move(field);
    s.pixels = pixels;
    return s;
}

cv::Mat remap_plane(const cv::Mat& plane, const RemapField& field, int interpolation, int border_mode,
                    const cv::Scalar& fill) {
    if (interpolation == kNearest && border_mode == kBorderConstant) return remap_nearest_constant(plane, field, fill);
    // remap has no area kernel: the reference's INTER_AREA remap is its bilinear one.
    const int kernel = interpolation == kArea ? kLinear : interpolation;
    if (kernel == kLinear && border_mode == kBorderConstant && remap_bilinear_supports(plane)) {
        cv::Mat out;
        remap_bilinear(plane, out, field.map_x, field.map_y, fill);
        return out;
    }
    const int depth = plane.depth();
    const bool native = depth == CV_8U || depth == CV_16U || depth == CV_16S || depth == CV_32F || depth == CV_64F;
    if (!native && depth != CV_8S && depth != CV_32S)
        throw std::invalid_argument(
            "masks of a 64-bit integer dtype support only nearest mask_interpolation with a constant border");
    cv::Mat source = plane, out;
    if (!native) plane.convertTo(source, CV_64F);
    cv::remap(source, out, field.map_x, field.map_y, kernel, border_mode, fill);
    if (!native) out.convertTo(out, plane.type());
    return out;
}

MaskTile remap_tile(const MaskTile& tile, const RemapField& field) {
    MaskTile out;
    if (tile.empty()) return out;
    const cv::Rect window = reachable(tile.rect(), field);
    if (window.empty()) return out;
    const std::size_t bytes = tile.data.elemSize();
    out.x0 = window.x;
    out.y0 = window.y;
    out.data = cv::Mat::zeros(window.height, window.width, tile.data.type());
    const cv::Rect source = tile.rect();
    for (int y = window.y; y < window.br().y; ++y) {
        const float* mx = field.map_x.ptr<float>(y);
        const float* my = field.map_y.ptr<float>(y);
        uint8_t* o = out.data.ptr<uint8_t>(y - window.y);
        for (int x = window.x; x < window.br().x; ++x) {
            const int sx = nearest(mx[x]), sy = nearest(my[x]);
            if (!source.contains(cv::Point(sx, sy))) continue;
            std::memcpy(o + (x - window.x) * bytes, tile.data.ptr<uint8_t>(sy - tile.y0) + (sx - tile.x0) * bytes, bytes);
        }
    }
    tighten_tile(out);
    return out;
}

std::array<double, 4> remap_box(const std::array<double, 4>& box, const RemapField& field) {
    const int w = field.map_x.cols, h = field.map_x.rows;
    auto pixel = [](double v, int side) { return std::clamp(static_cast<int>(std::nearbyint(v)), 0, side - 1); };
    int x1 = pixel(box[0], w), y1 = pixel(box[1], h), x2 = pixel(box[2], w), y2 = pixel(box[3], h);
    if (field.half_open_boxes) {  // pixels int(x_min) <= x < int(x_max)
        auto edge = [](double v, int side) { return static_cast<int>(std::clamp(std::trunc(v), 0.0, static_cast<double>(side))); };
        x1 = edge(box[0], w), y1 = edge(box[1], h), x2 = edge(box[2], w) - 1, y2 = edge(box[3], h) - 1;
    }
    const std::array<double, 4> vanished = field.half_open_boxes ? std::array<double, 4>{-1, -1, -1, -1} : box;
    if (x2 < x1 || y2 < y1) return vanished;
    const cv::Rect source(x1, y1, x2 - x1 + 1, y2 - y1 + 1);
    const cv::Rect window = reachable(source, field);
    int left = w, top = h, right = -1, bottom = -1;
    for (int y = window.y; y < window.br().y; ++y) {
        const float* mx = field.map_x.ptr<float>(y);
        const float* my = field.map_y.ptr<float>(y);
        for (int x = window.x; x < window.br().x; ++x) {
            if (!source.contains(cv::Point(nearest(mx[x]), nearest(my[x])))) continue;
            left = std::min(left, x);
            right = std::max(right, x);
            top = std::min(top, y);
            bottom = std::max(bottom, y);
        }
    }
    if (right < 0) return vanished;
    const double end = field.half_open_boxes ? 1 : 0;
    return {static_cast<double>(left), static_cast<double>(top), right + end, bottom + end};
}

bool remap_point(const RemapField& field, double& x, double& y) {
    const double tx = x, ty = y;
    double qx = x, qy = y, best = 1e300, best_x = x, best_y = y;
    for (int i = 0; i < 64; ++i) {
        const cv::Point2d m = sample(field, qx, qy);
        const double rx = tx - m.x, ry = ty - m.y, residual = std::max(std::abs(rx), std::abs(ry));
        if (residual < best) {
            best = residual;
            best_x = qx;
            best_y = qy;
        }
        if (residual < 1e-4) break;
        qx += rx;
        qy += ry;
    }
    const int w = field.map_x.cols, h = field.map_x.rows;
    if (best >= 0.5 && !nearest_sampler(field, tx, ty, best_x, best_y)) {
        x = y = -1.0;  // no output pixel samples the point: it left the image (as the reference's -1, -1)
        return false;
    }
    x = best_x;
    y = best_y;
    return x >= -0.5 && y >= -0.5 && x <= w - 0.5 && y <= h - 0.5;
}

}  // namespace instaug
