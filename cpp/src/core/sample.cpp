#include "core/sample.hpp"

#include <cmath>
#include <stdexcept>

#include <opencv2/core.hpp>

namespace instaug {
namespace {

template <typename Map>
const typename Map::mapped_type& call_value(const Map& values, const std::string& key, const std::string& transform) {
    const auto found = values.find(key);
    if (found == values.end())
        throw std::invalid_argument(transform + " reads " + key + "= from the call; pass it in the call");
    return found->second;
}

}  // namespace

const std::vector<double>& call_numbers(const Sample& s, const std::string& key, const std::string& transform) {
    return call_value(s.call_numbers, key, transform);
}

const std::vector<cv::Mat>& call_images(const Sample& s, const std::string& key, const std::string& transform) {
    return call_value(s.call_images, key, transform);
}

const std::vector<double>& call_box(const Sample& s, const std::string& key, const std::string& transform) {
    const std::vector<double>& box = call_numbers(s, key, transform);
    bool finite = box.size() == 4;
    for (double v : box) finite = finite && std::isfinite(v);
    if (!finite) {
        Json given = Json::array();
        for (double v : box) given.push_back(v);
        throw std::invalid_argument(key + " must be 4 numbers (x_min, y_min, x_max, y_max) in pixels, got " +
                                    python_repr(given));
    }
    return box;
}

const cv::Mat& call_region(const Sample& s, const std::string& key, const std::string& transform) {
    const std::vector<cv::Mat>& given = call_images(s, key, transform);
    if (given.size() != 1 || given[0].dims != 2 || given[0].channels() != 1 || given[0].empty())
        throw std::invalid_argument(key + " must be one single-channel (H, W) array");
    const cv::Mat& region = given[0];
    const cv::Mat off_binary = (region != 0) & (region != 1);
    if (cv::countNonZero(off_binary) > 0) throw std::invalid_argument(key + " must be binary with values 0 or 1 (or booleans)");
    return region;
}

const std::vector<cv::Mat>& call_image_list(const Sample& s, const std::string& key, const std::string& transform) {
    const std::vector<cv::Mat>& images = call_images(s, key, transform);
    if (images.empty())
        throw std::invalid_argument(transform + " requires reference images: pass a non-empty list of images as " + key + "=");
    for (std::size_t i = 0; i < images.size(); ++i) {
        const cv::Mat& image = images[i];
        if (image.empty() || image.dims != 2 || image.channels() > 4 ||
            (image.depth() != CV_8U && image.depth() != CV_32F))
            throw std::invalid_argument(key + "[" + std::to_string(i) +
                                        "] must be a non-empty uint8 or float32 image with 1 to 4 channels");
    }
    return images;
}

bool row_label_in(const Sample& s, int64_t source_id, const Json& labels) {
    if (!s.row_labels.is_array() || source_id < 0 || static_cast<std::size_t>(source_id) >= s.row_labels.size())
        return false;
    const Json& label = s.row_labels[static_cast<std::size_t>(source_id)];
    for (const Json& wanted : labels)
        if (label == wanted) return true;
    return false;
}

}  // namespace instaug
