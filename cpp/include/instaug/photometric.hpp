// Pixel-level transforms: colour, contrast, blur and noise. They change the image only; masks,
// boxes and keypoints are untouched. uint8 work goes through 256-entry lookup tables where the
// formula is per value; float32 images keep float math, or take the reference's uint8 round trip
// where the reference does (HSV, CLAHE, large median).
#pragma once
#include <opencv2/core.hpp>

#include "instaug/random.hpp"
#include "instaug/transform_spec.hpp"

namespace instaug {

bool is_photometric(const std::string& name);

// Samples the transform's parameters and returns the new image (the input is not modified).
cv::Mat apply_photometric(const cv::Mat& image, const TransformSpec& spec, Random& rng);

// Blur and noise transforms (blur_noise.cpp).
bool is_blur_or_noise(const std::string& name);
cv::Mat apply_blur_or_noise(const cv::Mat& image, const TransformSpec& spec, Random& rng);

// Helpers shared by the pixel transforms.
namespace pixel {
cv::Mat to_uint8(const cv::Mat& image);    // float32 [0, 1] -> uint8 (x 255, rounded, clipped)
cv::Mat to_float32(const cv::Mat& image);  // uint8 -> float32 / 255
cv::Mat gray_of(const cv::Mat& image);     // weighted average for RGB, channel mean otherwise
}  // namespace pixel

}  // namespace instaug
