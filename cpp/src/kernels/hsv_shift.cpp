#include "kernels/hsv_shift.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "kernels/cpu_features.hpp"
#if defined(INSTAUG_AVX2_DISPATCH)
#include <immintrin.h>
#endif

namespace instaug {
namespace {

// Which of v, v(1-s), v(1-sf), v(1-s(1-f)) each of b, g, r takes in each hue sector (OpenCV's
// sector_data).
constexpr int kSectorData[6][3] = {{1, 3, 0}, {1, 0, 2}, {3, 0, 1}, {0, 2, 1}, {0, 1, 3}, {2, 1, 0}};

#if defined(INSTAUG_AVX2_DISPATCH)
// From here to the vector kernels: what only they use (elsewhere OpenCV's cvtColor converts).
constexpr int kHsvShift = 12;

// OpenCV's RGB2HSV_b division tables (hue range 180): saturate_cast<int> rounds half to even.
struct DivisionTables {
    int32_t saturation[256];
    int32_t hue[256];
    DivisionTables() {
        saturation[0] = hue[0] = 0;
        for (int i = 1; i < 256; ++i) {
            saturation[i] = static_cast<int32_t>(std::nearbyint((255 << kHsvShift) / (1.0 * i)));
            hue[i] = static_cast<int32_t>(std::nearbyint((180 << kHsvShift) / (6.0 * i)));
        }
    }
};

// Built when the library loads, not on first use: a lazily built table would be a first-use guard
// (and an exit handler) that a fork from another thread could leave held in the child.
const DivisionTables kDivisionTables;

const DivisionTables& division_tables() { return kDivisionTables; }

// The vector kernels' form of kSectorData: per sector (a 32-bit lane index), the candidate r, g
// and b take as bytes 0, 1 and 2, plus each lane's byte offset inside its 128-bit shuffle lane
// (four pixels per lane). Sectors past 5 never occur; their lanes pick candidate 0 for all three.
struct SectorPicks {
    alignas(64) int32_t by_sector[16] = {};
    alignas(16) int32_t lane_offset[4] = {};
    constexpr SectorPicks() {
        for (int sector = 0; sector < 6; ++sector)
            for (int c = 0; c < 3; ++c) by_sector[sector] |= kSectorData[sector][2 - c] << (8 * c);
        for (int lane = 0; lane < 4; ++lane) lane_offset[lane] = 0x040404 * lane;
    }
};
constexpr SectorPicks kSectorPicks;

// OpenCV's 8-bit HSV -> RGB (AVX2 build, the reference's) computes 1 - s*f as one fused
// multiply-add everywhere (in its scalar code too, which the compiler contracts), then takes x 255
// two ways: truncated in its vector body, over whole blocks of 32 pixels per row, and rounded in
// its scalar tail, over the rest. Both are mirrored, on the same pixels, so that the result is the
// reference's whatever the width (no byte apart over 2.4 million in a sweep of shifts and widths;
// with plain products in the tail, 15 were). OpenCV builds without FMA (Debian's baseline one)
// differ from it in rare tail bytes, by one.
constexpr int kOpenCvBlock = kOpenCvHsvBlock;

// One pixel, as OpenCV's RGB2HSV_b and HSV2RGB_b with the tables in between.
void shift_pixel(const uint8_t* in, uint8_t* out, const DivisionTables& div, const int32_t tables[3][256],
                 bool truncate) {
    const int r = in[0], g = in[1], b = in[2];
    const int v = std::max({r, g, b}), diff = v - std::min({r, g, b});
    const int s = (diff * div.saturation[v] + (1 << (kHsvShift - 1))) >> kHsvShift;
    int h = v == r ? g - b : (v == g ? b - r + 2 * diff : r - g + 4 * diff);
    h = (h * div.hue[diff] + (1 << (kHsvShift - 1))) >> kHsvShift;
    h += h < 0 ? 180 : 0;
    hsv_to_rgb8_pixel(tables[0][h], tables[1][s], tables[2][v], out, truncate);
}

// The tables as integer shifts when they are (HueSaturationValue's always are, but for exact
// halves): hue (h + hue) mod 180, saturation clamp(s + sat) with 0 kept, value clamp(v + val).
struct TableShifts {
    bool exact = false;
    int hue = 0, sat = 0, val = 0;
};

// The k of a table clamp(v + k, 0, 255), read where it does not clamp (checked by the caller).
int clamped_shift(const Table8& table) {
    for (int v = 1; v < 256; ++v)
        if (table[v] > 0 && table[v] < 255) return table[v] - v;
    return table[255] == 0 ? -255 : 255;
}

TableShifts table_shifts(const HsvTables& tables) {
    TableShifts t;
    t.hue = tables[0][0] % 180;
    t.sat = clamped_shift(tables[1]);
    t.val = clamped_shift(tables[2]);
    bool same = tables[1][0] == 0;
    for (int v = 0; v < 256 && same; ++v) {
        same = (v >= 180 || tables[0][v] == (v + t.hue) % 180) &&
               (v == 0 || tables[1][v] == std::clamp(v + t.sat, 0, 255)) && tables[2][v] == std::clamp(v + t.val, 0, 255);
    }
    t.exact = same;
    return t;
}

// OpenCV's division tables are round(n / d); float division gets every one of them (the quotient's
// distance to a half exceeds its rounding error for d < 256), checked once anyway.
bool float_divisions_match() {
    const DivisionTables& div = division_tables();
    for (int i = 1; i < 256; ++i) {
        const float fi = static_cast<float>(i);
        if (static_cast<int32_t>(std::nearbyint(static_cast<float>(255 << kHsvShift) / fi)) != div.saturation[i] ||
            static_cast<int32_t>(std::nearbyint(static_cast<float>(30 << kHsvShift) / fi)) != div.hue[i])
            return false;
    }
    return true;
}

const bool kDivisionsInFloat = float_divisions_match();

bool divisions_in_float() { return kDivisionsInFloat; }

// Eight pixels per step in 32-bit lanes: OpenCV's integer RGB -> HSV (its division tables computed
// by float division), the tables as shifts, OpenCV's vector HSV -> RGB. Gathers are slow on recent
// Intel cores (the GDS microcode fix), so this path has none. Pixels from width - 9 on go through
// shift_pixel (the 16-byte loads and stores run 4 bytes past their pixels), as do those of
// OpenCV's scalar tail.
// Returns the first pixel it left to shift_pixel.
__attribute__((target("avx2,fma"))) int shift_row_avx2(const uint8_t* src, uint8_t* dst, int width,
                                                       const TableShifts& shifts) {
    const __m256i half = _mm256_set1_epi32(1 << (kHsvShift - 1));
    const __m256i hue_range = _mm256_set1_epi32(180), max_byte = _mm256_set1_epi32(255);
    const __m256i zero = _mm256_setzero_si256();
    const __m256 sat_numerator = _mm256_set1_ps(static_cast<float>(255 << kHsvShift));
    const __m256 hue_numerator = _mm256_set1_ps(static_cast<float>(30 << kHsvShift));
    const __m256i hue_shift = _mm256_set1_epi32(shifts.hue), sat_shift = _mm256_set1_epi32(shifts.sat);
    const __m256i val_shift = _mm256_set1_epi32(shifts.val);
    const __m256 hue_scale = _mm256_set1_ps(6.0f / 180.0f), inv255 = _mm256_set1_ps(1.0f / 255.0f);
    const __m256 one = _mm256_set1_ps(1.0f);
    // Per sector (lane index), which of the four candidates tab[0..3] x 255, truncated, r, g and b
    // take (kSectorPicks): one byte shuffle picks all three channels. No clamp: val and sat are at most
    // 1 (to a float ulp) and hue is in [0, 1), so every candidate truncates into [0, 255] (the
    // clamped form gave the same bytes for all 2^24 colours).
    const __m256i sector_picks = _mm256_load_si256(reinterpret_cast<const __m256i*>(kSectorPicks.by_sector));
    const __m256i lane_offsets =
        _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(kSectorPicks.lane_offset)));
    const __m256 scale255 = _mm256_set1_ps(255.0f);
    // Four pixels per 128-bit lane: each channel into the low byte of a 32-bit lane, and back.
    const __m256i take_r = _mm256_setr_epi8(0, -1, -1, -1, 3, -1, -1, -1, 6, -1, -1, -1, 9, -1, -1, -1,
                                            0, -1, -1, -1, 3, -1, -1, -1, 6, -1, -1, -1, 9, -1, -1, -1);
    const __m256i take_g = _mm256_add_epi8(take_r, _mm256_set1_epi32(1));
    const __m256i take_b = _mm256_add_epi8(take_r, _mm256_set1_epi32(2));
    const __m256i pack = _mm256_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1,
                                          0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
    const int vector_end = width / kOpenCvBlock * kOpenCvBlock;
    int x = 0;
    for (; x + 10 <= width && x + 8 <= vector_end; x += 8) {
        const uint8_t* in = src + 3 * x;
        const __m256i raw = _mm256_inserti128_si256(
            _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in))),
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 12)), 1);
        const __m256i r = _mm256_shuffle_epi8(raw, take_r);
        const __m256i g = _mm256_shuffle_epi8(raw, take_g);
        const __m256i b = _mm256_shuffle_epi8(raw, take_b);
        const __m256i v = _mm256_max_epi32(_mm256_max_epi32(r, g), b);
        const __m256i diff = _mm256_sub_epi32(v, _mm256_min_epi32(_mm256_min_epi32(r, g), b));
        // v = 0 and diff = 0 give infinite divisors, but then the factor they multiply is 0.
        const __m256i sat_div = _mm256_cvtps_epi32(_mm256_div_ps(sat_numerator, _mm256_cvtepi32_ps(v)));
        const __m256i hue_div = _mm256_cvtps_epi32(_mm256_div_ps(hue_numerator, _mm256_cvtepi32_ps(diff)));
        __m256i s = _mm256_srai_epi32(_mm256_add_epi32(_mm256_mullo_epi32(diff, sat_div), half), kHsvShift);
        const __m256i h_r = _mm256_sub_epi32(g, b);
        const __m256i h_g = _mm256_add_epi32(_mm256_sub_epi32(b, r), _mm256_slli_epi32(diff, 1));
        const __m256i h_b = _mm256_add_epi32(_mm256_sub_epi32(r, g), _mm256_slli_epi32(diff, 2));
        __m256i h = _mm256_blendv_epi8(h_b, h_g, _mm256_cmpeq_epi32(v, g));
        h = _mm256_blendv_epi8(h, h_r, _mm256_cmpeq_epi32(v, r));
        h = _mm256_srai_epi32(_mm256_add_epi32(_mm256_mullo_epi32(h, hue_div), half), kHsvShift);
        h = _mm256_add_epi32(h, _mm256_and_si256(_mm256_cmpgt_epi32(zero, h), hue_range));

        // The tables: h + shift wrapped into [0, 180); s + shift clamped, 0 kept; v + shift clamped.
        h = _mm256_add_epi32(h, hue_shift);
        h = _mm256_sub_epi32(h, _mm256_andnot_si256(_mm256_cmpgt_epi32(hue_range, h), hue_range));
        const __m256i s_zero = _mm256_cmpeq_epi32(s, zero);
        s = _mm256_andnot_si256(s_zero, _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(s, sat_shift), zero), max_byte));
        const __m256i v2 = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(v, val_shift), zero), max_byte);

        __m256 hue = _mm256_mul_ps(_mm256_cvtepi32_ps(h), hue_scale);
        const __m256 sat = _mm256_mul_ps(_mm256_cvtepi32_ps(s), inv255);
        const __m256 val = _mm256_mul_ps(_mm256_cvtepi32_ps(v2), inv255);
        const __m256 sector_f = _mm256_floor_ps(hue);
        hue = _mm256_sub_ps(hue, sector_f);
        const __m256i sector = _mm256_cvttps_epi32(sector_f);
        const __m256 t0 = val;
        const __m256 t1 = _mm256_mul_ps(val, _mm256_sub_ps(one, sat));
        const __m256 t2 = _mm256_mul_ps(val, _mm256_fnmadd_ps(sat, hue, one));
        const __m256 t3 = _mm256_mul_ps(val, _mm256_fnmadd_ps(sat, _mm256_sub_ps(one, hue), one));
        const __m256i c0 = _mm256_cvttps_epi32(_mm256_mul_ps(t0, scale255));
        const __m256i c1 = _mm256_cvttps_epi32(_mm256_mul_ps(t1, scale255));
        const __m256i c2 = _mm256_cvttps_epi32(_mm256_mul_ps(t2, scale255));
        const __m256i c3 = _mm256_cvttps_epi32(_mm256_mul_ps(t3, scale255));
        const __m256i candidates = _mm256_or_si256(_mm256_or_si256(c0, _mm256_slli_epi32(c1, 8)),
                                                   _mm256_or_si256(_mm256_slli_epi32(c2, 16), _mm256_slli_epi32(c3, 24)));
        const __m256i picks = _mm256_add_epi32(_mm256_permutevar8x32_epi32(sector_picks, sector), lane_offsets);
        const __m256i packed = _mm256_shuffle_epi8(_mm256_shuffle_epi8(candidates, picks), pack);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 3 * x), _mm256_castsi256_si128(packed));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 3 * x + 12), _mm256_extracti128_si256(packed, 1));
    }
    return x;
}

// The same arithmetic sixteen pixels per step with AVX-512: byte permutes (VBMI) spread 48 bytes of
// RGB into 32-bit lanes and pack them back, masked loads and stores stay inside the row. The
// operations and their order are the AVX2 path's, so the output is the same bit for bit. Runs over
// [0, vector_end) (a multiple of 32) and returns vector_end.
INSTAUG_AVX512_TARGET int shift_row_avx512(const uint8_t* src, uint8_t* dst, int width, const TableShifts& shifts) {
    const __m512i half = _mm512_set1_epi32(1 << (kHsvShift - 1));
    const __m512i hue_range = _mm512_set1_epi32(180), max_byte = _mm512_set1_epi32(255);
    const __m512i zero = _mm512_setzero_si512();
    const __m512 sat_numerator = _mm512_set1_ps(static_cast<float>(255 << kHsvShift));
    const __m512 hue_numerator = _mm512_set1_ps(static_cast<float>(30 << kHsvShift));
    const __m512i hue_shift = _mm512_set1_epi32(shifts.hue), sat_shift = _mm512_set1_epi32(shifts.sat);
    const __m512i val_shift = _mm512_set1_epi32(shifts.val);
    const __m512 hue_scale = _mm512_set1_ps(6.0f / 180.0f), inv255 = _mm512_set1_ps(1.0f / 255.0f);
    const __m512 one = _mm512_set1_ps(1.0f);
    // The AVX2 path's candidate picks per sector and shuffle-lane offsets.
    const __m512i sector_picks = _mm512_load_si512(kSectorPicks.by_sector);
    const __m512i lane_offsets =
        _mm512_broadcast_i32x4(_mm_load_si128(reinterpret_cast<const __m128i*>(kSectorPicks.lane_offset)));
    const __m512 scale255 = _mm512_set1_ps(255.0f);
    // Byte 4k of each channel vector takes byte 3k + c of the 48 loaded; the packer does the reverse.
    const __m512i take = _mm512_load_si512(kRgbLaneIndices.spread);
    const __m512i packer = _mm512_load_si512(kRgbLaneIndices.pack);
    const __mmask64 low_bytes = 0x1111111111111111ULL, rgb_bytes = (1ULL << 48) - 1;
    const __m512i take_r = take, take_g = _mm512_add_epi8(take, _mm512_set1_epi8(1));
    const __m512i take_b = _mm512_add_epi8(take, _mm512_set1_epi8(2));
    const int vector_end = width / kOpenCvBlock * kOpenCvBlock;
    for (int x = 0; x < vector_end; x += 16) {
        const __m512i raw = _mm512_maskz_loadu_epi8(rgb_bytes, src + 3 * x);
        const __m512i r = _mm512_maskz_permutexvar_epi8(low_bytes, take_r, raw);
        const __m512i g = _mm512_maskz_permutexvar_epi8(low_bytes, take_g, raw);
        const __m512i b = _mm512_maskz_permutexvar_epi8(low_bytes, take_b, raw);
        const __m512i v = _mm512_max_epi32(_mm512_max_epi32(r, g), b);
        const __m512i diff = _mm512_sub_epi32(v, _mm512_min_epi32(_mm512_min_epi32(r, g), b));
        const __m512i sat_div = _mm512_cvtps_epi32(_mm512_div_ps(sat_numerator, _mm512_cvtepi32_ps(v)));
        const __m512i hue_div = _mm512_cvtps_epi32(_mm512_div_ps(hue_numerator, _mm512_cvtepi32_ps(diff)));
        __m512i s = _mm512_srai_epi32(_mm512_add_epi32(_mm512_mullo_epi32(diff, sat_div), half), kHsvShift);
        const __m512i h_r = _mm512_sub_epi32(g, b);
        const __m512i h_g = _mm512_add_epi32(_mm512_sub_epi32(b, r), _mm512_slli_epi32(diff, 1));
        const __m512i h_b = _mm512_add_epi32(_mm512_sub_epi32(r, g), _mm512_slli_epi32(diff, 2));
        __m512i h = _mm512_mask_blend_epi32(_mm512_cmpeq_epi32_mask(v, g), h_b, h_g);
        h = _mm512_mask_blend_epi32(_mm512_cmpeq_epi32_mask(v, r), h, h_r);
        h = _mm512_srai_epi32(_mm512_add_epi32(_mm512_mullo_epi32(h, hue_div), half), kHsvShift);
        h = _mm512_mask_add_epi32(h, _mm512_cmplt_epi32_mask(h, zero), h, hue_range);

        h = _mm512_add_epi32(h, hue_shift);
        h = _mm512_mask_sub_epi32(h, _mm512_cmpge_epi32_mask(h, hue_range), h, hue_range);
        s = _mm512_maskz_mov_epi32(
            _mm512_cmpneq_epi32_mask(s, zero),
            _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(s, sat_shift), zero), max_byte));
        const __m512i v2 = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(v, val_shift), zero), max_byte);

        __m512 hue = _mm512_mul_ps(_mm512_cvtepi32_ps(h), hue_scale);
        const __m512 sat = _mm512_mul_ps(_mm512_cvtepi32_ps(s), inv255);
        const __m512 val = _mm512_mul_ps(_mm512_cvtepi32_ps(v2), inv255);
        const __m512 sector_f = _mm512_roundscale_ps(hue, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        hue = _mm512_sub_ps(hue, sector_f);
        const __m512i sector = _mm512_cvttps_epi32(sector_f);
        const __m512 t1 = _mm512_mul_ps(val, _mm512_sub_ps(one, sat));
        const __m512 t2 = _mm512_mul_ps(val, _mm512_fnmadd_ps(sat, hue, one));
        const __m512 t3 = _mm512_mul_ps(val, _mm512_fnmadd_ps(sat, _mm512_sub_ps(one, hue), one));
        const __m512i c0 = _mm512_cvttps_epi32(_mm512_mul_ps(val, scale255));
        const __m512i c1 = _mm512_cvttps_epi32(_mm512_mul_ps(t1, scale255));
        const __m512i c2 = _mm512_cvttps_epi32(_mm512_mul_ps(t2, scale255));
        const __m512i c3 = _mm512_cvttps_epi32(_mm512_mul_ps(t3, scale255));
        const __m512i candidates = _mm512_or_si512(_mm512_or_si512(c0, _mm512_slli_epi32(c1, 8)),
                                                   _mm512_or_si512(_mm512_slli_epi32(c2, 16), _mm512_slli_epi32(c3, 24)));
        const __m512i picks = _mm512_add_epi32(_mm512_permutexvar_epi32(sector, sector_picks), lane_offsets);
        const __m512i rgb = _mm512_shuffle_epi8(candidates, picks);
        _mm512_mask_storeu_epi8(dst + 3 * x, rgb_bytes, _mm512_permutexvar_epi8(packer, rgb));
    }
    return vector_end;
}
#endif

// Without AVX2: OpenCV's vectorised conversions, the tables in between.
void shift_hsv_opencv(const cv::Mat& src, cv::Mat& dst, const HsvTables& tables) {
    cv::Mat hsv;
    cv::cvtColor(src, hsv, cv::COLOR_RGB2HSV);
    cv::cvtColor(apply_tables(hsv, {tables.begin(), tables.end()}), dst, cv::COLOR_HSV2RGB);
}

}  // namespace

void hsv_to_rgb8_pixel(int hue_index, int saturation, int value, uint8_t* out, bool truncate) {
    float hue = static_cast<float>(hue_index) * (6.0f / 180.0f);
    const float sat = static_cast<float>(saturation) * (1.0f / 255.0f);
    const float val = static_cast<float>(value) * (1.0f / 255.0f);
    int sector = static_cast<int>(std::floor(hue));
    hue -= static_cast<float>(sector);
    if (static_cast<unsigned>(sector) >= 6u) {
        sector = 0;
        hue = 0.f;
    }
    const float tab[4] = {val, val * (1.f - sat), val * std::fma(-sat, hue, 1.f), val * std::fma(-sat, 1.f - hue, 1.f)};
    for (int c = 0; c < 3; ++c) {
        const float scaled = tab[kSectorData[sector][2 - c]] * 255.0f;
        out[c] = truncate ? static_cast<uint8_t>(std::clamp(static_cast<int>(scaled), 0, 255))
                          : cv::saturate_cast<uint8_t>(scaled);
    }
}

void shift_hsv_rgb8(const cv::Mat& src, cv::Mat& dst, const HsvTables& tables) {
    CV_Assert(src.type() == CV_8UC3);
    cv::Mat out(src.size(), CV_8UC3);  // never in place: the vector stores run ahead of their pixels
#if defined(INSTAUG_AVX2_DISPATCH)
    const TableShifts shifts = use_avx2_kernel() ? table_shifts(tables) : TableShifts{};
    if (shifts.exact && divisions_in_float()) {
        const DivisionTables& div = division_tables();
        int32_t wide[3][256];
        for (int c = 0; c < 3; ++c)
            for (int v = 0; v < 256; ++v) wide[c][v] = tables[c][v];
        const int vector_end = src.cols / kOpenCvBlock * kOpenCvBlock;
        const bool wide_vectors = use_avx512_kernel();
        cv::parallel_for_(cv::Range(0, src.rows), [&](const cv::Range& rows) {
            for (int y = rows.start; y < rows.end; ++y) {
                const uint8_t* in = src.ptr<uint8_t>(y);
                uint8_t* to = out.ptr<uint8_t>(y);
                const int first_left = wide_vectors ? shift_row_avx512(in, to, src.cols, shifts)
                                                    : shift_row_avx2(in, to, src.cols, shifts);
                for (int x = first_left; x < src.cols; ++x)
                    shift_pixel(in + 3 * x, to + 3 * x, div, wide, x < vector_end);
            }
        });
        dst = out;
        return;
    }
#endif
    shift_hsv_opencv(src, out, tables);
    dst = out;
}

}  // namespace instaug
