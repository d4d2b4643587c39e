// Bilinear warping with exact (double) source coordinates. OpenCV 4.x's warpAffine quantises
// source positions to 1/32 pixel, which moves high-contrast edges by up to 4 grey levels against an
// exact warp (and against OpenCV 5, which the reference uses); this kernel is exact to rounding.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

namespace instaug {

// dst(u, v) = bilinear sample of src at inverse_map * (u, v, 1) (projective divide when
// `perspective`), pixels outside src taken by OpenCV `border_mode` (constant: `fill`).
// src is CV_8U or CV_32F with 1 to 4 channels.
void warp_bilinear(const cv::Mat& src, cv::Mat& dst, cv::Size dsize, const cv::Matx33d& inverse_map,
                   bool perspective, int border_mode, const cv::Scalar& fill);

// One inverse step of a fused chain: maps points of the canvas after a step to the canvas before
// it (`width` x `height`), pixel-centre coordinates.
struct WarpStage {
    cv::Matx33d inverse;
    bool perspective = false;
    int width = 0, height = 0;
};

// dst(u, v) = bilinear sample of src at stages[n-1] * ... * stages[0] * (u, v, 1): several geometric
// steps resampled once. A point that leaves an intermediate canvas ([-0.5, size - 0.5)) is the
// fill, as the step-by-step warp would have made it; the source's border follows `border_mode`.
void warp_bilinear_chain(const cv::Mat& src, cv::Mat& dst, cv::Size dsize, const std::vector<WarpStage>& stages,
                         int border_mode, const cv::Scalar& fill);

}  // namespace instaug
