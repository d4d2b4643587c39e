// Nearest-neighbour resampling for any element size, used for masks (tiles and planes) and for
// images when the interpolation is nearest, so that an image pixel and a mask pixel at the same
// destination always come from the same source pixel.
#pragma once
#include <cstddef>
#include <cstdint>

#include <opencv2/core.hpp>

namespace instaug {

struct PlainView {
    uint8_t* data;
    int width, height;
    std::ptrdiff_t row_stride;  // bytes
    int element_bytes;          // bytes per pixel (all channels)
};

// For every destination pixel (u, v) of `dst`, whose canvas position is (u + dst_x0, v + dst_y0),
// computes (sx, sy) = floor(index_map * (u + dst_x0, v + dst_y0, 1)) (projective divide when
// `perspective`), and copies source pixel (sx - src_x0, sy - src_y0) when inside `src`, otherwise
// writes `outside` (element_bytes bytes).
void warp_nearest(const PlainView& src, int src_x0, int src_y0, PlainView dst, int dst_x0, int dst_y0,
                  const cv::Matx33d& index_map, bool perspective, const uint8_t* outside);

}  // namespace instaug
