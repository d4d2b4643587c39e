// RandomCropNearBBox: a window around a box the call gives (cropping_bbox=, in pixels), each side
// moved by a random whole number of pixels up to a fraction of the box's height (max_part_shift[0])
// or width ([1]), as the reference draws it.
#include <algorithm>
#include <cmath>

#include "transforms/registry.hpp"

namespace instaug {
namespace {

struct Window {
    int64_t x0, y0, x1, y1;
};

// The reference's _clip_bbox: the start inside the canvas, the end between the start and the side.
Window clipped(Window w, int width, int height) {
    w.x0 = std::clamp<int64_t>(w.x0, 0, width);
    w.y0 = std::clamp<int64_t>(w.y0, 0, height);
    w.x1 = std::clamp<int64_t>(w.x1, w.x0, width);
    w.y1 = std::clamp<int64_t>(w.y1, w.y0, height);
    return w;
}

// The caller's box in whole pixels: a fractional one grows to the pixels it touches (the reference
// slices with its numbers and so takes only whole ones).
Window given_box(const Sample& s, const std::string& key) {
    const std::vector<double>& box = call_box(s, key, "RandomCropNearBBox");
    constexpr double kLimit = 1e9;  // beyond any canvas; keeps the casts defined
    const auto whole = [&](double v, bool up) {
        return static_cast<int64_t>(std::clamp(up ? std::ceil(v) : std::floor(v), -kLimit, kLimit));
    };
    return {whole(box[0], false), whole(box[1], false), whole(box[2], true), whole(box[3], true)};
}

// Python's round() of a non-negative value: halves to even.
int64_t round_half_even(double v) { return static_cast<int64_t>(std::nearbyint(v)); }

std::vector<GeometricStep> crop_near_box(const Params& params, Random& rng, const Sample& s) {
    const Window box = clipped(given_box(s, params.text("cropping_bbox_key")), s.width, s.height);
    const auto shift = params.range("max_part_shift");
    const int64_t h_shift = round_half_even(static_cast<double>(box.y1 - box.y0) * shift[0]);
    const int64_t w_shift = round_half_even(static_cast<double>(box.x1 - box.x0) * shift[1]);
    Window w{box.x0 - rng.randint(-w_shift, w_shift), 0, box.x1 + rng.randint(-w_shift, w_shift), 0};
    w.y0 = box.y0 - rng.randint(-h_shift, h_shift);
    w.y1 = box.y1 + rng.randint(-h_shift, h_shift);
    w = clipped(w, s.width, s.height);
    if (w.x0 == w.x1 || w.y0 == w.y1) {
        // The reference's fallback: a centred window of the box's size (at least one pixel here).
        const int64_t ch = std::max<int64_t>(box.y1 - box.y0, 1), cw = std::max<int64_t>(box.x1 - box.x0, 1);
        w = {(s.width - cw) / 2, (s.height - ch) / 2, 0, 0};
        w.x1 = w.x0 + cw;
        w.y1 = w.y0 + ch;
    }
    return {make_crop_step(s.width, s.height, static_cast<int>(w.x0), static_cast<int>(w.y0),
                           static_cast<int>(w.x1 - w.x0), static_cast<int>(w.y1 - w.y0))};
}

}  // namespace

void register_random_crop_near_bbox(Registry& r) {
    TransformDecl d = declare("RandomCropNearBBox", TransformKind::Geometric,
                              {range_param("max_part_shift", Json::array({0.0, 0.3})).between(0, 1),
                               text_param("cropping_bbox_key", "cropping_bbox"), probability_param(1.0)});
    d.sample_steps = crop_near_box;
    r.add(std::move(d));
}

}  // namespace instaug
