#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/geometric_step.hpp"
#include "kernels/mask_tile_ops.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// Zeroes `tile` wherever `cover` is non-zero; returns how many of its non-zero elements went.
long long cut_tile(MaskTile& tile, const MaskTile& cover) {
    if (tile.empty() || cover.empty()) return 0;
    const cv::Rect overlap = tile.rect() & cover.rect();
    if (overlap.empty()) return 0;
    const int tb = static_cast<int>(tile.data.elemSize()), cb = static_cast<int>(cover.data.elemSize());
    bool cloned = false;
    long long removed = 0;
    for (int y = overlap.y; y < overlap.y + overlap.height; ++y) {
        const uint8_t* c = cover.data.ptr<uint8_t>(y - cover.y0) + (overlap.x - cover.x0) * cb;
        for (int x = 0; x < overlap.width; ++x, c += cb) {
            if (!element_nonzero(c, cb)) continue;
            uint8_t* t = tile.data.ptr<uint8_t>(y - tile.y0) + (overlap.x - tile.x0 + x) * tb;
            if (!element_nonzero(t, tb)) continue;
            if (!cloned) {  // tiles may share memory (Mosaic replicas): copy before writing
                tile.data = tile.data.clone();
                cloned = true;
                t = tile.data.ptr<uint8_t>(y - tile.y0) + (overlap.x - tile.x0 + x) * tb;
            }
            std::fill(t, t + tb, 0);
            ++removed;
        }
    }
    return removed;
}

constexpr int kBlock = 16;

// Whether a block of 16 one-byte mask elements is all zero, all non-zero, or mixed.
enum class BlockFill { kAllZero, kAllSet, kMixed };

inline BlockFill block_fill(const uint8_t* m) {
#if defined(__SSE2__)
    const int zero_bits =
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(m)), _mm_setzero_si128()));
    return zero_bits == 0xFFFF ? BlockFill::kAllZero : (zero_bits == 0 ? BlockFill::kAllSet : BlockFill::kMixed);
#else
    int set = 0;
    for (int i = 0; i < kBlock; ++i) set += m[i] != 0;
    return set == 0 ? BlockFill::kAllZero : (set == kBlock ? BlockFill::kAllSet : BlockFill::kMixed);
#endif
}

// Marks the tile's non-zero pixels in a full-canvas uint8 plane.
void mark_union(cv::Mat& union_mask, const MaskTile& tile) {
    const int bytes = static_cast<int>(tile.data.elemSize());
    for (int y = 0; y < tile.height(); ++y) {
        const uint8_t* t = tile.data.ptr<uint8_t>(y);
        uint8_t* u = union_mask.ptr<uint8_t>(y + tile.y0) + tile.x0;
        int x = 0;
#if defined(__SSE2__)
        if (bytes == 1) {
            const __m128i zero = _mm_setzero_si128();
            for (; x + kBlock <= tile.width(); x += kBlock) {
                const __m128i set = _mm_andnot_si128(
                    _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t + x)), zero), _mm_set1_epi8(-1));
                __m128i* dst = reinterpret_cast<__m128i*>(u + x);
                _mm_storeu_si128(dst, _mm_or_si128(_mm_loadu_si128(dst), set));
            }
        }
#endif
        for (; x < tile.width(); ++x)
            if (element_nonzero(t + x * bytes, bytes)) u[x] = 255;
    }
}

// Copies the patch's pixels under the stamp's non-zero elements into the composite. Blocks of 16
// one-byte elements that are all set or all clear (the inside and outside of an object) are one
// copy or nothing.
void stamp_pixels(cv::Mat& composite, const cv::Mat& patch, const MaskTile& stamp, int x0, int y0) {
    const int bytes = static_cast<int>(stamp.data.elemSize());
    const size_t pixel = composite.elemSize();
    for (int y = 0; y < stamp.height(); ++y) {
        const uint8_t* m = stamp.data.ptr<uint8_t>(y);
        const int cy = stamp.y0 + y;
        uint8_t* out = composite.ptr<uint8_t>(cy) + static_cast<size_t>(stamp.x0) * pixel;
        const uint8_t* in = patch.ptr<uint8_t>(cy - y0) + static_cast<size_t>(stamp.x0 - x0) * pixel;
        int x = 0;
        if (bytes == 1) {
            for (; x + kBlock <= stamp.width(); x += kBlock) {
                const BlockFill fill = block_fill(m + x);
                if (fill == BlockFill::kAllZero) continue;
                if (fill == BlockFill::kAllSet) {
                    std::memcpy(out + x * pixel, in + x * pixel, kBlock * pixel);
                    continue;
                }
                for (int i = x; i < x + kBlock; ++i)
                    if (m[i]) std::memcpy(out + i * pixel, in + i * pixel, pixel);
            }
        }
        for (; x < stamp.width(); ++x)
            if (element_nonzero(m + x * bytes, bytes)) std::memcpy(out + x * pixel, in + x * pixel, pixel);
    }
}

// The donor's footprint in its own image: its mask's tight box (else its box), grown to hold its
// keypoints, clipped to the image.
cv::Rect donor_bounds(const Sample& donor) {
    const InstanceTable& r = donor.rows;
    cv::Rect bounds;
    if (r.has_masks && !r.masks[0].empty()) {
        bounds = r.masks[0].rect();
    } else if (r.has_boxes) {
        bounds = box_pixels(r.boxes[0]);
    } else {
        return {};
    }
    for (int64_t k = 0; k < r.keypoint_count(0); ++k) {
        const double* kp = r.keypoints.data() + (r.keypoint_offsets[0] + k) * kKeypointColumns;
        const int x = static_cast<int>(std::floor(kp[0])), y = static_cast<int>(std::floor(kp[1]));
        bounds |= cv::Rect(x, y, static_cast<int>(std::ceil(kp[0])) + 1 - x, static_cast<int>(std::ceil(kp[1])) + 1 - y);
    }
    return bounds & cv::Rect(0, 0, donor.width, donor.height);
}

// True when each of the 16 weights is 0 or 255.
inline bool uniform_weights(const uint8_t* a) {
#if defined(__SSE2__)
    const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a));
    const __m128i ends = _mm_or_si128(_mm_cmpeq_epi8(w, _mm_setzero_si128()), _mm_cmpeq_epi8(w, _mm_set1_epi8(-1)));
    return _mm_movemask_epi8(ends) == 0xFFFF;
#else
    for (int i = 0; i < kBlock; ++i)
        if (a[i] != 0 && a[i] != 255) return false;
    return true;
#endif
}

// Blends the stamped composite over the base with a Gaussian-feathered union mask. The alpha can be
// non-zero only within the kernel radius of a stamp, so the blur runs over each stamp's box grown by
// the kernel size (not the box around all stamps, mostly empty when they are spread out); a region
// read as a view of the whole mask sees its true neighbours, so overlapping regions get the same
// values. Elsewhere the alpha is zero and the composite already equals the base. The alpha is 8-bit
// (OpenCV's fixed-point Gaussian, several times faster than float): a weight error below 1/510,
// under half a grey level. The composite is blended in place.
void gaussian_blend(const cv::Mat& base, cv::Mat& composite, const cv::Mat& union_mask,
                    const std::vector<cv::Rect>& stamps, double sigma) {
    const int ksize = static_cast<int>(std::ceil(sigma * 6)) | 1;
    const cv::Rect image(0, 0, base.cols, base.rows);
    std::vector<cv::Rect> regions;
    cv::Rect roi;
    for (const cv::Rect& r : stamps) {
        regions.push_back(cv::Rect(r.x - ksize, r.y - ksize, r.width + 2 * ksize, r.height + 2 * ksize) & image);
        roi |= regions.back();
    }
    cv::Mat alpha = cv::Mat::zeros(roi.size(), CV_8U);
    for (const cv::Rect& region : regions) {
        cv::Mat part = alpha(region - roi.tl());
        cv::GaussianBlur(union_mask(region), part, cv::Size(ksize, ksize), sigma, sigma, cv::BORDER_CONSTANT);
    }
    const int channels = base.channels();
    const bool bytes = base.depth() == CV_8U;
    for (int y = 0; y < roi.height; ++y) {
        const uint8_t* a = alpha.ptr<uint8_t>(y);
        for (int x = 0; x < roi.width; ++x) {
            // Fully pasted: the composite is the answer. Zero (outside the pasted union, where the
            // composite is the base): no low-opacity halo. Only a feathered edge has work, so
            // blocks of 16 weights all 0 or 255 are skipped whole.
            if (x % kBlock == 0 && x + kBlock <= roi.width && uniform_weights(a + x)) {
                x += kBlock - 1;
                continue;
            }
            const int w = a[x];
            if (w == 255 || w == 0) continue;
            const int offset = (x + roi.x) * channels;
            if (bytes) {
                const uint8_t* b = base.ptr<uint8_t>(y + roi.y) + offset;
                uint8_t* c = composite.ptr<uint8_t>(y + roi.y) + offset;
                for (int ch = 0; ch < channels; ++ch) c[ch] = static_cast<uint8_t>((c[ch] * w + b[ch] * (255 - w) + 127) / 255);
            } else {
                const float wf = w / 255.0f;
                const float* b = base.ptr<float>(y + roi.y) + offset;
                float* c = composite.ptr<float>(y + roi.y) + offset;
                for (int ch = 0; ch < channels; ++ch) c[ch] = c[ch] * wf + b[ch] * (1 - wf);
            }
        }
    }
}

}  // namespace

void apply_copy_paste(Sample& sample, const Params& params, Random& rng, const std::vector<MixItem>& donors,
                      const BboxRules&) {
    resolve_masks(sample);  // every row below a donor may lose pixels: all masks are needed whole
    const auto sigma_range = params.range("blend_sigma_range");
    const auto scale_range = params.range("scale_range");
    const double sigma = rng.uniform(sigma_range[0], sigma_range[1]);
    const double jitter = rng.uniform(scale_range[0], scale_range[1]);
    const double min_visibility = params.number("min_visibility_after_paste");
    const double min_paste_area = static_cast<double>(params.integer("min_paste_area"));
    const bool gaussian = params.text("blend_mode") == "gaussian";
    if (donors.empty() || sample.image.empty()) return;

    const int width = sample.width, height = sample.height;
    InstanceTable& rows = sample.rows;
    const RowColumns donor_columns{rows.has_boxes, true, rows.has_keypoints, rows.mask_type};
    cv::Mat composite = sample.image.clone();
    cv::Mat union_mask = cv::Mat::zeros(height, width, CV_8U);
    std::vector<cv::Rect> stamp_boxes;
    // Each row's footprint before the paste: pixels (masks) or box pixels (no masks).
    std::vector<double> area_before(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows.has_masks) area_before[i] = static_cast<double>(tile_nonzero_count(rows.masks[i]));
        else if (rows.has_boxes) area_before[i] = (rows.boxes[i][2] - rows.boxes[i][0]) * (rows.boxes[i][3] - rows.boxes[i][1]);
    }
    std::vector<double> area_cut(rows.size(), 0.0);
    const std::size_t rows_before = rows.size();
    std::size_t pasted = 0;

    for (const MixItem& item : donors) check_item_pixels(item, sample, "CopyAndPaste");
    for (const MixItem& item : donors) {
        Sample donor = materialize_item(item, donor_columns);
        if (donor.rows.size() != 1) continue;
        const cv::Rect bounds = donor_bounds(donor);
        if (bounds.empty()) continue;
        // Shrink to fit the sample (never enlarge), then the shared jitter.
        const double fit = std::min({1.0, static_cast<double>(height) / bounds.height,
                                     static_cast<double>(width) / bounds.width});
        const double scale = std::min(fit, fit * jitter);
        int new_w = bounds.width, new_h = bounds.height;
        if (std::abs(scale - 1.0) >= 1e-6) {
            new_w = std::max(1, static_cast<int>(std::nearbyint(bounds.width * scale)));
            new_h = std::max(1, static_cast<int>(std::nearbyint(bounds.height * scale)));
        }
        if (static_cast<double>(new_w) * new_h < min_paste_area) continue;
        new_w = std::min(new_w, width);
        new_h = std::min(new_h, height);
        const int y0 = static_cast<int>(rng.randint(0, std::max(0, height - new_h)));
        const int x0 = static_cast<int>(rng.randint(0, std::max(0, width - new_w)));

        // Pixels: the cropped donor resized with INTER_AREA, as the reference.
        cv::Mat patch = donor.image(bounds);
        if (new_w != bounds.width || new_h != bounds.height) cv::resize(patch, patch, cv::Size(new_w, new_h), 0, 0, cv::INTER_AREA);
        // Geometry of the row: the same crop, resize and placement as steps.
        donor.image = cv::Mat();
        apply_step(donor, make_crop_step(donor.width, donor.height, bounds.x, bounds.y, bounds.width, bounds.height));
        if (new_w != bounds.width || new_h != bounds.height) {
            GeometricStep resize = make_resize_step(bounds.width, bounds.height, new_w, new_h, PixelOptions{});
            apply_step(donor, resize);
        }
        apply_step(donor, make_pad_step(new_w, new_h, y0, height - y0 - new_h, x0, width - x0 - new_w, PixelOptions{}));
        MaskTile& stamp = donor.rows.masks[0];
        if (stamp.empty()) continue;

        stamp_pixels(composite, patch, stamp, x0, y0);
        // Everything below loses what the donor covers: earlier rows and earlier donors alike.
        for (std::size_t i = 0; i < rows.size(); ++i)
            if (rows.has_masks) area_cut[i] += static_cast<double>(cut_tile(rows.masks[i], stamp));
        mark_union(union_mask, stamp);
        stamp_boxes.push_back(stamp.rect());
        ++pasted;

        // The pasted row's box: the tight box of its stamped mask, or its own box when it came
        // without a mask.
        std::array<double, 4> box{};
        double tight[4];
        if (rows.has_boxes) {
            box = donor.rows.boxes[0];
            if (!item.masks.empty() && tile_tight_box(stamp, tight)) box = {tight[0], tight[1], tight[2], tight[3]};
        }
        const int64_t n_kp = donor.rows.keypoint_count(0);
        rows.append_row(donor.rows.source_ids[0], box, rows.has_masks ? stamp : MaskTile{},
                        n_kp ? donor.rows.row_keypoints(0) : nullptr, n_kp);
        area_before.push_back(rows.has_masks ? static_cast<double>(tile_nonzero_count(stamp))
                                             : (box[2] - box[0]) * (box[3] - box[1]));
        area_cut.push_back(0.0);
    }
    if (pasted == 0) return;

    if (gaussian && sigma > 0) gaussian_blend(sample.image, composite, union_mask, stamp_boxes, sigma);
    sample.image = composite;

    // Rows without mask pixels (no masks bound, or a mask blank on input): the covered fraction of
    // their box. Pasted rows are judged by their masks only, which they do not have here: they stay.
    std::vector<uint8_t> by_box(rows.size(), 0);
    for (std::size_t i = 0; rows.has_boxes && i < rows_before; ++i) {
        if (rows.has_masks && area_before[i] > 0) continue;
        by_box[i] = 1;
        const auto& b = rows.boxes[i];
        const cv::Rect r = box_pixels(b) & cv::Rect(0, 0, width, height);
        if (r.empty()) continue;
        const double box_area = (b[2] - b[0]) * (b[3] - b[1]);
        area_before[i] = box_area;
        area_cut[i] = box_area * cv::countNonZero(union_mask(r)) / r.area();
    }
    std::vector<uint8_t> keep(rows.size(), 1);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (area_before[i] <= 0) continue;
        const double visibility = (area_before[i] - area_cut[i]) / area_before[i];
        keep[i] = visibility >= min_visibility && (by_box[i] || !(rows.has_masks && rows.masks[i].empty()));
        // An occluded row's box is the tight box of what is left of its mask.
        if (keep[i] && area_cut[i] > 0 && rows.has_masks && !by_box[i]) {
            tighten_tile(rows.masks[i]);
            double tight[4];
            if (rows.has_boxes && tile_tight_box(rows.masks[i], tight))
                rows.boxes[i] = {tight[0], tight[1], tight[2], tight[3]};
        }
    }
    rows.compact(keep);
}

void register_copy_paste(Registry& r) {
    TransformDecl d;
    d.name = "CopyAndPaste";
    d.kind = TransformKind::Mixing;
    d.mix_items = MixItemForm::Donor;
    d.params = {number_param("min_visibility_after_paste", 0.05).between(0.0, 1.0),
                choice_param("blend_mode", "hard", Json::array({"hard", "gaussian"})),
                range_param("blend_sigma_range", Json::array({1.0, 3.0})).between(0.0, std::nullopt).in("pixels"),
                range_param("scale_range", Json::array({1.0, 1.0})).between(1e-6, std::nullopt),
                integer_param("min_paste_area", 1).between(0, std::nullopt).in("pixels"),
                text_param("metadata_key", "copy_paste_metadata"),
                probability_param(0.5)};
    d.mix = apply_copy_paste;
    r.add(std::move(d));
}

}  // namespace instaug
