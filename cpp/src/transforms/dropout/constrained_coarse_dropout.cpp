// ConstrainedCoarseDropout: holes only on chosen objects - the connected regions of the plain mask
// whose values are in mask_indices, or the boxes of the rows whose first label is in bbox_labels -
// sized as fractions of the object, as the reference draws them.
#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "transforms/dropout/dropout_common.hpp"

namespace instaug {
namespace {

// Where the plain mask's first channel holds one of the indices (CV_8U, 0 or 1).
cv::Mat chosen_pixels(const cv::Mat& plane, const std::vector<double>& indices) {
    const cv::Mat values = dropout::first_channel_values(plane);
    cv::Mat out = cv::Mat::zeros(plane.size(), CV_8U);
    for (double index : indices) out |= values == index;
    return out / 255;
}

// Holes sized by the object (a fraction of the square root of its area), centred on drawn pixels
// of each 8-connected region; clipped to the canvas as the reference.
Holes holes_in_regions(const cv::Mat& chosen, int per_object, const Params& p, Random& rng) {
    cv::Mat labels;
    const int count = cv::connectedComponents(chosen, labels, 8, CV_32S);
    std::vector<std::vector<cv::Point>> pixels(static_cast<std::size_t>(count));
    for (int y = 0; y < labels.rows; ++y)
        for (int x = 0; x < labels.cols; ++x)
            if (const int l = labels.at<int>(y, x)) pixels[static_cast<std::size_t>(l)].emplace_back(x, y);
    const auto h_range = p.range("hole_height_range"), w_range = p.range("hole_width_range");
    Holes holes;
    for (std::size_t l = 1; l < pixels.size(); ++l) {
        const double size = std::sqrt(static_cast<double>(pixels[l].size()));
        for (int k = 0; k < per_object; ++k) {
            const cv::Point c = pixels[l][static_cast<std::size_t>(rng.randint(0, static_cast<int64_t>(pixels[l].size()) - 1))];
            const double half_h = std::floor(rng.uniform(h_range[0], h_range[1]) * size / 2);
            const double half_w = std::floor(rng.uniform(w_range[0], w_range[1]) * size / 2);
            const int x0 = std::clamp(static_cast<int>(c.x - half_w), 0, chosen.cols - 1);
            const int y0 = std::clamp(static_cast<int>(c.y - half_h), 0, chosen.rows - 1);
            const int x1 = std::clamp(static_cast<int>(c.x + half_w), 0, chosen.cols);
            const int y1 = std::clamp(static_cast<int>(c.y + half_h), 0, chosen.rows);
            if (x1 > x0 && y1 > y0) holes.emplace_back(x0, y0, x1 - x0, y1 - y0);
        }
    }
    return holes;
}

// Holes inside the boxes of the chosen rows, their sides fractions of the box's, truncated to whole
// pixels as the reference (which holds boxes normalised in float32).
Holes holes_in_boxes(const Sample& s, int per_object, const Params& p, Random& rng) {
    const auto h_range = p.range("hole_height_range"), w_range = p.range("hole_width_range");
    const Json& labels = p.at("bbox_labels");
    const cv::Rect canvas(0, 0, s.width, s.height);
    Holes holes;
    for (std::size_t r = 0; r < s.rows.size(); ++r) {
        if (!row_label_in(s, s.rows.source_ids[r], labels)) continue;
        const auto& b = s.rows.boxes[r];
        const double x0 = reference_pixels(b[0], s.width), y0 = reference_pixels(b[1], s.height);
        const double bw = reference_pixels(b[2], s.width) - x0, bh = reference_pixels(b[3], s.height) - y0;
        for (int k = 0; k < per_object; ++k) {
            const int hh = static_cast<int>(rng.uniform(h_range[0], h_range[1]) * bh);
            const int hw = static_cast<int>(rng.uniform(w_range[0], w_range[1]) * bw);
            const double x = x0 + rng.uniform01() * (bw - hw), y = y0 + rng.uniform01() * (bh - hh);
            const int left = static_cast<int>(x), top = static_cast<int>(y);
            const cv::Rect hole = cv::Rect(left, top, static_cast<int>(x + hw) - left, static_cast<int>(y + hh) - top) & canvas;
            if (!hole.empty()) holes.push_back(hole);
        }
    }
    return holes;
}

Holes constrained_holes(const Params& p, Random& rng, const Sample& s) {
    const auto counts = p.range("num_holes_range");
    const int per_object = static_cast<int>(rng.randint(static_cast<int64_t>(counts[0]), static_cast<int64_t>(counts[1])));
    rng.note("num_holes_range", per_object);
    if (!p.is_none("mask_indices") && !s.mask_planes.empty())
        return holes_in_regions(chosen_pixels(s.mask_planes[0], p.numbers("mask_indices")), per_object, p, rng);
    if (!p.is_none("bbox_labels") && s.rows.has_boxes) return holes_in_boxes(s, per_object, p, rng);
    return {};
}

}  // namespace

void register_constrained_coarse_dropout(Registry& r) {
    TransformDecl d = dropout::dropout_transform(
        "ConstrainedCoarseDropout",
        {range_param("num_holes_range", Json::array({1, 1})).between(1, std::nullopt).whole(),
         range_param("hole_height_range", Json::array({0.1, 0.1})).between(0.0, 1.0),
         range_param("hole_width_range", Json::array({0.1, 0.1})).between(0.0, 1.0)},
        constrained_holes, 0, 0.5,
        {integers_param("mask_indices", nullptr).between(1, std::nullopt), labels_param("bbox_labels")});
    r.add(std::move(d));
}

}  // namespace instaug
