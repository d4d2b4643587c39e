#include "core/mix_item.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "kernels/mask_tile_ops.hpp"

namespace instaug {
namespace {

std::string describe_type(int type) {
    static const char* const depths[] = {"uint8", "int8", "uint16", "int16", "int32", "float32", "float64", "float16"};
    const int channels = CV_MAT_CN(type);
    return std::string(depths[CV_MAT_DEPTH(type)]) + " with " + std::to_string(channels) +
           (channels == 1 ? " channel" : " channels");
}

// A tile whose every element is `on` (one element's bytes; empty: the value 1). Written byte-wise,
// since 64-bit masks travel as 8-channel bytes that cv::Mat::setTo cannot fill.
cv::Mat filled_tile(int rows, int cols, int type, const std::vector<uint8_t>& on) {
    cv::Mat tile(rows, cols, type);
    const size_t element = tile.elemSize();
    std::vector<uint8_t> value(element, 0);
    if (on.size() == element) value = on;
    else value[0] = 1;  // little-endian 1 in any integer width
    uint8_t* first = tile.ptr<uint8_t>(0);
    for (int x = 0; x < cols; ++x) std::memcpy(first + x * element, value.data(), element);
    for (int y = 1; y < rows; ++y) std::memcpy(tile.ptr<uint8_t>(y), first, cols * element);
    return tile;
}

}  // namespace

void check_item_pixels(const MixItem& item, const Sample& sample, const std::string& transform) {
    if (!sample.image.empty() && item.image.type() != sample.image.type())
        throw std::invalid_argument(
            transform + ": " + item.where + "['image'] is " + describe_type(item.image.type()) +
            ", but the image reaching " + transform + " is " + describe_type(sample.image.type()) +
            ": a step before it changed the image's dtype or channels; put that step after " + transform);
    if (item.semantic_mask.empty() || sample.mask_planes.empty()) return;
    if (item.semantic_mask.type() != sample.mask_planes[0].type())
        throw std::invalid_argument(transform + ": " + item.where + "['mask'] is " +
                                    describe_type(item.semantic_mask.type()) + ", but the call's mask is " +
                                    describe_type(sample.mask_planes[0].type()));
}

Sample materialize_item(const MixItem& item, const RowColumns& like, cv::Rect visible,
                        const std::vector<uint8_t>* needed) {
    Sample s;
    s.width = item.image.cols;
    s.height = item.image.rows;
    s.image = item.image;
    if (!item.semantic_mask.empty()) s.mask_planes.push_back(item.semantic_mask);
    InstanceTable& rows = s.rows;
    rows.has_boxes = like.boxes;
    rows.has_masks = like.masks;
    rows.has_keypoints = like.keypoints;
    rows.mask_type = like.mask_type;
    for (std::size_t r = 0; r < item.size(); ++r) {
        std::array<double, 4> box = r < item.boxes.size() ? item.boxes[r] : std::array<double, 4>{0, 0, 0, 0};
        MaskTile tile;
        if (like.masks && (!needed || (*needed)[r])) {
            const auto encoded = item.encoded_masks.find(r);
            if (r < item.masks.size() && item.masks[r].data) {
                tile = tile_from_plane(item.masks[r], visible);
            } else if (encoded != item.encoded_masks.end()) {
                const std::string where = item.where + "['masks'][" + std::to_string(r) + "]";
                // An encoded mask's tile holds bytes: a table of wider masks cannot take it.
                if (like.mask_type != CV_8UC1)
                    throw std::invalid_argument(where + ": polygon and RLE masks are uint8, the call's masks are not");
                tile = tile_inside(encoded->second.tile(s.width, s.height, where), visible);
            } else if (r < item.boxes.size()) {
                // A row given by its box only: its mask is the box, in the table's mask type.
                const cv::Rect pixels = box_pixels(box) & cv::Rect(0, 0, s.width, s.height);
                if (!pixels.empty()) {
                    tile.x0 = pixels.x;
                    tile.y0 = pixels.y;
                    tile.data = filled_tile(pixels.height, pixels.width, like.mask_type, item.mask_on_element);
                }
            }
            if (!like.boxes) {
                double tight[4];
                if (tile_tight_box(tile, tight)) box = {tight[0], tight[1], tight[2], tight[3]};
            }
        }
        const int64_t n_kp =
            item.keypoint_offsets.size() > r + 1 ? item.keypoint_offsets[r + 1] - item.keypoint_offsets[r] : 0;
        const double* kp = n_kp ? item.keypoints.data() + item.keypoint_offsets[r] * kKeypointColumns : nullptr;
        rows.append_row(item.source_ids[r], box, std::move(tile), kp, n_kp);
    }
    return s;
}

}  // namespace instaug
