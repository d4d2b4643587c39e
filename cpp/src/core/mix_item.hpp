// Another sample mixed into the current one: a Mosaic neighbour (many rows) or a CopyAndPaste donor
// (one row). Its instance masks stay full planes owned by the caller until the item is actually
// used; only then are they cut into tiles, so unused neighbours cost nothing.
#pragma once
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/encoded_mask.hpp"
#include "core/sample.hpp"

namespace instaug {

struct MixItem {
    cv::Mat image;
    cv::Mat semantic_mask;  // optional plain `mask`
    std::vector<MaskPlaneView> masks;           // one per row when masks are bound (or a donor mask)
    // Rows whose mask came encoded (their view in `masks` has no data): made into tiles when used.
    std::map<std::size_t, EncodedMask> encoded_masks;
    std::vector<std::array<double, 4>> boxes;   // absolute x1, y1, x2, y2 in the item's own pixels
    std::vector<double> keypoints;              // kKeypointColumns each, rows back to back
    std::vector<int64_t> keypoint_offsets{0};
    std::vector<int64_t> source_ids;
    // One mask element marking "object" in the call's masks (its bytes), for rows given by a box
    // alone; empty: the value 1.
    std::vector<uint8_t> mask_on_element;
    std::string where;  // how the caller names it in messages, e.g. "copy_paste_metadata[3]"
    // OverlayElements: the value its mask writes into the plain mask (NaN: none, the mask is kept);
    // its `boxes` then hold one normalised box, and `semantic_mask` its mask (CV_8U, 0 / 1).
    double mask_value = std::numeric_limits<double>::quiet_NaN();

    std::size_t size() const { return source_ids.size(); }
};

// Metadata lists by their key (`mosaic_metadata`, `copy_paste_metadata`, or the user's own).
using Metadata = std::map<std::string, std::vector<MixItem>>;

// Which columns the rows of a materialized item get.
struct RowColumns {
    bool boxes = false, masks = false, keypoints = false;
    int mask_type = CV_8UC1;
};

// The item as a sample with the given columns: tiles cut from its mask planes (only inside
// `visible`, the part of the item that can reach the output; empty: all of it); a row without a
// mask plane gets its box, filled, as its mask. Rows whose `needed` flag is 0 get no mask (the
// caller drops them before masks matter), so their planes are never read.
// Refuses (std::invalid_argument naming `transform`) an item whose image or plain mask differs in
// dtype or channels from what it is mixed into: its pixels would be read with the wrong size.
void check_item_pixels(const MixItem& item, const Sample& sample, const std::string& transform);

Sample materialize_item(const MixItem& item, const RowColumns& columns, cv::Rect visible = cv::Rect(),
                        const std::vector<uint8_t>* needed = nullptr);

}  // namespace instaug
