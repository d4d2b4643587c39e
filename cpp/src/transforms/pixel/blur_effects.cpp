// UnsharpMask, Defocus, ZoomBlur, GlassBlur, AdvancedBlur and RingingOvershoot: the reference's
// kernels (its formulas, its float32/float64 steps) through the same OpenCV filters it calls.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "core/math_constants.hpp"
#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

using pixel::draw;

// Each level is a resize of the whole image: a step far below the zoom range would take minutes.
constexpr int kMaxZoomLevels = 10000;

// filter2D with OpenCV's default (reflect-101) border: uint8 saturates, float32 is clipped to
// [0, 1], as the reference's @clipped convolve.
cv::Mat convolved(const cv::Mat& image, const cv::Mat& kernel) {
    cv::Mat out;
    cv::filter2D(image, out, -1, kernel, cv::Point(-1, -1), 0, cv::BORDER_DEFAULT);
    return image.depth() == CV_32F ? pixel::clip01(out) : out;
}

// An odd size from a range whose bounds the schema made odd, as Python's randrange(low, high + 1, 2).
int odd_size_from(const Params& params, const char* key, Random& rng) {
    const auto r = params.range(key);
    const int low = static_cast<int>(r[0]), high = static_cast<int>(r[1]);
    const int size = low + 2 * static_cast<int>(rng.randint(0, (high - low) / 2));
    rng.note(key, size);
    return size;
}

// ---- UnsharpMask: image + alpha (image - blurred), kept only where |image - blurred| > threshold --
cv::Mat unsharp_mask(const cv::Mat& image, const Params& params, Random& rng) {
    const int k = odd_size_from(params, "blur_range", rng);
    const double sigma = draw(params, "sigma_range", rng);
    const double alpha = draw(params, "alpha_range", rng);
    cv::Mat blurred, sharpened;
    cv::GaussianBlur(image, blurred, cv::Size(k, k), sigma);
    cv::addWeighted(image, 1.0 + alpha, blurred, -alpha, 0.0, sharpened);
    if (image.depth() == CV_32F) pixel::clip01(sharpened);
    const int64_t threshold = params.integer("threshold");
    if (threshold <= 0) return sharpened;
    // Value by value (each channel on its own), as the reference's multichannel compare.
    cv::Mat diff, mask;
    cv::absdiff(image, blurred, diff);
    const double limit = image.depth() == CV_32F ? static_cast<double>(threshold) / 255.0 : static_cast<double>(threshold);
    cv::compare(diff.reshape(1), limit, mask, cv::CMP_GT);
    cv::Mat out = image.clone();
    cv::Mat values = out.reshape(1);  // a header on out's pixels
    sharpened.reshape(1).copyTo(values, mask);
    return out;
}

// ---- Defocus: a disc of the drawn radius, softened by a small Gaussian -----------------------------
// The reference's create_defocus_kernel: a disc on a grid of at least 17 x 17, normalised in float64
// and stored in float32, then GaussianBlur with alias_blur as sigma (3 x 3, or 5 x 5 past radius 8).
cv::Mat defocus_kernel(int radius, double alias_blur) {
    const int half = std::max(8, radius);
    const int side = 2 * half + 1;
    cv::Mat disc(side, side, CV_32F, cv::Scalar(0));
    int inside = 0;
    for (int y = -half; y <= half; ++y)
        for (int x = -half; x <= half; ++x)
            if (static_cast<float>(x * x) + static_cast<float>(y * y) <= static_cast<float>(radius) * radius) {
                disc.at<float>(y + half, x + half) = 1.0f;
                ++inside;
            }
    disc *= 1.0 / inside;
    const int k = radius <= 8 ? 3 : 5;
    cv::Mat kernel;
    cv::GaussianBlur(disc, kernel, cv::Size(k, k), alias_blur);
    return kernel;
}

cv::Mat defocus(const cv::Mat& image, const Params& params, Random& rng) {
    const auto radii = params.range("radius_range");
    const int radius = static_cast<int>(rng.randint(static_cast<int64_t>(radii[0]), static_cast<int64_t>(radii[1])));
    rng.note("radius_range", radius);
    const double alias_blur = draw(params, "alias_blur_range", rng);
    return convolved(image, defocus_kernel(radius, alias_blur));
}

// ---- ZoomBlur: the mean of the image and its centre zoomed by 1, 1 + step, ... below max_factor -----
// The reference's central_zoom: the centre ceil(side / factor) pixels, resized (bilinear) by the
// factor to int(side x factor) and cut back to the image's size around the centre.
cv::Mat central_zoom(const cv::Mat& image, double factor) {
    const int height = image.rows, width = image.cols;
    const int crop_h = static_cast<int>(std::ceil(height / factor)), crop_w = static_cast<int>(std::ceil(width / factor));
    const cv::Mat crop = image(cv::Rect((width - crop_w) / 2, (height - crop_h) / 2, crop_w, crop_h));
    // int(crop x factor) rounds below the side on rare factors, where the reference fails: keep the side.
    const int zoomed_h = std::max(height, static_cast<int>(crop_h * factor));
    const int zoomed_w = std::max(width, static_cast<int>(crop_w * factor));
    cv::Mat zoomed;
    if (zoomed_h == crop_h && zoomed_w == crop_w) zoomed = crop;
    else cv::resize(crop, zoomed, cv::Size(zoomed_w, zoomed_h), 0, 0, cv::INTER_LINEAR);
    return zoomed(cv::Rect((zoomed_w - width) / 2, (zoomed_h - height) / 2, width, height));
}

// numpy's arange(1.0, stop, step): ceil((stop - 1) / step) values 1 + i * ((1 + step) - 1).
std::vector<double> zoom_factors(double stop, double step) {
    const double count = std::ceil((stop - 1.0) / step);
    if (count > kMaxZoomLevels)
        throw std::invalid_argument("ZoomBlur: the drawn step_factor_range and max_factor_range give more than " +
                                    std::to_string(kMaxZoomLevels) + " zoom levels");
    const double delta = (1.0 + step) - 1.0;
    std::vector<double> factors;
    for (int i = 0; i < static_cast<int>(count); ++i) factors.push_back(1.0 + i * delta);
    return factors;
}

cv::Mat zoom_blur(const cv::Mat& image, const Params& params, Random& rng) {
    const double step = draw(params, "step_factor_range", rng);
    const auto max_range = params.range("max_factor_range");
    const double max_factor = std::max(1.0 + step, rng.uniform(max_range[0], max_range[1]));
    rng.note("max_factor_range", max_factor);
    const std::vector<double> factors = zoom_factors(max_factor, step);
    const cv::Mat f = image.depth() == CV_8U ? pixel::to_float32(image) : image;
    // Summed in float32 in the reference's order, then (image + sum) / (levels + 1).
    cv::Mat sum(f.size(), f.type(), cv::Scalar::all(0));
    for (double factor : factors) sum += central_zoom(f, factor);
    cv::Mat out = (f + sum) * static_cast<float>(1.0 / static_cast<double>(factors.size() + 1));
    pixel::clip01(out);
    return image.depth() == CV_8U ? pixel::to_uint8(out) : out;
}

// ---- GlassBlur: blur, move pixels by up to max_delta, blur again ----------------------------------
// The reference visits rows (and columns) from side - max_delta down to max_delta + 1, each with an
// offset in [-max_delta, max_delta) per iteration (numpy's exclusive upper bound).
struct GlassOffsets {
    cv::RNG gen;
    int max_delta;
    int next() { return gen.uniform(-max_delta, max_delta); }
};

uchar* at(cv::Mat& image, int row, int col) { return image.ptr(row) + static_cast<size_t>(col) * image.elemSize(); }

// "fast": numpy's vectorised swap. Every visited pixel takes the value at its offset (read before
// the iteration), then each offset pixel takes the visited pixel's old value, later visits winning.
void glass_fast(cv::Mat& x, int iterations, GlassOffsets& offsets) {
    const int md = offsets.max_delta, size = static_cast<int>(x.elemSize());
    std::vector<cv::Point> visited, moved;
    for (int w = x.cols - md; w > md; --w)
        for (int h = x.rows - md; h > md; --h) visited.emplace_back(w, h);
    moved.resize(visited.size());
    for (int it = 0; it < iterations; ++it) {
        cv::Mat before = x.clone();
        for (size_t k = 0; k < visited.size(); ++k) {
            const int dy = offsets.next(), dx = offsets.next();
            moved[k] = visited[k] + cv::Point(dx, dy);
            std::memcpy(at(x, visited[k].y, visited[k].x), at(before, moved[k].y, moved[k].x), size);
        }
        for (size_t k = 0; k < visited.size(); ++k)
            std::memcpy(at(x, moved[k].y, moved[k].x), at(before, visited[k].y, visited[k].x), size);
    }
}

// "exact": one pixel at a time. On one channel the reference swaps the two values; on more, its
// tuple assignment goes through views of the pixels, so the visited pixel takes the other's value
// and the other keeps it.
void glass_exact(cv::Mat& x, int iterations, GlassOffsets& offsets) {
    const int md = offsets.max_delta, size = static_cast<int>(x.elemSize());
    const bool swap = x.channels() == 1;
    std::vector<uchar> held(size);
    for (int it = 0; it < iterations; ++it)
        for (int h = x.rows - md; h > md; --h)
            for (int w = x.cols - md; w > md; --w) {
                const int dy = offsets.next(), dx = offsets.next();
                uchar* here = at(x, h, w);
                uchar* there = at(x, h + dy, w + dx);
                std::memcpy(held.data(), here, size);
                std::memcpy(here, there, size);
                if (swap) std::memcpy(there, held.data(), size);
            }
}

// OpenCV sizes the kernel from sigma; sigma 0 (an OpenCV assertion in the reference) leaves the image.
cv::Mat gaussian_of_sigma(const cv::Mat& image, double sigma) {
    if (sigma == 0) return image.clone();
    cv::Mat out;
    cv::GaussianBlur(image, out, cv::Size(0, 0), sigma);
    return out;
}

cv::Mat glass_blur(const cv::Mat& image, const Params& params, Random& rng) {
    const double sigma = params.number("sigma");
    GlassOffsets offsets{cv::RNG(rng.next_u64()), params.integer32("max_delta")};
    cv::Mat x = gaussian_of_sigma(image, sigma);
    if (params.text("mode") == "fast") glass_fast(x, params.integer32("iterations"), offsets);
    else glass_exact(x, params.integer32("iterations"), offsets);
    return gaussian_of_sigma(x, sigma);
}

// ---- AdvancedBlur: a generalised Gaussian kernel, anisotropic and rotated, times noise ---------------
struct Covariance {
    double a, b, d;  // the inverse of U diag(sx^2, sy^2) U^T: [[a, b], [b, d]]
};

Covariance inverse_covariance(double sigma_x, double sigma_y, double angle) {
    const double c = std::cos(angle), s = std::sin(angle), vx = sigma_x * sigma_x, vy = sigma_y * sigma_y;
    const double m00 = c * c * vx + s * s * vy, m01 = c * s * (vx - vy), m11 = s * s * vx + c * c * vy;
    const double det = m00 * m11 - m01 * m01;
    return {m11 / det, -m01 / det, m00 / det};
}

// exp(-0.5 (g' S^-1 g)^beta) on the centred grid (x along columns), times the noise, then divided by
// its sum: float32 values over a float64 sum, as the reference.
cv::Mat generalised_gaussian(int k, const Covariance& inv, double beta, const cv::Mat& noise) {
    cv::Mat kernel(k, k, CV_64F);
    double sum = 0;
    for (int i = 0; i < k; ++i)
        for (int j = 0; j < k; ++j) {
            const double x = j - k / 2, y = i - k / 2;
            const double q = (x * inv.a + y * inv.b) * x + (x * inv.b + y * inv.d) * y;
            const double v = std::exp(-0.5 * std::pow(q, beta)) * noise.at<double>(i, j);
            kernel.at<double>(i, j) = static_cast<float>(v);
            sum += v;
        }
    if (!(sum > 0)) throw std::invalid_argument("AdvancedBlur: the drawn noise_range gives a kernel summing to 0");
    return kernel / sum;
}

cv::Mat advanced_blur(const cv::Mat& image, const Params& params, Random& rng) {
    const int k = odd_size_from(params, "blur_range", rng);
    const double sigma_x = draw(params, "sigma_x_range", rng);
    const double sigma_y = draw(params, "sigma_y_range", rng);
    const double degrees = draw(params, "rotate_range", rng);
    const auto betas = params.range("beta_range");
    // Half the draws below 1 and half above, so that narrow kernels (beta > 1) are not the rule.
    const double beta = rng.uniform01() < 0.5 ? rng.uniform(betas[0], 1.0) : rng.uniform(1.0, betas[1]);
    rng.note("beta_range", Json::array({std::min(beta, 1.0), std::max(beta, 1.0)}));
    const auto noise_range = params.range("noise_range");
    cv::Mat noise(k, k, CV_64F);
    cv::RNG(rng.next_u64()).fill(noise, cv::RNG::UNIFORM, noise_range[0], noise_range[1]);
    double low, high;
    cv::minMaxLoc(noise, &low, &high);
    rng.note("noise_range", Json::array({low, high}));
    if (sigma_x == 0 || sigma_y == 0)
        throw std::invalid_argument(std::string("AdvancedBlur: ") + (sigma_x == 0 ? "sigma_x_range" : "sigma_y_range") +
                                    " drew 0: the kernel's covariance is singular");
    const cv::Mat kernel = generalised_gaussian(k, inverse_covariance(sigma_x, sigma_y, degrees * kPi / 180.0), beta, noise);
    return convolved(image, kernel);
}

// ---- RingingOvershoot: a circular sinc (jinc) low-pass of the drawn cutoff --------------------------
cv::Mat sinc_kernel(int k, double cutoff) {
    cv::Mat kernel(k, k, CV_64F);
    const double centre = (k - 1) / 2.0;
    double sum = 0;
    for (int i = 0; i < k; ++i)
        for (int j = 0; j < k; ++j) {
            const double r = std::hypot(i - centre, j - centre);
            const double v = r == 0 ? cutoff * cutoff / (4 * kPi) : cutoff * std::cyl_bessel_j(1.0, cutoff * r) / (2 * kPi * r);
            kernel.at<double>(i, j) = static_cast<float>(v);
            sum += v;
        }
    if (sum == 0) throw std::invalid_argument("RingingOvershoot: cutoff_range drew 0: the kernel is zero");
    return kernel / sum;
}

cv::Mat ringing_overshoot(const cv::Mat& image, const Params& params, Random& rng) {
    const int k = odd_size_from(params, "blur_range", rng);
    const double cutoff = draw(params, "cutoff_range", rng);
    return convolved(image, sinc_kernel(k, cutoff));
}

// A filter: each output pixel reads its neighbours.
TransformDecl filter_decl(const std::string& name, std::vector<ParamDecl> params, PixelOp op) {
    TransformDecl d = pixel::pixel_transform(name, std::move(params), std::move(op));
    d.reads_neighbours = true;
    return d;
}

ParamDecl kernel_sizes(Json fallback) {
    return range_param("blur_range", std::move(fallback)).between(3.0, std::nullopt).odd_sizes().in("pixels, odd");
}

}  // namespace

void register_blur_effects(Registry& r) {
    r.add(filter_decl("UnsharpMask",
                      {kernel_sizes(Json::array({3, 7})), range_param("sigma_range", Json::array({0.0, 0.0})).between(0.0, std::nullopt),
                       range_param("alpha_range", Json::array({0.2, 0.5})).between(0.0, 1.0),
                       integer_param("threshold", 10).between(0, 255)},
                      unsharp_mask));
    r.add(filter_decl("Defocus",
                      {range_param("radius_range", Json::array({3, 10})).between(1.0, std::nullopt).whole().in("pixels"),
                       range_param("alias_blur_range", Json::array({0.1, 0.5})).between(0.0, std::nullopt)},
                      defocus));
    TransformDecl zoom = filter_decl("ZoomBlur",
                                     {range_param("max_factor_range", Json::array({1, 1.31})).between(1.0, std::nullopt),
                                      range_param("step_factor_range", Json::array({0.01, 0.03})).between(0.0, std::nullopt)},
                                     zoom_blur);
    zoom.check = [](const std::string& owner, const Params& p) {
        // numpy's arange refuses a step of 0 (ZeroDivisionError in the reference, at the call).
        if (p.range("step_factor_range")[0] <= 0)
            throw std::invalid_argument(owner + ": step_factor_range values must be > 0, got " + python_repr(p.at("step_factor_range")));
    };
    r.add(std::move(zoom));
    r.add(filter_decl("GlassBlur",
                      {number_param("sigma", 0.7).between(0.0, std::nullopt), integer_param("max_delta", 4).between(1, std::nullopt),
                       integer_param("iterations", 2).between(1, std::nullopt), choice_param("mode", "fast", Json::array({"fast", "exact"}))},
                      glass_blur));
    TransformDecl advanced = filter_decl(
        "AdvancedBlur",
        {kernel_sizes(Json::array({3, 7})), range_param("sigma_x_range", Json::array({0.2, 1.0})).between(0.0, std::nullopt),
         range_param("sigma_y_range", Json::array({0.2, 1.0})).between(0.0, std::nullopt),
         range_param("rotate_range", Json::array({-90, 90})).in("degrees"),
         range_param("beta_range", Json::array({0.5, 8.0})).between(0.0, std::nullopt),
         range_param("noise_range", Json::array({0.9, 1.1})).between(0.0, std::nullopt)},
        advanced_blur);
    advanced.check = [](const std::string& owner, const Params& p) {
        const auto beta = p.range("beta_range");
        if (!(beta[0] <= 1.0 && 1.0 <= beta[1]))
            throw std::invalid_argument(owner + ": beta_range must include 1.0, got " + python_repr(p.at("beta_range")));
        if (p.range("sigma_x_range")[0] == 0 && p.range("sigma_y_range")[0] == 0)
            throw std::invalid_argument(owner + ": sigma_x_range and sigma_y_range minimum values cannot both be 0");
    };
    r.add(std::move(advanced));
    r.add(filter_decl("RingingOvershoot",
                      {kernel_sizes(Json::array({7, 15})),
                       range_param("cutoff_range", Json::array({kPi / 4, kPi / 2})).between(0.0, kPi).in("radians")},
                      ringing_overshoot));
}

}  // namespace instaug
