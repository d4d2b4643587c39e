#include "instaug/warp_bilinear.hpp"

#include <cmath>
#include <stdexcept>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
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
// not finite (behind a perspective horizon).
void row_positions(const cv::Matx33d& m, bool perspective, int v, int width, std::vector<int>& fixed_x,
                   std::vector<int>& fixed_y, std::vector<uint8_t>& valid) {
    const double row_x = m(0, 1) * v + m(0, 2);
    const double row_y = m(1, 1) * v + m(1, 2);
    const double row_w = m(2, 1) * v + m(2, 2);
    if (!perspective) {
        // Affine rows are linear in u: the row ends bound every position.
        const double ends[4] = {row_x, row_y, m(0, 0) * (width - 1) + row_x, m(1, 0) * (width - 1) + row_y};
        bool row_finite = true;
        for (double e : ends) row_finite = row_finite && std::abs(e) < 1e6;
        const double step_x = m(0, 0) * kOne, step_y = m(1, 0) * kOne;
        const double start_x = row_x * kOne, start_y = row_y * kOne;
        for (int u = 0; u < width; ++u) {
            fixed_x[u] = row_finite ? cvRound(start_x + step_x * u) : 0;
            fixed_y[u] = row_finite ? cvRound(start_y + step_y * u) : 0;
            valid[u] = row_finite;
        }
        return;
    }
    for (int u = 0; u < width; ++u) {
        const double w = m(2, 0) * u + row_w;
        const double sx = (m(0, 0) * u + row_x) / w;
        const double sy = (m(1, 0) * u + row_y) / w;
        const bool finite = std::abs(sx) < 1e6 && std::abs(sy) < 1e6;  // also false for NaN
        valid[u] = finite;
        fixed_x[u] = finite ? cvRound(sx * kOne) : 0;
        fixed_y[u] = finite ? cvRound(sy * kOne) : 0;
    }
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

template <class T, int C>
void warp_rows(const cv::Mat& src, cv::Mat& dst, const cv::Matx33d& m, bool perspective, int border_mode,
               const cv::Scalar& fill) {
    const int sw = src.cols, sh = src.rows;
    float fill_value[C];
    for (int c = 0; c < C; ++c) fill_value[c] = static_cast<float>(fill[c]);
    cv::parallel_for_(cv::Range(0, dst.rows), [&](const cv::Range& rows) {
        std::vector<int> fixed_x(dst.cols), fixed_y(dst.cols);
        std::vector<uint8_t> valid(dst.cols);
        for (int v = rows.start; v < rows.end; ++v) {
            row_positions(m, perspective, v, dst.cols, fixed_x, fixed_y, valid);
            T* out = dst.ptr<T>(v);
            for (int u = 0; u < dst.cols; ++u, out += C) {
                if (!valid[u]) {
                    for (int c = 0; c < C; ++c) out[c] = store<T>(fill_value[c]);
                    continue;
                }
                const int x0 = fixed_x[u] >> kFracBits, y0 = fixed_y[u] >> kFracBits;
                const int ax = fixed_x[u] & (kOne - 1), ay = fixed_y[u] & (kOne - 1);
                if (x0 < 0 || y0 < 0 || x0 + 1 >= sw || y0 + 1 >= sh) {
                    sample_at_border<T, C>(src, x0, y0, static_cast<float>(ax) / kOne, static_cast<float>(ay) / kOne,
                                           border_mode, fill_value, out);
                    continue;
                }
                const T* p0 = src.ptr<T>(y0) + x0 * C;
                const T* p1 = reinterpret_cast<const T*>(reinterpret_cast<const uint8_t*>(p0) + src.step[0]);
#if defined(__SSE2__)
                if constexpr (std::is_same_v<T, uint8_t> && C == 3) {
                    if (x0 + 2 < sw) {  // the 8-byte loads stay inside both rows
                        sample_rgb_sse2(p0, p1, ax, ay, out);
                        continue;
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
                    for (int c = 0; c < C; ++c)
                        out[c] = w00 * p0[c] + w01 * p0[C + c] + w10 * p1[c] + w11 * p1[C + c];
                }
            }
        }
    });
}

template <class T>
void dispatch_channels(const cv::Mat& src, cv::Mat& dst, const cv::Matx33d& m, bool perspective, int border_mode,
                       const cv::Scalar& fill) {
    switch (src.channels()) {
        case 1: warp_rows<T, 1>(src, dst, m, perspective, border_mode, fill); break;
        case 2: warp_rows<T, 2>(src, dst, m, perspective, border_mode, fill); break;
        case 3: warp_rows<T, 3>(src, dst, m, perspective, border_mode, fill); break;
        case 4: warp_rows<T, 4>(src, dst, m, perspective, border_mode, fill); break;
        default: throw std::invalid_argument("warp_bilinear: 1 to 4 channels expected");
    }
}

}  // namespace

void warp_bilinear(const cv::Mat& src, cv::Mat& dst, cv::Size dsize, const cv::Matx33d& inverse_map,
                   bool perspective, int border_mode, const cv::Scalar& fill) {
    dst.create(dsize, src.type());
    if (src.depth() == CV_8U) dispatch_channels<uint8_t>(src, dst, inverse_map, perspective, border_mode, fill);
    else if (src.depth() == CV_32F) dispatch_channels<float>(src, dst, inverse_map, perspective, border_mode, fill);
    else throw std::invalid_argument("warp_bilinear: uint8 or float32 planes expected");
}

}  // namespace instaug
