// Weather and light: RandomShadow (polygons of darker light over a region of the image).
#include <stdexcept>
#include <string>

#include <opencv2/imgproc.hpp>

#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// num_shadows polygons of shadow_dimension vertices drawn in shadow_roi; inside each the image
// is scaled by 1 - intensity and truncated, shadows compounding where they overlap (the
// reference's add_shadow, on uint8 values).
cv::Mat random_shadow(const cv::Mat& image, const Params& params, Random& rng) {
    const auto counts = params.range("num_shadows_range");
    const int n = static_cast<int>(rng.randint(static_cast<int64_t>(counts[0]), static_cast<int64_t>(counts[1])));
    const std::vector<double> roi = params.numbers("shadow_roi");
    const int x_min = static_cast<int>(roi[0] * image.cols), x_max = static_cast<int>(roi[2] * image.cols);
    const int y_min = static_cast<int>(roi[1] * image.rows), y_max = static_cast<int>(roi[3] * image.rows);
    if (x_max <= x_min || y_max <= y_min)
        throw std::invalid_argument("RandomShadow: shadow_roi covers no whole pixel of the " +
                                    std::to_string(image.cols) + "x" + std::to_string(image.rows) + " image");
    const int vertices = params.integer32("shadow_dimension");
    std::vector<std::vector<cv::Point>> polygons(n, std::vector<cv::Point>(vertices));
    for (auto& polygon : polygons) {
        for (cv::Point& v : polygon) v.x = static_cast<int>(rng.randint(x_min, x_max - 1));
        for (cv::Point& v : polygon) v.y = static_cast<int>(rng.randint(y_min, y_max - 1));
    }
    const auto intensity = params.range("shadow_intensity_range");
    std::vector<double> darkness(n);
    for (double& d : darkness) d = 1 - rng.uniform(intensity[0], intensity[1]);
    return pixel::through_uint8(image, [&](const cv::Mat& bytes) {
        cv::Mat out = bytes.clone(), region(bytes.size(), CV_8U);
        for (int i = 0; i < n; ++i) {
            region.setTo(0);
            cv::fillPoly(region, std::vector<std::vector<cv::Point>>{polygons[i]}, cv::Scalar(255));
            cv::Mat scaled;
            out.convertTo(scaled, CV_64F, darkness[i]);  // float64 and truncation, as numpy's astype
            scaled.reshape(1).forEach<double>([](double& v, const int*) { v = std::floor(v); });  // every channel
            scaled.convertTo(scaled, out.type());
            scaled.copyTo(out, region);
        }
        return out;
    });
}

}  // namespace

void register_weather(Registry& r) {
    TransformDecl shadow = pixel::pixel_transform(
        "RandomShadow",
        {numbers_param("shadow_roi", Json::array({0, 0.5, 1, 1})),
         range_param("num_shadows_range", Json::array({1, 2})).between(1, 1000).whole(),
         integer_param("shadow_dimension", 5).between(3, 1000),
         range_param("shadow_intensity_range", Json::array({0.5, 0.5})).between(0.0, 1.0)},
        random_shadow);
    shadow.check = [](const std::string& owner, const Params& p) {
        const std::vector<double> roi = p.numbers("shadow_roi");
        if (roi.size() != 4 || !(0 <= roi[0] && roi[0] <= roi[2] && roi[2] <= 1) ||
            !(0 <= roi[1] && roi[1] <= roi[3] && roi[3] <= 1))
            throw std::invalid_argument(owner + ": shadow_roi must be (x_min, y_min, x_max, y_max) with "
                                                "0 <= x_min <= x_max <= 1 and 0 <= y_min <= y_max <= 1, got " +
                                        python_repr(p.at("shadow_roi")));
    };
    r.add(std::move(shadow));
}

}  // namespace instaug
