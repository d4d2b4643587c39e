// ModeFilter and Enhance: the reference's neighbourhood filters (per-channel mode on a reflected
// border; Pillow's EDGE_ENHANCE / DETAIL kernels blended with the identity).
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// ---- ModeFilter: the most frequent value of each k x k window, the smallest on ties -------------
// One channel of a uint8 image, already padded by k / 2 on every side (reflect-101, numpy's
// "reflect"). A histogram slides along each row (a column out, a column in); the mode is among the
// window's own values, so only those are looked up (k^2 reads instead of 256 when that is fewer).
// Counts compare capped at 255, as the reference's uint8 run counters (a run past 255 wraps, its best
// stays 255): two values seen 255 times or more tie, and the smaller wins.
void mode_of_plane(const cv::Mat& padded, int k, cv::Mat& out) {
    const int rows = out.rows, cols = out.cols;
    const bool scan_window = k * k < 256;
    uint16_t count[256];
    for (int y = 0; y < rows; ++y) {
        std::fill(count, count + 256, uint16_t{0});
        for (int dy = 0; dy < k; ++dy) {
            const uint8_t* src = padded.ptr<uint8_t>(y + dy);
            for (int dx = 0; dx < k; ++dx) ++count[src[dx]];
        }
        uint8_t* dst = out.ptr<uint8_t>(y);
        for (int x = 0; x < cols; ++x) {
            if (x > 0) {
                for (int dy = 0; dy < k; ++dy) {
                    const uint8_t* src = padded.ptr<uint8_t>(y + dy);
                    --count[src[x - 1]];
                    ++count[src[x + k - 1]];
                }
            }
            int best_value = 256, best_count = 0;
            if (scan_window) {
                for (int dy = 0; dy < k; ++dy) {
                    const uint8_t* src = padded.ptr<uint8_t>(y + dy) + x;
                    for (int dx = 0; dx < k; ++dx) {
                        const int v = src[dx], c = std::min<int>(count[v], 255);
                        if (c > best_count || (c == best_count && v < best_value)) best_count = c, best_value = v;
                    }
                }
            } else {
                for (int v = 0; v < 256; ++v)
                    if (std::min<int>(count[v], 255) > best_count) best_count = std::min<int>(count[v], 255), best_value = v;
            }
            dst[x] = static_cast<uint8_t>(best_value);
        }
    }
}

cv::Mat mode_filter_uint8(const cv::Mat& image, int k) {
    const int pad = k / 2;
    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    for (cv::Mat& plane : planes) {
        cv::Mat padded, out(plane.size(), CV_8U);
        cv::copyMakeBorder(plane, padded, pad, pad, pad, pad, cv::BORDER_REFLECT_101);
        mode_of_plane(padded, k, out);
        plane = out;
    }
    cv::Mat out;
    cv::merge(planes, out);
    return out;
}

// An odd size from a range whose bounds the schema made odd, as the reference's sample_odd_from_range.
int odd_size_from(const Params& params, const char* key, Random& rng) {
    const auto r = params.range(key);
    const int low = static_cast<int>(r[0]), high = std::max(static_cast<int>(r[1]), static_cast<int>(r[0]));
    const int size = low == high ? low : low + 2 * static_cast<int>(rng.randint(0, (high - low) / 2));
    rng.note(key, size);
    return size;
}

cv::Mat mode_filter(const cv::Mat& image, const Params& params, Random& rng) {
    const int k = odd_size_from(params, "kernel_range", rng);
    // float32 images go through uint8 (x 255, rounded) and back, as the reference's @uint8_io.
    return pixel::through_uint8(image, [k](const cv::Mat& u8) { return mode_filter_uint8(u8, k); });
}

// ---- Enhance: (1 - alpha) I + alpha E, E Pillow's kernel, through filter2D ---------------------------
cv::Mat enhance_kernel(const std::string& mode, double alpha) {
    // The reference's float32 arithmetic: both weights rounded to float32 before the products.
    const float a = static_cast<float>(alpha), keep = static_cast<float>(1.0 - alpha);
    float e[9];
    if (mode == "edge") {
        std::fill(e, e + 9, -0.5f);
        e[4] = 5.0f;
    } else {
        const float side = static_cast<float>(-1.0 / 6.0);
        const float values[9] = {0.0f, side, 0.0f, side, static_cast<float>(10.0 / 6.0), side, 0.0f, side, 0.0f};
        std::copy(values, values + 9, e);
    }
    cv::Mat kernel(3, 3, CV_32F);
    float* k = kernel.ptr<float>();
    for (int i = 0; i < 9; ++i) k[i] = keep * (i == 4 ? 1.0f : 0.0f) + a * e[i];
    return kernel;
}

cv::Mat enhance(const cv::Mat& image, const Params& params, Random& rng) {
    const double alpha = pixel::draw(params, "alpha_range", rng);
    cv::Mat out;
    // Reflect-101 border; uint8 saturates, float32 is clipped to [0, 1] (the reference's @clipped).
    cv::filter2D(image, out, -1, enhance_kernel(params.text("mode"), alpha), cv::Point(-1, -1), 0, cv::BORDER_DEFAULT);
    return image.depth() == CV_32F ? pixel::clip01(out) : out;
}

TransformDecl filter_decl(const std::string& name, std::vector<ParamDecl> params, PixelOp op) {
    TransformDecl d = pixel::pixel_transform(name, std::move(params), std::move(op));
    d.reads_neighbours = true;
    return d;
}

}  // namespace

void register_filters(Registry& r) {
    r.add(filter_decl("ModeFilter",
                      {range_param("kernel_range", Json::array({3, 7})).between(3.0, std::nullopt).odd_sizes().in("pixels, odd")},
                      mode_filter));
    r.add(filter_decl("Enhance",
                      {choice_param("mode", "edge", Json::array({"edge", "detail"})),
                       range_param("alpha_range", Json::array({0.5, 1.0})).between(0.0, std::nullopt)},
                      enhance));
}

}  // namespace instaug
