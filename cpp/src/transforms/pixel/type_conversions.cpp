// ToFloat and FromFloat: uint8 <-> float32 with a maximum value, as the reference's albucore
// conversions. They change the image's dtype (so they go after Mosaic and CopyAndPaste).
#include <opencv2/core.hpp>

#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

double max_value_or(const Params& params, double fallback) {
    return params.is_none("max_value") ? fallback : params.number("max_value");
}

// uint8 -> float32 v / max_value; a float32 image is already one and stays as it is.
cv::Mat to_float(const cv::Mat& image, const Params& params, Random&) {
    if (image.depth() == CV_32F) return image;
    cv::Mat out;
    image.convertTo(out, CV_32F, 1.0 / max_value_or(params, 255.0));
    return out;
}

// float32 -> uint8 rint(v * max_value), saturated; a uint8 image stays as it is (the reference
// wraps its values around instead).
cv::Mat from_float(const cv::Mat& image, const Params& params, Random&) {
    if (image.depth() == CV_8U) return image;
    cv::Mat out;
    image.convertTo(out, CV_8U, max_value_or(params, 255.0));
    return out;
}

TransformDecl conversion(const std::string& name, std::vector<ParamDecl> params, PixelOp op) {
    TransformDecl d = pixel::pixel_transform(name, std::move(params), std::move(op), 1.0);
    d.changes_image_format = [](const Params&) { return true; };
    return d;
}

}  // namespace

void register_type_conversions(Registry& r) {
    r.add(conversion("ToFloat", {number_param("max_value", nullptr).between(1e-12, std::nullopt)}, to_float));
    r.add(conversion("FromFloat",
                     {choice_param("dtype", "uint8", Json::array({"uint8"})),
                      number_param("max_value", nullptr).between(1e-12, std::nullopt)},
                     from_float));
}

}  // namespace instaug
