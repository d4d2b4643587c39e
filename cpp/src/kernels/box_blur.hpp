// The normalized box blur of uint8 images (cv::blur: k x k mean, reflect-101 border), with
// OpenCV's own integer arithmetic.
#pragma once
#include <opencv2/core.hpp>

namespace instaug {

// dst = cv::blur(src, (k, k)), byte for byte. A vector kernel (AVX2, its row sums AVX-512 where the
// CPU has it) runs where it applies: uint8, 1 to 4 channels, odd k up to 15, the image larger than
// k / 2 each way. Elsewhere cv::blur does.
void box_mean_blur(const cv::Mat& src, cv::Mat& dst, int k);

}  // namespace instaug
