// OverlayElements: elements the call gives under metadata_key (an image each, with an optional
// normalised box, mask and mask_id) pasted onto the image where their mask is on; the plain mask
// takes mask_id there. As the reference, instance rows and boxes are left alone.
#include <cmath>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "core/pixel_drops.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

struct Placed {
    cv::Mat image, mask;  // the element at its pasted size; mask CV_8U, non-zero where it shows
    cv::Point at;
};

// Inside the box the element names (its normalised edges truncated to pixels, as the reference),
// the element resized to it: area-averaged, its mask by nearest neighbour.
Placed in_its_box(const MixItem& e, const Sample& s) {
    const auto& b = e.boxes.front();
    const int x0 = static_cast<int>(b[0] * s.width), y0 = static_cast<int>(b[1] * s.height);
    const int x1 = static_cast<int>(b[2] * s.width), y1 = static_cast<int>(b[3] * s.height);
    if (x1 <= x0 || y1 <= y0)
        throw std::invalid_argument("OverlayElements: " + e.where + "['bbox'] covers no whole pixel of the " +
                                    std::to_string(s.width) + "x" + std::to_string(s.height) + " image");
    const cv::Size size(x1 - x0, y1 - y0);
    Placed out{cv::Mat(), cv::Mat(), cv::Point(x0, y0)};
    cv::resize(e.image, out.image, size, 0, 0, cv::INTER_AREA);
    if (e.semantic_mask.empty()) out.mask = cv::Mat::ones(size, CV_8U);
    else cv::resize(e.semantic_mask, out.mask, size, 0, 0, cv::INTER_NEAREST);
    return out;
}

// Without a box: at a random place, shrunk to the image first when larger than it.
Placed anywhere(const MixItem& e, const Sample& s, Random& rng) {
    Placed out{e.image, e.semantic_mask, cv::Point()};
    if (out.mask.empty()) out.mask = cv::Mat::ones(out.image.size(), CV_8U);
    if (s.height < e.image.rows || s.width < e.image.cols) {
        // The reference shrinks the image alone and then fails on its mask; the mask follows here.
        cv::resize(e.image, out.image, cv::Size(s.width, s.height), 0, 0, cv::INTER_AREA);
        cv::resize(out.mask, out.mask, out.image.size(), 0, 0, cv::INTER_NEAREST);
    }
    out.at.x = static_cast<int>(rng.randint(0, s.width - out.image.cols));
    out.at.y = static_cast<int>(rng.randint(0, s.height - out.image.rows));
    return out;
}

void check_element(const MixItem& e, const Sample& s) {
    if (!s.image.empty() && e.image.type() != s.image.type())
        throw std::invalid_argument("OverlayElements: " + e.where + "['image'] must have the image's dtype and " +
                                    std::to_string(s.image.channels()) + " channel(s)");
}

void overlay(Sample& s, const Params&, Random& rng, const std::vector<MixItem>& elements, const BboxRules&) {
    for (const MixItem& e : elements) check_element(e, s);
    if (!s.image.empty() && !elements.empty()) s.image = s.image.clone();  // the caller's array stays as it was
    for (const MixItem& e : elements) {
        const Placed placed = e.boxes.empty() ? anywhere(e, s, rng) : in_its_box(e, s);
        const cv::Rect where = cv::Rect(placed.at, placed.image.size()) & cv::Rect(0, 0, s.width, s.height);
        if (where.empty()) continue;
        const cv::Rect local = where - placed.at;
        const cv::Mat shows = placed.mask(local) != 0;
        if (!s.image.empty()) placed.image(local).copyTo(s.image(where), shows);
        if (std::isnan(e.mask_value) || s.mask_planes.empty()) continue;
        cv::Mat drops = cv::Mat::zeros(s.height, s.width, CV_8U);
        drops(where).setTo(1, shows);
        for (cv::Mat& plane : s.mask_planes) plane = drop_mask_pixels(plane, drops, {e.mask_value});
    }
}

}  // namespace

void register_overlay_elements(Registry& r) {
    TransformDecl d = declare("OverlayElements", TransformKind::Mixing,
                              {text_param("metadata_key", "overlay_metadata"), probability_param(0.5)});
    d.mix = overlay;
    d.mix_items = MixItemForm::Element;
    r.add(std::move(d));
}

}  // namespace instaug
