// A spatial filter: one neighbourhood operation applied alike to the image, the masks and the
// rows (Morphological's dilation and erosion). A mask tile is filtered in a window grown by the
// filter's reach, so the cost follows the object; a box alone is filtered as the reference
// rasterises it, and becomes the tight box of what is left.
#pragma once
#include <array>
#include <functional>

#include <opencv2/core.hpp>

#include "core/mask_tile.hpp"

namespace instaug {

struct SpatialFilter {
    std::function<cv::Mat(const cv::Mat&)> apply;  // a fresh plane of the same size and type
    int reach_x = 0, reach_y = 0;                    // how far (pixels) an edge can move
};

// The tile filtered in its window grown by the reach (cut to the canvas), tightened. 64-bit
// integer masks (opaque bytes) are refused: their bytes do not order as their values.
MaskTile filter_tile(const MaskTile& tile, const SpatialFilter& filter, int width, int height);

// The box as the reference rasterises it (reference_pixels truncated toward zero), filtered; the tight box of what is left, or an empty box (0, 0, 0, 0) when nothing is.
std::array<double, 4> filter_box(const std::array<double, 4>& box, const SpatialFilter& filter, int width,
                                 int height);

// Throws std::invalid_argument for planes the filter cannot order (64-bit integer masks).
void check_filterable(const cv::Mat& plane, const char* what);

}  // namespace instaug
