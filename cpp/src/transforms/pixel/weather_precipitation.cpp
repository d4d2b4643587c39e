// Weather: RandomRain (streaks drawn, blurred, added, the image dimmed) and RandomSnow (bleach:
// brighter light tones in HLS; texture: a blurred noise layer, a blue tint and sparkles in HSV).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "core/math_constants.hpp"
#include "kernels/hsv_shift.hpp"
#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

void require_rgb(const cv::Mat& image, const std::string& transform) {
    if (image.channels() != 3)
        throw std::invalid_argument(transform + " expects 3-channel (RGB) images, got " +
                                    std::to_string(image.channels()) + " channels");
}

// ---- RandomRain --------------------------------------------------------------------------------
int rain_drop_count(const std::string& rain_type, int height) {
    if (rain_type == "drizzle") return height / 4;
    if (rain_type == "heavy") return height;
    if (rain_type == "torrential") return height * 2;
    return height / 3;
}

cv::Mat random_rain(const cv::Mat& image, const Params& params, Random& rng) {
    require_rgb(image, "RandomRain");
    const double slant = pixel::draw(params, "slant_range", rng);
    rng.note("slant_range", slant);
    const int height = image.rows, width = image.cols;
    const int count = rain_drop_count(params.text("rain_type"), height);
    const int length = params.is_none("drop_length") ? std::max(1, height / 8) : params.integer32("drop_length");
    if (count > 0 && height - length <= 0)
        throw std::invalid_argument("RandomRain: drop_length " + std::to_string(length) +
                                    " leaves no row for a drop to start in an image of height " + std::to_string(height));
    // Each drop: a start uniform in [0, width) x [0, height - length), the end slant and length away
    // (truncated to whole pixels, as the reference's astype(int32)).
    std::vector<std::vector<cv::Point>> lines(count);
    for (auto& line : lines) {
        const int x = static_cast<int>(rng.randint(0, width - 1));
        const int y = static_cast<int>(rng.randint(0, height - length - 1));
        line = {cv::Point(x, y), cv::Point(static_cast<int>(x + slant), static_cast<int>(y + static_cast<double>(length)))};
    }
    const std::vector<double> c = params.numbers("drop_color");
    const cv::Scalar colour(c[0], c[1], c[2]);
    const int thickness = params.integer32("drop_width"), blur = params.integer32("blur_value");
    const double brightness = params.number("brightness_coefficient");
    return pixel::through_uint8(image, [&](const cv::Mat& bytes) {
        if (lines.empty()) return bytes.clone();
        cv::Mat rain = cv::Mat::zeros(bytes.size(), bytes.type()), out;
        cv::polylines(rain, lines, false, colour, thickness, cv::LINE_4);
        if (blur > 1) cv::blur(rain, rain, cv::Size(blur, blur));
        cv::add(bytes, rain, out);
        if (brightness != 1.0) cv::multiply(out, cv::Scalar::all(brightness), out, 1.0, CV_8U);
        return out;
    });
}

// OpenCV's float HLS/HSV -> RGB indexes a table by the hue's sector: a NaN or infinite hue (from a
// NaN or infinite pixel) would read outside it. Such hues become 0 before converting back.
void finite_hues(cv::Mat& hue_first) {
    if (hue_first.depth() != CV_32F) return;
    for (int y = 0; y < hue_first.rows; ++y) {
        auto* px = hue_first.ptr<cv::Vec3f>(y);
        for (int x = 0; x < hue_first.cols; ++x)
            if (!std::isfinite(px[x][0])) px[x][0] = 0.0f;
    }
}

// ---- RandomSnow --------------------------------------------------------------------------------
// bleach: in HLS, lightness under the threshold (snow_point * max / 2 + max / 3) multiplied by
// brightness_coeff, clipped (and truncated for uint8), in the image's own dtype.
cv::Mat snow_bleach(const cv::Mat& image, double snow_point, double coefficient) {
    const bool bytes = image.depth() == CV_8U;
    const double max_value = bytes ? 255.0 : 1.0;
    // float32 comparisons and products, as numpy's with Python scalars
    const float threshold = static_cast<float>(snow_point * max_value / 2 + max_value / 3);
    const float gain = static_cast<float>(coefficient), top = static_cast<float>(max_value);
    cv::Mat hls;
    cv::cvtColor(image, hls, cv::COLOR_RGB2HLS);
    for (int y = 0; y < hls.rows; ++y) {
        if (bytes) {
            auto* px = hls.ptr<cv::Vec3b>(y);
            for (int x = 0; x < hls.cols; ++x) {
                const float l = px[x][1];
                if (l < threshold) px[x][1] = static_cast<uint8_t>(std::clamp(l * gain, 0.0f, top));
            }
        } else {
            auto* px = hls.ptr<cv::Vec3f>(y);
            for (int x = 0; x < hls.cols; ++x)
                if (px[x][1] < threshold) px[x][1] = std::clamp(px[x][1] * gain, 0.0f, top);
        }
    }
    cv::Mat out;
    finite_hues(hls);
    cv::cvtColor(hls, out, cv::COLOR_HLS2RGB);
    return out;
}

// numpy's linspace(1, 0.2, rows, dtype=float32)[row].
float depth_at(int row, int rows) {
    if (rows > 1 && row == rows - 1) return 0.2f;
    return static_cast<float>(rows > 1 ? row * ((0.2 - 1.0) / (rows - 1)) + 1.0 : 1.0);
}

// OpenCV's 8-bit HSV -> RGB as the reference's build (opencv-python 5.0, the pinned reference)
// runs it: see kernels/hsv_shift. The system OpenCV's conversion rounds everywhere, a grey level
// apart on ~10% of the values.
cv::Mat hsv_to_rgb8(const cv::Mat& hsv) {
    cv::Mat out(hsv.size(), CV_8UC3);
    const int vector_end = hsv.cols / kOpenCvHsvBlock * kOpenCvHsvBlock;
    for (int y = 0; y < hsv.rows; ++y) {
        const uint8_t* in = hsv.ptr<uint8_t>(y);
        uint8_t* o = out.ptr<uint8_t>(y);
        for (int x = 0; x < hsv.cols; ++x, in += 3, o += 3) hsv_to_rgb8_pixel(in[0], in[1], in[2], o, x < vector_end);
    }
    return out;
}

// texture: the value channel brightened and raised by a noise layer fading towards the bottom,
// a blue tint blended in, and about 1% of the pixels set to white (sparkles).
cv::Mat snow_texture(const cv::Mat& image, double snow_point, double coefficient, Random& rng) {
    const bool bytes = image.depth() == CV_8U;
    const float max_value = bytes ? 255.0f : 1.0f, hue_max = bytes ? 180.0f : 360.0f;
    // The reference's texture: N(0.5, 0.3), blurred twice with sigma 1 (once when drawn, once when used).
    cv::Mat texture(image.size(), CV_32F), sparkle(image.size(), CV_32F);
    cv::RNG noise(rng.next_u64());
    noise.fill(texture, cv::RNG::NORMAL, 0.5, 0.3);
    noise.fill(sparkle, cv::RNG::UNIFORM, 0.0, 1.0);
    cv::GaussianBlur(texture, texture, cv::Size(0, 0), 1, 1);
    cv::GaussianBlur(texture, texture, cv::Size(0, 0), 1, 1);
    cv::Mat hsv;
    cv::cvtColor(image, hsv, cv::COLOR_RGB2HSV);
    hsv.convertTo(hsv, CV_32FC3);
    // float32 arithmetic with the reference's scalars cast to float32 (numpy's weak Python scalars)
    const float gain = static_cast<float>(1 + coefficient * snow_point);
    const float layer_scale = static_cast<float>(max_value * snow_point);
    const float tint_weight = static_cast<float>(0.15 * snow_point), keep = 0.85f;
    const float tint[3] = {static_cast<float>(0.6 * hue_max), static_cast<float>(0.75 * max_value), max_value};
    const float tops[3] = {hue_max, max_value, max_value};
    for (int y = 0; y < hsv.rows; ++y) {
        auto* px = hsv.ptr<cv::Vec3f>(y);
        const float* t = texture.ptr<float>(y);
        const float depth = depth_at(y, hsv.rows);
        for (int x = 0; x < hsv.cols; ++x) {
            px[x][2] = std::clamp(px[x][2] * gain, 0.0f, max_value);
            px[x][2] += t[x] * depth * layer_scale;
            for (int k = 0; k < 3; ++k) px[x][k] = std::clamp(keep * px[x][k] + tint_weight * tint[k], 0.0f, tops[k]);
        }
    }
    if (bytes) {  // astype(uint8): truncation (the values are clipped already)
        cv::Mat truncated(hsv.size(), CV_8UC3);
        for (int y = 0; y < hsv.rows; ++y) {
            const float* in = hsv.ptr<float>(y);
            uint8_t* o = truncated.ptr<uint8_t>(y);
            for (int i = 0; i < hsv.cols * 3; ++i) o[i] = static_cast<uint8_t>(in[i]);
        }
        hsv = truncated;
    }
    cv::Mat out;
    if (bytes) out = hsv_to_rgb8(hsv);
    else {
        finite_hues(hsv);
        cv::cvtColor(hsv, out, cv::COLOR_HSV2RGB);
    }
    const cv::Scalar white = cv::Scalar::all(max_value);
    out.setTo(white, sparkle > 0.99);
    return out;
}

cv::Mat random_snow(const cv::Mat& image, const Params& params, Random& rng) {
    require_rgb(image, "RandomSnow");
    const double snow_point = pixel::draw(params, "snow_point_range", rng);
    rng.note("snow_point_range", snow_point);
    const double coefficient = params.number("brightness_coeff");
    if (params.text("method") == "bleach") return snow_bleach(image, snow_point, coefficient);
    return snow_texture(image, snow_point, coefficient, rng);
}


// ---- RandomGravel ------------------------------------------------------------------------------
// number_of_patches patches in gravel_roi, each holding one particle per 100 pixels: a square of
// half-side 1..3 whose HLS lightness is set to a drawn level (the reference's `sat`). Squares end
// one pixel short of their far side and never reach the last row or column, as the reference's.
struct Gravel {
    cv::Rect box;
    int level;
};

std::vector<Gravel> draw_gravel(int height, int width, const Params& params, Random& rng) {
    const std::vector<double> roi = params.numbers("gravel_roi");
    const int x_min = static_cast<int>(roi[0] * width), y_min = static_cast<int>(roi[1] * height);
    const int x_max = static_cast<int>(roi[2] * width), y_max = static_cast<int>(roi[3] * height);
    const int roi_width = x_max - x_min, roi_height = y_max - y_min;
    std::vector<Gravel> gravel;
    for (int64_t patch = 0; patch < params.integer("number_of_patches"); ++patch) {
        const int pw = static_cast<int>(rng.randint(roi_width / 10, roi_width / 5));
        const int ph = static_cast<int>(rng.randint(roi_height / 10, roi_height / 5));
        const int px = static_cast<int>(rng.randint(x_min, x_max - pw));
        const int py = static_cast<int>(rng.randint(y_min, y_max - ph));
        for (int i = 0; i < pw * ph / 100; ++i) {
            const int x = static_cast<int>(rng.randint(px, px + pw));
            const int y = static_cast<int>(rng.randint(py, py + ph));
            const int r = static_cast<int>(rng.randint(1, 3));
            const int level = static_cast<int>(rng.randint(0, 255));
            const int x0 = std::max(x - r, 0), x1 = std::min(x + r, width - 1);
            const int y0 = std::max(y - r, 0), y1 = std::min(y + r, height - 1);
            if (x1 > x0 && y1 > y0) gravel.push_back({cv::Rect(x0, y0, x1 - x0, y1 - y0), level});
        }
    }
    return gravel;
}

cv::Mat random_gravel(const cv::Mat& image, const Params& params, Random& rng) {
    require_rgb(image, "RandomGravel");
    const std::vector<Gravel> gravel = draw_gravel(image.rows, image.cols, params, rng);
    // In bands of rows: the HLS band stays in cache between the two conversions.
    cv::Mat out(image.size(), image.type()), hls;
    constexpr int kBand = 16;
    for (int top = 0; top < image.rows; top += kBand) {
        const cv::Range rows(top, std::min(top + kBand, image.rows));
        cv::cvtColor(image.rowRange(rows), hls, cv::COLOR_RGB2HLS);
        for (const Gravel& g : gravel) {  // in drawing order: later squares win
            for (int y = std::max(g.box.y, rows.start); y < std::min(g.box.y + g.box.height, rows.end); ++y) {
                if (image.depth() == CV_8U) {
                    auto* px = hls.ptr<cv::Vec3b>(y - top);
                    for (int x = g.box.x; x < g.box.x + g.box.width; ++x) px[x][1] = static_cast<uint8_t>(g.level);
                } else {  // the level as a share of 255 (the reference writes 0..255 into a 0..1 lightness)
                    auto* px = hls.ptr<cv::Vec3f>(y - top);
                    for (int x = g.box.x; x < g.box.x + g.box.width; ++x) px[x][1] = static_cast<float>(g.level / 255.0);
                }
            }
        }
        finite_hues(hls);
        cv::Mat band = out.rowRange(rows);
        cv::cvtColor(hls, band, cv::COLOR_HLS2RGB);
    }
    return image.depth() == CV_8U ? out : pixel::clip01(out);
}

// ---- Spatter -----------------------------------------------------------------------------------
// A blurred Gaussian noise layer, cut below cutout_threshold, becomes rain drops (edges -> distance
// map -> equalized, embossed and blurred -> scaled by the layer) added to the image, or mud (the
// layer's mask, blurred) blended in; in float32, as the reference's. The noise comes from our
// generator, as Box-Muller pairs.
struct SpatterDraw {
    double mean, std, cutout, sigma, intensity;
};

int python_round(double v) {  // round half to even, as Python's round()
    return static_cast<int>(std::nearbyint(v));
}

// Normal draws in pairs (Box-Muller's cosine and sine of one pair of uniforms), in row order.
cv::Mat spatter_layer(int height, int width, const SpatterDraw& d, int depth, Random& rng) {
    std::vector<double> values(static_cast<std::size_t>(height) * width);
    for (std::size_t i = 0; i < values.size(); i += 2) {
        const double u1 = 1.0 - rng.uniform01(), u2 = rng.uniform01();
        const double r = d.std * std::sqrt(-2.0 * std::log(u1)), a = 2.0 * kPi * u2;
        values[i] = d.mean + r * std::cos(a);
        if (i + 1 < values.size()) values[i + 1] = d.mean + r * std::sin(a);
    }
    cv::Mat layer(height, width, depth);
    if (depth == CV_64F) std::copy(values.begin(), values.end(), layer.ptr<double>(0));
    else std::transform(values.begin(), values.end(), layer.ptr<float>(0), [](double v) { return static_cast<float>(v); });
    const int k = 2 * python_round(3 * d.sigma) + 1;
    cv::GaussianBlur(layer, layer, cv::Size(k, k), d.sigma, d.sigma, cv::BORDER_REPLICATE);
    layer.setTo(0, layer < d.cutout);
    return layer;
}

// The reference's get_rain_params: the drop strength m in [0, 1]; the drops are m * colour *
// intensity * 0.9 (taken per channel where they are added).
cv::Mat rain_strength(const cv::Mat& layer) {
    cv::Mat liquid(layer.size(), CV_8U), dist8(layer.size(), CV_8U), edges, dist;
    for (int y = 0; y < layer.rows; ++y) {
        const float* in = layer.ptr<float>(y);
        uint8_t* o = liquid.ptr<uint8_t>(y);
        for (int x = 0; x < layer.cols; ++x) o[x] = static_cast<uint8_t>(std::clamp(in[x] * 255.0f, 0.0f, 255.0f));
    }
    cv::Canny(liquid, edges, 50, 150);
    cv::subtract(cv::Scalar::all(255), edges, edges);
    cv::distanceTransform(edges, dist, cv::DIST_L2, 5);
    cv::threshold(dist, dist, 20, 20, cv::THRESH_TRUNC);
    cv::GaussianBlur(dist, dist, cv::Size(3, 3), 1, 1, cv::BORDER_REPLICATE);
    for (int y = 0; y < dist.rows; ++y) {
        const float* in = dist.ptr<float>(y);
        uint8_t* o = dist8.ptr<uint8_t>(y);
        for (int x = 0; x < dist.cols; ++x) o[x] = static_cast<uint8_t>(std::clamp(in[x], 0.0f, 255.0f));
    }
    cv::equalizeHist(dist8, dist8);
    const cv::Mat kernel = (cv::Mat_<float>(3, 3) << -2, -1, 0, -1, 1, 1, 0, 1, 2);
    cv::filter2D(dist8, dist8, -1, kernel);
    cv::GaussianBlur(dist8, dist8, cv::Size(5, 5), 1.5, 1.5, cv::BORDER_REPLICATE);
    cv::Mat m(layer.size(), CV_32F);
    float m_max = 0;
    for (int y = 0; y < m.rows; ++y) {
        const uint8_t *l = liquid.ptr<uint8_t>(y), *d = dist8.ptr<uint8_t>(y);
        float* o = m.ptr<float>(y);
        for (int x = 0; x < m.cols; ++x) {
            o[x] = static_cast<float>(l[x]) * static_cast<float>(d[x]);
            m_max = std::max(m_max, o[x]);
        }
    }
    if (m_max > 0) m *= 1.0f / m_max;  // float32 quotient, as numpy's 1 / np.float32
    else m.setTo(0);
    return m;
}

// The reference's get_mud_params: the mud mask times intensity; mud = mask * colour and
// non_mud = (colour - mud) / colour clipped (1 - mask for a zero colour), per channel.
cv::Mat mud_mask(const cv::Mat& layer, const SpatterDraw& d, Random& rng) {
    cv::Mat mask(layer.size(), CV_32F);
    for (int y = 0; y < layer.rows; ++y) {
        const double* in = layer.ptr<double>(y);
        float* o = mask.ptr<float>(y);
        for (int x = 0; x < layer.cols; ++x) o[x] = in[x] > d.cutout ? 1.0f : 0.0f;
    }
    if (cv::countNonZero(mask) == 0) {  // at least 10% of the pixels, drawn
        const int area = static_cast<int>(mask.total()), needed = std::max(1, static_cast<int>(0.1 * area));
        std::vector<int> order(area);
        for (int i = 0; i < area; ++i) order[i] = i;
        for (int i = 0; i < needed; ++i) {
            std::swap(order[i], order[rng.randint(i, area - 1)]);
            mask.at<float>(order[i] / mask.cols, order[i] % mask.cols) = 1.0f;
        }
    }
    if (d.sigma > 0) cv::GaussianBlur(mask, mask, cv::Size(0, 0), d.sigma, d.sigma, cv::BORDER_REPLICATE);
    double mask_max = 0;
    cv::minMaxLoc(mask, nullptr, &mask_max);
    if (mask_max > 0) mask /= static_cast<float>(mask_max);
    else mask.at<float>(0, 0) = 1.0f;
    mask *= static_cast<float>(d.intensity);
    return mask;
}

cv::Mat spatter(const cv::Mat& image, const Params& params, Random& rng) {
    require_rgb(image, "Spatter");
    SpatterDraw d{};
    d.mean = pixel::draw(params, "mean_range", rng);
    d.std = pixel::draw(params, "std_range", rng);
    d.cutout = pixel::draw(params, "cutout_threshold_range", rng);
    d.sigma = pixel::draw(params, "gauss_sigma_range", rng);
    d.intensity = pixel::draw(params, "intensity_range", rng);
    for (auto [name, value] : {std::pair{"mean_range", d.mean}, {"std_range", d.std}, {"cutout_threshold_range", d.cutout},
                               {"gauss_sigma_range", d.sigma}, {"intensity_range", d.intensity}})
        rng.note(name, value);
    const bool rain = params.text("mode") == "rain";
    std::vector<double> c = params.is_none("color") ? (rain ? std::vector<double>{238, 238, 175} : std::vector<double>{20, 42, 63})
                                                     : params.numbers("color");
    float colour[3];
    for (int k = 0; k < 3; ++k) colour[k] = static_cast<float>(c[k]) / 255.0f;
    const cv::Mat layer = spatter_layer(image.rows, image.cols, d, rain ? CV_32F : CV_64F, rng);
    const cv::Mat weight = rain ? rain_strength(layer) : mud_mask(layer, d, rng);
    const float drop_scale = static_cast<float>(d.intensity * 0.9);
    // In float32 (uint8 as v / 255), clipped; uint8 back as rint(x * 255).
    const bool bytes = image.depth() == CV_8U;
    float as_float[256];  // albucore's to_float table: v / 255 in float32
    for (int v = 0; v < 256; ++v) as_float[v] = static_cast<float>(v) / 255.0f;
    cv::Mat out(image.size(), image.type());
    for (int y = 0; y < image.rows; ++y) {
        const float* w = weight.ptr<float>(y);
        for (int x = 0; x < image.cols; ++x)
            for (int k = 0; k < 3; ++k) {
                float v = bytes ? as_float[image.ptr<uint8_t>(y)[3 * x + k]] : image.ptr<float>(y)[3 * x + k];
                if (rain) {
                    v += w[x] * colour[k] * drop_scale;
                } else {
                    const float mud = w[x] * colour[k];
                    const float keep = colour[k] > 0 ? std::clamp((colour[k] - mud) / colour[k], 0.0f, 1.0f) : 1.0f - w[x];
                    v = v * keep + mud;
                }
                v = std::clamp(v, 0.0f, 1.0f);
                if (bytes) out.ptr<uint8_t>(y)[3 * x + k] = cv::saturate_cast<uint8_t>(cvRound(static_cast<double>(v * 255.0f)));
                else out.ptr<float>(y)[3 * x + k] = v;
            }
    }
    return out;
}
}  // namespace

void register_weather_precipitation(Registry& r) {
    TransformDecl rain = pixel::pixel_transform(
        "RandomRain",
        {range_param("slant_range", Json::array({-10, 10})).between(-45.0, 45.0),
         integer_param("drop_length", nullptr).or_none().between(1, std::nullopt),
         integer_param("drop_width", 1).between(1, std::nullopt),
         integers_param("drop_color", Json::array({200, 200, 200})),
         integer_param("blur_value", 7).between(1, std::nullopt),
         number_param("brightness_coefficient", 0.7).between(0.0, 1.0),
         choice_param("rain_type", "default", Json::array({"drizzle", "heavy", "torrential", "default"}))},
        random_rain);
    rain.reads_neighbours = true;
    rain.check = [](const std::string& owner, const Params& p) {
        if (p.numbers("drop_color").size() != 3)
            throw std::invalid_argument(owner + ": drop_color must be three integers (R, G, B), got " +
                                        python_repr(p.at("drop_color")));
        if (!(p.number("brightness_coefficient") > 0))
            throw std::invalid_argument(owner + ": brightness_coefficient must be in (0, 1], got " +
                                        python_repr(p.at("brightness_coefficient")));
    };
    r.add(std::move(rain));

    TransformDecl snow = pixel::pixel_transform(
        "RandomSnow",
        {number_param("brightness_coeff", 2.5).between(0.0, std::nullopt),
         range_param("snow_point_range", Json::array({0.1, 0.3})).between(0.0, 1.0),
         choice_param("method", "bleach", Json::array({"bleach", "texture"}))},
        random_snow);
    snow.check = [](const std::string& owner, const Params& p) {
        if (!(p.number("brightness_coeff") > 0))
            throw std::invalid_argument(owner + ": brightness_coeff must be greater than 0, got " +
                                        python_repr(p.at("brightness_coeff")));
    };
    r.add(std::move(snow));

    TransformDecl gravel = pixel::pixel_transform(
        "RandomGravel",
        {numbers_param("gravel_roi", Json::array({0.1, 0.4, 0.9, 0.9})),
         integer_param("number_of_patches", 2).between(1, std::nullopt)},
        random_gravel);
    gravel.check = [](const std::string& owner, const Params& p) {
        const std::vector<double> roi = p.numbers("gravel_roi");
        if (roi.size() != 4 || !(0 <= roi[0] && roi[0] < roi[2] && roi[2] <= 1) ||
            !(0 <= roi[1] && roi[1] < roi[3] && roi[3] <= 1))
            throw std::invalid_argument(owner + ": gravel_roi must be (x_min, y_min, x_max, y_max) with "
                                                "0 <= x_min < x_max <= 1 and 0 <= y_min < y_max <= 1, got " +
                                        python_repr(p.at("gravel_roi")));
    };
    r.add(std::move(gravel));

    TransformDecl spatter_decl = pixel::pixel_transform(
        "Spatter",
        {range_param("mean_range", Json::array({0.65, 0.65})).between(0.0, 1.0),
         range_param("std_range", Json::array({0.3, 0.3})).between(0.0, 1.0),
         range_param("gauss_sigma_range", Json::array({2, 2})).between(0.0, std::nullopt),
         range_param("cutout_threshold_range", Json::array({0.68, 0.68})).between(0.0, 1.0),
         range_param("intensity_range", Json::array({0.6, 0.6})).between(0.0, 1.0),
         choice_param("mode", "rain", Json::array({"rain", "mud"})),
         integers_param("color", nullptr).or_none()},
        spatter);
    spatter_decl.check = [](const std::string& owner, const Params& p) {
        if (!p.is_none("color") && p.numbers("color").size() != 3)
            throw std::invalid_argument(owner + ": color must be three integers (R, G, B) or None, got " +
                                        python_repr(p.at("color")));
    };
    spatter_decl.reads_neighbours = false;
    r.add(std::move(spatter_decl));
}

}  // namespace instaug
