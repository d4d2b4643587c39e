#include "transforms/dropout/dropout_common.hpp"

#include <stdexcept>

namespace instaug {
namespace dropout {

TransformDecl dropout_transform(const std::string& name, std::vector<ParamDecl> params, HoleSampler holes,
                                Json fill, double p) {
    params.push_back(named_fill_param("fill", std::move(fill),
                                      Json::array({"random", "random_uniform", "inpaint_telea", "inpaint_ns",
                                                   "grayscale"})));
    params.push_back(optional_fill_param("fill_mask"));
    params.push_back(probability_param(p));
    TransformDecl d = declare(name, TransformKind::Dropout, std::move(params));
    d.holes = std::move(holes);
    d.check = [](const std::string& owner, const Params& p) {
        if (p.at("fill") == "grayscale" && !p.is_none("fill_mask"))
            throw std::invalid_argument(owner + ": fill_mask must be None when fill='grayscale'");
    };
    return d;
}

std::vector<int> integers(Random& rng, int64_t low, int64_t high, int count) {
    std::vector<int> out(count);
    for (int& v : out) v = static_cast<int>(rng.randint(low, high));
    return out;
}

}  // namespace dropout
}  // namespace instaug
