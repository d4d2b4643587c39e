// Transpose, RandomRotate90, D4 and SquareSymmetry: the symmetries of the square, as exact pixel
// permutations (flips and the transpose, no resampling) of the image, masks, boxes and keypoints.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "transforms/registry.hpp"

namespace instaug {
namespace {

const Json kRotations = Json::array({"e", "r90", "r180", "r270"});
const Json kSymmetries = Json::array({"e", "r90", "r180", "r270", "v", "hvt", "h", "t"});

// The reference's group elements as steps: rotations counterclockwise (np.rot90), "hvt" the
// reflection over the anti-diagonal.
std::vector<GeometricStep> element_steps(const std::string& element, int width, int height) {
    std::vector<GeometricStep> steps;
    auto add = [&](char step) {
        const GeometricStep s = step == 't' ? make_transpose_step(width, height) : make_flip_step(width, height, step == 'h');
        width = s.out_width;
        height = s.out_height;
        steps.push_back(s);
    };
    const std::string sequence = element == "r90"    ? "tv"
                                 : element == "r180" ? "hv"
                                 : element == "r270" ? "th"
                                 : element == "hvt"  ? "hvt"
                                 : element == "e"    ? ""
                                                     : element;  // "h", "v", "t"
    for (char step : sequence) add(step);
    return steps;
}

// The element to apply: the one given, else one drawn uniformly from `pool` (noted as the
// reference reports it: the drawn element, with no pool left).
std::vector<GeometricStep> symmetry(const Params& params, const Json& pool, Random& rng, int width, int height) {
    std::string element;
    if (!params.is_none("group_element")) {
        element = params.text("group_element");
    } else {
        element = pool[static_cast<std::size_t>(rng.randint(0, static_cast<int64_t>(pool.size()) - 1))];
        rng.note("group_element", element);
        if (params.has("group_elements")) rng.note("group_elements", nullptr);
    }
    return element_steps(element, width, height);
}

ParamDecl element_param(const Json& choices) {
    Json allowed = choices;
    allowed.push_back(nullptr);
    return choice_param("group_element", nullptr, allowed);
}

void check_rotate90(const std::string& owner, const Params& p) {
    if (p.is_none("group_elements")) return;
    const Json& pool = p.at("group_elements");
    if (!p.is_none("group_element"))
        throw std::invalid_argument(owner + ": group_element and group_elements are mutually exclusive");
    if (pool.empty()) throw std::invalid_argument(owner + ": group_elements must be a non-empty subset of " + python_repr(kRotations));
    for (std::size_t i = 0; i < pool.size(); ++i) {
        if (std::find(kRotations.begin(), kRotations.end(), pool[i]) == kRotations.end())
            throw std::invalid_argument(owner + ": group_elements must hold elements of " + python_repr(kRotations) +
                                        ", got " + python_repr(pool));
        for (std::size_t j = 0; j < i; ++j)
            if (pool[j] == pool[i])
                throw std::invalid_argument(owner + ": group_elements must not contain duplicate elements, got " +
                                            python_repr(pool));
    }
}

}  // namespace

void register_symmetries(Registry& r) {
    TransformDecl transpose = declare("Transpose", TransformKind::Geometric, {probability_param(0.5)});
    transpose.steps = [](const Params&, Random&, int w, int h) { return std::vector<GeometricStep>{make_transpose_step(w, h)}; };
    r.add(std::move(transpose));

    TransformDecl rotate90 = declare("RandomRotate90", TransformKind::Geometric,
                                     {probability_param(1.0), element_param(kRotations), names_param("group_elements")});
    rotate90.check = check_rotate90;
    rotate90.steps = [](const Params& params, Random& rng, int w, int h) {
        const Json pool = params.is_none("group_elements") ? kRotations : params.at("group_elements");
        return symmetry(params, pool, rng, w, h);
    };
    r.add(std::move(rotate90));

    // SquareSymmetry is the reference's name of D4 for square images; both take any image.
    for (const char* name : {"D4", "SquareSymmetry"}) {
        TransformDecl d = declare(name, TransformKind::Geometric, {probability_param(1.0), element_param(kSymmetries)});
        d.steps = [](const Params& params, Random& rng, int w, int h) { return symmetry(params, kSymmetries, rng, w, h); };
        r.add(std::move(d));
    }
}

}  // namespace instaug
