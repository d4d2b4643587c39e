// ShiftScaleRotate: the reference's special case of Affine - a shift as a fraction of the side, one
// scale factor for both axes given as an offset from 1, a rotation, no shear. It runs Affine's
// sampler and reports its draws under its own argument names.
#include <stdexcept>

#include "transforms/geometric/affine.hpp"
#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

const Json kNoShear{{"x", Json::array({0.0, 0.0})}, {"y", Json::array({0.0, 0.0})}};

// The arguments of the Affine it is, in Affine's normal form.
Json affine_arguments(const Params& p) {
    auto shift = [&](const char* axis) { return p.is_none(axis) ? p.at("shift_range") : p.at(axis); };
    const auto s = p.range("scale_range");
    const Json scale = Json::array({1.0 + s[0], 1.0 + s[1]});
    return {{"scale", {{"x", scale}, {"y", scale}}},
            {"translate_percent", {{"x", shift("shift_range_x")}, {"y", shift("shift_range_y")}}},
            {"translate_px", nullptr},
            {"rotate", p.at("rotate_range")},
            {"shear", kNoShear},
            {"interpolation", p.at("interpolation")},
            {"mask_interpolation", p.at("mask_interpolation")},
            {"fit_output", false},
            {"keep_ratio", true},
            {"rotate_method", p.at("rotate_method")},
            {"balanced_scale", false},
            {"border_mode", p.at("border_mode")},
            {"fill", p.at("fill")},
            {"fill_mask", p.at("fill_mask")},
            {"p", p.at("p")}};
}

std::vector<GeometricStep> shift_scale_rotate(const Params& params, Random& rng, int width, int height) {
    Json* outer = rng.notes();
    Json drawn;
    rng.collect_notes(outer ? &drawn : nullptr);
    std::vector<GeometricStep> steps = affine_steps(Params(affine_arguments(params)), rng, width, height);
    rng.collect_notes(outer);
    if (outer) {
        rng.note("shift_range_x", drawn["translate_percent"]["x"]);
        rng.note("shift_range_y", drawn["translate_percent"]["y"]);
        rng.note("scale_range", drawn["scale"]["x"].get<double>() - 1.0);
        rng.note("rotate_range", drawn["rotate"]);
    }
    return steps;
}

}  // namespace

void register_shift_scale_rotate(Registry& r) {
    TransformDecl d = declare(
        "ShiftScaleRotate", TransformKind::Geometric,
        {range_param("shift_range", Json::array({-0.0625, 0.0625})).between(-1.0, 1.0).in("fraction of the side"),
         range_param("scale_range", Json::array({-0.1, 0.1})).between(-1.0 + 1e-6, std::nullopt).in("factor - 1"),
         range_param("rotate_range", Json::array({-45, 45})).in("degrees"), interpolation_param("interpolation", kLinear),
         border_mode_param(kBorderConstant),
         range_param("shift_range_x", nullptr).between(-1.0, 1.0).in("fraction of the width"),
         range_param("shift_range_y", nullptr).between(-1.0, 1.0).in("fraction of the height"),
         choice_param("rotate_method", "largest_box", rotate_methods()), interpolation_param("mask_interpolation", kNearest),
         fill_param("fill", 0), fill_param("fill_mask", 0), probability_param(0.5)});
    d.steps = shift_scale_rotate;
    r.add(std::move(d));
}

}  // namespace instaug
