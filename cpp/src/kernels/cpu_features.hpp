// Run-time choice of the hand-vectorised kernels: the build stays baseline x86-64 and each AVX2
// kernel is compiled for AVX2 on its own (function target attributes).
#pragma once
#include <cstdint>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define INSTAUG_AVX2_DISPATCH 1
#endif

namespace instaug {

// The CPU has AVX2 and FMA, and INSTAUG_NO_AVX2 (for the tests comparing both paths) is not set:
// decided once per process. Always false where the kernels are not compiled.
bool use_avx2_kernel();

// The CPU also has AVX-512 F, BW, VL, DQ and VBMI (byte permutes), the AVX2 kernels are in use, and
// INSTAUG_NO_AVX512 is not set.
bool use_avx512_kernel();

#if defined(INSTAUG_AVX2_DISPATCH)
// The instruction sets use_avx512_kernel() checks for, as a function target.
#define INSTAUG_AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vbmi,avx2,fma")))

// Byte-permute indices between 16 packed RGB pixels (48 bytes) and one pixel per 32-bit lane:
// `spread` puts byte 3k (the pixel's first channel) into all four bytes of lane k (add c for
// channel c), `pack` takes bytes 4k..4k+2 back to 3k..3k+2.
struct RgbLaneIndices {
    alignas(64) uint8_t spread[64] = {};
    alignas(64) uint8_t pack[64] = {};
    constexpr RgbLaneIndices() {
        for (int k = 0; k < 64; ++k) {
            spread[k] = static_cast<uint8_t>(3 * (k / 4));
            pack[k] = static_cast<uint8_t>(k < 48 ? 4 * (k / 3) + k % 3 : 0);
        }
    }
};
inline constexpr RgbLaneIndices kRgbLaneIndices{};
#endif

}  // namespace instaug
