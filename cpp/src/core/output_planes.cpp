#include "core/output_planes.hpp"

#include <new>

#include <sys/mman.h>

#include "core/buffer_cache.hpp"
#include "kernels/mask_tile_ops.hpp"

namespace instaug {
namespace {

// Zeroed memory straight from the kernel (an anonymous mapping): pages are zeroed when first
// touched, and untouched ones cost nothing. calloc gives this only above malloc's mmap threshold,
// which moves.
struct FreshZeroedBlock {
    void* data = nullptr;
    std::size_t bytes = 0;
    explicit FreshZeroedBlock(std::size_t n) : bytes(n ? n : 1) {
        void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) throw std::bad_alloc();
        data = p;
    }
    FreshZeroedBlock(const FreshZeroedBlock&) = delete;
    FreshZeroedBlock& operator=(const FreshZeroedBlock&) = delete;
    ~FreshZeroedBlock() { munmap(data, bytes); }
};

// A plane's block, handed back to the cache when its last user lets go.
struct CachedPlane {
    void* data;
    std::size_t bytes;
    CachedPlane(void* d, std::size_t b) : data(d), bytes(b) {}
    CachedPlane(const CachedPlane&) = delete;
    CachedPlane& operator=(const CachedPlane&) = delete;
    ~CachedPlane() { BufferCache::instance().release(data, bytes); }
};

}  // namespace

OutputMaskPlanes::OutputMaskPlanes(const std::vector<MaskTile>& tiles, int width, int height,
                                   std::size_t element_bytes) {
    const std::size_t plane_bytes = static_cast<std::size_t>(width) * height * element_bytes;
    if (plane_bytes * tiles.size() > kSharedBlockBytes) {
        auto shared = std::make_shared<FreshZeroedBlock>(plane_bytes * tiles.size());
        for (std::size_t i = 0; i < tiles.size(); ++i) {
            auto* plane = static_cast<uint8_t*>(shared->data) + i * plane_bytes;
            write_tile_to_plane(tiles[i], plane, width, height, element_bytes, true);
            planes_.push_back({plane, shared});
        }
        return;
    }
    for (const auto& tile : tiles) {
        // A fresh block comes zeroed (calloc); a recycled one is cleared around the tile.
        const CachedBlock block = BufferCache::instance().acquire(plane_bytes, true);
        auto owner = std::make_shared<CachedPlane>(block.data, plane_bytes);
        write_tile_to_plane(tile, static_cast<uint8_t*>(block.data), width, height, element_bytes, !block.recycled);
        planes_.push_back({block.data, owner});
    }
}

}  // namespace instaug
