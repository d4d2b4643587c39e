// Run-time choice of the hand-vectorised kernels: the build stays baseline x86-64 and each AVX2
// kernel is compiled for AVX2 on its own (function target attributes).
#pragma once

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

}  // namespace instaug
