// HorizontalFlip and VerticalFlip: exact mirror steps; TimeReverse, the reference's spectrogram
// name for HorizontalFlip.
#include <string>

#include "transforms/registry.hpp"

namespace instaug {

void register_flips(Registry& r) {
    for (const char* name : {"HorizontalFlip", "VerticalFlip", "TimeReverse"}) {
        const bool horizontal = std::string(name) != "VerticalFlip";
        TransformDecl d;
        d.name = name;
        d.kind = TransformKind::Geometric;
        d.params = {probability_param(0.5)};
        d.steps = [horizontal](const Params&, Random&, int w, int h) {
            return std::vector<GeometricStep>{make_flip_step(w, h, horizontal)};
        };
        r.add(std::move(d));
    }
}

}  // namespace instaug
