#include "kernels/image_ops.hpp"

#include <stdexcept>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "core/cell_shuffle.hpp"
#include "core/remap_field.hpp"
#include "kernels/warp_bilinear.hpp"
#include "kernels/warp_nearest.hpp"

namespace instaug {

cv::Mat transposed(const cv::Mat& plane) {
    cv::Mat out;
    // OpenCV transposes elements of up to 32 bytes in some sizes; other pixels go channel by channel.
    const std::size_t bytes = plane.elemSize();
    if (bytes == 1 || bytes == 2 || bytes == 3 || bytes == 4 || bytes == 6 || bytes == 8 || bytes == 12 ||
        bytes == 16 || bytes == 24 || bytes == 32) {
        cv::transpose(plane, out);
        return out;
    }
    std::vector<cv::Mat> channels;
    cv::split(plane, channels);
    for (cv::Mat& c : channels) c = transposed(c);
    cv::merge(channels, out);
    return out;
}

namespace {

bool opencv_can_resample(int depth) {
    return depth == CV_8U || depth == CV_16U || depth == CV_16S || depth == CV_32F || depth == CV_64F;
}

// Runs an OpenCV resampling call on a depth it supports: 8S and 32S planes go through float64
// (exact for every value of those types) and come back rounded.
template <class Resample>
cv::Mat resample_any_depth(const cv::Mat& plane, Resample resample) {
    if (opencv_can_resample(plane.depth())) return resample(plane);
    if (plane.depth() != CV_8S && plane.depth() != CV_32S)
        throw std::invalid_argument(
            "masks of a 64-bit integer dtype support only nearest mask_interpolation with a constant border");
    cv::Mat wide;
    plane.convertTo(wide, CV_64F);
    cv::Mat out;
    resample(wide).convertTo(out, plane.type());
    return out;
}

// Nearest resampling with the same index rule as mask tiles (see nearest_index_map).
cv::Mat warp_plane_nearest_constant(const cv::Mat& plane, const GeometricStep& step, const cv::Scalar& fill) {
    cv::Mat out(step.out_height, step.out_width, plane.type());
    const cv::Mat fill_pixel(1, 1, plane.type(), fill);
    const PlainView src{const_cast<uint8_t*>(plane.ptr<uint8_t>()), plane.cols, plane.rows,
                        static_cast<std::ptrdiff_t>(plane.step[0]), static_cast<int>(plane.elemSize())};
    PlainView dst{out.ptr<uint8_t>(), out.cols, out.rows, static_cast<std::ptrdiff_t>(out.step[0]),
                  static_cast<int>(out.elemSize())};
    const cv::Matx33d half(1, 0, 0.5, 0, 1, 0.5, 0, 0, 1);
    warp_nearest(src, 0, 0, dst, 0, 0, half * step.matrix.inv(), step.perspective, fill_pixel.ptr<uint8_t>());
    return out;
}

// A warp by whole pixels: the overlap is copied, the rest is the fill (constant border) or, for
// other borders, left to the general path.
cv::Mat shift_plane(const cv::Mat& plane, int dx, int dy, int out_w, int out_h, const cv::Scalar& fill) {
    cv::Mat out(out_h, out_w, plane.type(), fill);
    const cv::Rect target = cv::Rect(dx, dy, plane.cols, plane.rows) & cv::Rect(0, 0, out_w, out_h);
    if (!target.empty()) plane(target - cv::Point(dx, dy)).copyTo(out(target));
    return out;
}

cv::Mat transform_plane_unclipped(const cv::Mat& plane, const GeometricStep& step, bool is_mask) {
    const int interpolation = is_mask ? step.pixels.mask_interpolation : step.pixels.interpolation;
    const cv::Scalar& fill = is_mask ? step.pixels.fill_mask : step.pixels.fill;
    cv::Mat out;
    switch (step.kind) {
        case StepKind::HorizontalFlip:
            cv::flip(plane, out, 1);
            return out;
        case StepKind::VerticalFlip:
            cv::flip(plane, out, 0);
            return out;
        case StepKind::Transpose:
            return transposed(plane);
        case StepKind::Crop:
            return plane(cv::Rect(step.offset_x, step.offset_y, step.out_width, step.out_height));
        case StepKind::Pad:
            // Isolated: a cropped plane is a view, and OpenCV would take its border from the
            // pixels around the view instead of reflecting the crop's own.
            cv::copyMakeBorder(plane, out, step.offset_y, step.out_height - plane.rows - step.offset_y,
                               step.offset_x, step.out_width - plane.cols - step.offset_x,
                               step.pixels.border_mode | cv::BORDER_ISOLATED, fill);
            return out;
        case StepKind::Shuffle:
            return shuffle_plane(plane, *step.cells);
        case StepKind::Remap:
            return remap_plane(plane, *step.field, interpolation, step.pixels.border_mode, fill);
        case StepKind::Resize:
            if (interpolation == kNearest) return warp_plane_nearest_constant(plane, step, fill);
            return resample_any_depth(plane, [&](const cv::Mat& p) {
                cv::Mat r;
                cv::resize(p, r, cv::Size(step.out_width, step.out_height), 0, 0, interpolation);
                return r;
            });
        case StepKind::Warp: {
            int dx, dy;
            if (step.pixels.border_mode == kBorderConstant && step.integer_shift(dx, dy))
                return shift_plane(plane, dx, dy, step.out_width, step.out_height, fill);
        }
            if (interpolation == kNearest && step.pixels.border_mode == kBorderConstant)
                return warp_plane_nearest_constant(plane, step, fill);
            if (interpolation == kLinear && plane.channels() <= 4 &&
                (plane.depth() == CV_8U || plane.depth() == CV_32F)) {
                warp_bilinear(plane, out, cv::Size(step.out_width, step.out_height), step.matrix.inv(),
                              step.perspective, step.pixels.border_mode, fill);
                return out;
            }
            return resample_any_depth(plane, [&](const cv::Mat& p) {
                cv::Mat r;
                const cv::Size size(step.out_width, step.out_height);
                if (step.perspective)
                    cv::warpPerspective(p, r, cv::Mat(step.matrix), size, interpolation, step.pixels.border_mode, fill);
                else
                    cv::warpAffine(p, r, cv::Mat(step.matrix).rowRange(0, 2), size, interpolation,
                                   step.pixels.border_mode, fill);
                return r;
            });
    }
    return out;
}


// float32 images live in [0, 1]; cubic and Lanczos kernels overshoot it, so (as the reference) the
// result is clipped back. Masks keep their values.
cv::Mat clip_overshoot(cv::Mat image, int interpolation) {
    if (image.depth() == CV_32F && (interpolation == kCubic || interpolation == kLanczos4)) {
        cv::min(image, 1.0, image);
        cv::max(image, 0.0, image);
    }
    return image;
}

}  // namespace

cv::Mat transform_plane(const cv::Mat& plane, const GeometricStep& step, bool is_mask) {
    cv::Mat out = transform_plane_unclipped(plane, step, is_mask);
    if (!is_mask && (step.kind == StepKind::Resize || step.kind == StepKind::Warp || step.kind == StepKind::Remap))
        return clip_overshoot(out, step.pixels.interpolation);
    return out;
}

}  // namespace instaug
