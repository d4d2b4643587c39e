// Illumination and Vignetting: the image multiplied by (or, Illumination's linear mode, added to)
// a smooth light field. The fields are built in float32, operation for operation as the reference
// builds them, so that outputs agree bit for bit (Illumination's Gaussian spots go through OpenCV's
// exp, as the reference's, and agree as far as two OpenCV builds' exp do).
#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/math_constants.hpp"
#include "core/parallel_for.hpp"
#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// A float32 field times a scalar as the reference's cv2.multiply(field, scalar): OpenCV 5.0 (the
// reference environment's) multiplies in float64 and rounds once (5.1 rounds the scalar to float32
// first: one float32 step apart at most).
inline float scaled(float v, double k) { return static_cast<float>(static_cast<double>(v) * k); }

// NumPy's linspace(start, stop, n) cast to float32: start + i * step in float64, the last exactly stop.
std::vector<float> linspace32(double start, double stop, int n) {
    std::vector<float> v(n);
    const double step = n > 1 ? (stop - start) / (n - 1) : 0.0;
    for (int i = 0; i < n; ++i) v[i] = static_cast<float>(n > 1 && i == n - 1 ? stop : i * step + start);
    return v;
}

// Half to even for 0 <= v < 2^22 (adding 1.5 x 2^23 leaves no fraction bits): NumPy's rint, in a
// loop the compiler vectorises.
inline float round_even(float v) { return (v + 12582912.0f) - 12582912.0f; }

// One row of image x field (the field already spread over the channels), in flat loops the
// compiler vectorises (locals and restrict pointers: nothing it must reload).
void scale_row(const uint8_t* __restrict in, const float* __restrict f, uint8_t* __restrict o, int n) {
    for (int i = 0; i < n; ++i) {
        float v = static_cast<float>(in[i]) * f[i];
        v = v > 0.0f ? v : 0.0f;
        o[i] = static_cast<uint8_t>(static_cast<int>(v < 255.0f ? v : 255.0f));  // clipped, truncated
    }
}

void scale_row(const float* __restrict in, const float* __restrict f, float* __restrict o, int n, bool clip) {
    if (clip)
        for (int i = 0; i < n; ++i) o[i] = std::clamp(in[i] * f[i], 0.0f, 1.0f);
    else
        for (int i = 0; i < n; ++i) o[i] = in[i] * f[i];
}

// image x field, the field given row by row (`row(y, values)` writes its `cols` values): uint8
// products are clipped and truncated as the reference's multiply_by_array; float32 ones clipped to
// [0, 1] when `clip_float`. Each field row is spread over the channels so that the product is one
// flat loop.
template <class Row>
cv::Mat scale_rows(const cv::Mat& image, bool clip_float, Row row) {
    const int channels = image.channels(), cols = image.cols, n = cols * channels;
    cv::Mat out(image.size(), image.type());
    parallel_for_each_row(image.rows, 64, [&](int y) {
        std::vector<float> field(cols), spread(n);
        row(y, field.data());
        float* s = spread.data();
        for (int x = 0; x < cols; ++x)
            for (int c = 0; c < channels; ++c) *s++ = field[x];
        if (image.depth() == CV_8U) scale_row(image.ptr<uint8_t>(y), spread.data(), out.ptr<uint8_t>(y), n);
        else scale_row(image.ptr<float>(y), spread.data(), out.ptr<float>(y), n, clip_float);
    });
    return out;
}

cv::Mat multiply_by_field(const cv::Mat& image, const cv::Mat& field, bool clip_float) {
    return scale_rows(image, clip_float, [&](int y, float* row) {
        const float* f = field.ptr<float>(y);
        std::copy(f, f + field.cols, row);
    });
}

// ---- Vignetting: 1 - intensity x (normalised squared distance from the centre) -----------------
// The maximum of ny^2 + nx^2 is the float sum of the two maxima (rounding is monotonic), so the
// field is one pass: 1 - k (d / max d).
cv::Mat vignetted(const cv::Mat& image, double intensity, double center_x, double center_y) {
    const int width = image.cols, height = image.rows;
    const float cx = static_cast<float>(center_x * width), cy = static_cast<float>(center_y * height);
    const float half_w = static_cast<float>(width * 0.5), half_h = static_cast<float>(height * 0.5);
    std::vector<float> xx(width), yy(height);
    float top_x = 0, top_y = 0;
    for (int x = 0; x < width; ++x) {
        const float n = (static_cast<float>(x) - cx) / half_w;
        top_x = std::max(top_x, xx[x] = n * n);
    }
    for (int y = 0; y < height; ++y) {
        const float n = (static_cast<float>(y) - cy) / half_h;
        top_y = std::max(top_y, yy[y] = n * n);
    }
    const float top = top_y + top_x, k = static_cast<float>(intensity);
    return scale_rows(image, false, [&](int y, float* row) {
        for (int x = 0; x < width; ++x) {
            float d = yy[y] + xx[x];
            if (top > 0) d = d / top;
            row[x] = 1.0f - k * d;
        }
    });
}

cv::Mat vignetting(const cv::Mat& image, const Params& params, Random& rng) {
    const double intensity = pixel::draw(params, "intensity_range", rng);
    const double cx = pixel::draw(params, "center_range", rng), cy = pixel::draw(params, "center_range", rng);
    rng.note("intensity_range", intensity);
    rng.note("center_range", Json::array({std::min(cx, cy), std::max(cx, cy)}));
    return vignetted(image, intensity, cx, cy);
}

// ---- Illumination -------------------------------------------------------------------------------
// Linear: a gradient along `angle` (0..1 for the cardinal and diagonal angles, x cos + y sin of
// 0..1 coordinates otherwise) times the signed intensity, added to the float image.
cv::Mat directional_gradient(int height, int width, double angle) {
    cv::Mat g(height, width, CV_32F);
    if (angle == 0 || angle == 90 || angle == 180 || angle == 270) {
        const bool horizontal = angle == 0 || angle == 180, reversed = angle == 180 || angle == 270;
        const std::vector<float> v = linspace32(reversed ? 1 : 0, reversed ? 0 : 1, horizontal ? width : height);
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x) g.at<float>(y, x) = horizontal ? v[x] : v[y];
        return g;
    }
    std::vector<float> xs = linspace32(0, 1, width), ys = linspace32(0, 1, height);
    if (angle == 45 || angle == 135 || angle == 225 || angle == 315) {
        const bool flip_x = angle == 135 || angle == 225, flip_y = angle == 225 || angle == 315;
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x)
                g.at<float>(y, x) = (flip_x ? 1.0f - xs[x] : xs[x]) + (flip_y ? 1.0f - ys[y] : ys[y]);
        cv::normalize(g, g, 0, 1, cv::NORM_MINMAX, CV_32F);
        return g;
    }
    const double radians = angle * (kPi / 180.0);  // as NumPy's deg2rad
    const double c = std::cos(radians), s = std::sin(radians);
    for (float& x : xs) x = scaled(x, c);
    for (float& y : ys) y = scaled(y, s);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) g.at<float>(y, x) = xs[x] + ys[y];
    return g;
}

// v + add clipped to [0, 1]; uint8 through float32 as the reference's float32_io (v / 255, then
// rint(v x 255)).
void lit_row(const uint8_t* __restrict in, const float* __restrict add, uint8_t* __restrict o, int n) {
    static const std::array<float, 256> table = [] {
        std::array<float, 256> t{};
        for (int v = 0; v < 256; ++v) t[v] = static_cast<float>(v) / 255.0f;
        return t;
    }();
    for (int i = 0; i < n; ++i) {
        const float v = std::clamp(table[in[i]] + add[i], 0.0f, 1.0f);
        o[i] = static_cast<uint8_t>(static_cast<int>(round_even(v * 255.0f)));
    }
}

void lit_row(const float* __restrict in, const float* __restrict add, float* __restrict o, int n) {
    for (int i = 0; i < n; ++i) o[i] = std::clamp(in[i] + add[i], 0.0f, 1.0f);
}

cv::Mat linear_illumination(const cv::Mat& image, double intensity, double angle) {
    cv::Mat g = directional_gradient(image.rows, image.cols, angle);
    g.forEach<float>([intensity](float& v, const int*) { v = scaled(v, intensity); });
    const int channels = image.channels(), cols = image.cols, n = cols * channels;
    cv::Mat out(image.size(), image.type());
    parallel_for_each_row(image.rows, 64, [&](int y) {
        std::vector<float> spread(n);
        const float* add = g.ptr<float>(y);
        for (int x = 0, i = 0; x < cols; ++x)
            for (int c = 0; c < channels; ++c, ++i) spread[i] = add[x];
        if (image.depth() == CV_8U) lit_row(image.ptr<uint8_t>(y), spread.data(), out.ptr<uint8_t>(y), n);
        else lit_row(image.ptr<float>(y), spread.data(), out.ptr<float>(y), n);
    });
    return out;
}

// Corner: 1 - intensity x distance from the corner / the image's diagonal.
cv::Mat corner_illumination(const cv::Mat& image, double intensity, int corner) {
    const int height = image.rows, width = image.cols;
    const int cy = corner >= 2 ? height - 1 : 0, cx = corner == 1 || corner == 2 ? width - 1 : 0;
    const double k = -intensity / std::sqrt(static_cast<double>(height) * height + static_cast<double>(width) * width);
    std::vector<float> xx(width);
    for (int x = 0; x < width; ++x) xx[x] = static_cast<float>(x - cx) * static_cast<float>(x - cx);
    return scale_rows(image, true, [&](int y, float* row) {
        const float dy = static_cast<float>(y - cy), yy = dy * dy;
        for (int x = 0; x < width; ++x) row[x] = xx[x] + yy;
        cv::Mat r(1, width, CV_32F, row);
        cv::sqrt(r, r);  // IEEE square roots, vectorised
        for (int x = 0; x < width; ++x) row[x] = scaled(row[x], k) + 1.0f;
    });
}

// Gaussian: 1 + intensity x exp(-d^2 / (2 (max side x sigma)^2)) around (cx, cy) in image fractions.
// The exponential part, as the reference computes it in float32 (OpenCV's exp).
cv::Mat gaussian_bump(int height, int width, double center_x, double center_y, double sigma) {
    const float cx = static_cast<float>(width * center_x), cy = static_cast<float>(height * center_y);
    const double spread = std::max(height, width) * sigma;
    const double k = -1 / (2 * spread * spread);
    std::vector<float> xx(width);
    for (int x = 0; x < width; ++x) {
        const float dx = static_cast<float>(x) - cx;
        xx[x] = dx * dx;
    }
    cv::Mat field(height, width, CV_32F);
    for (int y = 0; y < height; ++y) {
        float dy = static_cast<float>(y) - cy;
        dy = dy * dy;
        float* f = field.ptr<float>(y);
        for (int x = 0; x < width; ++x) f[x] = scaled(xx[x] + dy, k);
    }
    cv::exp(field, field);
    return field;
}

cv::Mat gaussian_field(int height, int width, double intensity, double center_x, double center_y, double sigma) {
    if (intensity == 0) return cv::Mat::ones(height, width, CV_32F);
    cv::Mat field = gaussian_bump(height, width, center_x, center_y, sigma);
    for (int y = 0; y < height; ++y) {
        float* f = field.ptr<float>(y);
        for (int x = 0; x < width; ++x) f[x] = scaled(f[x], intensity) + 1.0f;
    }
    return field;
}

struct Spot {
    double center_x, center_y, sigma, intensity;
};

double signed_intensity(const Params& params, Random& rng) {
    const double intensity = pixel::draw(params, "intensity_range", rng);
    const std::string& effect = params.text("effect_type");
    if (effect == "both") return rng.uniform01() > 0.5 ? intensity : -intensity;
    return effect == "darken" ? -intensity : intensity;
}

cv::Mat gaussian_illumination(const cv::Mat& image, const Params& params, Random& rng) {
    const auto counts = params.range("num_spots_range");
    const int n = counts[0] == 1 && counts[1] == 1
                      ? 1
                      : static_cast<int>(rng.randint(static_cast<int64_t>(counts[0]), static_cast<int64_t>(counts[1])));
    std::vector<Spot> spots(n);
    for (Spot& s : spots) {
        s.intensity = signed_intensity(params, rng);
        s.center_x = pixel::draw(params, "center_range", rng);
        s.center_y = pixel::draw(params, "center_range", rng);
        s.sigma = pixel::draw(params, "sigma_range", rng);
    }
    rng.note("num_spots_range", n);
    if (std::all_of(spots.begin(), spots.end(), [](const Spot& s) { return s.intensity == 0; })) return image.clone();
    if (n == 1) {  // 1 + intensity x bump, computed row by row as the image is scaled
        const Spot& s = spots[0];
        const cv::Mat bump = gaussian_bump(image.rows, image.cols, s.center_x, s.center_y, s.sigma);
        const double i = s.intensity;
        return scale_rows(image, true, [&](int y, float* row) {
            const float* b = bump.ptr<float>(y);
            for (int x = 0; x < image.cols; ++x) row[x] = scaled(b[x], i) + 1.0f;
        });
    }
    cv::Mat field;
    for (const Spot& s : spots) {
        const cv::Mat one = gaussian_field(image.rows, image.cols, s.intensity, s.center_x, s.center_y, s.sigma);
        if (field.empty()) field = one;
        else cv::multiply(field, one, field);
    }
    return multiply_by_field(image, field, true);
}

cv::Mat illumination(const cv::Mat& image, const Params& params, Random& rng) {
    const std::string& mode = params.text("mode");
    if (mode == "gaussian") return gaussian_illumination(image, params, rng);
    const double intensity = signed_intensity(params, rng);
    rng.note("intensity_range", std::abs(intensity));
    if (mode == "linear") {
        const double angle = pixel::draw(params, "angle_range", rng);
        rng.note("angle_range", angle);
        return linear_illumination(image, intensity, angle);
    }
    const int corner = static_cast<int>(rng.randint(0, 3));
    if (intensity == 0) return image.clone();
    return corner_illumination(image, intensity, corner);
}

// ---- ChromaticAberration: the red and blue channels through radial lens distortions -------------
// OpenCV's undistortion map for the camera matrix [[W, 0, W/2], [0, H, H/2]] and float32 (k1, k2),
// in closed form (as OpticalDistortion's "camera" mode; the same map as the reference's wheel).
cv::Mat distorted_plane(const cv::Mat& plane, double k1, double k2, int interpolation) {
    const int width = plane.cols, height = plane.rows;
    const double cx = width / 2.0, cy = height / 2.0;
    const double a = static_cast<float>(k1), b = static_cast<float>(k2);
    cv::Mat map_x(height, width, CV_32F), map_y(height, width, CV_32F);
    for (int v = 0; v < height; ++v) {
        float* mx = map_x.ptr<float>(v);
        float* my = map_y.ptr<float>(v);
        for (int u = 0; u < width; ++u) {
            const double x = (u - cx) / width, y = (v - cy) / height, r2 = x * x + y * y;
            const double f = 1 + a * r2 + b * r2 * r2;
            mx[u] = static_cast<float>(width * x * f + cx);
            my[u] = static_cast<float>(height * y * f + cy);
        }
    }
    cv::Mat out;
    cv::remap(plane, out, map_x, map_y, interpolation, cv::BORDER_REPLICATE);
    return out;
}

// b with a's sign (match) or the opposite one (unmatch); zeros stay as they are.
double match_sign(double a, double b) { return (a < 0 && 0 < b) || (a > 0 && 0 > b) ? -b : b; }
double unmatch_sign(double a, double b) { return (a < 0 && b < 0) || (a > 0 && b > 0) ? -b : b; }

cv::Mat aberrated(const cv::Mat& image, double red1, double red2, double blue1, double blue2, int interpolation);

cv::Mat chromatic_aberration(const cv::Mat& image, const Params& params, Random& rng) {
    if (image.channels() != 3)
        throw std::invalid_argument("ChromaticAberration transformation expects 3-channel images, got " +
                                    std::to_string(image.channels()) + " channels");
    double red1 = pixel::draw(params, "primary_distortion_range", rng);
    double red2 = pixel::draw(params, "secondary_distortion_range", rng);
    double blue1 = pixel::draw(params, "primary_distortion_range", rng);
    double blue2 = pixel::draw(params, "secondary_distortion_range", rng);
    red2 = match_sign(red1, red2);
    blue2 = match_sign(blue1, blue2);
    const std::string& mode = params.text("mode");
    if (mode == "green_purple") {  // red and blue bend the same way
        blue1 = match_sign(red1, blue1);
        blue2 = match_sign(red2, blue2);
    } else if (mode == "red_blue") {  // opposite ways
        blue1 = unmatch_sign(red1, blue1);
        blue2 = unmatch_sign(red2, blue2);
    }
    rng.note("primary_distortion_range", Json::array({red1, blue1}));
    rng.note("secondary_distortion_range", Json::array({red2, blue2}));
    const int interpolation = params.integer32("interpolation");
    if (image.depth() != CV_8U)  // through uint8, as the reference
        return pixel::float32_io_in(aberrated(pixel::float32_io_out(image), red1, red2, blue1, blue2, interpolation));
    return aberrated(image, red1, red2, blue1, blue2, interpolation);
}

// One channel's sample positions for a row, clamped into the image (a replicated border samples
// the edge pixel anywhere outside: the clamped position, where the outside taps weigh nothing).
struct Taps {
    std::vector<int> x0, y0;
    std::vector<float> ax, ay;
    explicit Taps(int n) : x0(n), y0(n), ax(n), ay(n) {}
};

// Positions of row v through the distortion (a, b): OpenCV's map in closed form, in float64 and
// stored as float32, then clamped and split into whole and fractional parts (in vectorisable loops).
void distorted_taps(const std::vector<double>& wx, const std::vector<double>& xx, double hy, double yy, double a,
                    double b, double cx, double cy, int width, int height, Taps& t) {
    const int n = static_cast<int>(wx.size());
    const float right = static_cast<float>(width - 1), bottom = static_cast<float>(height - 1);
    for (int u = 0; u < n; ++u) {
        const double r2 = xx[u] + yy, f = 1 + a * r2 + b * r2 * r2;
        float sx = static_cast<float>(wx[u] * f + cx), sy = static_cast<float>(hy * f + cy);
        sx = std::min(std::max(sx, 0.0f), right);
        sy = std::min(std::max(sy, 0.0f), bottom);
        t.x0[u] = static_cast<int>(sx);  // >= 0: the floor
        t.y0[u] = static_cast<int>(sy);
        t.ax[u] = sx - static_cast<float>(t.x0[u]);
        t.ay[u] = sy - static_cast<float>(t.y0[u]);
    }
}

// Channel c of row v sampled bilinearly at the taps, with remap_bilinear's arithmetic (exact
// positions, float weights, rounded; OpenCV 4's remap rounds positions to 1/32 pixel).
void sample_row(const cv::Mat& image, int c, const Taps& t, uint8_t* out) {
    const int w = image.cols, h = image.rows;
    for (int u = 0; u < w; ++u) {
        const int x0 = t.x0[u], y0 = t.y0[u], x1 = std::min(x0 + 1, w - 1), y1 = std::min(y0 + 1, h - 1);
        const float ax = t.ax[u], ay = t.ay[u];
        const uint8_t* r0 = image.ptr<uint8_t>(y0);
        const uint8_t* r1 = image.ptr<uint8_t>(y1);
        float sum = 0;
        sum += (1 - ax) * (1 - ay) * static_cast<float>(r0[x0 * 3 + c]);
        sum += ax * (1 - ay) * static_cast<float>(r0[x1 * 3 + c]);
        sum += (1 - ax) * ay * static_cast<float>(r1[x0 * 3 + c]);
        sum += ax * ay * static_cast<float>(r1[x1 * 3 + c]);
        out[3 * u + c] = cv::saturate_cast<uint8_t>(sum);
    }
}

// Bilinear on uint8: both channels' positions and samples in one pass over the output rows.
cv::Mat aberrated_bilinear(const cv::Mat& image, double red1, double red2, double blue1, double blue2) {
    const int width = image.cols, height = image.rows;
    const double cx = width / 2.0, cy = height / 2.0;
    std::vector<double> wx(width), xx(width);  // W x and x^2 of each column, x = (u - cx) / W
    for (int u = 0; u < width; ++u) {
        const double x = (u - cx) / width;
        wx[u] = width * x;
        xx[u] = x * x;
    }
    const double ra = static_cast<float>(red1), rb = static_cast<float>(red2);
    const double ba = static_cast<float>(blue1), bb = static_cast<float>(blue2);
    cv::Mat out(image.size(), image.type());
    parallel_for_each_row(height, 16, [&](int v) {
        const double y = (v - cy) / height, hy = height * y, yy = y * y;
        Taps red(width), blue(width);
        distorted_taps(wx, xx, hy, yy, ra, rb, cx, cy, width, height, red);
        distorted_taps(wx, xx, hy, yy, ba, bb, cx, cy, width, height, blue);
        uint8_t* o = out.ptr<uint8_t>(v);
        const uint8_t* in = image.ptr<uint8_t>(v);
        for (int u = 0; u < width; ++u) o[3 * u + 1] = in[3 * u + 1];
        sample_row(image, 0, red, o);
        sample_row(image, 2, blue, o);
    });
    return out;
}
cv::Mat aberrated(const cv::Mat& image, double red1, double red2, double blue1, double blue2, int interpolation) {
    if (interpolation == cv::INTER_LINEAR) return aberrated_bilinear(image, red1, red2, blue1, blue2);
    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    planes[0] = distorted_plane(planes[0], red1, red2, interpolation);
    planes[2] = distorted_plane(planes[2], blue1, blue2, interpolation);
    cv::Mat out;
    cv::merge(planes, out);
    return out;
}

}  // namespace

void register_lighting(Registry& r) {
    r.add(pixel::pixel_transform("Vignetting",
                                 {range_param("intensity_range", Json::array({0.2, 0.5})).between(0.0, 1.0),
                                  range_param("center_range", Json::array({0.3, 0.7})).between(0.0, 1.0)},
                                 vignetting));
    TransformDecl light = pixel::pixel_transform(
        "Illumination",
        {choice_param("mode", "linear", Json::array({"linear", "corner", "gaussian"})),
         range_param("intensity_range", Json::array({0.01, 0.2})).between(0.01, 0.2),
         choice_param("effect_type", "both", Json::array({"brighten", "darken", "both"})),
         range_param("angle_range", Json::array({0, 360})).between(0.0, 360.0).in("degrees"),
         range_param("center_range", Json::array({0.1, 0.9})).between(0.0, 1.0),
         range_param("sigma_range", Json::array({0.2, 1.0})).between(0.2, 1.0),
         range_param("num_spots_range", Json::array({1, 1})).between(1, std::nullopt).whole(),
         mapping_param("gaussian_spots")},
        illumination);
    // p comes before the keyword-only num_spots_range and gaussian_spots, as in the reference's signature.
    std::rotate(light.params.end() - 3, light.params.end() - 1, light.params.end());
    light.check = [](const std::string& owner, const Params& p) {
        const auto spots = p.range("num_spots_range");
        if (p.text("mode") != "gaussian" && !(spots[0] == 1 && spots[1] == 1))
            throw std::invalid_argument(owner + ": num_spots_range can only be changed for gaussian mode");
        if (!p.is_none("gaussian_spots"))
            throw std::invalid_argument(owner + ": gaussian_spots must be None: instaug draws the spots "
                                                "(fixed spots are not supported)");
    };
    r.add(std::move(light));
    r.add(pixel::pixel_transform(
        "ChromaticAberration",
        {range_param("primary_distortion_range", Json::array({-0.02, 0.02})),
         range_param("secondary_distortion_range", Json::array({-0.05, 0.05})),
         choice_param("mode", "green_purple", Json::array({"green_purple", "red_blue", "random"})),
         interpolation_param("interpolation", 1)},
        chromatic_aberration));
}

}  // namespace instaug
