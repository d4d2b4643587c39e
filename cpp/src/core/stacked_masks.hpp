// All instance masks in one (N, H, W) block, the form a DataLoader's collate stacks them into:
// written once, every byte, so that no page of it is left for the consumer to fault in.
#pragma once
#include <cstddef>
#include <memory>
#include <vector>

#include "core/mask_tile.hpp"

namespace instaug {

struct StackedMasks {
    void* data = nullptr;
    std::shared_ptr<void> owner;  // frees the block (back to the buffer cache) with its last copy
    int count = 0, height = 0, width = 0;
    std::size_t element_bytes = 1;
};

// `ratio` 1: each plane holds its tile's elements (the masks' dtype); above 1: the 0/1 mask at
// 1/ratio resolution (low_resolution_tile), one byte per element.
StackedMasks stack_masks(const std::vector<MaskTile>& tiles, int width, int height, std::size_t element_bytes,
                         int ratio);

// The size of each plane of the stack at `ratio`.
cv::Size stacked_plane_size(int width, int height, int ratio);
// Writes the stack into `base` (tiles.size() planes of stacked_plane_size, packed), every byte.
void write_stacked_masks(const std::vector<MaskTile>& tiles, int width, int height, std::size_t element_bytes,
                         int ratio, uint8_t* base);

}  // namespace instaug
