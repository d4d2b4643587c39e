// AutoContrast, Equalize, ToSepia and FancyPCA: colour maps computed from the image itself (its
// histograms, its channel covariance) or fixed (sepia). uint8 images are their native domain;
// float32 images go through uint8 where the reference does (AutoContrast, Equalize).
#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "kernels/table_chain.hpp"
#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

using Histogram = std::array<double, 256>;

Histogram histogram_of(const cv::Mat& plane, const cv::Mat& mask = cv::Mat()) {
    Histogram h{};
    for (int y = 0; y < plane.rows; ++y) {
        const uint8_t* v = plane.ptr<uint8_t>(y);
        const uint8_t* m = mask.empty() ? nullptr : mask.ptr<uint8_t>(y);
        for (int x = 0; x < plane.cols; ++x)
            if (!m || m[x]) h[v[x]] += 1;
    }
    return h;
}

// Half to even, as NumPy's round and rint.
double round_even(double v) { return std::nearbyint(v); }

// A table whose entries are `lut`; the identity where none was computed.
Table8 identity_table() { return table_of([](int v) { return v; }); }

// ---- AutoContrast: stretch [lo, hi] of each channel's histogram to [0, 255] -------------------
// The reference's get_histogram_bounds, its quirks included: with a cutoff, the low bound is the
// bin after the one where the cut count is reached.
std::pair<int, int> histogram_bounds(const Histogram& h, double cutoff) {
    if (cutoff == 0) {
        int lo = -1, hi = -1;
        for (int i = 0; i < 256; ++i)
            if (h[i] != 0) {
                if (lo < 0) lo = i;
                hi = i;
            }
        return lo < 0 ? std::make_pair(0, 0) : std::make_pair(lo, hi);
    }
    double total = 0;
    for (double c : h) total += c;
    if (total == 0) return {0, 0};
    const double cut = total * cutoff / 100.0;
    if (std::all_of(h.begin(), h.end(), [&](double c) { return c == h[0]; })) {
        const int lo = static_cast<int>(256 * cutoff / 100);
        return {lo, 256 - lo - 1};
    }
    int lo = 0, hi = 255;
    double sum = 0;
    for (int i = 0; i < 256; ++i) {
        sum += h[i];
        if (sum >= cut) {
            lo = i + 1;
            break;
        }
    }
    lo = std::min(lo, 255);
    sum = 0;
    for (int i = 255; i >= 0; --i) {
        sum += h[i];
        if (sum >= cut) {
            hi = i;
            break;
        }
    }
    if (lo > hi) return {127, 127};
    return {lo, hi};
}

// The reference's create_contrast_lut, in its float32 arithmetic (histograms are float32 there).
Table8 contrast_table(const Histogram& h, int lo, int hi, bool cdf) {
    Table8 t{};
    if (cdf) {
        std::array<float, 256> sums{};
        float sum = 0;
        for (int i = lo; i <= hi; ++i) sums[i] = sum += static_cast<float>(h[i]);
        if (sums[hi] == 0) return identity_table();
        const float first = sums[lo], span = sums[hi] - sums[lo];
        for (int i = lo; i <= hi; ++i) {
            // A flat CDF divides 0 by 0: NaN, which NumPy's uint8 cast turns into 0.
            const float v = (sums[i] - first) * 255.0f / span;
            t[i] = std::isnan(v) ? 0 : static_cast<uint8_t>(std::clamp(round_even(v), 0.0, 255.0));
        }
    } else {
        const float scale = static_cast<float>(255.0 / (hi - lo));
        for (int i = lo; i <= hi; ++i)
            t[i] = static_cast<uint8_t>(std::clamp(round_even(static_cast<float>(i - lo) * scale), 0.0, 255.0));
    }
    for (int i = hi + 1; i < 256; ++i) t[i] = 255;
    return t;
}

// One channel's table; nothing (the channel unchanged) when its bounds are empty.
// `drop_top`: the reference's histograms span [0, 255), so 255 is not counted; only its one-channel
// PIL route without cutoff or ignore reads the true minimum and maximum.
std::optional<Table8> auto_contrast_table(const cv::Mat& plane, double cutoff, std::optional<int> ignore, bool cdf,
                                          bool drop_top) {
    cv::Mat kept;
    if (ignore) cv::compare(plane, *ignore, kept, cv::CMP_NE);
    Histogram h = histogram_of(plane, kept);
    if (drop_top) h[255] = 0;
    const auto [lo, hi] = histogram_bounds(h, cutoff);
    if (hi <= lo) return std::nullopt;
    Table8 t = contrast_table(h, lo, hi, cdf);
    if (ignore) t[*ignore] = static_cast<uint8_t>(*ignore);
    return t;
}

cv::Mat auto_contrast_bytes(const cv::Mat& image, const Params& params) {
    const double cutoff = params.number("cutoff");
    const std::optional<int> ignore = params.is_none("ignore") ? std::nullopt : std::optional<int>(params.integer32("ignore"));
    const bool cdf = params.text("method") == "cdf";
    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    const bool drop_top = cdf || cutoff != 0 || ignore || image.channels() > 1;
    std::vector<Table8> tables;
    for (int c = 0; c < image.channels(); ++c) {
        // The reference leaves alone the channel whose index equals `ignore` (an intensity) on
        // multi-channel images; mirrored so that outputs agree.
        const bool skipped = image.channels() > 1 && ignore && *ignore == c;
        const std::optional<Table8> t = skipped ? std::nullopt : auto_contrast_table(planes[c], cutoff, ignore, cdf, drop_top);
        tables.push_back(t ? *t : identity_table());
    }
    return apply_tables(image, tables);
}

cv::Mat auto_contrast(const cv::Mat& image, const Params& params, Random&) {
    return pixel::through_uint8(image, [&](const cv::Mat& bytes) { return auto_contrast_bytes(bytes, params); });
}

// ---- Equalize: histogram equalisation, OpenCV's or Pillow's, per channel or of the luma ----------
// Pillow's ImageOps.equalize: a step of (all but the last used bin) / 255, each entry emitted
// before its own bin is added.
cv::Mat equalize_pil(const cv::Mat& plane) {
    const Histogram h = histogram_of(plane);
    double used = 0, last_used = 0;
    int bins = 0;
    for (double c : h)
        if (c > 0) {
            used += c;
            last_used = c;
            ++bins;
        }
    if (bins <= 1) return plane.clone();
    const int64_t step = static_cast<int64_t>(used - last_used) / 255;
    if (step == 0) return plane.clone();
    Table8 t{};
    int64_t below = 0;
    for (int i = 0; i < 256; ++i) {
        t[i] = static_cast<uint8_t>(std::min<int64_t>((below + step / 2) / step, 255));
        below += static_cast<int64_t>(h[i]);
    }
    return apply_tables(plane, {t});
}

cv::Mat equalize_plane(const cv::Mat& plane, bool pil) {
    if (pil) return equalize_pil(plane);
    cv::Mat out;
    cv::equalizeHist(plane, out);
    return out;
}

cv::Mat equalize_bytes(const cv::Mat& image, const Params& params) {
    const bool pil = params.text("mode") == "pil";
    if (image.channels() == 1) return equalize_plane(image, pil);
    if (!params.flag("by_channels")) {
        cv::Mat ycrcb, out;
        cv::cvtColor(image, ycrcb, cv::COLOR_RGB2YCrCb);
        std::vector<cv::Mat> planes;
        cv::split(ycrcb, planes);
        planes[0] = equalize_plane(planes[0], pil);
        cv::merge(planes, ycrcb);
        cv::cvtColor(ycrcb, out, cv::COLOR_YCrCb2RGB);
        return out;
    }
    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    for (cv::Mat& p : planes) p = equalize_plane(p, pil);
    cv::Mat out;
    cv::merge(planes, out);
    return out;
}

cv::Mat equalize(const cv::Mat& image, const Params& params, Random& rng) {
    pixel::require_grey_or_rgb(image, "Equalize");
    // What the reference reports for a mask it does not draw.
    rng.note("mask", nullptr);
    rng.note("mask_params", Json::array());
    return pixel::through_uint8(image, [&](const cv::Mat& bytes) { return equalize_bytes(bytes, params); });
}

// ---- ToSepia: the fixed sepia matrix on RGB; grey images are left as they are -----------------
cv::Mat to_sepia(const cv::Mat& image, const Params&, Random&) {
    pixel::require_grey_or_rgb(image, "ToSepia");
    if (image.channels() == 1) return image;
    const cv::Matx33d sepia(0.393, 0.769, 0.189, 0.349, 0.686, 0.168, 0.272, 0.534, 0.131);
    cv::Mat out;
    // cv::transform's vector and scalar paths round float32 differently, and which one a pixel
    // takes depends on the image's row layout: a view is made contiguous so results do not.
    cv::transform(image.isContinuous() ? image : image.clone(), out, sepia);  // uint8: rounded and saturated
    return image.depth() == CV_32F ? pixel::clip01(out) : out;
}

// ---- FancyPCA: each pixel moved along the principal components of the channel values ----------
// noise = V diag(alpha * lambda) (pixel - mean), the reference's formula: the covariance's eigenvectors
// V (unbiased, as NumPy's cov) and eigenvalues lambda in descending order, applied to the centred
// channel values themselves (no projection onto the components first). One channel: alpha * std.
cv::Mat pca_mix(const cv::Mat& centered, const std::vector<double>& alpha) {
    const int n = centered.rows, channels = centered.cols;
    if (channels == 1) {
        cv::Scalar mean, stddev;
        cv::meanStdDev(centered, mean, stddev);
        return cv::Mat::eye(1, 1, CV_64F) * (alpha[0] * stddev[0]);
    }
    if (n < 2) return cv::Mat::zeros(channels, channels, CV_64F);  // one pixel: it is its own mean
    cv::Mat covariance, values, vectors;
    cv::mulTransposed(centered, covariance, true, cv::noArray(), 1.0 / (n - 1), CV_64F);
    if (!cv::checkRange(covariance)) return cv::Mat::zeros(channels, channels, CV_64F);  // NaN or inf pixels
    cv::eigen(covariance, values, vectors);  // descending; eigenvectors as rows
    cv::Mat scaled = vectors.t();
    for (int k = 0; k < channels; ++k) scaled.col(k) *= alpha[k] * values.at<double>(k);
    return scaled;
}

cv::Mat fancy_pca(const cv::Mat& image, const Params& params, Random& rng) {
    const int channels = image.channels();
    std::vector<double> alpha(channels);
    for (double& a : alpha) a = rng.normal(0.0, params.number("alpha"));
    const cv::Mat f = image.depth() == CV_8U ? pixel::to_float32(image) : image.clone();
    const cv::Mat flat = f.reshape(1, static_cast<int>(f.total()));
    cv::Mat mean;
    cv::reduce(flat, mean, 0, cv::REDUCE_AVG, CV_32F);
    const cv::Mat centered = flat - cv::repeat(mean, flat.rows, 1);
    cv::Mat mix;
    pca_mix(centered, alpha).convertTo(mix, CV_32F);
    cv::Mat moved;
    cv::gemm(centered, mix, 1.0, flat, 1.0, moved, cv::GEMM_2_T);  // flat + centered * mix^T
    moved = pixel::clip01(moved.reshape(channels, image.rows));
    return image.depth() == CV_8U ? pixel::to_uint8(moved) : moved;
}

}  // namespace

void register_colour_effects(Registry& r) {
    r.add(pixel::pixel_transform("AutoContrast",
                                 {number_param("cutoff", 0).between(0.0, 100.0).in("percent of the pixels"),
                                  integer_param("ignore", nullptr).between(0, 255).in("intensity"),
                                  choice_param("method", "cdf", Json::array({"cdf", "pil"}))},
                                 auto_contrast));
    ParamDecl mask_params = names_param("mask_params");
    mask_params.default_value = Json::array();
    mask_params.nullable = false;
    TransformDecl equalize_decl = pixel::pixel_transform(
        "Equalize",
        {choice_param("mode", "cv", Json::array({"cv", "pil"})), flag_param("by_channels", true),
         mapping_param("mask"), std::move(mask_params)},
        equalize);
    equalize_decl.check = [](const std::string& owner, const Params& p) {
        if (!p.is_none("mask"))
            throw std::invalid_argument(owner + ": mask must be None: instaug equalizes the whole image (masks "
                                                "and mask functions are not supported)");
    };
    r.add(std::move(equalize_decl));
    r.add(pixel::pixel_transform("ToSepia", {}, to_sepia));
    r.add(pixel::pixel_transform("FancyPCA", {number_param("alpha", 0.1).between(0.0, std::nullopt)}, fancy_pca));
}

}  // namespace instaug
