// An instance mask as a dataset stores it - COCO RLE (pycocotools' compressed string or the run
// lengths) or polygons in pixels - kept as given until a transform needs the row's tile, which is
// then made directly (never a full plane). Rows of the sample and of Mosaic neighbours and
// CopyAndPaste donors may come this way.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/mask_tile.hpp"

namespace instaug {

struct EncodedMask {
    std::string rle;               // compressed counts; used when neither `counts` nor `polygons` is
    std::vector<uint32_t> counts;  // run lengths (has_counts)
    bool has_counts = false;
    std::vector<std::vector<double>> polygons;  // flat x, y lists in pixels
    int rle_height = 0, rle_width = 0;          // an RLE's own size, checked against the canvas

    // The 0/1 CV_8UC1 tile on a `width` x `height` canvas; std::invalid_argument naming `where`
    // for an encoding that does not fit it.
    MaskTile tile(int width, int height, const std::string& where) const;
};

}  // namespace instaug
