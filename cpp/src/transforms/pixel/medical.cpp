// Medical acquisition artifacts: GibbsRinging (a truncated spectrum), RicianNoise (magnitude of a
// complex signal with Gaussian noise on both parts), KSpaceSpikeNoise (spikes in the spectrum),
// BiasField (a smooth multiplicative gain) and HEStain (histology stain concentrations perturbed).
// All work on [0, 1] float32 values, as the reference; uint8 images go there and back (x 255, rounded).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/math_constants.hpp"
#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

using pixel::draw;

cv::Mat as_unit_float(const cv::Mat& image) {
    if (image.depth() == CV_8U) return pixel::to_float32(image);
    return image.clone();  // the caller writes into it
}

// Clipped to [0, 1] and back to the input's dtype (uint8: x 255, rounded).
cv::Mat back_to_dtype(const cv::Mat& input, cv::Mat f) {
    pixel::clip01(f);
    return input.depth() == CV_8U ? pixel::to_uint8(f) : f;
}

cv::Mat normal_field(int rows, int cols, int channels, double stddev, Random& rng) {
    cv::Mat field(rows, cols, CV_MAKETYPE(CV_32F, channels));
    cv::RNG(rng.next_u64()).fill(field, cv::RNG::NORMAL, cv::Scalar::all(0.0), cv::Scalar::all(1.0));
    field *= static_cast<float>(stddev);  // float32 x std, as the reference's in-place multiply
    return field;
}

// ---- GibbsRinging: keep signed frequencies |k| <= floor(f * N / 2) on both axes ----------------
// The kept box is a product of a row mask and a column mask, so the 2-D truncation is two 1-D
// ones: each row's real spectrum (OpenCV's packed Re0, Re1, Im1, ... layout) cut after bin `cut`,
// then the same on the columns. Real transforms only, and an axis that keeps all its bins is skipped.
void truncate_rows(cv::Mat& plane, int cut) {
    if (cut >= plane.cols / 2) return;
    cv::Mat spectrum;
    cv::dft(plane, spectrum, cv::DFT_ROWS);
    spectrum.colRange(2 * cut + 1, spectrum.cols).setTo(0);
    cv::dft(spectrum, plane, cv::DFT_ROWS | cv::DFT_INVERSE | cv::DFT_SCALE | cv::DFT_REAL_OUTPUT);
}

// Rows first: their spectra keep columns 0 .. 2 cut_x; the column truncation, a real operator, is
// applied to those columns of the row spectra only (the others are zero), then the rows go back.
void truncate_spectrum(cv::Mat& plane, int cut_y, int cut_x) {
    const bool cut_rows = cut_x < plane.cols / 2, cut_columns = cut_y < plane.rows / 2;
    if (!cut_rows) {
        cv::Mat columns;
        cv::transpose(plane, columns);
        truncate_rows(columns, cut_y);
        cv::transpose(columns, plane);
        return;
    }
    cv::Mat spectrum;
    cv::dft(plane, spectrum, cv::DFT_ROWS);
    spectrum.colRange(2 * cut_x + 1, spectrum.cols).setTo(0);
    if (cut_columns) {
        cv::Mat kept = spectrum.colRange(0, 2 * cut_x + 1), columns;
        cv::transpose(kept, columns);
        truncate_rows(columns, cut_y);
        cv::transpose(columns, kept);
    }
    cv::dft(spectrum, plane, cv::DFT_ROWS | cv::DFT_INVERSE | cv::DFT_SCALE | cv::DFT_REAL_OUTPUT);
}

cv::Mat gibbs_ringing(const cv::Mat& image, const Params& params, Random& rng) {
    const double fraction = draw(params, "retained_fraction_range", rng);
    rng.note("retained_fraction_range", Json::array({fraction, fraction}));
    if (image.depth() == CV_32F && !cv::checkRange(image))
        throw std::invalid_argument("GibbsRinging requires finite inputs");
    const int cut_y = static_cast<int>(fraction * image.rows / 2), cut_x = static_cast<int>(fraction * image.cols / 2);
    if (fraction == 1 || (cut_y >= image.rows / 2 && cut_x >= image.cols / 2)) return image.clone();
    std::vector<cv::Mat> planes;
    cv::split(as_unit_float(image), planes);
    for (cv::Mat& plane : planes) truncate_spectrum(plane, cut_y, cut_x);
    cv::Mat out;
    cv::merge(planes, out);
    return back_to_dtype(image, out);
}

// ---- RicianNoise: sqrt((x + n_re)^2 + n_im^2), one noise pair per pixel (or per value) ---------
cv::Mat rician_noise(const cv::Mat& image, const Params& params, Random& rng) {
    const double stddev = draw(params, "std_range", rng);
    rng.note("std_range", stddev);
    if (stddev == 0) return image.clone();
    const int channels = image.channels(), noise_channels = params.flag("per_channel") ? channels : 1;
    const cv::Mat real = normal_field(image.rows, image.cols, noise_channels, stddev, rng);
    const cv::Mat imaginary = normal_field(image.rows, image.cols, noise_channels, stddev, rng);
    cv::Mat f = as_unit_float(image);
    for (int y = 0; y < f.rows; ++y) {
        float* v = f.ptr<float>(y);
        const float* re = real.ptr<float>(y);
        const float* im = imaginary.ptr<float>(y);
        for (int x = 0; x < f.cols; ++x)
            for (int c = 0; c < channels; ++c) {
                const int n = x * noise_channels + (noise_channels > 1 ? c : 0);
                const float a = v[x * channels + c] + re[n];
                v[x * channels + c] = std::sqrt(a * a + im[n] * im[n]);
            }
    }
    return back_to_dtype(image, f);
}

// ---- KSpaceSpikeNoise ------------------------------------------------------------------------
// A real amplitude a added at frequency k and at its mirror -k (once where k = -k) adds
// (a / (H W)) x (2 or 1) x cos(2 pi (ky y / H + kx x / W)) to the image: the reference's inverse FFT
// of the spiked spectrum, written out (no transform back needed).
struct Spike {
    int ky, kx;
};

// The largest spectrum magnitude of a plane: the sum (the DC term) when no value is negative,
// since |F(k)| <= sum |x| = F(0) then; otherwise from the spectrum.
double max_magnitude(const cv::Mat& plane) {
    double low, high;
    cv::minMaxLoc(plane, &low, &high);
    if (low >= 0) return cv::sum(plane)[0];
    cv::Mat spectrum, parts[2], magnitude;
    cv::dft(plane, spectrum, cv::DFT_COMPLEX_OUTPUT);
    cv::split(spectrum, parts);
    cv::magnitude(parts[0], parts[1], magnitude);
    cv::minMaxLoc(magnitude, nullptr, &high);
    return high;
}

void add_spikes(cv::Mat& plane, const std::vector<Spike>& spikes, double amplitude) {
    const int rows = plane.rows, cols = plane.cols;
    cv::Mat pattern = cv::Mat::zeros(rows, cols, CV_64F);
    std::vector<double> cy(rows), sy(rows), cx(cols), sx(cols);
    for (const Spike& s : spikes) {
        const bool self_mirror = (2 * s.ky) % rows == 0 && (2 * s.kx) % cols == 0;
        const double weight = amplitude * (self_mirror ? 1.0 : 2.0) / (static_cast<double>(rows) * cols);
        for (int y = 0; y < rows; ++y) {
            // Reduced modulo the period before the angle, so that large indices stay exact.
            const double angle = 2 * kPi * ((static_cast<int64_t>(s.ky) * y) % rows) / rows;
            cy[y] = std::cos(angle) * weight;
            sy[y] = std::sin(angle) * weight;
        }
        for (int x = 0; x < cols; ++x) {
            const double angle = 2 * kPi * ((static_cast<int64_t>(s.kx) * x) % cols) / cols;
            cx[x] = std::cos(angle);
            sx[x] = std::sin(angle);
        }
        for (int y = 0; y < rows; ++y) {
            double* p = pattern.ptr<double>(y);
            for (int x = 0; x < cols; ++x) p[x] += cy[y] * cx[x] - sy[y] * sx[x];  // cos(a + b)
        }
    }
    cv::Mat change;
    pattern.convertTo(change, CV_32F);
    plane += change;
}

std::vector<Spike> draw_spikes(int count, int rows, int cols, Random& rng) {
    std::vector<Spike> spikes(count);
    for (Spike& s : spikes) {
        s.ky = static_cast<int>(rng.randint(0, rows - 1));
        s.kx = static_cast<int>(rng.randint(0, cols - 1));
    }
    return spikes;
}

cv::Mat k_space_spike_noise(const cv::Mat& image, const Params& params, Random& rng) {
    const auto counts = params.range("num_spikes_range");
    const int count = static_cast<int>(rng.randint(static_cast<int64_t>(counts[0]), static_cast<int64_t>(counts[1])));
    const double intensity = draw(params, "intensity_range", rng);
    rng.note("num_spikes_range", count);
    rng.note("intensity_range", intensity);
    const bool per_channel = params.flag("per_channel");
    std::vector<std::vector<Spike>> spikes;
    for (int c = 0; c < (per_channel ? image.channels() : 1); ++c) spikes.push_back(draw_spikes(count, image.rows, image.cols, rng));
    if (intensity == 0 || count == 0) return image.clone();
    std::vector<cv::Mat> planes;
    cv::split(as_unit_float(image), planes);
    std::vector<double> peaks;
    for (const cv::Mat& plane : planes) peaks.push_back(max_magnitude(plane));
    const double shared_peak = *std::max_element(peaks.begin(), peaks.end());
    for (std::size_t c = 0; c < planes.size(); ++c)
        add_spikes(planes[c], spikes[per_channel ? c : 0], intensity * (per_channel ? peaks[c] : shared_peak));
    cv::Mat out;
    cv::merge(planes, out);
    return back_to_dtype(image, out);
}

// ---- BiasField: exp of a coarse Gaussian grid stretched bilinearly, as a gain -----------------
cv::Mat bias_field(const cv::Mat& image, const Params& params, Random& rng) {
    const double stddev = draw(params, "std_range", rng);
    const double scale = draw(params, "scale_range", rng);
    rng.note("std_range", Json::array({stddev, stddev}));
    rng.note("scale_range", Json::array({scale, scale}));
    if (stddev == 0) return image.clone();
    const int rows = std::min(image.rows, std::max(2, static_cast<int>(image.rows * scale)));
    const int cols = std::min(image.cols, std::max(2, static_cast<int>(image.cols * scale)));
    const int channels = params.flag("per_channel") ? image.channels() : 1;
    cv::Mat field = normal_field(rows, cols, channels, stddev, rng);
    if (field.size() != image.size()) {
        cv::Mat stretched;
        cv::resize(field, stretched, image.size(), 0, 0, cv::INTER_LINEAR);
        field = stretched;
    }
    cv::exp(field, field);
    if (channels != image.channels()) {
        std::vector<cv::Mat> copies(image.channels(), field);
        cv::merge(copies, field);
    }
    return back_to_dtype(image, as_unit_float(image).mul(field));
}


// ---- HEStain: stain concentrations in optical density, scaled and shifted --------------------
using Matrix = cv::Matx<double, 3, 3>;

// Rows: hematoxylin, eosin (the reference's presets, in its order).
const std::vector<std::pair<std::string, std::array<double, 6>>>& stain_presets() {
    static const std::vector<std::pair<std::string, std::array<double, 6>>> presets = {
        {"ruifrok", {0.644211, 0.716556, 0.266844, 0.092789, 0.954111, 0.283111}},
        {"macenko", {0.5626, 0.7201, 0.4062, 0.2159, 0.8012, 0.5581}},
        {"standard", {0.65, 0.70, 0.29, 0.07, 0.99, 0.11}},
        {"high_contrast", {0.55, 0.88, 0.11, 0.12, 0.86, 0.49}},
        {"h_heavy", {0.75, 0.61, 0.32, 0.04, 0.93, 0.36}},
        {"e_heavy", {0.60, 0.75, 0.28, 0.17, 0.95, 0.25}},
        {"dark", {0.78, 0.55, 0.28, 0.09, 0.97, 0.21}},
        {"light", {0.57, 0.71, 0.38, 0.15, 0.89, 0.42}},
    };
    return presets;
}

// A stain basis: 2 or 3 rows of float32 values (the reference converts to float32).
struct StainBasis {
    int rows = 2;
    float m[3][3] = {};
};

StainBasis basis_of(const std::vector<double>& values) {
    StainBasis b;
    b.rows = static_cast<int>(values.size() / 3);
    for (int i = 0; i < b.rows * 3; ++i) b.m[i / 3][i % 3] = static_cast<float>(values[i]);
    return b;
}

// -log(max(v, 1e-6)) per value, one row per pixel (N x 3 float32).
cv::Mat optical_density(const cv::Mat& unit_rgb) {
    cv::Mat od = unit_rgb.reshape(1, static_cast<int>(unit_rgb.total())).clone();
    cv::max(od, 1e-6, od);
    cv::log(od, od);
    od *= -1.0f;
    return od;
}

// ---- Macenko: the stain plane of the two largest OD eigenvectors, extremes of the angles ---------
// numpy's default (linear) percentile; `values` is reordered.
double percentile(std::vector<float>& values, double q) {
    const double position = q / 100 * (values.size() - 1);
    const std::size_t low = static_cast<std::size_t>(std::floor(position));
    std::nth_element(values.begin(), values.begin() + low, values.end());
    const double below = values[low];
    if (low + 1 >= values.size()) return below;
    const double above = *std::min_element(values.begin() + low + 1, values.end());
    return below + (position - low) * (above - below);
}

StainBasis macenko_basis(const cv::Mat& od) {
    // Pixels with some OD above 0.05, and their covariance (divided by N, as COVAR_SCALE).
    cv::Mat samples(od.rows, 3, CV_32F);
    int count = 0;
    double sum[3] = {}, products[3][3] = {};
    for (int i = 0; i < od.rows; ++i) {
        const float* v = od.ptr<float>(i);
        if (!(v[0] > 0.05f || v[1] > 0.05f || v[2] > 0.05f)) continue;
        std::memcpy(samples.ptr<float>(count++), v, 3 * sizeof(float));
        for (int a = 0; a < 3; ++a) {
            sum[a] += v[a];
            for (int b = a; b < 3; ++b) products[a][b] += static_cast<double>(v[a]) * v[b];
        }
    }
    if (count == 0) throw std::invalid_argument("HEStain: no tissue pixels found (threshold=0.05)");
    samples = samples.rowRange(0, count);
    cv::Mat covariance(3, 3, CV_64F), eigenvalues, eigenvectors;
    for (int a = 0; a < 3; ++a)
        for (int b = a; b < 3; ++b)
            covariance.at<double>(a, b) = covariance.at<double>(b, a) = products[a][b] / count - (sum[a] / count) * (sum[b] / count);
    cv::eigen(covariance, eigenvalues, eigenvectors);
    // The reference takes the columns of OpenCV's eigenvector rows at the two largest eigenvalues
    // (in ascending order of eigenvalue): the same numbers here.
    std::array<int, 3> order = {0, 1, 2};
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return eigenvalues.at<double>(a) < eigenvalues.at<double>(b); });
    float plane[3][2];
    for (int r = 0; r < 3; ++r)
        for (int j = 0; j < 2; ++j) {
            float v = static_cast<float>(eigenvectors.at<double>(r, order[1 + j]));
            if (std::abs(v) < 1e-8f) v = v < 0 ? -1e-8f : 1e-8f;
            plane[r][j] = v;
        }
    std::vector<float> angles(samples.rows);
    for (int i = 0; i < samples.rows; ++i) {
        const float* v = samples.ptr<float>(i);
        float x = 0, y = 0;
        for (int r = 0; r < 3; ++r) {
            x += (v[r] + 1e-8f) * plane[r][0];
            y += (v[r] + 1e-8f) * plane[r][1];
        }
        angles[i] = std::atan2(y, x);
    }
    const double angle[2] = {percentile(angles, 1), percentile(angles, 99)};
    StainBasis b;
    for (int s = 0; s < 2; ++s) {
        const float c = static_cast<float>(std::cos(angle[s])), n = static_cast<float>(std::sin(angle[s]));
        double norm = 0;
        for (int r = 0; r < 3; ++r) {
            b.m[s][r] = std::abs(c * plane[r][0] + n * plane[r][1]);
            norm += b.m[s][r] * b.m[s][r];
        }
        for (int r = 0; r < 3; ++r) b.m[s][r] = static_cast<float>(b.m[s][r] / std::sqrt(norm + 1e-8));
    }
    if (!(b.m[0][0] > b.m[1][0]))
        for (int r = 0; r < 3; ++r) std::swap(b.m[0][r], b.m[1][r]);
    return b;
}

// ---- Vahadane: 100 multiplicative NMF updates from Ruifrok's colours, then H/E by their hue ------
void normalise_rows(double c[2][3]) {
    for (int s = 0; s < 2; ++s) {
        const double norm = std::sqrt(c[s][0] * c[s][0] + c[s][1] * c[s][1] + c[s][2] * c[s][2]);
        for (int r = 0; r < 3; ++r) c[s][r] /= norm;
    }
}

StainBasis vahadane_basis(const cv::Mat& od) {
    const int n = od.rows;
    double colours[2][3] = {{0.644211f, 0.716556f, 0.266844f}, {0.092789f, 0.954111f, 0.283111f}};  // float32, as the reference
    double unit[2][3];
    std::memcpy(unit, colours, sizeof unit);
    normalise_rows(unit);
    std::vector<double> conc(2 * static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        const float* v = od.ptr<float>(i);
        for (int s = 0; s < 2; ++s) conc[2 * i + s] = std::max(0.0, v[0] * unit[s][0] + v[1] * unit[s][1] + v[2] * unit[s][2]);
    }
    constexpr double eps = 1e-6;
    for (int iteration = 0; iteration < 100; ++iteration) {
        double gram[2][2];
        for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 2; ++b) gram[a][b] = colours[a][0] * colours[b][0] + colours[a][1] * colours[b][1] + colours[a][2] * colours[b][2];
        double numerator[2][3] = {}, cc[2][2] = {};
        for (int i = 0; i < n; ++i) {
            const float* v = od.ptr<float>(i);
            double* c = &conc[2 * i];
            double updated[2];
            for (int s = 0; s < 2; ++s) {
                const double num = v[0] * colours[s][0] + v[1] * colours[s][1] + v[2] * colours[s][2];
                const double den = c[0] * gram[0][s] + c[1] * gram[1][s];
                updated[s] = std::max(0.0, c[s] * (num / (den + eps)));
            }
            c[0] = updated[0];
            c[1] = updated[1];
            for (int s = 0; s < 2; ++s) {
                for (int r = 0; r < 3; ++r) numerator[s][r] += c[s] * v[r];
                for (int t = 0; t < 2; ++t) cc[s][t] += c[s] * c[t];
            }
        }
        double next[2][3];
        for (int s = 0; s < 2; ++s)
            for (int r = 0; r < 3; ++r) {
                const double den = cc[s][0] * colours[0][r] + cc[s][1] * colours[1][r];
                next[s][r] = std::max(0.0, colours[s][r] * (numerator[s][r] / (den + eps)));
            }
        normalise_rows(next);
        std::memcpy(colours, next, sizeof colours);
    }
    // order_stains_combined: hematoxylin has the largest angle x blue share - red share.
    double score[2];
    for (int s = 0; s < 2; ++s) {
        const double angle = std::fmod(std::atan2(colours[s][1], colours[s][0]) + kPi, kPi);
        const double sum = colours[s][0] + colours[s][1] + colours[s][2] + 1e-6;
        score[s] = angle * colours[s][2] / sum - colours[s][0] / sum;
    }
    const int h = score[1] > score[0] ? 1 : 0;
    StainBasis b;
    for (int r = 0; r < 3; ++r) {
        b.m[0][r] = static_cast<float>(colours[h][r]);
        b.m[1][r] = static_cast<float>(colours[1 - h][r]);
    }
    return b;
}

// ---- the augmentation: OD -> concentrations (deconvolution D), scaled and shifted, -> OD -> RGB --
// One affine map of OD per pixel: M^T (scale * D) od + M^T shift, then exp(-.).
struct StainAffine {
    double a[3][4];
};

StainAffine stain_affine(const double (&m)[3][3], int rows, const double (&d)[3][3], const double* scale, const double* shift) {
    StainAffine out;
    for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) {
            double sum = 0;
            for (int k = 0; k < rows; ++k) sum += m[k][r] * scale[k] * d[k][c];
            out.a[r][c] = static_cast<float>(sum);
        }
        double sum = 0;
        for (int k = 0; k < rows; ++k) sum += m[k][r] * shift[k];
        out.a[r][3] = static_cast<float>(sum);
    }
    return out;
}

void apply_affine(const float* od, float* rgb, const StainAffine& t) {
    for (int r = 0; r < 3; ++r)
        rgb[r] = std::exp(-static_cast<float>(t.a[r][0] * od[0] + t.a[r][1] * od[1] + t.a[r][2] * od[2] + t.a[r][3]));
}

cv::Mat he_stain(const cv::Mat& image, const Params& params, Random& rng) {
    if (image.channels() != 3)
        throw std::invalid_argument("HEStain expects 3-channel (RGB) images, got " + std::to_string(image.channels()) + " channels");
    const std::string& method = params.text("method");
    const std::string& mode = params.text("residual_mode");
    StainBasis basis;
    if (method == "preset" || method == "random_preset") {
        const auto& presets = stain_presets();
        std::size_t index = 0;
        if (method == "random_preset") index = static_cast<std::size_t>(rng.randint(0, static_cast<int64_t>(presets.size()) - 1));
        else {
            const std::string name = params.is_none("preset") ? "standard" : params.text("preset");
            while (presets[index].first != name) ++index;
        }
        basis = basis_of(std::vector<double>(presets[index].second.begin(), presets[index].second.end()));
    } else if (method == "custom") {
        basis = basis_of(params.numbers("stain_matrix"));
    }
    const int components = mode == "project" ? 2 : 3;
    double scale[3] = {1, 1, 1}, shift[3] = {0, 0, 0};
    scale[0] = draw(params, "intensity_scale_range", rng);
    scale[1] = draw(params, "intensity_scale_range", rng);
    shift[0] = draw(params, "intensity_shift_range", rng);
    shift[1] = draw(params, "intensity_shift_range", rng);
    if (mode == "augment") {
        scale[2] = draw(params, "intensity_scale_range", rng);
        shift[2] = draw(params, "intensity_shift_range", rng);
    }
    const int drawn = mode == "augment" ? 3 : 2;
    rng.note("intensity_scale_range", Json::array({*std::min_element(scale, scale + drawn), *std::max_element(scale, scale + drawn)}));
    rng.note("intensity_shift_range", Json::array({*std::min_element(shift, shift + drawn), *std::max_element(shift, shift + drawn)}));
    if (mode != "project")
        for (int k = 0; k < 3; ++k) {  // float32 in the reference's residual modes
            scale[k] = static_cast<float>(scale[k]);
            shift[k] = static_cast<float>(shift[k]);
        }

    const cv::Mat unit = as_unit_float(image);
    const cv::Mat od = optical_density(unit);
    if (method == "macenko") basis = macenko_basis(od);
    if (method == "vahadane") basis = vahadane_basis(od);

    double m[3][3] = {}, d[3][3] = {};
    for (int k = 0; k < basis.rows; ++k)
        for (int r = 0; r < 3; ++r) m[k][r] = basis.m[k][r];
    bool residual = components == 3;
    if (residual && basis.rows == 2) {  // the third row: normalize(cross(H, E)), unless H and E are parallel
        const cv::Vec3f h(basis.m[0][0], basis.m[0][1], basis.m[0][2]), e(basis.m[1][0], basis.m[1][1], basis.m[1][2]);
        const cv::Vec3f cross = h.cross(e);
        const float norm = static_cast<float>(cv::norm(cross));
        if (!(norm > 1e-6f * static_cast<float>(cv::norm(h) * cv::norm(e)))) residual = false;
        else
            for (int r = 0; r < 3; ++r) m[2][r] = cross[r] / norm;  // float32, as np.cross on float32 rows
    }
    int rows;
    if (residual) {  // D = inv(R)^T, in float32
        rows = 3;
        cv::Matx33f r3;
        for (int k = 0; k < 3; ++k)
            for (int c = 0; c < 3; ++c) r3(k, c) = static_cast<float>(m[k][c]);
        const cv::Matx33f inverse = r3.inv(cv::DECOMP_LU).t();
        for (int k = 0; k < 3; ++k)
            for (int c = 0; c < 3; ++c) d[k][c] = inverse(k, c);
    } else {  // D = (M M^T + 1e-6 I)^-1 M
        rows = 2;
        cv::Matx22d gram;
        for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 2; ++b)
                gram(a, b) = static_cast<float>(basis.m[a][0] * basis.m[b][0] + basis.m[a][1] * basis.m[b][1] + basis.m[a][2] * basis.m[b][2]) + (a == b ? 1e-6 : 0.0);
        const cv::Matx22d inverse = gram.inv(cv::DECOMP_LU);
        for (int k = 0; k < 2; ++k)
            for (int c = 0; c < 3; ++c) d[k][c] = inverse(k, 0) * m[0][c] + inverse(k, 1) * m[1][c];
    }
    const StainAffine augmented = stain_affine(m, rows, d, scale, shift);
    const double ones[3] = {1, 1, 1}, zeros[3] = {0, 0, 0};
    const StainAffine base = stain_affine(m, rows, d, ones, zeros);
    const bool augment_all = params.flag("augment_background");
    cv::Mat out(unit.size(), CV_32FC3);
    for (int y = 0; y < unit.rows; ++y) {
        const float* in = unit.ptr<float>(y);
        float* o = out.ptr<float>(y);
        const float* odv = od.ptr<float>(y * unit.cols);
        for (int x = 0; x < unit.cols; ++x) {
            const float* px = in + 3 * x;
            const bool tissue = px[0] * 0.299f + px[1] * 0.587f + px[2] * 0.114f < 0.85f;
            if (augment_all || tissue) apply_affine(odv + 3 * x, o + 3 * x, augmented);
            else if (residual) std::memcpy(o + 3 * x, px, 3 * sizeof(float));  // background kept as it is
            else apply_affine(odv + 3 * x, o + 3 * x, base);                    // background projected on H&E
        }
    }
    return back_to_dtype(image, out);
}

void check_he_stain(const std::string& owner, const Params& p) {
    const std::string& method = p.text("method");
    const bool has_matrix = !p.is_none("stain_matrix");
    if (method == "custom" && !has_matrix) throw std::invalid_argument(owner + ": stain_matrix is required when method='custom'");
    if (method != "custom" && has_matrix) throw std::invalid_argument(owner + ": stain_matrix is only valid when method='custom'");
    if ((method == "random_preset" || method == "custom") && !p.is_none("preset"))
        throw std::invalid_argument(owner + ": preset should not be specified when method='" + method + "'");
    if (!has_matrix) return;
    const std::vector<double> v = p.numbers("stain_matrix");
    if (v.size() != 6 && v.size() != 9)
        throw std::invalid_argument(owner + ": stain_matrix must have shape (2, 3) or (3, 3), got " + std::to_string(v.size()) + " values");
    for (double x : v)
        if (!std::isfinite(static_cast<float>(x))) throw std::invalid_argument(owner + ": stain_matrix must contain only finite values");
    const StainBasis b = basis_of(v);
    cv::Mat rows(b.rows, 3, CV_64F);
    for (int k = 0; k < b.rows; ++k) {
        for (int r = 0; r < 3; ++r) rows.at<double>(k, r) = b.m[k][r];
        if (cv::norm(rows.row(k)) == 0) throw std::invalid_argument(owner + ": stain_matrix rows must be non-zero stain vectors");
    }
    cv::Mat singular;
    cv::SVD::compute(rows, singular, cv::SVD::NO_UV);
    double largest;
    cv::minMaxLoc(singular, nullptr, &largest);
    if (singular.at<double>(b.rows - 1) <= largest * 3 * std::numeric_limits<float>::epsilon())
        throw std::invalid_argument(owner + ": stain_matrix rows must be linearly independent");
    if (b.rows == 3 && p.text("residual_mode") == "project")
        throw std::invalid_argument(owner + ": a full stain basis is incompatible with residual_mode='project'");
}

}  // namespace

void register_medical(Registry& r) {
    TransformDecl gibbs = pixel::pixel_transform(
        "GibbsRinging", {range_param("retained_fraction_range", Json::array({0.5, 0.9})).between(0.0, 1.0).in("fraction of the bandwidth")},
        gibbs_ringing);
    r.add(std::move(gibbs));
    r.add(pixel::pixel_transform(
        "RicianNoise",
        {range_param("std_range", Json::array({0.05, 0.15})).between(0.0, 1.0).in("fraction of the value range"),
         flag_param("per_channel", false)},
        rician_noise));
    TransformDecl spike = pixel::pixel_transform(
        "KSpaceSpikeNoise",
        {range_param("num_spikes_range", Json::array({1, 5})).between(0.0, std::nullopt).whole(),
         range_param("intensity_range", Json::array({0.1, 0.5})).between(0.0, std::nullopt).in("fraction of the spectrum's peak"),
         flag_param("per_channel", false)},
        k_space_spike_noise);
    r.add(std::move(spike));
    ParamDecl scale = range_param("scale_range", Json::array({0.025, 0.025})).between(0.0, 1.0).in("grid size / image size");
    TransformDecl bias = pixel::pixel_transform(
        "BiasField",
        {range_param("std_range", Json::array({0.0, 0.5})).between(0.0, 1.0).in("log gain"), std::move(scale),
         flag_param("per_channel", false)},
        bias_field);
    bias.check = [](const std::string& owner, const Params& p) {
        if (p.range("scale_range")[0] <= 0)
            throw std::invalid_argument(owner + ": scale_range values must be > 0, got " + python_repr(p.at("scale_range")));
    };
    r.add(std::move(bias));
    TransformDecl he = pixel::pixel_transform(
        "HEStain",
        {choice_param("method", "random_preset", Json::array({"preset", "random_preset", "vahadane", "macenko", "custom"})),
         choice_param("preset", nullptr, Json::array({"ruifrok", "macenko", "standard", "high_contrast", "h_heavy", "e_heavy", "dark", "light"})).or_none(),
         range_param("intensity_scale_range", Json::array({0.7, 1.3})).between(0.0, std::nullopt),
         range_param("intensity_shift_range", Json::array({-0.2, 0.2})).between(-1.0, 1.0),
         flag_param("augment_background", false),
         choice_param("residual_mode", "project", Json::array({"project", "preserve", "augment"})),
         numbers_param("stain_matrix", nullptr).or_none().in("rows H, E (and a third stain), flattened")},
        he_stain);
    // The reference's signature has p after augment_background (the rest is keyword-only).
    std::rotate(he.params.begin() + 5, he.params.end() - 1, he.params.end());
    he.check = check_he_stain;
    r.add(std::move(he));
}

}  // namespace instaug
