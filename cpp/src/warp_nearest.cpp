#include "instaug/warp_nearest.hpp"

#include <cmath>
#include <cstring>
#include <vector>

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

template <int kBytes>
void warp_rows(const PlainView& src, int src_x0, int src_y0, PlainView dst, int dst_x0, int dst_y0,
               const cv::Matx33d& m, bool perspective, const uint8_t* outside) {
    const int bytes = kBytes > 0 ? kBytes : dst.element_bytes;
    for (int v = 0; v < dst.height; ++v) {
        const double y = v + dst_y0;
        // Row constants first, then one multiply per pixel: the same arithmetic for a full plane
        // and for a tile, so a tile pixel and the plane pixel at one canvas position agree.
        const double row_x = m(0, 1) * y + m(0, 2);
        const double row_y = m(1, 1) * y + m(1, 2);
        const double row_w = m(2, 1) * y + m(2, 2);
        uint8_t* out = dst.data + v * dst.row_stride;
        for (int u = 0; u < dst.width; ++u, out += bytes) {
            const double x = u + dst_x0;
            double fx = m(0, 0) * x + row_x;
            double fy = m(1, 0) * x + row_y;
            if (perspective) {
                const double w = m(2, 0) * x + row_w;
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
}

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
