#include "instaug/pipeline.hpp"

#include <algorithm>
#include <new>
#include <stdexcept>
#include <string>

#include "instaug/geometric_step.hpp"
#include "instaug/mask_tile_ops.hpp"
#include "instaug/color_lut.hpp"
#include "instaug/mixing.hpp"
#include "instaug/photometric.hpp"
#include "instaug/random.hpp"
#include "instaug/transforms.hpp"

namespace instaug {
namespace {

bool is_mixing(const TransformSpec& t) { return t.name == "Mosaic" || t.name == "CopyAndPaste"; }

const std::vector<MixItem>& items_for(const Metadata& metadata, const TransformSpec& spec) {
    static const std::vector<MixItem> none;
    auto it = metadata.find(spec.string_or("metadata_key", ""));
    return it == metadata.end() ? none : it->second;
}

// An input OpenCV cannot take (a channel count or dtype a kernel lacks) is the caller's error: it
// names where it happened instead of surfacing as OpenCV's own exception. Running out of memory
// stays what it is.
[[noreturn]] void rethrow_opencv_error(const cv::Exception& e, const std::string& where) {
    if (e.code == cv::Error::StsNoMem) throw std::bad_alloc();
    throw std::invalid_argument(where + ": OpenCV cannot process this input (" + e.err + ")");
}

}  // namespace

Pipeline::Pipeline(std::vector<TransformSpec> transforms, BoxConfig boxes, KeypointConfig keypoints, double p,
                   bool fuse_geometry)
    : transforms_(std::move(transforms)), boxes_(boxes), keypoints_(keypoints), p_(p), fuse_geometry_(fuse_geometry) {
    for (const auto& t : transforms_)
        if (!is_known_transform(t.name) && !is_mixing(t) && !is_photometric(t.name))
            throw std::invalid_argument("unknown transform '" + t.name + "'");
}

void Pipeline::refit_boxes_to_masks(Sample& sample) const {
    InstanceTable& rows = sample.rows;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        double box[4];
        if (tile_tight_box(rows.masks[i], box)) rows.boxes[i] = {box[0], box[1], box[2], box[3]};
    }
}

void Pipeline::filter_rows(Sample& sample) const {
    InstanceTable& rows = sample.rows;
    if (!rows.has_boxes) return;
    rows.compact(filter_boxes(rows.boxes, sample.width, sample.height, boxes_.rules));
    if (boxes_.bbox_from_mask && rows.has_masks) refit_boxes_to_masks(sample);
}

void Pipeline::filter_free_keypoints(Sample& sample) const {
    FreeKeypoints& kps = sample.free_keypoints;
    std::vector<uint8_t> keep(kps.size());
    for (std::size_t i = 0; i < kps.size(); ++i) {
        const double x = kps.points[i * kKeypointColumns], y = kps.points[i * kKeypointColumns + 1];
        // Keypoints are pixel centres: visible while inside the canvas edges.
        keep[i] = x >= -0.5 && y >= -0.5 && x <= sample.width - 0.5 && y <= sample.height - 0.5;
    }
    kps.compact(keep);
}

std::size_t Pipeline::run_table_steps(Sample& sample, std::size_t first, Random& rng) const {
    // Consecutive per-value colour steps compose into one table per channel: one pass over the
    // image. Each step still draws its own probability and parameters in order.
    TableChain chain(sample.image);
    const int channels = sample.image.channels();
    std::size_t last = first;
    for (std::size_t t = first; t < transforms_.size() && is_table_transform(transforms_[t].name); ++t) {
        last = t;
        if (t != first && !rng.chance(transforms_[t].p)) continue;
        chain.add(sample_tables(transforms_[t], rng, channels, [&] { return chain.grey_mean(); }));
        sample.applied_transforms.push_back(static_cast<int>(t));
    }
    sample.image = chain.apply();
    return last;
}

std::size_t Pipeline::run_transform(Sample& sample, std::size_t t, Random& rng, const Metadata& metadata) const {
    const TransformSpec& spec = transforms_[t];
    InstanceTable& rows = sample.rows;
    if (spec.name != "Mosaic") resolve_masks(sample);  // Mosaic reads only what its cells show
    const bool geometric = !is_mixing(spec) && !is_photometric(spec.name);
    if (!geometric) render_deferred_image(sample);  // these need the pixels
    if (spec.name == "Mosaic") {
        apply_mosaic(sample, spec, rng, items_for(metadata, spec), boxes_.rules);
    } else if (spec.name == "CopyAndPaste") {
        apply_copy_paste(sample, spec, rng, items_for(metadata, spec));
    } else if (is_photometric(spec.name)) {
        // Pixel transforms touch the image only: no row can change, no filter runs.
        if (sample.image.empty()) {
            sample.applied_transforms.push_back(static_cast<int>(t));
        } else if (sample.image.depth() == CV_8U && is_table_transform(spec.name)) {
            t = run_table_steps(sample, t, rng);
        } else {
            sample.image = apply_photometric(sample.image, spec, rng);
            sample.applied_transforms.push_back(static_cast<int>(t));
        }
        return t;
    } else {
        for (const GeometricStep& step : sample_transform_steps(spec, rng, sample.width, sample.height)) {
            check_canvas_size(spec.name, step.in_width, step.in_height, step.out_width, step.out_height);
            const bool defer = fuse_geometry_ && image_step_fusable(step, sample.image);
            if (!defer) render_deferred_image(sample);
            apply_step(sample, step, defer);
            if (step.drops_boxes_outside && rows.has_boxes)
                rows.compact(boxes_touching_canvas(rows.boxes, sample.width, sample.height));
        }
    }
    sample.applied_transforms.push_back(static_cast<int>(t));
    if (boxes_.check_each_transform) filter_rows(sample);
    if (keypoints_.remove_invisible && keypoints_.check_each_transform) filter_free_keypoints(sample);
    return t;
}

void Pipeline::run(Sample& sample, uint64_t call_seed, const Metadata& metadata) const {
    Random rng(call_seed);
    InstanceTable& rows = sample.rows;
    if (boxes_.filter_invalid_on_input && rows.has_boxes) {
        resolve_masks(sample);
        BboxRules validity;
        validity.clip_after_transform = boxes_.rules.clip_after_transform;
        rows.compact(filter_boxes(rows.boxes, sample.width, sample.height, validity));
    }
    if (rng.chance(p_)) {
        for (std::size_t t = 0; t < transforms_.size(); ++t) {
            if (!rng.chance(transforms_[t].p)) continue;
            try {
                t = run_transform(sample, t, rng, metadata);
            } catch (const cv::Exception& e) {
                rethrow_opencv_error(e, transforms_[t].name);
            }
        }
    }
    try {
        render_deferred_image(sample);
    } catch (const cv::Exception& e) {
        rethrow_opencv_error(e, "the final rendering of the deferred geometric steps");
    }
    // The final boundary: the bbox filter, then rows whose bound mask became empty.
    resolve_masks(sample);
    filter_rows(sample);
    if (rows.has_masks) {
        // Rows whose mask a transform emptied die; rows that came in blank keep their box's verdict.
        std::vector<int64_t> blank = sample.blank_mask_sources;
        std::sort(blank.begin(), blank.end());
        std::vector<uint8_t> keep(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i)
            keep[i] = !rows.masks[i].empty() || std::binary_search(blank.begin(), blank.end(), rows.source_ids[i]);
        rows.compact(keep);
    }
    if (keypoints_.remove_invisible) filter_free_keypoints(sample);
}

}  // namespace instaug
