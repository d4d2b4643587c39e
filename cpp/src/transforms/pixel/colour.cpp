// HueSaturationValue and ColorJitter: colour changes through OpenCV's uint8 HSV.
#include <algorithm>
#include <cmath>
#include <optional>

#include <opencv2/imgproc.hpp>

#include "kernels/hsv_shift.hpp"
#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

using namespace pixel;

cv::Mat shift_hsv_uint8(const cv::Mat& image, double hue, double sat, double val) {
    const bool gray = image.channels() == 1;
    if (gray) hue = sat = 0;  // hue and saturation do not apply to grey images (the reference warns)
    // One table per HSV channel. Saturation 0 maps to 0: grey pixels stay grey.
    HsvTables tables;
    for (int v = 0; v < 256; ++v) {
        tables[0][v] = static_cast<uint8_t>(std::clamp(shifted_hue(v, hue), 0.0, 255.0));
        tables[1][v] = v == 0 ? 0 : static_cast<uint8_t>(std::clamp(std::nearbyint(v + sat), 0.0, 255.0));
        tables[2][v] = static_cast<uint8_t>(std::clamp(std::nearbyint(v + val), 0.0, 255.0));
    }
    cv::Mat out;
    if (!gray) {
        shift_hsv_rgb8(image, out, tables);
        return out;
    }
    cv::Mat rgb, shifted;
    cv::cvtColor(image, rgb, cv::COLOR_GRAY2RGB);
    shift_hsv_rgb8(rgb, shifted, tables);
    cv::cvtColor(shifted, out, cv::COLOR_RGB2GRAY);
    return out;
}

cv::Mat hue_saturation_value(const cv::Mat& image, const Params& params, Random& rng) {
    require_grey_or_rgb(image, "HueSaturationValue");
    const double hue = draw(params, "hue_shift_range", rng);
    const double sat = draw(params, "sat_shift_range", rng);
    const double val = draw(params, "val_shift_range", rng);
    if (hue == 0 && sat == 0 && val == 0) return image;
    return through_uint8(image, [&](const cv::Mat& u8) { return shift_hsv_uint8(u8, hue, sat, val); });
}

cv::Mat adjust_saturation(const cv::Mat& image, double factor) {
    if (factor == 1 || image.channels() == 1) return image;
    cv::Mat gray = pixel::gray_of(image), gray_n;
    if (gray.type() != CV_MAKETYPE(image.depth(), 1)) gray.convertTo(gray, image.depth());
    std::vector<cv::Mat> copies(image.channels(), gray);
    cv::merge(copies, gray_n);
    if (factor == 0) return gray_n;
    cv::Mat out;
    cv::addWeighted(image, factor, gray_n, 1 - factor, 0.0, out);
    return image.depth() == CV_32F ? clip01(out) : out;
}

cv::Mat adjust_hue(const cv::Mat& image, double factor) {
    if (image.channels() == 1 || factor == 0) return image;
    auto hue_entry = [&](int v) { return shifted_hue(v, 180 * factor); };
    if (image.type() == CV_8UC3) {
        // The reference's cvtColor, hue table, cvtColor, in the one-pass HSV kernel (saturation
        // and value tables are the identity).
        HsvTables tables;
        for (int v = 0; v < 256; ++v) {
            tables[0][v] = static_cast<uint8_t>(std::clamp(hue_entry(v), 0.0, 255.0));
            tables[1][v] = tables[2][v] = static_cast<uint8_t>(v);
        }
        cv::Mat out;
        shift_hsv_rgb8(image, out, tables);
        return out;
    }
    cv::Mat hsv, out;
    cv::cvtColor(image, hsv, cv::COLOR_RGB2HSV);
    std::vector<cv::Mat> planes;
    cv::split(hsv, planes);
    if (image.depth() == CV_8U) {
        planes[0] = apply_lut(planes[0], hue_entry);
    } else {
        cv::Mat h = planes[0] + factor * 360;
        for (int y = 0; y < h.rows; ++y)
            for (int x = 0; x < h.cols; ++x) {
                float& v = h.at<float>(y, x);
                v = std::fmod(v, 360.0f);
                if (v < 0) v += 360.0f;
            }
        planes[0] = h;
    }
    cv::merge(planes, hsv);
    cv::cvtColor(hsv, out, cv::COLOR_HSV2RGB);
    return out;
}

cv::Mat color_jitter(const cv::Mat& image, const Params& params, Random& rng) {
    require_grey_or_rgb(image, "ColorJitter");
    const double brightness = draw(params, "brightness_range", rng);
    const double contrast = draw(params, "contrast_range", rng);
    const double saturation = draw(params, "saturation_range", rng);
    const double hue = draw(params, "hue_range", rng);
    // A random order; brightness and contrast next to each other run as one fused step.
    std::vector<int> order{0, 1, 2, 3};  // brightness, contrast, saturation, hue
    for (int i = 3; i > 0; --i) std::swap(order[i], order[rng.randint(0, i)]);
    cv::Mat out = image;
    for (std::size_t k = 0; k < order.size(); ++k) {
        const int op = order[k];
        const bool merged = k + 1 < order.size() && ((op == 0 && order[k + 1] == 1) || (op == 1 && order[k + 1] == 0));
        if (merged) {
            out = brightness_contrast(out, brightness, contrast, op == 0);
            ++k;
        } else if (op == 0) {
            out = brightness_contrast(out, brightness, 1.0, true);
        } else if (op == 1) {
            out = brightness_contrast(out, 1.0, contrast, false);
        } else if (op == 2) {
            out = adjust_saturation(out, saturation);
        } else {
            out = adjust_hue(out, hue);
        }
    }
    return out;
}

// mmdetection's PhotoMetricDistort as the reference has it: brightness, contrast, saturation and
// hue each drawn with probability distort_p; contrast either right after brightness or last; then
// with probability distort_p a random channel order.
cv::Mat photometric_distort(const cv::Mat& image, const Params& params, Random& rng) {
    require_grey_or_rgb(image, "PhotoMetricDistort");
    const double chance = params.number("distort_p");
    auto maybe = [&](const char* name) {
        return rng.chance(chance) ? std::optional<double>(draw(params, name, rng)) : std::nullopt;
    };
    const std::optional<double> brightness = maybe("brightness_range"), contrast = maybe("contrast_range");
    const std::optional<double> saturation = maybe("saturation_range"), hue = maybe("hue_range");
    const bool contrast_first = rng.chance(0.5);
    const std::optional<double> early_contrast = contrast_first ? contrast : std::nullopt;
    cv::Mat out = image;
    if (brightness || early_contrast)
        out = brightness_contrast(out, brightness.value_or(1.0), early_contrast.value_or(1.0), brightness.has_value());
    if (saturation) out = adjust_saturation(out, *saturation);
    if (hue) out = adjust_hue(out, *hue);
    if (!contrast_first && contrast) out = brightness_contrast(out, 1.0, *contrast, false);
    if (out.channels() > 1 && rng.chance(chance)) return channels_in_order(out, random_order(out.channels(), rng));
    return out;
}

}  // namespace

void register_colour(Registry& r) {
    r.add(pixel_transform("HueSaturationValue",
                     {range_param("hue_shift_range", Json::array({-20, 20})).between(-180, 180).in("OpenCV hue units (0..179)"),
                      range_param("sat_shift_range", Json::array({-30, 30})).between(-255, 255).in("uint8 units"),
                      range_param("val_shift_range", Json::array({-20, 20})).between(-255, 255).in("uint8 units")},
                     hue_saturation_value));
    r.add(pixel_transform("ColorJitter",
                     {range_param("brightness_range", Json::array({0.8, 1.2})).between(0.0, std::nullopt).in("factor"),
                      range_param("contrast_range", Json::array({0.8, 1.2})).between(0.0, std::nullopt).in("factor"),
                      range_param("saturation_range", Json::array({0.8, 1.2})).between(0.0, std::nullopt).in("factor"),
                      range_param("hue_range", Json::array({-0.5, 0.5})).between(-0.5, 0.5).in("fraction of a turn")},
                     color_jitter));
    TransformDecl distort = pixel_transform(
        "PhotoMetricDistort",
        {range_param("brightness_range", Json::array({0.875, 1.125})).between(0.0, std::nullopt).in("factor"),
         range_param("contrast_range", Json::array({0.5, 1.5})).between(0.0, std::nullopt).in("factor"),
         range_param("saturation_range", Json::array({0.5, 1.5})).between(0.0, std::nullopt).in("factor"),
         range_param("hue_range", Json::array({-0.05, 0.05})).between(-0.5, 0.5).in("fraction of a turn"),
         number_param("distort_p", 0.5).between(0.0, 1.0)},
        photometric_distort);
    r.add(std::move(distort));
}

}  // namespace instaug
