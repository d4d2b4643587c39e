// PlanckianJitter and RandomToneCurve: per-value colour curves. On uint8 images each is one table
// per channel (fused with the other table steps); float32 images take the same draw through float32
// arithmetic, operation for operation as the reference, so that outputs agree bit for bit.
#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

#include <opencv2/core.hpp>

#include "kernels/table_chain.hpp"
#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

void require_rgb(int channels, const char* transform) {
    if (channels != 3)
        throw std::invalid_argument(std::string(transform) + " transformation expects 3-channel images, got " +
                                    std::to_string(channels) + " channels");
}

// A uint8 table of clip(v * gain) truncated, in float32 as the reference's multiply LUT.
Table8 gain_table(double gain) {
    const float g = static_cast<float>(gain);
    return table_of([g](int v) { return static_cast<double>(static_cast<float>(v) * g); });
}

// ---- PlanckianJitter: red and blue gains of a colour temperature ------------------------------
// Chromaticity (r, g, b) of the black body and of CIE D illuminants every 500 K.
using Coefficients = std::map<int, std::array<double, 3>>;

const Coefficients& planckian_coefficients(const std::string& mode) {
    static const Coefficients blackbody = {
        {3000, {0.6743, 0.4029, 0.0013}},  {3500, {0.6281, 0.4241, 0.1665}},  {4000, {0.5919, 0.4372, 0.2513}},
        {4500, {0.5623, 0.4457, 0.3154}},  {5000, {0.5376, 0.4515, 0.3672}},  {5500, {0.5163, 0.4555, 0.4103}},
        {6000, {0.4979, 0.4584, 0.4468}},  {6500, {0.4816, 0.4604, 0.4782}},  {7000, {0.4672, 0.4619, 0.5053}},
        {7500, {0.4542, 0.4630, 0.5289}},  {8000, {0.4426, 0.4638, 0.5497}},  {8500, {0.4320, 0.4644, 0.5681}},
        {9000, {0.4223, 0.4648, 0.5844}},  {9500, {0.4135, 0.4651, 0.5990}},  {10000, {0.4054, 0.4653, 0.6121}},
        {10500, {0.3980, 0.4654, 0.6239}}, {11000, {0.3911, 0.4655, 0.6346}}, {11500, {0.3847, 0.4656, 0.6444}},
        {12000, {0.3787, 0.4656, 0.6532}}, {12500, {0.3732, 0.4656, 0.6613}}, {13000, {0.3680, 0.4655, 0.6688}},
        {13500, {0.3632, 0.4655, 0.6756}}, {14000, {0.3586, 0.4655, 0.6820}}, {14500, {0.3544, 0.4654, 0.6878}},
        {15000, {0.3503, 0.4653, 0.6933}}};
    static const Coefficients cied = {
        {4000, {0.5829, 0.4421, 0.2288}},  {4500, {0.5510, 0.4514, 0.2948}},  {5000, {0.5246, 0.4576, 0.3488}},
        {5500, {0.5021, 0.4618, 0.3941}},  {6000, {0.4826, 0.4646, 0.4325}},  {6500, {0.4654, 0.4667, 0.4654}},
        {7000, {0.4502, 0.4681, 0.4938}},  {7500, {0.4364, 0.4692, 0.5186}},  {8000, {0.4240, 0.4700, 0.5403}},
        {8500, {0.4127, 0.4705, 0.5594}},  {9000, {0.4023, 0.4709, 0.5763}},  {9500, {0.3928, 0.4713, 0.5914}},
        {10000, {0.3839, 0.4715, 0.6049}}, {10500, {0.3757, 0.4716, 0.6171}}, {11000, {0.3681, 0.4717, 0.6281}},
        {11500, {0.3609, 0.4718, 0.6380}}, {12000, {0.3543, 0.4719, 0.6472}}, {12500, {0.3480, 0.4719, 0.6555}},
        {13000, {0.3421, 0.4719, 0.6631}}, {13500, {0.3365, 0.4719, 0.6702}}, {14000, {0.3313, 0.4719, 0.6766}},
        {14500, {0.3263, 0.4719, 0.6826}}, {15000, {0.3217, 0.4719, 0.6882}}};
    return mode == "cied" ? cied : blackbody;
}

constexpr int kWhiteTemperature = 6000;

// The temperature range the caller gave, or the mode's whole table.
std::array<double, 2> temperature_limits(const Params& params) {
    if (!params.is_none("temperature_range")) return params.range("temperature_range");
    const Coefficients& c = planckian_coefficients(params.text("mode"));
    return {static_cast<double>(c.begin()->first), static_cast<double>(c.rbegin()->first)};
}

// The reference's draw: below white 40% of the time, above it otherwise (uniform, or the half of a
// Gaussian centred at white with a third of that side's width as its deviation), clipped, truncated.
int draw_temperature(const Params& params, Random& rng) {
    const auto [lo, hi] = temperature_limits(params);
    const double white = kWhiteTemperature;
    const bool below = rng.uniform01() < 0.4;
    double t;
    if (params.text("sampling_method") == "uniform") t = below ? rng.uniform(lo, white) : rng.uniform(white, hi);
    else if (below) t = white - std::abs(rng.normal(0.0, std::abs(white - lo) / 3));
    else t = white + std::abs(rng.normal(0.0, std::abs(hi - white) / 3));
    const int temperature = static_cast<int>(std::clamp(t, lo, hi));
    rng.note("temperature_range", Json::array({std::min(temperature, kWhiteTemperature),
                                               std::max(temperature, kWhiteTemperature)}));
    return temperature;
}

// Red and blue gains relative to green, interpolated linearly between the two nearest table rows.
std::pair<double, double> planckian_gains(const std::string& mode, int temperature) {
    const Coefficients& table = planckian_coefficients(mode);
    const int lo = table.begin()->first, hi = table.rbegin()->first;
    temperature = std::clamp(temperature, lo, hi);
    const int left = std::max(temperature / 500 * 500, lo), right = std::min((temperature / 500 + 1) * 500, hi);
    std::array<double, 3> c = table.at(left);
    if (left != right) {
        const double w_right = static_cast<double>(temperature - left) / (right - left), w_left = 1 - w_right;
        const std::array<double, 3>& a = table.at(left);
        const std::array<double, 3>& b = table.at(right);
        for (int k = 0; k < 3; ++k) c[k] = w_left * a[k] + w_right * b[k];
    }
    return {c[0] / c[1], c[2] / c[1]};
}

std::vector<Table8> planckian_step(const Params& params, Random& rng, int channels, const std::function<double()>&) {
    require_rgb(channels, "PlanckianJitter");
    const auto [red, blue] = planckian_gains(params.text("mode"), draw_temperature(params, rng));
    return {gain_table(red), table_of([](int v) { return v; }), gain_table(blue)};
}

cv::Mat planckian_float(const cv::Mat& image, const Params& params, Random& rng) {
    require_rgb(image.channels(), "PlanckianJitter");
    const auto [red, blue] = planckian_gains(params.text("mode"), draw_temperature(params, rng));
    const float r = static_cast<float>(red), b = static_cast<float>(blue);
    cv::Mat out(image.size(), image.type());
    for (int y = 0; y < image.rows; ++y) {
        const float* in = image.ptr<float>(y);
        float* o = out.ptr<float>(y);
        for (int x = 0; x < image.cols; ++x, in += 3, o += 3) {
            o[0] = std::clamp(in[0] * r, 0.0f, 1.0f);
            o[1] = std::clamp(in[1], 0.0f, 1.0f);
            o[2] = std::clamp(in[2] * b, 0.0f, 1.0f);
        }
    }
    return out;
}

// ---- ExposureMatching: one gain bringing the image's mean to a drawn target ---------------------
// The mean of every value of every channel, as a share of the dtype's maximum (the reference's
// get_exposure_gains: sums in float64; a black image counts as 1e-6).
cv::Mat exposure_matching(const cv::Mat& image, const Params& params, Random& rng) {
    const auto range = params.range("target_mean_range");
    const double target = rng.uniform(range[0], range[1]);
    rng.note("target_mean_range", target);
    const double top = image.depth() == CV_8U ? 255.0 : 1.0;
    const double total = cv::sum(image.reshape(1))[0];
    const double mean = total / (static_cast<double>(image.total()) * image.channels() * top);
    double gain = target / std::max(mean, 1e-6);
    if (!params.is_none("gain_range")) {
        const auto limits = params.range("gain_range");
        gain = std::clamp(gain, limits[0], limits[1]);
    }
    if (image.depth() == CV_8U) return apply_tables(image, {gain_table(gain)});
    // float32 products (NumPy's float32 array times a Python float), clipped as the reference.
    const float g = static_cast<float>(gain);
    cv::Mat out(image.size(), image.type());
    const int values = image.cols * image.channels();
    for (int y = 0; y < image.rows; ++y) {
        const float* in = image.ptr<float>(y);
        float* o = out.ptr<float>(y);
        for (int i = 0; i < values; ++i) o[i] = std::clamp(in[i] * g, 0.0f, 1.0f);
    }
    return out;
}

// ---- RandomToneCurve: a cubic Bezier tone curve through (0, 0), (1, 1) -------------------------
// Its two inner ordinates drawn around 0.25 and 0.75, one pair for all channels or one per channel.
struct Curve {
    std::vector<double> low, high;  // one entry, or one per channel
};

Curve draw_curve(const Params& params, Random& rng, int channels) {
    const double scale = params.number("scale");
    const int n = params.flag("per_channel") && channels != 1 ? channels : 1;
    Curve c{std::vector<double>(n), std::vector<double>(n)};
    for (double& v : c.low) v = std::clamp(rng.normal(0.25, scale), 0.0, 1.0);
    for (double& v : c.high) v = std::clamp(rng.normal(0.75, scale), 0.0, 1.0);
    rng.note("scale", scale);
    return c;
}

// The reference's 256-entry curve in float64 (t = i / 255 as NumPy's linspace), rounded half to even.
Table8 tone_table(double low, double high) {
    Table8 t{};
    for (int i = 0; i < 256; ++i) {
        const double s = i == 255 ? 1.0 : i * (1.0 / 255.0), u = 1 - s;
        const double v = (3 * (u * u) * s * low + 3 * u * (s * s) * high + std::pow(s, 3.0)) * 255;
        t[i] = static_cast<uint8_t>(std::clamp(std::nearbyint(v), 0.0, 255.0));
    }
    return t;
}

std::vector<Table8> tone_curve_step(const Params& params, Random& rng, int channels, const std::function<double()>&) {
    const Curve c = draw_curve(params, rng, channels);
    std::vector<Table8> tables;
    for (int k = 0; k < channels; ++k) {
        const size_t i = c.low.size() > 1 ? k : 0;
        tables.push_back(tone_table(c.low[i], c.high[i]));
    }
    return tables;
}

// Horner's form in float32, as the reference's continuous float32 path; 1 stays 1.
cv::Mat tone_curve_float(const cv::Mat& image, const Params& params, Random& rng) {
    const int channels = image.channels();
    const Curve c = draw_curve(params, rng, channels);
    std::vector<float> c1(channels), c2(channels), c3(channels);
    for (int k = 0; k < channels; ++k) {
        const size_t i = c.low.size() > 1 ? k : 0;
        const float low = static_cast<float>(c.low[i]), high = static_cast<float>(c.high[i]);
        c1[k] = 3.0f * low;
        c2[k] = 3.0f * high - 6.0f * low;
        c3[k] = 3.0f * low - 3.0f * high + 1.0f;
    }
    cv::Mat out(image.size(), image.type());
    for (int y = 0; y < image.rows; ++y) {
        const float* in = image.ptr<float>(y);
        float* o = out.ptr<float>(y);
        for (int x = 0; x < image.cols; ++x)
            for (int k = 0; k < channels; ++k, ++in, ++o) {
                const float v = *in;
                float r = v * c3[k];
                r = r + c2[k];
                r = r * v;
                r = r + c1[k];
                r = r * v;
                *o = v == 1.0f ? 1.0f : std::clamp(r, 0.0f, 1.0f);
            }
    }
    return out;
}

// ---- ToRGB: a grey image's one channel repeated (an RGB image passes as it is) ----------------
cv::Mat to_rgb(const cv::Mat& image, const Params& params, Random&) {
    if (image.channels() == 3) return image;
    if (image.channels() != 1)
        throw std::invalid_argument("ToRGB transformation expects images with the number of channels equal to 1, got " +
                                    std::to_string(image.channels()));
    const int outputs = params.integer32("num_output_channels");
    if (outputs == 1) return image;
    cv::Mat out;
    cv::merge(std::vector<cv::Mat>(outputs, image), out);
    return out;
}

}  // namespace

void register_colour_tone(Registry& r) {
    TransformDecl planckian = pixel::table_transform(
        "PlanckianJitter",
        {choice_param("mode", "blackbody", Json::array({"blackbody", "cied"})),
         range_param("temperature_range", nullptr).or_none().whole().in("kelvin"),
         choice_param("sampling_method", "uniform", Json::array({"uniform", "gaussian"}))},
        planckian_step, planckian_float);
    planckian.check = [](const std::string& owner, const Params& p) {
        if (p.is_none("temperature_range")) return;
        const std::string& mode = p.text("mode");
        const Coefficients& table = planckian_coefficients(mode);
        const auto range = p.range("temperature_range");
        const int lo = table.begin()->first, hi = table.rbegin()->first;
        if (range[0] < lo || range[1] > hi)
            throw std::invalid_argument(owner + ": temperature_range for " + mode + " must be within [" +
                                        std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                                        python_repr(p.at("temperature_range")));
        if (!(range[0] <= kWhiteTemperature && kWhiteTemperature <= range[1]))
            throw std::invalid_argument(owner + ": temperature_range must contain the white temperature 6000, got " +
                                        python_repr(p.at("temperature_range")));
    };
    r.add(std::move(planckian));
    r.add(pixel::table_transform("RandomToneCurve",
                                 {number_param("scale", 0.1).between(0.0, 1.0), flag_param("per_channel", false)},
                                 tone_curve_step, tone_curve_float));
    r.add(pixel::pixel_transform("ExposureMatching",
                                 {range_param("target_mean_range", Json::array({0.3, 0.5})).between(0.0, 1.0),
                                  range_param("gain_range", nullptr).or_none().between(0.0, std::nullopt)},
                                 exposure_matching));
    TransformDecl rgb =
        pixel::pixel_transform("ToRGB", {integer_param("num_output_channels", 3).between(1, std::nullopt)}, to_rgb, 1.0);
    rgb.changes_image_format = [](const Params&) { return true; };  // 1 channel in, num_output_channels out
    r.add(std::move(rgb));
}

}  // namespace instaug
