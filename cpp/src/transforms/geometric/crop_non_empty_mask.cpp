// CropNonEmptyMaskIfExists: a window of a fixed size around a drawn mask pixel (a random window
// when the masks are empty). The masks read are the plain mask planes when the call has them, else
// the instance masks, as the reference reads `mask` before `masks`.
#include <stdexcept>

#include <opencv2/core.hpp>

#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// Where a mask counts (CV_8U, 255): any kept channel non-zero and not one of ignore_values. Channels
// are ignored only in a multi-channel mask, as the reference.
cv::Mat counted_pixels(const cv::Mat& mask, const Params& params) {
    std::vector<int64_t> ignored_channels;
    if (mask.channels() > 1 && !params.is_none("ignore_channels"))
        for (double c : params.numbers("ignore_channels")) ignored_channels.push_back(static_cast<int64_t>(c));
    cv::Mat out = cv::Mat::zeros(mask.size(), CV_8U);
    for (int c = 0; c < mask.channels(); ++c) {
        if (std::find(ignored_channels.begin(), ignored_channels.end(), c) != ignored_channels.end()) continue;
        cv::Mat channel;
        cv::extractChannel(mask, channel, c);
        cv::Mat counted = channel != 0;
        if (!params.is_none("ignore_values"))
            for (double v : params.numbers("ignore_values")) counted &= channel != v;
        out |= counted;
    }
    return out;
}

// The union of what counts; false when the sample has no mask at all.
bool mask_union(const Sample& s, const Params& params, cv::Mat& out) {
    out = cv::Mat::zeros(s.height, s.width, CV_8U);
    if (!s.mask_planes.empty()) {
        for (const cv::Mat& plane : s.mask_planes) out |= counted_pixels(plane, params);
        return true;
    }
    if (!s.rows.has_masks) return false;
    const cv::Rect canvas(0, 0, s.width, s.height);
    for (const MaskTile& tile : s.rows.masks) {
        if (tile.empty()) continue;
        const cv::Rect inside = tile.rect() & canvas;
        if (inside.empty()) continue;
        const cv::Rect local = inside - tile.rect().tl();
        out(inside) |= counted_pixels(tile.data(local), params);
    }
    return true;
}

std::vector<GeometricStep> crop_non_empty(const Params& params, Random& rng, const Sample& s) {
    const int crop_h = params.integer32("height"), crop_w = params.integer32("width");
    cv::Mat counted;
    if (!mask_union(s, params, counted))
        throw std::invalid_argument("CropNonEmptyMaskIfExists: the call has no mask (mask=, masks= or instance masks)");
    if (crop_h > s.height || crop_w > s.width)
        throw std::invalid_argument("CropNonEmptyMaskIfExists: crop size (height, width)=(" + std::to_string(crop_h) +
                                    ", " + std::to_string(crop_w) + ") is larger than the image (" +
                                    std::to_string(s.height) + ", " + std::to_string(s.width) + ")");
    std::vector<cv::Point> points;
    if (cv::countNonZero(counted) > 0) cv::findNonZero(counted, points);
    int x0, y0;
    if (!points.empty()) {
        const cv::Point p = points[static_cast<std::size_t>(rng.randint(0, static_cast<int64_t>(points.size()) - 1))];
        x0 = std::clamp(p.x - static_cast<int>(rng.randint(0, crop_w - 1)), 0, s.width - crop_w);
        y0 = std::clamp(p.y - static_cast<int>(rng.randint(0, crop_h - 1)), 0, s.height - crop_h);
    } else {
        x0 = static_cast<int>(rng.randint(0, s.width - crop_w));
        y0 = static_cast<int>(rng.randint(0, s.height - crop_h));
    }
    return {make_crop_step(s.width, s.height, x0, y0, crop_w, crop_h)};
}

}  // namespace

void register_crop_non_empty_mask(Registry& r) {
    TransformDecl d = declare("CropNonEmptyMaskIfExists", TransformKind::Geometric,
                              {integer_param("height", nullptr).needed().between(1, kMaxCoordinate),
                               integer_param("width", nullptr).needed().between(1, kMaxCoordinate),
                               integers_param("ignore_values", nullptr).empty_allowed(),
                               integers_param("ignore_channels", nullptr).empty_allowed(),
                               probability_param(1.0)});
    d.sample_steps = crop_non_empty;
    r.add(std::move(d));
}

}  // namespace instaug
