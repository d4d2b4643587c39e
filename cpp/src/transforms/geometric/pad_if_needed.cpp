// PadIfNeeded: pad to a minimum size or to multiples of divisors.
#include <stdexcept>

#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

int optional_int(const Params& params, const char* name) { return params.is_none(name) ? -1 : params.integer32(name); }

std::vector<GeometricStep> pad_if_needed(const Params& params, Random& rng, int width, int height) {
    Padding pad = padding_for(height, width, optional_int(params, "min_height"), optional_int(params, "min_width"),
                              optional_int(params, "pad_height_divisor"), optional_int(params, "pad_width_divisor"));
    pad = position_padding(pad, params.text("position"), rng);
    if (!pad.any()) return {};
    return {make_pad_step(width, height, pad.top, pad.bottom, pad.left, pad.right, pixel_options(params))};
}

}  // namespace

void register_pad_if_needed(Registry& r) {
    TransformDecl d;
    d.name = "PadIfNeeded";
    d.kind = TransformKind::Geometric;
    d.params = {integer_param("min_height", 1024).or_none().between(1, kMaxSide),
                integer_param("min_width", 1024).or_none().between(1, kMaxSide),
                integer_param("pad_height_divisor", nullptr).between(1, kMaxSide),
                integer_param("pad_width_divisor", nullptr).between(1, kMaxSide),
                choice_param("position", "center", pad_positions()),
                border_mode_param(kBorderConstant),
                fill_param("fill", 0),
                fill_param("fill_mask", 0),
                probability_param(1.0)};
    d.check = [](const std::string& owner, const Params& p) {
        for (const char* axis : {"height", "width"}) {
            const std::string min = std::string("min_") + axis, divisor = std::string("pad_") + axis + "_divisor";
            if (p.is_none(min) == p.is_none(divisor))
                throw std::invalid_argument(owner + ": exactly one of " + min + " and " + divisor + " must be set");
        }
    };
    d.steps = pad_if_needed;
    r.add(std::move(d));
}

}  // namespace instaug
