// RandomScale: resize by a random factor 1 + s, s drawn from scale_range (one draw for both axes,
// or one per axis when scale_range is {"x": range, "y": range}).
#include <cmath>
#include <stdexcept>

#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

std::vector<GeometricStep> random_scale(const Params& params, Random& rng, int width, int height) {
    const bool per_axis = params.at("scale_range").is_object();
    const auto x = params.axis_range("scale_range", "x"), y = params.axis_range("scale_range", "y");
    const double scale_x = rng.uniform(x[0], x[1]) + 1.0;
    const double scale_y = per_axis ? rng.uniform(y[0], y[1]) + 1.0 : scale_x;
    rng.note("scale_range", per_axis ? Json{{"x", scale_x - 1.0}, {"y", scale_y - 1.0}} : Json(scale_x - 1.0));
    // Whole pixels as the reference's scale_xy: truncated, at least 1.
    const double out_w = std::max(1.0, std::floor(width * scale_x)), out_h = std::max(1.0, std::floor(height * scale_y));
    check_canvas_size("RandomScale", width, height, out_w, out_h);
    const int w = static_cast<int>(out_w), h = static_cast<int>(out_h);
    return {make_resize_step(width, height, w, h, resize_options(params, width, height, w, h))};
}

void check_random_scale(const std::string& owner, const Params& p) {
    for (const char* axis : {"x", "y"})
        if (p.axis_range("scale_range", axis)[0] <= -1)
            throw std::invalid_argument(owner + ": scale_range low must be > -1 to avoid non-positive dimensions, got " +
                                        python_repr(p.at("scale_range")));
}

}  // namespace

void register_random_scale(Registry& r) {
    TransformDecl d;
    d.name = "RandomScale";
    d.kind = TransformKind::Geometric;
    d.params = {axis_range_param("scale_range", Json::array({-0.1, 0.1}))
                    .single_range_kept()
                    .in("factor - 1"),
                interpolation_param("interpolation", kLinear), interpolation_param("mask_interpolation", kNearest),
                area_for_downscale_param(), probability_param(0.5)};
    d.check = check_random_scale;
    d.steps = random_scale;
    r.add(std::move(d));
}

}  // namespace instaug
