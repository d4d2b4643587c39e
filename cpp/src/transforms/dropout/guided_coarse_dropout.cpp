// GuidedCoarseDropout: holes centred on pixels of a region the call gives (region_key=, (H, W),
// non-zero where dropout may act), away from the boxes of protected rows (by first label, grown by
// protection_margin of their sides); only the region's pixels in a hole drop.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "transforms/dropout/dropout_common.hpp"

namespace instaug {
namespace {

cv::Mat given_region(const Params& p, const Sample& s) {
    const std::string& key = p.text("region_key");
    const cv::Mat& region = call_region(s, key, "GuidedCoarseDropout");
    if (region.cols != s.width || region.rows != s.height)
        throw std::invalid_argument("GuidedCoarseDropout: " + key + " is " + std::to_string(region.rows) + "x" +
                                    std::to_string(region.cols) + " (H x W), the image is now " +
                                    std::to_string(s.height) + "x" + std::to_string(s.width) +
                                    ": the region must be aligned with the image (place the transform before "
                                    "transforms that change its size)");
    return region != 0;
}

// The region less the protected rows' boxes, each grown by the margin (whole pixels outward).
cv::Mat eligible_pixels(const Params& p, const Sample& s) {
    cv::Mat eligible = given_region(p, s);
    if (p.is_none("protected_bbox_labels") || !s.rows.has_boxes) return eligible;
    const Json& labels = p.at("protected_bbox_labels");
    const double margin = p.number("protection_margin");
    for (std::size_t r = 0; r < s.rows.size(); ++r) {
        if (!row_label_in(s, s.rows.source_ids[r], labels)) continue;
        const auto& b = s.rows.boxes[r];
        const double x1 = reference_pixels(b[0], s.width), y1 = reference_pixels(b[1], s.height);
        const double x2 = reference_pixels(b[2], s.width), y2 = reference_pixels(b[3], s.height);
        const double mx = margin * (x2 - x1), my = margin * (y2 - y1);
        constexpr double kFar = 1e9;  // keeps the casts defined for boxes far off the canvas
        const int left = static_cast<int>(std::clamp(std::floor(x1 - mx), 0.0, kFar));
        const int top = static_cast<int>(std::clamp(std::floor(y1 - my), 0.0, kFar));
        const int right = static_cast<int>(std::clamp(std::ceil(x2 + mx), -kFar, static_cast<double>(s.width)));
        const int bottom = static_cast<int>(std::clamp(std::ceil(y2 + my), -kFar, static_cast<double>(s.height)));
        if (right > left && bottom > top) eligible(cv::Rect(left, top, right - left, bottom - top)).setTo(0);
    }
    return eligible;
}

MaskedHoles guided_holes(const Params& p, Random& rng, const Sample& s) {
    MaskedHoles out{{}, eligible_pixels(p, s)};
    std::vector<cv::Point> centres;
    if (cv::countNonZero(out.within) == 0) return out;
    cv::findNonZero(out.within, centres);  // row by row, as NumPy's nonzero
    const auto counts = p.range("num_holes_range");
    const int n = static_cast<int>(rng.randint(static_cast<int64_t>(counts[0]), static_cast<int64_t>(counts[1])));
    const auto h_range = p.range("hole_height_range"), w_range = p.range("hole_width_range");
    for (int i = 0; i < n; ++i) {
        const cv::Point c = centres[static_cast<std::size_t>(rng.randint(0, static_cast<int64_t>(centres.size()) - 1))];
        const int h = std::max(1, static_cast<int>(s.height * rng.uniform(h_range[0], h_range[1])));
        const int w = std::max(1, static_cast<int>(s.width * rng.uniform(w_range[0], w_range[1])));
        const int left = std::clamp(c.x - w / 2, 0, s.width), top = std::clamp(c.y - h / 2, 0, s.height);
        const int right = std::clamp(left + w, 0, s.width), bottom = std::clamp(top + h, 0, s.height);
        if (right > left && bottom > top) out.holes.emplace_back(left, top, right - left, bottom - top);
    }
    return out;
}

}  // namespace

void register_guided_coarse_dropout(Registry& r) {
    TransformDecl d = dropout::dropout_transform(
        "GuidedCoarseDropout",
        {text_param("region_key", "dropout_region"), labels_param("protected_bbox_labels"),
         number_param("protection_margin", 0.0).between(0.0, std::nullopt),
         range_param("num_holes_range", Json::array({1, 1})).between(1, std::nullopt).whole(),
         range_param("hole_height_range", Json::array({0.05, 0.2})).between(0.0, 1.0),
         range_param("hole_width_range", Json::array({0.05, 0.2})).between(0.0, 1.0)},
        nullptr);
    d.masked_holes = guided_holes;
    r.add(std::move(d));
}

}  // namespace instaug
