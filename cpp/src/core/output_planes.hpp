// A sample's output mask planes, one full (height x width) plane per kept row with its tile
// written in, and the memory policy behind them: up to kSharedBlockBytes in all, each plane is a
// block from the buffer cache (cleared around its tile when recycled): no page faults, which lets
// batches scale across threads. Past it (many objects), clearing recycled planes would write far
// more bytes than the tiles cover, so the planes share one fresh mapping whose pages the kernel
// zeroes only where a tile lands.
#pragma once
#include <cstddef>
#include <memory>
#include <vector>

#include "core/mask_tile.hpp"

namespace instaug {

class OutputMaskPlanes {
public:
    static constexpr std::size_t kSharedBlockBytes = std::size_t{16} << 20;

    // A plane's bytes and what keeps them alive: they are freed (or returned to the cache) when
    // the last copy of `owner` goes.
    struct Plane {
        void* data = nullptr;
        std::shared_ptr<void> owner;
    };

    OutputMaskPlanes(const std::vector<MaskTile>& tiles, int width, int height, std::size_t element_bytes);

    std::vector<Plane>& planes() { return planes_; }

private:
    std::vector<Plane> planes_;
};

}  // namespace instaug
