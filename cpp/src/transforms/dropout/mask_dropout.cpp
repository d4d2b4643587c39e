// MaskDropout: whole objects removed - filled in the image, fill_mask in the masks. The objects are
// the connected regions of equal value of the plain mask (mask=, as the reference), or, when the
// call binds instance masks, the instances themselves: the chosen rows die whole, and the others
// lose the pixels the removed objects covered.
#include <algorithm>
#include <set>

#include <opencv2/imgproc.hpp>

#include "core/distinct_indices.hpp"
#include "transforms/dropout/dropout_common.hpp"

namespace instaug {
namespace {

// One CV_8U plane (0 / 1) per 8-connected region of equal non-zero value of the first channel.
std::vector<cv::Mat> mask_regions(const cv::Mat& plane) {
    const cv::Mat values = dropout::first_channel_values(plane);
    std::set<double> distinct;
    for (int y = 0; y < values.rows; ++y)
        for (int x = 0; x < values.cols; ++x)
            if (const double v = values.at<double>(y, x); v != 0) distinct.insert(v);
    std::vector<cv::Mat> regions;
    for (double v : distinct) {
        cv::Mat labels;
        const int count = cv::connectedComponents(values == v, labels, 8, CV_32S);
        for (int l = 1; l < count; ++l) regions.push_back((labels == l) / 255);
    }
    return regions;
}

// The reference's inpainting radius: half the removed area's larger side, within [1, 3].
int inpaint_radius(const cv::Mat& dropped) {
    const cv::Rect r = cv::boundingRect(dropped);
    return std::max(1, std::min(3, std::max(r.width, r.height) / 2));
}

// Sets to 1 the pixels of `plane` (CV_8U, the canvas) where the tile is non-zero (any element size).
void mark_object(const MaskTile& tile, cv::Mat& plane) {
    const cv::Rect inside = tile.rect() & cv::Rect(0, 0, plane.cols, plane.rows);
    const int bytes = static_cast<int>(tile.data.elemSize());
    for (int y = inside.y; y < inside.y + inside.height; ++y) {
        const uint8_t* row = tile.data.ptr<uint8_t>(y - tile.y0);
        for (int x = inside.x; x < inside.x + inside.width; ++x)
            if (element_nonzero(row + static_cast<std::size_t>(x - tile.x0) * bytes, bytes)) plane.at<uint8_t>(y, x) = 1;
    }
}

// The instance rows with a mask pixel on the canvas: the objects when instance masks are bound.
std::vector<std::size_t> rows_with_pixels(const Sample& s) {
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < s.rows.size(); ++r)
        if (!s.rows.masks[r].empty()) rows.push_back(r);
    return rows;
}

MaskedHoles mask_dropout(const Params& p, Random& rng, const Sample& s) {
    const bool instances = s.mask_planes.empty() && s.rows.has_masks;
    if (s.mask_planes.empty() && !instances) return {};
    const std::vector<cv::Mat> regions = instances ? std::vector<cv::Mat>{} : mask_regions(s.mask_planes[0]);
    const std::vector<std::size_t> objects = instances ? rows_with_pixels(s) : std::vector<std::size_t>(regions.size());
    if (objects.empty()) return {};
    const auto counts = p.range("max_objects_range");
    const std::size_t k = std::min<std::size_t>(
        objects.size(), static_cast<std::size_t>(rng.randint(static_cast<int64_t>(counts[0]), static_cast<int64_t>(counts[1]))));
    rng.note("max_objects_range", static_cast<int64_t>(k));
    MaskedHoles out{{cv::Rect(0, 0, s.width, s.height)}, cv::Mat::zeros(s.height, s.width, CV_8U)};
    for (std::size_t i : distinct_indices(objects.size(), k, rng)) {
        if (!instances) {
            out.within |= regions[i];
            continue;
        }
        mark_object(s.rows.masks[objects[i]], out.within);
        out.removed_rows.push_back(objects[i]);
    }
    out.within = out.within != 0;
    out.inpaint_radius = inpaint_radius(out.within);
    return out;
}

}  // namespace

void register_mask_dropout(Registry& r) {
    TransformDecl d = declare(
        "MaskDropout", TransformKind::Dropout,
        {range_param("max_objects_range", Json::array({1, 1})).between(1, std::nullopt).whole(),
         named_fill_param("fill", 0, Json::array({"inpaint_telea", "inpaint_ns", "grayscale"})).single_number(),
         number_param("fill_mask", 0), probability_param(0.5)});
    d.masked_holes = mask_dropout;
    r.add(std::move(d));
}

}  // namespace instaug
