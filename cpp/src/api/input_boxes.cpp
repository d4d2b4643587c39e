#include "api/input_boxes.hpp"

#include <algorithm>
#include <stdexcept>

#include "transforms/params.hpp"

namespace instaug {
namespace {

constexpr double kNormalizedTolerance = 1e-8;

std::string quoted_box(const double* box) {
    return python_repr(Json::array({box[0], box[1], box[2], box[3]}));
}

}  // namespace

std::vector<std::array<double, 4>> prepare_boxes(const double* given, std::size_t n, std::size_t stride,
                                                 const BoxInputRules& rules, int height, int width,
                                                 const std::string& name) {
    std::vector<std::array<double, 4>> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::array<double, 4>& b = out[i] = box_to_absolute(given + i * stride, rules.format, height, width);
        if (rules.clip_on_input) {
            b[0] = std::clamp(b[0], 0.0, static_cast<double>(width));
            b[2] = std::clamp(b[2], 0.0, static_cast<double>(width));
            b[1] = std::clamp(b[1], 0.0, static_cast<double>(height));
            b[3] = std::clamp(b[3], 0.0, static_cast<double>(height));
        }
    }
    if (rules.filter_invalid || !rules.clip_after_transform) return out;
    const double sides[4] = {static_cast<double>(width), static_cast<double>(height), static_cast<double>(width),
                             static_cast<double>(height)};
    for (std::size_t i = 0; i < n; ++i)
        for (int k = 0; k < 4; ++k) {
            const double normalized = out[i][k] / sides[k];
            if (normalized < -kNormalizedTolerance || normalized > 1 + kNormalizedTolerance)
                throw std::invalid_argument(name + "[" + std::to_string(i) + "] = " + quoted_box(given + i * stride) +
                                            " lies outside the " + std::to_string(width) + "x" + std::to_string(height) +
                                            " image; use BboxParams(clip_bboxes_on_input=True) to clip or "
                                            "filter_invalid_bboxes=True to drop it");
        }
    for (std::size_t i = 0; i < n; ++i)
        if (out[i][2] <= out[i][0] || out[i][3] <= out[i][1])
            throw std::invalid_argument(name + "[" + std::to_string(i) + "] = " + quoted_box(given + i * stride) +
                                        " has x_max <= x_min or y_max <= y_min; use "
                                        "BboxParams(filter_invalid_bboxes=True) to drop such boxes");
    return out;
}

}  // namespace instaug
