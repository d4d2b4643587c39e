// Medical acquisition artifacts: GibbsRinging (a truncated spectrum), RicianNoise (magnitude of a
// complex signal with Gaussian noise on both parts), KSpaceSpikeNoise (spikes in the spectrum) and
// BiasField (a smooth multiplicative gain). All work on [0, 1] float32 values, as the reference;
// uint8 images go there and back (x 255, rounded).
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

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
            const double angle = 2 * M_PI * ((static_cast<int64_t>(s.ky) * y) % rows) / rows;
            cy[y] = std::cos(angle) * weight;
            sy[y] = std::sin(angle) * weight;
        }
        for (int x = 0; x < cols; ++x) {
            const double angle = 2 * M_PI * ((static_cast<int64_t>(s.kx) * x) % cols) / cols;
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
}

}  // namespace instaug
