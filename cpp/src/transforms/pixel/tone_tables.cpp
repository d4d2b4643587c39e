// InvertImg, Solarize and Posterize: value maps. On uint8 images each is one table per channel
// (fused with the other table steps); float32 images take the same draw through float math.
#include <cmath>
#include <stdexcept>

#include <opencv2/core.hpp>

#include "kernels/table_chain.hpp"
#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// ---- InvertImg: max - v ----------------------------------------------------------------------
std::vector<Table8> invert_step(const Params&, Random&, int channels, const std::function<double()>&) {
    return same_for_all(channels, [](int v) { return 255.0 - v; });
}

// 1 - v on every channel (one-channel view: a Scalar holds only four).
cv::Mat inverted(const cv::Mat& image) {
    cv::Mat out;
    cv::subtract(cv::Scalar(1.0), image.reshape(1), out);
    return out.reshape(image.channels());
}

cv::Mat invert_float(const cv::Mat& image, const Params&, Random&) { return inverted(image); }

// ---- Solarize: values at or above the threshold (a fraction of the maximum) are inverted -------
std::vector<Table8> solarize_step(const Params& params, Random& rng, int channels, const std::function<double()>&) {
    const double threshold = pixel::draw(params, "threshold_range", rng) * 255.0;
    return same_for_all(channels, [threshold](int v) { return v >= threshold ? 255.0 - v : v; });
}

cv::Mat solarize_float(const cv::Mat& image, const Params& params, Random& rng) {
    const double threshold = pixel::draw(params, "threshold_range", rng);
    cv::Mat out = image.clone(), at_or_above;
    cv::compare(image.reshape(1), threshold, at_or_above, cv::CMP_GE);
    inverted(image).reshape(1).copyTo(out.reshape(1), at_or_above);
    return out;
}

// ---- Posterize: keep the highest bits, one count for all channels or one per channel ----------
std::vector<int> draw_bits(const Params& params, Random& rng) {
    const Json& spec = params.at("num_bits");
    std::vector<int> bits;
    const bool per_channel = spec[0].is_array();
    for (const Json& r : per_channel ? spec : Json::array({spec}))
        bits.push_back(static_cast<int>(rng.randint(r[0].get<int64_t>(), r[1].get<int64_t>())));
    if (per_channel) rng.note("num_bits", bits);
    else rng.note("num_bits", bits[0]);
    return bits;
}

Table8 keep_high_bits(int bits) {
    const int mask = 0xFF & ~((1 << (8 - bits)) - 1);
    return table_of([mask](int v) { return v & mask; });
}

// One count per channel must name every channel (the reference leaves the others undefined).
std::vector<Table8> posterize_tables(const std::vector<int>& bits, int channels) {
    if (bits.size() > 1 && static_cast<int>(bits.size()) != channels)
        throw std::invalid_argument("Posterize: num_bits gives " + std::to_string(bits.size()) +
                                    " per-channel ranges for an image of " + std::to_string(channels) + " channels");
    std::vector<Table8> tables;
    for (int c = 0; c < channels; ++c) tables.push_back(keep_high_bits(bits[bits.size() > 1 ? c : 0]));
    return tables;
}

std::vector<Table8> posterize_step(const Params& params, Random& rng, int channels, const std::function<double()>&) {
    return posterize_tables(draw_bits(params, rng), channels);
}

// float32 images go through uint8, as the reference.
cv::Mat posterize_float(const cv::Mat& image, const Params& params, Random& rng) {
    const std::vector<Table8> tables = posterize_tables(draw_bits(params, rng), image.channels());
    return pixel::through_uint8(image, [&](const cv::Mat& bytes) { return apply_tables(bytes, tables); });
}

}  // namespace

void register_tone_tables(Registry& r) {
    r.add(pixel::table_transform("InvertImg", {}, invert_step, invert_float));
    r.add(pixel::table_transform("Solarize", {range_param("threshold_range", Json::array({0.5, 0.5})).between(0.0, 1.0).in("fraction of the maximum")},
                     solarize_step, solarize_float));
    r.add(pixel::table_transform("Posterize", {ranges_param("num_bits", Json::array({4, 4})).between(1, 7).whole().in("bits kept")},
                     posterize_step, posterize_float));
}

}  // namespace instaug
