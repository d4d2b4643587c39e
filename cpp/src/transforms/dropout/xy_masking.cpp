// XYMasking: full-height vertical and full-width horizontal stripes (SpecAugment's time and
// frequency masks), their widths in pixels (integer ranges) or shares of the side (float ranges);
// TimeMasking and FrequencyMasking, the reference's one-stripe spectrogram forms (fills 0).
#include <stdexcept>
#include <string>

#include "transforms/dropout/dropout_common.hpp"

namespace instaug {
namespace {

// Stripes across one axis ("x": vertical stripes of the width, "y": horizontal ones).
Holes stripes(const Params& p, Random& rng, const char* count_name, const char* length_name, bool along_x,
              int width, int height) {
    const auto counts = p.range(count_name);
    const Json& lengths = p.at(length_name);
    if (lengths[1].get<double>() == 0 || counts[1] == 0) return {};
    const bool pixels = lengths[0].is_number_integer();
    const int side = along_x ? width : height;
    if (pixels && lengths[1].get<int64_t>() > side)
        throw std::invalid_argument(std::string("XYMasking: ") + length_name + " range (" +
                                    std::to_string(lengths[0].get<int64_t>()) + ", " +
                                    std::to_string(lengths[1].get<int64_t>()) + ") is out of valid range [0, " +
                                    std::to_string(side) + "]");
    const int n = static_cast<int>(rng.randint(static_cast<int64_t>(counts[0]), static_cast<int64_t>(counts[1])));
    Holes holes;
    for (int i = 0; i < n; ++i) {
        const int length = pixels ? static_cast<int>(rng.randint(lengths[0].get<int64_t>(), lengths[1].get<int64_t>()))
                                  : static_cast<int>(rng.uniform(lengths[0].get<double>(), lengths[1].get<double>()) * side);
        const int start = static_cast<int>(rng.randint(0, side - length));
        if (!pixels && length == 0) continue;  // the reference keeps no empty share-sized stripe
        holes.push_back(along_x ? cv::Rect(start, 0, length, height) : cv::Rect(0, start, width, length));
    }
    return holes;
}

Holes xy_holes(const Params& p, Random& rng, const Sample& sample) {
    Holes holes = stripes(p, rng, "num_masks_x_range", "mask_x_length_range", true, sample.width, sample.height);
    const std::size_t vertical = holes.size();
    for (const cv::Rect& h : stripes(p, rng, "num_masks_y_range", "mask_y_length_range", false, sample.width, sample.height))
        holes.push_back(h);
    rng.note("num_masks_x_range", static_cast<int64_t>(vertical));
    rng.note("num_masks_y_range", static_cast<int64_t>(holes.size() - vertical));
    return holes;
}

// One stripe across `along_x` (time: a vertical one) of 0 to `argument` pixels.
HoleSampler one_stripe(const char* argument, bool along_x) {
    return [argument, along_x](const Params& p, Random& rng, const Sample& sample) {
        const int64_t longest = p.integer(argument);
        const int side = along_x ? sample.width : sample.height;
        if (longest > side)
            throw std::invalid_argument(std::string(along_x ? "TimeMasking: " : "FrequencyMasking: ") + argument + " " +
                                        std::to_string(longest) + " is longer than the image side " + std::to_string(side));
        const int length = static_cast<int>(rng.randint(0, longest));
        const int start = static_cast<int>(rng.randint(0, side - length));
        return Holes{along_x ? cv::Rect(start, 0, length, sample.height) : cv::Rect(0, start, sample.width, length)};
    };
}

}  // namespace

void register_xy_masking(Registry& r) {
    for (const bool time : {true, false}) {
        const char* argument = time ? "time_mask_param" : "freq_mask_param";
        TransformDecl d = declare(time ? "TimeMasking" : "FrequencyMasking", TransformKind::Dropout,
                                  {integer_param(argument, time ? 40 : 30).between(1, 1 << 30), probability_param(0.5)});
        d.holes = one_stripe(argument, time);
        r.add(std::move(d));
    }
    TransformDecl d = dropout::dropout_transform(
        "XYMasking",
        {range_param("num_masks_x_range", Json::array({0, 0})).between(0, std::nullopt).whole(),
         range_param("num_masks_y_range", Json::array({0, 0})).between(0, std::nullopt).whole(),
         range_param("mask_x_length_range", Json::array({0, 0})).between(0, std::nullopt).ints_or_floats(),
         range_param("mask_y_length_range", Json::array({0, 0})).between(0, std::nullopt).ints_or_floats()},
        xy_holes);
    d.check = [fill_rule = d.check](const std::string& owner, const Params& p) {
        fill_rule(owner, p);
        for (const char* name : {"mask_x_length_range", "mask_y_length_range"}) {
            const Json& r = p.at(name);
            if (!r[0].is_number_integer() && r[1].get<double>() > 1)
                throw std::invalid_argument(owner + ": " + name + " values must be <= 1 as shares of the side");
        }
        if (p.at("mask_x_length_range")[1].get<double>() <= 0 && p.at("mask_y_length_range")[1].get<double>() <= 0)
            throw std::invalid_argument(owner + ": at least one of mask_x_length_range or mask_y_length_range must "
                                                "have a positive max value");
    };
    r.add(std::move(d));
}

}  // namespace instaug
