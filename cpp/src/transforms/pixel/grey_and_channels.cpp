// ToGray, ChannelShuffle, ChannelSwap and ChannelDropout: the image's channels recombined.
#include <algorithm>
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
}

}  // namespace instaug
