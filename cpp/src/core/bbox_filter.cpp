#include "core/bbox_filter.hpp"

#include <algorithm>

namespace instaug {

std::vector<uint8_t> filter_boxes(std::vector<std::array<double, 4>>& boxes, int width, int height,
                                  const BboxRules& rules) {
    // Same comparisons and epsilon as the reference's hbb filter, on absolute coordinates.
    constexpr double kEpsilon = 1e-7;
    std::vector<uint8_t> keep(boxes.size());
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        auto& b = boxes[i];
        const double area = (b[2] - b[0]) * (b[3] - b[1]);
        const bool positive = b[2] > b[0] && b[3] > b[1];
        if (rules.clip_after_transform) {
            b[0] = std::clamp(b[0], 0.0, static_cast<double>(width));
            b[2] = std::clamp(b[2], 0.0, static_cast<double>(width));
            b[1] = std::clamp(b[1], 0.0, static_cast<double>(height));
            b[3] = std::clamp(b[3], 0.0, static_cast<double>(height));
        }
        const double w = b[2] - b[0];
        const double h = b[3] - b[1];
        const double clipped_area = w * h;
        bool ok = positive && area >= kEpsilon && clipped_area >= kEpsilon && w > 0 && h > 0 &&
                  clipped_area >= rules.min_area - kEpsilon &&
                  clipped_area / (area + kEpsilon) >= rules.min_visibility &&
                  w >= rules.min_width - kEpsilon && h >= rules.min_height - kEpsilon;
        if (ok && rules.max_accept_ratio >= 0) {
            const double ratio = std::max(w / (h + kEpsilon), h / (w + kEpsilon));
            ok = ratio <= rules.max_accept_ratio;
        }
        keep[i] = ok;
    }
    return keep;
}

std::vector<uint8_t> boxes_touching_canvas(const std::vector<std::array<double, 4>>& boxes, int width,
                                           int height) {
    std::vector<uint8_t> keep(boxes.size());
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        const auto& b = boxes[i];
        keep[i] = b[2] > 0 && b[3] > 0 && b[0] < width && b[1] < height;
    }
    return keep;
}

}  // namespace instaug
