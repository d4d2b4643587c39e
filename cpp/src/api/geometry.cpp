#include "instaug/geometry.hpp"

#include <algorithm>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace instaug {
namespace {

// Boxes live on pixel edges, keypoints on pixel centres: edge = centre + 0.5.
cv::Matx33d on_edges(const cv::Matx33d& centre) {
    const cv::Matx33d to_centre(1, 0, -0.5, 0, 1, -0.5, 0, 0, 1);
    const cv::Matx33d to_edge(1, 0, 0.5, 0, 1, 0.5, 0, 0, 1);
    return to_edge * centre * to_centre;
}

cv::Point2d through(const cv::Matx33d& m, double x, double y) {
    const double w = m(2, 0) * x + m(2, 1) * y + m(2, 2);
    return {(m(0, 0) * x + m(0, 1) * y + m(0, 2)) / w, (m(1, 0) * x + m(1, 1) * y + m(1, 2)) / w};
}

void check_rows(const cv::Mat& m, int columns, const char* what) {
    if (m.empty()) return;
    if ((m.depth() != CV_32F && m.depth() != CV_64F) || m.channels() != 1 || m.dims != 2 || m.cols < columns)
        throw std::invalid_argument(std::string(what) + " must be an N x " + std::to_string(columns) +
                                    (columns == 2 ? "+" : "") + " one-channel CV_32F or CV_64F matrix");
}

cv::Mat boxes_through(const cv::Matx33d& centre, const cv::Mat& boxes, cv::Size bounds, bool clip) {
    check_rows(boxes, 4, "boxes");
    if (boxes.empty()) return cv::Mat(0, 4, CV_32F);
    const cv::Matx33d edge = on_edges(centre);
    cv::Mat values;
    boxes.convertTo(values, CV_64F);
    for (int i = 0; i < values.rows; ++i) {
        double* b = values.ptr<double>(i);
        const cv::Point2d corners[4] = {through(edge, b[0], b[1]), through(edge, b[2], b[1]), through(edge, b[2], b[3]),
                                        through(edge, b[0], b[3])};
        double x0 = corners[0].x, y0 = corners[0].y, x1 = x0, y1 = y0;
        for (const cv::Point2d& p : corners) {
            x0 = std::min(x0, p.x); x1 = std::max(x1, p.x);
            y0 = std::min(y0, p.y); y1 = std::max(y1, p.y);
        }
        if (clip) {
            x0 = std::clamp(x0, 0.0, static_cast<double>(bounds.width));
            x1 = std::clamp(x1, 0.0, static_cast<double>(bounds.width));
            y0 = std::clamp(y0, 0.0, static_cast<double>(bounds.height));
            y1 = std::clamp(y1, 0.0, static_cast<double>(bounds.height));
        }
        b[0] = x0; b[1] = y0; b[2] = x1; b[3] = y1;
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
        const cv::Point2d p = through(centre, k[0], k[1]);
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
