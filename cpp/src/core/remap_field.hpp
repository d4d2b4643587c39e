// A dense displacement field: the non-rigid distortions (OpticalDistortion, GridDistortion,
// PiecewiseAffine, ElasticTransform) as one geometric step. Output pixel (x, y) samples the input
// at (map_x, map_y) in pixel-centre coordinates, as cv::remap. The image and plain masks go
// through one remap; instance mask tiles through a nearest remap of the window they can reach;
// boxes and keypoints through the field too.
#pragma once
#include <array>
#include <functional>
#include <memory>

#include <opencv2/core.hpp>

#include "core/geometric_step.hpp"
#include "core/mask_tile.hpp"

namespace instaug {

struct RemapField {
    cv::Mat map_x, map_y;  // CV_32FC1, the canvas' size
    int reach = 0;         // whole pixels: no output pixel samples further than this from itself
    // Boxes without a bound mask: the reference's remap_bboxes rule (rounded corners, inclusive
    // pixels), or its masks_from_bboxes / bboxes_from_masks rule (truncated corners, half-open,
    // refit to the last pixel + 1; a box that vanishes becomes (-1, -1, -1, -1) and dies).
    bool half_open_boxes = false;
    // A field known in closed form moves keypoints forward through it instead of by the inverse of
    // the maps (GridElasticDeform's cells, as the reference).
    std::function<void(double& x, double& y)> forward;
};

// The field of maps at the canvas' size; `reach` is measured from them.
std::shared_ptr<const RemapField> make_remap_field(cv::Mat map_x, cv::Mat map_y);

// Maps drawn at a lower resolution brought to width x height: their displacement is resized with
// `interpolation` and scaled by the ratio of the sides, corners aligned (the reference's
// upscale_distortion_maps).
void upscale_maps(cv::Mat& map_x, cv::Mat& map_y, int width, int height, int interpolation);

GeometricStep make_remap_step(int width, int height, std::shared_ptr<const RemapField> field,
                              const PixelOptions& pixels);

// A plane through the field: the image (interpolation, fill) or a plain mask (mask_interpolation,
// fill_mask). Nearest with a constant border copies whole elements, any element size.
cv::Mat remap_plane(const cv::Mat& plane, const RemapField& field, int interpolation, int border_mode,
                    const cv::Scalar& fill);

// A tile through the field by nearest neighbour, tightened.
MaskTile remap_tile(const MaskTile& tile, const RemapField& field);

// The reference's box rule (remap_bboxes): the box rasterised on whole pixels (rounded corners,
// inclusive, clamped to the canvas), moved by nearest neighbour; the new box spans the first to
// the last pixel index it covers (inclusive, as the reference). A box that vanishes keeps its
// coordinates. With `half_open_boxes`, the other rule (see RemapField).
std::array<double, 4> remap_box(const std::array<double, 4>& box, const RemapField& field);

// The point that the field sends to (x, y): the output position whose sample point is (x, y),
// found by fixed-point iteration on the bilinear field. Returns false when there is none inside
// the canvas (the point left the image).
bool remap_point(const RemapField& field, double& x, double& y);

}  // namespace instaug
