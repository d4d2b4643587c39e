#include "kernels/warp_bilinear.hpp"

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "kernels/cpu_features.hpp"
#if defined(INSTAUG_AVX2_DISPATCH)
#include <immintrin.h>
#endif

namespace instaug {
namespace {

// uint8 planes use source positions in 1/2048 pixel and integer weights: the position error (at
// most 1/4096 px) moves a full-contrast edge by at most 0.07 grey levels, far inside the 1-level
// budget. float32 planes use float weights.
constexpr int kFracBits = 11;
constexpr int kOne = 1 << kFracBits;

template <class T>
inline T store(float v) {
    return cv::saturate_cast<T>(v);
}

// A sample whose 2x2 neighbourhood leaves the source: each tap through OpenCV's border rule
// (borderInterpolate returns -1 for a constant border, read as the fill).
template <class T, int C>
void sample_at_border(const cv::Mat& src, int x0, int y0, float ax, float ay, int border_mode, const float* fill,
                      T* out) {
    const int xs[2] = {cv::borderInterpolate(x0, src.cols, border_mode),
                       cv::borderInterpolate(x0 + 1, src.cols, border_mode)};
    const int ys[2] = {cv::borderInterpolate(y0, src.rows, border_mode),
                       cv::borderInterpolate(y0 + 1, src.rows, border_mode)};
    const float weights[2][2] = {{(1 - ax) * (1 - ay), ax * (1 - ay)}, {(1 - ax) * ay, ax * ay}};
    float acc[C] = {};
    for (int j = 0; j < 2; ++j)
        for (int i = 0; i < 2; ++i) {
            const float w = weights[j][i];
            const bool outside = xs[i] < 0 || ys[j] < 0;
            const T* p = outside ? nullptr : src.ptr<T>(ys[j]) + xs[i] * C;
            for (int c = 0; c < C; ++c) acc[c] += w * (outside ? fill[c] : static_cast<float>(p[c]));
        }
    for (int c = 0; c < C; ++c) out[c] = store<T>(acc[c]);
}

// Source positions of one destination row in 1/kOne pixel; `valid` is false where the position is
// not finite (behind a perspective horizon) or where an intermediate canvas of a fused chain does not
// cover it (the step-by-step warp would have filled it there). `row_value(m, r, x, y)`: row r of a
// stage's map at (x, y, 1), unfused (portable path) or fused (the vector paths' tails).
template <class RowValue>
inline void chain_position_by(const std::vector<WarpStage>& stages, double x, double y, int& fixed_x, int& fixed_y,
                              int& valid, RowValue row_value) {
    bool inside = true;
    for (std::size_t k = 0; k < stages.size(); ++k) {
        const cv::Matx33d& m = stages[k].inverse;
        double sx = row_value(m, 0, x, y), sy = row_value(m, 1, x, y);
        if (stages[k].perspective) {
            const double inv = 1.0 / row_value(m, 2, x, y);
            sx *= inv;
            sy *= inv;
        }
        x = sx;
        y = sy;
        if (k + 1 < stages.size())
            inside = inside && x >= -0.5 && y >= -0.5 && x < stages[k].width - 0.5 && y < stages[k].height - 0.5;
    }
    const bool ok = inside && std::abs(x) < 1e6 && std::abs(y) < 1e6;  // also false for NaN
    valid = ok ? -1 : 0;
    fixed_x = ok ? cvRound(x * kOne) : 0;  // round half to even, as the vector lanes' conversion
    fixed_y = ok ? cvRound(y * kOne) : 0;
}

void chain_position(const std::vector<WarpStage>& stages, double x, double y, int& fixed_x, int& fixed_y,
                    int& valid) {
    chain_position_by(stages, x, y, fixed_x, fixed_y, valid, [](const cv::Matx33d& m, int r, double u, double v) {
        return m(r, 0) * u + m(r, 1) * v + m(r, 2);
    });
}

void row_positions(const std::vector<WarpStage>& stages, int v, int width, int* fixed_x, int* fixed_y, int* valid) {
    for (int u = 0; u < width; ++u) chain_position(stages, u, v, fixed_x[u], fixed_y[u], valid[u]);
}

#if defined(__SSE2__)
// The interior sample of a uint8 RGB pixel with SSE2: each row's two taps are loaded with one
// 8-byte load (the caller guarantees a third pixel follows in the row), blended horizontally as
// 16-bit pairs (madd), then the two rows vertically at 15-bit precision.
inline void sample_rgb_sse2(const uint8_t* p0, const uint8_t* p1, int ax, int ay, uint8_t* out) {
    const __m128i zero = _mm_setzero_si128();
    const __m128i row0 = _mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p0)), zero);
    const __m128i row1 = _mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p1)), zero);
    // [c(x0), c(x0 + 1)] pairs per channel: r0 r1 g0 g1 b0 b1.
    const __m128i pairs0 = _mm_unpacklo_epi16(row0, _mm_srli_si128(row0, 6));
    const __m128i pairs1 = _mm_unpacklo_epi16(row1, _mm_srli_si128(row1, 6));
    const __m128i wx = _mm_set1_epi32((ax << 16) | (kOne - ax));
    // Each sum < 255 * 2048 < 2^19: >> 4 keeps it in int16 range.
    const __m128i h0 = _mm_srai_epi32(_mm_madd_epi16(pairs0, wx), 4);
    const __m128i h1 = _mm_srai_epi32(_mm_madd_epi16(pairs1, wx), 4);
    const __m128i v = _mm_unpacklo_epi16(_mm_packs_epi32(h0, zero), _mm_packs_epi32(h1, zero));
    const __m128i wy = _mm_set1_epi32((ay << 16) | (kOne - ay));
    const __m128i sum = _mm_add_epi32(_mm_madd_epi16(v, wy), _mm_set1_epi32(1 << (2 * kFracBits - 5)));
    const __m128i result = _mm_srai_epi32(sum, 2 * kFracBits - 4);
    const __m128i bytes = _mm_packus_epi16(_mm_packs_epi32(result, zero), zero);
    const uint32_t rgb = static_cast<uint32_t>(_mm_cvtsi128_si32(bytes));
    out[0] = static_cast<uint8_t>(rgb);
    out[1] = static_cast<uint8_t>(rgb >> 8);
    out[2] = static_cast<uint8_t>(rgb >> 16);
}
#endif

// One destination pixel from its source position in 1/kOne pixel.
template <class T, int C>
inline void sample_pixel(const cv::Mat& src, int fixed_x, int fixed_y, bool valid, int border_mode,
                         const float* fill_value, T* out) {
    const int sw = src.cols, sh = src.rows;
    if (!valid) {
        for (int c = 0; c < C; ++c) out[c] = store<T>(fill_value[c]);
        return;
    }
    const int x0 = fixed_x >> kFracBits, y0 = fixed_y >> kFracBits;
    const int ax = fixed_x & (kOne - 1), ay = fixed_y & (kOne - 1);
    if (x0 < 0 || y0 < 0 || x0 + 1 >= sw || y0 + 1 >= sh) {
        sample_at_border<T, C>(src, x0, y0, static_cast<float>(ax) / kOne, static_cast<float>(ay) / kOne,
                               border_mode, fill_value, out);
        return;
    }
    const T* p0 = src.ptr<T>(y0) + x0 * C;
    const T* p1 = reinterpret_cast<const T*>(reinterpret_cast<const uint8_t*>(p0) + src.step[0]);
#if defined(__SSE2__)
    if constexpr (std::is_same_v<T, uint8_t> && C == 3) {
        if (x0 + 2 < sw) {  // the 8-byte loads stay inside both rows
            sample_rgb_sse2(p0, p1, ax, ay, out);
            return;
        }
    }
#endif
    if constexpr (std::is_same_v<T, uint8_t>) {
        const int w00 = (kOne - ax) * (kOne - ay), w01 = ax * (kOne - ay);
        const int w10 = (kOne - ax) * ay, w11 = ax * ay;
        for (int c = 0; c < C; ++c) {
            const int acc = w00 * p0[c] + w01 * p0[C + c] + w10 * p1[c] + w11 * p1[C + c];
            out[c] = static_cast<uint8_t>((acc + (1 << (2 * kFracBits - 1))) >> (2 * kFracBits));
        }
    } else {
        const float fx = static_cast<float>(ax) / kOne, fy = static_cast<float>(ay) / kOne;
        const float w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
        for (int c = 0; c < C; ++c) out[c] = w00 * p0[c] + w01 * p0[C + c] + w10 * p1[c] + w11 * p1[C + c];
    }
}

template <class T, int C>
void warp_rows(const cv::Mat& src, cv::Mat& dst, const std::vector<WarpStage>& stages, int border_mode,
               const cv::Scalar& fill) {
    float fill_value[C];
    for (int c = 0; c < C; ++c) fill_value[c] = static_cast<float>(fill[c]);
    cv::parallel_for_(cv::Range(0, dst.rows), [&](const cv::Range& rows) {
        std::vector<int> fixed_x(dst.cols), fixed_y(dst.cols), valid(dst.cols);
        for (int v = rows.start; v < rows.end; ++v) {
            row_positions(stages, v, dst.cols, fixed_x.data(), fixed_y.data(), valid.data());
            T* out = dst.ptr<T>(v);
            for (int u = 0; u < dst.cols; ++u, out += C)
                sample_pixel<T, C>(src, fixed_x[u], fixed_y[u], valid[u] != 0, border_mode, fill_value, out);
        }
    });
}


#if defined(INSTAUG_AVX2_DISPATCH)
// The vector paths for uint8 RGB, chosen at run time (the build stays baseline x86-64): positions
// in double with fused multiply-adds (affine positions equal the portable path's; perspective ones
// may differ by the last double bit), then pixels in blocks with 32-bit gathers (interior and fill
// lanes) and float lerps. Pixels whose neighbourhood touches the border go through sample_pixel,
// each on its own. A pixel's value never depends on whether it fell in a block or in a row's tail,
// nor on the block width (AVX2 or AVX-512): the tails below repeat a lane's arithmetic.

// One position of a row's tail, as a vector lane computes it: the same fused multiply-adds in the
// same order, the same checks, round half to even.
__attribute__((target("avx2,fma"))) void chain_position_fused(const std::vector<WarpStage>& stages, double x,
                                                                double y, int& fixed_x, int& fixed_y, int& valid) {
    chain_position_by(stages, x, y, fixed_x, fixed_y, valid, [](const cv::Matx33d& m, int r, double u, double v) {
        return std::fma(m(r, 0), u, std::fma(m(r, 1), v, m(r, 2)));
    });
}

// One pixel of a row's tail, sorted and computed as a vector lane is: the fill where the position
// is invalid (or, with a constant border, its 2x2 neighbourhood wholly outside), sample_pixel where
// the neighbourhood touches the border, else the lanes' float lerps.
__attribute__((target("avx2,fma"))) void tail_pixel_rgb8(const cv::Mat& src, int fixed_x, int fixed_y, bool valid,
                                                           int border_mode, const float* fill_value, uint8_t* out) {
    const int x0 = fixed_x >> kFracBits, y0 = fixed_y >> kFracBits;
    const bool outside = border_mode == cv::BORDER_CONSTANT &&
                         (x0 < -1 || y0 < -1 || x0 > src.cols - 1 || y0 > src.rows - 1);
    if (!valid || outside) {
        for (int c = 0; c < 3; ++c) out[c] = cv::saturate_cast<uint8_t>(fill_value[c]);
        return;
    }
    if (x0 < 0 || y0 < 0 || x0 > src.cols - 3 || y0 > src.rows - 2) {
        sample_pixel<uint8_t, 3>(src, fixed_x, fixed_y, true, border_mode, fill_value, out);
        return;
    }
    const float ax = static_cast<float>(fixed_x & (kOne - 1)) * (1.0f / kOne);
    const float ay = static_cast<float>(fixed_y & (kOne - 1)) * (1.0f / kOne);
    const uint8_t* p0 = src.ptr<uint8_t>(y0) + 3 * x0;
    const uint8_t* p1 = p0 + src.step[0];
    for (int c = 0; c < 3; ++c) {
        const float v00 = p0[c], v01 = p0[3 + c], v10 = p1[c], v11 = p1[3 + c];
        const float top = std::fma(ax, v01 - v00, v00), bottom = std::fma(ax, v11 - v10, v10);
        out[c] = static_cast<uint8_t>(_mm_cvtss_si32(_mm_set_ss(std::fma(ay, bottom - top, top))));
    }
}

// The AVX2 path: positions four at a time, pixels eight per step with four gathers.
__attribute__((target("avx2,fma"))) void row_positions_avx2(const std::vector<WarpStage>& stages, int v, int width,
                                                              int* fixed_x, int* fixed_y, int* valid) {
    const __m256d lanes = _mm256_setr_pd(0, 1, 2, 3);
    const __m256d one = _mm256_set1_pd(1.0), scale = _mm256_set1_pd(kOne), half = _mm256_set1_pd(-0.5);
    const __m256d limit = _mm256_set1_pd(1e6), sign = _mm256_set1_pd(-0.0);
    const __m256i even_lanes = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    const std::size_t last = stages.size() - 1;
    int u = 0;
    for (; u + 4 <= width; u += 4) {
        __m256d x = _mm256_add_pd(_mm256_set1_pd(u), lanes), y = _mm256_set1_pd(v);
        __m256d ok = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
        for (std::size_t k = 0; k <= last; ++k) {
            const cv::Matx33d& m = stages[k].inverse;
            __m256d sx = _mm256_fmadd_pd(_mm256_set1_pd(m(0, 0)), x, _mm256_fmadd_pd(_mm256_set1_pd(m(0, 1)), y, _mm256_set1_pd(m(0, 2))));
            __m256d sy = _mm256_fmadd_pd(_mm256_set1_pd(m(1, 0)), x, _mm256_fmadd_pd(_mm256_set1_pd(m(1, 1)), y, _mm256_set1_pd(m(1, 2))));
            if (stages[k].perspective) {
                const __m256d w = _mm256_fmadd_pd(_mm256_set1_pd(m(2, 0)), x,
                                                  _mm256_fmadd_pd(_mm256_set1_pd(m(2, 1)), y, _mm256_set1_pd(m(2, 2))));
                const __m256d inv = _mm256_div_pd(one, w);
                sx = _mm256_mul_pd(sx, inv);
                sy = _mm256_mul_pd(sy, inv);
            }
            x = sx;
            y = sy;
            if (k < last) {  // inside the intermediate canvas, [-0.5, size - 0.5)
                const __m256d w_end = _mm256_set1_pd(stages[k].width - 0.5), h_end = _mm256_set1_pd(stages[k].height - 0.5);
                ok = _mm256_and_pd(ok, _mm256_and_pd(_mm256_cmp_pd(x, half, _CMP_GE_OQ), _mm256_cmp_pd(y, half, _CMP_GE_OQ)));
                ok = _mm256_and_pd(ok, _mm256_and_pd(_mm256_cmp_pd(x, w_end, _CMP_LT_OQ), _mm256_cmp_pd(y, h_end, _CMP_LT_OQ)));
            }
        }
        // Ordered compares: NaN (behind the horizon) is not finite.
        ok = _mm256_and_pd(ok, _mm256_and_pd(_mm256_cmp_pd(_mm256_andnot_pd(sign, x), limit, _CMP_LT_OQ),
                                             _mm256_cmp_pd(_mm256_andnot_pd(sign, y), limit, _CMP_LT_OQ)));
        const __m128i ix = _mm256_cvtpd_epi32(_mm256_and_pd(ok, _mm256_mul_pd(x, scale)));
        const __m128i iy = _mm256_cvtpd_epi32(_mm256_and_pd(ok, _mm256_mul_pd(y, scale)));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(fixed_x + u), ix);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(fixed_y + u), iy);
        const __m256i ok_dwords = _mm256_permutevar8x32_epi32(_mm256_castpd_si256(ok), even_lanes);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(valid + u), _mm256_castsi256_si128(ok_dwords));
    }
    for (; u < width; ++u) chain_position_fused(stages, u, v, fixed_x[u], fixed_y[u], valid[u]);
}

// The fill as one [r g b 0] word, the vector paths' fill lanes.
int fill_word(const float* fill_value) {
    uint8_t bytes[4] = {};
    for (int c = 0; c < 3; ++c) bytes[c] = cv::saturate_cast<uint8_t>(fill_value[c]);
    int word;
    std::memcpy(&word, bytes, 4);
    return word;
}

__attribute__((target("avx2,fma"))) inline __m256 channel_as_float(__m256i pixels, int shift) {
    return _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(pixels, shift), _mm256_set1_epi32(0xFF)));
}

__attribute__((target("avx2,fma"))) void warp_row_range_rgb8_avx2(const cv::Mat& src, cv::Mat& dst,
                                                                    const std::vector<WarpStage>& stages,
                                                                    int border_mode, const float* fill_value,
                                                                    const cv::Range& rows) {
    const int sw = src.cols, sh = src.rows;
    const int stride = static_cast<int>(src.step[0]);
    const auto* words = reinterpret_cast<const int*>(src.data);
    std::vector<int> fixed_x(dst.cols), fixed_y(dst.cols), valid(dst.cols);
    const __m256i frac = _mm256_set1_epi32(kOne - 1), zero = _mm256_setzero_si256();
    const __m256i x_last = _mm256_set1_epi32(sw - 3), y_last = _mm256_set1_epi32(sh - 2);
    const __m256i x_beyond = _mm256_set1_epi32(sw - 1), y_beyond = _mm256_set1_epi32(sh - 1);
    const __m256i minus_one = _mm256_set1_epi32(-1);
    const bool constant_border = border_mode == cv::BORDER_CONSTANT;
    const __m256i fill_rgb = _mm256_set1_epi32(fill_word(fill_value));
    const __m256i three = _mm256_set1_epi32(3), row_step = _mm256_set1_epi32(stride);
    const __m256 to_unit = _mm256_set1_ps(1.0f / kOne);
    // Four [r g b x] words of a 128-bit half packed into 12 bytes.
    const __m256i pack = _mm256_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1, 0, 1, 2, 4,
                                          5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
    for (int v = rows.start; v < rows.end; ++v) {
        row_positions_avx2(stages, v, dst.cols, fixed_x.data(), fixed_y.data(), valid.data());
        uint8_t* out = dst.ptr<uint8_t>(v);
        int u = 0;
        for (; u + 8 <= dst.cols; u += 8, out += 24) {
            const __m256i fx = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(fixed_x.data() + u));
            const __m256i fy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(fixed_y.data() + u));
            const __m256i x0 = _mm256_srai_epi32(fx, kFracBits), y0 = _mm256_srai_epi32(fy, kFracBits);
            // Interior: both rows exist and the 4-byte load of the right tap stays in its row.
            const __m256i edge = _mm256_or_si256(
                _mm256_or_si256(_mm256_cmpgt_epi32(zero, x0), _mm256_cmpgt_epi32(zero, y0)),
                _mm256_or_si256(_mm256_cmpgt_epi32(x0, x_last), _mm256_cmpgt_epi32(y0, y_last)));
            // Fill: invalid positions, and with a constant border, 2x2 neighbourhoods wholly outside.
            __m256i fill_lanes = _mm256_cmpeq_epi32(
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(valid.data() + u)), zero);
            if (constant_border)
                fill_lanes = _mm256_or_si256(
                    fill_lanes, _mm256_or_si256(_mm256_or_si256(_mm256_cmpgt_epi32(minus_one, x0),
                                                                _mm256_cmpgt_epi32(minus_one, y0)),
                                                _mm256_or_si256(_mm256_cmpgt_epi32(x0, x_beyond),
                                                                _mm256_cmpgt_epi32(y0, y_beyond))));
            // Lanes at the border go through sample_pixel, one by one, after the block is stored.
            const int scalar_lanes = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_andnot_si256(fill_lanes, edge)));
            // Fill and border lanes read pixel (0, 0) and are replaced below.
            const __m256i offset = _mm256_andnot_si256(
                _mm256_or_si256(fill_lanes, edge),
                _mm256_add_epi32(_mm256_mullo_epi32(y0, row_step), _mm256_mullo_epi32(x0, three)));
            const __m256i offset_down = _mm256_add_epi32(offset, row_step);
            const __m256i p00 = _mm256_i32gather_epi32(words, offset, 1);
            const __m256i p01 = _mm256_i32gather_epi32(words, _mm256_add_epi32(offset, three), 1);
            const __m256i p10 = _mm256_i32gather_epi32(words, offset_down, 1);
            const __m256i p11 = _mm256_i32gather_epi32(words, _mm256_add_epi32(offset_down, three), 1);
            const __m256 ax = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_and_si256(fx, frac)), to_unit);
            const __m256 ay = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_and_si256(fy, frac)), to_unit);
            __m256i rgb = zero;
            for (int c = 0; c < 3; ++c) {
                const __m256 v00 = channel_as_float(p00, 8 * c), v01 = channel_as_float(p01, 8 * c);
                const __m256 v10 = channel_as_float(p10, 8 * c), v11 = channel_as_float(p11, 8 * c);
                const __m256 top = _mm256_fmadd_ps(ax, _mm256_sub_ps(v01, v00), v00);
                const __m256 bottom = _mm256_fmadd_ps(ax, _mm256_sub_ps(v11, v10), v10);
                const __m256 value = _mm256_fmadd_ps(ay, _mm256_sub_ps(bottom, top), top);
                rgb = _mm256_or_si256(rgb, _mm256_slli_epi32(_mm256_cvtps_epi32(value), 8 * c));
            }
            rgb = _mm256_blendv_epi8(rgb, fill_rgb, fill_lanes);
            const __m256i packed = _mm256_shuffle_epi8(rgb, pack);
            const __m128i low = _mm256_castsi256_si128(packed), high = _mm256_extracti128_si256(packed, 1);
            const uint32_t low_tail = static_cast<uint32_t>(_mm_extract_epi32(low, 2));
            const uint32_t high_tail = static_cast<uint32_t>(_mm_extract_epi32(high, 2));
            _mm_storel_epi64(reinterpret_cast<__m128i*>(out), low);
            std::memcpy(out + 8, &low_tail, 4);
            _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 12), high);
            std::memcpy(out + 20, &high_tail, 4);
            for (int k = 0; scalar_lanes >> k; ++k)
                if ((scalar_lanes >> k) & 1)
                    sample_pixel<uint8_t, 3>(src, fixed_x[u + k], fixed_y[u + k], true, border_mode, fill_value,
                                             out + 3 * k);
        }
        for (; u < dst.cols; ++u, out += 3)
            tail_pixel_rgb8(src, fixed_x[u], fixed_y[u], valid[u] != 0, border_mode, fill_value, out);
    }
}

// The same sampling sixteen pixels a step with AVX-512: masks for the edge and fill lanes, one byte
// permute to pack the pixels, a masked store. The arithmetic is the AVX2 path's, operation for
// operation, and both share their tails, so the output is the same bit for bit; the gathers cost
// the same per element, the rest of the work halves.
// row_positions_avx2, eight positions a step.
INSTAUG_AVX512_TARGET void row_positions_avx512(const std::vector<WarpStage>& stages, int v, int width, int* fixed_x,
                                                int* fixed_y, int* valid) {
    const __m512d lanes = _mm512_setr_pd(0, 1, 2, 3, 4, 5, 6, 7);
    const __m512d one = _mm512_set1_pd(1.0), scale = _mm512_set1_pd(kOne), half = _mm512_set1_pd(-0.5);
    const __m512d limit = _mm512_set1_pd(1e6);
    const std::size_t last = stages.size() - 1;
    int u = 0;
    for (; u + 8 <= width; u += 8) {
        __m512d x = _mm512_add_pd(_mm512_set1_pd(u), lanes), y = _mm512_set1_pd(v);
        __mmask8 ok = 0xFF;
        for (std::size_t k = 0; k <= last; ++k) {
            const cv::Matx33d& m = stages[k].inverse;
            __m512d sx = _mm512_fmadd_pd(_mm512_set1_pd(m(0, 0)), x, _mm512_fmadd_pd(_mm512_set1_pd(m(0, 1)), y, _mm512_set1_pd(m(0, 2))));
            __m512d sy = _mm512_fmadd_pd(_mm512_set1_pd(m(1, 0)), x, _mm512_fmadd_pd(_mm512_set1_pd(m(1, 1)), y, _mm512_set1_pd(m(1, 2))));
            if (stages[k].perspective) {
                const __m512d w = _mm512_fmadd_pd(_mm512_set1_pd(m(2, 0)), x,
                                                  _mm512_fmadd_pd(_mm512_set1_pd(m(2, 1)), y, _mm512_set1_pd(m(2, 2))));
                const __m512d inv = _mm512_div_pd(one, w);
                sx = _mm512_mul_pd(sx, inv);
                sy = _mm512_mul_pd(sy, inv);
            }
            x = sx;
            y = sy;
            if (k < last) {
                const __m512d w_end = _mm512_set1_pd(stages[k].width - 0.5), h_end = _mm512_set1_pd(stages[k].height - 0.5);
                ok &= _mm512_cmp_pd_mask(x, half, _CMP_GE_OQ) & _mm512_cmp_pd_mask(y, half, _CMP_GE_OQ) &
                      _mm512_cmp_pd_mask(x, w_end, _CMP_LT_OQ) & _mm512_cmp_pd_mask(y, h_end, _CMP_LT_OQ);
            }
        }
        ok &= _mm512_cmp_pd_mask(_mm512_abs_pd(x), limit, _CMP_LT_OQ) & _mm512_cmp_pd_mask(_mm512_abs_pd(y), limit, _CMP_LT_OQ);
        const __m256i ix = _mm512_cvtpd_epi32(_mm512_maskz_mul_pd(ok, x, scale));
        const __m256i iy = _mm512_cvtpd_epi32(_mm512_maskz_mul_pd(ok, y, scale));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(fixed_x + u), ix);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(fixed_y + u), iy);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(valid + u), _mm256_movm_epi32(ok));
    }
    for (; u < width; ++u) chain_position_fused(stages, u, v, fixed_x[u], fixed_y[u], valid[u]);
}

INSTAUG_AVX512_TARGET inline __m512 channel_as_float_512(__m512i pixels, int shift) {
    return _mm512_cvtepi32_ps(_mm512_and_si512(_mm512_srli_epi32(pixels, shift), _mm512_set1_epi32(0xFF)));
}

INSTAUG_AVX512_TARGET void warp_row_range_rgb8_avx512(const cv::Mat& src, cv::Mat& dst,
                                                      const std::vector<WarpStage>& stages, int border_mode,
                                                      const float* fill_value, const cv::Range& rows) {
    const int sw = src.cols, sh = src.rows;
    const int stride = static_cast<int>(src.step[0]);
    const auto* words = reinterpret_cast<const int*>(src.data);
    std::vector<int> fixed_x(dst.cols), fixed_y(dst.cols), valid(dst.cols);
    const __m512i frac = _mm512_set1_epi32(kOne - 1), zero = _mm512_setzero_si512();
    const __m512i x_last = _mm512_set1_epi32(sw - 3), y_last = _mm512_set1_epi32(sh - 2);
    const __m512i x_beyond = _mm512_set1_epi32(sw - 1), y_beyond = _mm512_set1_epi32(sh - 1);
    const __m512i minus_one = _mm512_set1_epi32(-1);
    const bool constant_border = border_mode == cv::BORDER_CONSTANT;
    const __m512i fill_rgb = _mm512_set1_epi32(fill_word(fill_value));
    const __m512i three = _mm512_set1_epi32(3), row_step = _mm512_set1_epi32(stride);
    const __m512 to_unit = _mm512_set1_ps(1.0f / kOne);
    const __m512i packer = _mm512_load_si512(kRgbLaneIndices.pack);
    const __mmask64 rgb_bytes = (1ULL << 48) - 1;
    for (int v = rows.start; v < rows.end; ++v) {
        row_positions_avx512(stages, v, dst.cols, fixed_x.data(), fixed_y.data(), valid.data());
        uint8_t* out = dst.ptr<uint8_t>(v);
        int u = 0;
        for (; u + 16 <= dst.cols; u += 16, out += 48) {
            const __m512i fx = _mm512_loadu_si512(fixed_x.data() + u);
            const __m512i fy = _mm512_loadu_si512(fixed_y.data() + u);
            const __m512i x0 = _mm512_srai_epi32(fx, kFracBits), y0 = _mm512_srai_epi32(fy, kFracBits);
            const __mmask16 edge = _mm512_cmplt_epi32_mask(x0, zero) | _mm512_cmplt_epi32_mask(y0, zero) |
                                   _mm512_cmpgt_epi32_mask(x0, x_last) | _mm512_cmpgt_epi32_mask(y0, y_last);
            __mmask16 fill_lanes = _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(valid.data() + u), zero);
            if (constant_border)
                fill_lanes |= _mm512_cmplt_epi32_mask(x0, minus_one) | _mm512_cmplt_epi32_mask(y0, minus_one) |
                              _mm512_cmpgt_epi32_mask(x0, x_beyond) | _mm512_cmpgt_epi32_mask(y0, y_beyond);
            const unsigned scalar_lanes = edge & ~fill_lanes;
            const __m512i offset = _mm512_maskz_add_epi32(static_cast<__mmask16>(~(fill_lanes | edge)),
                                                          _mm512_mullo_epi32(y0, row_step), _mm512_mullo_epi32(x0, three));
            const __m512i offset_down = _mm512_add_epi32(offset, row_step);
            const __m512i p00 = _mm512_i32gather_epi32(offset, words, 1);
            const __m512i p01 = _mm512_i32gather_epi32(_mm512_add_epi32(offset, three), words, 1);
            const __m512i p10 = _mm512_i32gather_epi32(offset_down, words, 1);
            const __m512i p11 = _mm512_i32gather_epi32(_mm512_add_epi32(offset_down, three), words, 1);
            const __m512 ax = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_and_si512(fx, frac)), to_unit);
            const __m512 ay = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_and_si512(fy, frac)), to_unit);
            __m512i rgb = zero;
            for (int c = 0; c < 3; ++c) {
                const __m512 v00 = channel_as_float_512(p00, 8 * c), v01 = channel_as_float_512(p01, 8 * c);
                const __m512 v10 = channel_as_float_512(p10, 8 * c), v11 = channel_as_float_512(p11, 8 * c);
                const __m512 top = _mm512_fmadd_ps(ax, _mm512_sub_ps(v01, v00), v00);
                const __m512 bottom = _mm512_fmadd_ps(ax, _mm512_sub_ps(v11, v10), v10);
                const __m512 value = _mm512_fmadd_ps(ay, _mm512_sub_ps(bottom, top), top);
                rgb = _mm512_or_si512(rgb, _mm512_slli_epi32(_mm512_cvtps_epi32(value), 8 * c));
            }
            rgb = _mm512_mask_blend_epi32(fill_lanes, rgb, fill_rgb);
            _mm512_mask_storeu_epi8(out, rgb_bytes, _mm512_permutexvar_epi8(packer, rgb));
            for (int k = 0; scalar_lanes >> k; ++k)
                if ((scalar_lanes >> k) & 1)
                    sample_pixel<uint8_t, 3>(src, fixed_x[u + k], fixed_y[u + k], true, border_mode, fill_value,
                                             out + 3 * k);
        }
        for (; u < dst.cols; ++u, out += 3)
            tail_pixel_rgb8(src, fixed_x[u], fixed_y[u], valid[u] != 0, border_mode, fill_value, out);
    }
}

// The vector path for uint8 RGB: AVX-512 rows where the CPU has it, else AVX2.
void warp_rows_rgb8_vectorised(const cv::Mat& src, cv::Mat& dst, const std::vector<WarpStage>& stages, int border_mode,
                               const cv::Scalar& fill) {
    float fill_value[3];
    for (int c = 0; c < 3; ++c) fill_value[c] = static_cast<float>(fill[c]);
    const bool wide_vectors = use_avx512_kernel();
    cv::parallel_for_(cv::Range(0, dst.rows), [&](const cv::Range& rows) {
        if (wide_vectors) warp_row_range_rgb8_avx512(src, dst, stages, border_mode, fill_value, rows);
        else warp_row_range_rgb8_avx2(src, dst, stages, border_mode, fill_value, rows);
    });
}
#endif

template <class T>
void dispatch_channels(const cv::Mat& src, cv::Mat& dst, const std::vector<WarpStage>& stages, int border_mode,
                       const cv::Scalar& fill) {
    switch (src.channels()) {
        case 1: warp_rows<T, 1>(src, dst, stages, border_mode, fill); break;
        case 2: warp_rows<T, 2>(src, dst, stages, border_mode, fill); break;
        case 3: warp_rows<T, 3>(src, dst, stages, border_mode, fill); break;
        case 4: warp_rows<T, 4>(src, dst, stages, border_mode, fill); break;
        default: throw std::invalid_argument("warp_bilinear: 1 to 4 channels expected");
    }
}

}  // namespace

void warp_bilinear_chain(const cv::Mat& src, cv::Mat& dst, cv::Size dsize, const std::vector<WarpStage>& stages,
                         int border_mode, const cv::Scalar& fill) {
    if (stages.empty()) throw std::invalid_argument("warp_bilinear_chain: at least one stage expected");
    if (&src == &dst) throw std::invalid_argument("warp_bilinear_chain: dst must not be src");
    dst.create(dsize, src.type());
#if defined(INSTAUG_AVX2_DISPATCH)
    // The vector path reads 2x2 neighbourhoods with 4-byte loads (it needs 3 columns and 2 rows) at
    // 32-bit byte offsets.
    const bool small_enough = static_cast<double>(src.step[0]) * src.rows < 2147483647.0;
    if (src.type() == CV_8UC3 && src.cols >= 3 && src.rows >= 2 && small_enough && use_avx2_kernel()) {
        warp_rows_rgb8_vectorised(src, dst, stages, border_mode, fill);
        return;
    }
#endif
    if (src.depth() == CV_8U) dispatch_channels<uint8_t>(src, dst, stages, border_mode, fill);
    else if (src.depth() == CV_32F) dispatch_channels<float>(src, dst, stages, border_mode, fill);
    else throw std::invalid_argument("warp_bilinear: uint8 or float32 planes expected");
}

void warp_bilinear(const cv::Mat& src, cv::Mat& dst, cv::Size dsize, const cv::Matx33d& inverse_map,
                   bool perspective, int border_mode, const cv::Scalar& fill) {
    warp_bilinear_chain(src, dst, dsize, {WarpStage{inverse_map, perspective, src.cols, src.rows}}, border_mode, fill);
}

}  // namespace instaug
