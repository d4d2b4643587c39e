#include "core/low_resolution_mask.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace instaug {
namespace {

// cv::resize's fixed-point bilinear weights (INTER_RESIZE_COEF_BITS = 11).
constexpr int kCoefBits = 11;
constexpr int kCoefScale = 1 << kCoefBits;

// The 8-bit result of cv::resize's vertical pass over two horizontal sums, as its vector code
// (universal intrinsics, on x86 and ARM alike) computes it: each sum shifted right by 4, times its
// weight, high 16 bits kept, then (r + 2) >> 2. Not the exact rounding of the scalar code: at a
// half the two can differ, and the vector code is what runs.
int vertical_pass(int top, int bottom, int weight0, int weight1) {
    const int r = (((top >> 4) * weight0) >> 16) + (((bottom >> 4) * weight1) >> 16);
    return (r + 2) >> 2;
}

// The source taps of one output coordinate: the first source index and the weight of each tap.
struct Tap {
    int first = 0;
    int weight0 = kCoefScale;
    int weight1 = 0;
};

// cv::resize's computation for output index `d` (float arithmetic included, since the float
// rounding of the fraction decides weights near a half).
Tap tap_of(int d, double scale, int source_size) {
    float f = static_cast<float>((d + 0.5) * scale - 0.5);
    int s = static_cast<int>(std::floor(f));
    f -= static_cast<float>(s);
    if (s < 0) {
        s = 0;
        f = 0.f;
    }
    if (s >= source_size - 1) {
        s = source_size - 1;
        f = 0.f;
    }
    Tap tap;
    tap.first = s;
    tap.weight0 = cv::saturate_cast<short>((1.f - f) * kCoefScale);
    tap.weight1 = kCoefScale - tap.weight0;
    return tap;
}

// Output indices [first, last] whose taps may touch source indices [lo, hi] (one more on each side
// than strictly needed: the taps decide).
void output_span(int lo, int hi, double scale, int out_size, int& first, int& last) {
    first = std::max(0, static_cast<int>(std::floor((lo + 0.5) / scale - 0.5)) - 1);
    last = std::min(out_size - 1, static_cast<int>(std::ceil((hi + 0.5) / scale - 0.5)) + 1);
}

}  // namespace

cv::Size low_resolution_size(int width, int height, int ratio) {
    return cv::Size(std::max(1, width / ratio), std::max(1, height / ratio));
}

MaskTile low_resolution_tile(const MaskTile& tile, int width, int height, int ratio) {
    MaskTile out;
    if (tile.empty()) return out;
    const int elem = static_cast<int>(tile.data.elemSize());
    if (ratio == 1) {
        out.x0 = tile.x0;
        out.y0 = tile.y0;
        out.data.create(tile.height(), tile.width(), CV_8UC1);
        for (int y = 0; y < tile.height(); ++y) {
            const uint8_t* src = tile.data.ptr<uint8_t>(y);
            uint8_t* dst = out.data.ptr<uint8_t>(y);
            for (int x = 0; x < tile.width(); ++x) dst[x] = element_nonzero(src + x * elem, elem) ? 1 : 0;
        }
        tighten_tile(out);
        return out;
    }
    const cv::Size low = low_resolution_size(width, height, ratio);
    // cv::resize: inv_scale = dsize / ssize, scale = 1 / inv_scale.
    const double scale_x = 1.0 / (static_cast<double>(low.width) / width);
    const double scale_y = 1.0 / (static_cast<double>(low.height) / height);
    int u0, u1, v0, v1;
    output_span(tile.x0, tile.x0 + tile.width() - 1, scale_x, low.width, u0, u1);
    output_span(tile.y0, tile.y0 + tile.height() - 1, scale_y, low.height, v0, v1);
    if (u1 < u0 || v1 < v0) return out;
    std::vector<Tap> xs(u1 - u0 + 1);
    for (int u = u0; u <= u1; ++u) xs[u - u0] = tap_of(u, scale_x, width);
    // 1 where the source pixel (tile coordinates) is on; 0 outside the tile.
    auto on = [&](int sy, int sx) -> int {
        const int ty = sy - tile.y0, tx = sx - tile.x0;
        if (ty < 0 || tx < 0 || ty >= tile.height() || tx >= tile.width()) return 0;
        return element_nonzero(tile.data.ptr<uint8_t>(ty) + tx * elem, elem) ? 1 : 0;
    };
    out.x0 = u0;
    out.y0 = v0;
    out.data = cv::Mat::zeros(v1 - v0 + 1, u1 - u0 + 1, CV_8UC1);
    for (int v = v0; v <= v1; ++v) {
        const Tap ty = tap_of(v, scale_y, height);
        uint8_t* dst = out.data.ptr<uint8_t>(v - v0);
        for (int u = u0; u <= u1; ++u) {
            const Tap& tx = xs[u - u0];
            const int top = tx.weight0 * on(ty.first, tx.first) + tx.weight1 * on(ty.first, tx.first + 1);
            const int bottom = tx.weight0 * on(ty.first + 1, tx.first) + tx.weight1 * on(ty.first + 1, tx.first + 1);
            dst[u - u0] = vertical_pass(top, bottom, ty.weight0, ty.weight1) > 0 ? 1 : 0;
        }
    }
    tighten_tile(out);
    return out;
}

}  // namespace instaug
