// A cell shuffle: the canvas cut into a grid whose cells of equal size trade places
// (RandomGridShuffle). Every target moves by whole pixels, cell by cell - no resampling.
#pragma once
#include <array>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "core/geometric_step.hpp"
#include "core/mask_tile.hpp"

namespace instaug {

struct CellMove {
    cv::Rect from;  // a cell of the input canvas
    cv::Point to;   // where its top-left corner lands (the cell it trades with, same size)
};
using CellMoves = std::vector<CellMove>;  // the cells cover the canvas once

GeometricStep make_shuffle_step(int width, int height, std::shared_ptr<const CellMoves> cells);

// The plane with every cell moved (a fresh plane, any element type).
cv::Mat shuffle_plane(const cv::Mat& plane, const CellMoves& cells);

// The tile's pieces moved with their cells, in a tile bounding them all (tightened).
MaskTile shuffle_tile(const MaskTile& tile, const CellMoves& cells);

// The box bounding the moved pieces of the box (pixel edges); unchanged when it covers no cell.
std::array<double, 4> shuffle_box(const std::array<double, 4>& box, const CellMoves& cells);

// A point moves with the cell holding the pixel it lies in (pixel-centre coordinates: pixel i
// spans [i - 0.5, i + 0.5); the reference's swap_tiles_on_keypoints tests the coordinate itself,
// half a pixel off); a point in no cell (off the canvas) stays.
void shuffle_point(const CellMoves& cells, double& x, double& y);

}  // namespace instaug
