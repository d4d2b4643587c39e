// Where a result's pixels came from: the forward map from the input image to the output and both
// sizes, with the way back for what a network finds on the output (boxes, keypoints, masks).
#pragma once
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace instaug {

class Geometry {
public:
    Geometry() = default;
    Geometry(const cv::Matx33d& forward, cv::Size input_size, cv::Size output_size, std::string not_invertible = {});

    // Input to output in pixel-centre coordinates (pixel (row i, column j) is the point (j, i)); the
    // product of every geometric step the call applied.
    const cv::Matx33d& forward() const { return forward_; }
    cv::Size input_size() const { return input_size_; }
    cv::Size output_size() const { return output_size_; }
    // False when a step of the call has no 3x3 map (a distortion, a shuffle of cells, Mosaic, a
    // transform written in Python): then every unmap throws std::logic_error naming that step.
    bool invertible() const { return not_invertible_.empty(); }
    const std::string& not_invertible_reason() const { return not_invertible_; }

    // Boxes on the output, N x 4 (x_min, y_min, x_max, y_max in pixels, CV_32F or CV_64F), back on
    // the input: the box around the four mapped corners, clipped to the input image when `clip`.
    cv::Mat unmap_boxes(const cv::Mat& boxes, bool clip = true) const;
    // Keypoints on the output, M x K (K >= 2: x, y first, pixel centres; CV_32F or CV_64F), back on
    // the input; the other columns are copied.
    cv::Mat unmap_keypoints(const cv::Mat& keypoints) const;
    // A mask (or score map) of the output's size resampled onto the input's size; pixels that came
    // from outside the input (padding) are 0. `interpolation`: cv::INTER_NEAREST or cv::INTER_LINEAR.
    cv::Mat unmap_mask(const cv::Mat& mask, int interpolation = cv::INTER_NEAREST) const;
    // The same maps forward, for what is known on the input.
    cv::Mat map_boxes(const cv::Mat& boxes, bool clip = true) const;
    cv::Mat map_keypoints(const cv::Mat& keypoints) const;

private:
    void require_invertible(const char* what) const;

    cv::Matx33d forward_ = cv::Matx33d::eye();
    cv::Size input_size_, output_size_;
    std::string not_invertible_;
};

}  // namespace instaug
