// ImageCompression and Downscale: the losses of saving and of lower resolution. Both work on uint8
// images (float32 ones go through uint8, as the reference's).
#include <algorithm>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "transforms/pixel/pixel_common.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

// ---- ImageCompression: a JPEG or WebP round trip through OpenCV's codecs ----------------------
cv::Mat round_trip(const cv::Mat& image, const std::string& extension, int quality_flag, int quality, int read_mode) {
    std::vector<uchar> bytes;
    if (!cv::imencode(extension, image, bytes, {quality_flag, quality}))
        throw std::invalid_argument("ImageCompression: OpenCV could not encode the image as " + extension);
    return cv::imdecode(bytes, read_mode);
}

// As the reference: one channel as grey, two or three as colour (two padded with a zero channel),
// beyond three the first three as colour and each other one as grey.
cv::Mat compressed(const cv::Mat& image, const std::string& type, int quality) {
    const bool jpeg = type == "jpeg";
    const std::string extension = jpeg ? ".jpg" : ".webp";
    const int flag = jpeg ? cv::IMWRITE_JPEG_QUALITY : cv::IMWRITE_WEBP_QUALITY;
    const int channels = image.channels();
    if (channels == 1) return round_trip(image, extension, flag, quality, cv::IMREAD_GRAYSCALE);
    if (channels == 3) return round_trip(image, extension, flag, quality, cv::IMREAD_UNCHANGED);
    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    std::vector<cv::Mat> colour(planes.begin(), planes.begin() + std::min(channels, 3));
    if (channels == 2) colour.push_back(cv::Mat::zeros(image.size(), CV_8U));
    cv::Mat merged;
    cv::merge(colour, merged);
    std::vector<cv::Mat> out;
    cv::split(round_trip(merged, extension, flag, quality, cv::IMREAD_UNCHANGED), out);
    out.resize(std::min(channels, 3));
    for (int c = 3; c < channels; ++c) out.push_back(round_trip(planes[c], extension, flag, quality, cv::IMREAD_GRAYSCALE));
    cv::Mat result;
    cv::merge(out, result);
    return result;
}

cv::Mat image_compression(const cv::Mat& image, const Params& params, Random& rng) {
    const auto range = params.range("quality_range");
    const int quality = static_cast<int>(rng.randint(static_cast<int64_t>(range[0]), static_cast<int64_t>(range[1])));
    rng.note("quality_range", quality);
    const std::string& type = params.text("compression_type");
    return pixel::through_uint8(image, [&](const cv::Mat& bytes) { return compressed(bytes, type, quality); });
}

// ---- Downscale: down by a drawn factor, then back up to the size it had -----------------------
cv::Mat downscale(const cv::Mat& image, const Params& params, Random& rng) {
    const double scale = pixel::draw(params, "scale_range", rng);
    const Json& pair = params.at("interpolation_pair");
    const int down = pair["downscale"].get<int>(), up = pair["upscale"].get<int>();
    return pixel::through_uint8(image, [&](const cv::Mat& bytes) {
        // At least one pixel a side (the reference's resize would fail on an empty size).
        const cv::Size small(std::max(1, static_cast<int>(bytes.cols * scale)), std::max(1, static_cast<int>(bytes.rows * scale)));
        cv::Mat reduced, restored;
        cv::resize(bytes, reduced, small, 0, 0, down);
        cv::resize(reduced, restored, bytes.size(), 0, 0, up);
        return restored;
    });
}

void check_interpolation_pair(const std::string& owner, const Params& p) {
    const Json& pair = p.at("interpolation_pair");
    const std::string expected = R"({"downscale": flag, "upscale": flag} with OpenCV interpolation flags 0 to 6)";
    bool ok = pair.size() == 2;
    for (const char* key : {"downscale", "upscale"})
        ok = ok && pair.contains(key) && pair[key].is_number_integer() && pair[key].get<int64_t>() >= 0 &&
             pair[key].get<int64_t>() <= 6;
    if (!ok) throw std::invalid_argument(owner + ": interpolation_pair must be " + expected + ", got " + python_repr(pair));
}

}  // namespace

void register_compression(Registry& r) {
    r.add(pixel::pixel_transform(
        "ImageCompression",
        {choice_param("compression_type", "jpeg", Json::array({"jpeg", "webp"})),
         range_param("quality_range", Json::array({99, 100})).between(1, 100).whole()},
        image_compression));
    ParamDecl pair = mapping_param("interpolation_pair");
    pair.default_value = {{"upscale", 0}, {"downscale", 0}};
    pair.nullable = false;
    TransformDecl d = pixel::pixel_transform(
        "Downscale",
        {range_param("scale_range", Json::array({0.25, 0.25})).between(1e-6, 1.0).in("fraction of each side"),
         pair},
        downscale);
    d.check = check_interpolation_pair;
    r.add(std::move(d));
}

}  // namespace instaug
