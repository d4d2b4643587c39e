// An instance mask given as polygons (COCO's segmentation lists, YOLO-seg's label lines once
// scaled to pixels) rasterised straight into its tile: only the polygons' box is ever allocated.
// The rule is Ultralytics' polygon2mask: vertices truncated to whole pixels, then cv::fillPoly
// (edges included); pycocotools' annToMask differs from it on edge pixels.
#pragma once
#include <string>
#include <vector>

#include "core/mask_tile.hpp"

namespace instaug {

// `polygons`: each a flat x0, y0, x1, y1, ... list in pixels (at least 3 vertices). The 0/1 CV_8UC1
// tile on a `width` x `height` canvas, cut to it; std::invalid_argument naming `where` for a
// polygon of odd length, fewer than 3 vertices or a value that is not finite.
MaskTile tile_from_polygons(const std::vector<std::vector<double>>& polygons, int width, int height,
                            const std::string& where);

}  // namespace instaug
