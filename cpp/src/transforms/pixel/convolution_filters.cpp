// Sharpen and Emboss: 3x3 kernels blended with the identity by a drawn alpha (the reference's
// matrices, through OpenCV's filter2D with its default reflecting border), or Sharpen's unsharp
// mask of a Gaussian blur.
#include <opencv2/imgproc.hpp>

#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

using pixel::draw;

// (1 - alpha) * identity + alpha * effect, in float32 as the reference builds it.
cv::Mat blended_kernel(double alpha, const cv::Matx33f& effect) {
    const cv::Matx33f identity(0, 0, 0, 0, 1, 0, 0, 0, 0);
    return cv::Mat(identity * static_cast<float>(1.0 - alpha) + effect * static_cast<float>(alpha), true);
}

// filter2D keeps the depth: uint8 saturates, float32 is clipped to [0, 1] as the reference's @clipped.
cv::Mat convolved(const cv::Mat& image, const cv::Mat& kernel) {
    cv::Mat out;
    cv::filter2D(image, out, -1, kernel, cv::Point(-1, -1), 0, cv::BORDER_DEFAULT);
    return image.depth() == CV_32F ? pixel::clip01(out) : out;
}

cv::Mat sharpen(const cv::Mat& image, const Params& params, Random& rng) {
    const double alpha = draw(params, "alpha_range", rng);
    if (params.text("method") == "kernel") {
        const float lightness = static_cast<float>(draw(params, "lightness_range", rng));
        return convolved(image, blended_kernel(alpha, cv::Matx33f(-1, -1, -1, -1, 8 + lightness, -1, -1, -1, -1)));
    }
    const int k = params.integer32("kernel_size");
    const double sigma = params.number("sigma");
    cv::Mat blurred, out;
    cv::GaussianBlur(image, blurred, cv::Size(k, k), sigma, sigma);
    cv::addWeighted(image, 1.0 + alpha, blurred, -alpha, 0.0, out);
    return image.depth() == CV_32F ? pixel::clip01(out) : out;
}

cv::Mat emboss(const cv::Mat& image, const Params& params, Random& rng) {
    const double alpha = draw(params, "alpha_range", rng);
    const float s = static_cast<float>(draw(params, "strength_range", rng));
    return convolved(image, blended_kernel(alpha, cv::Matx33f(-1 - s, -s, 0, -s, 1, s, 0, s, 1 + s)));
}

}  // namespace

void register_convolution_filters(Registry& r) {
    TransformDecl sharpen_decl = pixel::pixel_transform(
        "Sharpen",
        {range_param("alpha_range", Json::array({0.2, 0.5})).between(0.0, 1.0),
         range_param("lightness_range", Json::array({0.5, 1.0})).between(0.0, std::nullopt),
         choice_param("method", "kernel", Json::array({"kernel", "gaussian"})),
         integer_param("kernel_size", 5).between(0, 255), number_param("sigma", 1.0).between(0.0, std::nullopt)},
        sharpen);
    sharpen_decl.check = [](const std::string& owner, const Params& p) {
        const int64_t k = p.integer("kernel_size");
        if (k != 0 && k % 2 == 0)
            throw std::invalid_argument(owner + ": kernel_size must be odd or 0, got " + std::to_string(k));
    };
    sharpen_decl.reads_neighbours = true;
    r.add(std::move(sharpen_decl));
    TransformDecl emboss_decl = pixel::pixel_transform(
        "Emboss",
        {range_param("alpha_range", Json::array({0.2, 0.5})).between(0.0, 1.0),
         range_param("strength_range", Json::array({0.2, 0.7})).between(0.0, std::nullopt)},
        emboss);
    emboss_decl.reads_neighbours = true;
    r.add(std::move(emboss_decl));
}

}  // namespace instaug
