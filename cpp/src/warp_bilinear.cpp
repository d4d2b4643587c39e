#include "instaug/warp_bilinear.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

namespace instaug {
namespace {

template <class T>
inline T store(float v);
template <>
inline uint8_t store<uint8_t>(float v) {
    return cv::saturate_cast<uint8_t>(v);
}
template <>
inline float store<float>(float v) {
    return v;
}

template <class T, int C>
void warp_rows(const cv::Mat& src, cv::Mat& dst, const cv::Matx33d& m, bool perspective, int border_mode,
               const cv::Scalar& fill) {
    const int sw = src.cols, sh = src.rows;
    float fill_value[C];
    for (int c = 0; c < C; ++c) fill_value[c] = static_cast<float>(fill[c]);
    cv::parallel_for_(cv::Range(0, dst.rows), [&](const cv::Range& rows) {
        for (int v = rows.start; v < rows.end; ++v) {
            T* out = dst.ptr<T>(v);
            const double row_x = m(0, 1) * v + m(0, 2);
            const double row_y = m(1, 1) * v + m(1, 2);
            const double row_w = m(2, 1) * v + m(2, 2);
            for (int u = 0; u < dst.cols; ++u, out += C) {
                double sx = m(0, 0) * u + row_x;
                double sy = m(1, 0) * u + row_y;
                if (perspective) {
                    const double w = m(2, 0) * u + row_w;
                    sx /= w;
                    sy /= w;
                }
                if (!(std::abs(sx) < 1e9 && std::abs(sy) < 1e9)) {  // also catches NaN
                    for (int c = 0; c < C; ++c) out[c] = store<T>(fill_value[c]);
                    continue;
                }
                const double fx0 = std::floor(sx), fy0 = std::floor(sy);
                const int x0 = static_cast<int>(fx0), y0 = static_cast<int>(fy0);
                const float ax = static_cast<float>(sx - fx0), ay = static_cast<float>(sy - fy0);
                const float w00 = (1 - ax) * (1 - ay), w01 = ax * (1 - ay), w10 = (1 - ax) * ay, w11 = ax * ay;
                if (x0 >= 0 && y0 >= 0 && x0 + 1 < sw && y0 + 1 < sh) {
                    const T* p0 = src.ptr<T>(y0) + x0 * C;
                    const T* p1 = src.ptr<T>(y0 + 1) + x0 * C;
                    for (int c = 0; c < C; ++c)
                        out[c] = store<T>(w00 * p0[c] + w01 * p0[C + c] + w10 * p1[c] + w11 * p1[C + c]);
                    continue;
                }
                // Border: each tap through OpenCV's border rule; -1 means the constant fill.
                const int xs[2] = {cv::borderInterpolate(x0, sw, border_mode), cv::borderInterpolate(x0 + 1, sw, border_mode)};
                const int ys[2] = {cv::borderInterpolate(y0, sh, border_mode), cv::borderInterpolate(y0 + 1, sh, border_mode)};
                const float weights[2][2] = {{w00, w01}, {w10, w11}};
                float acc[C] = {};
                for (int j = 0; j < 2; ++j)
                    for (int i = 0; i < 2; ++i) {
                        const float w = weights[j][i];
                        if (xs[i] < 0 || ys[j] < 0) {
                            for (int c = 0; c < C; ++c) acc[c] += w * fill_value[c];
                        } else {
                            const T* p = src.ptr<T>(ys[j]) + xs[i] * C;
                            for (int c = 0; c < C; ++c) acc[c] += w * p[c];
                        }
                    }
                for (int c = 0; c < C; ++c) out[c] = store<T>(acc[c]);
            }
        }
    });
}

// uint8 planes: source positions in 1/2048 pixel and integer weights. The position error (at most
// 1/4096 px) moves a full-contrast edge by at most 0.07 grey levels, far inside the 1-level budget.
constexpr int kFracBits = 11;
constexpr int kOne = 1 << kFracBits;

template <int C>
void warp_rows_u8(const cv::Mat& src, cv::Mat& dst, const cv::Matx33d& m, bool perspective, int border_mode,
                  const cv::Scalar& fill) {
    const int sw = src.cols, sh = src.rows;
    float fill_value[C];
    for (int c = 0; c < C; ++c) fill_value[c] = static_cast<float>(fill[c]);
    cv::parallel_for_(cv::Range(0, dst.rows), [&](const cv::Range& rows) {
        std::vector<int> fixed_x(dst.cols), fixed_y(dst.cols);
        std::vector<uint8_t> valid(dst.cols);
        for (int v = rows.start; v < rows.end; ++v) {
            const double row_x = m(0, 1) * v + m(0, 2);
            const double row_y = m(1, 1) * v + m(1, 2);
            const double row_w = m(2, 1) * v + m(2, 2);
            if (!perspective) {
                // Affine rows: positions are exactly linear in u, so no divide and no range surprises
                // beyond the row ends, which are checked once.
                const double ends[4] = {row_x, row_y, m(0, 0) * (dst.cols - 1) + row_x, m(1, 0) * (dst.cols - 1) + row_y};
                const bool row_finite = std::abs(ends[0]) < 1e6 && std::abs(ends[1]) < 1e6 &&
                                        std::abs(ends[2]) < 1e6 && std::abs(ends[3]) < 1e6;
                const double step_x = m(0, 0) * kOne, step_y = m(1, 0) * kOne;
                const double start_x = row_x * kOne, start_y = row_y * kOne;
                for (int u = 0; u < dst.cols; ++u) {
                    fixed_x[u] = row_finite ? cvRound(start_x + step_x * u) : 0;
                    fixed_y[u] = row_finite ? cvRound(start_y + step_y * u) : 0;
                    valid[u] = row_finite;
                }
            } else {
                for (int u = 0; u < dst.cols; ++u) {
                    const double w = m(2, 0) * u + row_w;
                    const double sx = (m(0, 0) * u + row_x) / w;
                    const double sy = (m(1, 0) * u + row_y) / w;
                    const bool finite = std::abs(sx) < 1e6 && std::abs(sy) < 1e6;
                    valid[u] = finite;
                    fixed_x[u] = finite ? cvRound(sx * kOne) : 0;
                    fixed_y[u] = finite ? cvRound(sy * kOne) : 0;
                }
            }
            uint8_t* out = dst.ptr<uint8_t>(v);
            for (int u = 0; u < dst.cols; ++u, out += C) {
                if (!valid[u]) {
                    for (int c = 0; c < C; ++c) out[c] = cv::saturate_cast<uint8_t>(fill_value[c]);
                    continue;
                }
                const int x0 = fixed_x[u] >> kFracBits, y0 = fixed_y[u] >> kFracBits;
                const int ax = fixed_x[u] & (kOne - 1), ay = fixed_y[u] & (kOne - 1);
                if (x0 >= 0 && y0 >= 0 && x0 + 1 < sw && y0 + 1 < sh) {
                    const int w00 = (kOne - ax) * (kOne - ay), w01 = ax * (kOne - ay);
                    const int w10 = (kOne - ax) * ay, w11 = ax * ay;
                    const uint8_t* p0 = src.ptr<uint8_t>(y0) + x0 * C;
                    const uint8_t* p1 = p0 + src.step[0];
                    for (int c = 0; c < C; ++c) {
                        const int acc = w00 * p0[c] + w01 * p0[C + c] + w10 * p1[c] + w11 * p1[C + c];
                        out[c] = static_cast<uint8_t>((acc + (1 << (2 * kFracBits - 1))) >> (2 * kFracBits));
                    }
                    continue;
                }
                const float fx = static_cast<float>(ax) / kOne, fy = static_cast<float>(ay) / kOne;
                const float weights[2][2] = {{(1 - fx) * (1 - fy), fx * (1 - fy)}, {(1 - fx) * fy, fx * fy}};
                const int xs[2] = {cv::borderInterpolate(x0, sw, border_mode), cv::borderInterpolate(x0 + 1, sw, border_mode)};
                const int ys[2] = {cv::borderInterpolate(y0, sh, border_mode), cv::borderInterpolate(y0 + 1, sh, border_mode)};
                float acc[C] = {};
                for (int j = 0; j < 2; ++j)
                    for (int i = 0; i < 2; ++i) {
                        const float w = weights[j][i];
                        if (xs[i] < 0 || ys[j] < 0) {
                            for (int c = 0; c < C; ++c) acc[c] += w * fill_value[c];
                        } else {
                            const uint8_t* p = src.ptr<uint8_t>(ys[j]) + xs[i] * C;
                            for (int c = 0; c < C; ++c) acc[c] += w * p[c];
                        }
                    }
                for (int c = 0; c < C; ++c) out[c] = cv::saturate_cast<uint8_t>(acc[c]);
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
    // A constant border can be asked as BORDER_CONSTANT or BORDER_TRANSPARENT-like; borderInterpolate
    // returns -1 for BORDER_CONSTANT, which the kernel reads as the fill.
    dst.create(dsize, src.type());
    if (src.depth() == CV_8U) {
        switch (src.channels()) {
            case 1: warp_rows_u8<1>(src, dst, inverse_map, perspective, border_mode, fill); return;
            case 2: warp_rows_u8<2>(src, dst, inverse_map, perspective, border_mode, fill); return;
            case 3: warp_rows_u8<3>(src, dst, inverse_map, perspective, border_mode, fill); return;
            case 4: warp_rows_u8<4>(src, dst, inverse_map, perspective, border_mode, fill); return;
            default: throw std::invalid_argument("warp_bilinear: 1 to 4 channels expected");
        }
    }
    else if (src.depth() == CV_32F) dispatch_channels<float>(src, dst, inverse_map, perspective, border_mode, fill);
    else throw std::invalid_argument("warp_bilinear: uint8 or float32 planes expected");
}

}  // namespace instaug
