// The domain adaptations: HistogramMatching, FDA and PixelDistributionAdaptation bring the image
// towards a reference image the call gives (a list under metadata_key, one drawn per call). The
// reference is resized to each image (bilinear) and brought to its dtype as the reference library
// does (x / 255, or rint(x x 255)); its channels must be the image's. The arithmetic is the
// reference's, including its roundings (truncating casts to uint8).
#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/sample.hpp"
#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// One of the call's reference images, drawn as the reference's py_random.choice.
const cv::Mat& drawn_reference(const Params& params, const Sample& s, Random& rng, const std::string& name) {
    const std::string& key = params.text("metadata_key");
    const std::vector<cv::Mat>& images = call_image_list(s, key, name);
    return images[static_cast<std::size_t>(rng.randint(0, static_cast<int64_t>(images.size()) - 1))];
}

// The reference at the image's size and dtype (resized first, then converted, as the reference).
cv::Mat fitted_reference(const cv::Mat& reference, const cv::Mat& image, const Params& params, const std::string& name) {
    if (reference.channels() != image.channels())
        throw std::invalid_argument(name + ": the reference image (" + params.text("metadata_key") + "=) has " +
                                    std::to_string(reference.channels()) + " channels; the image has " +
                                    std::to_string(image.channels()));
    cv::Mat out = reference;
    if (out.size() != image.size()) cv::resize(reference, out, image.size(), 0, 0, cv::INTER_LINEAR);
    if (out.depth() != image.depth())
        out = image.depth() == CV_32F ? pixel::float32_io_in(out) : pixel::float32_io_out(out);
    return out;
}

// uint8 values of every channel counted.
std::vector<std::array<int64_t, 256>> counts_of(const cv::Mat& image) {
    const int channels = image.channels(), n = image.cols * channels;
    std::vector<std::array<int64_t, 256>> counts(channels);
    for (auto& c : counts) c.fill(0);
    for (int y = 0; y < image.rows; ++y) {
        const uint8_t* p = image.ptr<uint8_t>(y);
        for (int c = 0; c < channels; ++c) {
            int64_t* count = counts[c].data();
            for (int i = c; i < n; i += channels) ++count[p[i]];
        }
    }
    return counts;
}

// numpy's interp(x, xp, fp) for increasing xp, operation for operation.
double interp(double x, const std::vector<double>& xp, const std::vector<double>& fp) {
    const std::size_t n = xp.size();
    if (x < xp[0]) return fp[0];
    if (x >= xp[n - 1]) return fp[n - 1];
    const std::size_t j = static_cast<std::size_t>(std::upper_bound(xp.begin(), xp.end(), x) - xp.begin()) - 1;
    if (xp[j] == x) return fp[j];
    const double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
    return slope * (x - xp[j]) + fp[j];
}

// skimage's _match_cumulative_cdf as a table: each source value to the template value at its
// quantile, truncated.
std::array<uint8_t, 256> matching_table(const std::array<int64_t, 256>& source, const std::array<int64_t, 256>& tmpl,
                                        double size) {
    std::vector<double> values, quantiles;
    int64_t sum = 0;
    for (int v = 0; v < 256; ++v)
        if (tmpl[v] > 0) {
            sum += tmpl[v];
            values.push_back(v);
            quantiles.push_back(static_cast<double>(sum) / size);
        }
    std::array<uint8_t, 256> table{};
    sum = 0;
    for (int v = 0; v < 256; ++v) {
        sum += source[v];
        if (source[v] > 0) table[v] = static_cast<uint8_t>(interp(static_cast<double>(sum) / size, quantiles, values));
    }
    return table;
}

// albucore's uint8 add_weighted (NumKong's blend) of two values: float(a x alpha) + b x beta
// rounded once to float, then half to even.
uint8_t blend_uint8(uint8_t a, float alpha, uint8_t b, float beta) {
    const float sum = static_cast<float>(static_cast<double>(a * alpha) + static_cast<double>(b) * beta);
    return cv::saturate_cast<uint8_t>(cvRound(static_cast<double>(sum)));
}

// The matched image blended with the image (matched x blend + image x (1 - blend)); both are
// functions of the pixel's value: one table per channel (blend 1: the matched image).
cv::Mat match_histograms(const cv::Mat& image, const cv::Mat& reference, double blend = 1) {
    const auto source = counts_of(image), tmpl = counts_of(reference);
    const int channels = image.channels();
    const double size = static_cast<double>(image.total());
    const float alpha = static_cast<float>(blend), beta = static_cast<float>(1 - blend);
    cv::Mat tables(1, 256, CV_MAKETYPE(CV_8U, channels));
    auto* t = tables.ptr<uint8_t>();
    for (int c = 0; c < channels; ++c) {
        const auto matched = matching_table(source[c], tmpl[c], size);
        for (int v = 0; v < 256; ++v)
            t[v * channels + c] = blend_uint8(matched[v], alpha, static_cast<uint8_t>(v), beta);
    }
    cv::Mat out;
    cv::LUT(image, tables, out);
    return out;
}

cv::Mat blend_float(const cv::Mat& a, double alpha, const cv::Mat& b, double beta) {
    cv::Mat out;
    cv::addWeighted(a, alpha, b, beta, 0, out, CV_32F);
    return out;
}

// np.clip(v, 0, 255).astype(np.uint8) of float values: truncation.
cv::Mat truncated_uint8(const cv::Mat& values) {
    cv::Mat f;
    values.convertTo(f, CV_64F);
    cv::Mat out(values.size(), CV_MAKETYPE(CV_8U, values.channels()));
    const int n = values.cols * values.channels();
    for (int y = 0; y < f.rows; ++y) {
        const double* p = f.ptr<double>(y);
        uint8_t* o = out.ptr<uint8_t>(y);
        for (int i = 0; i < n; ++i) o[i] = p[i] > 0 ? static_cast<uint8_t>(std::min(p[i], 255.0)) : 0;  // NaN: 0
    }
    return out;
}

// ---- HistogramMatching: each channel's histogram matched to the reference's, blended ------------
cv::Mat histogram_matching(const cv::Mat& image, const Params& params, Random& rng, const Sample& s) {
    const cv::Mat& chosen = drawn_reference(params, s, rng, "HistogramMatching");
    const double blend = pixel::draw(params, "blend_ratio", rng);
    rng.note("blend_ratio", blend);
    const cv::Mat reference = fitted_reference(chosen, image, params, "HistogramMatching");
    if (image.depth() == CV_8U) return match_histograms(image, reference, blend);
    // uint8_io: matched on rint(x 255), back as / 255.
    const cv::Mat matched = pixel::float32_io_in(
        match_histograms(pixel::float32_io_out(image), pixel::float32_io_out(reference)));
    return pixel::clip01(blend_float(matched, blend, image, 1 - blend));
}

// ---- FDA: the low frequencies' amplitude taken from the reference, the phase kept ---------------
// The centred window of the shifted spectrum whose amplitude is swapped, as rows or columns
// [first, last) of the shifted axis (the reference's low_freq_mutate).
std::array<int, 2> swapped_span(int size, int border) {
    const double centre = size / 2.0 - 0.5;
    return {std::max(0, static_cast<int>(centre - border)), std::min(static_cast<int>(centre + border), size)};
}

cv::Mat spectrum_of(const cv::Mat& plane) {
    cv::Mat spectrum;
    cv::dft(plane, spectrum, cv::DFT_COMPLEX_OUTPUT);
    return spectrum;
}

cv::Mat fda_plane(const cv::Mat& plane, const cv::Mat& target, int border) {
    cv::Mat spectrum = spectrum_of(plane);
    const cv::Mat target_spectrum = spectrum_of(target);
    const int rows = plane.rows, cols = plane.cols;
    const auto ys = swapped_span(rows, border), xs = swapped_span(cols, border);
    // Shifted index k is frequency (k - n / 2) mod n (fftshift).
    for (int k = ys[0]; k < ys[1]; ++k) {
        const int y = ((k - rows / 2) % rows + rows) % rows;
        auto* p = spectrum.ptr<cv::Vec2d>(y);
        const auto* t = target_spectrum.ptr<cv::Vec2d>(y);
        for (int m = xs[0]; m < xs[1]; ++m) {
            const int x = ((m - cols / 2) % cols + cols) % cols;
            const double amplitude = std::hypot(t[x][0], t[x][1]);
            const double phase = std::atan2(p[x][1], p[x][0]);
            p[x] = cv::Vec2d(amplitude * std::cos(phase), amplitude * std::sin(phase));
        }
    }
    cv::Mat inverse, planes[2];
    cv::dft(spectrum, inverse, cv::DFT_INVERSE | cv::DFT_SCALE | cv::DFT_COMPLEX_OUTPUT);
    cv::split(inverse, planes);
    return planes[0];
}

cv::Mat fda(const cv::Mat& image, const Params& params, Random& rng, const Sample& s) {
    const cv::Mat& chosen = drawn_reference(params, s, rng, "FDA");
    const double beta = pixel::draw(params, "beta_range", rng);
    rng.note("beta_range", beta);
    const cv::Mat reference = fitted_reference(chosen, image, params, "FDA");
    const int border = static_cast<int>(std::floor(std::min(image.rows, image.cols) * beta));
    const bool is_float = image.depth() == CV_32F;
    // No window: the inverse transform gives the image back (to well below float32's precision).
    if (border == 0) return is_float ? pixel::clip01(image.clone()) : image.clone();
    cv::Mat source, target;
    image.convertTo(source, CV_64F);
    reference.convertTo(target, CV_64F);
    std::vector<cv::Mat> planes, targets, out(image.channels());
    cv::split(source, planes);
    cv::split(target, targets);
    for (int c = 0; c < image.channels(); ++c) fda_plane(planes[c], targets[c], border).convertTo(out[c], CV_32F);
    cv::Mat merged;
    cv::merge(out, merged);
    return is_float ? pixel::clip01(merged) : truncated_uint8(merged);
}

// ---- PixelDistributionAdaptation: the image's statistics replaced by the reference's ------------
// Pixels as rows of channels, x / 255 in float32 (the reference's flatten).
cv::Mat flattened(const cv::Mat& image8) {
    return pixel::float32_io_in(image8.isContinuous() ? image8 : image8.clone()).reshape(1, static_cast<int>(image8.total()));
}

struct Pca {
    cv::Mat mean, components;  // 1 x d; d x d, one eigenvector per row, largest eigenvalue first
};

// The rows' mean and the eigenvectors of their covariance (float64, one pass over the pixels),
// what cv::PCACompute finds with every component kept, without its N x d float64 copies.
Pca fit_pca(const cv::Mat& rows32) {
    const int d = rows32.cols;
    std::vector<double> sum(static_cast<std::size_t>(d)), products(static_cast<std::size_t>(d * d));
    for (int r = 0; r < rows32.rows; ++r) {
        const float* p = rows32.ptr<float>(r);
        for (int i = 0; i < d; ++i) {
            sum[static_cast<std::size_t>(i)] += p[i];
            for (int j = 0; j <= i; ++j) products[static_cast<std::size_t>(i * d + j)] += static_cast<double>(p[i]) * p[j];
        }
    }
    const double n = std::max(1, rows32.rows);
    Pca pca;
    pca.mean = cv::Mat(1, d, CV_64F);
    cv::Mat covariance(d, d, CV_64F);
    for (int i = 0; i < d; ++i) pca.mean.at<double>(i) = sum[static_cast<std::size_t>(i)] / n;
    for (int i = 0; i < d; ++i)
        for (int j = 0; j <= i; ++j)
            covariance.at<double>(i, j) = covariance.at<double>(j, i) =
                products[static_cast<std::size_t>(i * d + j)] / n - pca.mean.at<double>(i) * pca.mean.at<double>(j);
    cv::Mat eigenvalues;
    cv::eigen(covariance, eigenvalues, pca.components);
    return pca;
}

double trace_sign(const cv::Mat& components) {
    const double t = cv::trace(components)[0];
    return (t > 0) - (t < 0);
}

// Projected on the image's components and back from the reference's: x -> (x - m_s) C_s^T C_t + m_t,
// one affine map of each pixel's channels, applied in float64.
cv::Mat pca_adapted(const cv::Mat& pixels, const cv::Mat& reference_pixels) {
    Pca target = fit_pca(reference_pixels);
    const Pca source = fit_pca(pixels);
    if (trace_sign(target.components) != trace_sign(source.components)) target.components *= -1;
    const cv::Mat linear = source.components.t() * target.components;  // d x d, on row vectors
    const cv::Mat offset = target.mean - source.mean * linear;
    cv::Mat affine;
    cv::hconcat(linear.t(), offset.t(), affine);  // cv::transform's d x (d + 1), on column vectors
    cv::Mat rows, back;
    pixels.reshape(pixels.cols, pixels.rows).convertTo(rows, CV_64F);
    cv::transform(rows, back, affine);
    return back.reshape(1, pixels.rows);
}

// Per-column statistics in float32: the mean and the scale (the standard deviation, or the range),
// a zero scale taken as 1.
struct Scaling {
    std::vector<float> offset, scale;
};

Scaling standard_of(const cv::Mat& rows) {
    Scaling s;
    cv::Mat m, d;
    cv::meanStdDev(rows.reshape(rows.cols, rows.rows), m, d);
    for (int c = 0; c < rows.cols; ++c) {
        s.offset.push_back(static_cast<float>(m.at<double>(c)));
        const float scale = static_cast<float>(d.at<double>(c));
        s.scale.push_back(scale == 0 ? 1.0f : scale);
    }
    return s;
}

Scaling minmax_of(const cv::Mat& rows) {
    Scaling s;
    for (int c = 0; c < rows.cols; ++c) {
        double lo = 0, hi = 0;
        cv::minMaxLoc(rows.col(c), &lo, &hi);
        const float range = static_cast<float>(hi) - static_cast<float>(lo);
        s.offset.push_back(static_cast<float>(lo));
        s.scale.push_back(range == 0 ? 1.0f : range);
    }
    return s;
}

// (x - source offset) / source scale x target scale + target offset, in float32 step by step.
cv::Mat rescaled(const cv::Mat& rows, const Scaling& source, const Scaling& target) {
    cv::Mat out(rows.size(), CV_32F);
    for (int y = 0; y < rows.rows; ++y) {
        const float* p = rows.ptr<float>(y);
        float* o = out.ptr<float>(y);
        for (int c = 0; c < rows.cols; ++c) {
            const float standard = (p[c] - source.offset[c]) / source.scale[c];
            const float scaled = standard * target.scale[c];
            o[c] = scaled + target.offset[c];
        }
    }
    return out;
}

cv::Mat pixel_distribution_adaptation(const cv::Mat& image, const Params& params, Random& rng, const Sample& s) {
    const double weight = pixel::draw(params, "blend_ratio", rng);
    rng.note("blend_ratio", weight);
    const cv::Mat& chosen = drawn_reference(params, s, rng, "PixelDistributionAdaptation");
    const cv::Mat reference = fitted_reference(chosen, image, params, "PixelDistributionAdaptation");
    const bool is_float = image.depth() == CV_32F;
    const cv::Mat image8 = is_float ? pixel::float32_io_out(image) : image;
    const cv::Mat reference8 = is_float ? pixel::float32_io_out(reference) : reference;
    const cv::Mat pixels = flattened(image8), reference_pixels = flattened(reference8);
    const std::string& type = params.text("transform_type");
    cv::Mat adapted;
    if (type == "pca")
        adapted = pca_adapted(pixels, reference_pixels);
    else if (type == "standard")
        adapted = rescaled(pixels, standard_of(pixels), standard_of(reference_pixels));
    else
        adapted = rescaled(pixels, minmax_of(pixels), minmax_of(reference_pixels));
    // The reference clips the [0, 1] values as uint8 values (np.clip(v, 0, 255).astype(np.uint8)).
    cv::Mat transformed;
    truncated_uint8(adapted).reshape(image.channels(), image.rows).convertTo(transformed, CV_32F);
    cv::Mat original;
    image8.convertTo(original, CV_32F);
    const cv::Mat blended = blend_float(original, 1 - weight, transformed, weight);
    // Blended on the uint8 scale: a float32 image comes back clipped to [0, 1], as the reference's.
    return is_float ? pixel::clip01(blended) : truncated_uint8(blended);
}

TransformDecl with_sample(TransformDecl decl, SamplePixelOp op) {
    decl.pixels = nullptr;
    decl.sample_pixels = std::move(op);
    return decl;
}

}  // namespace

void register_domain_adaptation(Registry& r) {
    r.add(with_sample(pixel::pixel_transform("HistogramMatching",
                                             {range_param("blend_ratio", Json::array({0.5, 1.0})).between(0.0, 1.0),
                                              text_param("metadata_key", "hm_metadata")},
                                             nullptr),
                      histogram_matching));
    r.add(with_sample(pixel::pixel_transform("FDA",
                                             {range_param("beta_range", Json::array({0, 0.1})).between(0.0, 0.5),
                                              text_param("metadata_key", "fda_metadata")},
                                             nullptr),
                      fda));
    r.add(with_sample(
        pixel::pixel_transform("PixelDistributionAdaptation",
                               {range_param("blend_ratio", Json::array({0.25, 1.0})).between(0.0, 1.0),
                                choice_param("transform_type", "pca", Json::array({"pca", "standard", "minmax"})),
                                text_param("metadata_key", "pda_metadata")},
                               nullptr),
        pixel_distribution_adaptation));
}

}  // namespace instaug
