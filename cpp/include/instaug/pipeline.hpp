// The pipeline executor: samples each transform, applies its steps, and runs the survival rules
// where the reference runs them. Pure C++: no Python object is touched, so callers release the GIL.
#pragma once
#include <cstdint>
#include <vector>

#include "instaug/bbox_filter.hpp"
#include "instaug/mix_item.hpp"
#include "instaug/random.hpp"
#include "instaug/sample.hpp"
#include "instaug/transform_spec.hpp"

namespace instaug {

struct BoxConfig {
    BboxRules rules;
    bool check_each_transform = true;
    bool bbox_from_mask = false;
    bool filter_invalid_on_input = false;  // drop invalid input boxes instead of refusing them
};

struct KeypointConfig {
    bool remove_invisible = true;
    bool check_each_transform = true;
};

class Pipeline {
public:
    // `fuse_geometry`: consecutive geometric steps resample the image once (see render_deferred_image).
    Pipeline(std::vector<TransformSpec> transforms, BoxConfig boxes, KeypointConfig keypoints, double p,
             bool fuse_geometry = true);

    // Runs one call. `call_seed` fully determines the sampled parameters; `metadata` holds the
    // Mosaic neighbours and CopyAndPaste donors by their metadata key.
    void run(Sample& sample, uint64_t call_seed, const Metadata& metadata = {}) const;

    std::size_t size() const { return transforms_.size(); }

private:
    void filter_rows(Sample& sample) const;
    void filter_free_keypoints(Sample& sample) const;
    void refit_boxes_to_masks(Sample& sample) const;
    // Applies transform `t` (its coin already drawn); returns the index of the last transform it
    // covered (table steps run several as one).
    std::size_t run_transform(Sample& sample, std::size_t t, Random& rng, const Metadata& metadata) const;
    // Runs the table steps from `first` on as one pass; returns the index of the last one.
    std::size_t run_table_steps(Sample& sample, std::size_t first, Random& rng) const;

    std::vector<TransformSpec> transforms_;
    BoxConfig boxes_;
    KeypointConfig keypoints_;
    double p_;
    bool fuse_geometry_;
};

}  // namespace instaug
