#include "instaug/mix_item.hpp"

#include <algorithm>
#include <cmath>

#include "instaug/mask_tile_ops.hpp"

namespace instaug {

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
            if (r < item.masks.size() && item.masks[r].data) {
                tile = tile_from_plane(item.masks[r], visible);
            } else if (r < item.boxes.size()) {
                // A row given by its box only: its mask is the box, in the table's mask type.
                const int x0 = std::max(0, static_cast<int>(std::floor(box[0])));
                const int y0 = std::max(0, static_cast<int>(std::floor(box[1])));
                const int x1 = std::min(s.width, static_cast<int>(std::ceil(box[2])));
                const int y1 = std::min(s.height, static_cast<int>(std::ceil(box[3])));
                if (x1 > x0 && y1 > y0) {
                    tile.x0 = x0;
                    tile.y0 = y0;
                    tile.data = cv::Mat(y1 - y0, x1 - x0, like.mask_type);
                    tile.data.setTo(cv::Scalar::all(1));
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
