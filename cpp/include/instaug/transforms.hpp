// Parameter sampling: turns a transform description into the geometric steps for one sample.
#pragma once
#include <vector>

#include "instaug/geometric_step.hpp"
#include "instaug/random.hpp"
#include "instaug/transform_spec.hpp"

namespace instaug {

// Throws std::invalid_argument naming the argument when the sample cannot take the transform
// (a crop larger than the image without pad_if_needed, for example).
std::vector<GeometricStep> sample_transform_steps(const TransformSpec& spec, Random& rng, int width, int height);

// True when `name` is a transform this build knows.
bool is_known_transform(const std::string& name);

}  // namespace instaug
