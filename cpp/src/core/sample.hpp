// One sample flowing through the pipeline: the image, plain (unbound) mask planes, the instance
// rows and free keypoints. The canvas size is carried explicitly so that a sample without an image
// (masks or boxes only) still has a shape.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/frame_map.hpp"
#include "core/instance_table.hpp"
#include "core/geometric_step.hpp"
#include "transforms/params.hpp"

namespace instaug {

struct Sample {
    int width = 0;
    int height = 0;
    cv::Mat image;                   // may be empty
    // Additional images (additional_targets): every step and draw of `image` applies to them too.
    std::vector<cv::Mat> extra_images;
    std::vector<cv::Mat> mask_planes;  // plain `mask` (one plane, any channels) or `masks` (one per plane)
    InstanceTable rows;
    // The caller's instance mask planes, one per row, until they are cut into tiles: the first
    // transform decides how much of each plane it can see (Mosaic: only its cell's part). A view
    // without data: the row's mask came encoded (polygons, RLE) and its tile is in rows.masks.
    std::vector<MaskPlaneView> unresolved_masks;
    FreeKeypoints free_keypoints;
    // Source ids of rows whose mask held no pixel when it came in: such a row lives or dies by its
    // box alone, since no transform made its mask empty (the reference keeps it too).
    std::vector<int64_t> blank_mask_sources;
    // Geometric steps already applied to everything but `image`: the image is resampled once for
    // all of them when its pixels are next needed (render_deferred_image).
    std::vector<GeometricStep> deferred_image_steps;
    FrameMap frame;  // from the input image to the canvas as it stands
    std::vector<int> applied_transforms;  // indices of the transforms that ran, for label mapping
    // When set, what each applied transform drew (Random::note), one entry per applied_transforms'.
    bool collect_notes = false;
    std::vector<Json> applied_notes;
    // Values of the call that transforms read by a key they are given (RandomCropNearBBox's
    // cropping_bbox, GuidedCoarseDropout's region, the domain adaptations' reference images). They
    // are the caller's, aligned with the input, and never transformed.
    std::map<std::string, std::vector<double>> call_numbers;
    std::map<std::string, std::vector<cv::Mat>> call_images;
    // The first label of each row by source id (an array; null when no transform reads labels): the
    // label-selected dropouts pick rows by it.
    Json row_labels;
};

// The call value under `key`, or std::invalid_argument naming `transform` and the key when the call
// lacks it.
const std::vector<double>& call_numbers(const Sample& s, const std::string& key, const std::string& transform);
const std::vector<cv::Mat>& call_images(const Sample& s, const std::string& key, const std::string& transform);
// The call value under `key` as a box (4 finite numbers in pixels), or std::invalid_argument in the
// facade's words: the C++ API hands call values over unchecked, so the transform's read checks them.
const std::vector<double>& call_box(const Sample& s, const std::string& key, const std::string& transform);
// The call value under `key` as one single-channel plane of 0 / 1 values (a region).
const cv::Mat& call_region(const Sample& s, const std::string& key, const std::string& transform);
// The call value under `key` as a non-empty list of images (uint8 or float32, 1 to 4 channels).
const std::vector<cv::Mat>& call_image_list(const Sample& s, const std::string& key, const std::string& transform);
// Whether the row with `source_id` carries one of `labels` (a JSON array; numbers compare by value).
bool row_label_in(const Sample& s, int64_t source_id, const Json& labels);

}  // namespace instaug
