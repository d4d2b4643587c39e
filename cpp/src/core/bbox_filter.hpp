// The survival rule of the bbox processor, in absolute pixel coordinates.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace instaug {

struct BboxRules {
    double min_area = 0.0;
    double min_visibility = 0.0;
    double min_width = 0.0;
    double min_height = 0.0;
    double max_accept_ratio = -1.0;  // < 0: no limit
    bool clip_after_transform = true;
};

// A box coordinate as the reference's rules that rasterise boxes see it: held normalised in
// float32, multiplied back by the side in float64 (x2 = 50 on a 120-wide image is 49.99999...).
inline double reference_pixels(double v, int side) {
    return static_cast<double>(static_cast<float>(v) / static_cast<float>(side)) * side;
}

// Returns one keep flag per box and clips the boxes in place when rules.clip_after_transform.
std::vector<uint8_t> filter_boxes(std::vector<std::array<double, 4>>& boxes, int width, int height,
                                  const BboxRules& rules);

// Keep flags for boxes that are not wholly outside the canvas (the reference's validate step
// after warps).
std::vector<uint8_t> boxes_touching_canvas(const std::vector<std::array<double, 4>>& boxes, int width,
                                           int height);

}  // namespace instaug
