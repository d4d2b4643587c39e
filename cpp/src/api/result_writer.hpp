// The core's sample after a call, written out as the C++ caller's Result.
#pragma once
#include "api/call_reader.hpp"
#include "api/compose_config.hpp"
#include "instaug/sample.hpp"

namespace instaug {

Result write_result(CallData& call, const Input& input, const ComposeConfig& config);

// The call's map from its input image to its output (the Python binding hands it over too).
Geometry geometry_of(const Sample& sample);

}  // namespace instaug
