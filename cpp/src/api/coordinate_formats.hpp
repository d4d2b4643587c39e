// Box and keypoint formats of BboxParams / KeypointParams, to and from the core's layouts: boxes as
// absolute x1, y1, x2, y2 (pixel edges), keypoints as x, y, z, angle (radians in [0, 2pi)), scale.
// The arithmetic is the Python facade's (formats.py), operation for operation, so both give the same
// doubles.
#pragma once
#include <array>
#include <string>
#include <vector>

namespace instaug {

enum class BoxFormat { Coco, PascalVoc, Albumentations, Yolo, Cxcywh };
enum class KeypointFormat { XY, YX, XYA, XYS, XYAS, XYSA, XYZ };

// From the name a file holds; std::invalid_argument in the facade's words otherwise.
BoxFormat box_format(const std::string& name);
KeypointFormat keypoint_format(const std::string& name);
// Columns of a keypoint in the format ("xyas": 4).
int keypoint_width(KeypointFormat format);

std::array<double, 4> box_to_absolute(const double* box, BoxFormat format, int height, int width);
// Absolute x1, y1, x2, y2 -> the format, rounded to float as the facade returns them.
std::array<float, 4> box_from_absolute(const std::array<double, 4>& box, BoxFormat format, int height, int width);

void keypoint_to_internal(const double* point, KeypointFormat format, bool angle_in_degrees, double* internal);
void keypoint_from_internal(const double* internal, KeypointFormat format, bool angle_in_degrees, float* point);

}  // namespace instaug
