// A pipeline file's Compose read into what a C++ Compose runs: the core pipeline, the box and
// keypoint formats and rules, and the output choices - with the facade's checks and messages.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "api/coordinate_formats.hpp"
#include "api/input_boxes.hpp"
#include "core/pipeline.hpp"
#include "transforms/params.hpp"

namespace instaug {

struct BoxParams {
    BoxInputRules input;
    BoxConfig core;
};

struct KeypointParams {
    KeypointFormat format = KeypointFormat::XY;
    bool angle_in_degrees = true;
    KeypointConfig core;
};

enum class MaskOutputForm { PerRow = 0, Stacked = 1, IndexMap = 2, CocoRle = 3 };

struct ComposeConfig {
    std::unique_ptr<Pipeline> pipeline;
    std::optional<BoxParams> boxes;
    std::optional<KeypointParams> keypoints;
    std::optional<uint64_t> seed;
    MaskOutputForm mask_output = MaskOutputForm::PerRow;
    int mask_ratio = 1;
    // additional_targets: name -> true for an image, false for a mask plane.
    std::map<std::string, bool> additional;
    // The mixing transforms' metadata keys and what their items are.
    std::map<std::string, MixItemForm> metadata_keys;
};

// `description`: the file's "transform", as read_pipeline_file returns it (a Compose, or a single
// transform, which runs as a Compose of one with p = 1).
ComposeConfig read_compose(const Json& description);

}  // namespace instaug
