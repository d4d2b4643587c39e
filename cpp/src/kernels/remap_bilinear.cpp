#include "kernels/remap_bilinear.hpp"

#include <cmath>

#include "core/parallel_for.hpp"

namespace instaug {
namespace {

template <class T, int C>
void remap_rows(const cv::Mat& src, cv::Mat& dst, const cv::Mat& map_x, const cv::Mat& map_y, const cv::Scalar& fill,
                int y) {
    const int w = src.cols, h = src.rows;
    float border[C];
    for (int c = 0; c < C; ++c) border[c] = static_cast<float>(fill[c]);
    const float* mx = map_x.ptr<float>(y);
    const float* my = map_y.ptr<float>(y);
    T* out = dst.ptr<T>(y);
    for (int x = 0; x < dst.cols; ++x, out += C) {
        const float sx = mx[x], sy = my[x];
        const float fx0 = std::floor(sx), fy0 = std::floor(sy);
        if (!(fx0 >= -1 && fy0 >= -1 && fx0 < w && fy0 < h)) {  // every tap outside (NaN too)
            for (int c = 0; c < C; ++c) out[c] = cv::saturate_cast<T>(border[c]);
            continue;
        }
        const int x0 = static_cast<int>(fx0), y0 = static_cast<int>(fy0);
        const float ax = sx - fx0, ay = sy - fy0;
        const float weights[4] = {(1 - ax) * (1 - ay), ax * (1 - ay), (1 - ax) * ay, ax * ay};
        const int xs[4] = {x0, x0 + 1, x0, x0 + 1}, ys[4] = {y0, y0, y0 + 1, y0 + 1};
        float sum[C] = {};
        for (int k = 0; k < 4; ++k) {
            const bool inside = xs[k] >= 0 && ys[k] >= 0 && xs[k] < w && ys[k] < h;
            const T* p = inside ? src.ptr<T>(ys[k]) + xs[k] * C : nullptr;
            for (int c = 0; c < C; ++c) sum[c] += weights[k] * (inside ? static_cast<float>(p[c]) : border[c]);
        }
        for (int c = 0; c < C; ++c) out[c] = cv::saturate_cast<T>(sum[c]);  // uint8: rounded
    }
}

template <class T, int C>
void remap_image(const cv::Mat& src, cv::Mat& dst, const cv::Mat& map_x, const cv::Mat& map_y,
                 const cv::Scalar& fill) {
    parallel_for_each_row(dst.rows, 64, [&](int y) { remap_rows<T, C>(src, dst, map_x, map_y, fill, y); });
}

template <class T>
void remap_depth(const cv::Mat& src, cv::Mat& dst, const cv::Mat& map_x, const cv::Mat& map_y, const cv::Scalar& fill) {
    switch (src.channels()) {
        case 1: return remap_image<T, 1>(src, dst, map_x, map_y, fill);
        case 2: return remap_image<T, 2>(src, dst, map_x, map_y, fill);
        case 3: return remap_image<T, 3>(src, dst, map_x, map_y, fill);
        default: return remap_image<T, 4>(src, dst, map_x, map_y, fill);
    }
}

}  // namespace

bool remap_bilinear_supports(const cv::Mat& src) {
    return src.channels() >= 1 && src.channels() <= 4 && (src.depth() == CV_8U || src.depth() == CV_32F);
}

void remap_bilinear(const cv::Mat& src, cv::Mat& dst, const cv::Mat& map_x, const cv::Mat& map_y,
                    const cv::Scalar& fill) {
    cv::Mat out(map_x.rows, map_x.cols, src.type());
    if (src.depth() == CV_8U) remap_depth<uint8_t>(src, out, map_x, map_y, fill);
    else remap_depth<float>(src, out, map_x, map_y, fill);
    dst = out;
}

}  // namespace instaug
