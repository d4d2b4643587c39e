#include "core/sample.hpp"

#include <stdexcept>

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

bool row_label_in(const Sample& s, int64_t source_id, const Json& labels) {
    if (!s.row_labels.is_array() || source_id < 0 || static_cast<std::size_t>(source_id) >= s.row_labels.size())
        return false;
    const Json& label = s.row_labels[static_cast<std::size_t>(source_id)];
    for (const Json& wanted : labels)
        if (label == wanted) return true;
    return false;
}

}  // namespace instaug
