// CLAHE: contrast-limited adaptive histogram equalisation (on L of Lab for RGB images).
#include <opencv2/imgproc.hpp>

#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

using namespace pixel;

cv::Mat clahe(const cv::Mat& image, const Params& params, Random& rng) {
    const double clip_limit = draw(params, "clip_range", rng);
    const auto grid = params.numbers("tile_grid_size");
    require_grey_or_rgb(image, "CLAHE");
    // tile_grid_size goes to OpenCV as given, (width, height) in its terms, as the reference does.
    cv::Ptr<cv::CLAHE> op = cv::createCLAHE(clip_limit, cv::Size(static_cast<int>(grid[0]), static_cast<int>(grid[1])));
    return through_uint8(image, [&](const cv::Mat& u8) {
        cv::Mat out;
        if (u8.channels() == 1) {
            op->apply(u8, out);
            return out;
        }
        cv::Mat lab;
        cv::cvtColor(u8, lab, cv::COLOR_RGB2Lab);
        std::vector<cv::Mat> planes;
        cv::split(lab, planes);
        op->apply(planes[0], planes[0]);
        cv::merge(planes, lab);
        cv::cvtColor(lab, out, cv::COLOR_Lab2RGB);
        return out;
    });
}

}  // namespace

void register_clahe(Registry& r) {
    TransformDecl d;
    d.name = "CLAHE";
    d.kind = TransformKind::Pixel;
    d.params = {range_param("clip_range", Json::array({1.0, 4.0})).between(0.0, std::nullopt),
                int_pair_param("tile_grid_size", Json::array({8, 8})).between(1, std::nullopt), probability_param(0.5)};
    d.pixels = clahe;
    d.reads_neighbours = true;
    r.add(std::move(d));
}

}  // namespace instaug
