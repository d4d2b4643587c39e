// The bilinear warp's value at a pixel depends on the source, the map and the pixel only: not on
// how wide the output is. The vector kernels run rows in blocks (8 pixels with AVX2, 16 with
// AVX-512) and a tail; were the tail computed another way, the same pixel would change with the
// output width, and the AVX2 and AVX-512 kernels (whose blocks end at different columns) would give
// different images. Whichever kernel this CPU picks is the one checked.
#include <doctest/doctest.h>

#include <string>

#include <opencv2/core.hpp>

#include "kernels/warp_bilinear.hpp"

namespace {

cv::Mat textured_source() {
    cv::Mat src(72, 88, CV_8UC3);
    cv::RNG rng(11);
    rng.fill(src, cv::RNG::UNIFORM, 0, 256);
    src(cv::Rect(20, 10, 40, 30)).setTo(cv::Scalar(255, 255, 255));  // hard edges: rounding shows there
    return src;
}

struct MapCase {
    const char* name;
    cv::Matx33d inverse;
    bool perspective;
};

}  // namespace

TEST_CASE("a warped pixel does not depend on the output's width (vector blocks and row tails agree)") {
    const cv::Mat src = textured_source();
    const MapCase maps[] = {
        {"affine", {0.93, 0.21, -3.7, -0.17, 1.08, 2.3, 0, 0, 1}, false},
        {"perspective", {1.04, 0.07, -2.1, -0.05, 0.97, 1.4, 0.0011, -0.0007, 1.0}, true},
    };
    const int borders[] = {cv::BORDER_CONSTANT, cv::BORDER_REPLICATE, cv::BORDER_REFLECT_101};
    constexpr int kRows = 64, kWidest = 112;  // 112: whole blocks for both vector widths
    for (const MapCase& map : maps)
        for (int border : borders) {
            cv::Mat widest;
            instaug::warp_bilinear(src, widest, {kWidest, kRows}, map.inverse, map.perspective, border,
                                   cv::Scalar(10, 200, 30));
            for (int width = 1; width < kWidest; ++width) {
                cv::Mat narrow;
                instaug::warp_bilinear(src, narrow, {width, kRows}, map.inverse, map.perspective, border,
                                       cv::Scalar(10, 200, 30));
                INFO(map.name << ", border " << border << ", width " << width);
                const cv::Mat same = narrow != widest.colRange(0, width);
                CHECK(cv::countNonZero(same.reshape(1)) == 0);
            }
        }
}
