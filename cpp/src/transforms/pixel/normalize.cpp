// Normalize: (x - mean * max_pixel_value) / (std * max_pixel_value), or a per-image normalisation.
// The image becomes float32.
#include <stdexcept>

#include <opencv2/core.hpp>

#include "transforms/registry.hpp"

namespace instaug {
namespace {

// The mean in pixel units and 1 / (std in pixel units), per channel (one value serves all).
std::pair<std::vector<double>, std::vector<double>> scaled_mean_and_inverse_std(const Params& params) {
    const double scale = params.number("max_pixel_value");
    std::vector<double> mean = params.numbers("mean"), inv_std = params.numbers("std");
    for (double& m : mean) m *= scale;
    for (double& s : inv_std) s = 1.0 / (s * scale);
    return {mean, inv_std};
}

cv::Mat normalize(const cv::Mat& image, const Params& params, Random&) {
    const std::string& mode = params.text("normalization");
    const int channels = image.channels();
    cv::Mat f;
    if (!(mode == "standard" && image.depth() == CV_8U)) image.convertTo(f, CV_MAKETYPE(CV_32F, channels));
    constexpr double eps = 1e-4;
    cv::Mat out;
    if (mode == "standard" && image.depth() == CV_8U) {
        // uint8: one float table per channel, as the reference's normalize_lut.
        const auto [mean, inv_std] = scaled_mean_and_inverse_std(params);
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
        const auto [mean, inv_std] = scaled_mean_and_inverse_std(params);
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
    if (!params.is_none("clip_range")) {
        const auto r = params.range("clip_range");
        cv::min(out, r[1], out);
        cv::max(out, r[0], out);
    }
    return out;
}

}  // namespace

void register_normalize(Registry& r) {
    TransformDecl d;
    d.name = "Normalize";
    d.kind = TransformKind::Pixel;
    d.params = {numbers_param("mean", Json::array({0.485, 0.456, 0.406})).or_none(),
                numbers_param("std", Json::array({0.229, 0.224, 0.225})).or_none(),
                number_param("max_pixel_value", 255.0).or_none(),
                choice_param("normalization", "standard",
                             Json::array({"standard", "image", "image_per_channel", "min_max", "min_max_per_channel"})),
                probability_param(1.0),
                range_param("clip_range", nullptr)};
    d.check = [](const std::string& owner, const Params& p) {
        if (p.text("normalization") != "standard") return;
        if (p.is_none("mean") || p.is_none("std") || p.is_none("max_pixel_value"))
            throw std::invalid_argument(owner + ": standard normalization needs mean, std and max_pixel_value");
        for (double s : p.numbers("std"))
            if (s <= 0) throw std::invalid_argument(owner + ": std must be positive, got " + python_repr(p.at("std")));
    };
    d.pixels = normalize;
    d.changes_image_format = [](const Params&) { return true; };  // uint8 in, float32 out
    r.add(std::move(d));
}

}  // namespace instaug
