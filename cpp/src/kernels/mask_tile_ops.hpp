// Geometric steps on ROI mask tiles.
#pragma once
#include <array>

#include "core/geometric_step.hpp"
#include "core/sample.hpp"
#include "core/mask_tile.hpp"

namespace instaug {

// Moves one tile through the step; the result is tightened to its non-zero box.
MaskTile transform_tile(const MaskTile& tile, const GeometricStep& step);

// Builds a tile from a full (H, W) mask plane: the tight box of its non-zero elements inside
// `region` (empty: the whole plane) is copied out. Elements outside `region` are never read.
MaskTile tile_from_plane(const MaskPlaneView& plane, cv::Rect region = cv::Rect());

// The part of the tile inside `region` (empty region: all of it), tightened.
MaskTile tile_inside(const MaskTile& tile, cv::Rect region);

// The whole pixels a box touches: floor of its top-left corner to ceil of its bottom-right one,
// not clipped to any canvas. Edges within 1e-4 px of a whole pixel count as on it: boxes given in
// normalised float32 come back a few millionths off (x = 29 on a 55-wide image as 28.9999986),
// and must not take in the pixel beside them.
cv::Rect box_pixels(const std::array<double, 4>& box);

// Cuts the sample's unresolved mask planes into tiles, reading only `region` (empty: all). Rows
// whose `needed` flag is 0 get an empty tile without a read: the caller knows they are dropped. A
// view without data marks a row whose tile is already in rows.masks (it is cut to `region`).
void resolve_masks(Sample& sample, cv::Rect region = cv::Rect(), const std::vector<uint8_t>* needed = nullptr);

}  // namespace instaug
