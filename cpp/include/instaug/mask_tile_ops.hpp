// Geometric steps on ROI mask tiles.
#pragma once
#include "instaug/geometric_step.hpp"
#include "instaug/mask_tile.hpp"

namespace instaug {

// Moves one tile through the step; the result is tightened to its non-zero box.
MaskTile transform_tile(const MaskTile& tile, const GeometricStep& step);

// Builds a tile from a full (H, W) mask plane given as a strided view: the tight box of its
// non-zero elements is copied out.
MaskTile tile_from_plane(const uint8_t* data, int width, int height, std::ptrdiff_t row_stride,
                         std::ptrdiff_t col_stride, int element_bytes, int cv_type);

}  // namespace instaug
