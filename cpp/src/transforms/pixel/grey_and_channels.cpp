// ToGray, ChannelShuffle, ChannelSwap, ChannelDropout and Colorize: the image's channels recombined.
#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

cv::Mat to_gray(const cv::Mat& image, const Params& params, Random&) {
    if (image.channels() == 1) return image;
    const std::string& method = params.text("method");
    const int outputs = params.integer32("num_output_channels");
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

cv::Mat channel_shuffle(const cv::Mat& image, const Params& params, Random& rng) {
    const int channels = image.channels();
    std::vector<int> order;
    if (!params.is_none("channel_order")) {
        for (double c : params.numbers("channel_order")) order.push_back(static_cast<int>(c));
        if (static_cast<int>(order.size()) != channels) return image;  // the reference warns and skips
    } else {
        if (channels <= 1) return image;
        order = pixel::random_order(channels, rng);
    }
    return pixel::channels_in_order(image, order);
}

// ChannelDropout: a drawn number of channels, drawn without replacement, set to `fill`.
cv::Mat channel_dropout(const cv::Mat& image, const Params& params, Random& rng) {
    const int channels = image.channels();
    const auto range = params.range("channel_drop_range");
    if (channels == 1) throw std::invalid_argument("ChannelDropout: the image has one channel, none can be dropped");
    if (range[1] >= channels)
        throw std::invalid_argument("ChannelDropout: channel_drop_range " + python_repr(params.at("channel_drop_range")) +
                                    " may drop all " + std::to_string(channels) + " channels");
    const int count = static_cast<int>(rng.randint(static_cast<int64_t>(range[0]), static_cast<int64_t>(range[1])));
    std::vector<int> pool(channels);
    std::iota(pool.begin(), pool.end(), 0);
    for (int i = 0; i < count; ++i) std::swap(pool[i], pool[i + rng.randint(0, channels - 1 - i)]);
    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    for (int i = 0; i < count; ++i) planes[pool[i]].setTo(params.number("fill"));
    cv::Mat out;
    cv::merge(planes, out);
    return out;
}

// ---- Colorize: a grey image's intensity as a position along a ramp of two or three colours ------
using Colour = std::array<int64_t, 3>;

Colour draw_colour(const Params& params, const char* name, Random& rng) {
    const Json& range = params.at(name);
    Colour c{};
    for (std::size_t k = 0; k < 3; ++k) c[k] = rng.randint(range[0][k].get<int64_t>(), range[1][k].get<int64_t>());
    rng.note(name, Json::array({c[0], c[1], c[2]}));
    return c;
}

// One channel of the ramp at x, computed as np.interp does (in double; an anchor's own value exactly).
double ramp(double x, const std::vector<double>& at, const std::vector<double>& value) {
    if (x <= at.front()) return value.front();
    if (x >= at.back()) return value.back();
    std::size_t j = 0;
    while (at[j + 1] <= x) ++j;
    if (at[j] == x) return value[j];
    const double slope = (value[j + 1] - value[j]) / (at[j + 1] - at[j]);
    return slope * (x - at[j]) + value[j];
}

// Anchors as the reference builds them: float32 positions and colours, read back as doubles. uint8
// positions are intensities and colours 0..255; float32 ones are shares of 1 (colour / 255 in float32).
std::array<std::vector<double>, 4> colorize_anchors(const std::vector<Colour>& colours, int64_t mid_value, bool u8) {
    std::array<std::vector<double>, 4> anchors;  // positions, then one value list per channel
    anchors[0] = {0.0};
    if (colours.size() == 3) anchors[0].push_back(u8 ? static_cast<double>(mid_value) : static_cast<float>(mid_value / 255.0));
    anchors[0].push_back(u8 ? 255.0 : 1.0);
    for (const Colour& c : colours)
        for (std::size_t k = 0; k < 3; ++k)
            anchors[k + 1].push_back(u8 ? static_cast<double>(c[k]) : static_cast<float>(static_cast<float>(c[k]) / 255.0f));
    return anchors;
}

cv::Mat colorize(const cv::Mat& image, const Params& params, Random& rng) {
    std::vector<Colour> colours = {draw_colour(params, "black_range", rng)};
    const Colour white = draw_colour(params, "white_range", rng);
    int64_t mid_value = 0;
    if (!params.is_none("mid_range")) {
        colours.push_back(draw_colour(params, "mid_range", rng));
        mid_value = rng.randint(static_cast<int64_t>(params.range("mid_value_range")[0]),
                                static_cast<int64_t>(params.range("mid_value_range")[1]));
        rng.note("mid_value_range", mid_value);
    }
    colours.push_back(white);
    if (image.channels() != 1) return image;  // the reference warns and leaves it
    const bool u8 = image.depth() == CV_8U;
    const auto anchors = colorize_anchors(colours, mid_value, u8);
    if (u8) {
        // The reference's table: the ramp stored as float32, then floored (PIL's integer division).
        std::array<cv::Vec3b, 256> table;
        for (int v = 0; v < 256; ++v)
            for (int k = 0; k < 3; ++k)
                table[v][k] = cv::saturate_cast<uint8_t>(std::floor(static_cast<float>(ramp(v, anchors[0], anchors[k + 1]))));
        cv::Mat out(image.size(), CV_8UC3);
        for (int y = 0; y < image.rows; ++y) {
            const uint8_t* in = image.ptr<uint8_t>(y);
            cv::Vec3b* o = out.ptr<cv::Vec3b>(y);
            for (int x = 0; x < image.cols; ++x) o[x] = table[in[x]];
        }
        return out;
    }
    cv::Mat out(image.size(), CV_32FC3);
    for (int y = 0; y < image.rows; ++y) {
        const float* in = image.ptr<float>(y);
        cv::Vec3f* o = out.ptr<cv::Vec3f>(y);
        for (int x = 0; x < image.cols; ++x) {
            const float v = in[x];
            const double g = std::isnan(v) ? v : std::clamp(v, 0.0f, 1.0f);
            for (int k = 0; k < 3; ++k)
                o[x][k] = std::isnan(g) ? g : static_cast<float>(ramp(g, anchors[0], anchors[k + 1]));
        }
    }
    return out;
}

void check_channel_order(const std::string& owner, const Params& p) {
    if (p.is_none("channel_order")) return;
    std::vector<double> order = p.numbers("channel_order");
    std::sort(order.begin(), order.end());
    for (std::size_t i = 0; i < order.size(); ++i)
        if (order[i] != static_cast<double>(i))
            throw std::invalid_argument(owner + ": channel_order must be a permutation of 0..C-1, got " +
                                        python_repr(p.at("channel_order")));
}

}  // namespace

void register_grey_and_channels(Registry& r) {
    TransformDecl gray;
    gray.name = "ToGray";
    gray.kind = TransformKind::Pixel;
    gray.params = {integer_param("num_output_channels", 3).between(1, 4),
                   choice_param("method", "weighted_average",
                                Json::array({"weighted_average", "from_lab", "desaturation", "average", "max"})),
                   probability_param(0.5)};
    gray.pixels = to_gray;
    // An RGB image stays 3-channel with the default; other counts change it.
    gray.changes_image_format = [](const Params& p) { return p.integer("num_output_channels") != 3; };
    r.add(std::move(gray));

    TransformDecl shuffle;
    shuffle.name = "ChannelShuffle";
    shuffle.kind = TransformKind::Pixel;
    shuffle.params = {integers_param("channel_order", nullptr).between(0, std::nullopt), probability_param(0.5)};
    shuffle.check = check_channel_order;
    shuffle.pixels = channel_shuffle;
    r.add(std::move(shuffle));
    // The reference's ChannelShuffle with a fixed order (RGB <-> BGR by default).
    TransformDecl swap = declare("ChannelSwap", TransformKind::Pixel,
                                 {integers_param("channel_order", Json::array({2, 1, 0})).between(0, std::nullopt),
                                  probability_param(0.5)});
    swap.check = check_channel_order;
    swap.pixels = channel_shuffle;
    r.add(std::move(swap));
    r.add(pixel::pixel_transform("ChannelDropout",
                                 {range_param("channel_drop_range", Json::array({1, 1})).between(1, 511).whole(),
                                  number_param("fill", 0.0)},
                                 channel_dropout));
    TransformDecl colorize_decl = pixel::pixel_transform(
        "Colorize",
        {color_range_param("black_range", Json::array({Json::array({0, 0, 0}), Json::array({0, 0, 0})})),
         color_range_param("white_range", Json::array({Json::array({255, 255, 255}), Json::array({255, 255, 255})})),
         color_range_param("mid_range", nullptr).or_none(),
         range_param("mid_value_range", Json::array({127, 127})).between(1, 254).whole()},
        colorize);
    colorize_decl.changes_image_format = [](const Params&) { return true; };  // 1 channel in, 3 out
    r.add(std::move(colorize_decl));
}

}  // namespace instaug
