#include "core/pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <new>
#include <stdexcept>
#include <string>

#include "core/geometric_step.hpp"
#include "kernels/mask_tile_ops.hpp"

namespace instaug {
namespace {

const std::vector<MixItem> kNoItems;

const std::vector<MixItem>& items_for(const Metadata& metadata, const TransformNode& node) {
    auto it = metadata.find(node.params.text("metadata_key"));
    return it == metadata.end() ? kNoItems : it->second;
}

// An input OpenCV cannot take (a channel count or dtype a kernel lacks) is the caller's error: it
// names where it happened instead of surfacing as OpenCV's own exception. Running out of memory
// stays what it is.
[[noreturn]] void rethrow_opencv_error(const cv::Exception& e, const std::string& where) {
    if (e.code == cv::Error::StsNoMem) throw std::bad_alloc();
    throw std::invalid_argument(where + ": OpenCV cannot process this input (" + e.err + ")");
}

void collect_leaves(std::vector<TransformNode>& nodes, std::vector<TransformNode*>& leaves) {
    for (auto& node : nodes) {
        if (node.kind() == TransformKind::Composition) {
            collect_leaves(node.children, leaves);
            continue;
        }
        node.leaf_index = static_cast<int>(leaves.size());
        leaves.push_back(&node);
    }
}

bool changes_format(const TransformNode& node) {
    return node.decl->changes_image_format && node.decl->changes_image_format(node.params);
}

// Mosaic neighbours and CopyAndPaste donors come in the call's own format: a step before the
// mixing transform that changes the image's dtype or channels would leave them unlike the image.
void check_mixing_order(const std::vector<TransformNode*>& leaves) {
    const TransformNode* changer = nullptr;
    for (const TransformNode* node : leaves) {
        if (!changer && changes_format(*node)) changer = node;
        if (changer && node->kind() == TransformKind::Mixing) {
            const std::string a = changer->name(), b = node->name();
            throw std::invalid_argument("transforms[" + std::to_string(changer->leaf_index) + "] (" + a +
                                        ") changes the image's dtype or channels before transforms[" +
                                        std::to_string(node->leaf_index) + "] (" + b + "), whose " +
                                        node->params.text("metadata_key") + " images keep the input's: put " + a +
                                        " after " + b);
        }
    }
}

}  // namespace

Pipeline::Pipeline(std::vector<TransformNode> transforms, BoxConfig boxes, KeypointConfig keypoints, double p,
                   bool fuse_geometry)
    : transforms_(std::move(transforms)), boxes_(boxes), keypoints_(keypoints), p_(p), fuse_geometry_(fuse_geometry) {
    if (!(p >= 0 && p <= 1)) throw std::invalid_argument("Compose: p must be a number in [0, 1]");
    collect_leaves(transforms_, leaves_);
    check_mixing_order(leaves_);
}

void Pipeline::attach(int64_t key, const ExternalOp& op) {
    for (TransformNode* node : leaves_)
        if (node->kind() == TransformKind::External && node->params.integer("key") == key) node->external = op;
}

bool Pipeline::resamples_masks_smoothly() const {
    for (const TransformNode* node : leaves_) {
        const Params& p = node->params;
        if (p.has("mask_interpolation") && p.integer("mask_interpolation") != kNearest) return true;
        if (p.has("area_for_downscale") && p.at("area_for_downscale") == "image_mask") return true;
    }
    return false;
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

// Boxes under holes shrink or die and free keypoints in them vanish, by the reference's rules
// (its filter_bboxes_by_holes, with the box rules' min_area and min_visibility, and
// filter_keypoints_in_holes when invisible keypoints are removed). Bound keypoints belong to their
// row: they live and die with it.
void Pipeline::cut_rows_by_holes(Sample& sample, const Holes& holes) const {
    if (holes.empty()) return;
    InstanceTable& rows = sample.rows;
    if (rows.has_boxes && rows.size() > 0)
        rows.compact(boxes_under_holes(rows.boxes, hole_plane(holes, sample.width, sample.height),
                                       boxes_.rules.min_area, boxes_.rules.min_visibility));
    if (!keypoints_.remove_invisible) return;
    FreeKeypoints& kps = sample.free_keypoints;
    std::vector<uint8_t> keep(kps.size());
    for (std::size_t i = 0; i < kps.size(); ++i)
        keep[i] = !in_a_hole(holes, kps.points[i * kKeypointColumns], kps.points[i * kKeypointColumns + 1]);
    kps.compact(keep);
}

void Pipeline::cut_rows_by_drops(Sample& sample, const cv::Mat& drops) const {
    InstanceTable& rows = sample.rows;
    if (rows.has_boxes && rows.size() > 0)
        rows.compact(boxes_over_drops(rows.boxes, drops, boxes_.rules.min_area, boxes_.rules.min_visibility));
}

void Pipeline::cut_keypoints_by_drops(Sample& sample, const cv::Mat& drops) const {
    if (!keypoints_.remove_invisible) return;
    FreeKeypoints& kps = sample.free_keypoints;
    std::vector<uint8_t> keep(kps.size());
    for (std::size_t i = 0; i < kps.size(); ++i) {
        // The reference's astype(int): truncation toward zero.
        const double x = std::trunc(kps.points[i * kKeypointColumns]), y = std::trunc(kps.points[i * kKeypointColumns + 1]);
        keep[i] = x >= 0 && y >= 0 && x < drops.cols && y < drops.rows &&
                  !drops.at<uint8_t>(static_cast<int>(y), static_cast<int>(x));
    }
    kps.compact(keep);
}

void Pipeline::after_row_change(Sample& sample) const {
    if (boxes_.check_each_transform) filter_rows(sample);
    if (keypoints_.remove_invisible && keypoints_.check_each_transform) filter_free_keypoints(sample);
}

void Pipeline::final_boundary(Sample& sample) const {
    InstanceTable& rows = sample.rows;
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

void Pipeline::run(Sample& sample, uint64_t seed, uint64_t call_index, const Metadata& metadata,
                   bool force_apply) const {
    Random rng(Random::mix(seed, call_index));
    sample.frame.start(sample.width, sample.height);
    InstanceTable& rows = sample.rows;
    rows.check_consistent();
    if (boxes_.filter_invalid_on_input && rows.has_boxes) {
        resolve_masks(sample);
        BboxRules validity;
        validity.clip_after_transform = boxes_.rules.clip_after_transform;
        rows.compact(filter_boxes(rows.boxes, sample.width, sample.height, validity));
    }
    Execution execution(*this, sample, rng, metadata);
    if (force_apply || rng.chance(p_))
        for (const TransformNode& node : transforms_) execution.run(node);
    execution.finish();
    final_boundary(sample);
}

void Execution::run(const TransformNode& node, bool forced) {
    if (!forced && node.decl->p_is_a_coin && !rng_.chance(node.p)) return;
    try {
        dispatch(node);
    } catch (const cv::Exception& e) {
        rethrow_opencv_error(e, node.name());
    }
}

namespace {

// Points the generator's notes at `notes` while one transform runs, when the call collects them.
class NotesScope {
public:
    NotesScope(Random& rng, Json* notes) : rng_(rng) { rng_.collect_notes(notes); }
    ~NotesScope() { rng_.collect_notes(nullptr); }
    NotesScope(const NotesScope&) = delete;
    NotesScope& operator=(const NotesScope&) = delete;

private:
    Random& rng_;
};

}  // namespace

void Execution::dispatch(const TransformNode& node) {
    if (node.kind() == TransformKind::Composition) return node.decl->run(node, *this);
    Json notes;  // null until a note makes it an object: nothing is allocated when not collecting
    {
        NotesScope scope(rng_, sample_.collect_notes ? &notes : nullptr);
        apply_leaf(node);
    }
    if (sample_.collect_notes) sample_.applied_notes.push_back(notes.is_null() ? Json::object() : std::move(notes));
}

void Execution::apply_leaf(const TransformNode& node) {
    switch (node.kind()) {
        case TransformKind::Composition: return;  // dispatch runs compositions
        case TransformKind::Passive: record(node); return;
        case TransformKind::Pixel:
        case TransformKind::Table: apply_pixels(node); return;
        case TransformKind::Geometric: apply_geometric(node); break;
        case TransformKind::Mixing: apply_mixing(node); break;
        case TransformKind::External: apply_external(node); break;
        case TransformKind::Dropout: apply_dropout(node); break;
        case TransformKind::Filter: apply_filter(node); break;
    }
    record(node);
    pipeline_.after_row_change(sample_);
}

void Execution::flush_tables() {
    if (!tables_) return;
    sample_.image = tables_->apply();
    tables_.reset();
}

void Execution::finish() {
    flush_tables();
    try {
        render_deferred_image(sample_);
    } catch (const cv::Exception& e) {
        rethrow_opencv_error(e, "the final rendering of the deferred geometric steps");
    }
}

// Pixel transforms touch the image only: no row can change, no filter runs. Consecutive per-value
// steps on uint8 images compose into one table per channel, applied in one pass when something
// else needs the pixels.
void Execution::apply_pixels(const TransformNode& node) {
    resolve_masks(sample_);
    render_deferred_image(sample_);
    record(node);
    cv::Mat& image = sample_.image;
    if (image.empty()) return;
    const TransformDecl& decl = *node.decl;
    if (decl.kind == TransformKind::Table && image.depth() == CV_8U && sample_.extra_images.empty()) {
        if (!tables_) tables_ = std::make_unique<TableChain>(image);
        TableChain& chain = *tables_;
        chain.add(decl.tables(node.params, rng_, image.channels(), [&chain] { return chain.grey_mean(); }));
        return;
    }
    flush_tables();
    // Additional images take the same draws: each replays the generator from where it stood.
    const Random start = rng_;
    image = pixels_of(node, image, rng_);
    for (cv::Mat& extra : sample_.extra_images) {
        Random replay = start;
        extra = pixels_of(node, extra, replay);
    }
}

cv::Mat Execution::pixels_of(const TransformNode& node, const cv::Mat& image, Random& rng) {
    const TransformDecl& decl = *node.decl;
    if (decl.kind == TransformKind::Table && image.depth() == CV_8U)
        return apply_tables(image, decl.tables(node.params, rng, image.channels(), [&] { return exact_grey_mean(image); }));
    // OpenCV's filters take the border of a view (a crop) from the image around it: a view gets
    // its own copy first, so that borders are the crop's own, as for a contiguous crop.
    const cv::Mat own = decl.reads_neighbours && image.isSubmatrix() ? image.clone() : image;
    if (decl.sample_pixels) return decl.sample_pixels(own, node.params, rng, sample_);
    return decl.pixels(own, node.params, rng);
}

void Execution::apply_geometric(const TransformNode& node) {
    flush_tables();
    resolve_masks(sample_);
    InstanceTable& rows = sample_.rows;
    const TransformDecl& decl = *node.decl;
    const std::vector<GeometricStep> steps = decl.sample_steps ? decl.sample_steps(node.params, rng_, sample_)
                                                               : decl.steps(node.params, rng_, sample_.width, sample_.height);
    for (const GeometricStep& step : steps) {
        check_canvas_size(node.name(), step.in_width, step.in_height, step.out_width, step.out_height);
        const bool defer = pipeline_.fuse_geometry_ && image_step_fusable(step, sample_);
        if (!defer) render_deferred_image(sample_);
        apply_step(sample_, step, defer);
        sample_.frame.add(step, node.name());
        if (step.drops_boxes_outside && rows.has_boxes)
            rows.compact(boxes_touching_canvas(rows.boxes, sample_.width, sample_.height));
    }
}

void Execution::apply_mixing(const TransformNode& node) {
    flush_tables();
    // Instance masks are left to the transform: Mosaic reads only what its cells show of them.
    render_deferred_image(sample_);
    // A mixing transform may build the sample anew (Mosaic's canvas): the frame map is the call's.
    FrameMap frame = sample_.frame;
    if (node.decl->moves_canvas) frame.break_at(node.name());
    node.decl->mix(sample_, node.params, rng_, items_for(metadata_, node), pipeline_.boxes_.rules);
    sample_.frame = std::move(frame);
}

// The operation sees the whole sample, as it is: pixels up to date, masks cut into tiles.
void Execution::apply_external(const TransformNode& node) {
    if (!node.external) throw std::logic_error("ExternalTransform " + std::to_string(node.params.integer("key")) +
                                               " has no operation attached");
    flush_tables();
    resolve_masks(sample_);
    render_deferred_image(sample_);
    sample_.frame.break_at("a transform written in Python");
    node.external(sample_, rng_);
}

// A dropout transform fills its holes in the image and the additional images (the same draws for
// each), in the masks when it has a mask fill, and cuts the rows under them.
void Execution::apply_dropout(const TransformNode& node) {
    flush_tables();
    resolve_masks(sample_);
    render_deferred_image(sample_);
    if (node.decl->pixel_drops) return apply_pixel_drops(node);
    if (node.decl->masked_holes) return apply_masked_holes(node);
    const Holes holes = node.decl->holes(node.params, rng_, sample_);
    if (holes.empty()) return;
    try {
        fill_dropout_holes(node, holes);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(node.name() + ": " + e.what());
    }
    pipeline_.cut_rows_by_holes(sample_, holes);
}

void Execution::fill_dropout_holes(const TransformNode& node, const Holes& holes) {
    // TimeMasking and FrequencyMasking have no fill arguments: both fills are 0 there.
    static const Json zero = Json::array({0.0});
    const Json& fill = node.params.has("fill") ? node.params.at("fill") : zero;
    const Random start = rng_;
    sample_.image = fill_holes(sample_.image, holes, fill, rng_, "fill");
    for (cv::Mat& extra : sample_.extra_images) {
        Random replay = start;
        extra = fill_holes(extra, holes, fill, replay, "fill");
    }
    const Json& fill_mask = node.params.has("fill_mask") ? node.params.at("fill_mask") : zero;
    if (!fill_mask.is_null()) {
        for (cv::Mat& plane : sample_.mask_planes) plane = fill_mask_holes(plane, holes, fill_mask);
        InstanceTable& rows = sample_.rows;
        if (rows.has_masks) {
            if (fill_mask.size() != 1)
                throw std::invalid_argument("fill_mask must be one number for instance masks, got " +
                                            python_repr(fill_mask));
            for (MaskTile& tile : rows.masks)
                tile = fill_tile_holes(tile, holes, fill_mask[0].get<double>(), sample_.width, sample_.height,
                                       rows.mask_type);
        }
    }
}

void Execution::apply_pixel_drops(const TransformNode& node) {
    const PixelDrops drops = node.decl->pixel_drops(node.params, rng_, sample_);
    if (drops.image.empty()) return;
    try {
        sample_.image = drop_pixels(sample_.image, drops.image, drops.image_values);
        for (cv::Mat& extra : sample_.extra_images) extra = drop_pixels(extra, drops.image, drops.image_values);
        if (!drops.masks.empty()) {
            for (cv::Mat& plane : sample_.mask_planes) plane = drop_mask_pixels(plane, drops.masks, drops.mask_values);
            InstanceTable& rows = sample_.rows;
            if (rows.has_masks) {
                if (drops.mask_values.size() != 1)
                    throw std::invalid_argument("mask_drop_value must be one number for instance masks");
                for (MaskTile& tile : rows.masks) tile = drop_tile_pixels(tile, drops.masks, drops.mask_values[0], rows.mask_type);
            }
        }
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(node.name() + ": " + e.what());
    }
    if (drops.judges_boxes) pipeline_.cut_rows_by_drops(sample_, drops.image);
}

void Execution::apply_masked_holes(const TransformNode& node) {
    const MaskedHoles drawn = node.decl->masked_holes(node.params, rng_, sample_);
    if (drawn.holes.empty()) return;
    const cv::Mat dropped = drawn.dropped(sample_.width, sample_.height);
    if (cv::countNonZero(dropped) == 0) return;
    if (!drawn.removed_rows.empty()) {
        std::vector<uint8_t> keep(sample_.rows.size(), 1);
        for (std::size_t r : drawn.removed_rows) keep[r] = 0;
        sample_.rows.compact(keep);
    }
    try {
        // MaskDropout's fill is a single number: the fills' normal form is a list.
        const Json& given = node.params.at("fill");
        const Json fill = given.is_number() ? Json::array({given}) : given;
        const Random start = rng_;
        const int radius = drawn.inpaint_radius;
        sample_.image = fill_holes_within(sample_.image, drawn.holes, dropped, fill, rng_, "fill", radius);
        for (cv::Mat& extra : sample_.extra_images) {
            Random replay = start;
            extra = fill_holes_within(extra, drawn.holes, dropped, fill, replay, "fill", radius);
        }
        const Json& fill_mask = node.params.at("fill_mask");
        if (!fill_mask.is_null()) {
            std::vector<double> values;
            if (fill_mask.is_number()) values.push_back(fill_mask.get<double>());
            else for (const Json& v : fill_mask) values.push_back(v.get<double>());
            for (cv::Mat& plane : sample_.mask_planes) plane = drop_mask_pixels(plane, dropped, values);
            InstanceTable& rows = sample_.rows;
            if (rows.has_masks) {
                if (values.size() != 1)
                    throw std::invalid_argument("fill_mask must be one number for instance masks, got " +
                                                python_repr(fill_mask));
                for (MaskTile& tile : rows.masks) tile = drop_tile_pixels(tile, dropped, values[0], rows.mask_type);
            }
        }
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(node.name() + ": " + e.what());
    }
    pipeline_.cut_rows_by_drops(sample_, dropped);
    pipeline_.cut_keypoints_by_drops(sample_, dropped);
}

void Execution::apply_filter(const TransformNode& node) {
    flush_tables();
    resolve_masks(sample_);
    render_deferred_image(sample_);
    const SpatialFilter filter = node.decl->spatial_filter(node.params, rng_);
    try {
        if (!sample_.image.empty()) sample_.image = filter.apply(sample_.image);
        for (cv::Mat& extra : sample_.extra_images) extra = filter.apply(extra);
        for (cv::Mat& plane : sample_.mask_planes) {
            check_filterable(plane, "masks");
            plane = filter.apply(plane);
        }
        InstanceTable& rows = sample_.rows;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            double tight[4];
            if (rows.has_masks) rows.masks[i] = filter_tile(rows.masks[i], filter, sample_.width, sample_.height);
            if (!rows.has_boxes) continue;
            // A bound mask says where the object's edge went; a box alone follows the reference's raster.
            if (rows.has_masks && tile_tight_box(rows.masks[i], tight)) rows.boxes[i] = {tight[0], tight[1], tight[2], tight[3]};
            else rows.boxes[i] = filter_box(rows.boxes[i], filter, sample_.width, sample_.height);
        }
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(node.name() + ": " + e.what());
    } catch (const cv::Exception& e) {
        rethrow_opencv_error(e, node.name());
    }
}

void Execution::on_channels(const std::vector<int>& channels, const std::function<void()>& body) {
    flush_tables();
    render_deferred_image(sample_);
    cv::Mat& image = sample_.image;
    if (image.empty()) return body();
    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    std::vector<cv::Mat> chosen;
    for (int c : channels) {
        if (c < 0 || c >= image.channels())
            throw std::invalid_argument("SelectiveChannelTransform: channel " + std::to_string(c) +
                                        " is out of range for an image of " + std::to_string(image.channels()) +
                                        " channel(s)");
        chosen.push_back(planes[c]);
    }
    if (chosen.empty()) return;
    // Fresh buffers throughout: OpenCV writes into an output of the right size and type, and the
    // image may still be the caller's array.
    const cv::Mat full = image;
    cv::Mat selected;
    cv::merge(chosen, selected);
    image = selected;
    const int width = sample_.width, height = sample_.height;
    // The children see the chosen channels of the image alone, as in the reference.
    std::vector<cv::Mat> extras = std::move(sample_.extra_images);
    sample_.extra_images.clear();
    body();
    sample_.extra_images = std::move(extras);
    flush_tables();
    if (image.rows != height || image.cols != width || image.channels() != static_cast<int>(chosen.size()) ||
        image.depth() != full.depth())
        throw std::invalid_argument(
            "SelectiveChannelTransform: its transforms must keep the image's size, dtype and channel count");
    std::vector<cv::Mat> changed;
    cv::split(image, changed);
    for (std::size_t i = 0; i < channels.size(); ++i) planes[channels[i]] = changed[i];
    cv::Mat merged;
    cv::merge(planes, merged);
    image = merged;
}

}  // namespace instaug
