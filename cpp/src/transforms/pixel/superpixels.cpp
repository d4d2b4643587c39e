// Superpixels: the reference's own SLIC (a grid of centres, ten k-means rounds in windows of two grid
// steps, centres moved to their pixels' mean position), then chosen segments painted with their mean
// colour. Its float32 distances and float64 means are reproduced step by step, so the segments match.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

constexpr int kIterations = 10;
constexpr double kCompactness = 10.0;

struct Centre {
    float x, y;
};

// Centres at step / 2 + i * step along each side (the middle when the side is shorter), row by row.
std::vector<Centre> grid_centres(int height, int width, int step) {
    std::vector<float> xs, ys;
    for (int x = step / 2; x < width; x += step) xs.push_back(static_cast<float>(x));
    for (int y = step / 2; y < height; y += step) ys.push_back(static_cast<float>(y));
    if (xs.empty()) xs.push_back(static_cast<float>(width / 2));
    if (ys.empty()) ys.push_back(static_cast<float>(height / 2));
    std::vector<Centre> centres;
    for (float y : ys)
        for (float x : xs) centres.push_back({x, y});
    return centres;
}

// The image / (its maximum + 1e-6) in float32, channels interleaved.
std::vector<float> normalised(const cv::Mat& image) {
    double max_value = 0;
    cv::minMaxLoc(image.reshape(1), nullptr, &max_value);
    const float divisor = static_cast<float>(max_value) + static_cast<float>(1e-6);
    const int cn = image.channels();
    std::vector<float> out(static_cast<size_t>(image.rows) * image.cols * cn);
    float* dst = out.data();
    for (int y = 0; y < image.rows; ++y) {
        const uint8_t* src = image.ptr<uint8_t>(y);
        for (int i = 0; i < image.cols * cn; ++i) *dst++ = static_cast<float>(src[i]) / divisor;
    }
    return out;
}

// Each centre's pixels' mean position (in float64, stored in float32); empty centres stay.
void move_centres(const std::vector<int32_t>& labels, int width, std::vector<Centre>& centres) {
    std::vector<double> xs(centres.size(), 0.0), ys(centres.size(), 0.0), counts(centres.size(), 0.0);
    for (size_t i = 0; i < labels.size(); ++i) {
        const int32_t label = labels[i];
        if (label < 0) continue;
        xs[label] += static_cast<double>(i % width);
        ys[label] += static_cast<double>(i / width);
        counts[label] += 1;
    }
    for (size_t c = 0; c < centres.size(); ++c)
        if (counts[c] > 0) centres[c] = {static_cast<float>(xs[c] / counts[c]), static_cast<float>(ys[c] / counts[c])};
}

// The reference's slic(image, n_segments, compactness=10, max_iterations=10) on a uint8 image.
std::vector<int32_t> slic(const cv::Mat& image, int n_segments) {
    const int height = image.rows, width = image.cols, cn = image.channels();
    const int step = std::max(1, static_cast<int>(std::pow(static_cast<double>(height) * width / n_segments, 0.5)));
    const std::vector<float> pixels = normalised(image);
    std::vector<Centre> centres = grid_centres(height, width, step);
    std::vector<int32_t> labels(static_cast<size_t>(height) * width, -1);
    std::vector<float> distances(labels.size());

    // Squared offsets times compactness / step^2, all in float32, for the (2 step + 1)^2 window.
    const int side = 2 * step + 1;
    const float weight = static_cast<float>(kCompactness / (static_cast<double>(step) * step));
    std::vector<float> spatial(static_cast<size_t>(side) * side);
    for (int i = 0; i < side; ++i)
        for (int j = 0; j < side; ++j) {
            const float dy = static_cast<float>(i - step), dx = static_cast<float>(j - step);
            spatial[static_cast<size_t>(i) * side + j] = (dy * dy + dx * dx) * weight;
        }

    for (int iteration = 0; iteration < kIterations; ++iteration) {
        std::fill(distances.begin(), distances.end(), std::numeric_limits<float>::infinity());
        for (size_t c = 0; c < centres.size(); ++c) {
            const int cy = static_cast<int>(centres[c].y), cx = static_cast<int>(centres[c].x);
            const int y0 = std::max(0, cy - step), y1 = std::min(height, cy + step + 1);
            const int x0 = std::max(0, cx - step), x1 = std::min(width, cx + step + 1);
            const float* colour = &pixels[(static_cast<size_t>(cy) * width + cx) * cn];
            for (int y = y0; y < y1; ++y) {
                const float* row = &pixels[static_cast<size_t>(y) * width * cn];
                const float* offsets = &spatial[static_cast<size_t>(y - cy + step) * side + (x0 - cx + step)];
                float* best = &distances[static_cast<size_t>(y) * width];
                int32_t* label = &labels[static_cast<size_t>(y) * width];
                for (int x = x0; x < x1; ++x) {
                    // Channel by channel in float32, as the reference's einsum (one square for grey).
                    float d = 0.0f;
                    for (int k = 0; k < cn; ++k) {
                        const float diff = row[x * cn + k] - colour[k];
                        const float square = diff * diff;
                        d = k == 0 ? square : d + square;
                    }
                    d = d + offsets[x - x0];
                    if (d < best[x]) {
                        best[x] = d;
                        label[x] = static_cast<int32_t>(c);
                    }
                }
            }
        }
        if (iteration == kIterations - 1) break;
        move_centres(labels, width, centres);
    }
    return labels;
}

// Segments painted with their mean colour (float64 sums, rounded half to even). The reference never
// paints label 0; the others, in label order, take the draws in turn (cycled when there are more).
cv::Mat paint_segments(const cv::Mat& image, const std::vector<int32_t>& labels, const std::vector<bool>& replace) {
    const int cn = image.channels();
    int32_t top = -1;
    for (int32_t l : labels) top = std::max(top, l);
    if (top < 0) return image.clone();
    std::vector<double> counts(top + 1, 0.0), sums(static_cast<size_t>(top + 1) * cn, 0.0);
    const cv::Mat src = image.isContinuous() ? image : image.clone();
    const uint8_t* p = src.ptr<uint8_t>();
    for (size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] < 0) continue;
        counts[labels[i]] += 1;
        for (int k = 0; k < cn; ++k) sums[static_cast<size_t>(labels[i]) * cn + k] += p[i * cn + k];
    }
    std::vector<uint8_t> painted(top + 1, 0), means(sums.size(), 0);
    size_t turn = 0;
    for (int32_t l = 1; l <= top; ++l) {
        if (counts[l] == 0) continue;
        painted[l] = replace[turn++ % replace.size()];
        for (int k = 0; k < cn; ++k) {
            const double mean = std::nearbyint(sums[static_cast<size_t>(l) * cn + k] / counts[l]);
            means[static_cast<size_t>(l) * cn + k] = static_cast<uint8_t>(std::clamp(mean, 0.0, 255.0));
        }
    }
    cv::Mat out = src.clone();
    uint8_t* q = out.ptr<uint8_t>();
    for (size_t i = 0; i < labels.size(); ++i)
        if (labels[i] > 0 && painted[labels[i]])
            for (int k = 0; k < cn; ++k) q[i * cn + k] = means[static_cast<size_t>(labels[i]) * cn + k];
    return out;
}

cv::Mat resized(const cv::Mat& image, cv::Size size, int interpolation) {
    cv::Mat out;
    cv::resize(image, out, size, 0, 0, interpolation);
    return out;
}

cv::Mat superpixels_uint8(const cv::Mat& image, int n_segments, const std::vector<bool>& replace, const Params& params) {
    const int interpolation = params.integer32("interpolation");
    cv::Mat work = image;
    if (!params.is_none("max_size")) {
        const int64_t max_size = params.integer("max_size");
        const int size = std::max(image.rows, image.cols);
        if (size > max_size) {
            const double scale = static_cast<double>(max_size) / size;
            // At least one pixel a side (the reference's resize fails on an empty size).
            const cv::Size small(std::max(1, static_cast<int>(image.cols * scale)), std::max(1, static_cast<int>(image.rows * scale)));
            work = resized(image, small, interpolation);
        }
    }
    cv::Mat painted = paint_segments(work, slic(work, n_segments), replace);
    return painted.size() == image.size() ? painted : resized(painted, image.size(), interpolation);
}

cv::Mat superpixels(const cv::Mat& image, const Params& params, Random& rng) {
    const auto segments = params.range("n_segments_range");
    const int n_segments = static_cast<int>(rng.randint(static_cast<int64_t>(segments[0]), static_cast<int64_t>(segments[1])));
    rng.note("n_segments_range", n_segments);
    const double p = pixel::draw(params, "p_replace_range", rng);
    std::vector<bool> replace(n_segments);
    bool any = false;
    for (int i = 0; i < n_segments; ++i) any |= (replace[i] = rng.uniform01() < p);
    if (!any) return image;
    return pixel::through_uint8(image, [&](const cv::Mat& u8) { return superpixels_uint8(u8, n_segments, replace, params); });
}

}  // namespace

void register_superpixels(Registry& r) {
    TransformDecl d = pixel::pixel_transform(
        "Superpixels",
        {range_param("p_replace_range", Json::array({0, 0.1})).between(0.0, 1.0),
         range_param("n_segments_range", Json::array({100, 100})).between(1.0, std::nullopt).whole(),
         integer_param("max_size", 128).between(1, std::nullopt).or_none().in("pixels"),
         interpolation_param("interpolation", cv::INTER_LINEAR)},
        superpixels);
    d.reads_neighbours = true;
    r.add(std::move(d));
}

}  // namespace instaug
