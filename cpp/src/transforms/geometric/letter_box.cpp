// LetterBox: the whole image scaled to fit `size` with its aspect ratio kept, the rest of the
// canvas filled - a detector's input. Two exact steps: a resize and a pad.
#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// OpenCV's exact variants (INTER_LINEAR_EXACT = 5, INTER_NEAREST_EXACT = 6), which the reference
// accepts here: nearest is centre-aligned in our resizes already, so 6 is our nearest; masks other
// than nearest go through the smooth path, where 5 is bilinear.
ParamDecl full_interpolation_param(const std::string& name, int fallback) {
    ParamDecl d = choice_param(name, fallback, Json::array({0, 1, 2, 3, 4, 5, 6}));
    d.flag_names = {{0, "INTER_NEAREST"},      {1, "INTER_LINEAR"}, {2, "INTER_CUBIC"},        {3, "INTER_AREA"},
                    {4, "INTER_LANCZOS4"},     {5, "INTER_LINEAR_EXACT"}, {6, "INTER_NEAREST_EXACT"}};
    return d;
}

PixelOptions letter_box_pixels(const Params& params) {
    PixelOptions o = pixel_options(params);
    o.border_mode = kBorderConstant;
    if (o.interpolation == cv::INTER_NEAREST_EXACT) o.interpolation = kNearest;
    if (o.mask_interpolation == cv::INTER_NEAREST_EXACT) o.mask_interpolation = kNearest;
    if (o.mask_interpolation == cv::INTER_LINEAR_EXACT) o.mask_interpolation = kLinear;
    return o;
}

std::vector<GeometricStep> letter_box(const Params& params, Random& rng, int width, int height) {
    const auto size = params.numbers("size");
    const int target_h = static_cast<int>(size[0]), target_w = static_cast<int>(size[1]);
    check_canvas_size("LetterBox", width, height, target_w, target_h);
    const double scale = std::min(static_cast<double>(target_h) / height, static_cast<double>(target_w) / width);
    const int new_h = std::max(1, python_round(height * scale)), new_w = std::max(1, python_round(width * scale));
    Padding pad;
    pad.top = (target_h - new_h) / 2;
    pad.bottom = target_h - new_h - pad.top;
    pad.left = (target_w - new_w) / 2;
    pad.right = target_w - new_w - pad.left;
    pad = position_padding(pad, params.text("position"), rng);
    const PixelOptions pixels = letter_box_pixels(params);
    std::vector<GeometricStep> steps;
    if (new_w != width || new_h != height) steps.push_back(make_resize_step(width, height, new_w, new_h, pixels));
    if (pad.any()) steps.push_back(make_pad_step(new_w, new_h, pad.top, pad.bottom, pad.left, pad.right, pixels));
    return steps;
}

}  // namespace

void register_letter_box(Registry& r) {
    TransformDecl d = declare("LetterBox", TransformKind::Geometric,
                              {int_pair_param("size", nullptr).needed().between(1, kMaxSide),
                               full_interpolation_param("interpolation", kLinear),
                               full_interpolation_param("mask_interpolation", kNearest),
                               fill_param("fill", 0),
                               fill_param("fill_mask", 0),
                               choice_param("position", "center", pad_positions()),
                               probability_param(1.0)});
    d.steps = letter_box;
    r.add(std::move(d));
}

}  // namespace instaug
