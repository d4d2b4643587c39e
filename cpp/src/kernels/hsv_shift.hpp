// HueSaturationValue on uint8 RGB in one pass: OpenCV's RGB -> HSV (8-bit, hue 0..179), a table
// per HSV channel, OpenCV's HSV -> RGB, without the two full-size HSV images in between.
#pragma once
#include <array>
#include <cstdint>

#include <opencv2/core.hpp>

#include "kernels/table_chain.hpp"

namespace instaug {

using HsvTables = std::array<Table8, 3>;  // hue, saturation, value

// dst = HSV2RGB(tables(RGB2HSV(src))) for a CV_8UC3 RGB image, each conversion as OpenCV's 8-bit
// one on an AVX2 machine (integer RGB -> HSV; float HSV -> RGB, whose vector and scalar parts
// round differently). Without AVX2, OpenCV's own conversions run.
void shift_hsv_rgb8(const cv::Mat& src, cv::Mat& dst, const HsvTables& tables);

// OpenCV's 8-bit HSV -> RGB works in blocks of this many pixels per row (its vector body), then
// pixel by pixel (its scalar tail); the two round x 255 differently.
constexpr int kOpenCvHsvBlock = 32;

// One pixel of OpenCV's 8-bit HSV -> RGB (hue 0..179, saturation and value 0..255) as the
// reference's build computes it: `truncate` in its vector body, rounded in its scalar tail.
void hsv_to_rgb8_pixel(int hue, int saturation, int value, uint8_t* rgb, bool truncate);

}  // namespace instaug
