#include "kernels/box_blur.hpp"

#include <cstdint>
#include <cstring>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "kernels/cpu_features.hpp"
#if defined(INSTAUG_AVX2_DISPATCH)
#include <immintrin.h>
#endif

namespace instaug {
namespace {

constexpr int kMaxKernel = 15;  // window sums up to 255 k^2 fit 16 bits

#if defined(INSTAUG_AVX2_DISPATCH)
// Division of a window sum n (at most 255 d, d = k * k) by d, rounded to nearest as cv::blur rounds
// (no ties: d is odd), in 16-bit lanes: ((n + delta) * scale) >> (16 + shift). The constants are
// searched for and checked against every n once per kernel size; `found` is false if none work.
struct SixteenBitDivision {
    bool found = false;
    uint16_t delta = 0, scale = 0;
    int shift = 0;

    explicit SixteenBitDivision(int d) {
        const int largest = 255 * d;
        for (int s = 0; s < 16 && !found; ++s) {
            const int64_t unit = int64_t{1} << (16 + s);
            for (int64_t m : {(unit + d - 1) / d, unit / d}) {
                for (int dl : {d / 2, d / 2 + 1, d / 2 - 1}) {
                    if (m >= 65536 || dl < 0 || largest + dl >= 65536) continue;
                    bool exact = true;
                    for (int n = 0; n <= largest && exact; ++n)
                        exact = ((int64_t{n} + dl) * m >> (16 + s)) == (2 * int64_t{n} + d) / (2 * d);
                    if (!exact) continue;
                    found = true;
                    delta = static_cast<uint16_t>(dl);
                    scale = static_cast<uint16_t>(m);
                    shift = s;
                    return;
                }
            }
        }
    }
};

std::vector<SixteenBitDivision> divisions_by_size() {
    std::vector<SixteenBitDivision> t;
    for (int size = 0; size <= kMaxKernel; ++size) t.emplace_back(size % 2 ? size * size : 1);
    return t;
}

// Built when the library loads, not on first use: a lazily built table would be a first-use guard
// (and an exit handler) that a fork from another thread could leave held in the child.
const std::vector<SixteenBitDivision> kDivisionsBySize = divisions_by_size();

const SixteenBitDivision& division_for(int k) { return kDivisionsBySize[k]; }

int reflect_101(int i, int n) { return i < 0 ? -i : (i >= n ? 2 * n - 2 - i : i); }

// sums[i] = padded[i] + padded[i + C] + ... (k terms), 16 at a time (sums has whole vectors).
__attribute__((target("avx2"))) void sum_row_neighbours_avx2(const uint8_t* padded, uint16_t* sums, int n, int k,
                                                             int channels) {
    for (int i = 0; i < n; i += 16) {
        __m256i acc = _mm256_setzero_si256();
        for (int j = 0; j < k; ++j)
            acc = _mm256_add_epi16(
                acc, _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(padded + i + j * channels))));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(sums + i), acc);
    }
}

// The same 32 at a time (sums and padded have whole 32-lane vectors).
INSTAUG_AVX512_TARGET void sum_row_neighbours_avx512(const uint8_t* padded, uint16_t* sums, int n, int k,
                                                     int channels) {
    for (int i = 0; i < n; i += 32) {
        __m512i acc = _mm512_setzero_si512();
        for (int j = 0; j < k; ++j)
            acc = _mm512_add_epi16(acc, _mm512_cvtepu8_epi16(_mm256_loadu_si256(
                                            reinterpret_cast<const __m256i*>(padded + i + j * channels))));
        _mm512_storeu_si512(sums + i, acc);
    }
}

// column += add - remove (remove may be null), 16 lanes at a time.
__attribute__((target("avx2"))) void add_row_sums_avx2(uint16_t* column, const uint16_t* add, const uint16_t* remove,
                                                       int n) {
    for (int i = 0; i < n; i += 16) {
        __m256i* c = reinterpret_cast<__m256i*>(column + i);
        __m256i v = _mm256_add_epi16(_mm256_loadu_si256(c), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(add + i)));
        if (remove) v = _mm256_sub_epi16(v, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(remove + i)));
        _mm256_storeu_si256(c, v);
    }
}

// Sums of k neighbours along each row (16-bit, k * 255 fits), then a running sum of k rows of
// those down each column, then OpenCV's division: each output byte from the same integers as
// cv::blur's. Row sums are cached in a ring of 2r + 2 rows and recomputed on a miss, so they stay
// in cache. The row entering and the row leaving the running sum are 2r + 1 apart, or an odd
// distance once reflected at the top or bottom, so with an even ring they never share a slot: the
// second lookup cannot overwrite the first's sums.
__attribute__((target("avx2"))) void box_blur_avx2(const cv::Mat& src, cv::Mat& dst, int k) {
    const int height = src.rows, width = src.cols, channels = src.channels(), r = k / 2;
    const int row_len = width * channels;
    constexpr int kLanes = 16, kWideLanes = 32;
    const int row_stride = (row_len + kWideLanes - 1) / kWideLanes * kWideLanes;  // whole vectors per row
    const bool wide = use_avx512_kernel();
    const int ring = 2 * r + 2;
    std::vector<uint8_t> padded(static_cast<size_t>(row_stride + 2 * r * channels + kWideLanes), 0);
    std::vector<uint16_t> ring_sums(static_cast<size_t>(ring) * row_stride);
    std::vector<int> ring_row(ring, -1);
    auto row_sums = [&](int y) -> const uint16_t* {
        y = reflect_101(y, height);
        uint16_t* sums = ring_sums.data() + static_cast<size_t>(y % ring) * row_stride;
        if (ring_row[y % ring] == y) return sums;
        ring_row[y % ring] = y;
        const uint8_t* in = src.ptr<uint8_t>(y);
        std::memcpy(padded.data() + r * channels, in, row_len);
        for (int p = 0; p < r; ++p) {
            std::memcpy(padded.data() + p * channels, in + reflect_101(p - r, width) * channels, channels);
            std::memcpy(padded.data() + (width + r + p) * channels, in + reflect_101(width + p, width) * channels,
                        channels);
        }
        if (wide) sum_row_neighbours_avx512(padded.data(), sums, row_len, k, channels);
        else sum_row_neighbours_avx2(padded.data(), sums, row_len, k, channels);
        return sums;
    };
    const SixteenBitDivision& div = division_for(k);
    const __m256i delta = _mm256_set1_epi16(static_cast<short>(div.delta));
    const __m256i scale = _mm256_set1_epi16(static_cast<short>(div.scale));
    const __m128i shift = _mm_cvtsi32_si128(div.shift);
    std::vector<uint16_t> column(static_cast<size_t>(row_stride), 0);
    for (int dy = -r; dy <= r; ++dy) add_row_sums_avx2(column.data(), row_sums(dy), nullptr, row_stride);
    std::vector<uint8_t> tail(kLanes);
    for (int y = 0; y < height; ++y) {
        // 16-bit wrap-around cancels: the running sum is exact.
        if (y > 0) {
            const uint16_t* add = row_sums(y + r);
            add_row_sums_avx2(column.data(), add, row_sums(y - r - 1), row_stride);
        }
        uint8_t* out = dst.ptr<uint8_t>(y);
        int i = 0;
        for (; i < row_len; i += kLanes) {
            const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(column.data() + i));
            const __m256i q = _mm256_srl_epi16(_mm256_mulhi_epu16(_mm256_add_epi16(c, delta), scale), shift);
            const __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
            if (i + kLanes <= row_len) {
                _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), bytes);
            } else {
                _mm_storeu_si128(reinterpret_cast<__m128i*>(tail.data()), bytes);
                std::memcpy(out + i, tail.data(), row_len - i);
            }
        }
    }
}
#endif

}  // namespace

void box_mean_blur(const cv::Mat& src, cv::Mat& dst, int k) {
#if defined(INSTAUG_AVX2_DISPATCH)
    const int r = k / 2;
    if (src.depth() == CV_8U && src.channels() <= 4 && k % 2 == 1 && k >= 3 && k <= kMaxKernel && src.rows > r &&
        src.cols > r && use_avx2_kernel() && division_for(k).found) {
        cv::Mat out(src.size(), src.type());
        box_blur_avx2(src, out, k);
        dst = out;
        return;
    }
#endif
    cv::blur(src, dst, cv::Size(k, k));
}

}  // namespace instaug
