// Noise fields: AdditiveNoise (uniform, Gaussian, Laplace or beta noise: one value per channel, per
// value, per pixel or inside random patches), FilmGrain (coarse Gaussian grain, upsampled and weighted by darkness) and
// StochasticConvolution (an identity kernel plus a Gaussian field). Values are in units of the
// image's range (255 for uint8, 1 for float32); the fields come from generators seeded from ours.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
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

// A standard normal float32 field.
cv::Mat normal_field(int rows, int cols, Random& rng) {
    cv::Mat field(rows, cols, CV_32F);
    cv::RNG(rng.next_u64()).fill(field, cv::RNG::NORMAL, 0.0, 1.0);
    return field;
}

// ---- FilmGrain -------------------------------------------------------------------------------
// Grain drawn at (H / size, W / size) and stretched bilinearly to the image: clumps of `size`.
cv::Mat grain_field(int rows, int cols, int grain_size, Random& rng) {
    const cv::Mat coarse = normal_field(std::max(1, rows / grain_size), std::max(1, cols / grain_size), rng);
    if (coarse.rows == rows && coarse.cols == cols) return coarse;
    cv::Mat grain;
    cv::resize(coarse, grain, cv::Size(cols, rows), 0, 0, cv::INTER_LINEAR);
    return grain;
}

// One row: grain x (1 - luminance) x intensity x max added to every channel. uint8 adds the
// change truncated toward zero and saturates (the reference's uint8 array add); float32 clips.
template <typename T>
void grain_row(const T* in, T* out, const float* grain, int cols, int channels, float gain) {
    constexpr bool is_byte = std::is_same_v<T, uint8_t>;
    const float max_value = is_byte ? 255.0f : 1.0f;
    for (int x = 0; x < cols; ++x) {
        const T* px = in + x * channels;
        double sum = 0;
        for (int c = 0; c < channels; ++c) sum += px[c];
        const float luminance = static_cast<float>(sum / channels);
        const float change = grain[x] * (1.0f - luminance / max_value) * gain;
        for (int c = 0; c < channels; ++c) {
            if constexpr (is_byte) out[x * channels + c] = cv::saturate_cast<uint8_t>(px[c] + std::trunc(change));
            else out[x * channels + c] = std::min(1.0f, std::max(0.0f, px[c] + change));
        }
    }
}

cv::Mat film_grain(const cv::Mat& image, const Params& params, Random& rng) {
    const double intensity = draw(params, "intensity_range", rng);
    const auto sizes = params.range("grain_size_range");
    const int grain_size = sizes[0] == sizes[1] ? static_cast<int>(sizes[0])
                                                : static_cast<int>(rng.randint(static_cast<int64_t>(sizes[0]), static_cast<int64_t>(sizes[1])));
    rng.note("intensity_range", intensity);
    rng.note("grain_size_range", grain_size);
    const cv::Mat grain = grain_field(image.rows, image.cols, grain_size, rng);
    const bool is_byte = image.depth() == CV_8U;
    const float gain = static_cast<float>(intensity) * (is_byte ? 255.0f : 1.0f);
    cv::Mat out(image.size(), image.type());
    for (int y = 0; y < image.rows; ++y) {
        if (is_byte) grain_row(image.ptr<uint8_t>(y), out.ptr<uint8_t>(y), grain.ptr<float>(y), image.cols, image.channels(), gain);
        else grain_row(image.ptr<float>(y), out.ptr<float>(y), grain.ptr<float>(y), image.cols, image.channels(), gain);
    }
    return out;
}

// ---- StochasticConvolution ------------------------------------------------------------------
// The identity impulse plus a N(0, 1) field scaled by strength / K (not normalised: the gain is
// the kernel's sum, 1 on average).
cv::Mat stochastic_kernel(int size, double strength, Random& rng) {
    cv::Mat kernel = strength == 0 ? cv::Mat::zeros(size, size, CV_32F) : normal_field(size, size, rng);
    kernel *= static_cast<float>(strength / size);
    kernel.at<float>(size / 2, size / 2) += 1.0f;
    return kernel;
}

cv::Mat stochastic_convolution(const cv::Mat& image, const Params& params, Random& rng) {
    const auto sizes = params.range("kernel_range");
    const int low = static_cast<int>(sizes[0]);
    const int size = low + 2 * static_cast<int>(rng.randint(0, (static_cast<int>(sizes[1]) - low) / 2));
    const double strength = draw(params, "strength_range", rng);
    rng.note("kernel_range", size);
    rng.note("strength_range", strength);
    const int border = params.integer32("border_mode");
    cv::Mat out;
    if (!params.flag("per_channel") || image.channels() == 1) {
        cv::filter2D(image, out, -1, stochastic_kernel(size, strength, rng), cv::Point(-1, -1), 0, border);
    } else {
        std::vector<cv::Mat> planes;
        cv::split(image, planes);
        for (cv::Mat& plane : planes) {
            cv::Mat filtered;
            cv::filter2D(plane, filtered, -1, stochastic_kernel(size, strength, rng), cv::Point(-1, -1), 0, border);
            plane = filtered;
        }
        cv::merge(planes, out);
    }
    return image.depth() == CV_8U ? out : pixel::clip01(out);  // uint8 saturates in the filter
}


// ---- AdditiveNoise ---------------------------------------------------------------------------
// noise_params with the reference's defaults filled in (None: the type's defaults).
Json resolved_noise_params(const Params& params) {
    const std::string& type = params.text("noise_type");
    if (!params.is_none("noise_params")) return params.at("noise_params");
    if (type == "uniform") return Json{{"ranges", Json::array({Json::array({-0.1, 0.1})})}};
    if (type == "gaussian") return Json{{"mean_range", Json::array({0.0, 0.0})}, {"std_range", Json::array({0.05, 0.15})}};
    if (type == "laplace") return Json{{"mean_range", Json::array({0.0, 0.0})}, {"scale_range", Json::array({0.05, 0.15})}};
    return Json{{"alpha_range", Json::array({0.5, 1.5})}, {"beta_range", Json::array({0.5, 1.5})}, {"scale_range", Json::array({0.1, 0.3})}};
}

void check_noise_range(const std::string& owner, const Json& np, const char* key, double low, double high) {
    const std::string where = owner + ": noise_params['" + key + "']";
    if (!np.contains(key)) throw std::invalid_argument(where + " is required for this noise_type");
    const Json& r = np.at(key);
    if (!r.is_array() || r.size() != 2 || !r[0].is_number() || !r[1].is_number())
        throw std::invalid_argument(where + " must be a (min, max) pair of numbers, got " + python_repr(r));
    const double a = r[0].get<double>(), b = r[1].get<double>();
    if (a < low || b < low || a > high || b > high || !(std::isfinite(a) && std::isfinite(b)))
        throw std::invalid_argument(where + " values must be in [" + std::to_string(low) + ", " + std::to_string(high) + "], got " + python_repr(r));
}

void check_additive_noise(const std::string& owner, const Params& p) {
    const std::string& type = p.text("noise_type");
    const Json np = resolved_noise_params(p);
    std::vector<std::string> allowed = {"noise_type"};
    if (np.contains("noise_type") && np.at("noise_type") != Json(type))
        throw std::invalid_argument(owner + ": noise_params['noise_type'] must be " + python_repr(Json(type)));
    const double inf = std::numeric_limits<double>::infinity();
    if (type == "uniform") {
        allowed.push_back("ranges");
        if (!np.contains("ranges") || !np.at("ranges").is_array() || np.at("ranges").empty())
            throw std::invalid_argument(owner + ": noise_params['ranges'] must be a non-empty list of (min, max) ranges");
        for (const Json& r : np.at("ranges")) {
            if (!r.is_array() || r.size() != 2 || !r[0].is_number() || !r[1].is_number())
                throw std::invalid_argument(owner + ": each range must have exactly 2 values, got " + python_repr(r));
            const double a = r[0].get<double>(), b = r[1].get<double>();
            if (!(-1 <= a && a <= b && b <= 1))
                throw std::invalid_argument(owner + ": range values must be in [-1, 1] and min <= max, got " + python_repr(r));
        }
    } else if (type == "gaussian" || type == "laplace") {
        const char* spread = type == "gaussian" ? "std_range" : "scale_range";
        allowed.insert(allowed.end(), {"mean_range", spread});
        check_noise_range(owner, np, "mean_range", -1, 1);
        check_noise_range(owner, np, spread, 0, 1);
    } else {
        allowed.insert(allowed.end(), {"alpha_range", "beta_range", "scale_range"});
        check_noise_range(owner, np, "alpha_range", 0, inf);
        check_noise_range(owner, np, "beta_range", 0, inf);
        check_noise_range(owner, np, "scale_range", 0, 1);
    }
    for (const auto& item : np.items())
        if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end())
            throw std::invalid_argument(owner + ": noise_params has an unknown key '" + item.key() + "' for noise_type " + python_repr(Json(type)));
    const auto pair_is = [&](const char* name, double a, double b) { return p.range(name)[0] == a && p.range(name)[1] == b; };
    if (p.text("spatial_mode") != "patch" &&
        (!pair_is("patch_count_range", 1, 1) || !pair_is("patch_height_range", 0.1, 1.0) || !pair_is("patch_width_range", 0.1, 1.0) ||
         p.flag("per_channel")))
        throw std::invalid_argument(owner + ": patch options can only be used when spatial_mode='patch'");
}

double uniform_of(const Json& range, Random& rng) { return rng.uniform(range[0].get<double>(), range[1].get<double>()); }

// One call's distribution: its parameters drawn from the noise_params ranges, and a sampler.
struct NoiseDistribution {
    std::string type;
    double a = 0, b = 0, scale = 0;  // uniform: low, high; gaussian/laplace: mean, spread; beta: alpha, beta, scale
    std::vector<std::array<double, 2>> channel_ranges;  // uniform, one range per channel
};

// gaussian in "constant" mode always draws its parameters; the spatial modes keep a zero-width range.
NoiseDistribution draw_distribution(const std::string& type, const Json& np, Random& rng, bool draw_fixed) {
    NoiseDistribution d;
    d.type = type;
    const auto draw_range = [&](const char* key) {
        const Json& r = np.at(key);
        return (!draw_fixed && r[0] == r[1]) ? r[0].get<double>() : uniform_of(r, rng);
    };
    if (type == "gaussian") {
        d.a = draw_range("mean_range");
        d.b = draw_range("std_range");
    } else if (type == "laplace") {
        d.a = uniform_of(np.at("mean_range"), rng);
        d.b = uniform_of(np.at("scale_range"), rng);
    } else if (type == "beta") {
        d.a = uniform_of(np.at("alpha_range"), rng);
        d.b = uniform_of(np.at("beta_range"), rng);
        d.scale = uniform_of(np.at("scale_range"), rng);
    }
    return d;
}

// Standard normals (OpenCV's ziggurat) and uniforms in [0, 1) from one generator seeded from ours.
struct GammaSource {
    cv::RNG gen;
    explicit GammaSource(Random& rng) : gen(rng.next_u64()) {}
    double normal() { return gen.gaussian(1.0); }
    double uniform01() { return gen.uniform(0.0, 1.0); }
};

// Gamma(a, 1) by Marsaglia and Tsang (numpy's method), boosted by U^(1/a) below a shape of 1.
double gamma_sample(GammaSource& source, double a) {
    if (a <= 0) return 0.0;
    if (a < 1) return gamma_sample(source, a + 1) * std::pow(1.0 - source.uniform01(), 1.0 / a);
    const double d = a - 1.0 / 3, c = 1 / std::sqrt(9 * d);
    for (;;) {
        const double x = source.normal(), v0 = 1 + c * x;
        if (v0 <= 0) continue;
        const double v = v0 * v0 * v0, u = source.uniform01();
        if (u < 1 - 0.0331 * x * x * x * x || std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) return d * v;
    }
}

// Beta(a, b) as X / (X + Y) of two gamma draws; both tiny (X + Y = 0) picks an end by the odds a : b.
double beta_sample(GammaSource& source, double a, double b) {
    const double x = gamma_sample(source, a), y = gamma_sample(source, b);
    return x + y > 0 ? x / (x + y) : (source.uniform01() * (a + b) < a ? 1.0 : 0.0);
}

double laplace_of(double u, double loc, double scale) {
    return u < 0.5 ? loc + scale * std::log(2 * u) : loc - scale * std::log(2 * (1 - u));
}

// A field of `channels` channels, each value a draw (uniform: channel c from its own range when given).
cv::Mat noise_field(int rows, int cols, int channels, const NoiseDistribution& d, double max_value, Random& rng) {
    cv::Mat field(rows, cols, CV_MAKETYPE(CV_32F, channels));
    cv::RNG cv_rng(rng.next_u64());
    cv::Mat flat = field.reshape(1, rows * cols);  // one column per channel
    if (d.type == "gaussian") {
        cv_rng.fill(flat, cv::RNG::NORMAL, d.a * max_value, d.b * max_value);
    } else if (d.type == "uniform" && channels <= 4) {
        cv::Scalar low, high;
        for (int c = 0; c < channels; ++c) {
            const auto& r = d.channel_ranges[d.channel_ranges.size() > 1 ? c : 0];
            low[c] = r[0] * max_value;
            high[c] = r[1] * max_value;
        }
        if (low == high) field.setTo(low);  // OpenCV's uniform fill needs low < high
        else cv_rng.fill(field, cv::RNG::UNIFORM, low, high);
    } else if (d.type == "uniform") {
        for (int c = 0; c < channels; ++c) {
            const auto& r = d.channel_ranges[d.channel_ranges.size() > 1 ? c : 0];
            cv::Mat column = flat.col(c);
            for (int i = 0; i < column.rows; ++i) column.at<float>(i) = static_cast<float>((r[0] + (r[1] - r[0]) * rng.uniform01()) * max_value);
        }
    } else if (d.type == "laplace") {
        // Inverse CDF from u: w = 1 - |2u - 1| (2u or 2(1 - u)), loc -/+ scale log w; one vectorised log.
        cv::Mat u(rows * cols * channels, 1, CV_32F), w;
        cv_rng.fill(u, cv::RNG::UNIFORM, 0.0, 1.0);
        w = 1.0f - cv::abs(2.0f * u - 1.0f);
        cv::max(w, 1e-30, w);
        cv::log(w, w);
        float* v = field.ptr<float>(0);  // a fresh field: contiguous
        const float* us = u.ptr<float>(0);
        const float* logs = w.ptr<float>(0);
        const float loc = static_cast<float>(d.a * max_value), spread = static_cast<float>(d.b * max_value);
        for (std::size_t i = 0; i < u.total(); ++i) v[i] = loc + (us[i] < 0.5f ? spread : -spread) * logs[i];
    } else {
        GammaSource source(rng);
        float* v = field.ptr<float>(0);  // a fresh field: contiguous
        for (std::size_t i = 0; i < field.total() * channels; ++i)
            v[i] = static_cast<float>((2 * beta_sample(source, d.a, d.b) - 1) * d.scale * max_value);
    }
    return field;
}

// The uniform ranges a draw uses: one per channel where channels draw their own, else the first.
std::vector<std::array<double, 2>> uniform_ranges(const Json& np, int channels, bool per_channel_ranges) {
    std::vector<std::array<double, 2>> ranges;
    for (const Json& r : np.at("ranges")) ranges.push_back({r[0].get<double>(), r[1].get<double>()});
    if (ranges.size() > 1 && per_channel_ranges && static_cast<int>(ranges.size()) < channels)
        throw std::invalid_argument("AdditiveNoise: not enough ranges provided. Expected 1 or at least " + std::to_string(channels) +
                                    ", got " + std::to_string(ranges.size()));
    ranges.resize(ranges.size() > 1 && per_channel_ranges ? channels : 1);
    return ranges;
}

cv::Mat add_field(const cv::Mat& image, const cv::Mat& field);

// One value per channel, added.
cv::Mat add_constant_noise(const cv::Mat& image, const std::string& type, const Json& np, double max_value, Random& rng) {
    const int channels = image.channels();
    NoiseDistribution d = draw_distribution(type, np, rng, true);
    std::vector<float> values(channels);
    GammaSource source(rng);
    const auto ranges = type == "uniform" ? uniform_ranges(np, channels, true) : std::vector<std::array<double, 2>>{};
    for (int c = 0; c < channels; ++c) {
        double v;
        if (type == "uniform") v = rng.uniform(ranges[ranges.size() > 1 ? c : 0][0], ranges[ranges.size() > 1 ? c : 0][1]);
        else if (type == "gaussian") v = rng.normal(d.a, d.b);
        else if (type == "laplace") v = laplace_of(std::max(rng.uniform01(), 1e-300), d.a, d.b);
        else v = (2 * beta_sample(source, d.a, d.b) - 1) * d.scale;
        values[c] = static_cast<float>(static_cast<float>(v) * max_value);
    }
    if (channels <= 4) {  // one value per channel: a scalar add (uint8: the whole part, saturated)
        cv::Scalar add;
        for (int c = 0; c < channels; ++c) add[c] = image.depth() == CV_8U ? std::trunc(values[c]) : values[c];
        cv::Mat out;
        cv::add(image, add, out);
        return image.depth() == CV_8U ? out : pixel::clip01(out);
    }
    cv::Mat field(image.rows, image.cols, CV_MAKETYPE(CV_32F, channels));
    std::vector<cv::Mat> planes;
    for (int c = 0; c < channels; ++c) planes.emplace_back(image.rows, image.cols, CV_32F, cv::Scalar(values[c]));
    cv::merge(planes, field);
    return add_field(image, field);
}

// A field drawn with fresh distribution parameters, channel ranges or the first range.
cv::Mat drawn_field(int rows, int cols, int channels, const std::string& type, const Json& np, bool channel_ranges,
                    int image_channels, double max_value, Random& rng) {
    NoiseDistribution d = draw_distribution(type, np, rng, false);
    if (type == "uniform") d.channel_ranges = uniform_ranges(np, image_channels, channel_ranges);
    return noise_field(rows, cols, channels, d, max_value, rng);
}

cv::Mat patch_noise(const cv::Mat& image, const Params& params, const std::string& type, const Json& np, double max_value, Random& rng) {
    const int rows = image.rows, cols = image.cols, channels = image.channels();
    const bool per_channel = params.flag("per_channel");
    const auto counts = params.range("patch_count_range");
    const int count = static_cast<int>(rng.randint(static_cast<int64_t>(counts[0]), static_cast<int64_t>(counts[1])));
    std::vector<cv::Rect> patches(count);
    for (cv::Rect& r : patches) r.height = static_cast<int>(std::ceil(rows * draw(params, "patch_height_range", rng)));
    for (cv::Rect& r : patches) r.width = static_cast<int>(std::ceil(cols * draw(params, "patch_width_range", rng)));
    for (cv::Rect& r : patches) {
        r.height = std::clamp(r.height, 1, rows);
        r.width = std::clamp(r.width, 1, cols);
        r.y = static_cast<int>(rng.randint(0, rows - r.height));
        r.x = static_cast<int>(rng.randint(0, cols - r.width));
    }
    const int field_channels = per_channel ? channels : 1;
    if (count == 1 && patches[0] == cv::Rect(0, 0, cols, rows))
        return drawn_field(rows, cols, field_channels, type, np, per_channel, channels, max_value, rng);
    cv::Mat field = cv::Mat::zeros(rows, cols, CV_MAKETYPE(CV_32F, field_channels));
    // Later patches replace earlier ones where they overlap, as the reference.
    for (const cv::Rect& r : patches)
        drawn_field(r.height, r.width, field_channels, type, np, per_channel, channels, max_value, rng).copyTo(field(r));
    return field;
}

// The field added to every value (a one-channel field to every channel). uint8: the change
// truncated toward zero, then added with saturation (the reference's uint8 add); float32 clipped.
template <typename T>
T added(T v, float n) {
    if constexpr (std::is_same_v<T, uint8_t>) return static_cast<uint8_t>(std::clamp(v + static_cast<int>(n), 0, 255));
    else return std::min(1.0f, std::max(0.0f, v + n));
}

// Branch-free loops (the compiler vectorises them): a value per value, or one per pixel.
template <typename T>
void add_row(const T* in, T* out, const float* noise, int cols, int channels, int noise_channels) {
    if (noise_channels == channels) {
        for (int i = 0; i < cols * channels; ++i) out[i] = added(in[i], noise[i]);
        return;
    }
    for (int x = 0; x < cols; ++x)
        for (int c = 0; c < channels; ++c) out[x * channels + c] = added(in[x * channels + c], noise[x]);
}

cv::Mat add_field(const cv::Mat& image, const cv::Mat& field) {
    cv::Mat out(image.size(), image.type());
    for (int y = 0; y < image.rows; ++y) {
        if (image.depth() == CV_8U)
            add_row(image.ptr<uint8_t>(y), out.ptr<uint8_t>(y), field.ptr<float>(y), image.cols, image.channels(), field.channels());
        else
            add_row(image.ptr<float>(y), out.ptr<float>(y), field.ptr<float>(y), image.cols, image.channels(), field.channels());
    }
    return out;
}

cv::Mat additive_noise(const cv::Mat& image, const Params& params, Random& rng) {
    const std::string& type = params.text("noise_type");
    const std::string& mode = params.text("spatial_mode");
    const Json np = resolved_noise_params(params);
    const double max_value = image.depth() == CV_8U ? 255.0 : 1.0;
    const int channels = image.channels();
    cv::Mat field;
    if (mode == "constant") return add_constant_noise(image, type, np, max_value, rng);
    if (mode == "patch") field = patch_noise(image, params, type, np, max_value, rng);
    else if (mode == "shared") field = drawn_field(image.rows, image.cols, 1, type, np, false, channels, max_value, rng);
    else field = drawn_field(image.rows, image.cols, channels, type, np, true, channels, max_value, rng);
    return add_field(image, field);
}

}  // namespace

void register_noise_fields(Registry& r) {
    TransformDecl additive = pixel::pixel_transform(
        "AdditiveNoise",
        {choice_param("noise_type", "uniform", Json::array({"uniform", "gaussian", "laplace", "beta"})),
         choice_param("spatial_mode", "constant", Json::array({"constant", "per_pixel", "shared", "patch"})),
         mapping_param("noise_params"),
         range_param("patch_count_range", Json::array({1, 1})).between(1.0, std::nullopt).whole(),
         range_param("patch_height_range", Json::array({0.1, 1.0})).between(0.0, 1.0).in("fraction of the height"),
         range_param("patch_width_range", Json::array({0.1, 1.0})).between(0.0, 1.0).in("fraction of the width"),
         flag_param("per_channel", false)},
        additive_noise);
    // The reference's signature has p after noise_params (the patch options are keyword-only).
    std::rotate(additive.params.begin() + 3, additive.params.end() - 1, additive.params.end());
    additive.check = [](const std::string& owner, const Params& p) {
        for (const char* name : {"patch_height_range", "patch_width_range"})
            if (p.range(name)[0] <= 0)
                throw std::invalid_argument(owner + ": " + name + " values must be > 0, got " + python_repr(p.at(name)));
        check_additive_noise(owner, p);
    };
    r.add(std::move(additive));
    r.add(pixel::pixel_transform(
        "FilmGrain",
        {range_param("intensity_range", Json::array({0.1, 0.3})).between(0.0, 1.0),
         range_param("grain_size_range", Json::array({1, 3})).between(1.0, std::nullopt).whole().in("pixels per grain")},
        film_grain));
    ParamDecl border = border_mode_param(cv::BORDER_REFLECT_101);
    border.choices = Json::array({0, 1, 2, 4});  // no wrap: filter2D refuses it
    border.flag_names.erase(cv::BORDER_WRAP);
    TransformDecl convolution = pixel::pixel_transform(
        "StochasticConvolution",
        {range_param("kernel_range", Json::array({3, 7})).between(3.0, std::nullopt).whole().in("pixels, odd"),
         range_param("strength_range", Json::array({0.0, 1.0})).between(0.0, std::nullopt), flag_param("per_channel", false),
         std::move(border)},
        stochastic_convolution);
    convolution.check = [](const std::string& owner, const Params& p) {
        const auto sizes = p.range("kernel_range");
        if (static_cast<int64_t>(sizes[0]) % 2 == 0 || static_cast<int64_t>(sizes[1]) % 2 == 0)
            throw std::invalid_argument(owner + ": kernel_range values must be odd, got " + python_repr(p.at("kernel_range")));
    };
    convolution.reads_neighbours = true;
    r.add(std::move(convolution));
}

}  // namespace instaug
