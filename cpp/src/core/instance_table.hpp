// The instance-row table: one row per object (box, mask tile, keypoints, source id).
// Header-only by design: every layer can include it, and `compact` is the one and only way a
// row leaves the table, moving every column of that row together.
#pragma once
#include <array>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/mask_tile.hpp"

namespace instaug {

// Internal keypoint layout, as the reference's: x, y (pixel centres), z, angle (radians), scale.
constexpr int kKeypointColumns = 5;

struct InstanceTable {
    bool has_boxes = false;
    bool has_masks = false;
    bool has_keypoints = false;
    int mask_type = CV_8UC1;  // OpenCV type of every mask tile (the masks' dtype)

    std::vector<std::array<double, 4>> boxes;  // absolute x1, y1, x2, y2 (pixel edges)
    std::vector<MaskTile> masks;
    std::vector<double> keypoints;            // kKeypointColumns per keypoint, rows back to back
    std::vector<int64_t> keypoint_offsets{0};  // row r owns keypoints [offsets[r], offsets[r+1])
    std::vector<int64_t> source_ids;

    std::size_t size() const { return source_ids.size(); }

    int64_t keypoint_count(std::size_t row) const {
        return keypoint_offsets[row + 1] - keypoint_offsets[row];
    }
    double* row_keypoints(std::size_t row) {
        return keypoints.data() + keypoint_offsets[row] * kKeypointColumns;
    }

    // O(1), so every build runs it: rows out of step would send kernels past a column's end.
    void check_consistent() const {
        const std::size_t n = size();
        if ((has_boxes && boxes.size() != n) || (has_masks && masks.size() != n) ||
            keypoint_offsets.size() != n + 1 ||
            static_cast<std::size_t>(keypoint_offsets.back() * kKeypointColumns) != keypoints.size())
            throw std::logic_error("instance table columns out of step");
    }

    // Appends one row; every present column must be given.
    void append_row(int64_t source_id, const std::array<double, 4>& box, MaskTile mask,
                    const double* row_keypoints, int64_t n_keypoints) {
        source_ids.push_back(source_id);
        if (has_boxes) boxes.push_back(box);
        if (has_masks) masks.push_back(std::move(mask));
        if (n_keypoints > 0)
            keypoints.insert(keypoints.end(), row_keypoints, row_keypoints + n_keypoints * kKeypointColumns);
        keypoint_offsets.push_back(keypoint_offsets.back() + n_keypoints);
    }

    // Removes every row whose keep flag is 0, keeping the order of the survivors. All columns move
    // together; this is the only place rows are removed.
    void compact(const std::vector<uint8_t>& keep) {
        const std::size_t n = size();
        if (keep.size() != n) throw std::logic_error("compact: keep-mask length differs from row count");
        std::size_t out = 0;
        int64_t kp_out = 0;
        for (std::size_t r = 0; r < n; ++r) {
            const int64_t kp_begin = keypoint_offsets[r];
            const int64_t kp_n = keypoint_offsets[r + 1] - kp_begin;
            if (!keep[r]) continue;
            if (out != r) {
                source_ids[out] = source_ids[r];
                if (has_boxes) boxes[out] = boxes[r];
                if (has_masks) masks[out] = std::move(masks[r]);
            }
            if (kp_out != kp_begin) {
                std::copy(keypoints.begin() + kp_begin * kKeypointColumns,
                          keypoints.begin() + (kp_begin + kp_n) * kKeypointColumns,
                          keypoints.begin() + kp_out * kKeypointColumns);
            }
            kp_out += kp_n;
            ++out;
            keypoint_offsets[out] = kp_out;
        }
        source_ids.resize(out);
        if (has_boxes) boxes.resize(out);
        if (has_masks) masks.resize(out);
        keypoints.resize(static_cast<std::size_t>(kp_out) * kKeypointColumns);
        keypoint_offsets.resize(out + 1);
        check_consistent();
    }
};

// Keypoints that are not bound to rows (the plain `keypoints=` call style): each point has its own
// source id and may be removed alone when it leaves the frame.
struct FreeKeypoints {
    std::vector<double> points;  // kKeypointColumns each
    std::vector<int64_t> source_ids;

    std::size_t size() const { return source_ids.size(); }

    void compact(const std::vector<uint8_t>& keep) {
        std::size_t out = 0;
        for (std::size_t i = 0; i < size(); ++i) {
            if (!keep[i]) continue;
            if (out != i) {
                source_ids[out] = source_ids[i];
                std::copy(points.begin() + i * kKeypointColumns, points.begin() + (i + 1) * kKeypointColumns,
                          points.begin() + out * kKeypointColumns);
            }
            ++out;
        }
        source_ids.resize(out);
        points.resize(out * kKeypointColumns);
    }
};

}  // namespace instaug
