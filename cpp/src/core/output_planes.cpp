#include "core/output_planes.hpp"

#include "core/buffer_cache.hpp"
#include "kernels/mask_tile_ops.hpp"

namespace instaug {

OutputMaskPlanes::OutputMaskPlanes(const std::vector<MaskTile>& tiles, int width, int height,
                                   std::size_t element_bytes) {
    const std::size_t plane_bytes = static_cast<std::size_t>(width) * height * element_bytes;
    for (const auto& tile : tiles) {
        // Every byte written, fresh block or recycled: a calloc'd block would leave its untouched
        // pages for the consumer to fault in.
        const CachedBlock block = BufferCache::instance().acquire(plane_bytes, false);
        planes_.push_back({block.data, cached_block_owner(block.data, plane_bytes)});
        write_tile_to_plane(tile, static_cast<uint8_t*>(block.data), width, height, element_bytes, false);
    }
}

}  // namespace instaug
