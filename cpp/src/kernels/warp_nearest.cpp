#include "kernels/warp_nearest.hpp"

#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/cpu_features.hpp"
#if defined(INSTAUG_AVX2_DISPATCH)
#include <immintrin.h>
#endif

namespace instaug {
namespace {

template <int kBytes>
inline void copy_element(uint8_t* dst, const uint8_t* src) {
    std::memcpy(dst, src, kBytes);
}

// floor() without a library call (baseline x86-64 has no SSE4.1 round instruction); callers keep
// values far inside the int range.
inline double fast_floor(double v) {
    const double t = static_cast<double>(static_cast<int64_t>(v));
    return t > v ? t - 1.0 : t;
}

// Row constants of the index map: computed once per row, then one multiply per pixel, the same
// arithmetic for a full plane and for a tile, so a tile pixel and the plane pixel at one canvas
// position agree (and the vector path below agrees with this one bit for bit).
struct RowMap {
    double row_x, row_y, row_w;
    RowMap(const cv::Matx33d& m, double y)
        : row_x(m(0, 1) * y + m(0, 2)), row_y(m(1, 1) * y + m(1, 2)), row_w(m(2, 1) * y + m(2, 2)) {}
};

// Destination pixels [u_begin, width) of one row.
template <int kBytes>
void warp_row_span(const PlainView& src, int src_x0, int src_y0, uint8_t* out, int u_begin, int width, int dst_x0,
                   const cv::Matx33d& m, const RowMap& row, bool perspective, const uint8_t* outside, int bytes) {
    out += static_cast<std::ptrdiff_t>(u_begin) * bytes;
    for (int u = u_begin; u < width; ++u, out += bytes) {
        const double x = u + dst_x0;
        double fx = m(0, 0) * x + row.row_x;
        double fy = m(1, 0) * x + row.row_y;
        if (perspective) {
            const double w = m(2, 0) * x + row.row_w;
            fx /= w;
            fy /= w;
        }
        if (!(std::abs(fx) < 1e15 && std::abs(fy) < 1e15)) {  // behind a perspective horizon
            if (kBytes > 0) copy_element<kBytes>(out, outside); else std::memcpy(out, outside, bytes);
            continue;
        }
        const double sxf = fast_floor(fx) - src_x0;
        const double syf = fast_floor(fy) - src_y0;
        if (sxf >= 0 && syf >= 0 && sxf < src.width && syf < src.height) {
            const uint8_t* in = src.data + static_cast<std::ptrdiff_t>(syf) * src.row_stride +
                                static_cast<std::ptrdiff_t>(sxf) * bytes;
            if (kBytes > 0) copy_element<kBytes>(out, in); else std::memcpy(out, in, bytes);
        } else {
            if (kBytes > 0) copy_element<kBytes>(out, outside); else std::memcpy(out, outside, bytes);
        }
    }
}

template <int kBytes>
void warp_rows(const PlainView& src, int src_x0, int src_y0, PlainView dst, int dst_x0, int dst_y0,
               const cv::Matx33d& m, bool perspective, const uint8_t* outside) {
    const int bytes = kBytes > 0 ? kBytes : dst.element_bytes;
    for (int v = 0; v < dst.height; ++v)
        warp_row_span<kBytes>(src, src_x0, src_y0, dst.data + v * dst.row_stride, 0, dst.width, dst_x0, m,
                              RowMap(m, v + dst_y0), perspective, outside, bytes);
}

#if defined(INSTAUG_AVX2_DISPATCH)
// Byte elements (masks), eight pixels per step: positions four at a time in double with the scalar
// path's operations in its order (multiply, then add: no fused multiply-add, which would round
// differently), then eight byte loads. Most of the scalar path's time was its per-pixel double
// arithmetic and the branches on the tile edge; the loads themselves are few.
__attribute__((target("avx2"))) void warp_rows_bytes_avx2(const PlainView& src, int src_x0, int src_y0,
                                                           PlainView dst, int dst_x0, int dst_y0,
                                                           const cv::Matx33d& m, bool perspective,
                                                           uint8_t outside) {
    const __m256d m00 = _mm256_set1_pd(m(0, 0)), m10 = _mm256_set1_pd(m(1, 0)), m20 = _mm256_set1_pd(m(2, 0));
    const __m256d limit = _mm256_set1_pd(1e15), sign = _mm256_set1_pd(-0.0), zero = _mm256_setzero_pd();
    const __m256d origin_x = _mm256_set1_pd(src_x0), origin_y = _mm256_set1_pd(src_y0);
    const __m256d width = _mm256_set1_pd(src.width), height = _mm256_set1_pd(src.height);
    const __m256d lanes = _mm256_setr_pd(0, 1, 2, 3);
    const __m128i stride = _mm_set1_epi32(static_cast<int>(src.row_stride));
    const uint8_t* data = src.data;
    for (int v = 0; v < dst.height; ++v) {
        const RowMap row(m, v + dst_y0);
        const __m256d row_x = _mm256_set1_pd(row.row_x), row_y = _mm256_set1_pd(row.row_y);
        const __m256d row_w = _mm256_set1_pd(row.row_w);
        uint8_t* out = dst.data + v * dst.row_stride;
        int u = 0;
        for (; u + 8 <= dst.width; u += 8) {
            __m128i offsets[2];
            int inside_bits = 0;
            for (int half = 0; half < 2; ++half) {
                // u + dst_x0 + lane is an exact integer in double, as in the scalar path.
                const __m256d x = _mm256_add_pd(_mm256_set1_pd(u + 4 * half + dst_x0), lanes);
                __m256d fx = _mm256_add_pd(_mm256_mul_pd(m00, x), row_x);
                __m256d fy = _mm256_add_pd(_mm256_mul_pd(m10, x), row_y);
                if (perspective) {
                    const __m256d w = _mm256_add_pd(_mm256_mul_pd(m20, x), row_w);
                    fx = _mm256_div_pd(fx, w);
                    fy = _mm256_div_pd(fy, w);
                }
                // Ordered compares: NaN (behind the horizon) is outside.
                __m256d ok = _mm256_and_pd(_mm256_cmp_pd(_mm256_andnot_pd(sign, fx), limit, _CMP_LT_OQ),
                                           _mm256_cmp_pd(_mm256_andnot_pd(sign, fy), limit, _CMP_LT_OQ));
                const __m256d sx = _mm256_sub_pd(_mm256_floor_pd(fx), origin_x);
                const __m256d sy = _mm256_sub_pd(_mm256_floor_pd(fy), origin_y);
                ok = _mm256_and_pd(ok, _mm256_and_pd(_mm256_cmp_pd(sx, zero, _CMP_GE_OQ), _mm256_cmp_pd(sy, zero, _CMP_GE_OQ)));
                ok = _mm256_and_pd(ok, _mm256_and_pd(_mm256_cmp_pd(sx, width, _CMP_LT_OQ), _mm256_cmp_pd(sy, height, _CMP_LT_OQ)));
                inside_bits |= _mm256_movemask_pd(ok) << (4 * half);
                // Outside lanes read element 0 and are replaced below.
                const __m128i ix = _mm256_cvttpd_epi32(_mm256_and_pd(ok, sx));
                const __m128i iy = _mm256_cvttpd_epi32(_mm256_and_pd(ok, sy));
                offsets[half] = _mm_add_epi32(_mm_mullo_epi32(iy, stride), ix);
            }
            if (inside_bits == 0) {
                std::memset(out + u, outside, 8);
                continue;
            }
            alignas(16) int32_t at[8];
            _mm_store_si128(reinterpret_cast<__m128i*>(at), offsets[0]);
            _mm_store_si128(reinterpret_cast<__m128i*>(at + 4), offsets[1]);
            for (int k = 0; k < 8; ++k) out[u + k] = (inside_bits >> k) & 1 ? data[at[k]] : outside;
        }
        warp_row_span<1>(src, src_x0, src_y0, out, u, dst.width, dst_x0, m, row, perspective, &outside, 1);
    }
}
#endif

// Scale-and-translate maps (Mosaic cells, resizes, crops): the source column depends on u only and
// the source row on v only, so both are looked up from tables built once.
template <int kBytes>
void warp_axis_aligned(const PlainView& src, int src_x0, int src_y0, PlainView dst, int dst_x0, int dst_y0,
                       const cv::Matx33d& m, const uint8_t* outside) {
    const int bytes = kBytes > 0 ? kBytes : dst.element_bytes;
    std::vector<std::ptrdiff_t> column(dst.width);  // byte offset in a source row, -1 outside
    for (int u = 0; u < dst.width; ++u) {
        // The same expression as the general path, so both agree on every pixel.
        const double sx = std::floor(m(0, 0) * (u + dst_x0) + (m(0, 1) * 0.0 + m(0, 2))) - src_x0;
        column[u] = sx >= 0 && sx < src.width ? static_cast<std::ptrdiff_t>(sx) * bytes : -1;
    }
    for (int v = 0; v < dst.height; ++v) {
        const double y = v + dst_y0;
        const double sy = std::floor(m(1, 0) * 0.0 + (m(1, 1) * y + m(1, 2))) - src_y0;
        uint8_t* out = dst.data + v * dst.row_stride;
        if (!(sy >= 0 && sy < src.height)) {
            for (int u = 0; u < dst.width; ++u, out += bytes) std::memcpy(out, outside, bytes);
            continue;
        }
        const uint8_t* row = src.data + static_cast<std::ptrdiff_t>(sy) * src.row_stride;
        for (int u = 0; u < dst.width; ++u, out += bytes) {
            const uint8_t* in = column[u] >= 0 ? row + column[u] : outside;
            if (kBytes > 0) copy_element<kBytes>(out, in); else std::memcpy(out, in, bytes);
        }
    }
}

}  // namespace

void warp_nearest(const PlainView& src, int src_x0, int src_y0, PlainView dst, int dst_x0, int dst_y0,
                  const cv::Matx33d& index_map, bool perspective, const uint8_t* outside) {
    if (!perspective && index_map(0, 1) == 0 && index_map(1, 0) == 0) {
        switch (dst.element_bytes) {
            case 1: warp_axis_aligned<1>(src, src_x0, src_y0, dst, dst_x0, dst_y0, index_map, outside); return;
            case 3: warp_axis_aligned<3>(src, src_x0, src_y0, dst, dst_x0, dst_y0, index_map, outside); return;
            case 4: warp_axis_aligned<4>(src, src_x0, src_y0, dst, dst_x0, dst_y0, index_map, outside); return;
            default: warp_axis_aligned<0>(src, src_x0, src_y0, dst, dst_x0, dst_y0, index_map, outside); return;
        }
    }
#if defined(INSTAUG_AVX2_DISPATCH)
    // 32-bit offsets: the source must span less than 2 GiB.
    if (dst.element_bytes == 1 && static_cast<double>(src.row_stride) * src.height < 2147483647.0 &&
        use_avx2_kernel()) {
        warp_rows_bytes_avx2(src, src_x0, src_y0, dst, dst_x0, dst_y0, index_map, perspective, *outside);
        return;
    }
#endif
    switch (dst.element_bytes) {
        case 1: warp_rows<1>(src, src_x0, src_y0, dst, dst_x0, dst_y0, index_map, perspective, outside); break;
        case 2: warp_rows<2>(src, src_x0, src_y0, dst, dst_x0, dst_y0, index_map, perspective, outside); break;
        case 3: warp_rows<3>(src, src_x0, src_y0, dst, dst_x0, dst_y0, index_map, perspective, outside); break;
        case 4: warp_rows<4>(src, src_x0, src_y0, dst, dst_x0, dst_y0, index_map, perspective, outside); break;
        case 8: warp_rows<8>(src, src_x0, src_y0, dst, dst_x0, dst_y0, index_map, perspective, outside); break;
        default: warp_rows<0>(src, src_x0, src_y0, dst, dst_x0, dst_y0, index_map, perspective, outside); break;
    }
}

}  // namespace instaug
