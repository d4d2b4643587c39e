#include "kernels/table_lookup.hpp"

#include "kernels/cpu_features.hpp"
#if defined(INSTAUG_AVX2_DISPATCH)
#include <immintrin.h>
#endif

namespace instaug {
namespace {

#if defined(INSTAUG_AVX2_DISPATCH)
// permutex2var picks from 128 entries by the index's low seven bits; bit 7 chooses the half.
INSTAUG_AVX512_TARGET void lookup_bytes_avx512(const uint8_t* in, uint8_t* out, std::size_t n, const uint8_t* table) {
    const __m512i q0 = _mm512_loadu_si512(table), q1 = _mm512_loadu_si512(table + 64);
    const __m512i q2 = _mm512_loadu_si512(table + 128), q3 = _mm512_loadu_si512(table + 192);
    std::size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        const __m512i index = _mm512_loadu_si512(in + i);
        const __m512i low = _mm512_permutex2var_epi8(q0, index, q1);
        const __m512i high = _mm512_permutex2var_epi8(q2, index, q3);
        _mm512_storeu_si512(out + i, _mm512_mask_blend_epi8(_mm512_movepi8_mask(index), low, high));
    }
    if (i < n) {
        const __mmask64 rest = (~0ULL) >> (64 - (n - i));
        const __m512i index = _mm512_maskz_loadu_epi8(rest, in + i);
        const __m512i low = _mm512_permutex2var_epi8(q0, index, q1);
        const __m512i high = _mm512_permutex2var_epi8(q2, index, q3);
        _mm512_mask_storeu_epi8(out + i, rest, _mm512_mask_blend_epi8(_mm512_movepi8_mask(index), low, high));
    }
}
#endif

}  // namespace

bool lookup_bytes_vectorised() { return use_avx512_kernel(); }

void lookup_bytes(const uint8_t* in, uint8_t* out, std::size_t n, const uint8_t* table) {
#if defined(INSTAUG_AVX2_DISPATCH)
    if (use_avx512_kernel()) {
        lookup_bytes_avx512(in, out, n, table);
        return;
    }
#endif
    for (std::size_t i = 0; i < n; ++i) out[i] = table[in[i]];
}

}  // namespace instaug
