// What the dropout family shares: its fill arguments and their declaration.
#pragma once
#include <string>
#include <vector>

#include "transforms/registry.hpp"

namespace instaug {
namespace dropout {

// A Dropout transform's declaration: its own parameters, then fill (default `fill`), fill_mask
// (None: masks keep their values) and p, as the reference's BaseDropout, then `after`; `holes` says
// where it cuts.
TransformDecl dropout_transform(const std::string& name, std::vector<ParamDecl> params, HoleSampler holes,
                                Json fill = 0, double p = 0.5, std::vector<ParamDecl> after = {});

// The first channel of a mask plane as CV_64FC1 (64-bit integer masks, 8 opaque bytes per
// channel, read as int64).
cv::Mat first_channel_values(const cv::Mat& plane);

// A draw of `count` whole numbers in [low, high] (inclusive).
std::vector<int> integers(Random& rng, int64_t low, int64_t high, int count);

}  // namespace dropout
}  // namespace instaug
