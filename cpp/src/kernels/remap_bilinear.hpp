// Bilinear remap at the exact sample positions, constant border. OpenCV 4's cv::remap rounds
// positions to 1/32 pixel (several grey levels on sharp edges); this kernel is within rounding of
// an exact resampling whatever OpenCV is installed, as the warps' (warp_bilinear).
#pragma once
#include <opencv2/core.hpp>

namespace instaug {

// True for the images it takes: uint8 or float32, 1 to 4 channels.
bool remap_bilinear_supports(const cv::Mat& src);

// dst(y, x) = src at (map_x(y, x), map_y(y, x)), taps outside the image taking `fill`.
void remap_bilinear(const cv::Mat& src, cv::Mat& dst, const cv::Mat& map_x, const cv::Mat& map_y,
                    const cv::Scalar& fill);

}  // namespace instaug
