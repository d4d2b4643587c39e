// HorizontalFlip and VerticalFlip: exact mirror steps.
#include "transforms/registry.hpp"

namespace instaug {

void register_flips(Registry& r) {
    for (const bool horizontal : {true, false}) {
        TransformDecl d;
        d.name = horizontal ? "HorizontalFlip" : "VerticalFlip";
        d.kind = TransformKind::Geometric;
        d.params = {probability_param(0.5)};
        d.steps = [horizontal](const Params&, Random&, int w, int h) {
            return std::vector<GeometricStep>{make_flip_step(w, h, horizontal)};
        };
        r.add(std::move(d));
    }
}

}  // namespace instaug
