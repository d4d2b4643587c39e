// HueSaturationValue on uint8 RGB in one pass: OpenCV's RGB -> HSV (8-bit, hue 0..179), a table
// per HSV channel, OpenCV's HSV -> RGB, without the two full-size HSV images in between.
#pragma once
#include <array>

#include <opencv2/core.hpp>

#include "kernels/table_chain.hpp"

namespace instaug {

using HsvTables = std::array<Table8, 3>;  // hue, saturation, value

// dst = HSV2RGB(tables(RGB2HSV(src))) for a CV_8UC3 RGB image, each conversion as OpenCV's 8-bit
// one on an AVX2 machine (integer RGB -> HSV; float HSV -> RGB, whose vector and scalar parts
// round differently). Without AVX2, OpenCV's own conversions run.
void shift_hsv_rgb8(const cv::Mat& src, cv::Mat& dst, const HsvTables& tables);

}  // namespace instaug
