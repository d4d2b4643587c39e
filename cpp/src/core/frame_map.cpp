#include "core/frame_map.hpp"

#include "core/geometric_step.hpp"

namespace instaug {

void FrameMap::start(int width, int height) {
    forward = cv::Matx33d::eye();
    input_width = width;
    input_height = height;
    broken_by.clear();
}

void FrameMap::add(const GeometricStep& step, const std::string& transform) {
    if (step.field || step.cells) return break_at(transform);
    forward = step.matrix * forward;
}

void FrameMap::break_at(const std::string& transform) {
    if (broken_by.empty()) broken_by = transform;
}

}  // namespace instaug
