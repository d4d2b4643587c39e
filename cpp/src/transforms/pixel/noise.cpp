// The noise family: GaussNoise (additive Gaussian), ISONoise (camera-sensor hue and luminance noise),
// MultiplicativeNoise (gains), SaltAndPepper (impulses) and ShotNoise (Poisson photon counts). Values
// are in units of the image's range; per-pixel noise comes from generators seeded from ours, so it
// is still a function of the call's seed.
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <stdexcept>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "kernels/table_chain.hpp"
#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

using pixel::draw;

// Float32 images back to the input's dtype: uint8 rounded and saturated, float32 clipped to [0, 1].
cv::Mat in_dtype_of(const cv::Mat& input, cv::Mat f) {
    return input.depth() == CV_8U ? pixel::to_uint8(f) : pixel::clip01(std::move(f));
}

cv::Mat as_float32(const cv::Mat& image) {
    if (image.depth() == CV_8U) return pixel::to_float32(image);
    return image.clone();  // the caller writes into it
}

// numpy refuses a Poisson mean past this (its sampler's integers would overflow).
constexpr double kMaxPoissonMean = 9.2e18;

// One Poisson count; a mean of zero (or a NaN pixel's) gives zero, as numpy gives for zero.
double poisson(std::mt19937_64& gen, double mean) {
    if (!(mean > 0)) return 0.0;
    std::poisson_distribution<int64_t> dist(mean);
    return static_cast<double>(dist(gen));
}

// ---- GaussNoise ------------------------------------------------------------------------------
cv::Mat gauss_noise(const cv::Mat& image, const Params& params, Random& rng) {
    const double sigma = draw(params, "std_range", rng);
    const double mean = draw(params, "mean_range", rng);
    const double scale = image.depth() == CV_8U ? 255.0 : 1.0;
    const bool per_channel = params.flag("per_channel");
    cv::RNG noise_rng(rng.next_u64());
    cv::Mat noise(image.rows, image.cols, CV_MAKETYPE(CV_32F, per_channel ? image.channels() : 1));
    noise_rng.fill(noise, cv::RNG::NORMAL, cv::Scalar::all(mean * scale), cv::Scalar::all(sigma * scale));
    if (!per_channel && image.channels() > 1) {
        std::vector<cv::Mat> copies(image.channels(), noise);
        cv::merge(copies, noise);
    }
    cv::Mat f, out;
    image.convertTo(f, CV_MAKETYPE(CV_32F, image.channels()));
    f += noise;
    if (image.depth() == CV_8U) {
        f.convertTo(out, image.type());  // rounds and saturates
        return out;
    }
    return pixel::clip01(f);
}

// ---- ISONoise: in float HLS, hue + N(0, shift * intensity) and lightness + Poisson counts --------
cv::Mat iso_noise(const cv::Mat& image, const Params& params, Random& rng) {
    if (image.channels() != 3)
        throw std::invalid_argument("ISONoise expects 3-channel (RGB) images, got " +
                                    std::to_string(image.channels()) + " channels");
    const double color_shift = draw(params, "color_shift_range", rng);
    const double intensity = draw(params, "intensity_range", rng);
    cv::Mat hls;
    cv::cvtColor(as_float32(image), hls, cv::COLOR_RGB2HLS);
    cv::Scalar mean, stddev;
    cv::meanStdDev(hls, mean, stddev);
    const double luminance_mean = stddev[1] * intensity;
    if (luminance_mean > kMaxPoissonMean)
        throw std::invalid_argument("ISONoise: intensity too large (Poisson mean " + std::to_string(luminance_mean) + ")");
    std::mt19937_64 gen(rng.next_u64());
    cv::Mat hue_noise(hls.size(), CV_32F);
    cv::RNG(rng.next_u64()).fill(hue_noise, cv::RNG::NORMAL, 0.0, color_shift * intensity);
    for (int y = 0; y < hls.rows; ++y) {
        auto* px = hls.ptr<cv::Vec3f>(y);
        const float* dh = hue_noise.ptr<float>(y);
        for (int x = 0; x < hls.cols; ++x) {
            const float counts = static_cast<float>(poisson(gen, luminance_mean) * intensity);
            // OpenCV's HLS2RGB indexes a table by the hue's sector: a NaN hue (from a NaN or
            // infinite pixel) would read outside it.
            px[x][0] = std::isfinite(px[x][0]) ? px[x][0] + dh[x] : 0.0f;
            px[x][1] += counts * (1.0f - px[x][1]);
        }
    }
    cv::Mat rgb;
    cv::cvtColor(hls, rgb, cv::COLOR_HLS2RGB);
    return in_dtype_of(image, rgb);
}

// ---- MultiplicativeNoise: one gain, one per channel, or one per pixel (and channel) -------------
// uint8 products are clipped and truncated, as the reference's tables and its OpenCV path.
cv::Mat truncated_to_uint8(const cv::Mat& product) {
    cv::Mat clipped;
    cv::min(product, 255.0, clipped);
    cv::max(clipped, 0.0, clipped);
    cv::Mat out(product.size(), CV_MAKETYPE(CV_8U, product.channels()));
    const int row_values = product.cols * product.channels();
    for (int y = 0; y < product.rows; ++y) {
        const float* in = clipped.ptr<float>(y);
        uint8_t* o = out.ptr<uint8_t>(y);
        for (int i = 0; i < row_values; ++i) o[i] = static_cast<uint8_t>(in[i]);
    }
    return out;
}

cv::Mat gains_per_value(const cv::Mat& image, const std::vector<double>& gains) {
    if (image.depth() == CV_8U) {
        std::vector<Table8> tables;
        for (int c = 0; c < image.channels(); ++c) {
            const float g = static_cast<float>(gains[gains.size() > 1 ? c : 0]);
            tables.push_back(table_of([g](int v) { return static_cast<double>(static_cast<float>(v) * g); }));
        }
        return apply_tables(image, tables);
    }
    cv::Mat out = image.clone();
    cv::Mat flat = out.reshape(1, static_cast<int>(out.total()));
    for (int c = 0; c < image.channels(); ++c) flat.col(c) *= static_cast<float>(gains[gains.size() > 1 ? c : 0]);
    return pixel::clip01(out);
}

cv::Mat gains_per_pixel(const cv::Mat& image, double low, double high, bool per_channel, Random& rng) {
    cv::Mat gains(image.rows, image.cols, CV_MAKETYPE(CV_32F, per_channel ? image.channels() : 1));
    cv::RNG(rng.next_u64()).fill(gains, cv::RNG::UNIFORM, low, high);
    if (!per_channel && image.channels() > 1) {
        std::vector<cv::Mat> copies(image.channels(), gains);
        cv::merge(copies, gains);
    }
    cv::Mat f;
    image.convertTo(f, CV_MAKETYPE(CV_32F, image.channels()));
    cv::Mat product = f.mul(gains);
    return image.depth() == CV_8U ? truncated_to_uint8(product) : pixel::clip01(product);
}

cv::Mat multiplicative_noise(const cv::Mat& image, const Params& params, Random& rng) {
    const auto range = params.range("multiplier");
    const bool per_channel = params.flag("per_channel");
    if (params.flag("elementwise")) return gains_per_pixel(image, range[0], range[1], per_channel, rng);
    std::vector<double> gains(per_channel ? image.channels() : 1);
    for (double& g : gains) g = rng.uniform(range[0], range[1]);
    return gains_per_value(image, gains);
}

// ---- SaltAndPepper: distinct pixels set to the maximum (salt) or 0 (pepper), all channels -------
// The first `count` entries of a partial Fisher-Yates shuffle of the pixel indices: `count`
// distinct pixels, uniformly, in a uniformly random order.
std::vector<int> distinct_pixels(int area, int count, Random& rng) {
    std::vector<int> order(area);
    std::iota(order.begin(), order.end(), 0);
    for (int i = 0; i < count; ++i) std::swap(order[i], order[rng.randint(i, area - 1)]);
    order.resize(count);
    return order;
}

cv::Mat salt_and_pepper(const cv::Mat& image, const Params& params, Random& rng) {
    const double amount = draw(params, "amount_range", rng);
    const double salt_ratio = draw(params, "salt_vs_pepper_range", rng);
    const int area = image.rows * image.cols;
    const int count = static_cast<int>(area * amount);
    const int salt = static_cast<int>(count * salt_ratio);
    const std::vector<int> pixels = distinct_pixels(area, count, rng);
    cv::Mat out = image.clone();
    const std::size_t pixel_bytes = out.elemSize();
    std::vector<uint8_t> white(pixel_bytes);
    if (image.depth() == CV_8U) std::fill(white.begin(), white.end(), 255);
    else for (std::size_t i = 0; i < pixel_bytes; i += sizeof(float)) { const float one = 1.0f; std::memcpy(&white[i], &one, sizeof one); }
    for (int k = 0; k < count; ++k) {
        uint8_t* px = out.ptr<uint8_t>(pixels[k] / out.cols) + (pixels[k] % out.cols) * pixel_bytes;
        if (k < salt) std::memcpy(px, white.data(), pixel_bytes);
        else std::memset(px, 0, pixel_bytes);  // 0.0f is all zero bits too
    }
    return out;
}

// ---- ShotNoise: Poisson photon counts in linear light (gamma 2.2), `scale` units per photon -----
cv::Mat shot_noise(const cv::Mat& image, const Params& params, Random& rng) {
    const double scale = draw(params, "scale_range", rng);
    if (scale == 0)
        throw std::invalid_argument("ShotNoise: a scale of 0 means infinitely many photons (the reference's Poisson "
                                    "sampler refuses it); scale_range must draw a positive scale");
    cv::Mat linear;
    cv::pow(as_float32(image), 2.2, linear);
    // The reference's float32 arithmetic, so that the means are the same numbers.
    const float offset = static_cast<float>(scale * 1e-6), divisor = static_cast<float>(scale);
    std::mt19937_64 gen(rng.next_u64());
    cv::Mat flat = linear.reshape(1);
    for (int y = 0; y < flat.rows; ++y) {
        float* v = flat.ptr<float>(y);
        for (int i = 0; i < flat.cols; ++i) {
            const double mean = (v[i] + offset) / divisor;
            if (mean > kMaxPoissonMean)
                throw std::invalid_argument("ShotNoise: scale too small (Poisson mean " + std::to_string(mean) + ")");
            v[i] = std::isfinite(mean) ? static_cast<float>(poisson(gen, mean)) * divisor : v[i];
        }
    }
    cv::Mat out;
    cv::pow(pixel::clip01(linear), 1 / 2.2, out);
    return in_dtype_of(image, out);
}

}  // namespace

void register_noise(Registry& r) {
    TransformDecl gauss = pixel::pixel_transform(
        "GaussNoise",
        {range_param("std_range", Json::array({0.2, 0.44})).between(0.0, 1.0).in("fraction of the value range"),
         range_param("mean_range", Json::array({0.0, 0.0})).between(-1.0, 1.0).in("fraction of the value range"),
         flag_param("per_channel", false)},
        gauss_noise);
    gauss.reads_neighbours = true;
    r.add(std::move(gauss));
    r.add(pixel::pixel_transform(
        "ISONoise",
        {range_param("color_shift_range", Json::array({0.01, 0.05})).between(0.0, 1.0),
         range_param("intensity_range", Json::array({0.1, 0.5})).between(0.0, std::nullopt)},
        iso_noise));
    r.add(pixel::pixel_transform("MultiplicativeNoise",
                                 {range_param("multiplier", Json::array({0.9, 1.1})).between(0.0, std::nullopt),
                                  flag_param("per_channel", false), flag_param("elementwise", false)},
                                 multiplicative_noise));
    r.add(pixel::pixel_transform(
        "SaltAndPepper",
        {range_param("amount_range", Json::array({0.01, 0.06})).between(0.0, 1.0).in("fraction of the pixels"),
         range_param("salt_vs_pepper_range", Json::array({0.4, 0.6})).between(0.0, 1.0).in("fraction of the noisy pixels")},
        salt_and_pepper));
    r.add(pixel::pixel_transform(
        "ShotNoise", {range_param("scale_range", Json::array({0.1, 0.3})).between(0.0, std::nullopt).in("intensity per photon")},
        shot_noise));
}

}  // namespace instaug
