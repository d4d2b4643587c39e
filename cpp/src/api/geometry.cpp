#include "instaug/geometry.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "core/geometric_step.hpp"

namespace instaug {
namespace {

void check_rows(const cv::Mat& m, int columns, const char* what) {
    if (m.empty()) return;
    if ((m.depth() != CV_32F && m.depth() != CV_64F) || m.channels() != 1 || m.dims != 2 || m.cols < columns)
        throw std::invalid_argument(std::string(what) + " must be an N x " + std::to_string(columns) +
                                    (columns == 2 ? "+" : "") + " one-channel CV_32F or CV_64F matrix");
}

cv::Mat boxes_through(const cv::Matx33d& centre, const cv::Mat& boxes, cv::Size bounds, bool clip) {
    check_rows(boxes, 4, "boxes");
    if (boxes.empty()) return cv::Mat(0, 4, CV_32F);
    const cv::Matx33d edge = on_pixel_edges(centre);  // boxes live on pixel edges
    cv::Mat values;
    boxes.convertTo(values, CV_64F);
    for (int i = 0; i < values.rows; ++i) {
        double* b = values.ptr<double>(i);
        std::array<double, 4> box = transform_box({b[0], b[1], b[2], b[3]}, edge);
        if (clip) {
            box[0] = std::clamp(box[0], 0.0, static_cast<double>(bounds.width));
            box[2] = std::clamp(box[2], 0.0, static_cast<double>(bounds.width));
            box[1] = std::clamp(box[1], 0.0, static_cast<double>(bounds.height));
            box[3] = std::clamp(box[3], 0.0, static_cast<double>(bounds.height));
        }
        std::copy(box.begin(), box.end(), b);
    }
    cv::Mat out;
    values.convertTo(out, boxes.depth());
    return out;
}

cv::Mat keypoints_through(const cv::Matx33d& centre, const cv::Mat& keypoints) {
    check_rows(keypoints, 2, "keypoints");
    if (keypoints.empty()) return cv::Mat(0, 2, CV_32F);
    cv::Mat values;
    keypoints.convertTo(values, CV_64F);
    for (int i = 0; i < values.rows; ++i) {
        double* k = values.ptr<double>(i);
        const cv::Point2d p = map_point(centre, k[0], k[1]);
        k[0] = p.x;
        k[1] = p.y;
    }
    cv::Mat out;
    values.convertTo(out, keypoints.depth());
    return out;
}

}  // namespace

Geometry::Geometry(const cv::Matx33d& forward, cv::Size input_size, cv::Size output_size, std::string not_invertible)
    : forward_(forward), input_size_(input_size), output_size_(output_size), not_invertible_(std::move(not_invertible)) {}

void Geometry::require_invertible(const char* what) const {
    if (!invertible())
        throw std::logic_error(std::string(what) + ": no way back to the input: " + not_invertible_);
}

cv::Mat Geometry::unmap_boxes(const cv::Mat& boxes, bool clip) const {
    require_invertible("unmap_boxes");
    return boxes_through(forward_.inv(), boxes, input_size_, clip);
}

cv::Mat Geometry::unmap_keypoints(const cv::Mat& keypoints) const {
    require_invertible("unmap_keypoints");
    return keypoints_through(forward_.inv(), keypoints);
}

cv::Mat Geometry::map_boxes(const cv::Mat& boxes, bool clip) const {
    require_invertible("map_boxes");
    return boxes_through(forward_, boxes, output_size_, clip);
}

cv::Mat Geometry::map_keypoints(const cv::Mat& keypoints) const {
    require_invertible("map_keypoints");
    return keypoints_through(forward_, keypoints);
}

cv::Mat Geometry::unmap_mask(const cv::Mat& mask, int interpolation) const {
    require_invertible("unmap_mask");
    if (mask.dims != 2 || mask.size() != output_size_)
        throw std::invalid_argument("unmap_mask: the mask must have the output's size " +
                                    std::to_string(output_size_.width) + "x" + std::to_string(output_size_.height));
    if (interpolation != cv::INTER_NEAREST && interpolation != cv::INTER_LINEAR)
        throw std::invalid_argument("unmap_mask: interpolation must be cv::INTER_NEAREST or cv::INTER_LINEAR");
    cv::Mat out;
    // forward_ maps input pixels to output pixels: with WARP_INVERSE_MAP OpenCV reads the output
    // (the mask) at forward_(p) for every input pixel p.
    const bool affine = forward_(2, 0) == 0 && forward_(2, 1) == 0 && forward_(2, 2) == 1;
    if (affine)
        cv::warpAffine(mask, out, cv::Mat(forward_).rowRange(0, 2), input_size_, interpolation | cv::WARP_INVERSE_MAP,
                       cv::BORDER_CONSTANT, cv::Scalar::all(0));
    else
        cv::warpPerspective(mask, out, cv::Mat(forward_), input_size_, interpolation | cv::WARP_INVERSE_MAP,
                            cv::BORDER_CONSTANT, cv::Scalar::all(0));
    return out;
}

}  // namespace instaug
