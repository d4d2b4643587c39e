// COCO's run-length encoding of a binary mask, in both directions, straight from and into a tile:
// runs of 0s and 1s down each column in turn (column-major), starting with a run of 0s, and the
// "compressed" string form pycocotools writes (each count as 5-bit groups in printable bytes,
// counts from the third on relative to the one two before).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/mask_tile.hpp"

namespace instaug {

// The runs of a (height, width) canvas whose only non-zero elements are the tile's.
std::vector<uint32_t> rle_counts_of_tile(const MaskTile& tile, int width, int height);

std::string rle_counts_to_string(const std::vector<uint32_t>& counts);
// std::invalid_argument naming `where` when the string is not a valid encoding.
std::vector<uint32_t> rle_counts_from_string(const std::string& text, const std::string& where);

// The 0/1 CV_8UC1 tile (tight) of runs over a (height, width) canvas; runs summing to less than
// the canvas leave the rest 0, more is refused (std::invalid_argument naming `where`).
MaskTile tile_from_rle_counts(const std::vector<uint32_t>& counts, int width, int height, const std::string& where);

}  // namespace instaug
