// The pipeline: a list of configured transforms, the box and keypoint rules, and the executor that
// runs one call. Pure C++: no Python object is touched, so callers release the GIL.
#pragma once
#include <cstdint>
#include <vector>

#include "core/bbox_filter.hpp"
#include "core/holes.hpp"
#include "core/mix_item.hpp"
#include "core/random.hpp"
#include "core/sample.hpp"
#include "transforms/registry.hpp"

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
    // Throws std::invalid_argument when a transform that may change the image's format comes
    // before a mixing transform (whose extra images keep the input's format).
    Pipeline(std::vector<TransformNode> transforms, BoxConfig boxes, KeypointConfig keypoints, double p,
             bool fuse_geometry = true);
    // leaves_ points into transforms_: a move keeps the nodes where they are, a copy would not.
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;
    Pipeline(Pipeline&&) = default;
    Pipeline& operator=(Pipeline&&) = default;

    // Runs call number `call_index` of the stream `seed`: its parameters are a pure function of
    // the two. `metadata` holds the Mosaic neighbours and CopyAndPaste donors by metadata key.
    // `force_apply` skips the pipeline's own probability (not its transforms').
    void run(Sample& sample, uint64_t seed, uint64_t call_index, const Metadata& metadata = {},
             bool force_apply = false) const;

    std::size_t size() const { return transforms_.size(); }
    const std::vector<TransformNode>& transforms() const { return transforms_; }
    // Leaves (non-composition transforms) in order; applied_transforms holds indices into it.
    const std::vector<TransformNode*>& leaves() const { return leaves_; }
    // True when some transform resamples masks with something other than nearest neighbour.
    bool resamples_masks_smoothly() const;
    // Attaches the operation of every ExternalTransform whose key is `key`.
    void attach(int64_t key, const ExternalOp& op);

private:
    friend class Execution;
    void filter_rows(Sample& sample) const;
    void filter_free_keypoints(Sample& sample) const;
    void cut_rows_by_holes(Sample& sample, const Holes& holes) const;
    // PixelDropout: boxes by how many of their pixels dropped (drops: CV_8UC1, non-zero where dropped).
    void cut_rows_by_drops(Sample& sample, const cv::Mat& drops) const;
    // Free keypoints on dropped pixels (or off the canvas) vanish when invisible ones are removed:
    // the reference's mask_dropout_keypoints.
    void cut_keypoints_by_drops(Sample& sample, const cv::Mat& drops) const;
    void refit_boxes_to_masks(Sample& sample) const;
    void after_row_change(Sample& sample) const;
    void final_boundary(Sample& sample) const;

    std::vector<TransformNode> transforms_;
    std::vector<TransformNode*> leaves_;
    BoxConfig boxes_;
    KeypointConfig keypoints_;
    double p_;
    bool fuse_geometry_;
};

// One call's walk through the transforms. Compositions drive it through run() and rng().
class Execution {
public:
    Execution(const Pipeline& pipeline, Sample& sample, Random& rng, const Metadata& metadata)
        : pipeline_(pipeline), sample_(sample), rng_(rng), metadata_(metadata) {}

    Random& rng() { return rng_; }
    // Runs `node` if its probability says so; `forced` skips that draw (a OneOf's choice).
    void run(const TransformNode& node, bool forced = false);
    // Runs `body` with the image reduced to `channels` (in that order), then writes them back.
    void on_channels(const std::vector<int>& channels, const std::function<void()>& body);
    // Brings the image up to date (pending tables and deferred geometry).
    void finish();

private:
    void dispatch(const TransformNode& node);
    void apply_leaf(const TransformNode& node);
    void apply_pixels(const TransformNode& node);
    cv::Mat pixels_of(const TransformNode& node, const cv::Mat& image, Random& rng);
    void apply_geometric(const TransformNode& node);
    void apply_mixing(const TransformNode& node);
    void apply_external(const TransformNode& node);
    void apply_dropout(const TransformNode& node);
    void fill_dropout_holes(const TransformNode& node, const Holes& holes);
    void apply_pixel_drops(const TransformNode& node);
    void apply_masked_holes(const TransformNode& node);
    void apply_filter(const TransformNode& node);
    void flush_tables();
    void record(const TransformNode& node) { sample_.applied_transforms.push_back(node.leaf_index); }

    const Pipeline& pipeline_;
    Sample& sample_;
    Random& rng_;
    const Metadata& metadata_;
    std::unique_ptr<TableChain> tables_;  // per-value steps not yet applied to the image
};

}  // namespace instaug
