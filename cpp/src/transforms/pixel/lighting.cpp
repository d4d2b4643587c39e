// Illumination and Vignetting: the image multiplied by (or, Illumination's linear mode, added to)
// a smooth light field. The fields are built in float32, operation for operation as the reference
// builds them, so that outputs agree bit for bit (Illumination's Gaussian spots go through OpenCV's
// exp, as the reference's, and agree as far as two OpenCV builds' exp do).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "kernels/remap_bilinear.hpp"
#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// NumPy's linspace(start, stop, n) cast to float32: start + i * step in float64, the last exactly stop.
std::vector<float> linspace32(double start, double stop, int n) {
    std::vector<float> v(n);
    const double step = n > 1 ? (stop - start) / (n - 1) : 0.0;
    for (int i = 0; i < n; ++i) v[i] = static_cast<float>(n > 1 && i == n - 1 ? stop : i * step + start);
    return v;
}

// image x field (one float32 value per pixel, the same for every channel): uint8 products are
// clipped and truncated as the reference's multiply_by_array; float32 ones clipped to [0, 1].
cv::Mat multiply_by_field(const cv::Mat& image, const cv::Mat& field, bool clip_float) {
    const int channels = image.channels();
    cv::Mat out(image.size(), image.type());
    for (int y = 0; y < image.rows; ++y) {
        const float* f = field.ptr<float>(y);
        if (image.depth() == CV_8U) {
            const uint8_t* in = image.ptr<uint8_t>(y);
            uint8_t* o = out.ptr<uint8_t>(y);
            for (int x = 0; x < image.cols; ++x)
                for (int k = 0; k < channels; ++k, ++in, ++o)
                    *o = static_cast<uint8_t>(std::clamp(static_cast<float>(*in) * f[x], 0.0f, 255.0f));
        } else {
            const float* in = image.ptr<float>(y);
            float* o = out.ptr<float>(y);
            for (int x = 0; x < image.cols; ++x)
                for (int k = 0; k < channels; ++k, ++in, ++o) {
                    const float v = *in * f[x];
                    *o = clip_float ? std::clamp(v, 0.0f, 1.0f) : v;
                }
        }
    }
    return out;
}

// ---- Vignetting: 1 - intensity x (normalised squared distance from the centre) -----------------
cv::Mat vignette_field(int height, int width, double intensity, double center_x, double center_y) {
    const float cx = static_cast<float>(center_x * width), cy = static_cast<float>(center_y * height);
    const float half_w = static_cast<float>(width * 0.5), half_h = static_cast<float>(height * 0.5);
    std::vector<float> nx(width), ny(height);
    for (int x = 0; x < width; ++x) nx[x] = (static_cast<float>(x) - cx) / half_w;
    for (int y = 0; y < height; ++y) ny[y] = (static_cast<float>(y) - cy) / half_h;
    cv::Mat field(height, width, CV_32F);
    float top = 0;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) top = std::max(top, field.at<float>(y, x) = ny[y] * ny[y] + nx[x] * nx[x]);
    const float k = static_cast<float>(intensity);
    field.forEach<float>([&](float& v, const int*) {
        if (top > 0) v /= top;
        v = 1.0f - k * v;
    });
    return field;
}

cv::Mat vignetting(const cv::Mat& image, const Params& params, Random& rng) {
    const double intensity = pixel::draw(params, "intensity_range", rng);
    const double cx = pixel::draw(params, "center_range", rng), cy = pixel::draw(params, "center_range", rng);
    rng.note("intensity_range", intensity);
    rng.note("center_range", Json::array({std::min(cx, cy), std::max(cx, cy)}));
    return multiply_by_field(image, vignette_field(image.rows, image.cols, intensity, cx, cy), false);
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
    const double radians = angle * (M_PI / 180.0);  // as NumPy's deg2rad
    const float c = static_cast<float>(std::cos(radians)), s = static_cast<float>(std::sin(radians));
    for (float& x : xs) x *= c;
    for (float& y : ys) y *= s;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) g.at<float>(y, x) = xs[x] + ys[y];
    return g;
}

// uint8 <-> float32 as the reference's float32_io: v / 255 in float32; rint(v x 255), clipped.
cv::Mat bytes_to_float(const cv::Mat& image) {
    cv::Mat table(1, 256, CV_32F);
    for (int v = 0; v < 256; ++v) table.at<float>(v) = static_cast<float>(v) / 255.0f;
    cv::Mat out;
    cv::LUT(image, table, out);
    return out;
}

cv::Mat float_to_bytes(const cv::Mat& image) {
    cv::Mat out(image.size(), CV_MAKETYPE(CV_8U, image.channels()));
    const int n = image.cols * image.channels();
    for (int y = 0; y < image.rows; ++y) {
        const float* in = image.ptr<float>(y);
        uint8_t* o = out.ptr<uint8_t>(y);
        for (int i = 0; i < n; ++i) {
            const float v = std::nearbyint(in[i] * 255.0f);
            o[i] = v >= 0 ? static_cast<uint8_t>(std::min(v, 255.0f)) : 0;  // NaN: 0, as NumPy's cast on x86
        }
    }
    return out;
}

cv::Mat linear_illumination(const cv::Mat& image, double intensity, double angle) {
    const cv::Mat f = image.depth() == CV_8U ? bytes_to_float(image) : image;
    const cv::Mat g = directional_gradient(image.rows, image.cols, angle);
    const float k = static_cast<float>(intensity);
    const int channels = image.channels();
    cv::Mat out(image.size(), CV_MAKETYPE(CV_32F, channels));
    for (int y = 0; y < image.rows; ++y) {
        const float* in = f.ptr<float>(y);
        const float* gy = g.ptr<float>(y);
        float* o = out.ptr<float>(y);
        for (int x = 0; x < image.cols; ++x) {
            const float add = gy[x] * k;
            for (int c = 0; c < channels; ++c, ++in, ++o) *o = std::clamp(*in + add, 0.0f, 1.0f);
        }
    }
    return image.depth() == CV_8U ? float_to_bytes(out) : out;
}

// Corner: 1 - intensity x distance from the corner / the image's diagonal.
cv::Mat corner_field(int height, int width, double intensity, int corner) {
    const int cy = corner >= 2 ? height - 1 : 0, cx = corner == 1 || corner == 2 ? width - 1 : 0;
    const float k = static_cast<float>(-intensity / std::sqrt(static_cast<double>(height) * height +
                                                              static_cast<double>(width) * width));
    cv::Mat field(height, width, CV_32F);
    for (int y = 0; y < height; ++y) {
        const float dy = static_cast<float>(y - cy);
        float* f = field.ptr<float>(y);
        for (int x = 0; x < width; ++x) {
            const float dx = static_cast<float>(x - cx);
            f[x] = std::sqrt(dx * dx + dy * dy) * k + 1.0f;
        }
    }
    return field;
}

// Gaussian: 1 + intensity x exp(-d^2 / (2 (max side x sigma)^2)) around (cx, cy) in image fractions.
cv::Mat gaussian_field(int height, int width, double intensity, double center_x, double center_y, double sigma) {
    if (intensity == 0) return cv::Mat::ones(height, width, CV_32F);
    const float cx = static_cast<float>(width * center_x), cy = static_cast<float>(height * center_y);
    const double spread = std::max(height, width) * sigma;
    const float k = static_cast<float>(-1 / (2 * spread * spread));
    cv::Mat field(height, width, CV_32F);
    for (int y = 0; y < height; ++y) {
        float dy = static_cast<float>(y) - cy;
        dy = dy * dy;
        float* f = field.ptr<float>(y);
        for (int x = 0; x < width; ++x) {
            const float dx = static_cast<float>(x) - cx;
            f[x] = (dx * dx + dy) * k;
        }
    }
    cv::exp(field, field);
    const float i = static_cast<float>(intensity);
    field.forEach<float>([i](float& v, const int*) { v = v * i + 1.0f; });
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
    return multiply_by_field(image, corner_field(image.rows, image.cols, intensity, corner), true);
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
    if (interpolation != cv::INTER_LINEAR || !remap_bilinear_supports(plane)) {
        cv::remap(plane, out, map_x, map_y, interpolation, cv::BORDER_REPLICATE);
        return out;
    }
    // Bilinear at the exact positions (OpenCV 4's remap rounds them to 1/32 pixel). A replicated
    // border samples the edge pixel anywhere outside the image: the same as the position clamped
    // into the image, where the outside taps weigh nothing.
    cv::max(cv::min(map_x, width - 1.0), 0.0, map_x);
    cv::max(cv::min(map_y, height - 1.0), 0.0, map_y);
    remap_bilinear(plane, out, map_x, map_y, cv::Scalar::all(0));
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
        return bytes_to_float(aberrated(float_to_bytes(image), red1, red2, blue1, blue2, interpolation));
    return aberrated(image, red1, red2, blue1, blue2, interpolation);
}

cv::Mat aberrated(const cv::Mat& image, double red1, double red2, double blue1, double blue2, int interpolation) {
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
