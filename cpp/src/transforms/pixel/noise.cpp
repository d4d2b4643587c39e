// GaussNoise: additive Gaussian noise, in units of the image's range.
#include <opencv2/core.hpp>

#include "transforms/registry.hpp"

namespace instaug {
namespace {

cv::Mat gauss_noise(const cv::Mat& image, const Params& params, Random& rng) {
    const auto std_range = params.range("std_range");
    const auto mean_range = params.range("mean_range");
    const double sigma = rng.uniform(std_range[0], std_range[1]);
    const double mean = rng.uniform(mean_range[0], mean_range[1]);
    rng.note("std_range", sigma);
    rng.note("mean_range", mean);
    const double scale = image.depth() == CV_8U ? 255.0 : 1.0;
    const bool per_channel = params.flag("per_channel");
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

}  // namespace

void register_noise(Registry& r) {
    TransformDecl d;
    d.name = "GaussNoise";
    d.kind = TransformKind::Pixel;
    d.params = {range_param("std_range", Json::array({0.2, 0.44})).between(0.0, 1.0).in("fraction of the value range"),
                range_param("mean_range", Json::array({0.0, 0.0})).between(-1.0, 1.0).in("fraction of the value range"),
                flag_param("per_channel", false), probability_param(0.5)};
    d.pixels = gauss_noise;
    d.reads_neighbours = true;
    r.add(std::move(d));
}

}  // namespace instaug
