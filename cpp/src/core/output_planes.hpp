// A sample's output mask planes, one full (height x width) plane per kept row with its tile
// written in. Each plane is a block from the buffer cache, and every byte of it is written here:
// planes share one size, so a steady stream of samples recycles them without a page fault. (Until
// issue 16, past 16 MiB of planes a fresh, lazily zeroed mapping was used instead: the call got
// faster, but the consumer then paid more in page faults when it first read the masks.)
#pragma once
#include <cstddef>
#include <memory>
#include <vector>

#include "core/mask_tile.hpp"

namespace instaug {

class OutputMaskPlanes {
public:
    // A plane's bytes and what keeps them alive: they are returned to the cache when the last copy
    // of `owner` goes.
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
