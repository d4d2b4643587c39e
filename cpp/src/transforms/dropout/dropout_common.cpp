#include "transforms/dropout/dropout_common.hpp"

#include <cstring>

#include <stdexcept>

namespace instaug {
namespace dropout {

TransformDecl dropout_transform(const std::string& name, std::vector<ParamDecl> params, HoleSampler holes,
                                Json fill, double p, std::vector<ParamDecl> after) {
    params.push_back(named_fill_param("fill", std::move(fill),
                                      Json::array({"random", "random_uniform", "inpaint_telea", "inpaint_ns",
                                                   "grayscale"})));
    params.push_back(optional_fill_param("fill_mask"));
    params.push_back(probability_param(p));
    for (ParamDecl& a : after) params.push_back(std::move(a));
    TransformDecl d = declare(name, TransformKind::Dropout, std::move(params));
    d.holes = std::move(holes);
    d.check = [](const std::string& owner, const Params& p) {
        if (p.at("fill") == "grayscale" && !p.is_none("fill_mask"))
            throw std::invalid_argument(owner + ": fill_mask must be None when fill='grayscale'");
    };
    return d;
}

cv::Mat first_channel_values(const cv::Mat& plane) {
    cv::Mat out(plane.size(), CV_64FC1);
    if (plane.depth() == CV_8U && plane.channels() % 8 == 0) {
        for (int y = 0; y < plane.rows; ++y) {
            const uint8_t* row = plane.ptr<uint8_t>(y);
            for (int x = 0; x < plane.cols; ++x) {
                int64_t v;
                std::memcpy(&v, row + x * plane.elemSize(), sizeof v);
                out.at<double>(y, x) = static_cast<double>(v);
            }
        }
        return out;
    }
    cv::Mat channel;
    cv::extractChannel(plane, channel, 0);
    channel.convertTo(out, CV_64F);
    return out;
}

std::vector<int> integers(Random& rng, int64_t low, int64_t high, int count) {
    std::vector<int> out(count);
    for (int& v : out) v = static_cast<int>(rng.randint(low, high));
    return out;
}

}  // namespace dropout
}  // namespace instaug
