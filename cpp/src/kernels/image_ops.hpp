// Geometric steps on dense planes (the image and plain masks).
#pragma once
#include <opencv2/core.hpp>

#include "core/geometric_step.hpp"

namespace instaug {

// `is_mask` selects mask_interpolation and fill_mask instead of interpolation and fill.
cv::Mat transform_plane(const cv::Mat& plane, const GeometricStep& step, bool is_mask);

// The plane with rows and columns swapped, any element type (an exact copy of every element).
cv::Mat transposed(const cv::Mat& plane);

}  // namespace instaug
