#include "instaug/photometric.hpp"

#include "instaug/color_lut.hpp"
#include "instaug/hsv_shift.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace instaug {
namespace pixel {

cv::Mat to_uint8(const cv::Mat& image) {
    cv::Mat out;
    image.convertTo(out, CV_MAKETYPE(CV_8U, image.channels()), 255.0);  // rounds and saturates
    return out;
}

cv::Mat to_float32(const cv::Mat& image) {
    cv::Mat out;
    image.convertTo(out, CV_MAKETYPE(CV_32F, image.channels()), 1.0 / 255.0);
    return out;
}

cv::Mat gray_of(const cv::Mat& image) {
    if (image.channels() == 1) return image;
    cv::Mat gray;
    if (image.channels() == 3) {
        cv::cvtColor(image, gray, cv::COLOR_RGB2GRAY);
        return gray;
    }
    cv::Mat wide;
    image.reshape(1, image.rows * image.cols).convertTo(wide, CV_32F);
    cv::reduce(wide, gray, 1, cv::REDUCE_AVG);
    return gray.reshape(1, image.rows);
}

}  // namespace pixel

namespace {

using Lut = std::array<double, 256>;
using Sampler = std::function<cv::Mat(const cv::Mat&, const TransformSpec&, Random&)>;

double sample(const TransformSpec& spec, const char* key, Random& rng) {
    const auto& r = spec.vector(key);
    return rng.uniform(r[0], r[1]);
}

// A uint8 table applied to every channel; values are clipped to [0, 255] and truncated, as the
// reference's LUTs (`np.clip(...).astype(np.uint8)`).
cv::Mat apply_lut(const cv::Mat& image, const std::function<double(int)>& f) {
    cv::Mat table(1, 256, CV_8U);
    for (int v = 0; v < 256; ++v) table.at<uint8_t>(v) = static_cast<uint8_t>(std::clamp(f(v), 0.0, 255.0));
    cv::Mat out;
    cv::LUT(image, table, out);
    return out;
}

cv::Mat clip01(cv::Mat image) {
    cv::min(image, 1.0, image);
    cv::max(image, 0.0, image);
    return image;
}

// The float32 route of uint8-only operations: x 255, rounded, operate, / 255.
cv::Mat through_uint8(const cv::Mat& image, const std::function<cv::Mat(const cv::Mat&)>& op) {
    if (image.depth() == CV_8U) return op(image);
    return pixel::to_float32(op(pixel::to_uint8(image)));
}

// ---- HueSaturationValue --------------------------------------------------------------------
// An 8-bit hue (0..179) moved by `shift` and wrapped into [0, 180), as the reference's tables.
double shifted_hue(int v, double shift) {
    const double h = std::fmod(v + shift, 180.0);
    return h < 0 ? h + 180.0 : h;
}

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

void require_grey_or_rgb(const cv::Mat& image, const std::string& name) {
    if (image.channels() != 1 && image.channels() != 3)
        throw std::invalid_argument(name + " expects 1-channel or 3-channel images, got " +
                                    std::to_string(image.channels()) + " channels");
}

cv::Mat hue_saturation_value(const cv::Mat& image, const TransformSpec& spec, Random& rng) {
    require_grey_or_rgb(image, spec.name);
    const double hue = sample(spec, "hue_shift_range", rng);
    const double sat = sample(spec, "sat_shift_range", rng);
    const double val = sample(spec, "val_shift_range", rng);
    if (hue == 0 && sat == 0 && val == 0) return image;
    return through_uint8(image, [&](const cv::Mat& u8) { return shift_hsv_uint8(u8, hue, sat, val); });
}

// ---- brightness and contrast (torchvision formulas, as the reference) -------------------------
// Contrast blends with the grey mean, brightness is a gain; `brightness_first` picks the order.
cv::Mat brightness_contrast(const cv::Mat& image, double brightness, double contrast, bool brightness_first) {
    if (contrast == 1 && brightness == 1) return image;
    if (image.depth() == CV_8U) {
        return apply_tables(image, brightness_contrast_tables(image.channels(), brightness, contrast, brightness_first,
                                                              [&] { return exact_grey_mean(image); }));
    }
    if (contrast == 1) {
        if (brightness == 0) return cv::Mat::zeros(image.size(), image.type());
        cv::Mat out = image * brightness;
        return clip01(out);
    }
    const double mean = exact_grey_mean(image);
    if (brightness == 1) {
        if (contrast == 0) return cv::Mat(image.size(), image.type(), cv::Scalar::all(mean));
        cv::Mat out = image * contrast + mean * (1 - contrast);
        return clip01(out);
    }
    const double mean_at_contrast = brightness_first ? std::clamp(mean * brightness, 0.0, 1.0) : mean;
    const double offset = mean_at_contrast * (1 - contrast);
    cv::Mat out;
    if (brightness_first) {
        out = clip01(image * brightness);
        out = clip01(out * contrast + offset);
    } else {
        out = clip01(image * contrast + offset);
        out = clip01(out * brightness);
    }
    return out;
}

// uint8: the transform's tables in one pass (the fused path's single-step case).
cv::Mat table_step(const cv::Mat& image, const TransformSpec& spec, Random& rng) {
    return apply_tables(image, sample_tables(spec, rng, image.channels(), [&] { return exact_grey_mean(image); }));
}

// alpha * x + beta, clipped (the reference's multiply_add), float32.
cv::Mat multiply_add(const cv::Mat& image, double alpha, double beta) {
    cv::Mat out = image * alpha + beta;
    return clip01(out);
}

cv::Mat random_brightness_contrast(const cv::Mat& image, const TransformSpec& spec, Random& rng) {
    if (image.depth() == CV_8U) return table_step(image, spec, rng);
    double alpha = 1.0 + sample(spec, "contrast_range", rng);
    double beta = sample(spec, "brightness_range", rng);
    const bool by_max = spec.number_or("brightness_by_max", 0) != 0;
    const bool safe = spec.number_or("ensure_safe_output", 0) != 0;
    if (!by_max && !safe) return brightness_contrast(image, 1.0 + beta, alpha, false);
    const double max_value = 1.0;
    if (!by_max) {
        const double factor = 1.0 + beta;
        const double mean = exact_grey_mean(image);
        beta = factor * (1.0 - alpha) * mean;
        alpha *= factor;
    } else {
        beta *= max_value;
    }
    if (safe) {
        if (alpha > 0) {
            beta = std::clamp(beta, 0.0, max_value);
            alpha = std::min(alpha, (max_value - beta) / max_value);
        } else {
            beta = std::min(beta, max_value);
            alpha = std::max(alpha, -beta / max_value);
        }
    }
    return multiply_add(image, alpha, beta);
}

// ---- per-channel shifts, gamma, grey, channel order ------------------------------------------
cv::Mat rgb_shift(const cv::Mat& image, const TransformSpec& spec, Random& rng) {
    if (image.depth() == CV_8U) return table_step(image, spec, rng);
    const std::array<double, 3> shifts{sample(spec, "r_shift_range", rng), sample(spec, "g_shift_range", rng),
                                       sample(spec, "b_shift_range", rng)};
    auto shift_of = [&](int c) { return shifts[std::min(c, 2)]; };
    cv::Scalar s;
    for (int c = 0; c < std::min(4, image.channels()); ++c) s[c] = shift_of(c);
    cv::Mat out = image + s;
    return clip01(out);
}

cv::Mat random_gamma(const cv::Mat& image, const TransformSpec& spec, Random& rng) {
    if (image.depth() == CV_8U) return table_step(image, spec, rng);
    const double gamma = sample(spec, "gamma_range", rng) / 100.0;
    cv::Mat out;
    cv::pow(image, gamma, out);
    return out;
}

cv::Mat to_gray(const cv::Mat& image, const TransformSpec& spec, Random&) {
    if (image.channels() == 1) return image;
    const std::string method = spec.string_or("method", "weighted_average");
    const int outputs = static_cast<int>(spec.number_or("num_output_channels", 3));
    if ((method == "weighted_average" || method == "from_lab") && image.channels() != 3)
        throw std::invalid_argument("ToGray: method '" + method + "' needs a 3-channel image, got " +
                                    std::to_string(image.channels()) + " channels");
    cv::Mat gray;
    if (method == "weighted_average") {
        cv::cvtColor(image, gray, cv::COLOR_RGB2GRAY);
    } else if (method == "from_lab") {
        cv::Mat lab;
        cv::cvtColor(image, lab, cv::COLOR_RGB2Lab);
        cv::extractChannel(lab, gray, 0);
    } else {
        std::vector<cv::Mat> planes;
        cv::split(image, planes);
        cv::Mat lo = planes[0].clone(), hi = planes[0].clone(), sum;
        planes[0].convertTo(sum, CV_64F);
        for (std::size_t c = 1; c < planes.size(); ++c) {
            cv::min(lo, planes[c], lo);
            cv::max(hi, planes[c], hi);
            cv::Mat wide;
            planes[c].convertTo(wide, CV_64F);
            sum += wide;
        }
        const bool u8 = image.depth() == CV_8U;
        if (method == "max") {
            gray = hi;
        } else if (method == "desaturation") {
            cv::Mat a, b;
            lo.convertTo(a, CV_32F);
            hi.convertTo(b, CV_32F);
            cv::Mat mid = (a + b) * 0.5;
            if (u8) mid.convertTo(gray, CV_8U, 1.0, -0.25);  // (max + min) >> 1: halves round down
            else gray = mid;
        } else if (method == "average") {
            cv::Mat avg = sum / static_cast<double>(planes.size());
            if (u8) {
                cv::Mat truncated(avg.size(), CV_8U);
                for (int y = 0; y < avg.rows; ++y)
                    for (int x = 0; x < avg.cols; ++x)
                        truncated.at<uint8_t>(y, x) = static_cast<uint8_t>(avg.at<double>(y, x));
                gray = truncated;
            } else {
                avg.convertTo(gray, CV_32F);
            }
        } else {
            throw std::invalid_argument("ToGray: unknown method '" + method + "'");
        }
    }
    if (outputs == 1) return gray;
    std::vector<cv::Mat> copies(outputs, gray);
    cv::Mat out;
    cv::merge(copies, out);
    return out;
}

cv::Mat channel_shuffle(const cv::Mat& image, const TransformSpec& spec, Random& rng) {
    const int channels = image.channels();
    std::vector<int> order;
    if (spec.vectors.count("channel_order")) {
        for (double c : spec.vector("channel_order")) order.push_back(static_cast<int>(c));
        if (static_cast<int>(order.size()) != channels) return image;  // the reference warns and skips
    } else {
        if (channels <= 1) return image;
        order.resize(channels);
        std::iota(order.begin(), order.end(), 0);
        for (int i = channels - 1; i > 0; --i) std::swap(order[i], order[rng.randint(0, i)]);
    }
    std::vector<cv::Mat> planes, shuffled;
    cv::split(image, planes);
    for (int c : order) shuffled.push_back(planes.at(c));
    cv::Mat out;
    cv::merge(shuffled, out);
    return out;
}

// ---- CLAHE and ColorJitter -----------------------------------------------------------------
cv::Mat clahe(const cv::Mat& image, const TransformSpec& spec, Random& rng) {
    const double clip_limit = sample(spec, "clip_range", rng);
    const auto& grid = spec.vector("tile_grid_size");
    require_grey_or_rgb(image, spec.name);
    // tile_grid_size goes to OpenCV as given, (width, height) in its terms, as the reference does.
    cv::Ptr<cv::CLAHE> op = cv::createCLAHE(clip_limit, cv::Size(static_cast<int>(grid[0]), static_cast<int>(grid[1])));
    return through_uint8(image, [&](const cv::Mat& u8) {
        cv::Mat out;
        if (u8.channels() == 1) {
            op->apply(u8, out);
            return out;
        }
        cv::Mat lab;
        cv::cvtColor(u8, lab, cv::COLOR_RGB2Lab);
        std::vector<cv::Mat> planes;
        cv::split(lab, planes);
        op->apply(planes[0], planes[0]);
        cv::merge(planes, lab);
        cv::cvtColor(lab, out, cv::COLOR_Lab2RGB);
        return out;
    });
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

cv::Mat color_jitter(const cv::Mat& image, const TransformSpec& spec, Random& rng) {
    require_grey_or_rgb(image, spec.name);
    const double brightness = sample(spec, "brightness_range", rng);
    const double contrast = sample(spec, "contrast_range", rng);
    const double saturation = sample(spec, "saturation_range", rng);
    const double hue = sample(spec, "hue_range", rng);
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

// ---- Normalize ---------------------------------------------------------------------------
cv::Mat normalize(const cv::Mat& image, const TransformSpec& spec, Random&) {
    const std::string mode = spec.string_or("normalization", "standard");
    const int channels = image.channels();
    cv::Mat f;
    if (!(mode == "standard" && image.depth() == CV_8U)) image.convertTo(f, CV_MAKETYPE(CV_32F, channels));
    constexpr double eps = 1e-4;
    cv::Mat out;
    if (mode == "standard" && image.depth() == CV_8U) {
        // uint8: one float table per channel, as the reference's normalize_lut.
        const auto& mean = spec.vector("mean");
        const auto& inv_std = spec.vector("inv_std");
        if ((mean.size() != 1 && static_cast<int>(mean.size()) < channels) ||
            (inv_std.size() != 1 && static_cast<int>(inv_std.size()) < channels))
            throw std::invalid_argument("Normalize: mean and std need one value per image channel");
        std::vector<float> table(256 * channels);
        for (int v = 0; v < 256; ++v)
            for (int c = 0; c < channels; ++c) {
                const double m = mean.size() == 1 ? mean[0] : mean[c];
                const double s = inv_std.size() == 1 ? inv_std[0] : inv_std[c];
                table[v * channels + c] = static_cast<float>((v - m) * s);
            }
        out.create(image.size(), CV_MAKETYPE(CV_32F, channels));
        for (int y = 0; y < image.rows; ++y) {
            const uint8_t* p = image.ptr<uint8_t>(y);
            float* o = out.ptr<float>(y);
            for (int x = 0; x < image.cols * channels; x += channels)
                for (int c = 0; c < channels; ++c) o[x + c] = table[p[x + c] * channels + c];
        }
    } else if (mode == "standard") {
        const auto& mean = spec.vector("mean");  // already times max_pixel_value
        const auto& inv_std = spec.vector("inv_std");
        auto value = [&](const std::vector<double>& v, int c) {
            if (v.size() == 1) return v[0];  // one value serves every channel
            if (static_cast<int>(v.size()) < channels)
                throw std::invalid_argument("Normalize: mean and std need one value per image channel");
            return v[c];
        };
        std::vector<cv::Mat> planes;
        cv::split(f, planes);
        for (int c = 0; c < channels; ++c) planes[c] = (planes[c] - value(mean, c)) * value(inv_std, c);
        cv::merge(planes, out);
    } else if (mode == "image" || (mode == "image_per_channel" && channels == 1)) {
        cv::Scalar m, s;
        cv::meanStdDev(f.reshape(1), m, s);
        out = (f - cv::Scalar::all(m[0])) / (s[0] + eps);
        cv::min(out, 20.0, out);
        cv::max(out, -20.0, out);
    } else if (mode == "image_per_channel") {
        std::vector<cv::Mat> planes;
        cv::split(f, planes);
        for (auto& p : planes) {
            cv::Scalar m, s;
            cv::meanStdDev(p, m, s);
            p = (p - m[0]) / (s[0] + eps);
            cv::min(p, 20.0, p);
            cv::max(p, -20.0, p);
        }
        cv::merge(planes, out);
    } else if (mode == "min_max" || mode == "min_max_per_channel") {
        std::vector<cv::Mat> planes;
        if (mode == "min_max") planes = {f.reshape(1)};
        else cv::split(f, planes);
        for (auto& p : planes) {
            double lo, hi;
            cv::minMaxLoc(p, &lo, &hi);
            p = (p - lo) / (hi - lo + eps);
            cv::min(p, 1.0, p);
            cv::max(p, 0.0, p);
        }
        if (mode == "min_max") out = planes[0].reshape(channels);
        else cv::merge(planes, out);
    } else {
        throw std::invalid_argument("Normalize: unknown normalization '" + mode + "'");
    }
    if (spec.vectors.count("clip_range")) {
        const auto& r = spec.vector("clip_range");
        cv::min(out, r[1], out);
        cv::max(out, r[0], out);
    }
    return out;
}

const std::unordered_map<std::string, Sampler>& samplers() {
    static const std::unordered_map<std::string, Sampler> table = {
        {"HueSaturationValue", hue_saturation_value},
        {"RandomBrightnessContrast", random_brightness_contrast},
        {"RGBShift", rgb_shift},
        {"RandomGamma", random_gamma},
        {"ToGray", to_gray},
        {"ChannelShuffle", channel_shuffle},
        {"CLAHE", clahe},
        {"ColorJitter", color_jitter},
        {"Normalize", normalize},
    };
    return table;
}

}  // namespace

bool is_photometric(const std::string& name) { return samplers().count(name) || is_blur_or_noise(name); }

cv::Mat apply_photometric(const cv::Mat& image, const TransformSpec& spec, Random& rng) {
    // OpenCV's filters take the border of a view (a crop) from the image around it: a view gets
    // its own copy first, so that borders are the crop's own, as for a contiguous crop.
    const bool reads_neighbours = is_blur_or_noise(spec.name) || spec.name == "CLAHE";
    const cv::Mat own = reads_neighbours && image.isSubmatrix() ? image.clone() : image;
    auto it = samplers().find(spec.name);
    if (it != samplers().end()) return it->second(own, spec, rng);
    return apply_blur_or_noise(own, spec, rng);
}

}  // namespace instaug
