#include "core/encoded_mask.hpp"

#include <stdexcept>

#include "core/coco_rle.hpp"
#include "core/polygon_mask.hpp"

namespace instaug {

MaskTile EncodedMask::tile(int width, int height, const std::string& where) const {
    if (!polygons.empty()) return tile_from_polygons(polygons, width, height, where);
    if (rle_height != height || rle_width != width)
        throw std::invalid_argument(where + ": the RLE's size [" + std::to_string(rle_height) + ", " +
                                    std::to_string(rle_width) + "] differs from the image's [" + std::to_string(height) +
                                    ", " + std::to_string(width) + "]");
    if (has_counts) return tile_from_rle_counts(counts, width, height, where);
    return tile_from_rle_counts(rle_counts_from_string(rle, where), width, height, where);
}

}  // namespace instaug
