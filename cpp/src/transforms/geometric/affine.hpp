// Affine's sampler, for the transforms that are special cases of it (ShiftScaleRotate).
#pragma once
#include <vector>

#include "core/geometric_step.hpp"
#include "core/random.hpp"
#include "transforms/params.hpp"

namespace instaug {

// The step of one Affine draw from its validated arguments (Affine's schema).
std::vector<GeometricStep> affine_steps(const Params& params, Random& rng, int width, int height);

}  // namespace instaug
