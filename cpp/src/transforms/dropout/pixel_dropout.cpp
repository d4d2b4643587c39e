// PixelDropout: each pixel (or each channel of each pixel, per_channel) dropped with probability
// dropout_prob, set to drop_value (None: one random value per channel); masks take mask_drop_value
// where their pixels drop, when it is set.
#include <opencv2/core.hpp>

#include "transforms/registry.hpp"

namespace instaug {
namespace {

// Non-zero with probability `prob` per element of a rows x cols plane of `channels` channels.
cv::Mat drop_plane(int rows, int cols, int channels, double prob, Random& rng) {
    cv::Mat draws(rows, cols, CV_32FC(channels));
    cv::RNG(rng.next_u64()).fill(draws, cv::RNG::UNIFORM, 0.0, 1.0);
    cv::Mat drops;
    cv::compare(draws.reshape(1), prob, drops, cv::CMP_LT);
    return drops.reshape(channels);
}

// The reference's prepare_drop_values: a number, one per channel (cycled when fewer), or None - a
// value per channel drawn in [0, 255) for uint8, [0, 1) for float32.
std::vector<double> drop_values(const Json& value, const cv::Mat& image, Random& rng) {
    const int channels = image.channels();
    std::vector<double> out(channels);
    if (value.is_null()) {
        for (double& v : out)
            v = image.depth() == CV_8U ? static_cast<double>(rng.randint(0, 254)) : rng.uniform(0.0, 1.0);
        return out;
    }
    for (int c = 0; c < channels; ++c) out[c] = value[c % value.size()].get<double>();
    return out;
}

PixelDrops pixel_dropout(const Params& params, Random& rng, const Sample& sample) {
    const double prob = params.number("dropout_prob");
    rng.note("dropout_prob", prob);
    PixelDrops drops;
    const cv::Mat& image = sample.image;
    if (image.empty()) return drops;
    const bool per_channel = params.flag("per_channel");
    drops.image = drop_plane(image.rows, image.cols, per_channel ? image.channels() : 1, prob, rng);
    drops.image_values = drop_values(params.at("drop_value"), image, rng);
    drops.judges_boxes = !per_channel;
    if (!params.is_none("mask_drop_value")) {
        // Mask pixels drop where the image's pixels drop; channels dropped apart have no such
        // pixels, so the masks take a draw of their own (as the reference's every time).
        drops.masks = per_channel ? drop_plane(image.rows, image.cols, 1, prob, rng) : drops.image;
        for (const Json& v : params.at("mask_drop_value")) drops.mask_values.push_back(v.get<double>());
    }
    return drops;
}

}  // namespace

void register_pixel_dropout(Registry& r) {
    ParamDecl drop_value = fill_param("drop_value", 0);
    drop_value.none_is_zero = false;  // None: a random value per channel
    TransformDecl d = declare("PixelDropout", TransformKind::Dropout,
                              {number_param("dropout_prob", 0.01).between(0.0, 1.0), flag_param("per_channel", false),
                               drop_value, optional_fill_param("mask_drop_value"), probability_param(0.5)});
    d.pixel_drops = pixel_dropout;
    r.add(std::move(d));
}

}  // namespace instaug
