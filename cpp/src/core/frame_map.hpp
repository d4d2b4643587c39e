// The map from a call's input image to the canvas as it stands: the product of the geometric steps
// applied so far, in pixel-centre coordinates. A step without a 3x3 map (a distortion field, a cell
// shuffle, Mosaic's placement, a transform written in Python) breaks it for the rest of the call.
#pragma once
#include <string>

#include <opencv2/core.hpp>

namespace instaug {

struct GeometricStep;

struct FrameMap {
    cv::Matx33d forward = cv::Matx33d::eye();
    int input_width = 0, input_height = 0;
    std::string broken_by;  // the first transform with no 3x3 map; empty while the map holds

    void start(int width, int height);
    void add(const GeometricStep& step, const std::string& transform);
    void break_at(const std::string& transform);
};

}  // namespace instaug
