// RandomBrightnessContrast, RGBShift and RandomGamma: per-value colour changes. On uint8 images
// each is one table per channel, and consecutive ones fuse into one pass (see Execution); other
// images take the same draw through float math.
#include <algorithm>
#include <cmath>

#include <opencv2/core.hpp>

#include "kernels/table_chain.hpp"
#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

using pixel::draw;

// ---- RandomBrightnessContrast ----------------------------------------------------------------
struct BrightnessContrastDraw {
    double alpha, beta;  // contrast factor, brightness
    bool by_max, safe;
};

BrightnessContrastDraw draw_brightness_contrast(const Params& params, Random& rng) {
    const double alpha = 1.0 + draw(params, "contrast_range", rng);
    const double beta = draw(params, "brightness_range", rng);
    return {alpha, beta, params.flag("brightness_by_max"), params.flag("ensure_safe_output")};
}

// The reference's alpha * x + beta form (brightness_by_max or ensure_safe_output), for images
// whose largest value is `max_value`.
std::pair<double, double> gain_and_offset(const BrightnessContrastDraw& d, double max_value,
                                          const std::function<double()>& grey_mean) {
    double alpha = d.alpha, beta = d.beta;
    if (!d.by_max) {
        const double factor = 1.0 + beta;
        beta = factor * (1.0 - alpha) * grey_mean();
        alpha *= factor;
    } else {
        beta *= max_value;
    }
    if (d.safe) {
        if (alpha > 0) {
            beta = std::clamp(beta, 0.0, max_value);
            alpha = std::min(alpha, (max_value - beta) / max_value);
        } else {
            beta = std::min(beta, max_value);
            alpha = std::max(alpha, -beta / max_value);
        }
    }
    return {alpha, beta};
}

std::vector<Table8> brightness_contrast_step(const Params& params, Random& rng, int channels,
                                             const std::function<double()>& grey_mean) {
    const BrightnessContrastDraw d = draw_brightness_contrast(params, rng);
    if (!d.by_max && !d.safe) return brightness_contrast_tables(channels, 1.0 + d.beta, d.alpha, false, grey_mean);
    const auto [alpha, beta] = gain_and_offset(d, 255.0, grey_mean);
    return same_for_all(channels, [&](int v) { return v * alpha + beta; });
}

cv::Mat brightness_contrast_float(const cv::Mat& image, const Params& params, Random& rng) {
    const BrightnessContrastDraw d = draw_brightness_contrast(params, rng);
    if (!d.by_max && !d.safe) return pixel::brightness_contrast(image, 1.0 + d.beta, d.alpha, false);
    const auto [alpha, beta] = gain_and_offset(d, 1.0, [&] { return exact_grey_mean(image); });
    cv::Mat out = image * alpha + beta;  // the reference's multiply_add
    return pixel::clip01(out);
}

// ---- RGBShift ------------------------------------------------------------------------------
// The shifts as fractions of the value range: a range with a bound beyond 1 is in uint8 units.
std::array<double, 3> draw_shifts(const Params& params, Random& rng) {
    std::array<double, 3> shifts{};
    const char* names[3] = {"r_shift_range", "g_shift_range", "b_shift_range"};
    for (int c = 0; c < 3; ++c) {
        const auto r = params.range(names[c]);
        const double unit = std::abs(r[0]) > 1 || std::abs(r[1]) > 1 ? 255.0 : 1.0;
        shifts[c] = rng.uniform(r[0] / unit, r[1] / unit);
        rng.note(names[c], shifts[c] * unit);
    }
    return shifts;
}

std::vector<Table8> rgb_shift_step(const Params& params, Random& rng, int channels, const std::function<double()>&) {
    const std::array<double, 3> shifts = draw_shifts(params, rng);
    std::vector<Table8> tables;
    for (int c = 0; c < channels; ++c) {
        const double shift = std::trunc(shifts[std::min(c, 2)] * 255.0);  // the reference's add LUT truncates first
        tables.push_back(table_of([&](int v) { return v + shift; }));
    }
    return tables;
}

cv::Mat rgb_shift_float(const cv::Mat& image, const Params& params, Random& rng) {
    const std::array<double, 3> shifts = draw_shifts(params, rng);
    cv::Scalar s;
    for (int c = 0; c < std::min(4, image.channels()); ++c) s[c] = shifts[std::min(c, 2)];
    cv::Mat out = image + s;
    return pixel::clip01(out);
}

// ---- RandomGamma ---------------------------------------------------------------------------
std::vector<Table8> gamma_step(const Params& params, Random& rng, int channels, const std::function<double()>&) {
    const double gamma = draw(params, "gamma_range", rng) / 100.0;
    return same_for_all(channels, [&](int v) { return std::pow(v / 255.0, gamma) * 255.0; });
}

cv::Mat gamma_float(const cv::Mat& image, const Params& params, Random& rng) {
    const double gamma = draw(params, "gamma_range", rng) / 100.0;
    cv::Mat out;
    cv::pow(image, gamma, out);
    return out;
}


}  // namespace

void register_colour_tables(Registry& r) {
    r.add(pixel::table_transform("RandomBrightnessContrast",
                     {range_param("brightness_range", Json::array({-0.2, 0.2})).between(-1.0, 1.0),
                      range_param("contrast_range", Json::array({-0.2, 0.2})).between(-1.0, 1.0),
                      flag_param("brightness_by_max", false), flag_param("ensure_safe_output", false)},
                     brightness_contrast_step, brightness_contrast_float));
    std::vector<ParamDecl> shifts;
    for (const char* name : {"r_shift_range", "g_shift_range", "b_shift_range"})
        shifts.push_back(range_param(name, Json::array({-20, 20})).between(-255, 255).in(
            "fraction of the value range, or uint8 units when a bound is beyond 1"));
    r.add(pixel::table_transform("RGBShift", shifts, rgb_shift_step, rgb_shift_float));
    r.add(pixel::table_transform("RandomGamma", {range_param("gamma_range", Json::array({80, 120})).between(1e-6, std::nullopt).in("percent")},
                     gamma_step, gamma_float));
}

}  // namespace instaug
