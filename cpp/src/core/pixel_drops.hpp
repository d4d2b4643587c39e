// Pixel drops: single pixels, or single channels of pixels, set to a value (PixelDropout). The
// image takes its values where dropped, the masks theirs when the transform has a mask value, and
// boxes live or die by how many of their pixels were dropped (the reference's mask_dropout_bboxes).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "core/mask_tile.hpp"

namespace instaug {

struct PixelDrops {
    // Non-zero where dropped: CV_8UC1 (every channel of the pixel) or one channel per image
    // channel (CV_8UC(n), each channel on its own).
    cv::Mat image;
    std::vector<double> image_values;  // one per image channel
    // CV_8UC1, non-zero where mask pixels drop; empty: masks keep their values.
    cv::Mat masks;
    std::vector<double> mask_values;  // one, or one per mask channel
    bool judges_boxes = true;         // the reference leaves boxes alone when channels drop apart
};

// A fresh copy of `image` with `values` (one per channel, in the image's dtype: integer dtypes
// truncate) where `drops` says.
cv::Mat drop_pixels(const cv::Mat& image, const cv::Mat& drops, const std::vector<double>& values);

// A mask tile with `value` where `drops` (canvas-sized CV_8UC1) says: zeroed there, or grown over
// the dropped pixels it must take. `type`: the masks' OpenCV type (an empty tile has none of its own).
MaskTile drop_tile_pixels(const MaskTile& tile, const cv::Mat& drops, double value, int type);

// A mask plane with `values` (one, or one per channel) where `drops` says; 64-bit integer masks
// (opaque bytes) take a single value as int64.
cv::Mat drop_mask_pixels(const cv::Mat& plane, const cv::Mat& drops, const std::vector<double>& values);

// The reference's rule: a box (floor / ceil of its float32-normalised edges, clipped) keeps its
// pixels that were not dropped; it lives while they number >= min_area and >= min_visibility of
// its area. Boxes are not moved. `drops`: CV_8UC1, non-zero where any channel dropped.
std::vector<uint8_t> boxes_over_drops(const std::vector<std::array<double, 4>>& boxes, const cv::Mat& drops,
                                      double min_area, double min_visibility);

}  // namespace instaug
