// Blur, MedianBlur, GaussianBlur and MotionBlur: neighbourhood filters on the image.
#include <algorithm>
#include <cmath>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "core/math_constants.hpp"
#include "kernels/box_blur.hpp"
#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// An odd kernel size from [low, high], as the reference's sample_odd_from_range.
int sample_odd(const Params& params, const char* key, Random& rng) {
    const auto r = params.range(key);
    int low = static_cast<int>(r[0]), high = static_cast<int>(r[1]);
    low = std::max(3, low + (low % 2 == 0));
    high = std::max(3, high + (high % 2 == 0));
    high = std::max(high, low);
    const int count = (high - low) / 2 + 1;
    const int size = low == high ? low : low + 2 * static_cast<int>(rng.randint(0, count - 1));
    rng.note(key, size);
    return size;
}

cv::Mat box_blur(const cv::Mat& image, const Params& params, Random& rng) {
    const int k = sample_odd(params, "blur_range", rng);
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

cv::Mat gaussian_blur(const cv::Mat& image, const Params& params, Random& rng) {
    const auto sigma_range = params.range("sigma_range");
    const auto blur_range = params.range("blur_range");
    const double sigma = rng.uniform(sigma_range[0], sigma_range[1]);
    const int ksize = static_cast<int>(rng.randint(static_cast<int64_t>(blur_range[0]), static_cast<int64_t>(blur_range[1])));
    rng.note("sigma_range", sigma);
    rng.note("blur_range", ksize);
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

cv::Mat median_blur(const cv::Mat& image, const Params& params, Random& rng) {
    const int k = sample_odd(params, "blur_range", rng);
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
    const double a = angle * kPi / 180.0, dx = std::cos(a), dy = std::sin(a);
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

cv::Mat motion_blur(const cv::Mat& image, const Params& params, Random& rng) {
    const int k = sample_odd(params, "blur_range", rng);
    const auto angle_range = params.range("angle_range");
    const auto direction_range = params.range("direction_range");
    const double angle = rng.uniform(angle_range[0], angle_range[1]);
    const double direction = rng.uniform(direction_range[0], direction_range[1]);
    rng.note("angle_range", angle);
    rng.note("direction_range", direction);
    const cv::Mat kernel = motion_kernel(k, angle, direction, params.flag("allow_shifted"), rng);
    cv::Mat out;
    cv::filter2D(image, out, -1, kernel);
    return out;
}

// A filter: each output pixel reads its neighbours.
TransformDecl blur_decl(const std::string& name, std::vector<ParamDecl> params, PixelOp op) {
    TransformDecl d = pixel::pixel_transform(name, std::move(params), std::move(op));
    d.reads_neighbours = true;
    return d;
}

}  // namespace

void register_blur(Registry& r) {
    auto kernel_sizes = [](Json fallback, double low) {
        return range_param("blur_range", std::move(fallback)).between(low, std::nullopt).odd_sizes().in("pixels, odd");
    };
    r.add(blur_decl("Blur", {kernel_sizes(Json::array({3, 7}), 3)}, box_blur));
    r.add(blur_decl("MedianBlur", {kernel_sizes(Json::array({3, 7}), 3)}, median_blur));
    TransformDecl gaussian = blur_decl(
        "GaussianBlur",
        {kernel_sizes(Json::array({0, 0}), 0), range_param("sigma_range", Json::array({0.5, 3.0})).between(0.0, std::nullopt)},
        gaussian_blur);
    // albumentationsx's keyword-only arguments for volumes, which instaug does not take: accepted
    // (checked) so that its files load, and without effect on images, as in the reference.
    ParamDecl volume_mode = choice_param("volume_mode", "slice", Json::array({"slice", "3d"}));
    ParamDecl sigma_z = range_param("sigma_z_range", nullptr).between(0.0, std::nullopt);
    ParamDecl blur_z = range_param("blur_z_range", nullptr).between(0.0, std::nullopt).whole();
    gaussian.params.insert(gaussian.params.end(), {volume_mode, sigma_z, blur_z});
    gaussian.check = [](const std::string& owner, const Params& p) {
        const auto b = p.range("blur_range");
        if (b[0] == 0 && b[1] != 0)
            throw std::invalid_argument(owner + ": blur_range is (0, 0) or positive sizes, got " + python_repr(p.at("blur_range")));
    };
    r.add(std::move(gaussian));
    r.add(blur_decl("MotionBlur",
                    {kernel_sizes(Json::array({3, 7}), 3), flag_param("allow_shifted", true),
                     range_param("angle_range", Json::array({0, 360})).in("degrees"),
                     range_param("direction_range", Json::array({-1.0, 1.0})).between(-1.0, 1.0)},
                    motion_blur));
}

}  // namespace instaug
