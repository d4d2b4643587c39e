// A row's mask at 1/ratio of the canvas, as YOLO-seg trains on it: Ultralytics rasterises each
// object at full size and shrinks the 0/1 plane with cv2.resize (bilinear, 8-bit fixed point) to
// (W / ratio, H / ratio), rounded down. Computed here from the tile alone, never a full plane, with
// the same taps, weights and rounding, so that the result equals that resize pixel for pixel.
#pragma once
#include "core/mask_tile.hpp"

namespace instaug {

// The low-resolution size of a `width` x `height` canvas: whole divisions, at least 1 pixel.
cv::Size low_resolution_size(int width, int height, int ratio);

// The tile's mask (non-zero elements: 1) on the low-resolution canvas as a CV_8UC1 tile of 0/1,
// tightened (empty when no low-resolution pixel is on). `ratio` 1 gives the tile's 0/1 copy.
MaskTile low_resolution_tile(const MaskTile& tile, int width, int height, int ratio);

}  // namespace instaug
