// Pad: a fixed number of pixels on each side.
#include <stdexcept>

#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// The reference's reading of padding: one number for all sides, (x, y), or (left, top, right, bottom).
Padding fixed_padding(const Json& padding) {
    if (!padding.is_array()) {
        const int v = padding.get<int>();
        return {v, v, v, v};
    }
    if (padding.size() == 2) {
        const int x = padding[0].get<int>(), y = padding[1].get<int>();
        return {y, y, x, x};
    }
    return {padding[1].get<int>(), padding[3].get<int>(), padding[0].get<int>(), padding[2].get<int>()};
}

std::vector<GeometricStep> pad(const Params& params, Random&, int width, int height) {
    const Padding p = fixed_padding(params.at("padding"));
    if (!p.any()) return {};
    return {make_pad_step(width, height, p.top, p.bottom, p.left, p.right, pixel_options(params))};
}

}  // namespace

void register_pad(Registry& r) {
    TransformDecl d = declare("Pad", TransformKind::Geometric,
                              {sides_param("padding", 0).between(0, kMaxSide), fill_param("fill", 0),
                               fill_param("fill_mask", 0), border_mode_param(kBorderConstant), probability_param(1.0)});
    d.steps = pad;
    r.add(std::move(d));
}

}  // namespace instaug
