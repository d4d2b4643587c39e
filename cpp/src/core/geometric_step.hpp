// A geometric step: one exactly described change of the canvas (flip, crop, pad, resize, warp).
// Every transform of the pipeline samples its parameters and becomes one or more steps; a step
// moves the image, mask planes, mask tiles, boxes and keypoints consistently.
#pragma once
#include <array>
#include <memory>
#include <string>

#include <opencv2/core.hpp>


namespace instaug {

struct Sample;
struct RemapField;
struct CellMove;

// Transpose swaps x and y (the main diagonal): with the flips it makes every symmetry of the square.
// Remap: a dense displacement field (non-rigid distortions), see remap_field.hpp.
enum class StepKind { HorizontalFlip, VerticalFlip, Transpose, Crop, Pad, Resize, Warp, Remap, Shuffle };

// OpenCV constants, repeated so that kernels do not depend on the Python side's cv2.
enum Interpolation { kNearest = 0, kLinear = 1, kCubic = 2, kArea = 3, kLanczos4 = 4 };
enum BorderMode { kBorderConstant = 0, kBorderReplicate = 1, kBorderReflect = 2, kBorderWrap = 3,
                  kBorderReflect101 = 4 };

struct PixelOptions {
    int interpolation = kLinear;
    int mask_interpolation = kNearest;
    int border_mode = kBorderConstant;
    cv::Scalar fill = cv::Scalar::all(0);
    cv::Scalar fill_mask = cv::Scalar::all(0);
};

enum class AngleRule { Keep, MirrorX, Negate, Transpose, Add };

struct GeometricStep {
    StepKind kind = StepKind::Warp;
    int in_width = 0, in_height = 0;
    int out_width = 0, out_height = 0;
    int offset_x = 0, offset_y = 0;  // Crop: window origin; Pad: left/top padding
    // Source to destination in pixel-centre coordinates (pixel (i, j) is the point (j, i)).
    cv::Matx33d matrix = cv::Matx33d::eye();
    bool perspective = false;
    PixelOptions pixels;
    AngleRule angle_rule = AngleRule::Keep;
    double angle_delta = 0.0;     // radians, for AngleRule::Add
    double keypoint_scale = 1.0;  // multiplies the keypoint scale column
    bool drops_boxes_outside = false;  // the reference removes boxes wholly outside after warps
    bool ellipse_boxes = false;        // rotate_method="ellipse"
    int tile_interpolation = -1;       // instance mask tiles; -1: pixels.mask_interpolation
    std::shared_ptr<const RemapField> field;  // Remap: the maps (matrix unused)
    std::shared_ptr<const std::vector<CellMove>> cells;  // Shuffle: the cells' moves (matrix unused)

    // The same mapping in pixel-edge coordinates, used for boxes.
    cv::Matx33d edge_matrix() const;

    // True (with the shift) when the step is a warp that only moves pixels by whole pixels: it is
    // then done by copying, without resampling.
    bool integer_shift(int& dx, int& dy) const;
};

// The largest canvas a step may grow to: OpenCV's remap needs sides below SHRT_MAX, and the pixel
// cap (2^28, 768 MiB of RGB bytes) stops a parameter that sizes the output (fit_output with a
// steep shear, a huge scale or target size) long before it exhausts memory.
constexpr double kMaxCanvasSide = 32766;
constexpr double kMaxCanvasPixels = 268435456.0;

// Throws std::invalid_argument naming `transform` when a step from an in_width x in_height canvas
// would make one of width x height (in double, so that it is checked before any conversion to int)
// that is not positive or grows past those bounds. An input already past them may keep its size
// or shrink: only growth beyond both the bound and the input is refused.
void check_canvas_size(const std::string& transform, double in_width, double in_height, double width,
                       double height);

GeometricStep make_flip_step(int width, int height, bool horizontal);
GeometricStep make_transpose_step(int width, int height);
GeometricStep make_crop_step(int width, int height, int x0, int y0, int crop_width, int crop_height);
GeometricStep make_pad_step(int width, int height, int top, int bottom, int left, int right,
                            const PixelOptions& pixels);
GeometricStep make_resize_step(int width, int height, int out_width, int out_height, const PixelOptions& pixels);
GeometricStep make_warp_step(int width, int height, int out_width, int out_height, const cv::Matx33d& matrix,
                             bool perspective, const PixelOptions& pixels);

// Applies the step to every spatial target of the sample (no filtering: that is the pipeline's job).
// With `defer_image` the image is left as it is and the step queued on the sample (see
// render_deferred_image).
void apply_step(Sample& sample, const GeometricStep& step, bool defer_image = false);

// True when the image part of the step can join a fused chain: bilinear warps with a constant
// border, flips and crops (exact maps), on uint8 / float32 images of 1 to 4 channels (the
// additional images too).
bool image_step_fusable(const GeometricStep& step, const Sample& sample);

// Brings the image (and the additional images) up to date with its deferred steps: one resampling through the whole chain
// when it holds a warp (intermediate canvases still clip, as step by step), else step by step.
void render_deferred_image(Sample& sample);

// A pixel-centre map in pixel-edge coordinates (edge = centre + 0.5), the coordinates boxes live in.
cv::Matx33d on_pixel_edges(const cv::Matx33d& centre);

// The box (x1, y1, x2, y2, pixel edges) around a box's four corners mapped through `edge` (a map in
// edge coordinates), or around its inscribed ellipse at 360 points (the reference's "ellipse").
std::array<double, 4> transform_box(const std::array<double, 4>& b, const cv::Matx33d& edge, bool ellipse = false);

// Maps a point through a 3x3 matrix with the projective divide.
inline cv::Point2d map_point(const cv::Matx33d& m, double x, double y) {
    const double w = m(2, 0) * x + m(2, 1) * y + m(2, 2);
    return {(m(0, 0) * x + m(0, 1) * y + m(0, 2)) / w, (m(1, 0) * x + m(1, 1) * y + m(1, 2)) / w};
}

}  // namespace instaug
