// PlasmaBrightnessContrast and PlasmaShadow: brightness, contrast or shade varying over the image
// along a plasma fractal (diamond-square), one generator for both. The fractal is drawn from our
// random stream (the reference's is NumPy's): it agrees in distribution; given the fractal, the
// image arithmetic is the reference's, in float32 operation for operation.
#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

cv::Mat normalized(const cv::Mat& grid) {
    cv::Mat out;
    cv::normalize(grid, out, 0, 1, cv::NORM_MINMAX, CV_32F);
    return out;
}

// Uniform noise in [-scale, scale), one value per node, in float32.
cv::Mat noise(int rows, int cols, double scale, Random& rng) {
    cv::Mat n(rows, cols, CV_32F);
    for (int y = 0; y < rows; ++y) {
        float* p = n.ptr<float>(y);
        for (int x = 0; x < cols; ++x) p[x] = static_cast<float>(rng.uniform(-scale, scale));
    }
    return n;
}

// One refinement of the grid (n -> 2n - 1 nodes a side): the old nodes with noise, then the
// diamond and the square midpoints as the mean of their neighbours plus noise (where that mean is
// positive, as the reference's masks), normalised to [0, 1].
cv::Mat diamond_square_step(const cv::Mat& grid, double scale, Random& rng) {
    const int rows = (grid.rows - 1) * 2 + 1, cols = (grid.cols - 1) * 2 + 1;
    const cv::Mat n = noise(rows, cols, scale, rng);
    cv::Mat g = cv::Mat::zeros(rows, cols, CV_32F);
    for (int y = 0; y < grid.rows; ++y)
        for (int x = 0; x < grid.cols; ++x) g.at<float>(2 * y, 2 * x) = grid.at<float>(y, x) + n.at<float>(2 * y, 2 * x);
    static const cv::Mat diamond = (cv::Mat_<float>(3, 3) << 0.25f, 0, 0.25f, 0, 0, 0, 0.25f, 0, 0.25f);
    static const cv::Mat square = (cv::Mat_<float>(3, 3) << 0, 0.25f, 0, 0.25f, 0, 0.25f, 0, 0.25f, 0);
    for (const cv::Mat* kernel : {&diamond, &square}) {
        cv::Mat mean;
        cv::filter2D(g, mean, CV_32F, *kernel, cv::Point(-1, -1), 0, cv::BORDER_CONSTANT);
        for (int y = 0; y < rows; ++y) {
            float* p = g.ptr<float>(y);
            const float* m = mean.ptr<float>(y);
            const float* e = n.ptr<float>(y);
            for (int x = 0; x < cols; ++x)
                if (m[x] > 0) p[x] += m[x] + e[x];
        }
    }
    return normalized(g);
}

// A height x width field in [0, 1]: the fractal on at most plasma_size nodes a side, resized
// (bilinear) to the image when the image is larger.
cv::Mat plasma_field(int height, int width, const Params& params, Random& rng) {
    const int size = params.integer32("plasma_size");
    const int h = std::min(height, size), w = std::min(width, size);
    const double roughness = params.number("roughness");
    // Steps until the grid (2^(k+1) + 1 nodes) covers the larger side, as the reference counts them.
    const int largest = std::max(h, w);
    const int steps = largest <= 2 ? 0 : static_cast<int>(std::ceil(std::log2(largest - 1.0))) - 1;
    cv::Mat grid = noise(3, 3, 1.0, rng);
    for (int i = 0; i < steps; ++i)
        grid = diamond_square_step(grid, static_cast<float>(std::pow(roughness, i)), rng);
    cv::Mat field = cv::max(cv::min(normalized(grid(cv::Rect(0, 0, w, h))), 1.0), 0.0);
    if (h != height || w != width) cv::resize(field, field, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
    return field;
}

// uint8 <-> float32 as the reference's float32_io.
cv::Mat as_float(const cv::Mat& image) { return image.depth() == CV_32F ? image : pixel::float32_io_in(image); }

cv::Mat back_to(const cv::Mat& image, int depth) {
    return depth == CV_32F ? pixel::clip01(image) : pixel::float32_io_out(image);
}

void add_row(float* __restrict v, const float* __restrict add, int n) {
    for (int i = 0; i < n; ++i) v[i] = v[i] + add[i];
}

void contrast_row(float* __restrict v, const float* __restrict weight, const float* __restrict shift, int n) {
    for (int i = 0; i < n; ++i) v[i] = v[i] * weight[i] + shift[i];
}

// ---- PlasmaBrightnessContrast: v + b P, then (v - mean) (1 + c P) + mean --------------------------
cv::Mat plasma_brightness_contrast(const cv::Mat& image, const Params& params, Random& rng) {
    // The field first: the same seed gives the same field to both plasma transforms.
    const cv::Mat field = plasma_field(image.rows, image.cols, params, rng);
    const double brightness = pixel::draw(params, "brightness_range", rng);
    const double contrast = pixel::draw(params, "contrast_range", rng);
    rng.note("brightness_range", brightness);
    rng.note("contrast_range", contrast);
    if (brightness == 0 && contrast == 0) return image.depth() == CV_8U ? image.clone() : pixel::clip01(image.clone());
    cv::Mat f = as_float(image).clone();
    const int channels = f.channels(), n = f.cols * channels;
    const float b = static_cast<float>(brightness), c = static_cast<float>(contrast);
    std::vector<float> spread(n);
    auto spread_row = [&](int y, float scale) {  // the field row x scale, one value per channel
        const float* q = field.ptr<float>(y);
        for (int x = 0, i = 0; x < f.cols; ++x)
            for (int k = 0; k < channels; ++k, ++i) spread[i] = q[x] * scale;
    };
    if (brightness != 0)
        for (int y = 0; y < f.rows; ++y) {
            spread_row(y, b);
            add_row(f.ptr<float>(y), spread.data(), n);
        }
    if (contrast != 0) {
        const cv::Scalar sums = cv::sum(f);  // the mean in float64, as the reference's
        const double mean = (sums[0] + sums[1] + sums[2] + sums[3]) / (static_cast<double>(f.total()) * channels);
        std::vector<float> shift(n);
        for (int y = 0; y < f.rows; ++y) {
            spread_row(y, c);
            for (int i = 0; i < n; ++i) {
                spread[i] = spread[i] + 1.0f;  // the weight 1 + c P
                shift[i] = static_cast<float>(mean * static_cast<double>(1.0f - spread[i]));
            }
            contrast_row(f.ptr<float>(y), spread.data(), shift.data(), n);
        }
    }
    return back_to(f, image.depth());
}

// v x gain, clipped (uint8: truncated), in flat loops the compiler vectorises.
void shade_row(const uint8_t* __restrict in, const float* __restrict gain, uint8_t* __restrict o, int n) {
    for (int i = 0; i < n; ++i) {
        float v = static_cast<float>(in[i]) * gain[i];
        v = v > 0.0f ? v : 0.0f;
        o[i] = static_cast<uint8_t>(static_cast<int>(v < 255.0f ? v : 255.0f));
    }
}

void shade_row(const float* __restrict in, const float* __restrict gain, float* __restrict o, int n) {
    for (int i = 0; i < n; ++i) o[i] = std::clamp(in[i] * gain[i], 0.0f, 1.0f);
}

// ---- PlasmaShadow: v (1 - intensity P) --------------------------------------------------------------
cv::Mat plasma_shadow(const cv::Mat& image, const Params& params, Random& rng) {
    const cv::Mat field = plasma_field(image.rows, image.cols, params, rng);
    const double intensity = pixel::draw(params, "shadow_intensity_range", rng);
    rng.note("shadow_intensity_range", intensity);
    const float k = static_cast<float>(intensity);
    const int channels = image.channels(), n = image.cols * channels;
    cv::Mat out(image.size(), image.type());
    std::vector<float> gain(n);
    for (int y = 0; y < image.rows; ++y) {
        const float* q = field.ptr<float>(y);
        for (int x = 0, i = 0; x < image.cols; ++x)
            for (int c = 0; c < channels; ++c, ++i) gain[i] = 1.0f - q[x] * k;
        if (image.depth() == CV_8U) shade_row(image.ptr<uint8_t>(y), gain.data(), out.ptr<uint8_t>(y), n);
        else shade_row(image.ptr<float>(y), gain.data(), out.ptr<float>(y), n);
    }
    return out;
}

std::vector<ParamDecl> with_plasma(std::vector<ParamDecl> params) {
    params.push_back(integer_param("plasma_size", 256).between(1, std::nullopt));
    params.push_back(number_param("roughness", 3.0).between(1e-12, std::nullopt));
    return params;
}

}  // namespace

void register_plasma(Registry& r) {
    r.add(pixel::pixel_transform("PlasmaBrightnessContrast",
                                 with_plasma({range_param("brightness_range", Json::array({-0.3, 0.3})).between(-1.0, 1.0),
                                              range_param("contrast_range", Json::array({-0.3, 0.3})).between(-1.0, 1.0)}),
                                 plasma_brightness_contrast));
    r.add(pixel::pixel_transform(
        "PlasmaShadow",
        with_plasma({range_param("shadow_intensity_range", Json::array({0.3, 0.7})).between(0.0, 1.0)}),
        plasma_shadow));
}

}  // namespace instaug
