// Morphological: dilation or erosion by an elliptic structuring element of size `scale`
// (width, height), alike on the image, the masks and the rows.
#include <opencv2/imgproc.hpp>

#include "core/spatial_filter.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

SpatialFilter morphological(const Params& params, Random&) {
    const auto scale = params.numbers("scale");
    const cv::Mat kernel =
        cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(static_cast<int>(scale[0]), static_cast<int>(scale[1])));
    const bool dilation = params.text("operation") == "dilation";
    SpatialFilter f;
    f.reach_x = kernel.cols;
    f.reach_y = kernel.rows;
    f.apply = [kernel, dilation](const cv::Mat& plane) {
        cv::Mat out;
        if (dilation) cv::dilate(plane, out, kernel);
        else cv::erode(plane, out, kernel);
        return out;
    };
    return f;
}

}  // namespace

void register_morphological(Registry& r) {
    TransformDecl d = declare("Morphological", TransformKind::Filter,
                              {int_pair_param("scale", Json::array({2, 3})).between(1, 255),
                               choice_param("operation", "dilation", Json::array({"erosion", "dilation"})),
                               probability_param(0.5)});
    d.spatial_filter = morphological;
    r.add(std::move(d));
}

}  // namespace instaug
