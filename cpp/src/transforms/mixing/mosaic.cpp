#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "core/geometric_step.hpp"
#include "kernels/image_ops.hpp"
#include "kernels/mask_tile_ops.hpp"
#include "transforms/geometric/canvas_args.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

struct Placement {
    int x0, y0, x1, y1;
    int width() const { return x1 - x0; }
    int height() const { return y1 - y0; }
    long long area() const { return static_cast<long long>(width()) * height(); }
};

// Visible cells of the conceptual grid inside the target window centred at (cx, cy), as the
// reference's calculate_cell_placements: window-relative, row-major.
std::vector<Placement> cell_placements(int rows, int cols, int cell_h, int cell_w, int target_h, int target_w,
                                       int cx, int cy) {
    auto edges = [](int count, int cell, int lo, int hi) {
        std::vector<int> e;
        for (int k = 0; k <= count; ++k) e.push_back(std::clamp(k * cell, lo, hi) - lo);
        e.erase(std::unique(e.begin(), e.end()), e.end());
        return e;
    };
    const int x_lo = cx - target_w / 2, y_lo = cy - target_h / 2;
    const std::vector<int> xs = edges(cols, cell_w, x_lo, x_lo + target_w);
    const std::vector<int> ys = edges(rows, cell_h, y_lo, y_lo + target_h);
    std::vector<Placement> out;
    for (std::size_t j = 0; j + 1 < ys.size(); ++j)
        for (std::size_t i = 0; i + 1 < xs.size(); ++i) out.push_back({xs[i], ys[j], xs[i + 1], ys[j + 1]});
    return out;
}

// Which corner of its cell a placement shows: the image is cut from the opposite corner, so the
// part of each image nearest the mosaic centre stays visible.
cv::Point opposite_crop_origin(int cell_h, int cell_w, const Placement& p, int target_h, int target_w) {
    const double cx = (p.x0 + p.x1) / 2.0, cy = (p.y0 + p.y1) / 2.0;
    const int v = cy < target_h / 2.0 ? -1 : (cy > target_h / 2.0 ? 1 : 0);
    const int h = cx < target_w / 2.0 ? -1 : (cx > target_w / 2.0 ? 1 : 0);
    if (v == 0 || h == 0) return {(cell_w - p.width()) / 2, (cell_h - p.height()) / 2};
    return {h < 0 ? cell_w - p.width() : 0, v < 0 ? cell_h - p.height() : 0};
}

// A cell's pixels into its canvas region. A whole-pixel placement (cover fit at the cell's own
// size, the usual case) is one copy of what shows and the fill around it, without an intermediate
// cell image; anything else is resampled as by apply_step.
void place_cell_image(const cv::Mat& image, const GeometricStep& step, cv::Mat target) {
    int dx, dy;
    if (step.pixels.border_mode == kBorderConstant && step.integer_shift(dx, dy)) {
        const cv::Rect region(0, 0, target.cols, target.rows);
        const cv::Rect shown = cv::Rect(dx, dy, image.cols, image.rows) & region;
        if (shown != region) target.setTo(step.pixels.fill);
        if (!shown.empty()) image(shown - cv::Point(dx, dy)).copyTo(target(shown));
        return;
    }
    transform_plane(image, step, false).copyTo(target);
}

// The warp that takes an item onto its cell: fit (cover: the short side fills the cell; contain:
// the long side does, the rest padded as the reference's Crop pads, centred), then the cut.
GeometricStep cell_step(int width, int height, const Placement& p, const Params& params, int target_h,
                        int target_w) {
    const auto cell = params.numbers("cell_shape");
    const int cell_h = static_cast<int>(cell[0]), cell_w = static_cast<int>(cell[1]);
    const bool cover = params.text("fit_mode") == "cover";
    const double scale_h = static_cast<double>(cell_h) / height, scale_w = static_cast<double>(cell_w) / width;
    const double scale = cover ? std::max(scale_h, scale_w) : std::min(scale_h, scale_w);
    const int new_h = std::max(1, static_cast<int>(std::nearbyint(height * scale)));
    const int new_w = std::max(1, static_cast<int>(std::nearbyint(width * scale)));
    const cv::Point crop = opposite_crop_origin(cell_h, cell_w, p, target_h, target_w);
    const int pad_top = std::max(0, crop.y + p.height() - new_h) / 2;
    const int pad_left = std::max(0, crop.x + p.width() - new_w) / 2;
    const double sx = static_cast<double>(new_w) / width, sy = static_cast<double>(new_h) / height;
    const cv::Matx33d resize(sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5, 0, 0, 1);
    const cv::Matx33d cut(1, 0, pad_left - crop.x, 0, 1, pad_top - crop.y, 0, 0, 1);
    const PixelOptions pixels = pixel_options(params);  // border: constant
    GeometricStep step = make_warp_step(width, height, p.width(), p.height(), cut * resize, false, pixels);
    step.drops_boxes_outside = false;
    step.tile_interpolation = kNearest;  // instance masks stay binary whatever the image interpolation
    step.keypoint_scale = std::max(sx, sy);
    return step;
}

// The part of the source a cell step can read: its output rectangle mapped back, one pixel of
// slack for rounding, clipped to the source.
cv::Rect visible_source(const GeometricStep& step) {
    const cv::Matx33d back = step.edge_matrix().inv();
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    for (double x : {0.0, static_cast<double>(step.out_width)})
        for (double y : {0.0, static_cast<double>(step.out_height)}) {
            const cv::Point2d p = map_point(back, x, y);
            x0 = std::min(x0, p.x); x1 = std::max(x1, p.x);
            y0 = std::min(y0, p.y); y1 = std::max(y1, p.y);
        }
    const cv::Rect r(static_cast<int>(std::floor(x0)) - 1, static_cast<int>(std::floor(y0)) - 1,
                     static_cast<int>(std::ceil(x1) - std::floor(x0)) + 3, static_cast<int>(std::ceil(y1) - std::floor(y0)) + 3);
    return r & cv::Rect(0, 0, step.in_width, step.in_height);
}

// Which of these boxes the cell's filter keeps: the same step and filter as the cell's rows get
// below, on the boxes alone. A row it drops never needs its mask, so its plane is never read.
std::vector<uint8_t> rows_kept_by_cell(const std::vector<std::array<double, 4>>& boxes, const GeometricStep& step,
                                       const Placement& p, const BboxRules& rules) {
    Sample boxes_only;
    boxes_only.rows.has_boxes = true;
    boxes_only.rows.boxes = boxes;
    boxes_only.rows.keypoint_offsets.assign(boxes.size() + 1, 0);
    apply_step(boxes_only, step);
    return filter_boxes(boxes_only.rows.boxes, p.width(), p.height(), rules);
}

void translate_rows(InstanceTable& rows, int dx, int dy) {
    for (auto& b : rows.boxes) {
        b[0] += dx; b[2] += dx;
        b[1] += dy; b[3] += dy;
    }
    for (auto& t : rows.masks) {
        t.x0 += dx;
        t.y0 += dy;
    }
    for (std::size_t i = 0; i < rows.keypoints.size(); i += kKeypointColumns) {
        rows.keypoints[i] += dx;
        rows.keypoints[i + 1] += dy;
    }
}

void append_rows(InstanceTable& to, const InstanceTable& from) {
    for (std::size_t r = 0; r < from.size(); ++r) {
        const int64_t n_kp = from.keypoint_count(r);
        const double* kp = n_kp ? from.keypoints.data() + from.keypoint_offsets[r] * kKeypointColumns : nullptr;
        to.append_row(from.source_ids[r], from.has_boxes ? from.boxes[r] : std::array<double, 4>{},
                      from.has_masks ? from.masks[r] : MaskTile{}, kp, n_kp);
    }
}

}  // namespace

// Rows cut by their cell are judged by `rules` against their box before the cell cut
// (min_visibility is the fraction of the placed object that stays inside its cell).
void apply_mosaic(Sample& sample, const Params& params, Random& rng, const std::vector<MixItem>& items,
                  const BboxRules& rules) {
    for (const MixItem& item : items) check_item_pixels(item, sample, "Mosaic");
    const auto grid = params.numbers("grid_yx"), cell = params.numbers("cell_shape"), target = params.numbers("target_size");
    const int rows_n = static_cast<int>(grid[0]), cols_n = static_cast<int>(grid[1]);
    const int cell_h = static_cast<int>(cell[0]), cell_w = static_cast<int>(cell[1]);
    const int target_h = static_cast<int>(target[0]), target_w = static_cast<int>(target[1]);
    const auto center_range = params.range("center_range");

    // The window centre, as the reference's calculate_mosaic_center_point.
    const int min_cx = target_w / 2, max_cx = cols_n * cell_w - (target_w + 1) / 2;
    const int min_cy = target_h / 2, max_cy = rows_n * cell_h - (target_h + 1) / 2;
    const double rel_x = rng.uniform(center_range[0], center_range[1]);
    const double rel_y = rng.uniform(center_range[0], center_range[1]);
    const int cx = std::clamp(min_cx + static_cast<int>((max_cx - min_cx + 1) * rel_x), min_cx, max_cx);
    const int cy = std::clamp(min_cy + static_cast<int>((max_cy - min_cy + 1) * rel_y), min_cy, max_cy);
    const std::vector<Placement> placements =
        cell_placements(rows_n, cols_n, cell_h, cell_w, target_h, target_w, cx, cy);

    // Neighbours without replacement; the primary (item 0) fills the cells they cannot.
    const std::size_t needed = placements.size() - 1;
    std::vector<int> pool(items.size());
    std::iota(pool.begin(), pool.end(), 0);
    for (std::size_t i = 0; i < std::min(needed, pool.size()); ++i)
        std::swap(pool[i], pool[i + static_cast<std::size_t>(rng.randint(0, static_cast<int64_t>(pool.size() - 1 - i)))]);
    std::vector<int> final_items{-1};  // -1: the primary sample
    for (std::size_t i = 0; i < std::min(needed, pool.size()); ++i) final_items.push_back(pool[i]);
    while (final_items.size() < placements.size()) final_items.push_back(-1);

    // The primary takes the largest visible cell; the rest are shuffled over the other cells.
    std::size_t primary_cell = 0;
    for (std::size_t i = 1; i < placements.size(); ++i)
        if (placements[i].area() > placements[primary_cell].area()) primary_cell = i;
    std::vector<std::size_t> order{primary_cell};
    for (std::size_t i = 0; i < placements.size(); ++i)
        if (i != primary_cell) order.push_back(i);
    std::vector<int> item_of_slot(final_items.size());
    std::iota(item_of_slot.begin(), item_of_slot.end(), 0);
    for (std::size_t i = item_of_slot.size() - 1; i > 1; --i)
        std::swap(item_of_slot[i], item_of_slot[1 + static_cast<std::size_t>(rng.randint(0, static_cast<int64_t>(i - 1)))]);

    Sample out;
    out.width = target_w;
    out.height = target_h;
    out.applied_transforms = sample.applied_transforms;
    out.collect_notes = sample.collect_notes;
    out.applied_notes = sample.applied_notes;
    out.call_numbers = sample.call_numbers;  // the call's values stay the caller's for later transforms
    out.call_images = sample.call_images;
    out.row_labels = sample.row_labels;
    out.rows.has_boxes = sample.rows.has_boxes;
    out.rows.has_masks = sample.rows.has_masks;
    out.rows.has_keypoints = sample.rows.has_keypoints;
    out.rows.mask_type = sample.rows.mask_type;
    const RowColumns columns{sample.rows.has_boxes, sample.rows.has_masks, sample.rows.has_keypoints,
                             sample.rows.mask_type};

    // Every cell's warp first: the primary's masks are then read only where some cell shows them,
    // and (with boxes bound) only for rows whose box some cell keeps.
    const bool prefilter = sample.rows.has_boxes && sample.rows.has_masks;
    std::vector<GeometricStep> steps;
    cv::Rect primary_visible;
    std::vector<uint8_t> primary_needed(prefilter ? sample.rows.size() : 0, 0);
    for (std::size_t k = 0; k < order.size(); ++k) {
        const int item = final_items[k == 0 ? 0 : item_of_slot[k]];
        const int w = item < 0 ? sample.width : items[item].image.cols;
        const int h = item < 0 ? sample.height : items[item].image.rows;
        steps.push_back(cell_step(w, h, placements[order[k]], params, target_h, target_w));
        if (item >= 0) continue;
        primary_visible |= visible_source(steps.back());
        if (!prefilter) continue;
        const std::vector<uint8_t> kept = rows_kept_by_cell(sample.rows.boxes, steps.back(), placements[order[k]], rules);
        for (std::size_t r = 0; r < kept.size(); ++r) primary_needed[r] |= kept[r];
    }
    // The primary always shows: it takes the largest cell.
    resolve_masks(sample, primary_visible, prefilter ? &primary_needed : nullptr);

    for (std::size_t k = 0; k < order.size(); ++k) {
        const Placement& p = placements[order[k]];
        const int item = final_items[k == 0 ? 0 : item_of_slot[k]];
        const GeometricStep& step = steps[k];
        std::vector<uint8_t> needed;
        if (item >= 0 && prefilter) {
            std::vector<std::array<double, 4>> boxes = items[item].boxes;
            boxes.resize(items[item].size(), std::array<double, 4>{0, 0, 0, 0});
            needed = rows_kept_by_cell(boxes, step, p, rules);
        }
        Sample cell = item < 0 ? sample
                               : materialize_item(items[item], columns, visible_source(step), prefilter ? &needed : nullptr);
        std::vector<cv::Mat> planes = std::move(cell.mask_planes);
        cell.mask_planes.clear();
        const cv::Mat cell_image = cell.image;
        cell.image = cv::Mat();  // its pixels go straight into the canvas below
        apply_step(cell, step);
        if (cell.rows.has_boxes) cell.rows.compact(filter_boxes(cell.rows.boxes, p.width(), p.height(), rules));
        translate_rows(cell.rows, p.x0, p.y0);
        append_rows(out.rows, cell.rows);

        const cv::Rect roi(p.x0, p.y0, p.width(), p.height());
        if (!sample.image.empty()) {
            if (out.image.empty()) out.image.create(target_h, target_w, sample.image.type());
            place_cell_image(cell_image, step, out.image(roi));
        }
        if (out.mask_planes.empty())
            for (const auto& plane : sample.mask_planes) out.mask_planes.emplace_back(target_h, target_w, plane.type());
        for (std::size_t m = 0; m < out.mask_planes.size(); ++m) {
            if (m < planes.size() && !planes[m].empty()) {
                transform_plane(planes[m], step, true).copyTo(out.mask_planes[m](roi));
            } else {
                out.mask_planes[m](roi).setTo(step.pixels.fill_mask);
            }
        }
        if (item < 0 && k == 0) {
            out.free_keypoints = cell.free_keypoints;
            for (std::size_t i = 0; i < out.free_keypoints.points.size(); i += kKeypointColumns) {
                out.free_keypoints.points[i] += p.x0;
                out.free_keypoints.points[i + 1] += p.y0;
            }
        }
    }
    out.blank_mask_sources = std::move(sample.blank_mask_sources);
    sample = std::move(out);
}

// Each cell the window shows costs a placement and a warp: tiny cells in a huge window would take
// memory without bound.
constexpr int64_t kMaxMosaicCells = 4096;

void check_mosaic(const std::string& owner, const Params& p) {
    const auto grid = p.numbers("grid_yx"), target = p.numbers("target_size"), cell = p.numbers("cell_shape");
    auto pair = [&](const char* name) { return python_repr(p.at(name)); };
    if (target[0] * target[1] > kMaxCanvasPixels)
        throw std::invalid_argument(owner + ": target_size " + pair("target_size") + " has more than " +
                                    std::to_string(static_cast<int64_t>(kMaxCanvasPixels)) + " pixels");
    int64_t shown = 1;
    for (int a = 0; a < 2; ++a) {
        const int64_t t = static_cast<int64_t>(target[a]), c = static_cast<int64_t>(cell[a]);
        shown *= std::min(static_cast<int64_t>(grid[a]), (t + c - 1) / c + 1);
    }
    if (shown > kMaxMosaicCells)
        throw std::invalid_argument(owner + ": target_size " + pair("target_size") + " shows up to " +
                                    std::to_string(shown) + " cells of cell_shape=" + pair("cell_shape") + "; at most " +
                                    std::to_string(kMaxMosaicCells) + " are allowed");
    if (target[0] > grid[0] * cell[0] || target[1] > grid[1] * cell[1])
        throw std::invalid_argument(owner + ": target_size " + pair("target_size") + " must fit in the grid of grid_yx=" +
                                    pair("grid_yx") + " cells of cell_shape=" + pair("cell_shape"));
}

void register_mosaic(Registry& r) {
    TransformDecl d;
    d.name = "Mosaic";
    d.kind = TransformKind::Mixing;
    d.moves_canvas = true;
    // A grid of more cells than a canvas has pixels places nothing more.
    d.params = {int_pair_param("grid_yx", Json::array({2, 2})).between(1, kMaxSide),
                int_pair_param("target_size", Json::array({512, 512})).between(1, kMaxSide),
                int_pair_param("cell_shape", Json::array({512, 512})).between(1, kMaxSide),
                range_param("center_range", Json::array({0.3, 0.7})).between(0.0, 1.0),
                choice_param("fit_mode", "cover", Json::array({"cover", "contain"})),
                interpolation_param("interpolation", kLinear),
                interpolation_param("mask_interpolation", kNearest),
                fill_param("fill", 0),
                fill_param("fill_mask", 0),
                text_param("metadata_key", "mosaic_metadata"),
                probability_param(0.5)};
    d.check = check_mosaic;
    d.mix = apply_mosaic;
    r.add(std::move(d));
}

}  // namespace instaug
