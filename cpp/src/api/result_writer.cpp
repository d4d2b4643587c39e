#include "api/result_writer.hpp"

#include "core/coco_rle.hpp"
#include "core/index_map.hpp"
#include "core/stacked_masks.hpp"

namespace instaug {
namespace {

// The result's own pixels: a view of the caller's buffer (no transform changed it, or a crop of
// it) is copied, so that writing to the result never writes to the input.
cv::Mat owned(const cv::Mat& out, const cv::Mat& given) {
    if (out.empty() || given.empty() || out.datastart != given.datastart) return out;
    return out.clone();
}

void write_masks(const Sample& s, const ComposeConfig& config, Result& result) {
    const InstanceTable& rows = s.rows;
    const std::size_t element = CV_ELEM_SIZE(rows.mask_type);
    switch (config.mask_output) {
        case MaskOutputForm::PerRow:
            for (const MaskTile& tile : rows.masks) {
                cv::Mat plane(s.height, s.width, rows.mask_type);
                write_tile_to_plane(tile, plane.data, s.width, s.height, element, false);
                result.masks.push_back(plane);
            }
            break;
        case MaskOutputForm::Stacked: {
            const cv::Size size = stacked_plane_size(s.width, s.height, config.mask_ratio);
            const int dims[3] = {static_cast<int>(rows.masks.size()), size.height, size.width};
            result.stacked_masks.create(3, dims, config.mask_ratio == 1 ? rows.mask_type : CV_8UC1);
            write_stacked_masks(rows.masks, s.width, s.height, element, config.mask_ratio, result.stacked_masks.data);
            break;
        }
        case MaskOutputForm::IndexMap:
            result.index_map = overlap_index_map(rows.masks, s.width, s.height, config.mask_ratio);
            break;
        case MaskOutputForm::CocoRle:
            for (const MaskTile& tile : rows.masks)
                result.rle_counts.push_back(rle_counts_to_string(rle_counts_of_tile(tile, s.width, s.height)));
            break;
    }
}

void write_boxes(const Sample& s, const ComposeConfig& config, Result& result) {
    const InstanceTable& rows = s.rows;
    result.boxes.create(static_cast<int>(rows.size()), 4, CV_32F);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::array<float, 4> box = box_from_absolute(rows.boxes[i], config.boxes->input.format, s.height, s.width);
        std::copy(box.begin(), box.end(), result.boxes.ptr<float>(static_cast<int>(i)));
    }
}

cv::Mat keypoints_out(const std::vector<double>& internal, const KeypointParams& params) {
    const int width = keypoint_width(params.format);
    const int m = static_cast<int>(internal.size() / kKeypointColumns);
    cv::Mat out(m, width, CV_32F);
    for (int k = 0; k < m; ++k)
        keypoint_from_internal(&internal[static_cast<std::size_t>(k) * kKeypointColumns], params.format,
                               params.angle_in_degrees, out.ptr<float>(k));
    return out;
}

void write_keypoints(const CallData& call, const ComposeConfig& config, Result& result) {
    const Sample& s = call.sample;
    if (s.rows.has_keypoints) {
        result.keypoints = keypoints_out(s.rows.keypoints, *config.keypoints);
        for (std::size_t i = 0; i < s.rows.size(); ++i)
            result.keypoints_per_row.push_back(static_cast<int>(s.rows.keypoint_count(i)));
    } else if (call.has_free_keypoints) {
        result.keypoints = keypoints_out(s.free_keypoints.points, *config.keypoints);
        for (int64_t id : s.free_keypoints.source_ids) result.keypoint_indices.push_back(static_cast<int>(id));
    }
}

}  // namespace

Geometry geometry_of(const Sample& s) {
    const FrameMap& frame = s.frame;
    const std::string reason =
        frame.broken_by.empty() ? std::string() : "the call applied " + frame.broken_by + ", which has no 3x3 map";
    return Geometry(frame.forward, cv::Size(frame.input_width, frame.input_height), cv::Size(s.width, s.height), reason);
}

Result write_result(CallData& call, const Input& input, const ComposeConfig& config) {
    Sample& s = call.sample;
    Result result;
    result.image = owned(s.image, input.image);
    if (call.has_plain_mask) result.mask = owned(s.mask_planes[0], input.mask);
    const std::size_t first_extra_mask = call.has_plain_mask ? 1 : 0;
    for (std::size_t i = 0; i < call.additional_images.size(); ++i) {
        const std::string& key = call.additional_images[i];
        result.additional[key] = owned(s.extra_images[i], input.additional.at(key));
    }
    for (std::size_t i = 0; i < call.additional_masks.size(); ++i) {
        const std::string& key = call.additional_masks[i];
        result.additional[key] = owned(s.mask_planes[first_extra_mask + i], input.additional.at(key));
    }
    for (int64_t id : s.rows.source_ids) {
        const RowSource& source = call.origins.sources.at(static_cast<std::size_t>(id));
        result.sources.push_back(source);
        result.ids.push_back(source.id);
    }
    if (s.rows.has_boxes) write_boxes(s, config, result);
    if (s.rows.has_masks) write_masks(s, config, result);
    write_keypoints(call, config, result);
    result.geometry = geometry_of(s);
    const auto& leaves = config.pipeline->leaves();
    for (int index : s.applied_transforms) result.applied.push_back(leaves.at(static_cast<std::size_t>(index))->name());
    return result;
}

}  // namespace instaug
