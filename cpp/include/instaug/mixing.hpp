// The two mixing transforms: Mosaic (neighbour images in a grid) and CopyAndPaste (donor objects
// stamped onto the sample). Both keep every row whole and append new rows after the survivors.
#pragma once
#include <vector>

#include "instaug/bbox_filter.hpp"
#include "instaug/mix_item.hpp"
#include "instaug/random.hpp"
#include "instaug/sample.hpp"
#include "instaug/transform_spec.hpp"

namespace instaug {

// Rows cut by their cell are judged by `rules` against their box before the cell cut
// (min_visibility is the fraction of the placed object that stays inside its cell).
void apply_mosaic(Sample& sample, const TransformSpec& spec, Random& rng, const std::vector<MixItem>& items,
                  const BboxRules& rules);

void apply_copy_paste(Sample& sample, const TransformSpec& spec, Random& rng, const std::vector<MixItem>& donors);

}  // namespace instaug
