#include "core/stacked_masks.hpp"

#include "core/buffer_cache.hpp"
#include "core/low_resolution_mask.hpp"
#include "core/parallel_for.hpp"
#include "kernels/mask_tile_ops.hpp"

namespace instaug {
namespace {

// The block size asked of the cache for `bytes`: the next of the sizes 2^e * (4 + m) / 4 (m = 0..3).
// The stack's size moves with the row count from call to call, and the cache hands back blocks of
// the size asked only: in steps of at most a quarter, a steady stream finds a block (no fresh
// pages to fault in) and wastes at most a quarter of it.
std::size_t bucketed(std::size_t bytes) {
    std::size_t step = 1;
    while (step * 8 < bytes) step *= 2;  // step = 2^(e - 2) with 2^e the power of two below bytes
    return (bytes + step - 1) / step * step;
}

}  // namespace

cv::Size stacked_plane_size(int width, int height, int ratio) {
    return ratio == 1 ? cv::Size(width, height) : low_resolution_size(width, height, ratio);
}

void write_stacked_masks(const std::vector<MaskTile>& tiles, int width, int height, std::size_t element_bytes,
                         int ratio, uint8_t* base) {
    const cv::Size size = stacked_plane_size(width, height, ratio);
    const std::size_t bytes = ratio == 1 ? element_bytes : 1;
    const std::size_t plane_bytes = static_cast<std::size_t>(size.width) * size.height * bytes;
    parallel_for_each_row(static_cast<int>(tiles.size()), 16, [&](int i) {
        uint8_t* plane = base + i * plane_bytes;
        if (ratio == 1)
            write_tile_to_plane(tiles[i], plane, size.width, size.height, bytes, false);
        else
            write_tile_to_plane(low_resolution_tile(tiles[i], width, height, ratio), plane, size.width, size.height, 1,
                                false);
    });
}

StackedMasks stack_masks(const std::vector<MaskTile>& tiles, int width, int height, std::size_t element_bytes,
                         int ratio) {
    StackedMasks out;
    const cv::Size size = stacked_plane_size(width, height, ratio);
    out.count = static_cast<int>(tiles.size());
    out.width = size.width;
    out.height = size.height;
    out.element_bytes = ratio == 1 ? element_bytes : 1;
    const std::size_t plane_bytes = static_cast<std::size_t>(size.width) * size.height * out.element_bytes;
    const std::size_t bytes = bucketed(std::max<std::size_t>(plane_bytes * tiles.size(), 1));
    // Not zeroed: every byte is written below (a fresh zeroed block would only defer its page
    // faults to the first read).
    const CachedBlock block = BufferCache::instance().acquire(bytes, false);
    out.owner = cached_block_owner(block.data, bytes);
    out.data = block.data;
    write_stacked_masks(tiles, width, height, element_bytes, ratio, static_cast<uint8_t*>(block.data));
    return out;
}

}  // namespace instaug
