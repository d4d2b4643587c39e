// A call's boxes in their coord_format turned into the core's absolute x1, y1, x2, y2: clipped on
// input if asked and checked as the reference checks them. The Python facade calls this too, so a
// bad box gets the same message from both.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "api/coordinate_formats.hpp"

namespace instaug {

struct BoxInputRules {
    BoxFormat format = BoxFormat::PascalVoc;
    bool clip_on_input = false;
    bool filter_invalid = false;
    bool clip_after_transform = true;
};

// `given`: n rows of `stride` doubles, the first 4 the box. `name` is how the caller calls them
// ("bboxes"): std::invalid_argument "bboxes[3] = [...] lies outside the 640x480 image; ...".
std::vector<std::array<double, 4>> prepare_boxes(const double* given, std::size_t n, std::size_t stride,
                                                 const BoxInputRules& rules, int height, int width,
                                                 const std::string& name);

}  // namespace instaug
