#include "core/pixel_drops.hpp"

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include <opencv2/imgproc.hpp>

#include "core/bbox_filter.hpp"

namespace instaug {
namespace {

// One element of `type` holding `values` (one per channel; one value for all channels), as numpy's
// astype would store them: integer dtypes truncate toward zero (and saturate, as OpenCV does).
std::vector<uint8_t> element_of(int type, const std::vector<double>& values) {
    const int channels = CV_MAT_CN(type);
    if (values.size() != 1 && static_cast<int>(values.size()) != channels)
        throw std::invalid_argument("expected one value or one per channel: got " + std::to_string(values.size()) +
                                    " values for " + std::to_string(channels) + " channel(s)");
    cv::Mat wide(1, channels, CV_64F);
    const bool integral = CV_MAT_DEPTH(type) != CV_32F && CV_MAT_DEPTH(type) != CV_64F && CV_MAT_DEPTH(type) != CV_16F;
    for (int c = 0; c < channels; ++c) {
        const double v = values[values.size() == 1 ? 0 : c];
        wide.at<double>(c) = integral ? std::trunc(v) : v;
    }
    cv::Mat element;
    wide.convertTo(element, CV_MAT_DEPTH(type));
    return std::vector<uint8_t>(element.data, element.data + element.total() * element.elemSize());
}

// Writes `element` into every pixel of `area` where `where` (same size, CV_8UC1) is non-zero.
void set_where(cv::Mat area, const cv::Mat& where, const std::vector<uint8_t>& element) {
    const std::size_t bytes = area.elemSize();
    for (int y = 0; y < area.rows; ++y) {
        uint8_t* row = area.ptr<uint8_t>(y);
        const uint8_t* w = where.ptr<uint8_t>(y);
        for (int x = 0; x < area.cols; ++x)
            if (w[x]) std::memcpy(row + x * bytes, element.data(), bytes);
    }
}

// Masks of 64-bit integers travel as opaque bytes (CV_8UC(8k)): their element is the value as int64.
std::vector<uint8_t> mask_element(const cv::Mat& mask, double value) {
    if (mask.depth() == CV_8U && mask.channels() % 8 == 0) {
        std::vector<uint8_t> element(mask.elemSize());
        const int64_t whole = static_cast<int64_t>(value);
        for (std::size_t i = 0; i < element.size(); i += 8) std::memcpy(element.data() + i, &whole, 8);
        return element;
    }
    return element_of(mask.type(), {value});
}

}  // namespace

cv::Mat drop_pixels(const cv::Mat& image, const cv::Mat& drops, const std::vector<double>& values) {
    if (image.empty()) return image;
    // Additional images share the image's draw: they must be able to take it.
    if (image.size() != drops.size() || (drops.channels() > 1 && drops.channels() != image.channels()))
        throw std::invalid_argument("an image of " + std::to_string(image.cols) + "x" + std::to_string(image.rows) +
                                    " with " + std::to_string(image.channels()) + " channel(s) cannot take pixel drops drawn for " +
                                    std::to_string(drops.cols) + "x" + std::to_string(drops.rows) + " with " +
                                    std::to_string(drops.channels()) + " channel(s)");
    cv::Mat out = image.clone();
    if (drops.channels() == 1) {
        set_where(out, drops, element_of(image.type(), values));
        return out;
    }
    // Each channel on its own: one channel's bytes at a time.
    const std::vector<uint8_t> element = element_of(image.type(), values);
    const std::size_t depth_bytes = CV_ELEM_SIZE1(image.type());
    const int channels = image.channels();
    for (int y = 0; y < out.rows; ++y) {
        uint8_t* row = out.ptr<uint8_t>(y);
        const uint8_t* w = drops.ptr<uint8_t>(y);
        for (int i = 0; i < out.cols * channels; ++i)
            if (w[i]) std::memcpy(row + i * depth_bytes, element.data() + (i % channels) * depth_bytes, depth_bytes);
    }
    return out;
}

cv::Mat drop_mask_pixels(const cv::Mat& plane, const cv::Mat& drops, const std::vector<double>& values) {
    if (plane.empty()) return plane;
    if (!(plane.depth() == CV_8U && plane.channels() % 8 == 0)) return drop_pixels(plane, drops, values);
    if (values.size() != 1)
        throw std::invalid_argument("a mask of 64-bit integers takes one value, got " + std::to_string(values.size()));
    cv::Mat out = plane.clone();
    set_where(out, drops, mask_element(out, values[0]));
    return out;
}

MaskTile drop_tile_pixels(const MaskTile& tile, const cv::Mat& drops, double value, int type) {
    const cv::Rect canvas(0, 0, drops.cols, drops.rows);
    const int depth = CV_MAT_DEPTH(type);
    if ((depth == CV_32F || depth == CV_64F ? value : std::trunc(value)) == 0) {
        if (tile.empty()) return tile;
        const cv::Rect rect = tile.rect() & canvas;
        const cv::Mat under = drops(rect);
        if (cv::countNonZero(under) == 0) return tile;
        MaskTile out = tile;
        out.data = tile.data.clone();  // tiles may share memory (Mosaic replicas)
        set_where(out.data(rect - tile.rect().tl()), under, mask_element(out.data, 0));
        tighten_tile(out);
        return out;
    }
    cv::Rect area = cv::boundingRect(drops);
    if (!tile.empty()) area = area.empty() ? tile.rect() : (area | tile.rect());
    area &= canvas;
    if (area.empty()) return tile;
    MaskTile out;
    out.x0 = area.x;
    out.y0 = area.y;
    out.data = cv::Mat::zeros(area.height, area.width, type);
    if (!tile.empty()) tile.data.copyTo(out.data(tile.rect() - area.tl()));
    set_where(out.data, drops(area), mask_element(out.data, value));
    return out;
}

std::vector<uint8_t> boxes_over_drops(const std::vector<std::array<double, 4>>& boxes, const cv::Mat& drops,
                                      double min_area, double min_visibility) {
    const int width = drops.cols, height = drops.rows;
    const auto edge = [](double v, int side, bool up) {
        const double pixels = reference_pixels(v, side);
        const double whole = up ? std::ceil(pixels) : std::floor(pixels);
        return static_cast<int>(std::clamp(whole, 0.0, static_cast<double>(side)));
    };
    std::vector<uint8_t> keep(boxes.size(), 0);
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        const auto& b = boxes[i];
        const int x1 = edge(b[0], width, false), y1 = edge(b[1], height, false);
        const int x2 = edge(b[2], width, true), y2 = edge(b[3], height, true);
        const long long area = static_cast<long long>(x2 - x1) * (y2 - y1);
        const long long dropped =
            area > 0 ? cv::countNonZero(drops(cv::Rect(cv::Point(x1, y1), cv::Point(x2, y2)))) : 0;
        const long long visible = area - dropped;
        const double ratio = area != 0 ? static_cast<double>(visible) / static_cast<double>(area) : 0.0;
        keep[i] = visible >= min_area && ratio >= min_visibility;
    }
    return keep;
}

}  // namespace instaug
