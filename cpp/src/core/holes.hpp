// Holes: rectangles a dropout transform cuts out of the canvas. The image takes a fill in them,
// the masks too when the transform has a mask fill, and boxes and keypoints under them follow
// the reference's visibility rules (its filter_bboxes_by_holes and filter_keypoints_in_holes).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "core/mask_tile.hpp"
#include "core/random.hpp"
#include "transforms/params.hpp"

namespace instaug {

// Hole rectangles inside the canvas, in the order drawn (they may overlap).
using Holes = std::vector<cv::Rect>;

// Holes whose fill reaches only the pixels of `within` (CV_8UC1, canvas-sized, non-zero where the
// transform may act): GuidedCoarseDropout's holes inside its region.
struct MaskedHoles {
    Holes holes;
    cv::Mat within;
    // Rows removed whole, by index (MaskDropout's chosen instances: their objects are gone).
    std::vector<std::size_t> removed_rows;
    int inpaint_radius = 3;
    // Non-zero where a pixel drops: in a hole and within.
    cv::Mat dropped(int width, int height) const;
};

// 1 where any hole is, 0 elsewhere (CV_8UC1, height x width).
cv::Mat hole_plane(const Holes& holes, int width, int height);

// The image with its holes filled (a fresh image; the input is never written). `fill` is the
// normal form of a dropout fill: numbers (one, or one per channel) or a named fill: "random"
// (a value per element), "random_uniform" (a value per hole and channel), "grayscale" (the
// channels' mean), "inpaint_telea" / "inpaint_ns" (OpenCV's inpainting, 1 or 3 channels).
// `what` names the target in errors.
cv::Mat fill_holes(const cv::Mat& image, const Holes& holes, const Json& fill, Random& rng, const char* what);

// fill_holes, reaching only the pixels of `dropped` (CV_8UC1, non-zero where a pixel drops: inside
// the holes); inpainting inpaints exactly those pixels.
cv::Mat fill_holes_within(const cv::Mat& image, const Holes& holes, const cv::Mat& dropped, const Json& fill,
                          Random& rng, const char* what, int inpaint_radius = 3);

// A mask plane with `fill` (numbers: one, or one per channel) in its holes; 64-bit integer masks
// (opaque bytes) take a single number as int64.
cv::Mat fill_mask_holes(const cv::Mat& plane, const Holes& holes, const Json& fill);

// A mask tile with `value` in its holes: zeroed there, or grown over the holes it must take.
// `type`: the masks' OpenCV type (an empty tile has none of its own).
MaskTile fill_tile_holes(const MaskTile& tile, const Holes& holes, double value, int width, int height, int type);

// The reference's rule for boxes under holes (absolute pixel edges): the box, truncated to whole
// pixels, keeps the pixels no hole covers; it lives while they number > 0, >= min_area and
// >= min_visibility of the box's area, and becomes their tight box. Returns keep flags.
std::vector<uint8_t> boxes_under_holes(std::vector<std::array<double, 4>>& boxes, const cv::Mat& plane,
                                       double min_area, double min_visibility);

// True when the point (pixel-centre coordinates) lies in a hole.
bool in_a_hole(const Holes& holes, double x, double y);

}  // namespace instaug
