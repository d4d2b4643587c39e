// The buffer cache's raw memory, made and freed through one pair of calls: which allocator makes a
// block differs by platform, and a block must go back to the one that made it.
#pragma once
#include <cstddef>

namespace instaug {

// A block of at least `bytes` (one when 0), aligned to 64 bytes; a `zeroed` one is all zeros and,
// where calloc makes it, aligned as calloc aligns (16 bytes on 64-bit glibc). Throws
// std::bad_alloc when memory runs out.
void* allocate_block(std::size_t bytes, bool zeroed);

// Frees a block from allocate_block; nullptr does nothing.
void free_block(void* data);

}  // namespace instaug
