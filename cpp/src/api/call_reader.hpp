// A C++ caller's Input checked and turned into the core's Sample and mixing items, with the
// facade's rules: every error is std::invalid_argument naming the argument and what was expected,
// so that nothing the core reads later lies outside memory the caller gave.
#pragma once
#include <vector>

#include "api/compose_config.hpp"
#include "core/mix_item.hpp"
#include "core/sample.hpp"
#include "instaug/sample.hpp"

namespace instaug {

// Where each source id of a call's rows came from (the call's rows first, then each item's).
struct RowOrigins {
    std::vector<RowSource> sources;
};

struct CallData {
    Sample sample;
    Metadata items;
    RowOrigins origins;
    int keypoint_columns = 0;  // of the caller's keypoints (extra columns come back)
    bool has_free_keypoints = false;
    bool has_plain_mask = false;
    // additional_targets present in the call, in the order of extra_images / mask_planes (after
    // the plain mask).
    std::vector<std::string> additional_images, additional_masks;
};

CallData read_input(const Input& input, const ComposeConfig& config);

}  // namespace instaug
