#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <unordered_map>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "instaug/box_blur.hpp"
#include "instaug/photometric.hpp"

namespace instaug {
namespace {

using Sampler = std::function<cv::Mat(const cv::Mat&, const TransformSpec&, Random&)>;

// An odd kernel size from [low, high], as the reference's sample_odd_from_range.
int sample_odd(const TransformSpec& spec, const char* key, Random& rng) {
    const auto& r = spec.vector(key);
    int low = static_cast<int>(r[0]), high = static_cast<int>(r[1]);
    low = std::max(3, low + (low % 2 == 0));
    high = std::max(3, high + (high % 2 == 0));
    high = std::max(high, low);
    if (low == high) return low;
    const int count = (high - low) / 2 + 1;
    return low + 2 * static_cast<int>(rng.randint(0, count - 1));
}

cv::Mat box_blur(const cv::Mat& image, const TransformSpec& spec, Random& rng) {
    const int k = sample_odd(spec, "blur_range", rng);
    cv::Mat out;
    box_mean_blur(image, out, k);
    return out;
}

// The reference's create_gaussian_kernel_1d (float32 weights). A kernel size of 0 asks the
// reference for Pillow's box-approximated blur; we use the Gaussian of radius 3.5 sigma instead.
cv::Mat gaussian_kernel(double sigma, int ksize) {
    int size = ksize == 0 ? static_cast<int>(sigma * 3.5) * 2 + 1 : ksize;
    if (size % 2 == 0) ++size;
    cv::Mat kernel(size, 1, CV_32F, cv::Scalar(0));
    if (sigma == 0) {
        kernel.at<float>(size / 2) = 1.0f;
        return kernel;
    }
    float sum = 0;
    for (int i = 0; i < size; ++i) {
        const float x = static_cast<float>(i - size / 2) / static_cast<float>(sigma);
        kernel.at<float>(i) = std::exp(-0.5f * x * x);
        sum += kernel.at<float>(i);
    }
    return kernel / sum;
}

cv::Mat gaussian_blur(const cv::Mat& image, const TransformSpec& spec, Random& rng) {
    const auto& sigma_range = spec.vector("sigma_range");
    const auto& blur_range = spec.vector("blur_range");
    const double sigma = rng.uniform(sigma_range[0], sigma_range[1]);
    const int ksize = static_cast<int>(rng.randint(static_cast<int64_t>(blur_range[0]), static_cast<int64_t>(blur_range[1])));
    const cv::Mat kernel = gaussian_kernel(sigma, ksize);
    cv::Mat out;
    cv::sepFilter2D(image, out, -1, kernel, kernel);
    return out;
}

// OpenCV's median on 1, 3 or 4 channels. Its float median stops at 5: larger kernels take the
// uint8 round trip, as the reference.
cv::Mat median_of(const cv::Mat& image, int k) {
    cv::Mat out;
    if (image.depth() == CV_8U || k <= 5) {
        cv::medianBlur(image, out, k);
        return out;
    }
    cv::medianBlur(pixel::to_uint8(image), out, k);
    return pixel::to_float32(out);
}

cv::Mat median_blur(const cv::Mat& image, const TransformSpec& spec, Random& rng) {
    const int k = sample_odd(spec, "blur_range", rng);
    if (image.channels() != 2) return median_of(image, k);
    // Two channels, which OpenCV lacks: the median is per channel anyway.
    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    for (cv::Mat& plane : planes) plane = median_of(plane, k);
    cv::Mat out;
    cv::merge(planes, out);
    return out;
}

// The reference's create_motion_kernel: a line through the centre at `angle`, biased by
// `direction`, optionally shifted.
cv::Mat motion_kernel(int k, double angle, double direction, bool allow_shifted, Random& rng) {
    direction = std::clamp(direction, -1.0, 1.0);
    const int center = k / 2;
    const double a = angle * M_PI / 180.0, dx = std::cos(a), dy = std::sin(a);
    const double half = k / 2;
    double t0 = -half, t1 = half;
    if (direction < 0) t1 = half * (1 - std::abs(direction));
    else if (direction > 0) t0 = -half * (1 - direction);
    double shift_x = 0, shift_y = 0;
    if (allow_shifted) {
        shift_x = rng.uniform(-1, 1) * half / 2;
        shift_y = rng.uniform(-1, 1) * half / 2;
    }
    cv::Mat kernel = cv::Mat::zeros(k, k, CV_32F);
    for (int i = 0; i < k; ++i) {
        const double t = k == 1 ? t0 : t0 + (t1 - t0) * i / (k - 1);
        const int x = std::clamp(static_cast<int>(std::nearbyint(center + dx * t + shift_x)), 0, k - 1);
        const int y = std::clamp(static_cast<int>(std::nearbyint(center + dy * t + shift_y)), 0, k - 1);
        kernel.at<float>(y, x) = 1.0f;
    }
    if (cv::countNonZero(kernel) == 0) kernel.at<float>(center, center) = 1.0f;
    return kernel / cv::sum(kernel)[0];
}

cv::Mat motion_blur(const cv::Mat& image, const TransformSpec& spec, Random& rng) {
    const int k = sample_odd(spec, "blur_range", rng);
    const auto& angle_range = spec.vector("angle_range");
    const auto& direction_range = spec.vector("direction_range");
    const double angle = rng.uniform(angle_range[0], angle_range[1]);
    const double direction = rng.uniform(direction_range[0], direction_range[1]);
    const cv::Mat kernel = motion_kernel(k, angle, direction, spec.number_or("allow_shifted", 1) != 0, rng);
    cv::Mat out;
    cv::filter2D(image, out, -1, kernel);
    return out;
}

cv::Mat gauss_noise(const cv::Mat& image, const TransformSpec& spec, Random& rng) {
    const auto& std_range = spec.vector("std_range");
    const auto& mean_range = spec.vector("mean_range");
    const double sigma = rng.uniform(std_range[0], std_range[1]);
    const double mean = rng.uniform(mean_range[0], mean_range[1]);
    const double scale = image.depth() == CV_8U ? 255.0 : 1.0;
    const bool per_channel = spec.number_or("per_channel", 0) != 0;
    // OpenCV's generator, seeded from ours: fast, and still a function of the call's seed.
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
    cv::min(f, 1.0, f);
    cv::max(f, 0.0, f);
    return f;
}

const std::unordered_map<std::string, Sampler>& samplers() {
    static const std::unordered_map<std::string, Sampler> table = {
        {"Blur", box_blur},
        {"GaussianBlur", gaussian_blur},
        {"MedianBlur", median_blur},
        {"MotionBlur", motion_blur},
        {"GaussNoise", gauss_noise},
    };
    return table;
}

}  // namespace

bool is_blur_or_noise(const std::string& name) { return samplers().count(name) != 0; }

cv::Mat apply_blur_or_noise(const cv::Mat& image, const TransformSpec& spec, Random& rng) {
    return samplers().at(spec.name)(image, spec, rng);
}

}  // namespace instaug
