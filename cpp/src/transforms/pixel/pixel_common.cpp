#include "transforms/pixel/pixel_common.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "kernels/table_chain.hpp"

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

cv::Mat float32_io_in(const cv::Mat& image) {
    cv::Mat table(1, 256, CV_32F);
    for (int v = 0; v < 256; ++v) table.at<float>(v) = static_cast<float>(v) / 255.0f;
    cv::Mat out;
    cv::LUT(image, table, out);
    return out;
}

cv::Mat float32_io_out(const cv::Mat& image) {
    cv::Mat out(image.size(), CV_MAKETYPE(CV_8U, image.channels()));
    const int n = image.cols * image.channels();
    for (int y = 0; y < image.rows; ++y) {
        const float* in = image.ptr<float>(y);
        uint8_t* o = out.ptr<uint8_t>(y);
        for (int i = 0; i < n; ++i) {
            float v = in[i] * 255.0f;
            v = v > 0.0f ? v : 0.0f;  // NaN: 0, as NumPy's cast on x86
            // Half to even (NumPy's rint): adding 1.5 x 2^23 leaves no fraction bits.
            o[i] = static_cast<uint8_t>(static_cast<int>(((v < 255.0f ? v : 255.0f) + 12582912.0f) - 12582912.0f));
        }
    }
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

cv::Mat clip01(cv::Mat image) {
    cv::min(image, 1.0, image);
    cv::max(image, 0.0, image);
    return image;
}

cv::Mat through_uint8(const cv::Mat& image, const std::function<cv::Mat(const cv::Mat&)>& op) {
    if (image.depth() == CV_8U) return op(image);
    return to_float32(op(to_uint8(image)));
}

cv::Mat apply_lut(const cv::Mat& image, const std::function<double(int)>& f) {
    cv::Mat table(1, 256, CV_8U);
    for (int v = 0; v < 256; ++v) table.at<uint8_t>(v) = static_cast<uint8_t>(std::clamp(f(v), 0.0, 255.0));
    cv::Mat out;
    cv::LUT(image, table, out);
    return out;
}

void require_grey_or_rgb(const cv::Mat& image, const std::string& transform) {
    if (image.channels() != 1 && image.channels() != 3)
        throw std::invalid_argument(transform + " expects 1-channel or 3-channel images, got " +
                                    std::to_string(image.channels()) + " channels");
}

double draw(const Params& params, const char* name, Random& rng) {
    const auto r = params.range(name);
    const double value = rng.uniform(r[0], r[1]);
    rng.note(name, value);
    return value;
}

double shifted_hue(int v, double shift) {
    const double h = std::fmod(v + shift, 180.0);
    return h < 0 ? h + 180.0 : h;
}

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

TransformDecl pixel_transform(const std::string& name, std::vector<ParamDecl> params, PixelOp op, double p) {
    params.push_back(probability_param(p));
    TransformDecl d = declare(name, TransformKind::Pixel, std::move(params));
    d.pixels = std::move(op);
    return d;
}

TransformDecl table_transform(const std::string& name, std::vector<ParamDecl> params, TableSampler tables,
                              PixelOp pixels) {
    params.push_back(probability_param(0.5));
    TransformDecl d = declare(name, TransformKind::Table, std::move(params));
    d.tables = std::move(tables);
    d.pixels = std::move(pixels);
    return d;
}

cv::Mat channels_in_order(const cv::Mat& image, const std::vector<int>& order) {
    std::vector<cv::Mat> planes, ordered;
    cv::split(image, planes);
    for (int c : order) ordered.push_back(planes.at(c));
    cv::Mat out;
    cv::merge(ordered, out);
    return out;
}

std::vector<int> random_order(int count, Random& rng) {
    std::vector<int> order(count);
    std::iota(order.begin(), order.end(), 0);
    for (int i = count - 1; i > 0; --i) std::swap(order[i], order[rng.randint(0, i)]);
    return order;
}

}  // namespace pixel
}  // namespace instaug
