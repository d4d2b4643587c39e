// Large buffers kept for reuse across samples. A fresh large block costs a kernel page fault (and
// a page clear) per 4 KiB the first time it is written; with several threads in one process those
// faults also contend on the process's page tables, which is what kept the batch API from scaling.
// Output images and mask planes, and the big scratch images inside a sample, come from here and go
// back here when NumPy (or OpenCV) lets go of them.
#pragma once
#include <cstddef>
#include <memory>

namespace instaug {

struct CachedBlock {
    void* data = nullptr;
    // Served from the cache: holds whatever its last user wrote. A fresh block asked for with
    // `zero_fresh` is all zeros (calloc, where the platform's aligned blocks allow it).
    bool recycled = false;
};

class BufferCache {
public:
    // Blocks below this size go straight to malloc: the allocator serves those without faults.
    static constexpr std::size_t kMinCachedBytes = 256 * 1024;

    // The process's cache. It is never destroyed, so that arrays freed at interpreter exit can
    // still hand their blocks back.
    static BufferCache& instance();

    // A block of at least `bytes`, aligned to 16 bytes at least (64 when it was first made
    // without zeroing; OpenCV's kernels load unaligned). Throws std::bad_alloc when memory runs out.
    CachedBlock acquire(std::size_t bytes, bool zero_fresh);
    // Gives back a block from acquire(bytes, ...): cached, or freed when the cache would pass its
    // limit after evicting the least recently returned blocks.
    void release(void* data, std::size_t bytes);

    // The most bytes the cache keeps while no one uses them; lowering it frees blocks at once, 0
    // turns caching off.
    void set_limit(std::size_t bytes);
    std::size_t limit() const;
    // Bytes held now, unused.
    std::size_t cached_bytes() const;

private:
    BufferCache() = default;
    struct State;
    State& state() const;
};

// Shared ownership of a block from acquire(bytes, ...): it goes back to the cache (release) when the
// last copy of the pointer goes, as output arrays handed to NumPy need.
std::shared_ptr<void> cached_block_owner(void* data, std::size_t bytes);

// Makes the cache the default cv::Mat allocator of the OpenCV this library links (Mats of at least
// kMinCachedBytes use it; smaller ones use malloc). Idempotent.
void use_buffer_cache_for_mats();

}  // namespace instaug
