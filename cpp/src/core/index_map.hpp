// One map of row numbers for all instance masks, YOLO-seg's training target (Ultralytics'
// polygons2masks_overlap): each row's mask at 1/ratio resolution, larger masks (by low-resolution
// area) painted first and smaller ones over them, so that a small object in front of a large one
// stays visible. A pixel holds row + 1 of the row painted last there, 0 where none is.
#pragma once
#include <vector>

#include "core/mask_tile.hpp"

namespace instaug {

// The map for `tiles` (rows in output order) on a `width` x `height` canvas: CV_8UC1 for up to
// 255 rows, CV_32SC1 past that (as Ultralytics). Equal areas keep row order (a stable sort).
cv::Mat overlap_index_map(const std::vector<MaskTile>& tiles, int width, int height, int ratio);

}  // namespace instaug
