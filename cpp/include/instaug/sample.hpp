// One call's data in (viewed, never written) and its result out.
//
// Rows are the objects of the sample: row i has boxes row i, masks[i] and its keypoints, and comes
// back (if it survives) with its id. Boxes and keypoints are in the formats of the pipeline file's
// bbox_params and keypoint_params (coord_format, angle_in_degrees), as Python takes them.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "instaug/geometry.hpp"

namespace instaug {

struct Input {
    // H x W, CV_8U or CV_32F with 1 to 4 channels. Empty when the sample is masks or boxes alone
    // (then `size` gives the canvas).
    cv::Mat image;
    cv::Size size;  // the canvas when there is no image; ignored otherwise
    // One row per object: N x 4 (CV_32F or CV_64F), or empty when the pipeline has no bbox_params.
    cv::Mat boxes;
    // Empty, or one H x W plane per row (8, 16 or 32-bit integers; non-zero is the object).
    std::vector<cv::Mat> masks;
    // Keypoints, M x K (CV_32F or CV_64F, K >= the length of keypoint_params' coord_format). With
    // `keypoints_per_row` (one count per row, summing to M) they belong to the rows, in row order,
    // and live and die with them; without, they are free points filtered on their own.
    cv::Mat keypoints;
    std::vector<int> keypoints_per_row;
    // The caller's id of each row, reported back for the survivors; empty: 0, 1, ..., N - 1.
    std::vector<int64_t> ids;
    // One label per row, for the transforms that choose rows by label (CoarseDropout's bbox_labels,
    // ...); empty when none does.
    std::vector<double> labels;
    // A plain mask (semantic segmentation, H x W or H x W x C), moved with the image.
    cv::Mat mask;
    // The pipeline file's additional_targets by name: images take every draw of `image`, masks
    // every draw of `mask`.
    std::map<std::string, cv::Mat> additional;
    // Mosaic's neighbours and CopyAndPaste's donors under their transform's metadata_key, each a
    // sample of its own (image, boxes, masks, keypoints, ids).
    std::map<std::string, std::vector<Input>> metadata;
    // Values some transforms read from the call by name: RandomCropNearBBox's cropping_bbox
    // (x_min, y_min, x_max, y_max in pixels), ...; images: the domain adaptations' references.
    std::map<std::string, std::vector<double>> numbers;
    std::map<std::string, std::vector<cv::Mat>> images;
};

// Where a surviving row came from: the call's own rows (`key` empty, `item` -1) or item `item` of
// metadata[key]; `row` is its index there and `id` that input's id of it.
struct RowSource {
    std::string key;
    int item = -1;
    int row = 0;
    int64_t id = 0;
};

struct Result {
    cv::Mat image;  // CV_8U, or CV_32F after Normalize / ToFloat
    cv::Mat boxes;  // N x 4 CV_32F, in bbox_params' coord_format
    // The rows' masks in the pipeline's mask_output form: "per_row" fills `masks` (one H x W plane
    // per row), "stacked" `stacked_masks` (N x H x W, 3 dimensions), "index_map" `index_map`
    // (row number + 1 per pixel; CV_8U, CV_32S past 255 rows), "coco_rle" `rle_counts` (COCO's
    // compressed counts of each row's mask, the image's height x width).
    std::vector<cv::Mat> masks;
    cv::Mat stacked_masks;
    cv::Mat index_map;
    std::vector<std::string> rle_counts;
    // Keypoints M x K CV_32F in keypoint_params' coord_format (extra input columns kept), and for
    // row keypoints the count of each surviving row's.
    cv::Mat keypoints;
    std::vector<int> keypoints_per_row;
    std::vector<int> keypoint_indices;  // free keypoints: each survivor's index in the input
    std::vector<int64_t> ids;           // each surviving row's id
    std::vector<RowSource> sources;     // where each surviving row came from
    cv::Mat mask;                       // the plain mask, when given
    std::map<std::string, cv::Mat> additional;  // the additional targets given
    Geometry geometry;                  // the map from the input image to `image`
    std::vector<std::string> applied;   // names of the transforms that ran, in order

    int rows() const { return static_cast<int>(ids.size()); }
};

// The image as planar float32, C x H x W (a 3-dimensional cv::Mat): what a network takes. uint8
// values are converted as they are (no scaling: Normalize does that in the pipeline).
cv::Mat to_planar(const cv::Mat& image);
// Writes the planar form into `destination`, which holds C * H * W floats (one image of a batch).
void write_planar(const cv::Mat& image, float* destination);

}  // namespace instaug
