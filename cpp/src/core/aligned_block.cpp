#include "core/aligned_block.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

#if defined(_WIN32)
#include <malloc.h>
#endif

namespace instaug {
namespace {

constexpr std::size_t kAlignment = 64;

}  // namespace

void* allocate_block(std::size_t bytes, bool zeroed) {
    if (bytes == 0) bytes = 1;
    void* data = nullptr;
#if defined(_WIN32)
    // The CRT's free cannot take _aligned_malloc's blocks, nor _aligned_free calloc's: every block
    // comes from _aligned_malloc, so that free_block has one call to make.
    data = _aligned_malloc(bytes, kAlignment);
    if (data && zeroed) std::memset(data, 0, bytes);
#else
    if (zeroed) {
        // calloc rather than an aligned block cleared by hand: a large calloc maps fresh pages,
        // zero already, and writes none of them.
        data = std::calloc(bytes, 1);
    } else {
#if defined(__unix__) || defined(__APPLE__)
        if (posix_memalign(&data, kAlignment, bytes) != 0) data = nullptr;
#else
        // C++17's aligned_alloc takes only sizes that are multiples of the alignment.
        data = std::aligned_alloc(kAlignment, (bytes + kAlignment - 1) / kAlignment * kAlignment);
#endif
    }
#endif
    if (!data) throw std::bad_alloc();
    return data;
}

void free_block(void* data) {
#if defined(_WIN32)
    _aligned_free(data);
#else
    std::free(data);  // calloc's, posix_memalign's and aligned_alloc's blocks alike
#endif
}

}  // namespace instaug
